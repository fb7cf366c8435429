package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ferry/engine/config"
	"ferry/engine/notify"
	"ferry/internal/testsmtp"
	"ferry/models"
	"ferry/store"
)

// Notifications end to end, on real parts: the engine writes the outbox in the acts'
// transactions, the deliverer sends to an HTTP server on the loopback address
// (webhook and Slack), an SMTP server with STARTTLS and a login, and a command.

const hookSecret = "open sesame"

// hook is a local HTTP server that records what it receives; answer decides the
// reply (nil: 200).
type hook struct {
	*httptest.Server
	mu     sync.Mutex
	got    []hookRequest
	answer func(path string, n int) int
	hold   chan struct{} // when set, a request waits until it is closed
}

type hookRequest struct {
	path   string
	header http.Header
	body   []byte
}

func newHook(t testing.TB) *hook {
	h := &hook{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		hold := h.hold
		h.got = append(h.got, hookRequest{r.URL.Path, r.Header.Clone(), body})
		n, answer := len(h.got), h.answer
		h.mu.Unlock()
		if hold != nil {
			<-hold
		}
		code := http.StatusOK
		if answer != nil {
			code = answer(r.URL.Path, n)
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hook) requests(path string) []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hookRequest
	for _, r := range h.got {
		if r.path == path {
			out = append(out, r)
		}
	}
	return out
}

func (h *hook) setAnswer(fn func(path string, n int) int) {
	h.mu.Lock()
	h.answer = fn
	h.mu.Unlock()
}

const notifyConfig = `
[ferry]
timezone = "Europe/Berlin"
start_tolerance = "168h"

[[environment]]
name = "test"
order = 1
capacity = 2

[[environment]]
name = "production"
order = 2
capacity = 1
  [[environment.freeze]]
  name = "year end"
  from = "2026-12-19 00:00"
  to = "2027-01-04 00:00"

[[person]]
name = "ana"
roles = ["manager"]
email = "ana@example.org"
slack = "U0ANA1"

[[person]]
name = "marc"
roles = ["manager"]
email = "marc@example.org"

[[person]]
name = "sam"
roles = ["practitioner"]
email = "sam@example.org"
slack = "@sam"

[[person]]
name = "tom"
roles = ["technician"]

[[service]]
name = "payments"
  [[service.component]]
  name = "payments-api"
  kind = "software"
  [[service.component]]
  name = "payments-web"
  kind = "software"

[[model]]
name = "web"
kinds = ["software"]
path = ["production"]
default_duration = "45m"
  [[model.step]]
  stage = "verify_components"
  name = "Release notes read"
  [[model.step]]
  stage = "execute"
  name = "Production approval"
  gate = true
  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "printf '%s %s' \"$FERRY_REQUESTER\" \"$FERRY_ASSIGNEE\" > who.txt"

[[model]]
name = "quick"
kinds = ["software"]
path = ["test"]
default_duration = "30m"
  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "true"

[[notify.channel]]
name = "hook"
type = "webhook"
url = "{{HOOK}}/hook"
secret_env = "FERRY_TEST_HOOK_SECRET"

[[notify.channel]]
name = "chat"
type = "slack"
url = "{{HOOK}}/slack"

[[notify.channel]]
name = "mail"
type = "email"
smtp = "{{SMTP}}"
from = "ferry@example.org"
user_env = "FERRY_TEST_SMTP_USER"
password_env = "FERRY_TEST_SMTP_PASSWORD"
ca_file = "{{CA}}"

[[notify.channel]]
name = "log"
type = "command"
run = "cat >> events.jsonl"

[[notify.rule]]
events = ["planned", "rescheduled", "conflict_new", "gate_waiting", "blocked", "started", "failed", "rolled_back",
  "succeeded", "cancelled", "overdue", "overrun", "freeze_ahead", "incident_opened"]
channel = "hook"
to = ["requester", "assignee"]

[[notify.rule]]
events = ["gate_waiting", "failed"]
environments = ["production"]
channel = "mail"
to = ["requester", "role:manager"]

[[notify.rule]]
events = ["gate_waiting"]
channel = "chat"
to = ["role:manager"]

[[notify.rule]]
events = ["planned", "succeeded"]
channel = "log"
`

type notifyFixture struct {
	*fixture
	dir  string
	hook *hook
	smtp *testsmtp.Server
	env  map[string]string
}

// newNotifyFixture starts the servers and opens an engine on a fresh database whose
// config (notifyConfig with rules replaced, when rules is not "") points at them.
func newNotifyFixture(t testing.TB, rules string) *notifyFixture {
	t.Helper()
	h := newHook(t)
	smtp := testsmtp.Start(t)
	text := notifyConfig
	if rules != "" {
		text = text[:strings.Index(text, "[[notify.rule]]")] + rules
	}
	text = strings.NewReplacer("{{HOOK}}", h.URL, "{{SMTP}}", smtp.Addr, "{{CA}}", smtp.CAFile).Replace(text)
	dir := t.TempDir()
	path := filepath.Join(dir, "ferry.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), emptyDB.CopyTo(t, filepath.Join(dir, "ferry.db")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{now: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), ctx: context.Background()}
	f.e, err = New(f.ctx, st, cfg, WithClock(func() time.Time { return f.now }))
	if err != nil {
		t.Fatal(err)
	}
	return &notifyFixture{fixture: f, dir: dir, hook: h, smtp: smtp, env: map[string]string{
		"FERRY_TEST_HOOK_SECRET": hookSecret, "FERRY_TEST_SMTP_USER": smtp.User, "FERRY_TEST_SMTP_PASSWORD": smtp.Pass}}
}

func (f *notifyFixture) opts() DeliverOptions {
	s := notify.NewSender("ferry/test")
	s.Getenv = func(k string) string { return f.env[k] }
	return DeliverOptions{Sender: s, Backoff: 20 * time.Millisecond}
}

func (f *notifyFixture) deliver(t testing.TB) DeliverStats {
	t.Helper()
	st, err := f.e.Deliver(f.ctx, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (f *notifyFixture) outbox(t testing.TB, channel string) []store.OutboxMessage {
	t.Helper()
	if err := f.e.spreadNotices(f.ctx); err != nil {
		t.Fatal(err)
	}
	ms, err := f.e.st.Read().Outbox(f.ctx, channel)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// scan raises the notices time makes, as the deliverer's scan does, and says how many.
func (f *notifyFixture) scan(t testing.TB) int {
	t.Helper()
	n, err := f.e.ScanNotices(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// events lists the event types of a channel's messages, oldest first.
func (f *notifyFixture) events(t testing.TB, channel string) []string {
	t.Helper()
	var out []string
	for _, m := range f.outbox(t, channel) {
		out = append(out, m.Event)
	}
	return out
}

func (f *notifyFixture) planProd(t testing.TB, start time.Time, edit ...func(*PlanRequest)) models.Deployment {
	t.Helper()
	r := PlanRequest{Model: "web", Component: "payments-api", Version: "4.12.0", Environment: "production",
		Start: start, Assignee: "sam", Requester: "ana", ChangeRef: "CHG-7"}
	for _, fn := range edit {
		fn(&r)
	}
	return f.fixture.plan(t.(*testing.T), r)
}

func TestNotifyTellsTheLifecycle(t *testing.T) {
	f := newNotifyFixture(t, "")
	ana, sam, marc := f.person(t, "ana"), f.person(t, "sam"), f.person(t, "marc")
	d := f.planProd(t, f.now.Add(24*time.Hour))
	opts := RunOptions{Timing: fastTiming}
	if res, err := f.e.Run(f.ctx, sam, d.ID, opts); err != nil || res.Waiting == nil || res.Waiting.Kind != WaitTick {
		t.Fatalf("run: %+v %v", res, err)
	}
	if res, err := f.e.TickStep(f.ctx, sam, d.ID, 1, "", opts); err != nil || res.Waiting == nil || res.Waiting.Kind != WaitApproval {
		t.Fatalf("tick: %+v %v", res, err)
	}
	if res, err := f.e.ApproveGate(f.ctx, marc, d.ID, "go", opts); err != nil || res.Deployment.Status != models.StatusSucceeded {
		t.Fatalf("approve: %+v %v", res, err)
	}
	if who, _ := os.ReadFile(filepath.Join(f.dir, "who.txt")); string(who) != "ana sam" {
		t.Errorf("FERRY_REQUESTER and FERRY_ASSIGNEE: %q", who)
	}

	// The outbox, written in the acts' transactions.
	if got, want := f.events(t, "hook"), []string{"planned", "started", "gate_waiting", "succeeded"}; !slices.Equal(got, want) {
		t.Errorf("hook: %v, want %v", got, want)
	}
	if got := f.events(t, "log"); !slices.Equal(got, []string{"planned", "succeeded"}) {
		t.Errorf("log: %v", got)
	}
	mail := f.outbox(t, "mail")
	if len(mail) != 2 || mail[0].Address != "ana@example.org" || mail[1].Address != "marc@example.org" {
		t.Fatalf("mail: requester ana (also a manager, told once) and marc, got %+v", mail)
	}
	for _, m := range f.outbox(t, "") {
		if m.Status != models.OutboxPending {
			t.Errorf("message %d is %s before any delivery", m.ID, m.Status)
		}
	}

	st := f.deliver(t)
	if st.Sent != 9 || st.Retried != 0 || st.Dead != 0 {
		t.Fatalf("deliver: %+v", st)
	}
	// Webhook: signed, keyed, the documented JSON.
	hooks := f.hook.requests("/hook")
	keys := map[string]bool{}
	for _, m := range f.outbox(t, "hook") {
		keys[MessageKey(m.EventKey, m.Channel, m.Recipient)] = true
	}
	var types []string
	for _, r := range hooks {
		if !notify.Verify([]byte(hookSecret), r.body, r.header.Get(notify.HeaderSignature)) {
			t.Errorf("signature does not verify: %s", r.body)
		}
		var ev notify.Event
		if err := json.Unmarshal(r.body, &ev); err != nil {
			t.Fatal(err)
		}
		if !keys[ev.ID] || r.header.Get(notify.HeaderIdempotency) != ev.ID {
			t.Errorf("idempotency key %q / %q is not the outbox's", ev.ID, r.header.Get(notify.HeaderIdempotency))
		}
		if ev.Deployment == nil || ev.Deployment.ID != d.ID || ev.Environment != "production" || ev.Channel != "hook" ||
			len(ev.Recipients) != 2 || ev.Recipients[0].Name != "ana" || ev.Recipients[1].Name != "sam" {
			t.Errorf("event: %s", r.body)
		}
		if ev.Type == "gate_waiting" && (ev.Step == nil || ev.Step.Name != "Production approval" ||
			!slices.Equal(ev.Step.Approvers, []string{"marc"}) || !strings.Contains(ev.Text, "ferry gate approve")) {
			t.Errorf("gate_waiting: %s", r.body)
		}
		if ev.Type == "succeeded" && (ev.Deployment.Status != "succeeded" || ev.Deployment.FinishedAt == nil) {
			t.Errorf("succeeded: %s", r.body)
		}
		types = append(types, ev.Type)
	}
	slices.Sort(types)
	if !slices.Equal(types, []string{"gate_waiting", "planned", "started", "succeeded"}) {
		t.Errorf("webhooks: %v", types)
	}
	// Slack: the managers mentioned.
	if sl := f.hook.requests("/slack"); len(sl) != 1 || !strings.Contains(string(sl[0].body), "\\u003c@U0ANA1\\u003e marc *#") {
		t.Errorf("slack: %v", sl)
	}
	// Mail: over STARTTLS with the login, one per person.
	mails := f.smtp.Mails()
	if len(mails) != 2 {
		t.Fatalf("%d mails", len(mails))
	}
	var to []string
	for _, m := range mails {
		to = append(to, m.To...)
		if !m.TLS || m.User != f.smtp.User || !strings.Contains(m.Message.Header.Get("Subject"), "approval") && !strings.Contains(m.Message.Header.Get("Subject"), "=?") {
			t.Errorf("mail: TLS %v user %q subject %q", m.TLS, m.User, m.Message.Header.Get("Subject"))
		}
		if m.Message.Header.Get(notify.MailHeaderIdempotency) == "" {
			t.Errorf("mail without its idempotency key")
		}
	}
	slices.Sort(to)
	if !slices.Equal(to, []string{"ana@example.org", "marc@example.org"}) {
		t.Errorf("mailed %v", to)
	}
	// Command: what it got on stdin.
	data, _ := os.ReadFile(filepath.Join(f.dir, "events.jsonl"))
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"event":"planned"`) || !strings.Contains(lines[1], `"event":"succeeded"`) {
		t.Errorf("command got:\n%s", data)
	}
	// Nothing is sent twice.
	if st := f.deliver(t); st != (DeliverStats{}) {
		t.Errorf("second delivery: %+v", st)
	}
	status, err := f.e.NotifyStatus(f.ctx, ana)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range status {
		if s.Pending != 0 || s.Dead != 0 || s.Failing || s.Sent == 0 {
			t.Errorf("status %+v", s)
		}
	}
	if _, err := f.e.NotifyStatus(f.ctx, sam); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a practitioner sees the channels: %v", err)
	}
}

func TestNotifyConflictsReschedulesBlocksIncidentsAndEnds(t *testing.T) {
	f := newNotifyFixture(t, "")
	ana, sam := f.person(t, "ana"), f.person(t, "sam")
	start := f.now.Add(48 * time.Hour)
	a := f.planProd(t, start)
	b := f.planProd(t, start.Add(10*time.Minute), func(r *PlanRequest) {
		r.Component, r.Requester, r.Assignee = "payments-web", "marc", "tom"
	})
	var conflict notify.Event
	for _, m := range f.outbox(t, "hook") {
		if m.Event == models.NotifyConflictNew {
			if err := json.Unmarshal(m.Payload, &conflict); err != nil {
				t.Fatal(err)
			}
			if m.Recipient != "marc,ana,tom,sam" {
				t.Errorf("a conflict is told to the people of every deployment in it, got %q", m.Recipient)
			}
		}
	}
	if conflict.Conflict == nil || conflict.Conflict.Kind != "capacity" || !slices.Equal(conflict.Conflict.DeploymentIDs, []int64{a.ID, b.ID}) {
		t.Fatalf("conflict_new: %+v", conflict)
	}
	// Assigning again keeps the same conflict: told once.
	if _, err := f.e.Assign(f.ctx, ana, b.ID, "sam"); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(strings.Join(f.events(t, "hook"), " "), "conflict_new"); n != 2 {
		// capacity, then the person conflict the assignment made (sam on both)
		t.Errorf("conflict_new told %d times: %v", n, f.events(t, "hook"))
	}
	if _, err := f.e.Reschedule(f.ctx, ana, b.ID, start.Add(3*time.Hour), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Run(f.ctx, sam, a.ID, RunOptions{Timing: fastTiming}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.BlockStep(f.ctx, sam, a.ID, 1, "release notes missing"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.AddIncident(f.ctx, ana, a.ID, f.now, time.Time{}, "checkout slow"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Fail(f.ctx, ana, a.ID, "gave up", false, RunOptions{Timing: fastTiming}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Cancel(f.ctx, ana, b.ID, "not needed"); err != nil {
		t.Fatal(err)
	}
	want := []string{"planned", "planned", "conflict_new", "conflict_new", "rescheduled", "started", "blocked",
		"incident_opened", "failed", "cancelled"}
	if got := f.events(t, "hook"); !slices.Equal(got, want) {
		t.Errorf("hook:\n got %v\nwant %v", got, want)
	}
	// A failure in production is mailed to the requester and the managers.
	var mailed []string
	for _, m := range f.outbox(t, "mail") {
		mailed = append(mailed, m.Event+":"+m.Recipient)
	}
	if !slices.Equal(mailed, []string{"failed:ana", "failed:marc"}) {
		t.Errorf("mail: %v", mailed)
	}
	if st := f.deliver(t); st.Sent != 14 || st.Dead != 0 { // hook 10, mail 2, log 2
		t.Errorf("deliver: %+v", st)
	}
}

func TestOutboxIsWrittenInTheActsTransaction(t *testing.T) {
	f := newNotifyFixture(t, "")
	d := f.planProd(t, f.now.Add(24*time.Hour))
	n := len(f.outbox(t, ""))
	// A transaction that fails after raising leaves no message behind.
	err := f.e.st.Write(f.ctx, func(q store.Q) error {
		if err := f.e.noticeStatus(f.ctx, q, f.person(t, "ana"), d, models.StatusPlanned, ""); err != nil {
			return err
		}
		after := d
		after.Status = models.StatusCancelled
		if err := f.e.noticeStatus(f.ctx, q, f.person(t, "ana"), after, models.StatusPlanned, "x"); err != nil {
			return err
		}
		return errors.New("the act failed")
	})
	if err == nil || len(f.outbox(t, "")) != n {
		t.Errorf("a rolled back act left messages: %d → %d", n, len(f.outbox(t, "")))
	}
	// A refused act writes nothing either.
	if _, err := f.e.Cancel(f.ctx, f.person(t, "tom"), d.ID, "no"); err == nil || len(f.outbox(t, "")) != n {
		t.Errorf("refused cancel: %v, %d messages", err, len(f.outbox(t, "")))
	}
}

func TestDeliveryRetriesWithBackoffThenDies(t *testing.T) {
	f := newNotifyFixture(t, `
[[notify.rule]]
events = ["planned"]
channel = "hook"
to = ["requester"]
`)
	ana, sam := f.person(t, "ana"), f.person(t, "sam")
	f.hook.setAnswer(func(_ string, n int) int {
		if n <= 2 {
			return 500
		}
		return 200
	})
	f.planProd(t, f.now.Add(24*time.Hour))
	if st := f.deliver(t); st.Retried != 1 {
		t.Fatalf("first try: %+v", st)
	}
	m := f.outbox(t, "hook")[0]
	if m.Status != models.OutboxPending || m.Attempts != 1 || !strings.Contains(m.LastError, "500") {
		t.Fatalf("after one failure: %+v", m)
	}
	first := m.NextAt.Sub(time.Now())
	if first > 25*time.Millisecond {
		t.Errorf("first retry in %s, want about 20ms", first)
	}
	if st := f.deliver(t); st != (DeliverStats{}) && time.Now().Before(m.NextAt) {
		t.Errorf("a message was tried before its retry was due: %+v", st)
	}
	waitUntil(m.NextAt)
	f.deliver(t)
	m2 := f.outbox(t, "hook")[0]
	if m2.Attempts != 2 || m2.Status != models.OutboxPending {
		t.Fatalf("after two failures: %+v", m2)
	}
	if gap := m2.NextAt.Sub(m2.NextAt.Add(-time.Hour)); gap <= 0 {
		t.Fatal("impossible")
	}
	waitUntil(m2.NextAt)
	if st := f.deliver(t); st.Sent != 1 {
		t.Fatalf("third try: %+v", st)
	}
	if got := f.hook.requests("/hook"); len(got) != 3 || got[0].header.Get(notify.HeaderIdempotency) != got[2].header.Get(notify.HeaderIdempotency) {
		t.Errorf("three tries with one key: %d requests", len(got))
	}

	// A channel that keeps failing: dead after max_age, with its last error, and in the managers' Needs you.
	f.hook.setAnswer(func(string, int) int { return 502 })
	f.e.cfg.Notify.Channels[0].MaxAge = 60 * time.Millisecond
	f.planProd(t, f.now.Add(48*time.Hour), func(r *PlanRequest) { r.Component = "payments-web" })
	for i := 0; i < 10; i++ {
		f.deliver(t)
		ms := f.outbox(t, "hook")
		if last := ms[len(ms)-1]; last.Status == models.OutboxDead {
			if !strings.Contains(last.LastError, "gave up after") || !strings.Contains(last.LastError, "502") {
				t.Errorf("dead with %q", last.LastError)
			}
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	status, _ := f.e.NotifyStatus(f.ctx, ana)
	if s := status[0]; s.Channel != "hook" || s.Dead != 1 || s.Sent != 1 || !s.Failing || !strings.Contains(s.LastError, "502") {
		t.Fatalf("status: %+v", s)
	}
	inbox, err := f.e.Inbox(f.ctx, ana)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(inbox, func(it InboxItem) bool { return it.Kind == InboxChannel && it.Channel == "hook" }) {
		t.Errorf("the dead channel is not in ana's inbox: %+v", inbox)
	}
	if inbox, _ := f.e.Inbox(f.ctx, sam); slices.ContainsFunc(inbox, func(it InboxItem) bool { return it.Kind == InboxChannel }) {
		t.Errorf("a practitioner is told of channels")
	}
	// A refusal (4xx) is dead at once; a success afterwards clears the alarm.
	f.hook.setAnswer(func(string, int) int { return 400 })
	f.planProd(t, f.now.Add(72*time.Hour))
	if st := f.deliver(t); st.Dead != 1 || st.Retried != 0 {
		t.Errorf("a 400 is permanent: %+v", st)
	}
	f.hook.setAnswer(nil)
	if d, err := f.e.TestChannel(f.ctx, ana, "hook", "", f.opts().Sender); err != nil || d.Err != nil || d.Status != models.OutboxSent {
		t.Fatalf("test message: %+v %v", d, err)
	}
	if inbox, _ := f.e.Inbox(f.ctx, ana); slices.ContainsFunc(inbox, func(it InboxItem) bool { return it.Kind == InboxChannel }) {
		t.Errorf("the channel works again but still shows: %+v", inbox)
	}
}

func waitUntil(t time.Time) { time.Sleep(time.Until(t) + 2*time.Millisecond) }

func TestRetryWaitDoubles(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 5 * time.Second, 2: 10 * time.Second, 3: 20 * time.Second, 10: 15 * time.Minute, 40: 15 * time.Minute} {
		got := retryWait(5*time.Second, 15*time.Minute, n)
		if got < want*8/10 || got > want*12/10 {
			t.Errorf("try %d: wait %s, want %s ±20%%", n, got, want)
		}
	}
}

func TestTestChannel(t *testing.T) {
	f := newNotifyFixture(t, "")
	ana := f.person(t, "ana")
	for _, ch := range []string{"hook", "chat", "mail", "log"} {
		d, err := f.e.TestChannel(f.ctx, ana, ch, "", f.opts().Sender)
		if err != nil || d.Err != nil || d.Status != models.OutboxSent {
			t.Errorf("%s: %+v %v", ch, d, err)
		}
	}
	if m := f.smtp.Mails(); len(m) != 1 || m[0].To[0] != "ana@example.org" {
		t.Errorf("test mail: %+v", m)
	}
	if _, err := f.e.TestChannel(f.ctx, f.person(t, "tom"), "hook", "", nil); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a technician tests channels: %v", err)
	}
	if _, err := f.e.TestChannel(f.ctx, ana, "pager", "", nil); err == nil || !strings.Contains(err.Error(), "declared: hook, chat, mail, log") {
		t.Errorf("unknown channel: %v", err)
	}
	for ch, to := range map[string]string{"mail": "ops.example.org", "hook": "ops@example.org"} {
		if _, err := f.e.TestChannel(f.ctx, ana, ch, to, nil); !errors.Is(err, models.ErrInvalid) || !strings.HasPrefix(err.Error(), "--to: ") {
			t.Errorf("--to %s on %s: %v", to, ch, err)
		}
	}
	f.env["FERRY_TEST_SMTP_PASSWORD"] = "wrong"
	d, err := f.e.TestChannel(f.ctx, ana, "mail", "ops@example.org", f.opts().Sender)
	if err != nil || d.Err == nil || d.Status != models.OutboxDead {
		t.Errorf("a failing test is dead at once: %+v %v", d, err)
	}
}

func TestScanRaisesTimeNoticesOnce(t *testing.T) {
	f := newNotifyFixture(t, `
[[notify.rule]]
events = ["overdue", "overrun", "freeze_ahead"]
channel = "hook"
to = ["requester", "assignee", "person:marc"]
`)
	sam := f.person(t, "sam")
	late := f.planProd(t, f.now.Add(time.Hour))
	running := f.planProd(t, f.now.Add(3*time.Hour), func(r *PlanRequest) { r.Component, r.Model, r.Environment = "payments-web", "quick", "test" })
	frozen := f.planProd(t, f.local("2026-12-20 10:00"), func(r *PlanRequest) { r.Assignee = "tom" })
	scan := func() int { t.Helper(); return f.scan(t) }
	if n := scan(); n != 0 {
		t.Errorf("nothing is due yet, raised %d", n)
	}
	f.now = f.now.Add(time.Hour + 10*time.Minute) // within the adherence tolerance
	if n := scan(); n != 0 {
		t.Errorf("10 minutes late is within tolerance, raised %d", n)
	}
	f.now = f.now.Add(10 * time.Minute)
	if n := scan(); n != 1 {
		t.Fatalf("overdue: raised %d", n)
	}
	if n := scan(); n != 0 {
		t.Errorf("a rescan raised %d more", n)
	}
	if _, err := f.e.Start(f.ctx, sam, running.ID, ""); err != nil {
		t.Fatal(err)
	}
	f.now = running.ScheduledEnd.Add(time.Minute)
	if n := scan(); n != 1 { // the overrun; #late is still overdue, but that was told
		t.Errorf("overrun: raised %d", n)
	}
	f.now = f.local("2026-12-18 01:00")
	scan()
	if n := scan(); n != 0 {
		t.Errorf("a rescan raised %d more", n)
	}
	var got []string
	var freeze notify.Event
	for _, m := range f.outbox(t, "hook") {
		got = append(got, m.Event)
		if m.Event == models.NotifyFreezeAhead {
			if err := json.Unmarshal(m.Payload, &freeze); err != nil {
				t.Fatal(err)
			}
			if m.Recipient != "ana,tom,marc" {
				t.Errorf("freeze_ahead goes to the listed deployments' people and marc, got %q", m.Recipient)
			}
		}
	}
	if !slices.Equal(got, []string{"overdue", "overrun", "freeze_ahead"}) {
		t.Errorf("raised %v", got)
	}
	if freeze.Freeze == nil || freeze.Freeze.Name != "year end" || len(freeze.Deployments) != 1 || freeze.Deployments[0].ID != frozen.ID ||
		!strings.Contains(freeze.Summary, "1 planned inside it") || !strings.Contains(freeze.Detail, fmt.Sprintf("#%d", frozen.ID)) {
		t.Errorf("freeze_ahead: %+v", freeze)
	}
	_ = late
}

func TestSlowChannelHoldsUpNoAct(t *testing.T) {
	f := newNotifyFixture(t, "")
	hold := make(chan struct{})
	f.hook.mu.Lock()
	f.hook.hold = hold
	f.hook.mu.Unlock()
	d := f.planProd(t, f.now.Add(24*time.Hour))
	done := make(chan error, 1)
	go func() { _, err := f.e.Deliver(f.ctx, f.opts()); done <- err }()
	for len(f.hook.requests("/hook")) == 0 {
		time.Sleep(time.Millisecond)
	}
	// The webhook is stuck mid-request; the engine acts and writes as usual.
	began := time.Now()
	if _, err := f.e.Reschedule(f.ctx, f.person(t, "ana"), d.ID, f.now.Add(30*time.Hour), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Cancel(f.ctx, f.person(t, "ana"), d.ID, "changed our minds"); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > time.Second {
		t.Errorf("acts took %s while a channel hung", took)
	}
	close(hold)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestDeadDeliverersClaimsAreTakenOver(t *testing.T) {
	f := newNotifyFixture(t, `
[[notify.rule]]
events = ["planned"]
channel = "hook"
`)
	f.planProd(t, f.now.Add(24*time.Hour))
	// A process that claimed the message and died (kill -9) before sending it.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	h := newHolder()
	claim := strings.Join([]string{h.host, h.boot, fmt.Sprint(dead.Process.Pid), "x"}, "|")
	err := f.e.st.Write(f.ctx, func(q store.Q) error {
		ms, err := q.ClaimOutbox(f.ctx, store.Claim{Holder: claim, Now: time.Now(), Until: time.Now().Add(time.Hour), Limit: 10})
		if len(ms) != 1 {
			return fmt.Errorf("claimed %d", len(ms))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// A live holder's claim is respected …
	live := strings.Join([]string{h.host, h.boot, fmt.Sprint(os.Getppid()), "y"}, "|")
	if staleHolder(live) || !staleHolder(claim) {
		t.Fatalf("stale: live %v, dead %v", staleHolder(live), staleHolder(claim))
	}
	// … a dead one's is taken over at once.
	if st := f.deliver(t); st.Sent != 1 {
		t.Errorf("deliver: %+v", st)
	}
}

func TestTwoDeliverersSendEachMessageOnce(t *testing.T) {
	f := newNotifyFixture(t, `
[[notify.rule]]
events = ["planned"]
channel = "hook"
`)
	const n = 120
	for i := range n {
		f.planProd(t, f.now.Add(time.Duration(24+i)*time.Hour), func(r *PlanRequest) { r.Model, r.Environment, r.Version = "quick", "test", fmt.Sprint(i) })
	}
	other := (&runFixture{t: t, dir: f.dir, ctx: f.ctx, e: f.e}).open(f.e.cfg)
	var wg sync.WaitGroup
	for _, e := range []*Engine{f.e, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.Deliver(f.ctx, f.opts()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got := map[string]int{}
	for _, r := range f.hook.requests("/hook") {
		got[r.header.Get(notify.HeaderIdempotency)]++
	}
	if len(got) != n {
		t.Errorf("%d distinct messages arrived, want %d", len(got), n)
	}
	for k, c := range got {
		if c != 1 {
			t.Errorf("%s arrived %d times", k, c)
		}
	}
}

// A mail to several people where one has no address: that one's message is dead,
// the others' go. Each after the first without an address was marked dead too, so
// the managers never heard of a gate whose requester had no email.
func TestMailToOneWithoutAnAddressSparesTheOthers(t *testing.T) {
	f := newNotifyFixture(t, `
[[notify.rule]]
events = ["planned"]
channel = "mail"
to = ["assignee", "role:manager"]
`)
	f.planProd(t, f.now.Add(24*time.Hour), func(r *PlanRequest) { r.Assignee = "tom" }) // tom has no email
	got := map[string]string{}
	for _, m := range f.outbox(t, "mail") {
		got[m.Recipient] = string(m.Status) + " " + m.LastError
	}
	if !strings.HasPrefix(got["tom"], string(models.OutboxDead)+" tom has no email") {
		t.Errorf("tom's message: %q", got["tom"])
	}
	for _, who := range []string{"ana", "marc"} {
		if s, ok := got[who]; !ok || strings.HasPrefix(s, string(models.OutboxDead)) {
			t.Errorf("%s's message should wait to be sent: %q (all: %v)", who, s, got)
		}
	}
	if st := f.deliver(t); st.Sent != 2 {
		t.Errorf("delivered: %+v", st)
	}
}

// review_due is told once, when a failure has waited review_after for its review,
// to whom the rule names (the requester here); a rescan raises nothing more.
func TestScanRaisesReviewDueOnce(t *testing.T) {
	f := newNotifyFixture(t, `
[[notify.rule]]
events = ["review_due"]
channel = "hook"
to = ["requester"]
`)
	ana := f.person(t, "ana")
	d := f.planProd(t, f.now.Add(time.Hour), func(r *PlanRequest) { r.Component, r.Model, r.Environment = "payments-web", "quick", "test" })
	f.now = d.ScheduledStart
	if _, err := f.e.Start(f.ctx, ana, d.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Fail(f.ctx, ana, d.ID, "the health check timed out", false); err != nil {
		t.Fatal(err)
	}
	scan := func() int { t.Helper(); return f.scan(t) }
	f.now = f.now.Add(2 * 24 * time.Hour)
	if n := scan(); n != 0 {
		t.Errorf("its review is not due for three days: raised %d", n)
	}
	f.now = f.now.Add(24*time.Hour + time.Minute)
	if n := scan(); n != 1 {
		t.Fatalf("review_due: raised %d", n)
	}
	if n := scan(); n != 0 {
		t.Errorf("a rescan raised %d more", n)
	}
	ms := f.outbox(t, "hook")
	var ev notify.Event
	if len(ms) != 1 || ms[0].Event != models.NotifyReviewDue || ms[0].Recipient != "ana" || json.Unmarshal(ms[0].Payload, &ev) != nil ||
		!strings.Contains(ev.Summary, fmt.Sprintf("#%d", d.ID)) || !strings.Contains(ev.Summary, "failed 3d0h ago and waits for its review") {
		t.Errorf("the message: %+v %+v", ms, ev)
	}
}
