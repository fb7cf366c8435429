package pages

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// dashboard shows what runs now, what needs the user, what is due today and how the
// last 30 days went. The cursor moves over every deployment it lists.
type dashboard struct {
	c      *common.Common
	data   engine.Dashboard
	loaded bool
	cursor pick // the selected row, kept across refreshes
	w, h   int
	panes  *panes // the panels' rows for this data, size and styles; nil: to build
}

// panes are the panels' rows and where the panels go. They are built once for the
// data, the size and the styles, not on every frame: with a hundred late deployments
// building and wrapping every row took most of a frame, and a frame is drawn on
// every key.
type panes struct {
	running, needs, due []line // needs: wrapped to its panel
	needsTitle          string
	last                []string
	layout              dashLayout
}

type dashboardMsg struct {
	data engine.Dashboard
	err  error
}

// NewDashboard is the Dashboard screen.
func NewDashboard(c *common.Common) common.Page { return &dashboard{c: c} }

func (d *dashboard) Title() string { return "Dashboard" }
func (d *dashboard) SetSize(w, h int) {
	if w != d.w || h != d.h {
		// The cursor stays where it is, even in a panel left out for now (the help
		// open on a phone): it is there again when the panel is; meanwhile enter and a
		// act only on a row in sight, and ↓ starts from the top.
		d.w, d.h, d.panes = w, h, nil
	}
}

// Restyle drops the rows drawn in the old styles.
func (d *dashboard) Restyle()        { d.panes = nil }
func (d *dashboard) Capturing() bool { return false }
func (d *dashboard) ShortHelp() []common.Key {
	k := d.c.Keys
	open := common.On(k.Open)
	if len(d.picks()) == 0 {
		open.Off = "nothing to open here"
	}
	// "4 conflicts" beside the panels' counts read as a count of its own.
	conflicts := k.Screens[3]
	conflicts.SetHelp("4", "conflicts screen")
	return append(d.c.Arrows(len(d.picks()), loadedOr(d.loaded, "nothing to open here")), open, common.OffFor(runKey, d.whyNoRun()),
		common.OffFor(approveKey, d.whyNoApprove()), d.c.PlanKey(), common.On(conflicts))
}

// runKey opens the selected deployment's run view, as r on its page does: there g
// resumes an interrupted step, r retries it, F fails the deployment.
var runKey = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run view"))

// whyNoRun: r follows the run of the deployment selected, whatever its state, as on
// its page; "" when a row in sight is selected.
func (d *dashboard) whyNoRun() string {
	if d.cursor.id == 0 || indexOf(d.picks(), d.cursor) < 0 {
		return "no deployment selected: r opens the run view of the deployment selected"
	}
	return ""
}

// approveKey opens the selected deployment's checklist asking for the approval of
// the gate it waits at, as a on that page does: the note, and the run carrying on.
var approveKey = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "approve"))

// whyNoApprove: the selected deployment waits at a gate this person may approve (the
// engine put it in their inbox, the ◆ gate rows); "" when it does.
func (d *dashboard) whyNoApprove() string {
	if d.cursor.id == 0 || indexOf(d.picks(), d.cursor) < 0 {
		return "no deployment selected: a gate waiting for you is a ◆ gate row under Needs you"
	}
	for _, it := range d.data.Inbox {
		if it.Kind == engine.InboxGate && it.Deployment.ID == d.cursor.id {
			return ""
		}
	}
	if d.data.Waits[d.cursor.id] == engine.WaitApproval {
		return fmt.Sprintf("#%d waits at a gate you may not approve: enter shows who may", d.cursor.id)
	}
	return fmt.Sprintf("#%d waits at no gate: a gate waiting for you is a ◆ gate row under Needs you", d.cursor.id)
}
func (d *dashboard) FullHelp() [][]common.Key { return [][]common.Key{d.ShortHelp()} }

func (d *dashboard) Refresh() tea.Cmd {
	c := d.c
	return func() tea.Msg {
		data, err := c.Eng.Dashboard(c.Ctx, c.Actor)
		common.Clean(&data) // stored text is shown, never obeyed
		return dashboardMsg{data, err}
	}
}

func (d *dashboard) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case dashboardMsg:
		if msg.err != nil {
			return func() tea.Msg { return common.ErrMsg{Err: msg.err} }
		}
		before := d.picks()
		d.data, d.loaded, d.panes = msg.data, true, nil
		d.keepCursor(before)
	case tea.KeyPressMsg:
		picks := d.picks()
		i := indexOf(picks, d.cursor)
		switch {
		case key.Matches(msg, d.c.Keys.Up) && i > 0:
			d.cursor = picks[i-1]
		case key.Matches(msg, d.c.Keys.Down) && i < len(picks)-1:
			d.cursor = picks[i+1]
		case key.Matches(msg, d.c.Keys.Open) && i >= 0 && d.cursor.channel != "":
			return common.Push(NewChannels(d.c, d.cursor.channel))
		case key.Matches(msg, d.c.Keys.Open) && i >= 0 && d.cursor.model != "":
			// What a model's review acts on: its improvements (n proposes one there).
			return common.Push(NewImprovements(d.c))
		case key.Matches(msg, d.c.Keys.Open) && i >= 0 && d.cursor.conflicts:
			return common.Push(NewConflicts(d.c))
		case key.Matches(msg, d.c.Keys.Open) && i >= 0:
			return common.Push(NewDetail(d.c, d.cursor.id))
		case key.Matches(msg, runKey) && d.whyNoRun() == "":
			return common.Push(newRunView(d.c, d.cursor.id))
		case key.Matches(msg, approveKey) && d.whyNoApprove() == "":
			return common.Push(NewChecklistApproving(d.c, d.cursor.id))
		}
	}
	return nil
}

