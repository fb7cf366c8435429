package pages_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/internal/tuitest"
)

func TestTechnicianStartsOnMyWork(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	got := screenText(m)
	for _, want := range []string{"My work (1)", "2 History", "#1 rack-b07-db-server 1 → production",
		"0/15", "in progress", "window Thu 26 Nov 13:05–17:05", "enter opens its checklist"} {
		if !strings.Contains(got, want) {
			t.Errorf("My work lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"Dashboard", "Schedule", "Conflicts", "payments-api"} {
		if strings.Contains(got, not) {
			t.Errorf("a technician's console shows %q:\n%s", not, got)
		}
	}
	fits(t, m, "my work", 60, 20)
	// The checklist's keys pressed here say where they work, and do nothing else.
	press(m, "space")
	if got := screenText(m); !tuitest.Whole(got, "these work in a deployment's checklist: enter opens the selected one's") ||
		strings.Contains(got, "checklist #1") {
		t.Fatalf("space on My work should say where it ticks:\n%s", got)
	}
	if v, _ := m.c.Eng.View(m.c.Ctx, m.c.Actor, 1, engine.ViewRequest{}); v.Run.Steps[0].Status != models.StepPending {
		t.Fatalf("space on My work ticked item 1: %s", v.Run.Steps[0].Status)
	}
	press(m, "enter")
	if got := screenText(m); !strings.Contains(got, "checklist #1") || !strings.Contains(got, "Delivery complete") {
		t.Fatalf("enter should open the checklist:\n%s", got)
	}
	fits(t, m, "checklist from my work", 60, 20)
}

func TestMyWorkShowsBlocked(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	c := m.c
	if _, err := c.Eng.BlockStep(c.Ctx, c.Actor, 1, 1, "boxes missing"); err != nil {
		t.Fatal(err)
	}
	load(m, m.Top().Refresh())
	got := screenText(m)
	for _, want := range []string{"BLOCKED", "BLOCKED boxes missing · step 1 Delivery"} {
		if !strings.Contains(got, want) {
			t.Errorf("My work lacks %q:\n%s", want, got)
		}
	}
	fits(t, m, "my work blocked", 60, 20)
}

func TestOthersKeepTheFullConsole(t *testing.T) {
	t.Parallel()
	for _, who := range []string{"ana", "sam", "kim"} {
		m := sized(t, who, 120, 30)
		got := screenText(m)
		if strings.Contains(got, "My work") || !strings.Contains(got, "Conflicts") {
			t.Errorf("%s's console:\n%s", who, got)
		}
	}
}

// My work says what each deployment waits for (an approval, by whom), marks the ones
// in trouble (a freeze, a clash), and dates a window outside this month with its
// month. #1's conflict is one ana let it start against: under way, nothing more is
// asked of it, so My work marks it ▶ as its page does (engine.SettledFor), not ✗.
func TestMyWorkSaysWhatStandsInTheWay(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "tom")
	ana, _ := c.Eng.Person("ana")
	loc := c.Eng.Location()
	for _, start := range []time.Time{
		time.Date(2026, 11, 27, 15, 0, 0, 0, loc), // Friday afternoon: production is frozen
		time.Date(2026, 12, 5, 22, 0, 0, 0, loc),  // next month, a Saturday night
		time.Date(2027, 1, 9, 22, 0, 0, 0, loc),   // next year
		time.Date(2027, 7, 10, 22, 0, 0, 0, loc),  // next year, further
	} {
		if _, _, err := c.Eng.Plan(c.Ctx, ana, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
			Version: start.Format("0102"), Environment: "production", Start: start, Assignee: "tom"}); err != nil {
			t.Fatal(err)
		}
	}
	// #1 goes as far as its gate: every checklist item before it is ticked.
	res, err := c.Eng.RunState(c.Ctx, c.Actor, 1)
	if err != nil {
		t.Fatal(err)
	}
	for w := res.Waiting; w != nil && w.Kind == engine.WaitTick; {
		out, err := c.Eng.TickStep(c.Ctx, c.Actor, 1, w.Seq, "")
		if err != nil {
			t.Fatal(err)
		}
		w = out.Waiting
		if w != nil && w.Kind == engine.WaitApproval {
			break
		}
	}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	load(m, m.Top().Refresh())
	got := screenText(m)
	for _, row := range [][]string{
		{"#1 rack-b07-db-server 1 → production", "12/15", "waiting for approval by marc"},
		{"#6 ", "✗ freeze", "Fri 27 15:00"},
		{"#7 ", "Sat 05 Dec 22:00"},
		{"#8 ", "Sat 09 Jan 2027 22:00"},
		{"#9 ", "Sat 10 Jul 2027 22:00"},
	} {
		line := myworkRow(got, row[0])
		for _, want := range row[1:] {
			if !strings.Contains(line, want) {
				t.Errorf("the row of %s lacks %q: %q\n%s", row[0], want, line, got)
			}
		}
	}
	for _, id := range []string{"#1 ", "#7 "} { // #1's conflict is settled for it; #7 is in none
		if strings.Contains(myworkRow(got, id), "✗") {
			t.Errorf("%sasks nothing more:\n%s", id, got)
		}
	}
	for _, want := range []string{"waiting for approval by marc · step 13 Go-live approval",
		"▶ maintenance #1 (Thu 26 Nov 13:05–17:05) is not inside a maintenance window of production"} {
		if !strings.Contains(got, want) {
			t.Errorf("the summary of #1 lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "in progress") {
		t.Errorf("#1 waits for an approval, it is not just in progress:\n%s", got)
	}
	// On a phone the row says "approval" and marks trouble with ✗; the summary of the
	// selected one says whom it waits for and what the conflicts are.
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	got = screenText(m)
	if l := myworkRow(got, "#1 rack-b07-db-server 1 → "); strings.Contains(l, "✗") || !strings.Contains(l, "approval") {
		t.Errorf("#1 on a phone: %q\n%s", l, got)
	}
	if l := myworkRow(got, "#6 "); !strings.Contains(l, "✗") {
		t.Errorf("#6 on a phone, in a freeze: %q\n%s", l, got)
	}
	for _, want := range []string{"waiting for approval by marc", "▶ maintenance", "05 Dec 22:00", "10 Jul 2027"} { // in the column's 12 cells
		if !strings.Contains(got, want) {
			t.Errorf("My work at 60 lacks %q:\n%s", want, got)
		}
	}
	fits(t, m, "my work", 60, 20)
	// #8: its summary's window has the year its row has, whole on its line at 60,
	// not split at its dash; its state, with no room beside it, goes by the checklist.
	press(m, "j", "j", "j")
	if got := screenText(m); !strings.Contains(got, "window Sat 09 Jan 2027 22:00 – Sun 10 Jan 2027 02:00") ||
		!strings.Contains(got, "checklist ░░░░░ 0/15 · planning") {
		t.Errorf("the summary of #8 should say its window with its year:\n%s", got)
	}
}

// TestMyWorkWritesDaysAsTheConsoleDoes: a day reads "Thu 03" on My work, the
// day of the month in two digits as the dashboard, the Schedule and the header
// write it; My work wrote "Thu 3" under a header and beside screens that said "Thu 03".
func TestMyWorkWritesDaysAsTheConsoleDoes(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "tom")
	ana, _ := c.Eng.Person("ana")
	loc := c.Eng.Location()
	if _, _, err := c.Eng.Plan(c.Ctx, ana, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "1", Environment: "production", Start: time.Date(2026, 12, 3, 22, 0, 0, 0, loc), Assignee: "tom"}); err != nil {
		t.Fatal(err)
	}
	tuitest.ClockOf(t, c).Set(time.Date(2026, 12, 1, 9, 0, 0, 0, loc)) // Tuesday: #6 is this month, not today
	for _, w := range []int{120, 60} {
		m := New(c)
		m.Update(tea.WindowSizeMsg{Width: w, Height: 20})
		load(m, m.Top().Refresh())
		got := screenText(m)
		if row := myworkRow(got, "#6 "); !strings.Contains(row, "Thu 03 22:00") {
			t.Errorf("%d wide: the row of #6 should say Thu 03 22:00: %q\n%s", w, row, got)
		}
		if w == 120 && !strings.Contains(got, "Tue 01 Dec 09:00 CET") {
			t.Errorf("the header should say Tue 01 Dec:\n%s", got)
		}
		press(m, "j") // #6 is below #1; its summary says its window
		if got := screenText(m); !strings.Contains(got, "window Thu 03 Dec 22:00 – Fri 04 Dec 02:00") {
			t.Errorf("%d wide: the summary of #6 should say window Thu 03 Dec 22:00 – Fri 04 Dec 02:00:\n%s", w, got)
		}
		fits(t, m, "my work", w, 20)
	}
}

