package pages_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/exp/golden"

	"ferry"
	"ferry/engine"
	"ferry/engine/config"
	"ferry/internal/demo"
	"ferry/internal/fixture"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/internal/tuitest"
	"ferry/tui/pages"
)

// historyOf is the History screen of a console sized w×h, shown.
func historyOf(t *testing.T, m *Model) *history {
	t.Helper()
	press(m, "2")
	h, ok := m.Top().(*history)
	if !ok {
		t.Fatalf("screen 2 is %T", m.Top())
	}
	return h
}

func shownIDs(h *history) []int64 {
	var ids []int64
	for _, r := range h.Rows() {
		ids = append(ids, r.ID)
	}
	return ids
}

// apply sends the filters as the form does when enter is pressed, and loads.
func apply(m *Model, f historyFilter) {
	_, cmd := m.Update(pages.FilterApplied(f))
	load(m, cmd)
}

// TestHistoryEachFilterNarrowsTheList applies each filter on its own to the test
// organisation plus one documentation deployment next month, and checks the rows
// engine.List gave back, and that the summary line names the filter.
func TestHistoryEachFilterNarrowsTheList(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "kim")
	mgr, _ := c.Eng.Config().FirstManager()
	if _, _, err := c.Eng.Plan(c.Ctx, mgr, engine.PlanRequest{Model: "documentation", Component: "web-runbook",
		Version: "2.1", Environment: "staging", Start: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
		Assignee: "lea", Requester: "sam", ChangeRef: "CHG-2026-0099"}); err != nil {
		t.Fatal(err)
	}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	h := historyOf(t, m)
	if got := shownIDs(h); !slices.Equal(got, []int64{6, 4, 3, 5, 1, 2}) {
		t.Fatalf("unfiltered, newest first: %v", got)
	}
	cases := []struct {
		f    historyFilter
		says string
		want []int64
	}{
		{historyFilter{From: "2026-11-26 15:00"}, "from 2026-11-26 15:00", []int64{6, 4, 3}},
		{historyFilter{Until: "2026-11-26"}, "until 2026-11-26", []int64{4, 3, 5, 1, 2}},
		{historyFilter{From: "2026-11-26 13:00", Until: "2026-11-26 14:00"}, "from 2026-11-26 13:00", []int64{5, 1}},
		{historyFilter{Env: "staging"}, "env staging", []int64{6, 3, 2}},
		{historyFilter{Status: "failed"}, "status failed", []int64{2}},
		{historyFilter{Status: "running"}, "status running", []int64{1}},
		{historyFilter{Model: "documentation"}, "model documentation", []int64{6}},
		{historyFilter{Model: "web-service", ModelVersion: "1"}, "model web-service v1", []int64{4, 3, 5, 2}},
		{historyFilter{Model: "web-service", ModelVersion: "2"}, "model web-service v2", nil},
		{historyFilter{Service: "identity"}, "service identity", []int64{5}},
		{historyFilter{Component: "payments-api"}, "component payments-api", []int64{3, 2}},
		{historyFilter{Kind: "hardware"}, "kind hardware", []int64{1}},
		{historyFilter{Assignee: "lea"}, "assignee lea", []int64{6}},
		{historyFilter{Requester: "sam"}, "requester sam", []int64{6}},
		{historyFilter{Change: "CHG-2026-0099"}, "change CHG-2026-0099", []int64{6}},
		{historyFilter{Search: "web"}, "search web", []int64{6, 4}},
		{historyFilter{Env: "staging", Oldest: true}, "oldest first", []int64{2, 3, 6}},
	}
	for _, tc := range cases {
		apply(m, tc.f)
		if got := shownIDs(h); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: rows %v, want %v", tc.f, got, tc.want)
		}
		screen := screenText(m)
		if !strings.Contains(screen, tc.says) {
			t.Errorf("%+v: the summary does not say %q:\n%s", tc.f, tc.says, screen)
		}
		for _, id := range tc.want {
			if !strings.Contains(screen, fmt.Sprintf("#%d ", id)) {
				t.Errorf("%+v: #%d is not on screen:\n%s", tc.f, id, screen)
			}
		}
		if len(tc.want) == 0 && !strings.Contains(screen, "No deployments match") {
			t.Errorf("%+v: an empty result should say so:\n%s", tc.f, screen)
		}
	}
}

