package pages

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/internal/tuitest"
)

// picture draws named rects as letters so a layout can be compared with a sketch.
func picture(w, h int, rects map[byte]rect) string {
	grid := make([][]byte, h)
	for y := range grid {
		grid[y] = []byte(strings.Repeat(".", w))
	}
	for c, r := range rects {
		for y := r.Y; y < r.Y+r.H && y < h; y++ {
			for x := r.X; x < r.X+r.W && x < w; x++ {
				if grid[y][x] != '.' {
					grid[y][x] = '#' // overlap: a bug
				} else {
					grid[y][x] = c
				}
			}
		}
	}
	lines := make([]string, h)
	for y := range grid {
		lines[y] = string(grid[y])
	}
	return strings.Join(lines, "\n")
}

func dashPicture(w, h, running, needs, due, last int) string {
	l := layoutDashboard(w, h, running, needs, due, last)
	return picture(w, h, map[byte]rect{'R': l.Running, 'N': l.Needs, 'D': l.Due, 'L': l.Last30})
}

// rows builds a picture from (count, line) pairs.
func rows(parts ...any) string {
	var out []string
	for i := 0; i < len(parts); i += 2 {
		for range parts[i].(int) {
			out = append(out, parts[i+1].(string))
		}
	}
	return strings.Join(out, "\n")
}

func TestDashboardLayoutWide(t *testing.T) {
	t.Parallel()
	top := strings.Repeat("R", 55) + strings.Repeat("N", 45)
	d, l := strings.Repeat("D", 100), strings.Repeat("L", 100)
	// The top row is as tall as the fuller of its two panels...
	if got, want := dashPicture(100, 14, 2, 3, 4, 1), rows(5, top, 6, d, 3, l); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	// ...but never more than half of what the summary leaves.
	if got, want := dashPicture(100, 12, 2, 9, 4, 1), rows(4, top, 5, d, 3, l); got != want {
		t.Fatalf("capped: got\n%s\nwant\n%s", got, want)
	}
}

func TestDashboardLayoutPhone(t *testing.T) {
	t.Parallel()
	// 60x20 has an 18-row body: the 30-day summary gives way, running and needs-you
	// get up to two fifths each, what is due gets the rest.
	got := dashPicture(10, 18, 8, 1, 9, 2)
	want := rows(7, "RRRRRRRRRR", 3, "NNNNNNNNNN", 8, "DDDDDDDDDD")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	// A taller phone keeps the summary.
	got = dashPicture(10, 30, 8, 1, 9, 2)
	want = rows(10, "RRRRRRRRRR", 3, "NNNNNNNNNN", 13, "DDDDDDDDDD", 4, "LLLLLLLLLL")
	if got != want {
		t.Fatalf("tall phone: got\n%s\nwant\n%s", got, want)
	}
}

func TestDashboardLayoutAlwaysFillsTheBody(t *testing.T) {
	t.Parallel()
	for w := 40; w <= 200; w += 7 {
		for h := 14; h <= 60; h += 3 {
			for _, rows := range [][4]int{{0, 0, 0, 1}, {20, 20, 40, 2}, {1, 9, 3, 1}} {
				p := dashPicture(w, h, rows[0], rows[1], rows[2], rows[3])
				if strings.ContainsAny(p, ".#") {
					t.Fatalf("%dx%d rows %v leaves gaps or overlaps:\n%s", w, h, rows, p)
				}
			}
		}
	}
}

// A panel too short for its list says how many items are left below, not rows (a
// wrapped item takes two), and how many of them are coming up rather than today.
func TestHiddenItemsCountsItemsByHeading(t *testing.T) {
	t.Parallel()
	rows := []line{{id: 1, text: "a"}, {text: "  rest of a", part: true}, {id: 2, text: "b"},
		{text: "── coming up", part: true, head: "coming up"}, {id: 3}, {id: 4}}
	for _, c := range []struct {
		from int
		head string
		want string
	}{{0, "", "… and 2 more, 2 coming up"}, {3, "", "… and 2 more coming up"}, {4, "coming up", "… and 2 more coming up"}, {1, "", "… and 1 more, 2 coming up"}} {
		if got := hiddenItems(rows[c.from:], c.head); got != c.want {
			t.Errorf("from row %d: %q, want %q", c.from, got, c.want)
		}
	}
	got := wrapped([]line{{id: 7, text: "✎ review #7 auth-service → test succeeded with an incident"}}, 30)
	if len(got) < 2 || got[0].id != 7 || !got[1].part || got[1].id != 0 || !strings.Contains(got[len(got)-1].text, "incident") {
		t.Errorf("a long item should go on over more rows, not selectable: %+v", got)
	}
	for _, l := range got {
		if w := lipgloss.Width(l.text); w > 30 {
			t.Errorf("row %q is %d cells wide, want at most 30", l.text, w)
		}
	}
}

