package pages_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/charmbracelet/x/exp/golden"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components/timeline"
	"ferry/tui/internal/tuitest"
	"ferry/tui/pages"
)

// scheduleModel is the test organisation (fixed clock Thu 26 Nov 2026 14:05 CET)
// with three more deployments in dev — #6 on Monday, #7 on Friday, and #8/#9, a
// person conflict for jon on Saturday — on the schedule screen.
func scheduleModel(t *testing.T, w, h int) *Model {
	t.Helper()
	return scheduleModelAs(t, "ana", w, h)
}

// scheduleModelAs is scheduleModel's Schedule as actor sees it.
func scheduleModelAs(t *testing.T, actor string, w, h int) *Model {
	t.Helper()
	c := newTestCommon(t, actor)
	mgr, _ := c.Eng.Config().FirstManager()
	loc := c.Eng.Location()
	for _, p := range []struct {
		comp, ver  string
		start      time.Time
		assignee   string
		wantConfls int
	}{
		{"web-frontend", "7.3.0", time.Date(2026, 11, 23, 10, 0, 0, 0, loc), "sam", 0},
		{"auth-service", "2.0.1", time.Date(2026, 11, 27, 9, 0, 0, 0, loc), "sam", 0},
		{"web-frontend", "7.3.2", time.Date(2026, 11, 28, 10, 0, 0, 0, loc), "jon", 0},
		{"payments-api", "4.13.0", time.Date(2026, 11, 28, 10, 15, 0, 0, loc), "jon", 1},
	} {
		_, cs := tuitest.PlanEarlier(t, c, mgr.Name, engine.PlanRequest{Model: "web-service", Component: p.comp, Version: p.ver,
			Environment: "dev", Start: p.start, Assignee: p.assignee})
		if len(cs) != p.wantConfls {
			t.Fatalf("plan %s: conflicts %+v", p.comp, cs)
		}
	}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	load(m, m.Top().Refresh())
	press(m, "3")
	return m
}

// schedPress sends keys that press does not know, such as the arrows.
func schedPress(m *Model, codes ...rune) {
	for _, code := range codes {
		_, cmd := m.Update(tea.KeyPressMsg{Code: code})
		load(m, cmd)
	}
}

func schedOf(m *Model) *scheduleScreen { return m.Top().(*scheduleScreen) }

// rowLine is the first line of the timeline row named name ("▸" marks the cursor's).
func schedRowLine(t *testing.T, text, name string) string {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, " "+name+" ") || strings.HasPrefix(l, "▸"+name+" ") {
			return l
		}
	}
	t.Fatalf("no row %q in\n%s", name, text)
	return ""
}

// schedCellOf is the glyph drawn at cell x of a line.
func schedCellOf(line string, x int) string {
	r := []rune(line)
	if x < 0 || x >= len(r) {
		return ""
	}
	return string(r[x])
}

func schedWantIn(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("screen lacks %q:\n%s", w, text)
		}
	}
}

func TestScheduleWeek(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 120, 35)
	got := screenText(m)
	schedWantIn(t, got, "Schedule · week 48 · 23–29 Nov 2026 · Europe/Berlin", "e environments  a people  d day  w week")
	// The header names the days Monday to Sunday, in order, in equal columns.
	lines := strings.Split(got, "\n")
	header := lines[2]
	last := -1
	for _, d := range []string{"Mon 23", "Tue 24", "Wed 25", "Thu 26", "Fri 27", "Sat 28", "Sun 29"} {
		i := strings.Index(header, d)
		if i <= last {
			t.Fatalf("header %q: %s at %d", header, d, i)
		}
		last = i
	}
	// One row per environment in promotion order; the cursor starts on what is
	// happening now: #5 in dev (13:35-14:20).
	var at []int
	for _, env := range []string{"dev", "test", "staging", "production"} {
		at = append(at, strings.Index(got, schedRowLine(t, got, env)))
	}
	for i := 1; i < len(at); i++ {
		if at[i] <= at[i-1] {
			t.Fatalf("rows out of order: %v", at)
		}
	}
	if l := schedRowLine(t, got, "dev"); !strings.HasPrefix(l, "▸dev") {
		t.Fatalf("the cursor should be on dev: %q", l)
	}
	schedWantIn(t, got, "#5 auth-service 2.0.0 → dev  sam  Thu 26 13:35–14:20  ○ planned  ⚠ overdue  ✓ no open conflicts", "CHG-2026-0042")
	// #1 (production, Thu 13:05-17:05, running outside a maintenance window, started
	// anyway by ana) is a bar with the running glyph where the layout says: the
	// conflict asks nothing more of it.
	s := schedOf(m)
	g := timeline.Layout(120, timeline.Week, s.From(), s.Loc(), s.NameWidth())
	x0, x1, _ := g.Span(models.Interval{Start: now.Add(-time.Hour), End: now.Add(3 * time.Hour)})
	prod := schedRowLine(t, got, "production")
	for x := x0; x < x1; x++ {
		want := "▶" // the now line too: it leaves a run under way in sight
		if c := schedCellOf(prod, g.Label+x); c != want {
			t.Fatalf("production cell %d is %q, want %s: %q", x, c, want, prod)
		}
	}
	if x1-x0 < 2 || schedCellOf(prod, g.Label+x0-1) != " " {
		t.Fatalf("the 4-hour bar: cells %d-%d in %q", x0, x1, prod)
	}
	// Friday afternoon is frozen in production.
	fri := g.Segs[4]
	if c := schedCellOf(prod, g.Label+fri.X+fri.W-1); c != "░" {
		t.Fatalf("Friday evening in production is %q: %q", c, prod)
	}
	// The caret points at the selected bar, and the legend explains the glyphs.
	dx, _, _ := g.Span(models.Interval{Start: now.Add(-30 * time.Minute), End: now.Add(15 * time.Minute)})
	caretRow := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == "^" {
			caretRow = i
		}
	}
	if caretRow < 0 || strings.Index(lines[caretRow], "^") != g.Label+dx {
		t.Fatalf("caret at line %d, want column %d:\n%s", caretRow, g.Label+dx, got)
	}
	schedWantIn(t, got, "█ planned", "▓ conflict", "░ freeze")
}