func TestHistoryQuickKeys(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 120, 35)
	h := historyOf(t, m)
	press(m, "o")
	if got := shownIDs(h); !slices.Equal(got, []int64{2, 1, 5, 3, 4}) {
		t.Fatalf("o shows oldest first: %v", got)
	}
	if got := screenText(m); !strings.Contains(got, "oldest first") || !strings.Contains(got, "o newest first") {
		t.Fatalf("after o the summary and the help should say so:\n%s", got)
	}
	press(m, "s", "s") // planned, then running
	if got := shownIDs(h); !slices.Equal(got, []int64{1}) || !strings.Contains(screenText(m), "status running") {
		t.Fatalf("s s: %v\n%s", shownIDs(h), screenText(m))
	}
	// With filters set, clearing and exporting them are in the footer: what an
	// analyst looks for next.
	if got := screenText(m); !strings.Contains(got, "c clear") || !strings.Contains(got, "x export") {
		t.Fatalf("a filtered list's footer should offer c and x:\n%s", got)
	}
	press(m, "c") // clears the filters, keeps the order
	if got := shownIDs(h); !slices.Equal(got, []int64{2, 1, 5, 3, 4}) {
		t.Fatalf("c keeps oldest first and clears the rest: %v", got)
	}
	press(m, "o")
	if got := shownIDs(h); !slices.Equal(got, []int64{4, 3, 5, 1, 2}) {
		t.Fatalf("o again: newest first: %v", got)
	}
	press(m, "/", "#", "5", "enter") // an ID goes to that deployment, the filters stay
	if got := screenText(m); !strings.Contains(got, "#5  deploy auth-service 2.0.0 → dev") {
		t.Fatalf("/#5 opens #5:\n%s", got)
	}
	press(m, "esc")
	if got := screenText(m); !strings.Contains(got, "every deployment") || len(h.Rows()) != 5 {
		t.Fatalf("back from #5, the list is as it was:\n%s", got)
	}
}

// newDemoCommon opens the example organisation on a fresh database filled with a
// demo history of n deployments.
func newDemoCommon(t *testing.T, actor string, n int) *common.Common {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Parse("config.toml", ferry.DefaultConfig)
	if err != nil {
		t.Fatal(err)
	}
	clock := tuitest.NewClock(now)
	eng := fixture.OpenDemo(t, filepath.Join(t.TempDir(), "ferry.db"), cfg, &demo.Options{Deployments: n, Now: now},
		tuitest.WithClock(clock))
	tuitest.Register(t, eng, clock) // so that tuitest.PlanEarlier can plan what has begun
	p, err := eng.Person(actor)
	if err != nil {
		t.Fatal(err)
	}
	return common.New(ctx, eng, p)
}

// TestHistoryPagingNeverSkipsOrRepeats opens the list at today and scrolls row by
// row down to its end, then from today up to its top, in both orders, while
// refreshes race the page loads (the refresh answered before or after the page it
// overtook): every deployment is passed exactly once, in order.
func TestHistoryPagingNeverSkipsOrRepeats(t *testing.T) {
	t.Parallel()
	const n = 350
	c := newDemoCommon(t, "kim", n)
	for _, oldest := range []bool{false, true} {
		all := listAll(t, c, oldest)
		m := New(c)
		m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
		h := historyOf(t, m)
		if oldest {
			press(m, "o")
		}
		at := slices.Index(ids(all), h.Rows()[h.Cursor()].ID)
		if at < 1 || at >= len(all)-1 {
			t.Fatalf("oldest=%v: the list should open inside the history, at today: row %d of %d", oldest, at, len(all))
		}
		// Down to the end: a deployment planned at the top during each page load only
		// adds to what is above.
		passed, loads := scroll(m, h, tea.KeyDown, len(all)-at, func(i int) { planAtTheTop(t, c, oldest, i) })
		if want := ids(all[at:]); !slices.Equal(passed, want) {
			t.Fatalf("oldest=%v: scrolling down passed %d rows, want %d; first difference at %d", oldest,
				len(passed), len(want), firstDiff(passed, want))
		}
		// Back to today and up to the top.
		press(m, "t")
		all = listAll(t, c, oldest)
		at = slices.Index(ids(all), h.Rows()[h.Cursor()].ID)
		up, upLoads := scroll(m, h, tea.KeyUp, at+1, func(int) {})
		want := ids(all[:at+1])
		slices.Reverse(want)
		if !slices.Equal(up, want) {
			t.Fatalf("oldest=%v: scrolling up passed %d rows, want %d; first difference at %d", oldest,
				len(up), len(want), firstDiff(up, want))
		}
		// A load holds 100 rows: more than that on a side is paged in.
		if len(passed) > 100 && loads < 1 || len(up) > 100 && upLoads < 1 {
			t.Fatalf("oldest=%v: %d page loads for %d rows down, %d for %d up", oldest, loads, len(passed), upLoads, len(up))
		}
	}
}