// keepCursor leaves the selection where it was (before are the rows there were):
// on its row if it is still there, else on the same deployment's row in the same
// panel, else on the row now in its place in that panel, and only then on the first
// row. A plan saved from a Needs you row changed that panel, and the cursor jumped
// to the first running deployment.
func (d *dashboard) keepCursor(before []pick) {
	picks := d.picks()
	switch {
	case len(picks) == 0:
		d.cursor = pick{}
		return
	case indexOf(picks, d.cursor) >= 0:
		return
	}
	inPanel := func(list []pick) []pick {
		var out []pick
		for _, p := range list {
			if p.panel == d.cursor.panel {
				out = append(out, p)
			}
		}
		return out
	}
	now := inPanel(picks)
	for _, p := range now {
		if p.id == d.cursor.id && p.id != 0 {
			d.cursor = p
			return
		}
	}
	if at := indexOf(inPanel(before), d.cursor); at >= 0 && len(now) > 0 {
		d.cursor = now[min(at, len(now)-1)]
		return
	}
	d.cursor = picks[0]
}

// panels, in screen order; their index is pick.panel.
const (
	panelRunning = iota
	panelNeeds
	panelDue
)

// picks lists the selectable rows in screen order.
func (d *dashboard) picks() []pick {
	var out []pick
	ps := d.built()
	for p, group := range [][]line{ps.running, ps.needs, ps.due} {
		if p == panelDue && ps.layout.Due.H == 0 { // not drawn: the cursor does not go where nobody sees
			continue
		}
		seen := map[int64]int{}
		for _, l := range group {
			if pk, ok := l.pickIn(p, seen); ok {
				out = append(out, pk)
			}
		}
	}
	return out
}

func indexOf(picks []pick, p pick) int {
	for i, x := range picks {
		if x == p {
			return i
		}
	}
	return -1
}

// pick names a selectable row: a deployment in one panel (it may appear in two),
// and which of its rows there (an interrupted run that also overruns has two rows in
// Needs you: by its ID alone the cursor went back to the first and never got past);
// or a failing notification channel, by its name; or the open conflicts' line.
type pick struct {
	panel     int
	id        int64
	nth       int
	channel   string
	model     string // a model due for review: enter opens the improvement register
	conflicts bool
}

// pickIn is the pick that names l in panel, false for a row that is not selectable;
// seen counts the rows of each deployment met so far in the panel.
func (l line) pickIn(panel int, seen map[int64]int) (pick, bool) {
	switch {
	case l.channel != "":
		return pick{panel: panel, channel: l.channel}, true
	case l.model != "":
		return pick{panel: panel, model: l.model}, true
	case l.conflicts:
		return pick{panel: panel, conflicts: true}, true
	case l.id == 0:
		return pick{}, false
	}
	seen[l.id]++
	return pick{panel: panel, id: l.id, nth: seen[l.id] - 1}, true
}

// line is one row of a panel; id is the deployment it opens, channel the failing
// notification channel, conflicts the open conflicts' line (none: not selectable).
// A part is not an item of its own: the rest of a wrapped one, or a heading.
type line struct {
	id        int64
	channel   string
	model     string
	conflicts bool
	text      string
	part      bool
	head      string // a heading's name for the items under it ("coming up")
}

func (d *dashboard) View() string {
	if !d.loaded {
		return d.c.Styles.Dim.Render(" loading the dashboard…")
	}
	st := d.c.Styles
	ps := d.built()
	l := ps.layout
	// The panels left out for lack of room are named in the last one's bottom border.
	var left []string
	if l.Due.H == 0 {
		left = append(left, "Due today")
	}
	if l.Last30.H == 0 {
		left = append(left, "Last 30 days")
	}
	note := ""
	switch len(left) {
	case 1:
		note = left[0] + ": needs a taller window"
	case 2:
		note = strings.Join(left, ", ") + ": need a taller window"
	}
	running := components.Panel(st, fmt.Sprintf("Running now (%d)", len(d.data.Running)), d.render(panelRunning, ps.running, l.Running.H-2, l.Running.W-6), l.Running.W, l.Running.H)
	needsNote := ""
	if l.Due.H == 0 {
		needsNote = note
	}
	needs := components.PanelNote(st, ps.needsTitle, needsNote, d.render(panelNeeds, ps.needs, l.Needs.H-2, l.Needs.W-6), l.Needs.W, l.Needs.H)
	due := components.PanelNote(st, fmt.Sprintf("Due today (%d)", len(d.data.DueToday)), note, d.render(panelDue, ps.due, l.Due.H-2, l.Due.W-6), l.Due.W, l.Due.H)
	top := lipgloss.JoinVertical(lipgloss.Left, running, needs)
	if l.Needs.Y == 0 { // side by side
		top = lipgloss.JoinHorizontal(lipgloss.Top, running, needs)
	}
	if l.Due.H == 0 {
		return top
	}
	if l.Last30.H == 0 {
		return lipgloss.JoinVertical(lipgloss.Left, top, due)
	}
	return lipgloss.JoinVertical(lipgloss.Left, top, due, components.Panel(st, "Last 30 days", ps.last, l.Last30.W, l.Last30.H))
}