func TestScheduleMovesThroughDeployments(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 120, 35)
	step := func(code rune, want string) {
		t.Helper()
		schedPress(m, code)
		if got := screenText(m); !strings.Contains(got, want) {
			t.Fatalf("after %q want %q:\n%s", code, want, got)
		}
	}
	step(tea.KeyLeft, "#6 web-frontend 7.3.0 → dev  sam  Mon 23 10:00–10:45")
	step(tea.KeyRight, "#5 auth-service 2.0.0 → dev")
	step(tea.KeyRight, "#7 auth-service 2.0.1 → dev  sam  Fri 27 09:00–09:45")
	step(tea.KeyRight, "#8 web-frontend 7.3.2 → dev  jon  Sat 28 10:00–10:45  ○ planned  ✗ person conflict with #9")
	got := screenText(m)
	schedWantIn(t, got, "jon is booked on #8 and #9 at once", "· s resolve")
	// Both bars of the pair carry the conflict glyph (in two lanes, or as a count).
	s := schedOf(m)
	g := timeline.Layout(120, timeline.Week, s.From(), s.Loc(), s.NameWidth())
	loc := s.Loc()
	x, _, _ := g.Span(models.Interval{Start: time.Date(2026, 11, 28, 10, 0, 0, 0, loc), End: time.Date(2026, 11, 28, 10, 45, 0, 0, loc)})
	marks, inDev := 0, false
	for _, l := range strings.Split(got, "\n") {
		switch {
		case strings.HasPrefix(l, "▸dev "):
			inDev = true
		case !strings.HasPrefix(l, strings.Repeat(" ", g.Label)):
			inDev = false
		}
		if inDev && schedCellOf(l, g.Label+x) == "▓" {
			marks++
		}
	}
	if marks != 2 {
		t.Fatalf("want two ▓ bars at column %d in dev:\n%s", g.Label+x, got)
	}
	step(tea.KeyRight, "#9 payments-api 4.13.0 → dev  jon  Sat 28 10:15–11:00  ○ planned  ✗ person conflict with #8")
	step(tea.KeyLeft, "#8 web-frontend 7.3.2")
	// ↓ goes to test and selects what is nearest in time there: #4 on Thursday.
	step(tea.KeyDown, "#4 web-frontend 7.3.1 → test")
	if l := schedRowLine(t, screenText(m), "test"); !strings.HasPrefix(l, "▸test") {
		t.Fatalf("cursor row: %q", l)
	}
	// ↑ comes back to the same deployment, not just the same row.
	step(tea.KeyUp, "#8 web-frontend 7.3.2")
	// The selection survives refreshes, even when something new is planned before it.
	mgr, _ := m.c.Eng.Config().FirstManager()
	tuitest.PlanEarlier(t, m.c, mgr.Name, engine.PlanRequest{Model: "web-service", Component: "web-frontend",
		Version: "7.3.3", Environment: "dev", Start: time.Date(2026, 11, 24, 9, 0, 0, 0, loc)})
	load(m, s.Refresh())
	schedWantIn(t, screenText(m), "#8 web-frontend 7.3.2", "▸dev")
	// enter opens it; esc comes back to it.
	press(m, "enter")
	schedWantIn(t, screenText(m), "#8", "web-frontend", "Record")
	press(m, "esc")
	schedWantIn(t, screenText(m), "Schedule · week 48", "#8 web-frontend 7.3.2")
	// Past the last deployment of the row, → goes on into next week, which is empty.
	step(tea.KeyRight, "#9 payments-api")
	step(tea.KeyRight, "Nothing planned this week.")
	schedWantIn(t, screenText(m), "week 49 · 30 Nov – 06 Dec 2026")
	// ← comes back to the last one of the week before.
	step(tea.KeyLeft, "#9 payments-api")
	schedWantIn(t, screenText(m), "week 48")
}