// scroll presses k steps times and returns the deployments the cursor was on before
// each press. Whenever a press asks for a page, during asks for a change and a
// refresh overtakes the load, answered before or after it by turns.
func scroll(m *Model, h *history, k rune, steps int, during func(i int)) (passed []int64, loads int) {
	for range steps {
		passed = append(passed, h.Rows()[h.Cursor()].ID)
		_, cmd := m.Update(tea.KeyPressMsg{Code: k})
		if cmd == nil {
			continue
		}
		during(loads)
		refresh := h.Refresh()
		if loads%2 == 0 {
			load(m, refresh)
			load(m, cmd)
		} else {
			load(m, cmd)
			load(m, refresh)
		}
		loads++
	}
	return passed, loads
}

func listAll(t *testing.T, c *common.Common, oldest bool) []models.Deployment {
	t.Helper()
	all, err := c.Eng.List(c.Ctx, c.Actor, models.Filter{Limit: 100000, Oldest: oldest})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func ids(ds []models.Deployment) []int64 {
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

// planAtTheTop plans a deployment that comes first in the listing's order.
func planAtTheTop(t *testing.T, c *common.Common, oldest bool, i int) {
	t.Helper()
	start := now.AddDate(2, 0, 0).Add(time.Duration(i) * time.Hour)
	if oldest {
		start = now.AddDate(-10, 0, 0).Add(-time.Duration(i) * time.Hour)
	}
	mgr, _ := c.Eng.Config().FirstManager()
	tuitest.PlanEarlier(t, c, mgr.Name, engine.PlanRequest{Model: "web-service", Component: "payments-api",
		Version: fmt.Sprintf("9.9.%d", i), Environment: "dev", Start: start})
}

func firstDiff(a, b []int64) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestHistoryFilterForm fills the filter form as a person would: a date that cannot
// be read is refused at its field, enter applies from any field, esc changes nothing.
func TestHistoryFilterForm(t *testing.T) {
	t.Parallel()
	l := runLive(t, newTestCommon(t, "kim"), 120, 35)
	l.Has("Last 30 days")
	l.Letter('2')
	l.Has("newest first · every deployment")
	l.Letter('f')
	l.Has("┃ From")
	l.TypeText("26.11.2026")
	l.Has("┃ 26.11.2026")
	l.Key(tea.KeyTab) // refused: the form stays on From and says why
	l.Has(`┃ From  ✗ "26.11.2026" is not a date`)
	for range len("26.11.2026") {
		l.Key(tea.KeyBackspace)
	}
	l.TypeText("2026-11-26 15:00")
	l.Has("┃ 2026-11-26 15:00")
	for _, next := range []string{"Until", "Order", "Search", "Environment"} {
		l.Key(tea.KeyTab)
		l.Has("┃ " + next)
	}
	for range 3 { // any → dev → test → staging
		l.Key(tea.KeyRight)
	}
	l.Has("┃ ← staging →")
	l.Key(tea.KeyEnter) // applies from here: the rest stays "any"
	l.Has("from 2026-11-26 15:00 · env staging")
	got := l.Has("1 shown")
	if !strings.Contains(got, "#3 ") || strings.Contains(got, "#2 ") || strings.Contains(got, "#4 ") {
		t.Fatalf("staging from 15:00 is #3 only:\n%s", got)
	}
	l.Letter('f') // the form opens on the filters in force; esc drops a change
	l.Has("┃ 2026-11-26 15:00")
	for _, next := range []string{"Until", "Order", "Search", "Environment"} {
		l.Key(tea.KeyTab)
		l.Has("┃ " + next)
	}
	l.Key(tea.KeyRight)
	l.Has("┃ ← production →")
	l.Key(tea.KeyEscape)
	got = l.Has("1 shown")
	if !strings.Contains(got, "env staging") || strings.Contains(got, "Filter history") {
		t.Fatalf("esc keeps the filters in force:\n%s", got)
	}
	l.Quit()
}

// TestHistoryOnAPhone pictures the History screen and the first page of its filter
// form at 60×20 (go test -update rewrites testdata/TestHistoryOnAPhone/*.golden).
func TestHistoryOnAPhone(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 60, 20)
	press(m, "2")
	fits(t, m, "history", 60, 20)
	t.Run("list", func(t *testing.T) { golden.RequireEqual(t, []byte(screenText(m))) })

	l := runLive(t, newTestCommon(t, "kim"), 60, 20)
	l.Has("Running now")
	l.Letter('2')
	l.Has("every deployment")
	l.Letter('f')
	form := l.Has("┃ From")
	t.Run("form", func(t *testing.T) { golden.RequireEqual(t, []byte(form)) })
	for _, next := range []string{"Until", "Order", "Search", "Environment", "Status", "Kind", "Service"} {
		l.Key(tea.KeyTab)
		form = l.Has("┃ " + next)
	}
	if !strings.Contains(form, "page 2 of 2") {
		t.Fatalf("seven tabs lead to the second page:\n%s", form)
	}
	for i, line := range strings.Split(form, "\n") {
		if w := lipgloss.Width(line); w > 60 {
			t.Errorf("page 2, line %d is %d cells wide: %q", i, w, line)
		}
	}
	l.Quit()
}

// TestHistoryFilterFormTakesAFilteredChoice: a choice found by typing / and part of
// its name is applied by enter, though huh stores it only when the field is left.
func TestHistoryFilterFormTakesAFilteredChoice(t *testing.T) {
	t.Parallel()
	l := runLive(t, newTestCommon(t, "kim"), 60, 20)
	l.Has("Running now")
	l.Letter('2')
	l.Has("every deployment")
	l.Letter('f')
	l.Has("┃ From")
	for _, next := range []string{"Until", "Order", "Search", "Environment", "Status", "Kind", "Service", "Component"} {
		l.Key(tea.KeyTab)
		l.Has("┃ " + next)
	}
	l.Letter('/')
	l.TypeText("auth")
	l.Has("┃ ← auth-service →")
	l.Key(tea.KeyEnter)
	got := l.Has("component auth-service")
	if !strings.Contains(l.Has("1 shown"), "#5 ") {
		t.Fatalf("the component filter should leave #5:\n%s", got)
	}
	l.Quit()
}

// TestHistoryOpensAtToday: later work above, the cursor on what started last; t
// comes back to it; / starts a fresh search, so "/#ID" after a search opens that one.
func TestHistoryOpensAtToday(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 120, 35)
	h := historyOf(t, m)
	if got := shownIDs(h); !slices.Equal(got, []int64{4, 3, 5, 1, 2}) || h.Rows()[h.Cursor()].ID != 5 {
		t.Fatalf("the list opens at #5, the last due to start by 14:05, later work above: %v, cursor on row %d", got, h.Cursor())
	}
	press(m, "down", "down")
	if h.Rows()[h.Cursor()].ID != 2 {
		t.Fatalf("down: cursor on row %d", h.Cursor())
	}
	press(m, "t")
	if h.Rows()[h.Cursor()].ID != 5 {
		t.Fatalf("t comes back to today: cursor on row %d", h.Cursor())
	}
	press(m, "/")
	typeText(m, "4.1")
	press(m, "enter")
	if got := shownIDs(h); !slices.Equal(got, []int64{3, 2}) {
		t.Fatalf("search 4.1: %v", got)
	}
	press(m, "/", "#", "4", "enter")
	if got := screenText(m); !strings.Contains(got, "#4  deploy web-frontend 7.3.1 → test") {
		t.Fatalf("/#4 after a search opens #4:\n%s", got)
	}
}