// built is the panels' rows, built now if the data, size or styles changed.
func (d *dashboard) built() *panes {
	if d.panes != nil {
		return d.panes
	}
	// The panels' widths do not depend on their heights: each panel's rows are built
	// for the width inside its borders and the space before them.
	runW, needsW := d.w, d.w
	if d.w >= wideMin {
		runW = d.w * 11 / 20
		needsW = d.w - runW
	}
	entries := d.needs(needsW - 4)
	needs := entries
	if len(needs) == 0 {
		needs = []line{{text: d.c.Styles.Good.Render("✓ Nothing needs you right now.")}}
	}
	ps := &panes{running: d.runningLines(runW - 4), needs: wrapped(needs, needsW-6), needsTitle: d.needsTitle(entries),
		due: d.dueLines(d.w - 4), last: d.last30Lines(d.w - 4)}
	ps.layout = layoutDashboard(d.w, d.h, len(ps.running), len(ps.needs), len(ps.due), len(ps.last))
	d.panes = ps
	return ps
}

// render marks the selected row and scrolls so that it stays in the h visible rows
// of a panel w cells wide (less the selection's mark).
func (d *dashboard) render(panel int, lines []line, h, w int) []string {
	sel, last, seen := -1, -1, map[int64]int{}
	for i, l := range lines {
		if pk, ok := l.pickIn(panel, seen); ok {
			last = i
			if d.cursor == pk {
				sel = i
			}
		}
	}
	scroll := func(h int) int {
		if sel >= 0 && sel == last { // the last the cursor reaches: what is below it comes into sight too
			return tailScrolled(lines, sel, h)
		}
		return scrolled(lines, sel, h)
	}
	rows, off := h, scroll(h)
	above := ""
	// Scrolled, the first row says what is above, if the selected item still fits
	// whole below it with the row that says what is below.
	if o := scroll(h - 1); off > 0 && h > 2 && fitsWhole(lines, sel, o, h-1) {
		rows, off = h-1, o
		above = d.c.Styles.Dim.Render(fmt.Sprintf("↑ %d more above", countItems(lines[:off])))
	}
	shown, more := lines[off:], ""
	if len(shown) > rows && rows > 1 {
		// An item is shown whole or not at all: cut before the first row of one
		// whose wrapped rest would not fit (unless it is the selected one).
		cut := rows - 1
		for cut > 1 && continues(shown[cut]) && cut-1 != sel-off {
			cut--
		}
		for cut > 1 && shown[cut-1].head != "" { // nor a heading with nothing under it
			cut--
		}
		more = hiddenItems(shown[cut:], d.lastHead(lines, off+cut))
		shown = shown[:cut]
	}
	if off > 0 && above == "" && more == "" && rows > 1 { // the last item's tail in sight, and nothing for what is above
		above, shown, more = d.roomAbove(lines, shown, off, sel, rows)
	}
	if off > 0 && above == "" && more != "" { // no row to say what is above: the count below says it too
		more += fmt.Sprintf(" · %d above", countItems(lines[:off]))
	}
	if rows == 1 && len(shown) > 1 { // one row (a phone with the help open): the item, and how many more
		n := countItems(lines) - 1
		l := shown[0]
		if sel >= 0 { // the one chosen, wherever it is: scrolled keeps the first for one row
			l, off = lines[sel], sel
		}
		if n > 0 && !l.part {
			tail := d.c.Styles.Dim.Render(fmt.Sprintf(" +%d more", n))
			l.text = common.Fit(strings.TrimRight(l.text, " "), w-lipgloss.Width(tail)) + tail
		}
		shown = []line{l}
	}
	var out []string
	if above != "" {
		out = append(out, above)
	}
	for i, l := range shown {
		if i+off == sel {
			out = append(out, d.c.Styles.Select("▸ "+l.text))
		} else {
			out = append(out, "  "+l.text)
		}
	}
	if more != "" {
		for len(out) < h-1 { // the rows a wrapped item left: "… and N more" ends the panel
			out = append(out, "")
		}
		out = append(out, d.c.Styles.Dim.Render(more))
	}
	return out
}

// roomAbove makes a row to say how many items are above the shown rows (from off),
// when the tail below the last item (sel) fills the panel's rows: a spare row takes
// "↑ N more above"; else the rows below the selected item give way to a count of
// them, which says what is above too. The selected item stays whole. It said
// nothing, and the panel looked like its list's start.
func (d *dashboard) roomAbove(lines, shown []line, off, sel, rows int) (above string, _ []line, more string) {
	if len(shown) < rows {
		return d.c.Styles.Dim.Render(fmt.Sprintf("↑ %d more above", countItems(lines[:off]))), shown, ""
	}
	cut, end := rows-1, itemEnd(lines, sel)-off
	for cut > end && continues(shown[cut]) {
		cut--
	}
	if cut <= end { // the selected item alone fills the panel
		return "", shown, ""
	}
	return "", shown[:cut], hiddenItems(shown[cut:], d.lastHead(lines, off+cut))
}

// itemEnd is the last row of the item whose first row is at i.
func itemEnd(lines []line, i int) int {
	for i+1 < len(lines) && continues(lines[i+1]) {
		i++
	}
	return i
}

// scrolled is the first of lines to show in h rows so that the selected one (sel)
// is in sight whole, its wrapped rows too, with a row below it for what is further
// down; the first row shown is an item's first, not the rest of one above.
func scrolled(lines []line, sel, h int) int {
	end := sel
	if sel >= 0 {
		end = itemEnd(lines, sel)
	}
	off := 0
	if end >= h-1 && h > 1 {
		off = min(sel, end-h+2)
	}
	for off < sel && continues(lines[off]) {
		off++
	}
	return off
}