// A cancelled deployment keeps its place in the Schedule with its own glyph, but it
// is not work: it is not counted where it overlaps another, and the legend names it.
// Without colour the legend still tells planned from running, by glyph.
func TestScheduleCancelledAndTheLegend(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 120, 8) // one lane a row: overlaps show as counts
	schedPress(m, tea.KeyRight, tea.KeyRight, tea.KeyRight)
	press(m, "d") // Saturday by the hour: #8 10:00-10:45, #9 10:15-11:00
	s := schedOf(m)
	g := timeline.Layout(120, timeline.Day, s.From(), s.Loc(), s.NameWidth())
	loc := s.Loc()
	x := g.CellAt(time.Date(2026, 11, 28, 10, 20, 0, 0, loc))
	// The stack of #8 and #9 starts with how many it holds; then the conflict.
	dev := schedRowLine(t, screenText(m), "dev")
	if c, next := schedCellOf(dev, g.Label+g.CellAt(time.Date(2026, 11, 28, 10, 0, 0, 0, loc))), schedCellOf(dev, g.Label+x); c != "2" || next != "▓" {
		t.Fatalf("#8 and #9 overlap: %q then %q, want 2 then ▓:\n%s", c, next, screenText(m))
	}
	mgr, _ := m.c.Eng.Config().FirstManager()
	if _, err := m.c.Eng.Cancel(m.c.Ctx, mgr, 9, "not this week"); err != nil {
		t.Fatal(err)
	}
	load(m, s.Refresh())
	got := screenText(m)
	if c := schedCellOf(schedRowLine(t, got, "dev"), g.Label+x); c != "█" {
		t.Fatalf("with #9 cancelled, #8 stands alone: cell %q, want █:\n%s", c, got)
	}
	// #9 ran on to 11:00, past #8: that stretch shows the cancelled glyph.
	x1 := g.CellAt(time.Date(2026, 11, 28, 10, 55, 0, 0, loc))
	if x1 <= x || x1 == g.CellAt(time.Date(2026, 11, 28, 10, 40, 0, 0, loc)) {
		t.Fatalf("the test needs #9's last minutes in a cell of their own (cells %d, %d)", x, x1)
	}
	if c := schedCellOf(schedRowLine(t, got, "dev"), g.Label+x1); c != "×" {
		t.Fatalf("cancelled #9: cell %q, want ×:\n%s", c, got)
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	got = screenText(m)
	schedWantIn(t, got, "█ planned  ▶ running  ▒ done  × cancelled  ▓ conflict")
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	got = screenText(m)
	legend := ""
	for _, l := range strings.Split(got, "\n") {
		if strings.HasPrefix(l, " █") {
			legend = l
		}
	}
	for _, w := range []string{"plan", "▶", "×", "now"} {
		if !strings.Contains(legend, w) || lipgloss.Width(legend) > 60 {
			t.Fatalf("the legend is whole at 60 wide (%q missing):\n%s", w, got)
		}
	}
}

func TestScheduleResolveOnlyPlannedConflicts(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 120, 35)
	s := schedOf(m)
	key := tea.KeyPressMsg{Code: 's', Text: "s"}
	if cmd := s.Update(key); cmd != nil {
		t.Fatalf("s on #5 (no conflict) should do nothing, got %T", cmd())
	}
	schedWantIn(t, s.View(), "#5 is in no open conflict")
	schedPress(m, tea.KeyRight, tea.KeyRight) // #7, then #8
	if s.Sel() != 8 {
		t.Fatalf("selected #%d", s.Sel())
	}
	cmd := s.Update(key)
	if cmd == nil {
		t.Fatal("s on #8 should open the resolve panel")
	}
	if msg, ok := cmd().(common.PushMsg); !ok || msg.Page.Title() != "resolve #8" {
		t.Fatalf("s on #8: %#v", cmd())
	}
	// #1 runs: it cannot be moved any more.
	schedPress(m, tea.KeyDown, tea.KeyDown, tea.KeyDown)
	if s.Sel() != 1 {
		t.Fatalf("selected #%d in production", s.Sel())
	}
	if cmd := s.Update(key); cmd != nil {
		t.Fatal("s on a running deployment should do nothing")
	}
	schedWantIn(t, s.View(), "#1 is already running: only planned deployments can be moved")
}