// A technician's History holds only what is assigned to them, and says so.
func TestTechnicianHistorySaysWhoseItIs(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 120, 35)
	press(m, "2")
	if got := screenText(m); !strings.Contains(got, "every deployment assigned to you") {
		t.Fatalf("a technician's History should say it shows their own:\n%s", got)
	}
}

// g goes to the top of the whole list in one key, not to the top of the page held:
// the newest deployment, or with o the oldest.
func TestHistoryTopIsTheWholeListsTop(t *testing.T) {
	t.Parallel()
	c := newDemoCommon(t, "kim", 350)
	for _, oldest := range []bool{false, true} {
		all := listAll(t, c, oldest)
		m := New(c)
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
		h := historyOf(t, m)
		if oldest {
			press(m, "o")
		}
		press(m, "g")
		if got := h.Rows()[h.Cursor()].ID; got != all[0].ID {
			t.Fatalf("oldest=%v: g went to #%d, want the list's first, #%d", oldest, got, all[0].ID)
		}
		// 350 do not load at once: the count says that there are more, and where.
		if got := screenText(m); !strings.Contains(got, "shown, more below") {
			t.Errorf("oldest=%v: the count should say more are below:\n%s", oldest, got)
		}
	}
}

// The list fits every width, and a status reads whole where the component names
// leave it room: the component took all the width left, and "▸ verifying deployment"
// was cut.
func TestHistoryColumnsFit(t *testing.T) {
	t.Parallel()
	for _, w := range []int{60, 75, 90, 95, 100, 120} {
		m := sized(t, "kim", w, 20)
		h := historyOf(t, m)
		fits(t, m, fmt.Sprintf("history at %d", w), w, 20)
		if w < 120 {
			continue
		}
		for _, r := range h.Rows() {
			if s := common.PlainStatus(r.Status); !strings.Contains(screenText(m), s) {
				t.Errorf("at %d columns the status %q is cut:\n%s", w, s, screenText(m))
			}
		}
	}
}

