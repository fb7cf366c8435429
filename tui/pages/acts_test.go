package pages_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/internal/tuitest"
	"ferry/tui/pages"
)

// The example organisation (tuitest.Org): #1 the rack server running, #2 a failed
// payments-api in staging, #3 payments-api planned in staging at 16:05, #4
// web-frontend planned in test at 17:05, #5 auth-service planned in dev; sam carries
// out #2 to #5.

func record(t *testing.T, c *common.Common, id int64) engine.DeploymentView {
	t.Helper()
	v, err := c.Eng.View(c.Ctx, c.Actor, id, engine.ViewRequest{Record: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// liveDetail runs actor's console in the real program loop (huh forms move between
// fields asynchronously) and opens deployment id.
func liveDetail(t *testing.T, actor string, id int64, w, h int) (*tuitest.Live, *common.Common) {
	c := newTestCommon(t, actor)
	l := runLive(t, c, w, h)
	l.Has("Dashboard")
	l.TM.Send(common.PushMsg{Page: pages.NewDetail(c, id)})
	// Its page loaded: its breadcrumb and its window (the dashboard under it may say
	// "window" too, which let a key go to a page still loading).
	l.Until(fmt.Sprintf("#%d's page loaded", id), func(got string) bool {
		return strings.Contains(got, fmt.Sprintf("› #%d", id)) && strings.Contains(got, "window ") &&
			!strings.Contains(got, fmt.Sprintf("loading #%d", id))
	})
	return l, c
}

// clear empties the text field that has focus, as ctrl+u does.
func clear(l *tuitest.Live) { l.TM.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}) }

func TestEditMovesADeploymentAndPreviewsItsConflicts(t *testing.T) {
	t.Parallel()
	l, c := liveDetail(t, "ana", 4, 120, 35)
	l.Letter('m')
	l.Has("Change #4")
	l.Has("2026-11-26 17:05") // the start as it is
	// The same start as #3, which sam also carries out: the preview says so before
	// anything is saved.
	clear(l)
	l.TypeText("2026-11-26 16:05")
	got := l.Has("✗ person")
	if !strings.Contains(got, "#3") || !strings.Contains(got, "16:05 – 16:50 CET") {
		t.Fatalf("the preview shows the new window and the person conflict with #3:\n%s", got)
	}
	if d := record(t, c, 4).Deployment; !d.ScheduledStart.Equal(now.Add(3 * time.Hour)) {
		t.Fatalf("a preview saves nothing: %v", d.ScheduledStart)
	}
	for _, field := range []string{"Start", "Duration", "Assignee", "Change", "After"} {
		l.Has("┃ " + field)
		l.Key(tea.KeyEnter)
	}
	got = l.Has("#4: rescheduled")
	if !strings.Contains(got, "conflict") {
		t.Fatalf("the console says what it did and the conflicts left:\n%s", got)
	}
	// The window as the console writes one, not as the record does
	// ("2026-11-26 16:05 CET – 16:50 CET").
	if !strings.Contains(got, "#4: rescheduled to Thu 26 Nov 16:05–16:50") {
		t.Fatalf("the footer writes the window as the console does:\n%s", got)
	}
	l.Quit()
	v := record(t, c, 4)
	if !v.Deployment.ScheduledStart.Equal(now.Add(2*time.Hour)) || !hasEvent(v.Events, "→ 2026-11-26 16:05 CET") {
		t.Fatalf("enter on the last field saves the new start: %v\n%+v", v.Deployment.ScheduledStart, v.Events)
	}
}

// The start and duration open empty, their values as planned greyed: "now" typed
// there is now. The start was written into the field, so "now" read
// "2026-11-26 17:05now" and was refused as no time. Left empty, they change nothing.
func TestEditStartNowIsNow(t *testing.T) {
	t.Parallel()
	l, c := liveDetail(t, "ana", 4, 120, 35)
	l.Letter('m')
	l.Has("┃ Start")
	l.TypeText("now")
	got := l.Has("14:05 – 14:50 CET") // the preview's window: now, for as long as planned
	if strings.Contains(got, "17:05now") {
		t.Fatalf("now replaces the greyed start:\n%s", got)
	}
	for _, field := range []string{"Start", "Duration", "Assignee", "Change", "After"} {
		l.Has("┃ " + field)
		l.Key(tea.KeyEnter)
	}
	l.Has("#4: rescheduled")
	l.Quit()
	d := record(t, c, 4).Deployment
	if !d.ScheduledStart.Equal(now) || d.ScheduledEnd.Sub(d.ScheduledStart) != 45*time.Minute {
		t.Fatalf("#4 starts now for its 45 minutes: %v – %v", d.ScheduledStart, d.ScheduledEnd)
	}
}

// Empty start and duration are the window as planned: nothing to save.
func TestEditLeftEmptyChangesNothing(t *testing.T) {
	t.Parallel()
	l, _ := liveDetail(t, "ana", 4, 120, 35)
	l.Letter('m')
	l.Has("as it is now")
	for _, field := range []string{"Start", "Duration", "Assignee", "Change", "After"} {
		l.Has("┃ " + field)
		l.Key(tea.KeyEnter)
	}
	l.Has("nothing changed")
}

func TestEditChangesWhoAndTheChangeReference(t *testing.T) {
	t.Parallel()
	l, c := liveDetail(t, "ana", 5, 60, 20)
	l.Letter('m')
	l.Has("┃ Start")
	l.Key(tea.KeyEnter)
	l.Has("┃ Duration")
	l.Key(tea.KeyEnter)
	l.Has("┃ Assignee")
	l.Key(tea.KeyDown) // the next person after sam
	l.Key(tea.KeyEnter)
	l.Has("┃ Change")
	clear(l)
	l.TypeText("CHG-2026-0099")
	l.Has("CHG-2026-0099")
	l.Key(tea.KeyEnter)
	l.Has("┃ After")
	l.Key(tea.KeyEnter)
	l.Has("#5: assigned")
	l.Quit()
	d := record(t, c, 5)
	if d.Deployment.ChangeRef != "CHG-2026-0099" || d.Deployment.Assignee == "sam" || d.Deployment.Assignee == "" {
		t.Fatalf("assignee and change: %+v", d.Deployment)
	}
	if !hasEvent(d.Events, "change CHG-2026-0042 → CHG-2026-0099") || !hasEvent(d.Events, "sam →") {
		t.Fatalf("each change is on the record: %+v", d.Events)
	}
}

func TestEditRefusedIsShownAndKept(t *testing.T) {
	t.Parallel()
	l, c := liveDetail(t, "ana", 5, 120, 35)
	l.Letter('m')
	for _, field := range []string{"Start", "Duration", "Assignee", "Change"} {
		l.Has("┃ " + field)
		l.Key(tea.KeyEnter)
	}
	l.Has("┃ After")
	l.TypeText("#5") // waits for itself
	l.Has("#5")
	l.Key(tea.KeyEnter)
	got := l.Has("After: deployment #5 cannot wait for itself")
	if !strings.Contains(got, "Change #5") {
		t.Fatalf("the engine's refusal shows in the form, which stays open:\n%s", got)
	}
	l.Has("┃ After") // the cursor back on the field it names, not on Start
	l.Quit()
	if d := record(t, c, 5).Deployment; d.After != 0 {
		t.Fatalf("nothing saved: %+v", d)
	}
}

func TestCancelFromTheDetailAndTheScheduleAsksWhy(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	openDetailOf(m, 4)
	press(m, "X")
	fits(t, m, "cancel page", 60, 20)
	press(m, "enter")
	if got := screenText(m); !strings.Contains(got, engine.NeedCancelReason) {
		t.Fatalf("no reason, no cancel:\n%s", got)
	}
	typeText(m, "release pulled by product")
	press(m, "enter")
	v := record(t, m.c, 4)
	if v.Deployment.Status != models.StatusCancelled || !hasEvent(v.Events, "release pulled by product") {
		t.Fatalf("cancelled with its reason: %s %+v", v.Deployment.Status, v.Events)
	}
	if got := screenText(m); !strings.Contains(got, "#4") || strings.Contains(got, "X cancel it") {
		t.Fatalf("back on #4, which cannot be cancelled twice:\n%s", got)
	}
	press(m, "X") // off: it says why, not only what #4 is now
	if got := screenText(m); !tuitest.Whole(got, "#4 was cancelled: a finished deployment is not cancelled") {
		t.Fatalf("X on a finished deployment says why it is off:\n%s", got)
	}

	m = sized(t, "ana", 120, 35)
	press(m, "3") // the Schedule, at the deployment nearest to now
	sel := m.Top().(*scheduleScreen).Sel()
	press(m, "X")
	if got := screenText(m); !strings.Contains(got, "cancel, because:") {
		t.Fatalf("X on the Schedule asks why:\n%s", got)
	}
	press(m, "esc")
	if d := record(t, m.c, sel).Deployment; d.Status == models.StatusCancelled {
		t.Fatal("esc leaves it as it is")
	}
}

func TestRunAgainPlansTheSameContentAnew(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	openDetailOf(m, 3)
	press(m, "a")
	if got := screenText(m); strings.Contains(got, "Run #3") || !strings.Contains(got, "only a failed or rolled-back") {
		t.Fatalf("a planned deployment is not run again, and the console says why:\n%s", got)
	}
	openDetailOf(m, 2) // failed
	press(m, "a")
	if got := screenText(m); !strings.Contains(got, "Run #2 payments-api 4.11.9 → staging again") ||
		!strings.Contains(got, "run again") || strings.Contains(got, "› reason") {
		t.Fatalf("a opens the run-again page, named for what it asks:\n%s", got)
	}
	press(m, "enter") // at the next full hour
	got := screenText(m)
	if !strings.Contains(got, "planned #6 to run #2 again") {
		t.Fatalf("the console says what it planned:\n%s", got)
	}
	// The new plan opens, over the old record: it is what is acted on next.
	if !strings.Contains(got, "› #2 › #6") || !strings.Contains(got, "○ planned") {
		t.Fatalf("the new deployment's record should open:\n%s", got)
	}
	press(m, "esc")
	if got := screenText(m); !strings.Contains(got, "#2  deploy payments-api") {
		t.Fatalf("esc goes back to the failed one:\n%s", got)
	}
	n := engine.CountOpen(record(t, m.c, 6).Conflicts)
	if want := leftOverText(n); !strings.Contains(got, want) {
		t.Fatalf("the console says how many conflicts the new plan is in (%q):\n%s", want, got)
	}
	again := record(t, m.c, 6).Deployment
	if again.Status != models.StatusPlanned || again.Version != "4.11.9" || again.Environment != "staging" ||
		again.ScheduledStart.In(m.c.Eng.Location()).Format("15:04") != "15:00" {
		t.Fatalf("the new deployment: %+v", again)
	}
	if old := record(t, m.c, 2); old.Deployment.Status != models.StatusFailed || !hasEvent(old.Events, "run again as #6") {
		t.Fatalf("the failure stays final and shows the link: %+v", old.Events)
	}
	// While #6 is unfinished, #2 is not run again a second time, and a says why at once.
	press(m, "a")
	if got := screenText(m); strings.Contains(got, "Run #2") || !strings.Contains(got, "#6 payments-api 4.11.9 → staging is planned already") {
		t.Fatalf("a second run again of #2:\n%s", got)
	}
}

// The next full hour is offered greyed, as the plan form's start is: "now" typed
// there is now. It was written into the field, so "now" read "2026-12-07 08:00now"
// and was refused as no time.
func TestRunAgainNowIsNow(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	openDetailOf(m, 2) // failed
	press(m, "a")
	typeText(m, "now")
	press(m, "enter")
	if got := screenText(m); !strings.Contains(got, "planned #6 to run #2 again") {
		t.Fatalf("now should be taken as the start:\n%s", got)
	}
	if start := record(t, m.c, 6).Deployment.ScheduledStart; !start.Equal(m.c.Eng.Now().Truncate(time.Minute)) && !start.Equal(m.c.Eng.Now()) {
		t.Fatalf("the new deployment starts now (%s), not at %s", m.c.Eng.Now(), start)
	}
}

func TestIncidentsAreResolvedFromTheConsole(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	openDetailOf(m, 2)
	press(m, "v")
	if got := screenText(m); strings.Contains(got, "Update an incident") || !strings.Contains(got, "no incidents") {
		t.Fatalf("v needs an incident to update, and says so:\n%s", got)
	}

	l, c := liveDetail(t, "ana", 2, 120, 35)
	for _, summary := range []string{"checkout errors", "refunds slow"} {
		if _, err := c.Eng.AddIncident(c.Ctx, c.Actor, 2, now.Add(-time.Hour), time.Time{}, summary); err != nil {
			t.Fatal(err)
		}
	}
	l.TM.Send(tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
	l.Has("refunds slow")
	l.Letter('v')
	got := l.Has("Which incident?")
	if !strings.Contains(got, "checkout errors") {
		t.Fatalf("with two incidents, v asks which:\n%s", got)
	}
	l.Key(tea.KeyEnter) // the first offered
	l.Has("┃ Resolved")
	l.Has("┃ now") // an open incident is offered as resolved now: when it is saved
	l.Key(tea.KeyEnter)
	l.Has("┃ Summary")
	l.Key(tea.KeyEnter)
	l.Has("┃ Note")
	l.TypeText("rolled back the flag")
	l.Has("rolled back the flag")
	tuitest.ClockOf(t, c).Set(now.Add(10 * time.Minute)) // the form stayed open a while
	l.Key(tea.KeyEnter)
	l.Has("resolved Thu 26 Nov 14:15")
	l.Quit()
	open, err := c.Eng.Incidents(c.Ctx, c.Actor, true)
	if err != nil || len(open) != 1 {
		t.Fatalf("one incident is resolved, one is open: %+v %v", open, err)
	}
	v := record(t, c, 2)
	if !hasEvent(v.Events, "resolved 2026-11-26 14:15") || !hasEvent(v.Events, "(rolled back the flag)") {
		t.Fatalf("the resolution and its note are on the record: %+v", v.Events)
	}
}

func TestAnAnalystIsOfferedNoDailyActs(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 120, 35)
	openDetailOf(m, 4)
	for _, k := range []string{"m", "X", "v"} {
		press(m, k)
		got := screenText(m)
		if strings.Contains(got, "Change #4") || strings.Contains(got, "because:") || strings.Contains(got, "Update an incident") {
			t.Fatalf("%s opened a form for an analyst:\n%s", k, got)
		}
		if !strings.Contains(got, "may not") {
			t.Fatalf("%s should say why not:\n%s", k, got)
		}
	}
}

// leftOverText is how the console sums up the conflicts a new plan is in.
func leftOverText(n int) string {
	switch n {
	case 0:
		return "no conflicts"
	case 1:
		return "in 1 conflict"
	}
	return fmt.Sprintf("in %d conflicts", n)
}

// g on a planned deployment's page starts it where its run is followed: against its
// controls a manager is asked why first; a deployment under way does not start again.
func TestStartFromTheDeploymentsPage(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	openDetailOf(m, 1) // running
	press(m, "g")
	if got := screenText(m); strings.Contains(got, "run #1") {
		t.Fatalf("a running deployment does not start again:\n%s", got)
	}
	openDetailOf(m, 3) // planned for later today, in a promotion conflict
	press(m, "g")
	got := screenText(m)
	if !strings.Contains(got, "run #3") || !strings.Contains(got, "run anyway, because") {
		t.Fatalf("g opens the run view, which asks a manager why it starts against its controls:\n%s", got)
	}
	typeText(m, "the release cannot wait")
	press(m, "enter")
	if d := record(t, m.c, 3).Deployment; d.Status == models.StatusPlanned {
		t.Fatalf("#3 started with the reason: %s", d.Status)
	}
}

// A deployment late to start says so on its page, as History and the dashboard say
// it; and one running past its window: the page read "○ planned" a day overdue.
func TestDetailSaysItIsLate(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	openDetailOf(m, 3) // planned for later today
	if got := screenText(m); strings.Contains(got, "overdue") {
		t.Fatalf("a plan not due yet is not overdue:\n%s", got)
	}
	press(m, "esc")
	tuitest.ClockOf(t, m.c).Set(now.Add(24 * time.Hour))
	openDetailOf(m, 3)
	if got := screenText(m); !strings.Contains(lineWith(got, "#3  deploy"), "○ planned  ⚠ overdue") {
		t.Fatalf("a day later #3 is overdue, and its page says so:\n%s", got)
	}
	press(m, "esc")
	openDetailOf(m, 1) // the rack server, running, its window over by now
	if got := screenText(m); !strings.Contains(lineWith(got, "#1  deploy"), "⌛ overrunning") {
		t.Fatalf("a run past its window says so:\n%s", got)
	}
}