// TestScheduleResolveRefusesAnAnalystFirst: an analyst moves no deployment, so s
// says that, on a running one too; "#1 is already running" sent her to try a planned
// one, to be refused again. The reason is the engine's (WhyNoMove), as the CLI's.
func TestScheduleResolveRefusesAnAnalystFirst(t *testing.T) {
	t.Parallel()
	m := scheduleModelAs(t, "kim", 120, 35)
	s := schedOf(m)
	key := tea.KeyPressMsg{Code: 's', Text: "s"}
	schedPress(m, tea.KeyRight, tea.KeyRight, tea.KeyDown, tea.KeyDown, tea.KeyDown)
	if s.Sel() != 1 {
		t.Fatalf("selected #%d in production", s.Sel())
	}
	if cmd := s.Update(key); cmd != nil {
		t.Fatal("s on a running deployment should do nothing")
	}
	got := s.View()
	schedWantIn(t, got, "kim (analyst) may not reschedule deployment #1: analysts have read-only access")
	if strings.Contains(got, "already running") {
		t.Errorf("the role comes before the state:\n%s", got)
	}
	// On a plan in conflict too: the panel would have had every key off.
	schedPress(m, tea.KeyUp, tea.KeyUp, tea.KeyUp)
	if s.Sel() != 8 {
		t.Fatalf("selected #%d", s.Sel())
	}
	if cmd := s.Update(key); cmd != nil {
		t.Fatalf("s on #8 as an analyst should open nothing, got %T", cmd())
	}
	schedWantIn(t, s.View(), "kim (analyst) may not reschedule deployment #8")
	// The deployment page's resolve key says the same of #1.
	schedPress(m, tea.KeyDown, tea.KeyDown, tea.KeyDown, tea.KeyEnter)
	press(m, "?")
	got = strings.Join(strings.Fields(screenText(m)), " ")
	if !strings.Contains(got, "resolve conflicts — kim (analyst) may not reschedule deployment #1") || strings.Contains(got, "only planned") {
		t.Errorf("#1's page: the resolve key's reason is the role:\n%s", screenText(m))
	}
}

func TestScheduleZoomAndPeriods(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 120, 35)
	press(m, "d")
	got := screenText(m)
	schedWantIn(t, got, "Schedule · Thu 26 Nov 2026", "#5 auth-service 2.0.0 → dev")
	header := strings.Split(got, "\n")[2]
	if !strings.Contains(header, "00  01  02") || !strings.Contains(header, "23") || strings.Contains(header, "Mon") {
		t.Fatalf("day header: %q", header)
	}
	// In the day view a long bar has room for its component.
	schedWantIn(t, schedRowLine(t, got, "production"), "▶rack-b07-db-se…▶")
	press(m, "]")
	schedWantIn(t, screenText(m), "Schedule · Fri 27 Nov 2026", "#7 auth-service 2.0.1")
	press(m, "w")
	schedWantIn(t, screenText(m), "week 48", "#7 auth-service 2.0.1")
	press(m, "]")
	got = screenText(m)
	schedWantIn(t, got, "week 49 · 30 Nov – 06 Dec 2026", "Mon 30", "Tue 01", "Sun 06",
		"Nothing planned this week. ] next week · p plans one")
	press(m, "[", "[")
	schedWantIn(t, screenText(m), "week 47 · 16–22 Nov 2026")
	press(m, "t")
	schedWantIn(t, screenText(m), "week 48", "#5 auth-service 2.0.0")
}

func TestScheduleDropsStaleLoads(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 120, 35)
	s := schedOf(m)
	stale := s.Refresh() // a load of week 48 still on its way...
	press(m, "]")        // ...when the user moves to week 49
	load(m, stale)
	if got := screenText(m); !strings.Contains(got, "week 49") || !strings.Contains(got, "Nothing planned this week") {
		t.Fatalf("a stale load replaced the week:\n%s", got)
	}
}

func TestSchedulePeopleRows(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 120, 35)
	press(m, "a")
	got := screenText(m)
	// People with work this week, in config order; the cursor follows #5 to sam.
	for _, who := range []string{"sam", "jon", "tom"} {
		schedRowLine(t, got, who)
	}
	if strings.Contains(got, " kim ") || !strings.HasPrefix(schedRowLine(t, got, "sam"), "▸sam") {
		t.Fatalf("people rows:\n%s", got)
	}
	schedWantIn(t, got, "#5 auth-service 2.0.0 → dev")
	press(m, "e")
	if !strings.HasPrefix(schedRowLine(t, screenText(m), "dev"), "▸dev") {
		t.Fatalf("back to environments:\n%s", screenText(m))
	}
}