// myworkRow is the line of the list that shows what.
func myworkRow(screen, what string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, what) && (strings.HasPrefix(l, "▸ ") || strings.HasPrefix(l, "  ")) {
			return l
		}
	}
	return ""
}

// TestMyWorkAndTheChecklistAgree: the word My work says of a deployment is the one
// its checklist's header says, in progress and blocked alike.
func TestMyWorkAndTheChecklistAgree(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 120, 35)
	c := m.c
	row := func() string { return lineWith(screenText(m), "#1 rack-b07-db-server") }
	for _, want := range []string{"in progress", "BLOCKED"} {
		if want == "BLOCKED" {
			if _, err := c.Eng.BlockStep(c.Ctx, c.Actor, 1, 1, "boxes missing"); err != nil {
				t.Fatal(err)
			}
			load(m, m.Top().Refresh())
		}
		if got := row(); !strings.Contains(got, want) {
			t.Fatalf("My work's row should say %s: %q", want, got)
		}
		press(m, "enter")
		if got := row(); !strings.Contains(got, want) {
			t.Fatalf("the checklist's header should say %s: %q\n%s", want, got, screenText(m))
		}
		press(m, "esc")
	}
}

// On a phone a row too long keeps the component whole (it says which server) and
// its version, and cuts where it goes at its end: the summary below says it whole.
func TestMyWorkKeepsTheComponent(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 54, 20)
	mgr, _ := m.c.Eng.Person("ana")
	start, _ := models.ParseTime("2026-11-30 10:00", m.c.Eng.Location()) // a Monday morning: no window
	if _, cs, err := m.c.Eng.Plan(m.c.Ctx, mgr, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "1", Environment: "production", Start: start, Assignee: "tom"}); err != nil || len(cs) == 0 {
		t.Fatalf("setup: %+v %v", cs, err)
	}
	for _, w := range []int{54, 60} {
		m.Update(tea.WindowSizeMsg{Width: w, Height: 20})
		load(m, m.Top().Refresh())
		got := screenText(m)
		row := myworkRow(got, "#6 ")
		if !strings.Contains(row, "#6 rack-b08-app-server 1 → p") || !strings.Contains(row, "✗") {
			t.Errorf("at %d the row should keep the component and the version whole: %q\n%s", w, row, got)
		}
		if !strings.Contains(got, "#1 rack-b07-db-server") {
			t.Errorf("at %d the rack should be named whole:\n%s", w, got)
		}
		fits(t, m, "my work, long row", w, 20)
	}
}

