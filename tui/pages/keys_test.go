package pages_test

import (
	"regexp"
	"strings"
	"testing"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/pages"
)

// fullHelp is the screen with the full help open; ? closes it again.
func fullHelp(m *Model) string {
	press(m, "?")
	defer press(m, "?")
	return screenText(m)
}

// TestOffKeysSayWhy: a key the person may not use now is left out of the footer line,
// listed in the full help with the engine's reason, and pressing it shows the reason
// and opens no prompt.
func TestOffKeysSayWhy(t *testing.T) {
	t.Parallel()
	m := sized(t, "sam", 120, 35) // a practitioner: may move a deployment, not override
	d := withFreezeClash(t, m)
	openResolve(m, d.ID)
	want := "o override — sam (practitioner) may not override conflicts of deployment #6: only managers override conflicts"
	if got := fullHelp(m); !strings.Contains(got, want) || !strings.Contains(got, "move to suggestion") {
		t.Fatalf("the full help should list o as off, with why:\n%s", got)
	}
	press(m, "o")
	if got := screenText(m); !strings.Contains(got, "✗ sam (practitioner) may not override") || strings.Contains(got, "reason:") {
		t.Fatalf("o should say why and ask for no reason:\n%s", got)
	}

	m = sized(t, "kim", 120, 35) // an analyst reads the checklist
	openChecklist(m, 1)
	got := fullHelp(m)
	for _, want := range []string{"space tick — kim (analyst) may not tick, note or block steps of",
		"n note — kim (analyst)", "b block — kim (analyst)"} {
		if !strings.Contains(got, want) {
			t.Errorf("the full help lacks %q:\n%s", want, got)
		}
	}
	press(m, "n")
	if got := screenText(m); strings.Contains(got, "note:") || !strings.Contains(got, "may not tick") {
		t.Fatalf("n should open no note field for an analyst:\n%s", got)
	}
}