func TestScheduleFitsThePhone(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 60, 20)
	check := func(name string) {
		t.Helper()
		text := screenText(m)
		lines := strings.Split(text, "\n")
		if len(lines) != 20 {
			t.Errorf("%s: %d lines, want 20:\n%s", name, len(lines), text)
		}
		for i, l := range lines {
			if w := lipgloss.Width(l); w > 60 {
				t.Errorf("%s: line %d is %d cells wide: %q", name, i, w, l)
			}
		}
	}
	check("week")
	schedWantIn(t, screenText(m), "Mo 23", "Su 29", " production ", "#5 auth-service 2.0.0 → dev")
	schedPress(m, tea.KeyRight, tea.KeyRight, tea.KeyRight)
	check("week, a conflict selected")
	press(m, "d")
	check("day")
	press(m, "a")
	check("people")
	press(m, "?")
	check("full help")
	press(m, "?", "]", "]")
	check("empty")
}

// Keys pressed faster than a period loads act on the period the user will see.
func TestScheduleKeysPressedWhileLoading(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 120, 35)
	mgr, _ := m.c.Eng.Config().FirstManager()
	loc := m.c.Eng.Location()
	for i, day := range []int{1, 2} { // #10 Tue 1 Dec, #11 Wed 2 Dec in dev
		if _, _, err := m.c.Eng.Plan(m.c.Ctx, mgr, engine.PlanRequest{Model: "web-service", Component: "auth-service",
			Version: "2.1." + string(rune('0'+i)), Environment: "dev", Start: time.Date(2026, 12, day, 10, 0, 0, 0, loc)}); err != nil {
			t.Fatal(err)
		}
	}
	schedPress(m, tea.KeyRight, tea.KeyRight, tea.KeyRight) // #7, #8, #9: the last of the week
	s := schedOf(m)
	if s.Sel() != 9 {
		t.Fatalf("selected #%d", s.Sel())
	}
	right := tea.KeyPressMsg{Code: tea.KeyRight}
	_, first := m.Update(right)  // loads week 49...
	_, second := m.Update(right) // ...and this one waits for it
	if second != nil {
		t.Fatal("a step during a load should wait for it")
	}
	load(m, first)
	if got := screenText(m); s.Sel() != 11 || !strings.Contains(got, "week 49") || !strings.Contains(got, "#11 auth-service 2.1.1") {
		t.Fatalf("want #11 in week 49, got #%d:\n%s", s.Sel(), got)
	}
	// Its day in two digits, as the dashboard writes it: "Wed 02", not "Wed 2".
	schedWantIn(t, screenText(m), "#11 auth-service 2.1.1 → dev", "Wed 02 10:00–10:45", "Tue 01", "Wed 02")
}

// TestScheduleSaysARunIsInterrupted: the selected deployment's status reads as on
// History and the dashboard: "⏸ interrupted" when its runner died, and only then.
func TestScheduleSaysARunIsInterrupted(t *testing.T) {
	t.Parallel()
	c := newDemoCommon(t, "ana", 400)
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	press(m, "3")
	load(m, m.Top().Refresh())
	s := schedOf(m)
	var running []models.Deployment
	for _, d := range s.Timeline().Deployments {
		if d.Status.Running() {
			running = append(running, d)
		}
	}
	stopped, err := c.Eng.Interrupted(c.Ctx, running)
	if err != nil || len(stopped) == 0 || len(stopped) == len(running) {
		t.Fatalf("this week should have interrupted and other running deployments: %v of %d (%v)", stopped, len(running), err)
	}
	for _, d := range running {
		s.Select(d.ID)
		line := lineWith(screenText(m), fmt.Sprintf("#%d %s", d.ID, d.Component))
		if got := strings.Contains(line, "⏸ interrupted"); got != stopped[d.ID] {
			t.Errorf("#%d interrupted %v, the schedule says: %q", d.ID, stopped[d.ID], line)
		}
	}
}

// TestScheduleSaysAConflictWasStartedAnyway: the selected deployment's conflict says
// when a manager let it start against it, as the Conflicts screen does.
func TestScheduleSaysAConflictWasStartedAnyway(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 120, 35)
	s := schedOf(m)
	s.Select(1) // under way, started by ana outside production's maintenance windows
	if got := screenText(m); !strings.Contains(strings.Join(strings.Fields(got), " "), "started anyway by ana: under way before the console opens — #1") {
		t.Fatalf("#1's conflict on the schedule:\n%s", got)
	}
}