// A panel shows an item whole or not at all: one whose wrapped rest would fall below
// the panel moves below it with the rest, counted in what is left.
func TestPanelCutsBetweenItems(t *testing.T) {
	t.Parallel()
	d := &dashboard{c: &common.Common{Styles: common.NewStyles(true)}}
	lines := []line{{id: 1, text: "a"}, {id: 2, text: "b"}, {text: "  rest of b", part: true}, {id: 3, text: "c"},
		{id: 4, text: "d"}}
	got := d.render(panelNeeds, lines, 3, 60)
	// The row b's first line would have taken stays empty: the count ends the panel.
	if len(got) != 3 || !strings.Contains(got[0], "a") || got[1] != "" || !strings.Contains(got[2], "and 3 more") {
		t.Fatalf("b does not fit whole in 3 rows with the count: %q", got)
	}
	if got := d.render(panelNeeds, lines, 4, 60); len(got) != 4 || !strings.Contains(got[2], "rest of b") || !strings.Contains(got[3], "and 2 more") {
		t.Fatalf("b fits whole in 4 rows: %q", got)
	}
	// Selected, b scrolls into sight whole, and the top row is an item's first.
	long := []line{{id: 1, text: "a"}, {text: "  rest of a", part: true}, {id: 2, text: "b"},
		{text: "  more of b", part: true}, {text: "  rest of b", part: true}, {id: 3, text: "c"}}
	d.cursor = pick{panel: panelNeeds, id: 2, nth: 0}
	got = d.render(panelNeeds, long, 4, 60)
	// Nothing else says a is above: the last row does, with c, which gives way.
	if len(got) != 4 || !strings.Contains(got[0], "b") || !strings.Contains(got[2], "rest of b") ||
		!strings.Contains(ansi.Strip(got[3]), "… and 1 more · 1 above") {
		t.Fatalf("the selected b whole, from its first row: %q", got)
	}
	// Scrolled down a list, the first row says how many items are above when the
	// selected one still fits whole with the row for those below.
	var many []line
	for i := int64(1); i <= 12; i++ {
		many = append(many, line{id: i, text: fmt.Sprintf("item %d", i)})
	}
	d.cursor = pick{panel: panelNeeds, id: 8, nth: 0}
	got = d.render(panelNeeds, many, 5, 60)
	want := []string{"↑ 5 more above", "item 6", "item 7", "▸ item 8", "… and 4 more"}
	if len(got) != len(want) {
		t.Fatalf("scrolled to item 8 in 5 rows: %q", got)
	}
	for i, w := range want {
		if !strings.Contains(ansi.Strip(got[i]), w) {
			t.Fatalf("scrolled to item 8 in 5 rows, row %d: %q, want %q (%q)", i, got[i], w, got)
		}
	}
}

// A running deployment that waits for a person says for what, before its stage: an
// interrupted step, a gate; and that it runs past its window, in a word or, beside
// the other mark on a narrow panel, the glyph. Its name and environment stay.
func TestRunningSaysWhatItWaitsFor(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	d := &dashboard{c: &common.Common{Styles: common.NewStyles(true)}}
	run := func(id int64, end time.Duration) models.Deployment {
		return models.Deployment{ID: id, Component: "ledger-db", Version: "1.4", Environment: "staging",
			Status: models.StatusExecuting, ScheduledEnd: now.Add(end), StepsDone: 1, StepsTotal: 3}
	}
	long := run(3, -time.Hour) // a count of more digits: 12/15
	long.StepsDone, long.StepsTotal = 12, 15
	d.data = engine.Dashboard{Now: now, Running: []models.Deployment{run(1, time.Hour), run(2, -time.Hour), long, run(4, time.Hour)},
		Waits: map[int64]engine.WaitKind{1: engine.WaitInterrupted, 2: engine.WaitInterrupted, 4: engine.WaitApproval}}
	for _, w := range []int{56, 62, 116} {
		lines := d.runningLines(w)
		want := []string{"⏸ interrupted", "⏸ interrupted  ⌛", "overrunning", "◆ gate"}
		if w >= 90 {
			want[1] = "⏸ interrupted  overrunning"
		}
		col := -1
		for i, l := range lines {
			text := ansi.Strip(l.text)
			if !strings.Contains(text, want[i]) || !strings.Contains(text, "ledger-db") || !strings.Contains(text, "→ staging") || lipgloss.Width(text) > w {
				t.Errorf("%d wide, #%d: %q, want %q", w, i+1, text, want[i])
			}
			// Numbers line up (screens.md): whatever marks a row has, the bars start
			// in the same column on every row, and counts alone end in one.
			at := lipgloss.Width(strings.TrimRight(text, " "))
			if bar := strings.IndexAny(text, "▓░"); bar >= 0 {
				at = lipgloss.Width(text[:bar])
			}
			if col >= 0 && at != col {
				t.Errorf("%d wide, #%d: its progress is at column %d, the first row's at %d:\n%s", w, i+1, at, col, text)
			}
			col = at
		}
	}
}

// A name too long for a phone's running panel is cut, not where it goes: the
// environment is the word a manager scans the panel for.
func TestRunningKeepsTheEnvironment(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	d := &dashboard{c: &common.Common{Styles: common.NewStyles(true)}}
	d.data = engine.Dashboard{Now: now, Running: []models.Deployment{{ID: 19787, Component: "rack-b07-db-server",
		Version: "2026.11", Environment: "production", Status: models.StatusVerifyingEnvironment,
		ScheduledEnd: now.Add(time.Hour), StepsDone: 4, StepsTotal: 15}}}
	for _, w := range []int{56, 62} {
		text := ansi.Strip(d.runningLines(w)[0].text)
		if !strings.Contains(text, "→ production") || !strings.Contains(text, "#19787 rack-") || lipgloss.Width(text) > w {
			t.Errorf("%d wide: %q", w, text)
		}
	}
}

// An interrupted item wraps between phrases, never between "step" and its number
// nor between "→" and where.
func TestInterruptedItemWrapsWhole(t *testing.T) {
	t.Parallel()
	d := &dashboard{c: &common.Common{Styles: common.NewStyles(true)}}
	d.data = engine.Dashboard{Inbox: []engine.InboxItem{{Kind: engine.InboxInterrupted, Seq: 4,
		Deployment: models.Deployment{ID: 19788, Component: "payments-api", Environment: "staging"}}}}
	for w := 20; w <= 80; w++ {
		for _, l := range wrapped(d.interruptedLines(), w) {
			text := strings.TrimRight(ansi.Strip(l.text), " ")
			if strings.HasSuffix(text, "step") || strings.HasSuffix(text, "→") {
				t.Errorf("%d wide: a row ends %q", w, text)
			}
		}
	}
}