// tailScrolled is scrolled for the last item the cursor can reach: the rows below it
// (items nobody selects, such as the models due for a review, at the end of Needs
// you) come into sight as far as the selected item's first row stays in sight; else
// they were counted ("… and 3 more") and never shown.
func tailScrolled(lines []line, sel, h int) int {
	off := scrolled(lines, sel, h)
	if t := len(lines) - h; t > off && h > 1 {
		off = min(sel, t)
		for off < sel && continues(lines[off]) {
			off++
		}
	}
	return off
}

// fitsWhole reports whether the item at sel, with its wrapped rows, fits in rows
// rows from off, and a row for what is below it if anything is.
func fitsWhole(lines []line, sel, off, rows int) bool {
	end := itemEnd(lines, sel)
	need := end - off + 1
	if end+1 < len(lines) {
		need++
	}
	return need <= rows
}

// countItems is how many items lines hold (a wrapped one once).
func countItems(lines []line) int {
	n := 0
	for _, l := range lines {
		if !l.part {
			n++
		}
	}
	return n
}

// continues reports whether l is the wrapped rest of the item above it.
func continues(l line) bool { return l.part && l.head == "" }

// lastHead is the heading the row at i is under, if any.
func (d *dashboard) lastHead(lines []line, i int) string {
	head := ""
	for _, l := range lines[:i] {
		if l.head != "" {
			head = l.head
		}
	}
	return head
}