// A run under way stays in sight where the now line crosses it: an hour's run is
// one cell of the week, the now line's, and the line hid it (two runs in a row
// read "│" and nothing). The line goes on through the rows beside, by environment
// as by person. #1 in production, under way against a conflict a manager let it
// start against, is drawn running (▶), not in conflict (▓).
func TestScheduleNowLineLeavesRunsInSight(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 120, 35)
	mgr, _ := m.c.Eng.Config().FirstManager()
	for _, p := range []struct{ comp, ver, who string }{{"payments-api", "4.12.1", "lea"}, {"web-frontend", "7.3.2", "jon"}} {
		d, _ := tuitest.PlanEarlier(t, m.c, "ana", engine.PlanRequest{Model: "web-service", Component: p.comp, Version: p.ver,
			Environment: "dev", Start: now.Add(-15 * time.Minute), Duration: 30 * time.Minute, Assignee: p.who})
		if _, err := m.c.Eng.Start(m.c.Ctx, mgr, d.ID, "a short run"); err != nil {
			t.Fatal(err)
		}
	}
	// Thursday's column of the timeline, row by row, from the row named first.
	thursday := func(first string) string {
		lines := strings.Split(screenText(m), "\n")
		x := strings.Index(lines[2], "Thu 26")
		var out []string
		for _, l := range lines[3:] {
			if strings.Contains(l, "^") {
				break
			}
			r := []rune(l)
			out = append(out, strings.TrimRight(string(r[:12])+"…"+string(r[x:x+15]), " "))
		}
		if !strings.HasPrefix(strings.TrimLeft(out[0], " ▸"), first) {
			t.Fatalf("the rows should start with %s:\n%s", first, screenText(m))
		}
		return strings.Join(out, "\n")
	}
	press(m, "ctrl+r")
	want := strings.Join([]string{
		"▸dev        …        █",
		"            …        ▶",
		"            …        ▶",
		" test       …        │ ▓▓",
		" staging    …       ▒│ ▓",
		" production …        ▶▶▶",
	}, "\n")
	if got := thursday("dev"); got != want {
		t.Errorf("by environment, Thursday\ngot\n%s\nwant\n%s", got, want)
	}
	press(m, "a")
	want = strings.Join([]string{
		"▸sam        …       ▒│ ▓",
		"            …        █ ▓▓",
		" jon        …        ▶",
		"            …        │",
		" lea        …        ▶",
		" tom        …        ▶▶▶",
	}, "\n")
	if got := thursday("sam"); got != want {
		t.Errorf("by person, Thursday\ngot\n%s\nwant\n%s", got, want)
	}
}

// TestScheduleDetailWrapsIntoFreeLines pictures the selected deployment's detail
// where the rows leave lines over: its conflict message wraps into them whole, not
// cut after a line, and the legend stays on the same line whatever is selected
// (go test -update rewrites testdata/TestScheduleDetailWrapsIntoFreeLines/*.golden).
func TestScheduleDetailWrapsIntoFreeLines(t *testing.T) {
	t.Parallel()
	for _, sz := range [][2]int{{120, 35}, {60, 20}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := scheduleModel(t, sz[0], sz[1])
			s := schedOf(m)
			legendAt := func() int {
				for i, l := range strings.Split(screenText(m), "\n") {
					if strings.Contains(l, "freeze") && strings.Contains(l, "now") {
						return i
					}
				}
				return -1
			}
			s.Select(8) // planned, in a person conflict: a short message
			at := legendAt()
			s.Select(1) // running against production's maintenance windows: a long one
			got := screenText(m)
			schedWantIn(t, strings.Join(strings.Fields(got), " "),
				"is not inside a maintenance window of production (Tue 22:00 - Wed 02:00, Sat 22:00 - Sun 04:00)")
			if strings.Contains(got, "…\n") || strings.Contains(got, "… \n") {
				t.Errorf("the detail is cut although lines are free:\n%s", got)
			}
			if l := legendAt(); l != at || at < 0 {
				t.Errorf("the legend moved from line %d to %d with the selection", at, l)
			}
			golden.RequireEqual(t, []byte(got))
		})
	}
}