// A panel of one row (a phone with the help open) shows the selected item's first
// row and how many more there are, in the panel's width: it cut the item in half
// and said nothing of the rest.
func TestPanelOfOneRowCountsTheRest(t *testing.T) {
	t.Parallel()
	d := &dashboard{c: &common.Common{Styles: common.NewStyles(true)}}
	lines := []line{{id: 1, text: "■ blocked #29737 ines"}, {text: "  \"no power on PDU B\"", part: true},
		{id: 2, text: "⏸ interrupted #29739"}, {id: 3, text: "⚠ overdue #29733"}}
	d.cursor = pick{panel: panelNeeds, id: 1, nth: 0}
	got := d.render(panelNeeds, lines, 1, 40)
	if len(got) != 1 || !strings.Contains(got[0], "#29737") || !strings.Contains(got[0], "+2 more") ||
		lipgloss.Width(got[0]) > 42 {
		t.Fatalf("one row: the selected item and +2 more in 40 cells: %q", got)
	}
	d.cursor = pick{panel: panelNeeds, id: 3, nth: 0} // the last: it is the one shown, marked
	if got := d.render(panelNeeds, lines, 1, 40); len(got) != 1 || !strings.Contains(got[0], "▸ ⚠ overdue #29733") ||
		!strings.Contains(got[0], "+2 more") {
		t.Fatalf("one row, the third selected: %q", got)
	}
}

// Conflict kinds are words on the screen: "blocked version", not the JSON's key.
func TestConflictSummaryInWords(t *testing.T) {
	t.Parallel()
	got := conflictSummary([]models.Conflict{{Kind: models.ConflictBlocked}, {Kind: models.ConflictPerson},
		{Kind: models.ConflictBlocked}})
	if got != "2 blocked version · 1 person" {
		t.Fatalf("got %q", got)
	}
}

// With too few rows for three panels (a phone with the help open), the third is
// left out rather than drawn in half: its top border and no row.
func TestDashboardLayoutLeavesOutAPanelWithoutRoom(t *testing.T) {
	t.Parallel()
	l := layoutDashboard(60, 7, 6, 17, 15, 2)
	if l.Due.H != 0 || l.Running.H+l.Needs.H > 7 || l.Running.H < 3 || l.Needs.H < 3 {
		t.Fatalf("7 rows: running %d, needs %d, due %d", l.Running.H, l.Needs.H, l.Due.H)
	}
	if l := layoutDashboard(60, 9, 6, 17, 15, 2); l.Due.H < 3 {
		t.Fatalf("9 rows hold three panels: due %d", l.Due.H)
	}
}

// A panel too short for a row of its own for what is above says it with what is
// below: "… and 10 more · 1 above".
func TestShortPanelCountsWhatIsAbove(t *testing.T) {
	t.Parallel()
	d := &dashboard{c: &common.Common{Styles: common.NewStyles(true)}}
	var lines []line
	for i := int64(1); i <= 12; i++ {
		lines = append(lines, line{id: i, text: fmt.Sprintf("item %d", i)})
	}
	d.cursor = pick{panel: panelDue, id: 2, nth: 0}
	got := d.render(panelDue, lines, 2, 60)
	if len(got) != 2 || !strings.Contains(got[0], "item 2") || !strings.Contains(ansi.Strip(got[1]), "… and 10 more · 1 above") {
		t.Fatalf("item 2 selected in 2 rows: %q", got)
	}
}

// A heading does not end a panel with nothing of its own under it: Due today on a
// phone read "Nothing more is planned today.", "── coming up ──", "… and 50 more
// coming up", a heading over no items. The count says what is coming up.
func TestPanelDoesNotEndOnAHeading(t *testing.T) {
	t.Parallel()
	d := &dashboard{c: &common.Common{Styles: common.NewStyles(true)}}
	lines := []line{{text: "Nothing more is planned today."}, {text: "── coming up ──", part: true, head: "coming up"}}
	for i := int64(1); i <= 50; i++ {
		lines = append(lines, line{id: i, text: fmt.Sprintf("item %d", i)})
	}
	got := d.render(panelDue, lines, 3, 60)
	if len(got) != 3 || strings.Contains(strings.Join(got, "\n"), "──") || !strings.Contains(ansi.Strip(got[2]), "… and 50 more coming up") {
		t.Fatalf("3 rows: %q", got)
	}
	got = d.render(panelDue, lines, 4, 60)
	if len(got) != 4 || !strings.Contains(got[1], "── coming up") || !strings.Contains(got[2], "item 1") ||
		!strings.Contains(ansi.Strip(got[3]), "… and 49 more coming up") {
		t.Fatalf("4 rows hold the heading and an item under it: %q", got)
	}
}