// TestHistoryMarksInterruptedRuns: a deployment whose runner died waits for a person
// to resume, retry or fail it; its row says so, as the dashboard does, and no other
// running row does.
func TestHistoryMarksInterruptedRuns(t *testing.T) {
	t.Parallel()
	c := newDemoCommon(t, "ana", 400)
	list, stopped := runningAndInterrupted(t, c)
	for _, size := range []struct{ w, h int }{{120, 35}, {60, 20}} {
		mark := "⏸ interrupted"
		if size.w < 75 {
			mark = "⏸"
		}
		m := New(c)
		m.Update(tea.WindowSizeMsg{Width: size.w, Height: size.h})
		historyOf(t, m)
		press(m, "s", "s") // running
		screen := screenText(m)
		marked := 0
		for _, d := range list {
			line := lineWith(screen, fmt.Sprintf("#%d ", d.ID))
			if line == "" {
				continue // below the fold
			}
			if got := strings.Contains(line, mark); got != stopped[d.ID] {
				t.Errorf("%d×%d: #%d interrupted %v, its row: %q", size.w, size.h, d.ID, stopped[d.ID], line)
			} else if got {
				marked++
			}
		}
		if marked == 0 {
			t.Errorf("%d×%d: no interrupted row on screen:\n%s", size.w, size.h, screen)
		}
	}
}

// TestHistoryMarksOverduePlans: a plan whose start has passed (beyond the adherence
// tolerance) reads "⚠ overdue" in History, as on the dashboard, not as any plan.
func TestHistoryMarksOverduePlans(t *testing.T) {
	t.Parallel()
	c := newDemoCommon(t, "ana", 400)
	list, err := c.Eng.List(c.Ctx, c.Actor, models.Filter{Statuses: []models.Status{models.StatusPlanned}})
	if err != nil {
		t.Fatal(err)
	}
	overdue := 0
	for _, d := range list {
		if c.Eng.Overdue(d) {
			overdue++
		}
	}
	if overdue == 0 || overdue == len(list) {
		t.Fatalf("the demo should have overdue and other plans: %d of %d", overdue, len(list))
	}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	historyOf(t, m)
	press(m, "s") // planned
	screen := screenText(m)
	marked := 0
	for _, d := range list {
		line := lineWith(screen, fmt.Sprintf("#%d ", d.ID))
		if line == "" {
			continue
		}
		if got := strings.Contains(line, "⚠ overdue"); got != c.Eng.Overdue(d) {
			t.Errorf("#%d overdue %v, its row: %q", d.ID, c.Eng.Overdue(d), line)
		} else if got {
			marked++
		}
	}
	if marked == 0 {
		t.Errorf("no overdue plan on screen:\n%s", screen)
	}
}