// TestScheduleDetailCutBetweenWords: where the rows leave the detail too few lines
// for a long conflict message (a phone with four rows of lanes), the message is
// wrapped into what there is and ends between two words with … and the key that
// shows it whole; it was cut in a word, and nothing said where the rest was. A
// planned one still says s resolves it.
func TestScheduleDetailCutBetweenWords(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 60, 16)
	s := schedOf(m)
	s.Select(1) // running against production's maintenance windows: a long message
	got := screenText(m)
	fits(t, m, "schedule, cut detail", 60, 16)
	const whole = "started anyway by ana: under way before the console opens — #1 (Thu 26 Nov 13:05–17:05) " +
		"is not inside a maintenance window of production (Tue 22:00 - Wed 02:00, Sat 22:00 - Sun 04:00)"
	line := strings.TrimSpace(lineWith(got, "started anyway"))
	shown, ok := strings.CutSuffix(line, " … enter shows all")
	if !ok || shown == "" || !strings.HasPrefix(whole, shown+" ") {
		t.Fatalf("the message should end between two words with … and the key that shows it whole, got %q:\n%s", line, got)
	}
	if lineWith(got, "is not inside") != "" || strings.Count(got, "…") != 1 {
		t.Fatalf("the detail should keep to its lines, cut once:\n%s", got)
	}

	// Narrower still, a planned one in conflict: the words that fit, …, and s.
	m = scheduleModel(t, 40, 16)
	schedOf(m).Select(8)
	got = screenText(m)
	fits(t, m, "schedule, cut detail of a planned one", 40, 16)
	line = strings.TrimSpace(lineWith(got, "jon is"))
	if shown, ok := strings.CutSuffix(line, " … enter shows all · s resolve"); !ok ||
		!strings.HasPrefix("jon is booked on #8 and #9 at once (Sat 28 Nov 10:15–10:45)", shown+" ") {
		t.Fatalf("a cut planned one should end with … enter shows all · s resolve, got %q:\n%s", line, got)
	}
}

// TestScheduleStartedAnywayIsSettled: by person as by environment, a running
// deployment's conflict a manager started it against says so (who and why) and is
// marked ▶ (under way against it) as on the Conflicts screen, not with the red ✗ of
// an open one.
func TestScheduleStartedAnywayIsSettled(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 120, 35)
	for _, rows := range []string{"e", "a"} {
		press(m, rows)
		schedOf(m).Select(1)
		got := screenText(m)
		line := lineWith(got, "maintenance conflict")
		if !strings.Contains(line, "▶ maintenance conflict") || strings.Contains(line, "✗") {
			t.Errorf("rows %q: the conflict started against is not marked settled: %q", rows, line)
		}
		schedWantIn(t, strings.Join(strings.Fields(got), " "), "started anyway by ana: under way before the console opens")
	}
	schedOf(m).Select(8) // an open one still reads ✗
	if line := lineWith(screenText(m), "person conflict"); !strings.Contains(line, "✗ person conflict") {
		t.Errorf("an open conflict: %q", line)
	}
}

// TestScheduleScrollsToTheSelectedRow: on a screen too short for every row, ↓ and ↑
// scroll the rows so the selected one stays in sight, and the title says which are
// shown; a resize keeps it in sight too.
func TestScheduleScrollsToTheSelectedRow(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 60, 11)
	selected := func() string {
		t.Helper()
		for _, l := range strings.Split(screenText(m), "\n") {
			if strings.HasPrefix(l, " ▸") || strings.HasPrefix(l, "▸") {
				return strings.Fields(strings.TrimLeft(l, " ▸"))[0]
			}
		}
		t.Fatalf("no selected row in sight:\n%s", screenText(m))
		return ""
	}
	if got := screenText(m); !strings.Contains(got, " of 4") {
		t.Fatalf("11 lines hold fewer than the 4 environments, and say which are shown:\n%s", got)
	}
	var seen []string
	for range 4 {
		seen = append(seen, selected())
		press(m, "down")
	}
	if want := []string{"dev", "test", "staging", "production"}; !slices.Equal(seen, want) {
		t.Fatalf("↓ went through %v, want %v", seen, want)
	}
	press(m, "up", "up", "up")
	if got := selected(); got != "dev" {
		t.Fatalf("↑ back to the first row shows it: %s", got)
	}
	press(m, "down", "down", "down")
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 10})
	if got := selected(); got != "production" {
		t.Fatalf("a shorter screen keeps the selected row in sight: %s", got)
	}
}

// TestScheduleSaysAPlanIsOverdue: the selected deployment's status reads as on its
// page and My work: "⚠ overdue" of a plan whose start passed (#5, due half an hour
// ago), "⌛ overrunning" of a run past its window, by the engine's rule, and neither
// of the others. It said only "○ planned" of #5. On a phone too.
func TestScheduleSaysAPlanIsOverdue(t *testing.T) {
	t.Parallel()
	for _, w := range []int{120, 60} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			t.Parallel()
			m := scheduleModel(t, w, 20)
			s := schedOf(m)
			overdue := 0
			for _, d := range s.Timeline().Deployments {
				s.Select(d.ID)
				detail := strings.Join(strings.Fields(screenText(m)), " ")
				if got, want := strings.Contains(detail, "⚠ overdue"), m.c.Eng.Overdue(d); got != want {
					t.Errorf("#%d overdue %v, the schedule says:\n%s", d.ID, want, screenText(m))
				} else if got {
					overdue++
				}
				if got, want := strings.Contains(detail, "⌛ overrunning"), m.c.Eng.Overrunning(d); got != want {
					t.Errorf("#%d overrunning %v, the schedule says:\n%s", d.ID, want, screenText(m))
				}
			}
			if overdue == 0 {
				t.Error("#5 is overdue: the schedule never said so")
			}
		})
	}
}