// Another row's progress or state may move the columns (one set per frame), but
// never cuts "#29738 web-frontend 2.8.115 → test" while the panel has room for it.
func TestRunningRowsKeepTheirNameWhenAnotherChanges(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	d := &dashboard{c: &common.Common{Styles: common.NewStyles(true)}}
	rack := models.Deployment{ID: 29736, Component: "rack-b07-db-server", Version: "4.52", Environment: "production",
		Status: models.StatusVerifyingEnvironment, ScheduledEnd: now.Add(time.Hour), StepsDone: 4, StepsTotal: 15}
	web := models.Deployment{ID: 29738, Component: "web-frontend", Version: "2.8.115", Environment: "test",
		Status: models.StatusVerifyingDeployment, ScheduledEnd: now.Add(time.Hour), StepsDone: 3, StepsTotal: 4}
	const name = "#29738 web-frontend 2.8.115 → test"
	for _, w := range []int{62, 116} {
		moved := rack
		moved.StepsDone = 12
		d.data = engine.Dashboard{Now: now, Running: []models.Deployment{rack, web}}
		for step, running := range [][]models.Deployment{{rack, web}, {moved, web}, {moved, web}} {
			if step == 2 { // interrupted, and past both windows: marks on both
				d.data.Waits = map[int64]engine.WaitKind{29736: engine.WaitInterrupted}
				d.data.Now = now.Add(2 * time.Hour)
			}
			d.data.Running = running
			lines := d.runningLines(w)
			if got := ansi.Strip(lines[1].text); !strings.Contains(got, name) || lipgloss.Width(got) > w {
				t.Errorf("%d wide, step %d: %q", w, step, got)
			}
		}
	}
}

// The name takes the room the panel has: at 120 columns the demo's running rows
// were cut hard ("wareh…", "web-fron…") beside columns sized for any row at all.
func TestRunningNamesTakeThePanelsRoom(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	d := &dashboard{c: &common.Common{Styles: common.NewStyles(true)}}
	run := func(id int64, comp, version, env string, done, total int) models.Deployment {
		return models.Deployment{ID: id, Component: comp, Version: version, Environment: env,
			Status: models.StatusVerifyingDeployment, ScheduledEnd: now.Add(time.Hour), StepsDone: done, StepsTotal: total}
	}
	late := run(29742, "warehouse-etl", "5.15.125", "test", 1, 2)
	late.ScheduledEnd = now.Add(-time.Minute)
	d.data = engine.Dashboard{Now: now, Running: []models.Deployment{
		run(29736, "rack-b07-db-server", "4.53", "production", 4, 15), run(29738, "web-runbook", "4.163", "staging", 3, 4),
		run(29739, "payments-api", "4.9.49", "staging", 3, 4), run(29741, "web-frontend", "2.9.19", "test", 1, 2), late},
		Waits: map[int64]engine.WaitKind{29739: engine.WaitInterrupted, 29741: engine.WaitInterrupted, 29742: engine.WaitInterrupted}}
	lines := d.runningLines(62) // the running panel of a 120-column console
	for i, want := range []string{"#29736 rack-b07-", "#29738 web-runbook 4.163 → staging", "#29739 payments-api 4.9.49 → staging",
		"#29741 web-frontend 2.9.19 → test", "#29742 warehouse-etl 5.15.125 → test"} {
		got := ansi.Strip(lines[i].text)
		if !strings.Contains(got, want) || lipgloss.Width(got) > 62 {
			t.Errorf("row %d: %q, want %q", i+1, got, want)
		}
	}
	if got := ansi.Strip(lines[0].text); !strings.Contains(got, "→ production") {
		t.Errorf("the environment stays: %q", got)
	}
}