// runningAndInterrupted are c's running deployments and which of them are
// interrupted (their runner died); it fails unless there are both.
func runningAndInterrupted(t *testing.T, c *common.Common) ([]models.Deployment, map[int64]bool) {
	t.Helper()
	var running []models.Status
	for _, s := range models.Statuses {
		if s.Running() {
			running = append(running, s)
		}
	}
	list, err := c.Eng.List(c.Ctx, c.Actor, models.Filter{Statuses: running})
	if err != nil {
		t.Fatal(err)
	}
	stopped, err := c.Eng.Interrupted(c.Ctx, list)
	if err != nil || len(stopped) == 0 || len(stopped) == len(list) {
		t.Fatalf("the demo should have interrupted and other running deployments: %v of %d (%v)", stopped, len(list), err)
	}
	return list, stopped
}

// The version reads whole where the component column has room to spare: the
// columns share the width, each up to its longest value, where the version was cut
// at 10 cells ("2.9.300-b…") beside a component column ten cells too wide. With
// less room the component and the status read whole first.
func TestHistoryColumnsShareTheSpareWidth(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	tuitest.PlanEarlier(t, m.c, "ana", engine.PlanRequest{Model: "web-service", Component: "payments-api",
		Version: "2.9.300-beta.1", Environment: "dev", Start: now.Add(2 * time.Hour)})
	press(m, "2")
	fits(t, m, "history at 120", 120, 35)
	got := screenText(m)
	if !strings.Contains(got, "2.9.300-beta.1") || strings.Contains(got, "…") {
		t.Errorf("at 120 columns every value reads whole, the version too:\n%s", got)
	}
	m.Update(tea.WindowSizeMsg{Width: 105, Height: 35})
	fits(t, m, "history at 105", 105, 35)
	got = screenText(m)
	for _, r := range historyOf(t, m).Rows() {
		if !strings.Contains(got, " "+r.Component+" ") {
			t.Errorf("at 105 columns the component of #%d reads whole:\n%s", r.ID, got)
		}
	}
	if !strings.Contains(got, "▸ verify components") || !strings.Contains(got, "2.9.300-b…") {
		t.Errorf("at 105 columns the version gives way before the status (#1 running):\n%s", got)
	}
	// Searched down to that version, the columns fit what is shown: the version whole.
	press(m, "/")
	typeText(m, "2.9.300")
	press(m, "enter")
	if got = screenText(m); !strings.Contains(got, "2.9.300-beta.1") || strings.Contains(got, "rack-b07") {
		t.Errorf("searched to 2.9.300 at 105 columns, the version reads whole:\n%s", got)
	}
}

// Opened at today in a long history, with more planned work above than one page
// holds, the count says rows wait both ways.
func TestHistoryCountSaysBothWays(t *testing.T) {
	t.Parallel()
	c := newDemoCommon(t, "kim", 12000) // some 150 planned ahead, a page is 100
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	historyOf(t, m)
	if got := screenText(m); !strings.Contains(got, "shown, more above and below") {
		t.Fatalf("the count at today:\n%s", got)
	}
}

// The columns do not move back as another part of the history loads: after g (the
// far end) and t (back to today) the header is where g left it.
func TestHistoryColumnsStayPut(t *testing.T) {
	t.Parallel()
	c := newDemoCommon(t, "kim", 12000) // some 150 planned ahead: the top is not loaded at first
	mgr, err := c.Eng.Person("ana")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Eng.Plan(c.Ctx, mgr, engine.PlanRequest{Model: "web-service", Component: "web-frontend",
		Version: "9.9.9-release-candidate.42", Environment: "dev", Start: now.AddDate(0, 2, 0)}); err != nil {
		t.Fatal(err)
	}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	historyOf(t, m)
	header := func() string {
		for _, l := range strings.Split(screenText(m), "\n") {
			if strings.Contains(l, "Component") {
				return l
			}
		}
		t.Fatalf("no header:\n%s", screenText(m))
		return ""
	}
	press(m, "g")
	far := header()
	press(m, "t")
	if got := header(); got != far {
		t.Fatalf("the columns moved back at t:\n%s\n%s", far, got)
	}
}

