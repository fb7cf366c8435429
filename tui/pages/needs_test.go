package pages_test

import (
	tea "charm.land/bubbletea/v2"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/internal/tuitest"
)

// Needs you is the person's inbox: a gate they may approve waits there, and a
// deployment running past its window shows as overrunning, on the dashboard as in My
// work.
func TestNeedsYouHasGatesAndOverruns(t *testing.T) {
	t.Parallel()
	m := sized(t, "marc", 120, 35) // a manager who did not ask for the runbook
	id := atTheGate(t, m)
	press(m, "ctrl+r")
	if got := screenText(m); !strings.Contains(got, "◆ gate #"+strconv.FormatInt(id, 10)) {
		t.Fatalf("the gate should wait in Needs you:\n%s", got)
	}
	tuitest.ClockOf(t, m.c).Set(tuitest.Now.Add(6 * time.Hour)) // the running installation's window has ended
	press(m, "ctrl+r")
	got := screenText(m)
	if !strings.Contains(got, "overrunning #1") {
		t.Fatalf("a deployment past its window should show as overrunning:\n%s", got)
	}
	row := strings.Split(lineWith(got, "│ ▸ #1 rack-b07"), "││")[0] // the Running panel's side
	if !strings.Contains(row, "→ production") || !strings.Contains(row, "overrunning") {
		t.Fatalf("the running row keeps where it runs beside the overrun: %q", row)
	}
	tom := sized(t, "tom", 60, 20)
	tuitest.ClockOf(t, tom.c).Set(tuitest.Now.Add(6 * time.Hour))
	press(tom, "ctrl+r")
	if got := screenText(tom); !strings.Contains(got, "OVERRUNNING") {
		t.Fatalf("My work should mark the overrun:\n%s", got)
	}
}

// An open incident stays in Needs you until its resolution is recorded.
func TestNeedsYouKeepsOpenIncidentsUntilResolved(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	in, err := m.c.Eng.AddIncident(m.c.Ctx, m.c.Actor, 2, now.Add(-time.Hour), time.Time{}, "checkout errors for 5% of users")
	if err != nil {
		t.Fatal(err)
	}
	tuitest.ClockOf(t, m.c).Set(tuitest.Now.Add(3 * 24 * time.Hour)) // days later, it is still open
	press(m, "ctrl+r")
	if got := screenText(m); !strings.Contains(got, "⚑ incident #2 payments-api → staging") {
		t.Fatalf("the open incident should be in Needs you:\n%s", got)
	}
	at := now.Add(time.Hour)
	if _, err := m.c.Eng.UpdateIncident(m.c.Ctx, m.c.Actor, in.ID, engine.IncidentChange{Resolved: &at}); err != nil {
		t.Fatal(err)
	}
	press(m, "ctrl+r")
	if got := screenText(m); strings.Contains(got, "⚑ incident") {
		t.Fatalf("a resolved incident leaves Needs you:\n%s", got)
	}
}

// An analyst acts on none of what the panel lists: it is named for watching.
func TestAnAnalystWatches(t *testing.T) {
	t.Parallel()
	for who, want := range map[string]string{"kim": "To watch", "ana": "Needs you", "sam": "Needs you"} {
		m := sized(t, who, 120, 35)
		press(m, "1")
		if got := screenText(m); !strings.Contains(got, want) {
			t.Errorf("%s's dashboard: want %q:\n%s", who, want, got)
		}
	}
}

// a on a gate in Needs you asks for the approval there and then, as the checklist's
// a does (screens.md: "approve [a]"); on a row that waits at no gate it says why and
// opens nothing.
func TestDashboardApprovesTheGateSelected(t *testing.T) {
	t.Parallel()
	m := sized(t, "marc", 120, 35) // a manager who did not ask for the runbook
	id := atTheGate(t, m)
	press(m, "ctrl+r")
	press(m, "a") // the first row: a running deployment at no gate
	if got := screenText(m); !strings.Contains(got, "waits at no gate") || strings.Contains(got, "approve; note:") {
		t.Fatalf("a off a gate should say why and ask nothing:\n%s", got)
	}
	gate := "◆ gate #" + strconv.FormatInt(id, 10)
	for range 20 {
		if strings.Contains(screenText(m), "▸ "+gate) {
			break
		}
		press(m, "down")
	}
	if !strings.Contains(screenText(m), "▸ "+gate) {
		t.Fatalf("the cursor never reached the gate:\n%s", screenText(m))
	}
	press(m, "a")
	if got := screenText(m); !strings.Contains(got, `enter approves gate 3 "Publication approved"`) || !strings.Contains(got, "approve; note:") {
		t.Fatalf("a on the gate should ask for the approval's note:\n%s", got)
	}
	typeText(m, "read it through")
	press(m, "enter")
	d, err := m.c.Eng.Deployment(m.c.Ctx, m.c.Actor, id)
	if err != nil || d.Steps[2].Status != models.StepDone || d.Steps[2].Actor != "marc" || d.Steps[2].Note != "read it through" {
		t.Fatalf("after enter the gate is approved by marc with his note: %+v %v", d.Steps[2], err)
	}
}