// TestMyWorkCountFollowsTheData: a deployment assigned to the technician while he is
// on History shows in the header's "My work (N)" within a second, without a key or
// a visit to My work.
func TestMyWorkCountFollowsTheData(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "tom")
	l := runLive(t, c, 60, 20)
	l.Has("My work (1)")
	l.Letter('2')
	l.Has("2 History")
	ana, _ := c.Eng.Person("ana")
	start := now.Add(48 * time.Hour)
	if _, _, err := c.Eng.Plan(c.Ctx, ana, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "2", Environment: "production", Start: start, Assignee: "tom"}); err != nil {
		t.Fatal(err)
	}
	l.Has("My work (2)")
	l.Quit()
}

// TestMyWorkOpensTheRecord: enter opens the selected deployment's checklist, d its
// record, where every conflict is (the list below says how many more there are, and
// that d shows them); esc comes back to My work.
func TestMyWorkOpensTheRecord(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	mgr, _ := m.c.Eng.Person("ana")
	start, _ := models.ParseTime("2026-11-27 15:00", m.c.Eng.Location()) // Friday afternoon: frozen, no window
	var cs []models.Conflict
	for _, comp := range []string{"rack-b08-app-server", "core-switch-02"} {
		var err error
		if _, cs, err = m.c.Eng.Plan(m.c.Ctx, mgr, engine.PlanRequest{Model: "rack-server", Component: comp,
			Version: "1", Environment: "production", Start: start, Assignee: "tom"}); err != nil {
			t.Fatal(err)
		}
	}
	if len(cs) < 3 {
		t.Fatalf("setup: #7 should be in 3 conflicts or more: %+v", cs)
	}
	load(m, m.Top().Refresh())
	press(m, "j", "j") // #7
	got := screenText(m)
	more := fmt.Sprintf("… %d more: d opens its record", len(cs)-2)
	if !strings.Contains(got, "▸ #7 ") || !strings.Contains(got, more) || !strings.Contains(got, "d deployment") {
		t.Fatalf("My work should say d shows the rest (%q):\n%s", more, got)
	}
	fits(t, m, "my work, conflicts", 60, 20)
	press(m, "d")
	got = screenText(m)
	if !strings.Contains(got, "My work › #7") {
		t.Fatalf("d should open the record of #7:\n%s", got)
	}
	fits(t, m, "record from my work", 60, 20)
	press(m, "esc", "enter")
	if got := screenText(m); !strings.Contains(got, "My work › checklist #7") {
		t.Fatalf("enter should open the checklist of #7:\n%s", got)
	}
}

