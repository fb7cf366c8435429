package notify

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	mail "github.com/wneessen/go-mail"

	"ferry/models"
)

// Mail headers besides the usual ones.
const (
	MailHeaderEvent       = "X-Ferry-Event"
	MailHeaderIdempotency = "X-Ferry-Idempotency-Key"
)

// MessageID is a mail's Message-ID for message id: the same on every try, so a
// mail system can drop a repeat.
func MessageID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:16]) + "@ferry"
}

// MailBody is the plain text of a mail for m.
func MailBody(m Message) string {
	ev := m.Event
	var b strings.Builder
	b.WriteString(ev.Summary)
	b.WriteString("\n")
	if text := strings.TrimSpace(ev.Text); text != "" {
		b.WriteString("\n")
		b.WriteString(text)
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\n-- \nFerry · %s · message %s\n", ev.Type, ev.ID)
	return b.String()
}

// MailSubject is the subject of a mail for m.
func MailSubject(m Message) string { return "[Ferry] " + m.Event.Summary }

func (s *Sender) email(ctx context.Context, ch models.Channel, m Message) error {
	if m.Address == "" {
		return &Error{Err: errors.New("no address to send to"), Permanent: true}
	}
	host, portText, err := net.SplitHostPort(ch.SMTP)
	if err != nil {
		return &Error{Err: fmt.Errorf("smtp %q: %w", ch.SMTP, err), Permanent: true}
	}
	port, _ := strconv.Atoi(portText)
	msg := mail.NewMsg()
	if err := msg.From(ch.From); err != nil {
		return &Error{Err: fmt.Errorf("from %q: %w", ch.From, err), Permanent: true}
	}
	if err := msg.To(m.Address); err != nil {
		return &Error{Err: fmt.Errorf("to %q: %w", m.Address, err), Permanent: true}
	}
	msg.Subject(MailSubject(m))
	msg.SetMessageIDWithValue(MessageID(m.Event.ID))
	msg.SetDateWithValue(m.Event.At)
	msg.SetGenHeader(mail.Header(MailHeaderEvent), m.Event.Type)
	msg.SetGenHeader(mail.Header(MailHeaderIdempotency), m.Event.ID)
	if s.UserAgent != "" {
		msg.SetUserAgent(s.UserAgent)
	}
	msg.SetBodyString(mail.TypeTextPlain, MailBody(m))

	tlsCfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if ch.CAFile != "" {
		pem, err := os.ReadFile(ch.CAFile)
		if err != nil {
			return fmt.Errorf("ca_file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("ca_file %s holds no PEM certificate", ch.CAFile)
		}
		tlsCfg.RootCAs = pool
	}
	opts := []mail.Option{mail.WithTimeout(ch.Timeout), mail.WithTLSConfig(tlsCfg)}
	switch ch.TLS {
	case models.TLSImplicit:
		opts = append(opts, mail.WithSSL())
	case models.TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if ch.UserEnv != "" {
		user, pass := s.getenv(ch.UserEnv), s.getenv(ch.PasswordEnv)
		if user == "" || pass == "" {
			return fmt.Errorf("%s and %s must be set in ferry's environment to log in to %s", ch.UserEnv, ch.PasswordEnv, ch.SMTP)
		}
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(user), mail.WithPassword(pass))
	}
	opts = append(opts, mail.WithPort(port))
	client, err := mail.NewClient(host, opts...)
	if err != nil {
		return &Error{Err: err, Permanent: true}
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		var se *mail.SendError
		if errors.As(err, &se) && se.Reason == mail.ErrSMTPRcptTo && !se.IsTemp() && se.ErrorCode() >= 500 {
			return &Error{Err: err, Permanent: true} // the server does not take this recipient
		}
		return err
	}
	return nil
}
