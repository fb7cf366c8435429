package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"ferry/models"
)

// Headers a webhook carries.
const (
	HeaderSignature   = "X-Ferry-Signature-256" // "sha256=" + hex HMAC-SHA256 of the body, keyed with the secret
	HeaderEvent       = "X-Ferry-Event"         // the event type
	HeaderIdempotency = "Idempotency-Key"       // the message's ID: the same on every try
)

// Error is a failed send. Permanent ones are not tried again (the receiver refused
// the message itself: a 4xx answer, a recipient the mail server does not know);
// RetryAfter is the receiver's own word on when to come back.
type Error struct {
	Err        error
	Permanent  bool
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// IsPermanent reports whether err says that trying again cannot help.
func IsPermanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Permanent
}

// RetryAfter is how long the receiver asked to wait, or 0.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// Sender sends messages over channels.
type Sender struct {
	UserAgent string
	// Getenv reads secrets named in config (secret_env, user_env, password_env);
	// os.Getenv by default.
	Getenv func(string) string
	HTTP   *http.Client
}

// NewSender is a sender with a pooled HTTP client.
func NewSender(userAgent string) *Sender {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &Sender{UserAgent: userAgent, Getenv: os.Getenv, HTTP: &http.Client{Transport: tr}}
}

// Send sends m over ch, within ch's timeout.
func (s *Sender) Send(ctx context.Context, ch models.Channel, m Message) error {
	timeout := ch.Timeout
	if timeout <= 0 {
		timeout = models.DefaultChannelTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch ch.Type {
	case models.ChannelWebhook:
		return s.webhook(ctx, ch, m)
	case models.ChannelSlack:
		return s.slack(ctx, ch, m)
	case models.ChannelEmail:
		return s.email(ctx, ch, m)
	case models.ChannelCommand:
		return s.command(ctx, ch, m)
	}
	return &Error{Err: fmt.Errorf("channel %q has unknown type %q", ch.Name, ch.Type), Permanent: true}
}

func (s *Sender) getenv(k string) string {
	if s.Getenv == nil {
		return os.Getenv(k)
	}
	return s.Getenv(k)
}

// Sign is the signature header's value for body under secret.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a signature header's value against body and secret (for receivers
// and tests), in constant time.
func Verify(secret, body []byte, header string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(header))
}

func (s *Sender) webhook(ctx context.Context, ch models.Channel, m Message) error {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderEvent, m.Event.Type)
	h.Set(HeaderIdempotency, m.Event.ID)
	if ch.SecretEnv != "" {
		secret := s.getenv(ch.SecretEnv)
		if secret == "" {
			return fmt.Errorf("secret_env %s is not set in ferry's environment: the webhook is not sent unsigned", ch.SecretEnv)
		}
		h.Set(HeaderSignature, Sign([]byte(secret), m.Body))
	}
	return s.post(ctx, ch.URL, h, m.Body)
}

// post sends body and reads the answer: 2xx is sent; 408, 425, 429 and 5xx are
// tried again (after Retry-After when given); other answers are permanent.
func (s *Sender) post(ctx context.Context, target string, h http.Header, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return &Error{Err: err, Permanent: true}
	}
	req.Header = h
	if s.UserAgent != "" {
		req.Header.Set("User-Agent", s.UserAgent)
	}
	client := s.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // its text has the whole URL, and a Slack URL's path is a secret
			return fmt.Errorf("POST %s: %w", hostOf(target), ue.Err)
		}
		return err
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // so the connection is reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	msg := strings.TrimSpace(string(text))
	if msg != "" {
		msg = ": " + oneLine(msg, 200)
	}
	e := &Error{Err: fmt.Errorf("%s answered %s%s", hostOf(target), resp.Status, msg)}
	switch c := resp.StatusCode; {
	case c == http.StatusRequestTimeout, c == http.StatusTooEarly, c == http.StatusTooManyRequests, c >= 500:
		if secs, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && secs > 0 {
			e.RetryAfter = time.Duration(secs) * time.Second
		}
	default:
		e.Permanent = true
	}
	return e
}

// hostOf names a URL's host for messages, never its path (Slack's carries a secret).
func hostOf(u string) string {
	rest := u
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