// atTheGate has sam plan a runbook into production for tom, and ana tick its
// review: the run carries on to the publication gate, and waits there.
func atTheGate(t *testing.T, m *Model) int64 {
	t.Helper()
	c := m.c
	sam, _ := c.Eng.Person("sam")
	ana, _ := c.Eng.Person("ana")
	d, _, err := c.Eng.Plan(c.Ctx, sam, engine.PlanRequest{Model: "documentation", Component: "web-runbook",
		Version: "2.1", Environment: "production", Start: now, Assignee: "tom"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Eng.Start(c.Ctx, ana, d.ID, "the runbook goes out now"); err != nil {
		t.Fatal(err)
	}
	// Past the optional links check, which nobody ticks: on to the gate.
	res, err := c.Eng.TickStep(c.Ctx, ana, d.ID, 1, "", engine.RunOptions{SkipOptional: true})
	if err != nil || res.Waiting == nil || res.Waiting.Kind != engine.WaitApproval {
		t.Fatalf("setup: %+v %v", res, err)
	}
	return d.ID
}

// A gate is approved on purpose: a asks for a note (it may stay empty) and says what
// enter does; esc leaves the gate waiting; enter approves, the note on the record.
func TestApprovingAGateAsksFirst(t *testing.T) {
	t.Parallel()
	m := sized(t, "marc", 120, 35)
	id := atTheGate(t, m)
	openChecklist(m, id)
	press(m, "a")
	if got := screenText(m); !strings.Contains(got, `enter approves gate 3 "Publication approved"`) || !strings.Contains(got, "approve; note:") {
		t.Fatalf("a should ask for the approval's note:\n%s", got)
	}
	press(m, "esc")
	if d, _ := m.c.Eng.Deployment(m.c.Ctx, m.c.Actor, id); d.Steps[2].Status != models.StepPending {
		t.Fatalf("esc approved the gate: %s", d.Steps[2].Status)
	}
	press(m, "a")
	typeText(m, "links checked")
	press(m, "enter")
	d, err := m.c.Eng.Deployment(m.c.Ctx, m.c.Actor, id)
	if err != nil || d.Steps[2].Status != models.StepDone || d.Steps[2].Actor != "marc" || d.Steps[2].Note != "links checked" {
		t.Fatalf("after enter the gate is approved by marc with his note: %+v %v", d.Steps[2], err)
	}
}

// TestGateKeysSayWhy: approving is the engine's decision (the gate's roles, not the
// requester); a gate is approved, not ticked.
func TestGateKeysSayWhy(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 120, 35)
	id := atTheGate(t, m)
	openChecklist(m, id)
	got := fullHelp(m)
	for _, want := range []string{`a approve — tom (technician) may not approve gate "Publication approved" of deployment #6: only a manager or`,
		`space tick — step 3 "Publication approved" is a gate, not a checklist item: only checklist items can be ticked`} {
		if !strings.Contains(got, want) {
			t.Errorf("the full help lacks %q:\n%s", want, got)
		}
	}
	press(m, "a")
	if got := screenText(m); !strings.Contains(got, "✗ tom (technician) may not approve gate") {
		t.Fatalf("a should say why:\n%s", got)
	}
	press(m, "x") // rejecting is refused in its own words
	if got := screenText(m); !strings.Contains(got, "✗ tom (technician) may not reject gate") {
		t.Fatalf("x should say why, of rejecting:\n%s", got)
	}
	m = sized(t, "sam", 120, 35) // a practitioner, but the one who asked for it
	openChecklist(m, atTheGate(t, m))
	got = fullHelp(m)
	if !strings.Contains(got, "a approve — sam requested deployment #6 and may not approve its gate") {
		t.Fatalf("the requester may not approve:\n%s", got)
	}
	if strings.Contains(got, "x reject —") { // refusing one's own deployment is no conflict of interest
		t.Fatalf("the requester may reject:\n%s", got)
	}
}

// TestStartInConflictSaysWhy: a planned installation outside its maintenance window
// cannot start; its checklist says so instead of offering g.
func TestStartInConflictSaysWhy(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	mgr, _ := m.c.Eng.Person("ana")
	start, _ := models.ParseTime("2026-11-27 10:00", m.c.Eng.Location()) // a Friday morning: no window
	d, cs, err := m.c.Eng.Plan(m.c.Ctx, mgr, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "1", Environment: "production", Start: start, Assignee: "tom"})
	if err != nil || len(cs) == 0 {
		t.Fatalf("setup: %+v %v", cs, err)
	}
	openChecklist(m, d.ID)
	got := screenText(m)
	if strings.Contains(got, "g start") || !strings.Contains(got, "cannot start now") || strings.Contains(got, "#6 cannot start") {
		t.Fatalf("a deployment in conflict offers no g:\n%s", got)
	}
	press(m, "g")
	if got := strings.Join(strings.Fields(screenText(m)), " "); !strings.Contains(got, "cannot start now") ||
		!strings.Contains(got, "maintenance") || !strings.Contains(got, "ways on:") ||
		!strings.Contains(got, "ask a manager to move it, or to start it anyway") ||
		strings.Contains(got, "(m on its page)") {
		t.Fatalf("g should say why, and the ways on, none a technician's own:\n%s", screenText(m))
	}
	if after, _ := m.c.Eng.Deployment(m.c.Ctx, m.c.Actor, d.ID); after.Status != models.StatusPlanned {
		t.Fatalf("#%d is %s", d.ID, after.Status)
	}
	fits(t, m, "checklist in conflict", 60, 20)
}

