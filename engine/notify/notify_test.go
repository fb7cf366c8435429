package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ferry/engine/notify"
	"ferry/internal/testsmtp"
	"ferry/models"
)

// These tests send over real parts: an HTTP server on the loopback address, an SMTP
// server (go-smtp) with STARTTLS and a login, and /bin/sh.

func testMessage(t *testing.T, to ...notify.Recipient) notify.Message {
	t.Helper()
	ev := notify.Event{Type: "failed", Key: "failed:d12", At: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC),
		Summary: "#12 payments-api 4.12.0 → production failed", Text: "step 3 \"Roll out\" failed: exit 1\n\nMore: ferry deploy show 12",
		Actor: "sam", Environment: "production", Deployment: &notify.Deployment{ID: 12, Component: "payments-api", Status: "failed"}}
	m, err := notify.NewMessage(ev, "0123456789abcdef0123456789abcdef", "ops", to, "")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type request struct {
	header http.Header
	body   []byte
}

// hookServer records every request; answer decides the reply (default 200).
type hookServer struct {
	*httptest.Server
	mu     sync.Mutex
	got    []request
	answer func(n int, w http.ResponseWriter) bool // true: it answered
}

func newHookServer(t *testing.T) *hookServer {
	h := &hookServer{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, request{r.Header.Clone(), body})
		n, answer := len(h.got), h.answer
		h.mu.Unlock()
		if answer != nil && answer(n, w) {
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) requests() []request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]request(nil), h.got...)
}

func TestWebhookIsSignedAndKeyed(t *testing.T) {
	srv := newHookServer(t)
	s := notify.NewSender("ferry/test")
	s.Getenv = func(k string) string { return map[string]string{"HOOK_SECRET": "sesame"}[k] }
	ch := models.Channel{Name: "ops", Type: models.ChannelWebhook, URL: srv.URL + "/ferry", SecretEnv: "HOOK_SECRET", Timeout: 5 * time.Second}
	m := testMessage(t, notify.Recipient{Name: "ana", Email: "ana@example.org"})
	if err := s.Send(context.Background(), ch, m); err != nil {
		t.Fatal(err)
	}
	got := srv.requests()
	if len(got) != 1 {
		t.Fatalf("%d requests", len(got))
	}
	r := got[0]
	if !notify.Verify([]byte("sesame"), r.body, r.header.Get(notify.HeaderSignature)) {
		t.Errorf("signature %q does not verify", r.header.Get(notify.HeaderSignature))
	}
	if notify.Verify([]byte("wrong"), r.body, r.header.Get(notify.HeaderSignature)) {
		t.Errorf("a wrong secret verifies")
	}
	if r.header.Get(notify.HeaderIdempotency) != m.Event.ID || r.header.Get(notify.HeaderEvent) != "failed" ||
		r.header.Get("Content-Type") != "application/json" || r.header.Get("User-Agent") != "ferry/test" {
		t.Errorf("headers: %v", r.header)
	}
	var ev map[string]any
	if err := json.Unmarshal(r.body, &ev); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "event", "key", "at", "summary", "text", "actor", "environment", "deployment", "channel", "recipients"} {
		if _, ok := ev[k]; !ok {
			t.Errorf("the event has no %q: %s", k, r.body)
		}
	}
	if ev["id"] != m.Event.ID || ev["channel"] != "ops" || ev["recipients"].([]any)[0].(map[string]any)["email"] != "ana@example.org" {
		t.Errorf("event: %s", r.body)
	}

	// No secret in the environment: nothing is sent unsigned.
	s.Getenv = func(string) string { return "" }
	err := s.Send(context.Background(), ch, m)
	if err == nil || !strings.Contains(err.Error(), "HOOK_SECRET is not set") || notify.IsPermanent(err) {
		t.Errorf("without the secret: %v", err)
	}
	if len(srv.requests()) != 1 {
		t.Errorf("a webhook went out unsigned")
	}
}

