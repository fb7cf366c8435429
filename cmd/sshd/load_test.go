package sshd

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ferry/engine"
	"ferry/models"
)

// planBig plans a big-checklist deployment for tom, starts it (its checklist is
// open), and returns its id. It starts after #1, so it is second on "My work".
func (f *fixture) planBig(t testing.TB) int64 {
	t.Helper()
	ctx := context.Background()
	ana := f.person(t, "ana")
	d, _, err := f.planner.Plan(ctx, ana, engine.PlanRequest{Model: "big-checklist", Component: "rack-b08-app-server",
		Version: "1", Environment: "dev", Start: now.Add(-30 * time.Minute), Assignee: "tom", ChangeRef: "CHG-2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.Start(ctx, ana, d.ID, "the installation is under way"); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// openChecklist takes a session of tom's from "My work" to the checklist of the
// second deployment listed.
func (tm *term) openChecklist(id int64) {
	tm.t.Helper()
	// A session lands on My work; one that tom opens after another of his sessions
	// went into the checklist lands in it (reconnecting lands where he was).
	there := fmt.Sprintf("checklist #%d", id)
	if tm.waitForAny("My work (2)", there) == 0 {
		tm.send("j")
		tm.waitFor(fmt.Sprintf("▸ #%d", id))
		tm.send("\r") // enter opens the checklist
	}
	tm.waitFor(there, "▸ [ ] Item 01")
}

// waitForAny waits until the screen shows one of texts and says which.
func (tm *term) waitForAny(texts ...string) int {
	tm.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		screen := tm.screen()
		for i, text := range texts {
			if strings.Contains(screen, text) {
				return i
			}
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the screen shows none of %q:\n%s", texts, screen)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTwentySessionsTickOneChecklist has 20 SSH sessions tick one item each of the
// same checklist at once, by keys: every tick is stored exactly once, and every
// session sees all of them.
func TestTwentySessionsTickOneChecklist(t *testing.T) {
	const n = 20
	// One item stays open: the stage does not end. The sessions log in all at once
	// from one address, more than the default allows at once (see Limits).
	f := newFixtureItems(t, Options{Limits: Limits{UnauthenticatedPerAddress: n}}, n+1)
	id := f.planBig(t)
	terms := make([]*term, n)
	var wg sync.WaitGroup
	for i := range terms {
		wg.Go(func() {
			terms[i] = f.open(t, "tom")
			terms[i].openChecklist(id)
			terms[i].send(strings.Repeat("j", i)) // session i ticks item i+1
			terms[i].waitFor(fmt.Sprintf("▸ [ ] Item %02d", i+1))
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	// All at once.
	for _, tm := range terms {
		tm.send(" ")
	}
	for i, tm := range terms {
		tm.waitScreen(fmt.Sprintf(`ticked %d "Item %02d"`, i+1, i+1))
	}
	det, err := f.eng.Deployment(context.Background(), f.person(t, "tom"), id)
	if err != nil {
		t.Fatal(err)
	}
	ticks := map[string]int{}
	for _, e := range det.Events {
		if e.Type == "step" {
			ticks[e.Detail]++
			// Over SSH the key is the identity, and the record says so.
			if !strings.HasPrefix(e.Principal, "ssh key SHA256:") || !strings.Contains(e.Principal, "(tom from 127.0.0.1)") {
				t.Errorf("principal of %q: %q", e.Detail, e.Principal)
			}
		}
	}
	for i := 1; i <= n; i++ {
		s := det.Steps[i-1]
		if s.Status != models.StepDone || s.Actor != "tom" {
			t.Errorf("item %d: %s by %q", i, s.Status, s.Actor)
		}
		if got := ticks[fmt.Sprintf("ticked %d %q", i, s.Step.Name)]; got != 1 {
			t.Errorf("item %d ticked %d times in the record", i, got)
		}
	}
	if det.Steps[n].Status != models.StepPending || len(ticks) != n || det.StepsDone != n {
		t.Errorf("%d items done, %d tick events, last item %s", det.StepsDone, len(ticks), det.Steps[n].Status)
	}
	// Every session sees all twenty once it reloads (ctrl+r; the console also
	// reloads by itself every few seconds).
	for _, tm := range terms {
		tm.send("\x12")
	}
	for _, tm := range terms {
		tm.waitFor(fmt.Sprintf("%d/%d  in progress", n, n+1))
	}
}

// BenchmarkTickRoundTrip measures one tick over SSH, from the space bar to the
// confirmation on the screen (the tick is stored before the console confirms it),
// with 20 sessions connected. Run with -benchtime=Nx, N ≤ 300.
func BenchmarkTickRoundTrip(b *testing.B) {
	const items, idle = 301, 19
	if b.N > items-1 {
		b.Skipf("at most %d ticks per run (-benchtime=%dx)", items-1, items-1)
	}
	f := newFixtureItems(b, Options{}, items)
	id := f.planBig(b)
	for range idle {
		f.open(b, "tom").waitFor("My work (2)")
	}
	tm := f.open(b, "tom")
	tm.openChecklist(id)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		tm.send(" ")
		tm.waitScreen(fmt.Sprintf(`ticked %d "Item %02d"`, i+1, i+1))
		lat = append(lat, time.Since(start))
		b.StopTimer()
		tm.waitScreen(fmt.Sprintf("▸ [ ] Item %02d", i+2)) // the cursor moves on by itself
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
}

// TestReconnectLandsWhereThePersonWas: a dropped connection loses nothing, and the
// person's next session opens the checklist they were in.
func TestReconnectLandsWhereThePersonWas(t *testing.T) {
	f := newFixtureItems(t, Options{}, 3)
	id := f.planBig(t)
	first := f.open(t, "tom")
	first.openChecklist(id)
	first.send(" ") // tick item 1: saved at once
	first.waitFor(`ticked 1 "Item 01"`)
	first.client.Close() // the connection drops
	second := f.open(t, "tom")
	second.waitFor(fmt.Sprintf("checklist #%d", id), "[✓] Item 01")
}

// writeBlockReason opens the checklist of #1 from My work and types why its first
// item is blocked, not sending it.
func (tm *term) writeBlockReason(text string) {
	tm.t.Helper()
	tm.send("\r")                                         // enter opens the checklist of #1
	tm.waitFor("checklist #1", "▸ [ ] Delivery complete") // its items, not "still loading"
	tm.send("b")
	tm.waitFor("what stops this item") // the field is open: what is typed now goes into it
	tm.send(text)
	tm.waitFor(text)
}

// TestARestartKeepsWhatWasTyped: tom was writing why an item is blocked when the
// server was restarted (an upgrade of Ferry): his next session, on the new server,
// opens the same field with the text, not sent yet.
func TestARestartKeepsWhatWasTyped(t *testing.T) {
	f := newFixture(t, Options{})
	tom := f.open(t, "tom")
	tom.waitFor("My work (1)")
	tom.writeBlockReason("no power on PDU B")
	stopped := make(chan error, 1)
	go func() { stopped <- f.stop() }()
	endedByServer(t, tom.ended())
	tom.client.Close() // as ssh does once its session ended; stop waits for it
	if err := <-stopped; err != nil {
		t.Fatalf("stop: %v", err)
	}
	// Written before Serve returned, so before its caller closes the database.
	if kept, err := f.eng.Place(context.Background(), f.person(t, "tom")); err != nil || !strings.Contains(kept, "no power on PDU B") {
		t.Fatalf("once stopped, the server should have kept the draft: %q, %v", kept, err)
	}
	f.start(t, Options{HostKeyPath: f.hostKey, Log: f.log})
	again := f.open(t, "tom")
	again.waitFor("checklist #1", "blocked because: no power on PDU B", "not sent yet")
}

// TestAnotherSessionKeepsWhatWasTyped: tom has the console open on his laptop and
// on his phone. On the phone he writes why an item is blocked; on the laptop he
// opens the deployment's record and quits; the phone's connection drops, and the
// server restarts. His next session opens the field with the text: the laptop's
// moves replaced where tom was, and with it what the phone had typed.
func TestAnotherSessionKeepsWhatWasTyped(t *testing.T) {
	f := newFixture(t, Options{})
	laptop := f.open(t, "tom")
	laptop.waitFor("My work (1)")
	phone := f.open(t, "tom")
	phone.waitFor("My work (1)")
	phone.writeBlockReason("no power on PDU B")
	laptop.send("d") // the record of #1
	laptop.waitFor("My work › #1")
	laptop.send("q")
	if err := laptop.ended(); err != nil {
		t.Fatalf("q should end the laptop's session: %v", err)
	}
	laptop.client.Close() // as ssh does once its session ended
	phone.client.Close()  // the phone's connection drops
	if err := f.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	f.start(t, Options{HostKeyPath: f.hostKey, Log: f.log})
	again := f.open(t, "tom")
	again.waitFor("checklist #1", "blocked because: no power on PDU B", "not sent yet")
}

// TestASessionThatOpensTakesWhatWasTyped: tom writes why an item is blocked on his
// phone, then opens the console on his laptop with the phone still connected. The
// laptop opens the field with his text; the phone's field closes and says where the
// text went, so the reason is filed once, from the laptop, and enter on the phone
// files nothing.
func TestASessionThatOpensTakesWhatWasTyped(t *testing.T) {
	f := newFixture(t, Options{})
	phone := f.open(t, "tom")
	phone.waitFor("My work (1)")
	phone.writeBlockReason("no power on PDU B")
	laptop := f.open(t, "tom")
	laptop.waitFor("checklist #1", "blocked because: no power on PDU B", "not sent yet")
	phone.waitFor("what you typed moved to your newer session")
	if got := phone.screen(); strings.Contains(got, "blocked because:") {
		t.Fatalf("the phone still holds the field the laptop took:\n%s", got)
	}
	laptop.send("\r")
	laptop.waitFor(`blocked 1 "Delivery complete`)
	phone.send("\r") // no field: enter files nothing
	phone.send("n")  // keys are read in order: once the note's field shows, enter was read
	phone.waitFor("note: ")
	d, err := f.eng.Deployment(context.Background(), f.person(t, "tom"), 1)
	if err != nil {
		t.Fatal(err)
	}
	filed := 0
	for _, ev := range d.Events {
		if strings.Contains(ev.Detail, "no power on PDU B") {
			filed++
		}
	}
	if filed != 1 {
		t.Fatalf("the reason was filed %d times, want once: %+v", filed, d.Events)
	}
}

// TestACrashNeverBringsBackASentDraft: tom's draft was kept when his connection
// dropped; his next session sent it; then the server died without a word (a new one
// starts on the same database while the old one's memory is lost). His next session
// must not offer the reason again as "not sent yet": enter would file it twice.
func TestACrashNeverBringsBackASentDraft(t *testing.T) {
	f := newFixture(t, Options{})
	tom := f.open(t, "tom")
	tom.waitFor("My work (1)")
	tom.writeBlockReason("no power on PDU B")
	tom.client.Close() // the connection drops: the draft is kept
	second := f.open(t, "tom")
	second.waitFor("blocked because: no power on PDU B", "not sent yet")
	second.send("\r") // sent: item 1 is blocked
	second.waitFor(`blocked 1 "Delivery complete`)
	crashed := f.stop
	defer func() {
		second.client.Close() // the old server's stop would wait out its shutdown timeout for it
		_ = crashed()
	}()
	f.start(t, Options{HostKeyPath: f.hostKey, Log: f.log}) // the old server's memory is gone for the new one
	third := f.open(t, "tom")
	third.waitForAny("My work (1)", "checklist #1") // the place may be lost with the server; the text must be
	if got := third.screen(); strings.Contains(got, "not sent yet") {
		t.Fatalf("a draft sent before the crash came back as unsent:\n%s", got)
	}
}