// On a phone the filters in force read whole under the count's row, each on one
// line when it fits the screen: a filter wider than the room beside the count was
// wrapped to that room on every line ("every deployment · f" over "filters").
func TestHistoryFiltersReadWholeOnAPhone(t *testing.T) {
	t.Parallel()
	m := sized(t, "marc", 60, 20)
	press(m, "2", "/")
	typeText(m, "payments api staging rollback notes for audit")
	press(m, "enter")
	if got := screenText(m); !strings.Contains(got, "search payments api staging rollback notes for audit") {
		t.Fatalf("the search should read on one line under the count:\n%s", got)
	}
}

// TestHistoryShowsTheVersionOnAPhone: the version is what a deployment moves, so a
// narrow History keeps its column (it had none below 100 columns): each row's
// version and component read whole at 60 columns as at 99, and on a phone a long
// version reads whole before the tail of a long component does (wider, the status's
// words come first, as at 110 columns).
func TestHistoryShowsTheVersionOnAPhone(t *testing.T) {
	t.Parallel()
	for _, w := range []int{60, 61, 75, 80, 99} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			t.Parallel()
			m := sized(t, "ana", w, 20)
			h := historyOf(t, m)
			fits(t, m, fmt.Sprintf("history at %d", w), w, 20)
			got := screenText(m)
			if !strings.Contains(got, " Version ") {
				t.Errorf("no Version column at %d:\n%s", w, got)
			}
			for _, r := range h.Rows() {
				line := lineWith(got, fmt.Sprintf("#%d ", r.ID))
				if !strings.Contains(line, " "+r.Component+" ") || !strings.Contains(line, " "+r.Version+" ") {
					t.Errorf("at %d the row of #%d lacks %s %s whole: %q", w, r.ID, r.Component, r.Version, line)
				}
			}
			tuitest.PlanEarlier(t, m.c, "ana", engine.PlanRequest{Model: "rack-server", Component: "rack-b07-db-server",
				Version: "2.9.300-beta.1", Environment: "production", Start: now.Add(26 * time.Hour)})
			load(m, h.Refresh())
			fits(t, m, fmt.Sprintf("history at %d, a long version", w), w, 20)
			if got := screenText(m); w < 75 && !strings.Contains(got, " 2.9.300-beta.1 ") {
				t.Errorf("at %d the long version is cut:\n%s", w, got)
			}
		})
	}
}