// A manager may start a deployment against its controls from the console, with a
// reason the record keeps; a technician is only told why not.
func TestManagerStartsAnywayWithAReason(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	start, _ := models.ParseTime("2026-11-27 10:00", m.c.Eng.Location()) // Friday morning: no maintenance window
	d, _, err := m.c.Eng.Plan(m.c.Ctx, m.c.Actor, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "1", Environment: "production", Start: start, Assignee: "tom"})
	if err != nil {
		t.Fatal(err)
	}
	openChecklist(m, d.ID)
	if got := screenText(m); !strings.Contains(got, "g start anyway") {
		t.Fatalf("a manager is offered the start against the controls:\n%s", got)
	}
	press(m, "g")
	if got := screenText(m); !strings.Contains(got, "start anyway, because:") {
		t.Fatalf("g asks for the reason:\n%s", got)
	}
	press(m, "enter")
	if got := screenText(m); !strings.Contains(got, engine.NeedOverrideReason) {
		t.Fatalf("an empty reason is refused at the field:\n%s", got)
	}
	typeText(m, "the vendor is on site today")
	press(m, "enter")
	det, err := m.c.Eng.Deployment(m.c.Ctx, m.c.Actor, d.ID)
	if err != nil || det.Status != models.StatusVerifyingComponents {
		t.Fatalf("#%d is %s (%v)", d.ID, det.Status, err)
	}
	overrides := 0
	for _, f := range det.Findings {
		if f.Kind == models.FindingOverride && f.Reason == "the vendor is on site today" {
			overrides++
		}
	}
	if overrides == 0 {
		t.Fatalf("the override should stay with the deployment: %+v", det.Findings)
	}
}

// x rejects the gate a deployment waits at, with a reason: the stage fails.
func TestRejectAGateFromTheChecklist(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	id := atTheGate(t, m)
	openChecklist(m, id)
	press(m, "x")
	if got := screenText(m); !strings.Contains(got, "reject, because:") {
		t.Fatalf("x asks why:\n%s", got)
	}
	typeText(m, "the runbook names the wrong host")
	press(m, "enter")
	det, _ := m.c.Eng.Deployment(m.c.Ctx, m.c.Actor, id)
	if det.Status != models.StatusFailed && det.Status != models.StatusRolledBack {
		t.Fatalf("after the rejection #%d is %s", id, det.Status)
	}
	if got := screenText(m); !strings.Contains(got, "rejected") {
		t.Errorf("the footer should say what was done:\n%s", got)
	}
}

// A manager's g on a deployment a start would break asks for a reason, and shows what
// the reason answers whole (wrapped, even on a phone), not as placeholder text cut at
// the edge that typing hides.
func TestRunAnywayShowsWhatItOverrides(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	start, _ := models.ParseTime("2026-11-27 10:00", m.c.Eng.Location()) // a Friday morning: no window
	d, cs, err := m.c.Eng.Plan(m.c.Ctx, m.c.Actor, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "1", Environment: "production", Start: start, Assignee: "tom"})
	if err != nil || len(cs) == 0 {
		t.Fatalf("setup: %+v %v", cs, err)
	}
	_, cmd := m.Update(common.PushMsg{Page: pages.NewDetail(m.c, d.ID)})
	load(m, cmd)
	press(m, "r")
	press(m, "g")
	typeText(m, "the rack is here today")
	words := strings.Join(strings.Fields(screenText(m)), " ")
	if !strings.Contains(words, "run anyway, because: the rack is here today") ||
		!strings.Contains(words, "maintenance: production requires a maintenance window and none is open now") ||
		strings.Count(words, "maintenance:") != 1 { // the rule once, not again as the plan's conflict
		t.Fatalf("the reason prompt:\n%s", screenText(m))
	}
	// What else settles it, with no audit finding: moving it into a window.
	if !strings.Contains(words, "rather than override, esc and move it (m on its page)") {
		t.Fatalf("the reason prompt should say what to do rather than override:\n%s", screenText(m))
	}
	fits(t, m, "run anyway", 60, 20)
}

// The audit log with the deployments' events opens on whole entries and scrolls by
// entries: its first line is always an entry's own (its date), never the wrapped
// end of one above, at the bottom and scrolled up.
func TestAuditLogShowsWholeEntries(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	press(m, "5")
	press(m, "u")
	press(m, "e")
	entry := regexp.MustCompile(`^ \d\d [A-Z][a-z][a-z] \d\d:\d\d  `)
	for i := range 12 {
		lines := strings.Split(screenText(m), "\n")
		if len(lines) < 4 || !entry.MatchString(lines[3]) { // under the tabs, the heading and a blank line
			t.Fatalf("after %d ups, the log does not open on an entry:\n%s", i, screenText(m))
		}
		press(m, "up")
	}
	fits(t, m, "audit log", 60, 20)
}