// On a phone the help leaves Due today out for a while: the cursor chosen there is
// there again when the help closes, and meanwhile enter opens nothing out of sight.
func TestHelpOnAPhoneKeepsTheCursorsPlace(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	due := func() bool { return strings.Contains(lineWith(screenText(m), "▸"), "16:05") }
	for range 12 {
		if due() {
			break
		}
		press(m, "down")
	}
	if !due() {
		t.Fatalf("the cursor never reached Due today:\n%s", screenText(m))
	}
	press(m, "?")
	if got := screenText(m); strings.Contains(got, "Due today") {
		t.Fatalf("with the help open on a phone Due today gives way:\n%s", got)
	}
	press(m, "enter")
	if got := screenText(m); strings.Contains(got, "› #") {
		t.Fatalf("enter opened a deployment out of sight:\n%s", got)
	}
	press(m, "?")
	if !due() {
		t.Fatalf("the cursor should be back on its Due today row:\n%s", screenText(m))
	}
}

// An interrupted run in Needs you says how to deal with it from the dashboard: r
// opens its run view (as r on its page does), where g resumes, r retries and F fails
// it; ? lists r. A row selected anywhere opens its own run.
func TestDashboardOpensTheRunOfTheSelected(t *testing.T) {
	t.Parallel()
	m := New(newDemoCommon(t, "marc", 400))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	load(m, m.Top().Refresh())
	if got := fullHelp(m); !regexp.MustCompile(`\br +run view`).MatchString(got) {
		t.Fatalf("the help should list r:\n%s", got)
	}
	row := ""
	for range 30 {
		if row = lineWith(screenText(m), "▸ ⏸ interrupted #"); row != "" {
			break
		}
		press(m, "down")
	}
	if row == "" || !tuitest.Whole(screenText(m), "r opens its run to resume, retry or fail it") {
		t.Fatalf("the cursor never reached an interrupted run that names its keys:\n%s", screenText(m))
	}
	// Said once, not on every interrupted run.
	if got := screenText(m); strings.Count(got, "⏸ interrupted #") < 2 || strings.Count(got, "opens its run") != 1 {
		t.Fatalf("several interrupted runs should name r's keys once:\n%s", got)
	}
	id := strings.Fields(row[strings.Index(row, "#")+1:])[0]
	press(m, "r")
	got := screenText(m)
	if !strings.Contains(got, "Dashboard › run #"+id) {
		t.Fatalf("r should open the run view of #%s:\n%s", id, got)
	}
	help := fullHelp(m)
	for _, want := range []string{`g +resume`, `r +retry step`, `F +fail`} { // on: off keys read "F fail — why"
		if !regexp.MustCompile(`(?m)^ *` + want + ` *($|  )`).MatchString(help) {
			t.Errorf("in the run view %q should be on, as the dashboard's hint says:\n%s", want, help)
		}
	}
	press(m, "esc")
	if got := screenText(m); !strings.Contains(got, "Running now") {
		t.Fatalf("esc goes back to the dashboard:\n%s", got)
	}
}

// A deployment due today in several conflicts says so in its row: the first one's
// kind and how many more ("✗ capacity conflict +2"), where it said only the first.
func TestDueTodayCountsEveryConflict(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	all := withCrowdedProduction(t, m) // tom's second rack: capacity, person and maintenance conflicts
	press(m, "ctrl+r")
	row := lineWith(screenText(m), "rack-b08-app-server")
	id, _ := strconv.ParseInt(strings.Fields(row[strings.Index(row, "#")+1:])[0], 10, 64)
	n := 0
	for _, c := range all {
		if slices.Contains(c.IDs, id) {
			n++
		}
	}
	want := regexp.MustCompile(fmt.Sprintf(`✗ (capacity|person|maintenance) conflict \+%d\b`, n-1))
	if n < 3 || !want.MatchString(row) {
		t.Fatalf("#%d is in %d conflicts: its row should name one and count the others: %q\n%s", id, n, row, screenText(m))
	}
}

// A blocked deployment handed to someone else: its Running-now line says who blocked
// it ("blocked by tom: …"), not a bare name that reads as the assignee.
func TestRunningSaysWhoBlockedIt(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	tom, _ := m.c.Eng.Person("tom")
	if _, err := m.c.Eng.BlockStep(m.c.Ctx, tom, 1, 1, "no power on PDU B"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.c.Eng.Assign(m.c.Ctx, m.c.Actor, 1, "ines"); err != nil {
		t.Fatal(err)
	}
	press(m, "ctrl+r")
	got := screenText(m)
	if !strings.Contains(got, `blocked by tom: "no power on PDU B"`) || strings.Contains(got, "tom · blocked") {
		t.Errorf("the running row should say who blocked it:\n%s", got)
	}
}

// A model due for review is an item the cursor reaches, on a phone too, where the
// last of Needs you were out of its reach; enter opens the improvement register,
// where what its review finds is proposed.
func TestDashboardReachesAModelDueForReview(t *testing.T) {
	t.Parallel()
	c := newDemoCommon(t, "ana", 400)
	db, err := c.Eng.Dashboard(c.Ctx, c.Actor)
	if err != nil || !slices.ContainsFunc(db.Inbox, func(it engine.InboxItem) bool { return it.Kind == engine.InboxModel }) {
		t.Fatalf("the demo should have a model due for review: %v", err)
	}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	load(m, m.Top().Refresh())
	for range 40 {
		if strings.Contains(screenText(m), "▸ ✎ model review due") {
			break
		}
		press(m, "j")
	}
	if !strings.Contains(screenText(m), "▸ ✎ model review due") {
		t.Fatalf("the cursor never reached a model due for review:\n%s", screenText(m))
	}
	press(m, "enter")
	if got := screenText(m); !strings.Contains(got, "Improvements") {
		t.Fatalf("enter should open the improvement register:\n%s", got)
	}
}