// TestHistorySelectsWhatWasJustPlanned: a plan made with p from History comes back to
// a list that shows it, selected; ana need not look for it. A narrowed list that
// may not hold it stays as it was.
func TestHistorySelectsWhatWasJustPlanned(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	h := historyOf(t, m)
	before := h.Rows()[h.Cursor()].ID
	ana, _ := m.c.Eng.Person("ana")
	d, _, err := m.c.Eng.Plan(m.c.Ctx, ana, engine.PlanRequest{Model: "documentation", Component: "web-runbook",
		Version: "9.9", Environment: "staging", Start: now.Add(40 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	// The plan form saves (its page on top), as it ends: the list is told.
	_, cmd := m.Update(common.PushMsg{Page: pages.NewPlan(m.c)})
	load(m, cmd)
	loadInOrder(m, common.DonePlanned(fmt.Sprintf("planned #%d", d.ID), d))
	if m.Top() != common.Page(h) || h.Rows()[h.Cursor()].ID != d.ID {
		t.Fatalf("after planning #%d from History the cursor is on #%d (it was on #%d)", d.ID, h.Rows()[h.Cursor()].ID, before)
	}
	if got := screenText(m); !strings.Contains(got, "9.9") {
		t.Fatalf("the plan should be in sight:\n%s", got)
	}
}

// loadInOrder loads what a tea.Sequence sends, one command after the other, as the
// program does (load leaves a sequence alone: huh's forms start with endless ones).
func loadInOrder(m *Model, cmd tea.Cmd) {
	v := reflect.ValueOf(cmd())
	if v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeFor[tea.Cmd]() {
		panic(fmt.Sprintf("not a sequence: %T", v.Interface()))
	}
	for i := range v.Len() {
		c, _ := v.Index(i).Interface().(tea.Cmd)
		load(m, c)
	}
}

// TestHistoryWritesStartsAsTheConsoleDoes: a start in History reads as on every other
// screen (common.At), the year only when it is not this year's, whatever the width;
// History wrote "Thu 26 Nov 2026 13:05" beside screens that wrote "Thu 26 Nov 13:05".
// Narrow, the column's 12 cells keep another year's year and leave out its time.
func TestHistoryWritesStartsAsTheConsoleDoes(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	loc := m.c.Eng.Location()
	tuitest.PlanEarlier(t, m.c, "ana", engine.PlanRequest{Model: "web-service", Component: "payments-api",
		Version: "1.0.2025", Environment: "dev", Start: time.Date(2025, 11, 20, 10, 0, 0, 0, loc)})
	tuitest.PlanEarlier(t, m.c, "ana", engine.PlanRequest{Model: "web-service", Component: "payments-api",
		Version: "1.0.2027", Environment: "dev", Start: time.Date(2027, 1, 5, 10, 0, 0, 0, loc)})
	press(m, "2")
	for _, tc := range []struct {
		w                int
		this, last, next string
	}{
		{120, "Thu 26 Nov 13:05", "Thu 20 Nov 2025 10:00", "Tue 05 Jan 2027 10:00"},
		{60, "26 Nov 13:05", "20 Nov 2025", "05 Jan 2027"},
	} {
		m.Update(tea.WindowSizeMsg{Width: tc.w, Height: 35})
		got := screenText(m)
		if row := lineWith(got, "#1 "); !strings.Contains(row, tc.this) || strings.Contains(row, "2026") {
			t.Errorf("at %d this year's start reads %q, without its year: %q\n%s", tc.w, tc.this, row, got)
		}
		if row := lineWith(got, "1.0.2025"); !strings.Contains(row, tc.last) {
			t.Errorf("at %d last year's start reads %q: %q\n%s", tc.w, tc.last, row, got)
		}
		if row := lineWith(got, "1.0.2027"); !strings.Contains(row, tc.next) {
			t.Errorf("at %d next year's start reads %q: %q\n%s", tc.w, tc.next, row, got)
		}
		fits(t, m, "history", tc.w, 35)
	}
	// A deployment's page writes its window and its start alike: no year this year,
	// where it wrote "Thu 26 Nov 2026" always.
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	openDetailOf(m, 1)
	got := screenText(m)
	for _, want := range []string{"window     Thu 26 Nov 13:05 – 17:05 CET", "started    Thu 26 Nov 12:05"} {
		if !strings.Contains(got, want) || strings.Contains(got, "Nov 2026") {
			t.Errorf("#1's page should say %q, without its year:\n%s", want, got)
		}
	}
}

// A removal's row says so in its version, as the command line and Where do: it read
// as a deployment of that version.
func TestHistorySaysARemoval(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	c := m.c
	d, _, err := c.Eng.Plan(c.Ctx, c.Actor, engine.PlanRequest{Model: "web-service", Component: "web-frontend", Version: "7.0.0",
		Environment: "dev", Start: now.Add(2 * time.Hour), Action: models.ActionRemove})
	if err != nil {
		t.Fatal(err)
	}
	press(m, "2")
	load(m, m.Top().Refresh())
	if row := lineWith(screenText(m), fmt.Sprintf("#%d ", d.ID)); !strings.Contains(row, "web-frontend") || !strings.Contains(row, "remove 7.0.0") {
		t.Fatalf("the removal's row: %q\n%s", row, screenText(m))
	}
}

// A deployment with an item someone blocked says so in History, as the dashboard and
// My work do: its row read "▸ verify components" while it waited on a PDU.
func TestHistorySaysABlockedItem(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 120, 35)
	c := m.c
	ana, _ := c.Eng.Person("ana")
	if _, err := c.Eng.BlockStep(c.Ctx, ana, 1, 1, "no power on PDU B"); err != nil {
		t.Fatal(err)
	}
	press(m, "2")
	load(m, m.Top().Refresh())
	if row := lineWith(screenText(m), "#1 "); !strings.Contains(row, "■ blocked") {
		t.Fatalf("#1's row: %q\n%s", row, screenText(m))
	}
}
