package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ferry/engine/notify"
)

// receiver is a webhook receiver on the loopback address that takes delay per
// message and keeps every delivery: its idempotency key and body.
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	got   []delivery
	delay time.Duration
	fail  bool
	// holdAt, when above 0: the request that makes holdAt deliveries, and any after,
	// get no answer until hold is closed: a sender is then caught mid-batch, its
	// message received and not yet marked sent.
	holdAt int
	hold   chan struct{}
}

type delivery struct {
	key, path string
	body      []byte
	signed    bool
}

func newReceiver(t *testing.T, delay time.Duration) *receiver {
	rc := &receiver{delay: delay}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		time.Sleep(rc.delay)
		rc.mu.Lock()
		fail := rc.fail
		if !fail {
			rc.got = append(rc.got, delivery{key: r.Header.Get(notify.HeaderIdempotency), path: r.URL.Path, body: body,
				signed: notify.Verify([]byte("cli-secret"), body, r.Header.Get(notify.HeaderSignature))})
		}
		held, hold := rc.holdAt > 0 && len(rc.got) >= rc.holdAt, rc.hold
		rc.mu.Unlock()
		if held {
			<-hold
		}
		if fail {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

// notifyFixture is the CLI fixture with hooks channels, each told of every plan.
func notifyFixture(t *testing.T, url string, hooks int) *fixture {
	f := newFixture(t)
	var b strings.Builder
	b.WriteString(testConfig)
	b.WriteString("\n[notify]\nmax_age = \"1h\"\n")
	for i := range hooks {
		fmt.Fprintf(&b, "\n[[notify.channel]]\nname = \"hook%d\"\ntype = \"webhook\"\nurl = \"%s/hook%d\"\nsecret_env = \"FERRY_CLI_SECRET\"\n", i, url, i)
		fmt.Fprintf(&b, "\n[[notify.rule]]\nevents = [\"planned\", \"failed\"]\nchannel = \"hook%d\"\nto = [\"requester\", \"role:manager\"]\n", i)
	}
	writeFile(t, f.cfg, b.String())
	f.env = append(f.env, "FERRY_CLI_SECRET=cli-secret")
	return f
}

type channelStatus struct {
	Channel   string `json:"channel"`
	Type      string `json:"type"`
	Pending   int    `json:"pending"`
	Sent      int    `json:"sent"`
	Dead      int    `json:"dead"`
	Failing   bool   `json:"failing"`
	LastError string `json:"last_error"`
}

func (f *fixture) notifyStatus() []channelStatus {
	f.t.Helper()
	var st []channelStatus
	decode(f.t, f.ok("--as", "ana", "notify", "status", "--json"), &st)
	return st
}

// TestDelivererSurvivesKill9 kills ferry notify run --follow mid-batch, starts it
// again, and checks that every message arrived, none was lost, and a message that
// came twice came with the same key and body.
func TestDelivererSurvivesKill9(t *testing.T) {
	rc := newReceiver(t, 15*time.Millisecond)
	const hooks, plans = 6, 50
	// From a third on, requests wait for their answer: the kill comes mid-batch.
	rc.mu.Lock()
	rc.holdAt, rc.hold = hooks*plans/3, make(chan struct{})
	rc.mu.Unlock()
	f := notifyFixture(t, rc.URL, hooks)
	for i := range plans {
		f.planIn("dev", fmt.Sprintf("1.%d", i), fmt.Sprintf("2030-01-%02d %02d:00", 1+i/20, i%20))
	}
	const total = hooks * plans
	if st := f.notifyStatus(); len(st) != hooks || st[0].Pending != plans || st[0].Sent != 0 {
		t.Fatalf("before delivery: %+v", st)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, ferryBin, "--config", f.cfg, "--db", f.db, "notify", "run", "--follow", "--poll", "100ms")
	cmd.Dir, cmd.Env = f.dir, append(cleanEnv(), f.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for len(rc.deliveries()) < total/3 {
		if ctx.Err() != nil {
			t.Fatalf("the deliverer sent %d:\n%s", len(rc.deliveries()), out.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	_ = cmd.Process.Kill() // SIGKILL: no chance to mark what it sent
	_ = cmd.Wait()
	close(rc.hold) // the receiver answers again, for the restart
	before := len(rc.deliveries())
	st := f.notifyStatus()
	marked := 0
	for _, s := range st {
		marked += s.Sent
	}
	t.Logf("killed after %d deliveries, %d of them marked sent", before, marked)
	if before >= total || marked >= before {
		t.Fatalf("the kill did not come mid-batch: %d delivered, %d marked, of %d", before, marked, total)
	}

	// Restarted (the cron form): it takes over the dead process's claims at once.
	r := f.ok("notify", "run")
	if !strings.Contains(r.stdout, ", to retry 0, dead 0") {
		t.Errorf("notify run:\n%s", r)
	}
	got := rc.deliveries()
	byKey := map[string][]byte{}
	repeats := 0
	for _, d := range got {
		if !d.signed {
			t.Errorf("unsigned delivery %s", d.key)
		}
		if prev, seen := byKey[d.key]; seen {
			repeats++
			if !bytes.Equal(prev, d.body) {
				t.Errorf("message %s came twice with different bodies", d.key)
			}
			continue
		}
		var ev notify.Event
		if err := json.Unmarshal(d.body, &ev); err != nil || ev.ID != d.key || "/"+ev.Channel != d.path {
			t.Errorf("delivery %s: %v %s", d.key, err, d.body)
		}
		byKey[d.key] = d.body
	}
	if len(byKey) != total {
		t.Errorf("%d distinct messages arrived, want %d", len(byKey), total)
	}
	t.Logf("%d deliveries: %d messages, %d repeats (each with its key)", len(got), len(byKey), repeats)
	for _, s := range f.notifyStatus() {
		if s.Pending != 0 || s.Dead != 0 || s.Sent != plans {
			t.Errorf("after the restart: %+v", s)
		}
	}
}

func TestNotifyCommands(t *testing.T) {
	rc := newReceiver(t, 0)
	f := notifyFixture(t, rc.URL, 1)
	f.planIn("dev", "1.0", "2030-01-01 10:00")

	r := f.ok("--as", "ana", "notify", "status")
	if !strings.Contains(r.stdout, "hook0") || !strings.Contains(r.stdout, "webhook") || !strings.Contains(r.stdout, "PENDING") {
		t.Errorf("status:\n%s", r)
	}
	f.refused(1, []string{"only managers"}, "--as", "sam", "notify", "status")

	r = f.ok("--as", "ana", "notify", "test", "hook0")
	if !strings.Contains(r.stdout, "Sent a test message on hook0 to ana") {
		t.Errorf("test:\n%s", r)
	}
	f.refused(1, []string{`no channel "pager"`, "declared: hook0"}, "--as", "ana", "notify", "test", "pager")
	f.refused(2, []string{"needs a CHANNEL"}, "--as", "ana", "notify", "test")
	f.refused(2, []string{"--poll 1ns: must be at least 100ms"}, "--as", "ana", "notify", "run", "--follow", "--poll", "1ns")
	f.refused(2, []string{"--scan-every -1s: must be at least 1s"}, "--as", "ana", "notify", "run", "--scan-every=-1s")
	f.refused(2, []string{"--backoff -1s: a wait cannot be negative"}, "--as", "ana", "notify", "run", "--backoff=-1s")

	// A failing receiver: the message is retried, then dead; the managers' inbox says so.
	rc.mu.Lock()
	rc.fail = true
	rc.mu.Unlock()
	r = f.ok("notify", "run")
	if !strings.Contains(r.stdout, "retry   hook0 planned") || !strings.Contains(r.stdout, "502") ||
		!regexp.MustCompile(`at \d\d:\d\d:\d\d CES?T, try 1 failed`).MatchString(r.stdout) {
		t.Errorf("run with a failing receiver (the retry's time in the organisation's zone):\n%s", r)
	}
	r = f.ferry("--as", "ana", "notify", "test", "hook0")
	if r.code != 1 || !strings.Contains(r.stderr, "502 Bad Gateway") {
		t.Errorf("a failing test:\n%s", r)
	}
	st := f.notifyStatus()
	if len(st) != 1 || st[0].Pending != 1 || st[0].Dead != 1 || st[0].Sent != 1 || !st[0].Failing || !strings.Contains(st[0].LastError, "502") {
		t.Errorf("status: %+v", st)
	}
	var inbox []struct {
		Kind, Channel, Message, Next string
		Deployment                   *struct{ ID int64 } // null: a channel is about no deployment
	}
	decode(t, f.ok("--as", "ana", "inbox", "--json"), &inbox)
	if len(inbox) == 0 || inbox[len(inbox)-1].Kind != "channel" || inbox[len(inbox)-1].Channel != "hook0" ||
		!strings.Contains(inbox[len(inbox)-1].Next, "ferry notify status") || inbox[len(inbox)-1].Deployment != nil {
		t.Errorf("inbox: %+v", inbox)
	}
}