func TestWebhookAnswers(t *testing.T) {
	srv := newHookServer(t)
	s := notify.NewSender("ferry/test")
	ch := models.Channel{Name: "ops", Type: models.ChannelWebhook, URL: srv.URL + "/secret-path", Timeout: 300 * time.Millisecond}
	m := testMessage(t)
	cases := []struct {
		answer    func(w http.ResponseWriter)
		permanent bool
		after     time.Duration
	}{
		{func(w http.ResponseWriter) { w.Header().Set("Retry-After", "7"); w.WriteHeader(503) }, false, 7 * time.Second},
		{func(w http.ResponseWriter) { w.WriteHeader(429) }, false, 0},
		{func(w http.ResponseWriter) { w.WriteHeader(400); io.WriteString(w, "bad payload") }, true, 0},
		{func(w http.ResponseWriter) { w.WriteHeader(404) }, true, 0},
		{func(w http.ResponseWriter) { time.Sleep(time.Second) }, false, 0}, // past the timeout
	}
	for i, c := range cases {
		srv.mu.Lock()
		srv.answer = func(_ int, w http.ResponseWriter) bool { c.answer(w); return true }
		srv.mu.Unlock()
		err := s.Send(context.Background(), ch, m)
		if err == nil || notify.IsPermanent(err) != c.permanent || notify.RetryAfter(err) != c.after {
			t.Errorf("case %d: %v (permanent %v, retry after %s)", i, err, notify.IsPermanent(err), notify.RetryAfter(err))
		}
		if err != nil && strings.Contains(err.Error(), "secret-path") {
			t.Errorf("case %d: the error shows the URL's path: %v", i, err)
		}
	}
}

