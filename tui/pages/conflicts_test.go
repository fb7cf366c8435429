package pages_test

import (
	tea "charm.land/bubbletea/v2"
	"ferry/tui/internal/tuitest"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/pages"
)

// withFreezeClash plans the SSO licence into production inside the year-end freeze:
// its only conflict is the freeze (the licence model's path is production alone).
func withFreezeClash(t *testing.T, m *Model) models.Deployment {
	t.Helper()
	mgr, _ := m.c.Eng.Person("ana")
	start, _ := models.ParseTime("2026-12-19 22:00", m.c.Eng.Location())
	d, cs, err := m.c.Eng.Plan(m.c.Ctx, mgr, engine.PlanRequest{Model: "licence-activation", Component: "sso-licence",
		Version: "2027", Environment: "production", Start: start, Duration: time.Hour})
	if err != nil || len(cs) != 1 || cs[0].Kind != "freeze" {
		t.Fatalf("setup: %+v %v", cs, err)
	}
	return d
}

func TestConflictsScreenResolveByMoving(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	d := withFreezeClash(t, m)
	press(m, "4")
	got := screenText(m)
	if !strings.Contains(got, "freeze") || !strings.Contains(got, `touches freeze "year end"`) {
		t.Fatalf("conflicts screen:\n%s", got)
	}
	// Select the freeze row and open the resolve panel.
	for i := 0; i < 10 && !strings.Contains(selectedRow(m), "freeze"); i++ {
		press(m, "down")
	}
	press(m, "enter")
	got = screenText(m)
	for _, want := range []string{"suggested", "✓ no conflicts there", "not free", "a move to suggestion"} {
		if !strings.Contains(got, want) {
			t.Fatalf("resolve panel lacks %q:\n%s", want, got)
		}
	}
	// Why nearer starts would not do: how many were in the freeze, from the wanted one.
	// In words ("passed 7 person" was a riddle), and the other free starts in the
	// order of the day.
	if !regexp.MustCompile(`not free +\d+ nearer starts in a freeze conflict`).MatchString(got) ||
		!regexp.MustCompile(` Sat 19 Dec 22:00: #\d+ touches freeze "year end"`).MatchString(got) ||
		!strings.Contains(got, "also free  Tue 15 Dec 22:00 · Tue 15 Dec 23:00 · Wed 16 Dec 00:00") {
		t.Fatalf("resolve panel does not count the starts the freeze took:\n%s", got)
	}
	press(m, "a")
	got = screenText(m)
	if !strings.Contains(got, "moved #") || strings.Contains(got, `touches freeze "year end"`) {
		t.Fatalf("after applying:\n%s", got)
	}
	moved, err := m.c.Eng.Deployment(m.c.Ctx, m.c.Actor, d.ID)
	// Out of the freeze (19 Dec – 4 Jan, Berlin), to the free start nearest the planned
	// one: before the freeze when that is nearer.
	inFreeze := moved.ScheduledEnd.After(time.Date(2026, 12, 18, 23, 0, 0, 0, time.UTC)) &&
		moved.ScheduledStart.Before(time.Date(2027, 1, 3, 23, 0, 0, 0, time.UTC))
	if err != nil || inFreeze || len(moved.Conflicts) != 0 {
		t.Fatalf("moved to %v with %+v", moved.ScheduledStart, moved.Conflicts)
	}
}

// openResolve puts the resolve panel of deployment id on top and waits for it.
func openResolve(m *Model, id int64) {
	_, cmd := m.Update(common.PushMsg{Page: pages.NewResolve(m.c, id)})
	load(m, cmd)
}

func selectedRow(m *Model) string {
	for _, l := range strings.Split(screenText(m), "\n") {
		if strings.HasPrefix(l, "▸") || strings.HasPrefix(l, " ▸") {
			return l
		}
	}
	return ""
}