// A conflict's ID is what a manager overrides it by: the record shows it to a
// manager, not to the technician, who reads the same conflict in words.
func TestTheRecordShowsConflictIDsToThoseWhoOverride(t *testing.T) {
	t.Parallel()
	for _, who := range []string{"tom", "ana"} {
		m := sized(t, who, 120, 80)
		mgr, _ := m.c.Eng.Person("ana")
		start, _ := models.ParseTime("2026-11-27 15:00", m.c.Eng.Location()) // Friday afternoon: frozen, no window
		d, cs, err := m.c.Eng.Plan(m.c.Ctx, mgr, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
			Version: "1", Environment: "production", Start: start, Assignee: "tom"})
		if err != nil || len(cs) == 0 {
			t.Fatalf("setup: a plan in conflict: %v %v", cs, err)
		}
		openDetailOf(m, d.ID)
		got := screenText(m)
		if !strings.Contains(got, "Conflicts") || strings.Contains(got, cs[0].ID) != (who == "ana") {
			t.Errorf("%s's record of #%d, conflict %s shown only to a manager:\n%s", who, d.ID, cs[0].ID, got)
		}
	}
}

// With the help open on a phone, My work keeps every row that fits and says how
// many more there are, as the dashboard's panels do, rather than the selected row
// alone.
func TestMyWorkKeepsItsRowsUnderTheHelp(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	ana, _ := m.c.Eng.Person("ana")
	for i := range 11 {
		if _, _, err := m.c.Eng.Plan(m.c.Ctx, ana, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
			Version: fmt.Sprint(i + 2), Environment: "production", Start: now.Add(time.Duration(48+8*i) * time.Hour), Assignee: "tom"}); err != nil {
			t.Fatal(err)
		}
	}
	press(m, "ctrl+r", "?")
	got := screenText(m)
	rows := strings.Count(got, "rack-b0")
	if rows < 4 || !strings.Contains(got, "… and ") {
		t.Errorf("with the help open, %d rows and no count of the others:\n%s", rows, got)
	}
	for range 9 { // down the list: the rows above are counted too, the selected one in sight
		press(m, "down")
	}
	got = screenText(m)
	if !strings.Contains(got, "more above") || !strings.Contains(got, "▸ #14 ") || strings.Count(got, "rack-b0") < 4 {
		t.Errorf("scrolled with the help open:\n%s", got)
	}
}