// TestScheduleOverridesTheSelectedConflict: o on the Schedule, as screens.md has it,
// overrides the selected deployment's conflict: the resolve panel opens on it asking
// for the reason (the override is the engine's, kept as an audit finding), and
// enter does it. Off, with why, for a deployment in no conflict and for one who may
// not override. On a phone too.
func TestScheduleOverridesTheSelectedConflict(t *testing.T) {
	t.Parallel()
	for _, sz := range [][2]int{{120, 35}, {60, 20}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			t.Parallel()
			m := scheduleModel(t, sz[0], sz[1])
			s := schedOf(m)
			s.Select(7) // no conflict
			press(m, "o")
			if got := screenText(m); !strings.Contains(got, "#7 is in no open conflict") || strings.Contains(got, "reason:") {
				t.Fatalf("o on #7 should say why not:\n%s", got)
			}
			s.Select(8) // a person conflict with #9
			press(m, "o")
			fits(t, m, "the override's reason", sz[0], sz[1])
			if got := screenText(m); !strings.Contains(got, "Override") || !strings.Contains(got, "reason:") ||
				!strings.Contains(got, "resolve #8") {
				t.Fatalf("o on #8 should ask for the override's reason:\n%s", got)
			}
			typeText(m, "jon does one after the other")
			press(m, "enter")
			open, err := m.c.Eng.Conflicts(m.c.Ctx, m.c.Actor, engine.ConflictFilter{Deployment: 8, OpenOnly: true})
			if err != nil || len(open) != 0 {
				t.Fatalf("#8's conflicts after the override: %+v %v", open, err)
			}
			if got := screenText(m); !strings.Contains(got, "overrode the person conflict") || !strings.Contains(got, "Schedule · week 48") {
				t.Fatalf("after the override, the schedule and what was done:\n%s", got)
			}
		})
	}
	m := sized(t, "sam", 120, 35) // a practitioner
	press(m, "3")
	load(m, m.Top().Refresh())
	schedOf(m).Select(1) // in production's maintenance conflict
	want := "o override its conflict — sam (practitioner) may not override conflicts"
	if got := strings.Join(strings.Fields(fullHelp(m)), " "); !strings.Contains(got, want) {
		t.Fatalf("the full help should say why o is off:\n%s", got)
	}
}

// TestOverrideOfAConflictGoneMeanwhile: o was pressed on #8's conflict, which was
// settled before the panel read it. The panel must not ask for a reason for another
// of its conflicts (the reason would be kept on the wrong one): it says so instead.
func TestOverrideOfAConflictGoneMeanwhile(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 120, 35)
	_, cmd := m.Update(common.PushMsg{Page: pages.NewResolveOverriding(m.c, 8, "person:8,9:settled-meanwhile")})
	load(m, cmd)
	got := screenText(m)
	if !strings.Contains(got, "that conflict is no longer open") || strings.Contains(got, "reason:") {
		t.Fatalf("the panel should say the conflict is gone, not ask for a reason:\n%s", got)
	}
}

// TestScheduleSelectsWhatWasJustPlanned: a plan made with p from the Schedule, in a
// later week, takes the Schedule to that week with it selected.
func TestScheduleSelectsWhatWasJustPlanned(t *testing.T) {
	t.Parallel()
	m := scheduleModel(t, 120, 35)
	s := schedOf(m)
	ana, _ := m.c.Eng.Person("ana")
	d, _, err := m.c.Eng.Plan(m.c.Ctx, ana, engine.PlanRequest{Model: "documentation", Component: "web-runbook",
		Version: "9.9", Environment: "staging", Start: now.Add(15 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	_, cmd := m.Update(common.PushMsg{Page: pages.NewPlan(m.c)})
	load(m, cmd)
	loadInOrder(m, common.DonePlanned(fmt.Sprintf("planned #%d", d.ID), d))
	if s.Sel() != d.ID || !s.From().Before(d.ScheduledStart) || s.From().Add(7*24*time.Hour).Before(d.ScheduledStart) {
		t.Fatalf("after planning #%d for %v the Schedule shows the week of %v with #%d selected", d.ID, d.ScheduledStart, s.From(), s.Sel())
	}
	if got := screenText(m); !strings.Contains(got, fmt.Sprintf("#%d web-runbook 9.9", d.ID)) {
		t.Fatalf("its detail should be under the timeline:\n%s", got)
	}
}