// hiddenItems says how many items the rows below the panel hold, by heading:
// "… and 4 more, 50 coming up". Items, not rows: a wrapped item takes two.
func hiddenItems(rows []line, head string) string {
	var heads []string
	counts := map[string]int{}
	for _, l := range rows {
		if l.head != "" {
			head = l.head
		}
		if !l.part {
			if counts[head] == 0 {
				heads = append(heads, head)
			}
			counts[head]++
		}
	}
	var parts []string
	for i, h := range heads {
		switch {
		case i == 0 && h == "":
			parts = append(parts, fmt.Sprintf("%d more", counts[h]))
		case i == 0:
			parts = append(parts, fmt.Sprintf("%d more %s", counts[h], h))
		default:
			parts = append(parts, fmt.Sprintf("%d %s", counts[h], h))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "… and " + strings.Join(parts, ", ")
}

// wrapped breaks the lines longer than w cells onto rows of their own, the rest
// indented under the first: a needs-you item says what it is at its end ("succeeded
// with an incident"), so it is wrapped rather than cut.
func wrapped(lines []line, w int) []line {
	var out []line
	for _, l := range lines {
		rows := common.Wrap(l.text, max(10, w))
		out = append(out, line{id: l.id, channel: l.channel, model: l.model, conflicts: l.conflicts, text: rows[0], part: l.part, head: l.head})
		if len(rows) > 1 {
			for _, r := range common.Wrap(strings.Join(rows[1:], " "), max(8, w-2)) {
				out = append(out, line{text: "  " + r, part: true})
			}
		}
	}
	return out
}

func (d *dashboard) runningLines(w int) []line {
	st := d.c.Styles
	if len(d.data.Running) == 0 {
		return []line{{text: st.Dim.Render("Nothing is running.")}}
	}
	cols := d.runningColumns(w)
	var out []line
	for i, dep := range d.data.Running {
		text := d.runningNameState(dep, cols, cols.rows[i].state)
		if cols.bars { // bars line up on their left, counts alone on their right ("3/4", "12/15")
			text += " " + common.Fit(cols.rows[i].progress, cols.progress)
		} else {
			text += " " + strings.Repeat(" ", cols.progress-lipgloss.Width(cols.rows[i].progress)) + cols.rows[i].progress
		}
		out = append(out, line{id: dep.ID, text: text})
		for _, b := range d.data.Blocked {
			if b.Deployment.ID == dep.ID { // the reason whole, wrapped under its row: it says what to fix
				text := fmt.Sprintf("blocked by %s: %q %s", b.Step.Actor, b.Step.BlockReason, d.c.Near(b.Step.At, 0)) // who blocked it, not the assignee
				for _, r := range clip(text, max(10, w-5), reasonRows) {
					out = append(out, line{text: st.Bad.Render("   " + r), part: true})
				}
			}
		}
	}
	return out
}

// runningNameState is a running row's name and state in their columns' room, the
// state against the progress (right-aligned): a name too long for its column takes
// the cells its own state leaves unused, and every state still ends where the
// others do. Left-aligned, a long name pushed its state right on that row alone,
// and the column zigzagged; a short stage beside a column sized for
// "⏸ interrupted  ⌛" left 8 cells blank while the name was cut.
func (d *dashboard) runningNameState(dep models.Deployment, cols runningCols, state string) string {
	if cols.state == 0 {
		return common.Fit(runningName(dep, cols.name), cols.name)
	}
	room := cols.name + cols.state - lipgloss.Width(state)
	return common.Fit(strings.TrimRight(runningName(dep, room), " "), room) + "  " + state
}

// runningCols is one set of columns for every running row, so that states and bars
// line up: each as wide as its widest cell in the rows, the name as wide as the
// room left (or its widest), so a name is cut only when the panel lacks the room.
type runningCols struct {
	name, state, progress int
	bars                  bool // the progress a bar and a count, not the count alone
	rows                  []runningCells
}

type runningCells struct{ state, progress string }

// runningColumns sizes the columns for rows w cells wide (less the selection's
// mark). The state is what stops a run or makes it late when something does, else
// its stage (which a narrow panel leaves out). The progress is a bar and a count,
// or the count alone when the bars would cut a name (and always on a phone).
func (d *dashboard) runningColumns(w int) runningCols {
	// A stage in its words ("verify deployment") where the names keep their room,
	// else short ("verify depl", which read as cut off).
	c, whole := d.runningColumnsWith(w, true)
	if whole && c.bars { // the short words could not have kept more: no need to size them
		return c
	}
	short, _ := d.runningColumnsWith(w, false)
	if whole && c.bars == short.bars {
		return c
	}
	return short
}

// runningColumnsWith is runningColumns with each stage whole or short, and whether
// every name has its room.
func (d *dashboard) runningColumnsWith(w int, wholeStage bool) (runningCols, bool) {
	var c runningCols
	widest := 0
	for _, dep := range d.data.Running {
		cells := runningCells{state: d.runningMarks(dep, w)}
		if cells.state == "" && w >= 50 {
			cells.state = common.CompactStage(dep.Status)
			if wholeStage {
				cells.state = strings.ToLower(dep.Status.Stage().Title())
			}
		}
		c.state = max(c.state, lipgloss.Width(cells.state))
		widest = max(widest, lipgloss.Width(strings.TrimRight(runningName(dep, 1<<10), " ")))
		c.rows = append(c.rows, cells)
	}
	gaps := 1 + 2*min(1, c.state) // before the progress, and before the state
	bars := w >= 60
	for {
		c.progress = 0
		for i, dep := range d.data.Running {
			c.rows[i].progress = fmt.Sprintf("%d/%d", dep.StepsDone, dep.StepsTotal)
			if bars {
				c.rows[i].progress = common.Progress(dep.StepsDone, dep.StepsTotal)
			}
			c.progress = max(c.progress, lipgloss.Width(c.rows[i].progress))
		}
		room := w - 2 - c.state - c.progress - gaps
		if !bars || room >= widest {
			c.name, c.bars = max(10, min(widest, room)), bars
			return c, room >= widest
		}
		bars = false
	}
}

// runningName is "#12 payments-api 4.12.0 → staging" in w cells: the component
// is cut before the version goes, and the version before where it goes (the word a
// manager scans the panel for).
func runningName(dep models.Deployment, w int) string {
	const least = 6 // of the component, with its "…"
	head, tail := fmt.Sprintf("#%d %s", dep.ID, dep.Component), fmt.Sprintf(" %s → %s", dep.Version, dep.Environment)
	if dep.Version == "" || w-lipgloss.Width(tail) < lipgloss.Width(fmt.Sprintf("#%d ", dep.ID))+least {
		tail = " → " + dep.Environment
	}
	return common.FitEnds(head, tail, w)
}

// runningMarks say what stops a running deployment, or makes it late: a step
// interrupted, a gate to approve, its window over ("" for none).
func (d *dashboard) runningMarks(dep models.Deployment, w int) string {
	st := d.c.Styles
	var marks []string
	switch d.data.Waits[dep.ID] {
	case engine.WaitInterrupted:
		marks = append(marks, "⏸ interrupted")
	case engine.WaitApproval:
		marks = append(marks, "◆ gate")
	}
	if dep.OverrunsAt(d.data.Now) {
		over := "overrunning"
		if len(marks) > 0 && w < 90 { // both: the glyph the Needs panel has for it
			over = "⌛"
		}
		marks = append(marks, over)
	}
	if len(marks) == 0 {
		return ""
	}
	return st.Warn.Render(strings.Join(marks, "  "))
}

// reviewLines are the failures waiting for a review: the oldest (engine.ReviewsShown),
// each opening its record (w there reviews it), and how many more.
func (d *dashboard) reviewLines() []line {
	st := d.c.Styles
	var out []line
	for _, it := range d.data.Inbox {
		if it.Kind == engine.InboxReview {
			out = append(out, line{id: it.Deployment.ID, text: st.Warn.Render("✎ review ") + it.Message})
		}
	}
	if n := d.data.ReviewsWaiting; n > len(out) { // with those above: one entry, as counted in the panel's title
		// The next come up here as these are reviewed (w on their page): the
		// console is where they are done, not the CLI it sent the manager to.
		out = append(out, line{text: st.Dim.Render(fmt.Sprintf("  and %d more wait for a review: the next come up here as these are reviewed (w on their page)", n-len(out))),
			part: true})
	}
	return out
}

// countStarted is how many of the conflicts a deployment went ahead against.
func countStarted(cs []models.Conflict) int {
	n := 0
	for _, c := range cs {
		if c.StartedOver != nil {
			n++
		}
	}
	return n
}

// needs are the panel's entries, most pressing first, as the inbox orders them
// (engine.Inbox): what holds a deployment up now, what went wrong, what is late, then
// what to settle or learn.
func (d *dashboard) needs(w int) []line {
	return slices.Concat(d.gateLines(), d.blockedLines(), d.interruptedLines(), d.failureLines(), d.lateLines(),
		d.incidentLines(), d.conflictLines(), d.channelLines(w), d.reviewLines(), d.modelLines(w))
}

func (d *dashboard) gateLines() []line {
	var out []line
	for _, it := range d.data.Inbox {
		if it.Kind == engine.InboxGate {
			dep := it.Deployment
			out = append(out, line{id: dep.ID, text: d.c.Styles.Warn.Render("◆ gate ") + fmt.Sprintf("#%d %s %s → %s: you may approve",
				dep.ID, dep.Component, dep.Version, dep.Environment)})
		}
	}
	return out
}

func (d *dashboard) blockedLines() []line {
	var out []line
	for _, b := range d.data.Blocked {
		// The reason's start: the item is wrapped to the panel (see wrapped), and a
		// reason of a paragraph would fill it; enter opens it whole.
		note := clip(b.Step.BlockReason, 50*reasonRows, 1)[0]
		out = append(out, line{id: b.Deployment.ID, text: d.c.Styles.Bad.Render("■ blocked ") +
			fmt.Sprintf("#%d %s %q", b.Deployment.ID, b.Step.Actor, note)})
	}
	return out
}

// needsTitle names the panel for what the person may do about it (an analyst acts
// on none of it, and watches) and counts its entries, as the other panels count
// theirs: what is below the panel's end is in the count, as "… and N more" counts it
// (the failures waiting for a review beyond the three shown are one entry).
func (d *dashboard) needsTitle(entries []line) string {
	title := "Needs you"
	if engine.Can(d.c.Actor, engine.ActPlan, nil) != nil && !d.c.Actor.Has(models.RoleTechnician) {
		title = "To watch"
	}
	n := 0
	for _, l := range entries {
		if !continues(l) {
			n++
		}
	}
	if n == 0 {
		return title
	}
	return fmt.Sprintf("%s (%d)", title, n)
}

// interruptedLines are the runs whose runner stopped mid-step, waiting for someone
// to resume, retry or fail them (the inbox says whose). The first says what r does;
// said again on each of five it filled the panel with the same words.
func (d *dashboard) interruptedLines() []line {
	var out []line
	for _, it := range d.data.Inbox {
		if it.Kind == engine.InboxInterrupted {
			dep := it.Deployment
			hint := ""
			if len(out) == 0 {
				hint = ": r\u00a0opens its run to resume, retry or fail it"
			}
			out = append(out, line{id: dep.ID, text: d.c.Styles.Warn.Render("⏸ interrupted ") +
				// No-break spaces: a wrap never leaves "step" at a line's end and its number
				// on the next, nor "→" without where.
				fmt.Sprintf("#%d %s →\u00a0%s, step\u00a0%d%s", dep.ID, dep.Component, dep.Environment, it.Seq, hint)})
		}
	}
	return out
}

// reasonRows is how many rows a stored reason takes on the dashboard at most.
const reasonRows = 2

// clip wraps text to w cells and keeps its first rows, the last ending in … when
// some was left out.
func clip(text string, w, rows int) []string {
	lines := common.Wrap(text, w)
	if len(lines) <= rows {
		return lines
	}
	lines = lines[:rows]
	lines[rows-1] = ansi.Truncate(lines[rows-1], w-1, "") + "…"
	return lines
}

// wrong is where the panel finds what went wrong or is late: the inbox, or for one
// who watches rather than acts (an analyst), everyone's.
func (d *dashboard) wrong() []engine.InboxItem {
	if len(d.data.Watched) > 0 {
		return d.data.Watched
	}
	return d.data.Inbox
}

// failureLines are the day's failures that concern the person, as the inbox has
// them.
func (d *dashboard) failureLines() []line {
	var out []line
	for _, it := range d.wrong() {
		if it.Kind != engine.InboxFailure {
			continue
		}
		dep := it.Deployment
		word := "✗ failed "
		if dep.Status == models.StatusRolledBack {
			word = "↺ rolled back "
		}
		out = append(out, line{id: dep.ID, text: d.c.Styles.Bad.Render(word) + fmt.Sprintf("#%d %s → %s %s",
			dep.ID, dep.Component, dep.Environment, d.c.Near(dep.FinishedAt, 0))})
	}
	return out
}

// lateLines are the deployments running past their window and those that should
// have started, that concern the person, as the inbox has them.
func (d *dashboard) lateLines() []line {
	// Styled once: a late schedule has a hundred of these.
	overrun, overdue := d.c.Styles.Warn.Render("⌛ overrunning "), d.c.Styles.Warn.Render("⚠ overdue ")
	var out []line
	for _, it := range d.wrong() {
		dep := it.Deployment
		switch it.Kind {
		case engine.InboxOverrun:
			out = append(out, line{id: dep.ID, text: overrun + fmt.Sprintf("#%d %s → %s, due %s",
				dep.ID, dep.Component, dep.Environment, d.c.Near(dep.ScheduledEnd, 0))})
		case engine.InboxOverdue:
			out = append(out, line{id: dep.ID, text: overdue + fmt.Sprintf("#%d %s → %s %s",
				dep.ID, dep.Component, dep.Environment, d.c.Near(dep.ScheduledStart, 0))})
		}
	}
	return out
}

func (d *dashboard) incidentLines() []line {
	var out []line
	for _, in := range d.data.OpenIncidents {
		dep := in.Deployment
		out = append(out, line{id: dep.ID, text: d.c.Styles.Bad.Render("⚑ incident ") + fmt.Sprintf("#%d %s → %s: %s, open since %s",
			dep.ID, dep.Component, dep.Environment, in.Summary, d.c.Near(in.OpenedAt, 0))})
	}
	return out
}

// conflictLines are the open conflicts' count, which opens them, and their kinds.
func (d *dashboard) conflictLines() []line {
	st, n := d.c.Styles, len(d.data.Conflicts)
	if n == 0 {
		return nil
	}
	// Those a manager let work start against are counted apart: weighed already, they
	// are not what there is to settle. In the head, not after the kinds: there
	// "· 1 started anyway" read as a kind among those counted.
	started := countStarted(d.data.Conflicts)
	head, summary := st.Dim.Render(fmt.Sprintf("%d started anyway", started)), ""
	if n := n - started; n > 0 {
		head = st.Bad.Render(fmt.Sprintf("✗ %d open conflict%s", n, common.Plural(n)))
		summary = conflictSummary(d.data.Conflicts)
		if started > 0 {
			head += st.Dim.Render(fmt.Sprintf(" (%d more started anyway)", started))
		}
	}
	// Selectable, as the failing channels are, with enter opening what 4 does: a
	// panel scrolls to keep the selected row in sight, so one nobody could select
	// between two items that each fill a phone's panel was never seen. It names no
	// key: enter on it and the footer's "4 conflicts screen" say how to open them
	// (" · press 4" took a row of its own at 120 columns).
	out := []line{{conflicts: true, text: head}}
	if summary != "" { // indented as an item's wrapped rest is
		// Each count with its kind: wrapped, "1" ended a row and "maintenance" began the next.
		out = append(out, line{text: st.Dim.Render("  " + nbsp.Replace(summary)), part: true})
	}
	return out
}

// channelLines are the failing notification channels; enter shows the channel's
// messages and its last error whole in the console (it sent the manager to the
// CLI's notify status).
func (d *dashboard) channelLines(w int) []line {
	var out []line
	for _, it := range d.data.Inbox {
		if it.Kind == engine.InboxChannel {
			// Short, to be read whole: the error, which may be long, is on its page.
			out = append(out, line{channel: it.Channel, text: d.c.Styles.Bad.Render("✉ ") + fmt.Sprintf("%s failing: messages died, the last %s",
				it.Channel, d.c.Near(it.At, 0)) + d.c.Styles.Dim.Render(" · enter shows why")})
		}
	}
	return out
}

func (d *dashboard) modelLines(w int) []line {
	var out []line
	for _, it := range d.data.Inbox {
		if it.Kind == engine.InboxModel {
			// Selectable: on a phone the last of the panel were out of reach of the cursor.
			out = append(out, line{model: it.Model, text: d.c.Styles.Warn.Render("✎ model review due ") + common.Fit(it.Model, max(10, w-24))})
		}
	}
	return out
}

func (d *dashboard) dueLines(w int) []line {
	st := d.c.Styles
	var out []line
	if len(d.data.DueToday) == 0 {
		out = append(out, line{text: st.Dim.Render("Nothing more is planned today.")})
	}
	rowW := w - 2 // less the selection's mark: a row as wide as the panel lost its end
	marks := d.clashes()
	cols := d.dueColumns(rowW, marks)
	for _, dep := range d.data.DueToday {
		out = append(out, line{id: dep.ID, text: d.dueRow(dep, rowW, cols, marks[dep.ID])})
	}
	if len(d.data.Upcoming) > 0 {
		out = append(out, line{text: st.Dim.Render("── coming up " + strings.Repeat("─", max(0, w-16))), part: true, head: "coming up"})
	}
	for _, dep := range d.data.Upcoming {
		out = append(out, line{id: dep.ID, text: d.dueRow(dep, rowW, cols, marks[dep.ID])})
	}
	return out
}

// clashMark is how a due row says it is in open conflicts, styled: full names the
// first conflict's kind and counts the others ("✗ capacity conflict +1"); short
// counts them all ("✗2", "✗" for one, "✗99+" past 99), for a row without the room.
type clashMark struct{ full, short string }

// shortClash is the short mark's text for n open conflicts: at most "✗99+", a
// count past 99 says no more and "✗100" ran past the column sized for "✗99".
func shortClash(n int) string {
	switch {
	case n > 99:
		return "✗99+"
	case n > 1:
		return "✗" + strconv.Itoa(n)
	}
	return "✗"
}

// clashes marks each deployment in open conflicts (see clashMark): looked up once
// for all the rows, where each row went through every conflict (150 rows by 1,536
// conflicts on a crowded schedule).
func (d *dashboard) clashes() map[int64]clashMark {
	// Only the rows' deployments are counted: the conflicts' thousands of others filled
	// maps for nothing, on the way to the console's first frame.
	shown := make(map[int64]bool, len(d.data.DueToday)+len(d.data.Upcoming))
	for _, rows := range [][]models.Deployment{d.data.DueToday, d.data.Upcoming} {
		for _, dep := range rows {
			shown[dep.ID] = true
		}
	}
	first := map[int64]models.ConflictKind{}
	count := map[int64]int{}
	for _, c := range d.data.Conflicts {
		for _, id := range c.IDs {
			if !shown[id] {
				continue
			}
			if count[id] == 0 {
				first[id] = c.Kind
			}
			count[id]++
		}
	}
	out := make(map[int64]clashMark, len(count))
	styled := map[string]string{} // styled once per text: there are few
	style := func(text string) string {
		if styled[text] == "" {
			styled[text] = d.c.Styles.Bad.Render(text)
		}
		return styled[text]
	}
	for id, n := range count {
		full := "✗ " + common.KindWords(first[id]) + " conflict"
		if n > 1 {
			full += fmt.Sprintf(" +%d", n-1)
		}
		out[id] = clashMark{style(full), style(shortClash(n))}
	}
	return out
}

// dueCols are Due today's columns, one set for all its rows so that where each
// goes lines up (a wide panel's; a narrow one has none).
type dueCols struct {
	when  int  // a window within a day: one that ends on another day takes the extra from its own name
	what  int  // "#12 payments-api 4.12.0": 34 cells, more when a row needs them and the panel has them
	short bool // the conflicts' marks short ("✗2"): the full ones would leave the names too little
}

// Due today's fixed cells on a wide panel: the gaps, "→", where and who.
const (
	dueWhatLeast = 34
	dueFixed     = 2 + 3 + 11 + 1 + 6 + 1
)

// dueColumns sizes the columns of rows w cells wide. A row in conflict always says
// so: its mark is cut to "✗2" before its name goes under 24 cells, and the name
// gives way to it (it crossed midnight, took the mark's room, and the mark went).
// The short marks take the cells of the widest ("✗99", "✗99+" when a row has more
// than 99 conflicts).
func (d *dashboard) dueColumns(w int, marks map[int64]clashMark) dueCols {
	day := d.c.Eng.Now() // any time this month: a window within a day of it is always as wide
	c := dueCols{when: lipgloss.Width(d.when(models.Deployment{ScheduledStart: day, ScheduledEnd: day}))}
	need, full, short := dueWhatLeast, 0, 3 // "✗99"
	for _, rows := range [][]models.Deployment{d.data.DueToday, d.data.Upcoming} {
		for _, dep := range rows {
			longer := max(0, lipgloss.Width(d.when(dep))-c.when)
			need = max(need, lipgloss.Width(fmt.Sprintf("#%d %s %s", dep.ID, dep.Component, dep.Version))+longer)
			full = max(full, lipgloss.Width(marks[dep.ID].full))
			short = max(short, lipgloss.Width(marks[dep.ID].short))
		}
	}
	room := w - c.when - dueFixed - full
	if room < 24 {
		c.short, room = true, room+full-short
	}
	c.what = max(10, min(need, room))
	return c
}

// when is a due row's window: the end's day too when it ends on another, and the
// month (and another year) when it starts in another month: "Tue 05 10:00 – 10:45" of
// a plan in January read as the 5th of this month.
func (d *dashboard) when(dep models.Deployment) string {
	f := common.WindowForm{Day: common.DayLayout}
	if !d.c.ThisMonth(dep.ScheduledStart) {
		f.Day = ""
	}
	return d.c.WindowAs(dep.ScheduledStart, dep.ScheduledEnd, f)
}

// dueRow is one planned deployment: when, what, where, who, and its conflicts. The
// name is cut, the component first, before the version, where it goes or the mark.
func (d *dashboard) dueRow(dep models.Deployment, w int, cols dueCols, mark clashMark) string {
	when := d.when(dep)
	head := fmt.Sprintf("#%d %s", dep.ID, dep.Component)
	if w < 90 { // a phone: the window, the name, where, and ✗
		if mark.short != "" {
			mark.short = " " + mark.short
		}
		room := w - lipgloss.Width(when) - 2 - lipgloss.Width(mark.short)
		return when + "  " + strings.TrimRight(common.FitEnds(head, " → "+dep.Environment, room), " ") + mark.short
	}
	clash := mark.full
	if cols.short {
		clash = mark.short
	}
	longer := max(0, lipgloss.Width(when)-cols.when) // a window that ends on another day
	return common.Fit(when, cols.when+longer) + "  " + common.FitEnds(head, " "+dep.Version, cols.what-longer) + " → " +
		common.Fit(dep.Environment, 11) + " " + common.Fit(common.Dash(dep.Assignee), 6) + " " + clash
}

// last30Lines lays the summary's figures out in as few lines as the width allows.
func (d *dashboard) last30Lines(w int) []string {
	st := d.c.Styles
	s := d.data.Last30
	parts := []string{
		// By planned start, today's later plans included (as Reports counts them):
		// how many of them ran is said beside.
		"deployments " + st.Bold.Render(common.Thousands(s.Total)) + " (" + common.Thousands(s.Started) + " started)",
		"success " + st.Good.Render(common.Percent(s.SuccessRate())) + " " + st.Good.Render(common.Sparkline(s.DailySuccess[max(0, len(s.DailySuccess)-10):])),
		"failed " + st.Bad.Render(common.Thousands(s.Failed)),
		"rolled back " + st.Bad.Render(common.Thousands(s.RolledBack)),
		"on time " + st.Bold.Render(common.Percent(s.OnTimeRate())),
		"lead time p50 " + st.Bold.Render(leadTime(s)),
	}
	var out []string
	cur := ""
	for _, p := range parts {
		switch {
		case cur == "":
			cur = p
		case lipgloss.Width(cur)+3+lipgloss.Width(p) <= w:
			cur += "   " + p
		default:
			out = append(out, cur)
			cur = p
		}
	}
	return append(out, cur)
}

func leadTime(s engine.Stats) string {
	if s.Succeeded == 0 {
		return "—"
	}
	return models.HumanDuration(s.LeadTimeP50)
}

// nbsp keeps the words of "2 blocked version" on one row: only " · " parts may end one.
var nbsp = strings.NewReplacer(" · ", " · ", " ", "\u00a0")

// conflictSummary counts the conflicts to settle by kind: "2 person · 1 freeze";
// those a deployment went ahead against are left out. Counted in place: copying the
// others out first was most of the dashboard's Update on a schedule of 1,536
// conflicts, on the way to the console's first frame.
func conflictSummary(cs []models.Conflict) string {
	counts := map[string]int{}
	var order []string
	for _, c := range cs {
		if c.StartedOver != nil {
			continue
		}
		k := common.KindWords(c.Kind)
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	// Most first, then by name: by first appearance the order changed between reloads.
	slices.SortFunc(order, func(a, b string) int { return cmp.Or(counts[b]-counts[a], strings.Compare(a, b)) })
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = fmt.Sprintf("%d %s", counts[k], k)
	}
	return strings.Join(parts, " · ")
}