// A deployment may have two items in Needs you (an interrupted run that also runs
// past its window): ↓ goes through both and on to the items below. It came back to
// the first of the two and never reached what was under them.
func TestCursorPassesADeploymentListedTwice(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	d := &dashboard{c: tuitest.Org(t, "marc"), w: 120, h: 35, loaded: true}
	dep := func(id int64) models.Deployment {
		return models.Deployment{ID: id, Component: "web-frontend", Environment: "test", Status: models.StatusExecuting,
			ScheduledStart: now.Add(-2 * time.Hour), ScheduledEnd: now.Add(-time.Hour)}
	}
	d.data = engine.Dashboard{Now: now, Inbox: []engine.InboxItem{
		{Kind: engine.InboxInterrupted, Seq: 2, Deployment: dep(7)},
		{Kind: engine.InboxOverrun, Deployment: dep(7)},
		{Kind: engine.InboxOverdue, Deployment: dep(9)}}}
	d.keepCursor(nil)
	var seen []string
	for range 5 {
		seen = append(seen, ansi.Strip(lineWithMark(d.View())))
		d.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	want := []string{"⏸ interrupted #7", "⌛ overrunning #7", "⚠ overdue #9"}
	for i, w := range want {
		if i >= len(seen) || !strings.Contains(seen[i], w) {
			t.Fatalf("↓ %d times: the selected rows were %q, want %q in turn", i, seen, want)
		}
	}
}

// lineWithMark is the row of view that bears the cursor's mark.
func lineWithMark(view string) string {
	for _, l := range strings.Split(ansi.Strip(view), "\n") {
		if i := strings.Index(l, "▸ "); i >= 0 {
			return l[i:]
		}
	}
	return ""
}

// More failures wait for a review than Needs you lists: the line counting them says
// they come up there as those listed are reviewed, in the console, under the items
// it belongs to. It sent the manager to the CLI (ferry inbox), a cell further in.
func TestReviewsBeyondTheThreeComeUpInTheConsole(t *testing.T) {
	t.Parallel()
	d := &dashboard{c: &common.Common{Styles: common.NewStyles(true)}}
	for id := int64(1); id <= engine.ReviewsShown; id++ {
		d.data.Inbox = append(d.data.Inbox, engine.InboxItem{Kind: engine.InboxReview,
			Deployment: models.Deployment{ID: id}, Message: fmt.Sprintf("#%d failed 4d ago, not reviewed", id)})
	}
	d.data.ReviewsWaiting = 5
	rows := wrapped(d.reviewLines(), 50)
	var more []string
	for _, r := range rows[3:] {
		more = append(more, ansi.Strip(r.text))
	}
	text := strings.Join(more, " ")
	if strings.Contains(text, "ferry inbox") || !strings.Contains(strings.Join(strings.Fields(text), " "), "and 2 more wait for a review: the next come up here") {
		t.Fatalf("the count of the rest: %q", more)
	}
	for _, r := range more {
		if !strings.HasPrefix(r, "  ") || strings.HasPrefix(r, "     ") {
			t.Errorf("%q: indented as an item's wrapped rest (2 cells), not further", r)
		}
	}
}

// Due today's window column is as wide as a window within a day: one entry that
// ends the next day made it wide for every row. That one takes the room from its
// own name, so where each goes still lines up.
func TestDueWindowColumnIsAsNarrowAsMostRowsNeed(t *testing.T) {
	t.Parallel()
	c := tuitest.Org(t, "ana")
	d := &dashboard{c: c}
	now := tuitest.Now
	due := func(id int64, from, to time.Duration) models.Deployment {
		return models.Deployment{ID: id, Component: "web-frontend", Version: "7.3.1", Environment: "test",
			ScheduledStart: now.Add(from), ScheduledEnd: now.Add(to)}
	}
	d.data = engine.Dashboard{Now: now, DueToday: []models.Deployment{due(11, time.Hour, 2*time.Hour),
		due(12, 9*time.Hour, 13*time.Hour), due(13, 3*time.Hour, 4*time.Hour)}}
	lines := d.dueLines(116)
	env := -1
	for i, l := range lines {
		text := ansi.Strip(l.text)
		if i != 1 && !strings.HasPrefix(text, fmt.Sprintf("Thu 26 %s – %s  #1%d ",
			c.Local(d.data.DueToday[i].ScheduledStart, "15:04"), c.Local(d.data.DueToday[i].ScheduledEnd, "15:04"), i+1)) {
			t.Errorf("row %d: the window's column is as wide as its window: %q", i+1, text)
		}
		if i == 1 && !strings.HasPrefix(text, "Thu 26 23:05 – Fri 27 03:05  #12 ") {
			t.Errorf("the window that ends the next day is whole: %q", text)
		}
		at := strings.Index(text, "→ test")
		if env >= 0 && at != env {
			t.Errorf("row %d: → test at %d, the first row's at %d:\n%q", i+1, at, env, text)
		}
		env = at
	}
}

// The rows below the last item the cursor reaches (the models due for a review end
// Needs you, and nobody selects them) come into sight when the cursor gets there:
// they were counted, "… and 2 more", and no key showed them.
func TestLastItemShowsTheRowsBelowIt(t *testing.T) {
	t.Parallel()
	d := &dashboard{c: &common.Common{Styles: common.NewStyles(true)}}
	lines := []line{{id: 1, text: "item 1"}, {id: 2, text: "item 2"}, {id: 3, text: "item 3"},
		{text: "model review due rack-server"}, {text: "model review due web-service"}}
	d.cursor = pick{panel: panelNeeds, id: 3}
	got := d.render(panelNeeds, lines, 4, 60)
	want := []string{"↑ 2 more above", "▸ item 3", "model review due rack-server", "model review due web-service"}
	if len(got) != len(want) {
		t.Fatalf("item 3, the last selectable, in 4 rows: %q", got)
	}
	for i, w := range want {
		if !strings.Contains(ansi.Strip(got[i]), w) {
			t.Fatalf("row %d: %q, want %q (%q)", i, got[i], w, got)
		}
	}
	// An item before the last scrolls as before: the rows below it are counted.
	d.cursor = pick{panel: panelNeeds, id: 2}
	if got := d.render(panelNeeds, lines, 4, 60); !strings.Contains(ansi.Strip(got[len(got)-1]), "… and 2 more") {
		t.Fatalf("item 2 in 4 rows: %q", got)
	}
}

// needsRows is what the Needs you panel shows in view, its borders left out, and
// no-break spaces as spaces.
func needsRows(view string) []string {
	var out []string
	in := false
	for _, l := range strings.Split(strings.ReplaceAll(ansi.Strip(view), "\u00a0", " "), "\n") {
		if i := strings.LastIndex(l, "││"); i >= 0 { // beside Running now
			l = l[i+len("│"):]
		} else if i := strings.LastIndex(l, "╮╭"); i >= 0 {
			l = l[i+len("╮"):]
		} else if i := strings.LastIndex(l, "╯╰"); i >= 0 {
			l = l[i+len("╯"):]
		}
		switch {
		case strings.Contains(l, "╭─ Needs you"), strings.Contains(l, "╭─ To watch"):
			in = true
		case in && strings.HasPrefix(l, "╰"):
			return out
		case in:
			out = append(out, strings.TrimRight(strings.Trim(l, "│"), " "))
		}
	}
	return out
}

// phoneNeeds is a 60×20 dashboard (an 18-row body) whose Needs you panel has an
// incident of three rows, the open conflicts and a review of two rows, and more of
// each around them, so that the panel scrolls.
func phoneNeeds(t *testing.T, who string) *dashboard {
	now := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)
	d := &dashboard{c: tuitest.Org(t, who), w: 60, h: 18, loaded: true}
	dep := func(id int64) models.Deployment {
		return models.Deployment{ID: id, Component: "web-runbook", Version: "3.648", Environment: "staging"}
	}
	d.data = engine.Dashboard{Now: now, ReviewsWaiting: 1}
	for id := int64(1); id <= 4; id++ {
		d.data.Inbox = append(d.data.Inbox, engine.InboxItem{Kind: engine.InboxOverdue, Deployment: dep(id)})
	}
	d.data.Watched = d.data.Inbox
	d.data.OpenIncidents = []engine.IncidentOn{{Incident: models.Incident{Summary: "web-runbook 3.648: published page shows internal hostnames",
		OpenedAt: now.Add(-time.Hour)}, Deployment: dep(5)}}
	d.data.Inbox = append(d.data.Inbox, engine.InboxItem{Kind: engine.InboxReview, Deployment: dep(6),
		Message: "#6 web-runbook 3.600 → staging succeeded with an incident 14d8h ago, not reviewed"})
	d.data.Conflicts = []models.Conflict{{Kind: models.ConflictCapacity}, {Kind: models.ConflictPerson},
		{Kind: models.ConflictFreeze}, {Kind: models.ConflictPerson, StartedOver: &models.Finding{}}}
	d.keepCursor(nil)
	return d
}