// TestMyWorkSaysAPlanIsLate: a plan of tom's whose start has passed says so in its
// row, as History and the dashboard do, rather than its bare start time, which read
// like one still to come.
func TestMyWorkSaysAPlanIsLate(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "tom")
	tuitest.PlanEarlier(t, c, "ana", engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "2", Environment: "production", Start: now.Add(-time.Hour), Assignee: "tom"})
	late := c.Eng.Local(now.Add(-time.Hour))[11:16] // its start's time of day
	for _, w := range []int{60, 120} {
		m := New(c)
		m.Update(tea.WindowSizeMsg{Width: w, Height: 20})
		load(m, m.Top().Refresh())
		row := lineWith(screenText(m), "rack-b08-app-server")
		want := "⚠ due " + late
		if w >= 100 {
			want = "⚠ overdue since " + late
		}
		if !strings.Contains(row, want) {
			t.Errorf("at %d the late plan's row should say %q: %q", w, want, row)
		}
	}
}

// On a phone a row's right-hand columns are as wide as the list needs: a list whose
// one state is "BLOCKED" gives where it goes the cells a fixed 12-cell column left
// empty, and it shows whole ("→ p…" before, with five spaces after BLOCKED).
func TestMyWorkGivesWhereItGoesTheRoom(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 56, 20)
	if _, err := m.c.Eng.BlockStep(m.c.Ctx, m.c.Actor, 1, 1, "boxes missing"); err != nil {
		t.Fatal(err)
	}
	load(m, m.Top().Refresh())
	fits(t, m, "my work", 56, 20)
	if row := myworkRow(screenText(m), "#1 "); !strings.Contains(row, "#1 rack-b07-db-server 1 → production ") ||
		!strings.HasSuffix(strings.TrimRight(row, " "), " 0/15  BLOCKED") {
		t.Fatalf("at 56 the blocked row should say where it goes whole: %q\n%s", row, screenText(m))
	}
}

// TestMyWorkFarOffStartsKeepTheColumn: on a phone a start far off fits the column
// the others have, in a shorter form (the month without the weekday, another year
// without the time: the summary below says the whole window), so that every row's
// progress and start stand in the same cells and its text keeps its width. "Wed 06
// Jan 2027 22:00" took nine cells from its own row's text.
func TestMyWorkFarOffStartsKeepTheColumn(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "tom")
	ana, _ := c.Eng.Person("ana")
	loc := c.Eng.Location()
	for _, start := range []time.Time{
		time.Date(2026, 11, 28, 22, 0, 0, 0, loc), // this month, a Saturday night
		time.Date(2026, 12, 5, 22, 0, 0, 0, loc),  // next month
		time.Date(2027, 1, 9, 22, 0, 0, 0, loc),   // next year
	} {
		if _, _, err := c.Eng.Plan(c.Ctx, ana, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
			Version: "1", Environment: "production", Start: start, Assignee: "tom"}); err != nil {
			t.Fatal(err)
		}
	}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	load(m, m.Top().Refresh())
	got := screenText(m)
	fits(t, m, "my work", 60, 20)
	rows := map[string]string{"#6 ": "Sat 28 22:00", "#7 ": "05 Dec 22:00", "#8 ": "09 Jan 2027"}
	var text, progress int // where the text ends and the progress stands, alike on every row
	for id, want := range rows {
		row := myworkRow(got, id)
		if !strings.HasSuffix(strings.TrimRight(row, " "), want) {
			t.Errorf("the row of %sshould end with %q: %q\n%s", id, want, row, got)
		}
		at := strings.Index(row, "0/15")
		end := strings.Index(row, "→ ") + len("→ ")
		for end < len(row) && row[end] != ' ' {
			end++
		}
		at, end = ansi.StringWidth(row[:at]), ansi.StringWidth(row[:end]) // in cells
		if text == 0 {
			text, progress = end, at
		}
		if at != progress || end != text {
			t.Errorf("the row of %shas its text to %d and its progress at %d, the others %d and %d:\n%s", id, end, at, text, progress, got)
		}
	}
	press(m, "j", "j", "j") // #8: the summary has its whole window
	if got := screenText(m); !strings.Contains(got, "window Sat 09 Jan 2027 22:00 –") {
		t.Errorf("the summary of #8 should say its window whole:\n%s", got)
	}
}