// A deployment in several conflicts keeps its panel open after one is overridden,
// on the next still open, and says how many are left; the last override closes it.
// Each override closed the panel, and the manager had to find the deployment again.
func TestResolveOverridesOneAfterAnother(t *testing.T) {
	t.Parallel()
	m, d, cs := resolvingARackInConflicts(t)
	for left := engine.CountOpen(cs) - 1; left >= 0; left-- {
		if row := selectedRow(m); !strings.Contains(row, "✗") {
			t.Fatalf("%d left: the selected conflict should be an open one: %q\n%s", left+1, row, screenText(m))
		}
		press(m, "o")
		typeText(m, "the rack must be in before the audit")
		press(m, "enter")
		got := screenText(m)
		want := map[bool]string{true: fmt.Sprintf("; %d conflict", left), false: "; no conflicts left"}[left > 0]
		if !strings.Contains(got, fmt.Sprintf("of #%d%s", d.ID, want)) {
			t.Fatalf("the note should say how many are left (%d):\n%s", left, got)
		}
		if open := strings.Contains(got, fmt.Sprintf("resolve #%d", d.ID)); open != (left > 0) {
			t.Fatalf("%d left: the panel should stay open while some are:\n%s", left, got)
		}
		// The overridden one stays listed in the same columns as the open ones,
		// whose ID followed "✓ overridden" there; who and why come with its message.
		if left > 0 && !regexp.MustCompile(`(?m)^   ✓ c[0-9a-f]{7} +\w+ +overridden by ana: the rack must`).MatchString(got) {
			t.Fatalf("the overridden conflict in the columns of the others:\n%s", got)
		}
	}
}

// What is left is counted after the override: one another manager settled while the
// panel was open is not counted, and the last open one closes the panel.
func TestResolveCountsWhatIsLeftAfterTheOverride(t *testing.T) {
	t.Parallel()
	m, d, cs := resolvingARackInConflicts(t)
	selected := selectedRow(m)
	marc, _ := m.c.Eng.Person("marc")
	for _, c := range cs { // marc settles every other one, unseen by the panel
		if !strings.Contains(selected, c.ID) {
			if _, err := m.c.Eng.Override(m.c.Ctx, marc, c.ID, "accepted on the phone"); err != nil {
				t.Fatal(err)
			}
		}
	}
	press(m, "o")
	typeText(m, "the rack must be in before the audit")
	press(m, "enter")
	got := screenText(m)
	if !strings.Contains(got, "no conflicts left") || strings.Contains(got, fmt.Sprintf("resolve #%d", d.ID)) {
		t.Fatalf("marc's override settled the other: none is left and the panel closes:\n%s", got)
	}
	// With every conflict listed, each overridden one says who, as the CLI does.
	press(m, "4", "a")
	words := strings.Join(strings.Fields(screenText(m)), " ")
	for _, want := range []string{"overridden by marc: accepted on the phone", "overridden by ana: the rack must be in"} {
		if !strings.Contains(words, want) {
			t.Errorf("the Conflicts screen lacks %q:\n%s", want, screenText(m))
		}
	}
}

// resolvingARackInConflicts is ana's resolve panel on a rack she planned into
// production half an hour from now: in two open conflicts or more.
func resolvingARackInConflicts(t *testing.T) (*Model, models.Deployment, []models.Conflict) {
	t.Helper()
	m := sized(t, "ana", 120, 35)
	mgr, _ := m.c.Eng.Person("ana")
	d, cs, err := m.c.Eng.Plan(m.c.Ctx, mgr, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "1", Environment: "production", Start: now.Add(30 * time.Minute), Assignee: "tom"})
	if err != nil || engine.CountOpen(cs) < 2 {
		t.Fatalf("setup wants open conflicts: %+v %v", cs, err)
	}
	openResolve(m, d.ID)
	return m, d, cs
}

func TestResolveOverrideNeedsAReason(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	d := withFreezeClash(t, m)
	openResolve(m, d.ID)
	press(m, "o")
	if got := screenText(m); !strings.Contains(got, "reason:") {
		t.Fatalf("o should ask for a reason:\n%s", got)
	}
	press(m, "enter")
	if got := screenText(m); !strings.Contains(got, engine.NeedOverrideReason) {
		t.Fatalf("an empty reason must be refused:\n%s", got)
	}
	typeText(m, "licence must be live for the audit")
	press(m, "enter")
	if got := screenText(m); !strings.Contains(got, "overrode the freeze conflict c") || !strings.Contains(got, "no conflicts left") {
		t.Fatalf("after override:\n%s", got)
	}
	cs, _ := m.c.Eng.Conflicts(m.c.Ctx, m.c.Actor, engine.ConflictFilter{Deployment: d.ID})
	if len(cs) != 1 || cs[0].Status != "overridden" || cs[0].Reason != "licence must be live for the audit" {
		t.Fatalf("stored override: %+v", cs)
	}
}