// At 60×20 the open conflicts' line sat between an incident and a review that each
// fill the panel: the cursor went from one to the other and the line was never in
// sight. It is selectable (enter opens the conflicts), so ↓ stops on it.
func TestPhoneNeedsYouShowsTheConflictsOnTheWayDown(t *testing.T) {
	t.Parallel()
	for _, who := range []string{"ana", "kim"} { // a manager's Needs you, an analyst's To watch
		d := phoneNeeds(t, who)
		var seen [][]string
		for range 8 {
			seen = append(seen, needsRows(d.View()))
			if d.cursor.conflicts { // enter opens what 4 does
				cmd := d.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
				if push, ok := cmd().(common.PushMsg); !ok || push.Page.Title() != "Conflicts" {
					t.Errorf("%s: enter on the conflicts' line: %#v", who, cmd())
				}
			}
			d.Update(tea.KeyPressMsg{Code: tea.KeyDown})
		}
		found := false
		for _, rows := range seen {
			for i, r := range rows {
				if strings.Contains(r, "▸ ✗ 3 open conflicts") && i+1 < len(rows) && strings.Contains(rows[i+1], "capacity") {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s: going down Needs you never selects the conflicts' line with its kinds:\n%s", who, joinScreens(seen))
		}
	}
}

func joinScreens(screens [][]string) string {
	var parts []string
	for _, s := range screens {
		parts = append(parts, strings.Join(s, "\n"))
	}
	return strings.Join(parts, "\n----\n")
}

// At 60×20 with the last item of Needs you selected, its rows and those below it
// (the count of more reviews, a model due for review) filled the panel and nothing
// said 13 items were above. What is above is said, with what is below.
func TestLastItemStillCountsWhatIsAbove(t *testing.T) {
	t.Parallel()
	d := &dashboard{c: &common.Common{Styles: common.NewStyles(true)}}
	var lines []line
	for i := int64(1); i <= 13; i++ {
		lines = append(lines, line{id: i, text: fmt.Sprintf("item %d", i)})
	}
	lines = append(lines, line{id: 14, text: "✎ review #28586 warehouse-etl 2.18.6 → dev succeeded"},
		line{text: "  with an incident 14d4h ago, not reviewed", part: true},
		line{text: "  and 20 more wait for a review: the next come up here", part: true},
		line{text: "  as these are reviewed (w on their page)", part: true},
		line{text: "✎ model review due data-migration"})
	d.cursor = pick{panel: panelNeeds, id: 14}
	for _, c := range []struct {
		h    int
		want []string
	}{
		{5, []string{"▸ ✎ review #28586", "with an incident", "and 20 more wait", "as these are reviewed", "… and 1 more · 13 above"}},
		{6, []string{"↑ 13 more above", "▸ ✎ review #28586", "with an incident", "and 20 more wait", "as these are reviewed", "model review due"}},
	} {
		got := d.render(panelNeeds, lines, c.h, 56)
		if len(got) != len(c.want) {
			t.Fatalf("%d rows: %q", c.h, got)
		}
		for i, w := range c.want {
			if !strings.Contains(ansi.Strip(got[i]), w) {
				t.Fatalf("%d rows, row %d: %q, want %q (%q)", c.h, i, got[i], w, got)
			}
		}
	}
}

// A due row in conflict always shows its mark, and a window that ends the next day
// takes no more than its extra from the name: at 60×20 such a row lost its ✗ past
// the panel's edge, and at 120×35 its version.
func TestDueRowAcrossMidnightKeepsItsMark(t *testing.T) {
	t.Parallel()
	c := tuitest.Org(t, "ana")
	d := &dashboard{c: c}
	now := tuitest.Now
	due := func(id int64, comp string, from, to time.Duration) models.Deployment {
		return models.Deployment{ID: id, Component: comp, Version: "2.133", Environment: "production", Assignee: "tom",
			ScheduledStart: now.Add(from), ScheduledEnd: now.Add(to)}
	}
	d.data = engine.Dashboard{Now: now, DueToday: []models.Deployment{due(29762, "web-frontend", time.Hour, 2*time.Hour),
		due(29763, "core-switch-02", 9*time.Hour, 13*time.Hour), due(29764, "rack-b07-db-server", 9*time.Hour, 13*time.Hour)},
		Conflicts: []models.Conflict{{Kind: models.ConflictBlocked, IDs: []int64{29763, 29764}},
			{Kind: models.ConflictCapacity, IDs: []int64{29763, 29764}}, {Kind: models.ConflictPerson, IDs: []int64{29762, 29900}}}}
	for _, c := range []struct {
		w    int
		want []string
	}{
		{56, []string{"Thu 26 15:05 – 16:05  #29762 web-front… → production ✗",
			"Thu 26 23:05 – Fri 27 03:05  #29763 c… → production ✗2",
			"Thu 26 23:05 – Fri 27 03:05  #29764 r… → production ✗2"}},
		{116, []string{"Thu 26 15:05 – 16:05  #29762 web-frontend 2.133              → production  tom    ✗ person conflict",
			"Thu 26 23:05 – Fri 27 03:05  #29763 core-switch-02 2.133     → production  tom    ✗ blocked version conflict +1",
			"Thu 26 23:05 – Fri 27 03:05  #29764 rack-b07-db-server 2.133 → production  tom    ✗ blocked version conflict +1"}},
		// Narrower, the marks are cut before the names.
		{80 + 12, []string{"Thu 26 15:05 – 16:05  #29762 web-frontend 2.133              → production  tom    ✗",
			"Thu 26 23:05 – Fri 27 03:05  #29763 core-switch-02 2.133     → production  tom    ✗2",
			"Thu 26 23:05 – Fri 27 03:05  #29764 rack-b07-db-server 2.133 → production  tom    ✗2"}},
	} {
		for i, l := range d.dueLines(c.w) {
			got := strings.TrimRight(ansi.Strip(l.text), " ")
			if got != c.want[i] || lipgloss.Width(got) > c.w-2 {
				t.Errorf("%d wide, row %d:\n%q\nwant\n%q", c.w, i+1, got, c.want[i])
			}
		}
	}
}

// A due row in more than 99 open conflicts says "✗99+" and keeps within its row:
// "✗100" was one cell wider than the column sized for "✗99" and ran past the
// panel's edge. The short marks start in one column, the longest's width reserved.
func TestDueMarkPast99Holds(t *testing.T) {
	t.Parallel()
	c := tuitest.Org(t, "ana")
	d := &dashboard{c: c}
	now := tuitest.Now
	due := func(id int64, comp string) models.Deployment {
		return models.Deployment{ID: id, Component: comp, Version: "2.133", Environment: "production", Assignee: "tom",
			ScheduledStart: now.Add(time.Hour), ScheduledEnd: now.Add(2 * time.Hour)}
	}
	d.data = engine.Dashboard{Now: now, DueToday: []models.Deployment{due(29763, "core-switch-02-north-datacentre-rack"), due(29764, "web-frontend")}}
	d.data.Conflicts = append(d.data.Conflicts, models.Conflict{Kind: models.ConflictBlocked, IDs: []int64{29763, 29764}})
	for i := range int64(120) {
		d.data.Conflicts = append(d.data.Conflicts, models.Conflict{Kind: models.ConflictPerson, IDs: []int64{29763, 30000 + i}})
	}
	for _, c := range []struct {
		w    int
		want []string
	}{
		{56, []string{"Thu 26 15:05 – 16:05  #29763 core-s… → production ✗99+",
			"Thu 26 15:05 – 16:05  #29764 web-front… → production ✗"}},
		{92, []string{"Thu 26 15:05 – 16:05  #29763 core-switch-02-north-datacen… 2.133 → production  tom    ✗99+",
			"Thu 26 15:05 – 16:05  #29764 web-frontend 2.133                  → production  tom    ✗"}},
		{140, []string{"Thu 26 15:05 – 16:05  #29763 core-switch-02-north-datacentre-rack 2.133 → production  tom    ✗ blocked version conflict +120",
			"Thu 26 15:05 – 16:05  #29764 web-frontend 2.133                         → production  tom    ✗ blocked version conflict"}},
	} {
		for i, l := range d.dueLines(c.w) {
			got := strings.TrimRight(ansi.Strip(l.text), " ")
			if got != c.want[i] || lipgloss.Width(ansi.Strip(l.text)) > c.w-2 {
				t.Errorf("%d wide, row %d:\n%q\nwant\n%q", c.w, i+1, got, c.want[i])
			}
		}
	}
}

// The open conflicts' kinds, at 120×35: "· 1 started anyway" after them read as a
// fifth kind inside "4 open conflicts", the kinds sat left of an item's wrapped
// rest, and their order, by first appearance, changed between reloads.
func TestConflictKindsReadApartFromThoseStarted(t *testing.T) {
	t.Parallel()
	kinds := []models.ConflictKind{models.ConflictPerson, models.ConflictMaintenance, models.ConflictCapacity,
		models.ConflictPerson, models.ConflictFreeze}
	for _, order := range [][]int{{0, 1, 2, 3, 4}, {4, 2, 1, 0, 3}} { // another reload, another order
		d := &dashboard{c: tuitest.Org(t, "ana"), w: 120, h: 33, loaded: true}
		d.data.Conflicts = []models.Conflict{{Kind: models.ConflictCapacity, StartedOver: &models.Finding{}}}
		for _, i := range order {
			d.data.Conflicts = append(d.data.Conflicts, models.Conflict{Kind: kinds[i]})
		}
		d.keepCursor(nil)
		want := []string{
			"▸ ✗ 5 open conflicts (1 more started anyway)",
			"    2 person · 1 capacity · 1 freeze ·",
			"    1 maintenance",
		}
		if got := needsRows(d.View()); len(got) < 3 || strings.Join(got[:3], "\n") != " "+strings.Join(want, "\n ") {
			t.Errorf("order %v: got\n%s\nwant\n %s", order, strings.Join(got, "\n"), strings.Join(want, "\n "))
		}
	}
}

// A name cut in its column takes the cells its own state leaves: at 120×35
// "#29715 rack-b07-… 2.133 → production  verify env        4/15" cut the component
// beside 8 blank cells sized for another row's "⏸ interrupted  ⌛", and at 60×20 the
// row lost its version. States end in one column, against the counts, which end in one.
func TestRunningNameTakesItsStatesRoom(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)
	d := &dashboard{c: &common.Common{Styles: common.NewStyles(true)}}
	run := func(id int64, comp, version, env string, done, total int) models.Deployment {
		return models.Deployment{ID: id, Component: comp, Version: version, Environment: env,
			Status: models.StatusVerifyingEnvironment, ScheduledEnd: now.Add(time.Hour), StepsDone: done, StepsTotal: total}
	}
	late := run(29738, "warehouse-etl", "2.19.13", "test", 1, 2)
	late.ScheduledEnd = now.Add(-time.Minute)
	d.data = engine.Dashboard{Now: now, Running: []models.Deployment{run(29715, "rack-b07-db-server", "2.133", "production", 4, 15),
		late, run(29739, "payments-api", "2.5.81", "staging", 3, 4)},
		Waits: map[int64]engine.WaitKind{29738: engine.WaitInterrupted, 29739: engine.WaitInterrupted}}
	for _, c := range []struct {
		w    int
		want []string
	}{
		{56, []string{"#29715 rack-b07-d… 2.133 → production  verify env 4/15",
			"#29738 warehou… 2.19.13 → test  ⏸ interrupted  ⌛  1/2",
			"#29739 payments-… 2.5.81 → staging  ⏸ interrupted  3/4"}},
		{62, []string{"#29715 rack-b07-db-serv… 2.133 → production  verify env 4/15",
			"#29738 warehouse-etl 2.19.13 → test   ⏸ interrupted  ⌛  1/2",
			"#29739 payments-api 2.5.81 → staging      ⏸ interrupted  3/4"}},
	} {
		for i, l := range d.runningLines(c.w) {
			if got := strings.TrimRight(ansi.Strip(l.text), " "); got != c.want[i] || lipgloss.Width(got) > c.w-2 {
				t.Errorf("%d wide, row %d:\n%q\nwant\n%q", c.w, i+1, got, c.want[i])
			}
		}
	}
}

// A due row of another month says its month, and of another year its year: "Tue 05
// 10:00 – 10:45" of a plan in January read as the 5th of this month. Those of this
// month keep the short day, and the rows still line up where each goes.
func TestDueRowsOfAnotherMonthSayIt(t *testing.T) {
	t.Parallel()
	c := tuitest.Org(t, "ana")
	d := &dashboard{c: c}
	now := tuitest.Now // Thu 26 Nov 2026 14:05 in Berlin
	plan := func(id int64, start time.Time) models.Deployment {
		return models.Deployment{ID: id, Component: "web-frontend", Version: "7.3.1", Environment: "test",
			ScheduledStart: start, ScheduledEnd: start.Add(45 * time.Minute)}
	}
	d.data = engine.Dashboard{Now: now, DueToday: []models.Deployment{plan(11, now.Add(time.Hour))},
		Upcoming: []models.Deployment{plan(12, now.Add(3*24*time.Hour)), plan(13, now.AddDate(0, 1, 0)), plan(14, now.AddDate(0, 2, 0))}}
	want := map[int64]string{11: "Thu 26 15:05 – 15:50", 12: "Sun 29 14:05 – 14:50",
		13: "Sat 26 Dec 14:05 – 14:50", 14: "Tue 26 Jan 2027 14:05 – 14:50"}
	env := -1
	for _, l := range d.dueLines(116) {
		if l.id == 0 {
			continue
		}
		text := ansi.Strip(l.text)
		if !strings.HasPrefix(text, want[l.id]+"  #") {
			t.Errorf("#%d: %q, want it to start %q", l.id, text, want[l.id])
		}
		if at := strings.Index(text, "→ test"); env >= 0 && at != env {
			t.Errorf("#%d: → test at %d, the first row's at %d:\n%q", l.id, at, env, text)
		} else {
			env = at
		}
	}
}

// What needs the person says when as every screen does (Common.Near): the time alone
// today, the day this month, the date further back. An overdue plan of last month
// said "Thu 13:35", as if of this week.
func TestNeedsYouSaysWhenAsNear(t *testing.T) {
	t.Parallel()
	c := tuitest.Org(t, "ana")
	d := &dashboard{c: c}
	now := tuitest.Now
	dep := func(id int64, start time.Time) models.Deployment {
		return models.Deployment{ID: id, Component: "auth-service", Environment: "dev", Status: models.StatusPlanned,
			ScheduledStart: start, ScheduledEnd: start.Add(time.Hour)}
	}
	d.data = engine.Dashboard{Now: now, Inbox: []engine.InboxItem{
		{Kind: engine.InboxOverdue, Deployment: dep(1, now.Add(-30*time.Minute))},
		{Kind: engine.InboxOverdue, Deployment: dep(2, now.AddDate(0, 0, -7))},
		{Kind: engine.InboxOverdue, Deployment: dep(3, now.AddDate(0, -1, 0))}}}
	var got []string
	for _, l := range d.lateLines() {
		got = append(got, ansi.Strip(l.text))
	}
	want := []string{"⚠ overdue #1 auth-service → dev 13:35", "⚠ overdue #2 auth-service → dev Thu 19 14:05",
		"⚠ overdue #3 auth-service → dev Mon 26 Oct 14:05"}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// A refresh that takes the selected row away leaves the cursor in its panel, on the
// row now in its place: a plan saved from a Needs you row changed that panel, and the
// cursor jumped to the first running deployment.
func TestDashboardCursorStaysInItsPanel(t *testing.T) {
	t.Parallel()
	d := phoneNeeds(t, "ana")
	d.data.Running = []models.Deployment{{ID: 9, Component: "ledger-db", Version: "1", Environment: "dev", Status: models.StatusExecuting}}
	d.keepCursor(nil)
	for d.cursor.id != 3 {
		d.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	data := d.data
	data.Inbox = slices.DeleteFunc(slices.Clone(data.Inbox), func(it engine.InboxItem) bool { return it.Deployment.ID == 3 })
	data.Watched = data.Inbox
	d.Update(dashboardMsg{data: data})
	if d.cursor.panel != panelNeeds || d.cursor.id != 4 {
		t.Fatalf("#3 gone from Needs you, the cursor went to %+v, want #4 there", d.cursor)
	}
}