func TestSlackMessageFormat(t *testing.T) {
	srv := newHookServer(t)
	s := notify.NewSender("ferry/test")
	ch := models.Channel{Name: "chat", Type: models.ChannelSlack, URL: srv.URL + "/services/T/B/X", Timeout: 5 * time.Second}
	m := testMessage(t, notify.Recipient{Name: "ana", Slack: "U024BE7LH"}, notify.Recipient{Name: "bob", Slack: "@bob"},
		notify.Recipient{Name: "cy"})
	m.Event.Summary = "#12 a<b> & c failed"
	if err := s.Send(context.Background(), ch, m); err != nil {
		t.Fatal(err)
	}
	got := srv.requests()[0]
	var msg struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text struct {
				Type, Text string
			} `json:"text"`
			Elements []struct{ Type, Text string } `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(got.body, &msg); err != nil {
		t.Fatalf("%v: %s", err, got.body)
	}
	if msg.Text != "#12 a&lt;b&gt; &amp; c failed" {
		t.Errorf("text (the notification's fallback) is %q", msg.Text)
	}
	if len(msg.Blocks) != 3 || msg.Blocks[0].Type != "section" || msg.Blocks[0].Text.Type != "mrkdwn" || msg.Blocks[2].Type != "context" {
		t.Fatalf("blocks: %s", got.body)
	}
	if want := "<@U024BE7LH> @bob cy *#12 a&lt;b&gt; &amp; c failed*"; msg.Blocks[0].Text.Text != want {
		t.Errorf("title %q, want %q", msg.Blocks[0].Text.Text, want)
	}
	if !strings.Contains(msg.Blocks[1].Text.Text, "Roll out") || !strings.Contains(msg.Blocks[2].Elements[0].Text, m.Event.ID) {
		t.Errorf("body or context: %s", got.body)
	}
	if got.header.Get(notify.HeaderIdempotency) != m.Event.ID {
		t.Errorf("no idempotency key")
	}
}

func mailChannel(srv *testsmtp.Server) models.Channel {
	return models.Channel{Name: "mail", Type: models.ChannelEmail, SMTP: srv.Addr, From: "ferry@example.org",
		UserEnv: "SMTP_USER", PasswordEnv: "SMTP_PASSWORD", TLS: models.TLSStartTLS, CAFile: srv.CAFile, Timeout: 10 * time.Second}
}

func TestEmailOverStartTLS(t *testing.T) {
	srv := testsmtp.Start(t)
	s := notify.NewSender("ferry/test")
	env := map[string]string{"SMTP_USER": srv.User, "SMTP_PASSWORD": srv.Pass}
	s.Getenv = func(k string) string { return env[k] }
	ch := mailChannel(srv)
	m := testMessage(t, notify.Recipient{Name: "ana", Email: "ana@example.org"})
	m.Address = "ana@example.org"
	if err := s.Send(context.Background(), ch, m); err != nil {
		t.Fatal(err)
	}
	mails := srv.Mails()
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	got := mails[0]
	if !got.TLS || got.User != "ferry" || got.From != "ferry@example.org" || len(got.To) != 1 || got.To[0] != "ana@example.org" {
		t.Errorf("envelope: TLS %v, user %q, from %q, to %v", got.TLS, got.User, got.From, got.To)
	}
	h := got.Message.Header
	for k, want := range map[string]string{
		"Subject":                    "[Ferry] #12 payments-api 4.12.0 → production failed",
		"From":                       "<ferry@example.org>",
		"To":                         "<ana@example.org>",
		"Message-Id":                 "<" + notify.MessageID(m.Event.ID) + ">",
		notify.MailHeaderIdempotency: m.Event.ID,
		notify.MailHeaderEvent:       "failed",
		"Content-Type":               "text/plain; charset=UTF-8",
		"Content-Transfer-Encoding":  "quoted-printable",
		"Date":                       "Thu, 26 Nov 2026 09:00:00 +0000",
		"User-Agent":                 "ferry/test",
	} {
		v := h.Get(k)
		if k == "Subject" {
			v, _ = (&mimeDecoder).DecodeHeader(v)
		}
		if v != want {
			t.Errorf("%s: %q, want %q", k, v, want)
		}
	}
	body := decodeQP(t, got.Body)
	for _, part := range []string{"#12 payments-api 4.12.0 → production failed", `step 3 "Roll out" failed: exit 1`,
		"ferry deploy show 12", "message " + m.Event.ID} {
		if !strings.Contains(body, part) {
			t.Errorf("body lacks %q:\n%s", part, body)
		}
	}

	// A recipient the server refuses is a permanent failure; a wrong password is not.
	srv.Reject("zed@example.org")
	m.Address = "zed@example.org"
	if err := s.Send(context.Background(), ch, m); err == nil || !notify.IsPermanent(err) {
		t.Errorf("refused recipient: %v (permanent %v)", err, notify.IsPermanent(err))
	}
	env["SMTP_PASSWORD"] = "wrong"
	m.Address = "ana@example.org"
	if err := s.Send(context.Background(), ch, m); err == nil || notify.IsPermanent(err) {
		t.Errorf("wrong password: %v (permanent %v)", err, notify.IsPermanent(err))
	}
	// Without the CA, the server's certificate is not trusted: STARTTLS is required, so nothing goes out.
	env["SMTP_PASSWORD"] = srv.Pass
	ch.CAFile = ""
	if err := s.Send(context.Background(), ch, m); err == nil {
		t.Errorf("sent to a server whose certificate nobody trusts")
	}
	if n := len(srv.Mails()); n != 1 {
		t.Errorf("%d mails; only the first should have arrived", n)
	}
}

func TestCommandGetsTheEventOnStdin(t *testing.T) {
	dir := t.TempDir()
	s := notify.NewSender("ferry/test")
	ch := models.Channel{Name: "log", Type: models.ChannelCommand, Dir: dir, Timeout: 5 * time.Second,
		Run: `cat > event.json && printf '%s %s %s' "$FERRY_NOTIFY_ID" "$FERRY_NOTIFY_EVENT" "$FERRY_NOTIFY_CHANNEL" > env.txt`}
	m := testMessage(t, notify.Recipient{Name: "ana"})
	if err := s.Send(context.Background(), ch, m); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "event.json"))
	if err != nil || string(got) != strings.TrimRight(string(m.Body), "\n")+"\n" || strings.Count(string(got), "\n") != 1 {
		t.Errorf("stdin: %q (%v), want %q and one newline", got, err, m.Body)
	}
	env, _ := os.ReadFile(filepath.Join(dir, "env.txt"))
	if want := m.Event.ID + " failed log"; string(env) != want {
		t.Errorf("environment %q, want %q", env, want)
	}

	ch.Run = "echo the pager is down >&2; exit 3"
	err = s.Send(context.Background(), ch, m)
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "the pager is down") || notify.IsPermanent(err) {
		t.Errorf("failing command: %v", err)
	}
	ch.Run, ch.Timeout = "sleep 30", 200*time.Millisecond
	began := time.Now()
	err = s.Send(context.Background(), ch, m)
	if err == nil || !strings.Contains(err.Error(), "did not finish within 200ms") || time.Since(began) > 5*time.Second {
		t.Errorf("slow command: %v after %s", err, time.Since(began))
	}
}