// Besides the suggestion, m moves it where the person chooses: the edit form, its
// start field first, back on the panel once saved.
func TestResolveMovesItWhereYouChoose(t *testing.T) {
	t.Parallel()
	m := sized(t, "sam", 120, 35)
	d := withFreezeClash(t, m)
	openResolve(m, d.ID)
	press(m, "m")
	if got := screenText(m); !strings.Contains(got, fmt.Sprintf("#%d edit", d.ID)) || !strings.Contains(got, "Start") {
		t.Fatalf("m on the resolve panel should open the edit form:\n%s", got)
	}
}

func TestResolveHidesWhatThePersonMayNotDo(t *testing.T) {
	t.Parallel()
	m := sized(t, "sam", 120, 35) // a practitioner: may move, may not override
	d := withFreezeClash(t, m)
	openResolve(m, d.ID)
	got := screenText(m)
	if !strings.Contains(got, "a move to suggestion") || strings.Contains(got, "o override") {
		t.Fatalf("practitioner's keys:\n%s", got)
	}
	press(m, "o")
	if strings.Contains(screenText(m), "reason:") {
		t.Fatal("o must do nothing for a practitioner")
	}
}

// An analyst may resolve nothing: enter offers what it does for them, the page of
// the deployment that would move (its conflicts are there), where it offered
// "resolve" and opened a panel of keys all off.
func TestConflictsEnterOpensTheDeploymentForAnAnalyst(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 120, 35)
	d := withFreezeClash(t, m)
	press(m, "4")
	got := screenText(m)
	if !strings.Contains(got, "enter details") || strings.Contains(got, "enter resolve") {
		t.Fatalf("an analyst's footer offers the details:\n%s", got)
	}
	for i := 0; i < 10 && !strings.Contains(selectedRow(m), "freeze"); i++ {
		press(m, "down")
	}
	press(m, "enter")
	got = screenText(m)
	if !strings.Contains(got, fmt.Sprintf("› #%d", d.ID)) || strings.Contains(got, "suggested") {
		t.Fatalf("enter opens #%d's page, not the resolve panel:\n%s", d.ID, got)
	}
}

// TestConflictsScreenShowsABlockedVersion: a planned deployment of a version a
// manager blocked is listed as "blocked", with the block's reason whole.
func TestConflictsScreenShowsABlockedVersion(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	if _, err := m.c.Eng.BlockVersion(m.c.Ctx, m.c.Actor, "web-frontend", "7.3.1", "breaks checkout"); err != nil {
		t.Fatal(err)
	}
	press(m, "4")
	load(m, m.Top().Refresh())
	got := screenText(m)
	if !strings.Contains(got, "blocked ") || !strings.Contains(got, "web-frontend 7.3.1 is blocked (by ana: breaks checkout)") {
		t.Fatalf("conflicts screen:\n%s", got)
	}
}

// finishWithAClash plans a rack into production while #1 runs there (capacity 1):
// a clash nobody let #1 start against. Then #1 fails.
func finishWithAClash(t *testing.T, m *Model) models.Deployment {
	t.Helper()
	start, _ := models.ParseTime("2026-11-26 15:00", m.c.Eng.Location())
	d, _, err := m.c.Eng.Plan(m.c.Ctx, m.c.Actor, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "1", Environment: "production", Start: start, Assignee: "tom"})
	if err != nil {
		t.Fatal(err)
	}
	// #1 fails once the clash has begun: one that would begin only after it finished
	// never happened, and is not left unresolved.
	tuitest.ClockOf(t, m.c).Set(start.Add(10 * time.Minute))
	if _, err := m.c.Eng.Fail(m.c.Ctx, m.c.Actor, 1, "the disk did not spin up", false); err != nil {
		t.Fatal(err)
	}
	return d
}

// A conflict left open when its deployment finished shows, with all of them, as
// unresolved (not as overridden); one a manager let it start against was settled
// then, and says who and why.
func TestConflictsScreenShowsUnresolvedOnes(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	// #1 runs, started by ana outside production's maintenance windows; it fails.
	d := finishWithAClash(t, m)
	press(m, "4")
	press(m, "a")
	got := screenText(m)
	words := strings.Join(strings.Fields(got), " ")
	if !strings.Contains(words, "open, overridden and unresolved conflicts") ||
		!strings.Contains(words, fmt.Sprintf("! capacity Thu 26 Nov 15:10 #1 #%d unresolved at the finish — 2 deployments at once", d.ID)) ||
		!strings.Contains(words, "✓ maintenance Thu 26 Nov 12:05 #1 started anyway by ana: under way before the console opens — #1 (Thu 26 Nov") {
		t.Fatalf("all conflicts:\n%s", got)
	}
	if strings.Contains(got, "overridden:  —") || strings.Contains(got, "overridden: —") {
		t.Fatalf("a conflict shown as overridden without a reason:\n%s", got)
	}
}

// a pressed while the open conflicts are still loading: the list that comes in late
// is not shown under the heading of all of them.
func TestConflictsToggleWinsOverALateLoad(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	finishWithAClash(t, m)
	_, openLoad := m.Update(tea.KeyPressMsg{Code: '4', Text: "4"}) // its load not yet in
	press(m, "a")
	load(m, openLoad)
	if got := screenText(m); !strings.Contains(got, "open, overridden and unresolved") || !strings.Contains(got, "! capacity") {
		t.Fatalf("all conflicts after a late load of the open ones:\n%s", got)
	}
}

// Enter on a conflict opens the resolve panel on that conflict, so o overrides the
// one chosen, not the deployment's first.
func TestResolveOverridesTheChosenConflict(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	d, cs, err := m.c.Eng.Plan(m.c.Ctx, m.c.Actor, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "1", Environment: "production", Start: now.Add(30 * time.Minute), Assignee: "tom"})
	if err != nil || len(cs) < 2 {
		t.Fatalf("setup: %d conflicts, %v", len(cs), err)
	}
	// The person conflict: not the first of #6's, which the panel selected.
	i := slices.IndexFunc(cs, func(c models.Conflict) bool { return c.Kind == models.ConflictPerson })
	if i < 1 {
		t.Fatalf("setup: the person conflict should not be the first: %+v", cs)
	}
	chosen := cs[i]
	press(m, "4")
	for range 20 {
		if strings.Contains(selectedRow(m), "✗ person") {
			break
		}
		press(m, "down")
	}
	if !strings.Contains(selectedRow(m), "✗ person") {
		t.Fatalf("no row for %s (%+v):\n%s", chosen.ID, chosen, screenText(m))
	}
	press(m, "enter", "o")
	typeText(m, "the rack is booked for it")
	press(m, "enter")
	after, err := m.c.Eng.Conflicts(m.c.Ctx, m.c.Actor, engine.ConflictFilter{Deployment: d.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range after {
		if overridden := c.Status == "overridden"; overridden != (c.Key == chosen.Key) {
			t.Errorf("%s %s is %s; only %s should be overridden", c.ID, c.Kind, c.Status, chosen.ID)
		}
	}
}

// A conflict a manager let work start against is listed with the open ones, apart in
// the count, and marked as under way (▶), not as one waiting to be resolved (✗): its
// deployment runs, and moving nothing settles it now.
func TestConflictsMarksOneStartedAnywayAsUnderWay(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35) // #1 runs, started by ana outside production's maintenance windows
	press(m, "4")
	got := screenText(m)
	words := strings.Join(strings.Fields(got), " ")
	if !strings.Contains(words, "▶ maintenance Thu 26 Nov 13:05 #1 started anyway by ana") ||
		strings.Contains(words, "✗ maintenance") || !strings.Contains(words, "1 started anyway") {
		t.Fatalf("open conflicts:\n%s", got)
	}
}
