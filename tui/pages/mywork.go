package pages

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
)

// myWorkLimit is how many unfinished deployments "My work" lists; a technician has a
// handful, so one page is plenty.
const myWorkLimit = 50

// mywork is the technician's first screen: the unfinished deployments assigned to
// them, oldest window first, each with its environment, window and checklist
// progress; enter opens its checklist, where the work is done.
type mywork struct {
	c        *common.Common
	items    []engine.Work
	cursor   int
	selected int64 // kept across refreshes
	loaded   bool
	w, h     int
	keys     struct{ Checklist, Record, Items key.Binding }
	stated   int // how many rows' states were worked out (state), for the test that View works each out once
}

type myworkMsg struct {
	items []engine.Work
	err   error
}

// NewMyWork is a technician's first screen: the work assigned to them.
func NewMyWork(c *common.Common) common.Page {
	m := &mywork{c: c}
	m.keys.Checklist = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "checklist"))
	// The deployment's record (every conflict, its steps, its events): a technician may
	// read the deployments assigned to him.
	m.keys.Record = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "deployment"))
	// The checklist's own keys, pressed here, say where they work: space on My work
	// did nothing, and said nothing, to a technician who meant to tick.
	m.keys.Items = key.NewBinding(key.WithKeys("space", "n", "b", "a", "x", "g", "w"), key.WithHelp("space n b", "tick, note, block"))
	return m
}

func (m *mywork) Title() string {
	if !m.loaded {
		return "My work"
	}
	return fmt.Sprintf("My work (%d)", len(m.items))
}

// CountsInTitle: the header's "My work (2)" is reloaded with every change (Counter).
func (m *mywork) CountsInTitle() {}

func (m *mywork) Capturing() bool  { return false }
func (m *mywork) SetSize(w, h int) { m.w, m.h = w, h }

func (m *mywork) ShortHelp() []common.Key {
	open, record := common.On(m.keys.Checklist), common.On(m.keys.Record)
	if len(m.items) == 0 {
		open.Off, record.Off = "nothing is assigned to you", "nothing is assigned to you"
	}
	return append([]common.Key{open, record}, m.c.Arrows(len(m.items), loadedOr(m.loaded, "nothing is assigned to you"))...)
}

func (m *mywork) FullHelp() [][]common.Key {
	items := common.OffFor(m.keys.Items, "these work in a deployment's checklist: enter opens the selected one's")
	if len(m.items) == 0 {
		items.Off = "nothing is assigned to you"
	}
	return [][]common.Key{append(m.ShortHelp(), items)}
}

// Refresh loads the person's unfinished deployments with what stands in their way.
// The engine restricts technicians to their own; the filter says so for everyone
// else who opens this screen.
func (m *mywork) Refresh() tea.Cmd {
	c := m.c
	return func() tea.Msg {
		items, err := c.Eng.OpenWork(c.Ctx, c.Actor, myWorkLimit)
		common.Clean(&items)
		return myworkMsg{items: items, err: err}
	}
}

func (m *mywork) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case myworkMsg:
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		m.items, m.loaded = msg.items, true
		m.cursor = 0
		for i, it := range m.items {
			if it.Deployment.ID == m.selected {
				m.cursor = i
			}
		}
		m.remember()
	case tea.KeyPressMsg:
		k := m.c.Keys
		switch {
		case key.Matches(msg, k.Up):
			m.cursor = max(0, m.cursor-1)
		case key.Matches(msg, k.Down):
			m.cursor = min(len(m.items)-1, m.cursor+1)
		case key.Matches(msg, k.Open):
			if len(m.items) > 0 { // a technician's work is the checklist: land on it
				return common.Push(NewChecklist(m.c, m.items[m.cursor].Deployment.ID))
			}
		case key.Matches(msg, m.keys.Record):
			if len(m.items) > 0 {
				return common.Push(NewDetail(m.c, m.items[m.cursor].Deployment.ID))
			}
		}
		m.cursor = max(0, m.cursor)
		m.remember()
	}
	return nil
}

func (m *mywork) remember() {
	if m.cursor < len(m.items) {
		m.selected = m.items[m.cursor].Deployment.ID
	}
}

// when is the window's start as every row writes it (common.Near): the time alone
// today, else the weekday, the day and the time ("Tue 08 22:00") this month;
// further off, as every screen writes a moment (common.At: "Mon 04 Jan 22:00", and
// the year when it is not this year, "Wed 06 Jan 2027 22:00"). In a narrow column
// (not wide) a start further off takes the column's 12 cells, as "Tue 08 22:00"
// does: "04 Jan 22:00", "06 Jan 2027" (common.AtIn), and the summary's window below
// says the rest. On a phone "Wed 06 Jan 2027 22:00" took nine cells from its row's
// text.
func (m *mywork) when(t time.Time, wide bool) string {
	if wide {
		return m.c.Near(t, 0)
	}
	return m.c.Near(t, myworkNarrowState)
}

func (m *mywork) View() string {
	st := m.c.Styles
	w := max(m.w, 20)
	if !m.loaded {
		return st.Dim.Render(" loading…")
	}
	if len(m.items) == 0 {
		return " " + st.Good.Render("Nothing assigned to you.") + "\n " +
			st.Dim.Render("New work shows up here by itself.")
	}
	// The list takes what the summary of the selection below leaves; when that is
	// less than three rows (the help open on a phone), the summary gives way and the
	// list keeps every row that fits, saying how many more there are, as the
	// dashboard's panels do.
	sum := m.summary(m.items[m.cursor], w)
	listH := m.h - 1 - len(sum)
	if listH < min(len(m.items), 3) || listH < 1 {
		listH, sum = max(1, m.h), nil
	}
	lines := m.list(listH, w, m.states(w >= 100))
	if sum != nil {
		for len(lines) < listH {
			lines = append(lines, "")
		}
		lines = append(lines, st.Border.Render(strings.Repeat("─", w)))
		lines = append(lines, sum...)
	}
	return strings.Join(lines, "\n")
}

// myworkState is a row's state as a redraw works it out, once (states): the word
// for where it stands, or its start, and its style.
type myworkState struct {
	text  string
	style lipgloss.Style
}

// states are the rows' states, each worked out once per redraw for both the state
// column's width (columns) and the row (row): it was twice for every row in sight.
func (m *mywork) states(wide bool) []myworkState {
	out := make([]myworkState, len(m.items))
	for i, it := range m.items {
		out[i].text, out[i].style = m.state(it, wide)
	}
	return out
}

// list is the rows in h lines, scrolled to keep the cursor's in sight; with three
// lines or more, the first and last say how many are above and below. states are
// the rows' (states), for a screen w cells wide.
func (m *mywork) list(h, w int, states []myworkState) []string {
	st := m.c.Styles
	n := len(m.items)
	lo, hi := 0, min(n, h) // the rows shown, [lo, hi)
	if n > h {
		marks := h >= 3
		for first := 0; ; first++ {
			lo, hi = first, first+h
			if marks && first > 0 {
				lo++
			}
			if marks && hi < n {
				hi--
			}
			if m.cursor < hi || hi >= n {
				break
			}
		}
	}
	var lines []string
	if lo > 0 && n > h && h >= 3 {
		lines = append(lines, st.Dim.Render(fmt.Sprintf("  ↑ %d more above", lo)))
	}
	cols := m.columns(w, states)
	for i := lo; i < hi; i++ {
		lines = append(lines, m.row(m.items[i], states[i], i == m.cursor, w, cols))
	}
	if hi < n && n > h && h >= 3 {
		lines = append(lines, st.Dim.Render(fmt.Sprintf("  … and %d more", n-hi)))
	}
	return lines
}

// myworkCols are the widths of the right-hand columns, progress and state: the
// widest of the list's (all of it, so that they keep still while it scrolls), the
// state's at most myworkNarrowState cells on a narrow screen ("Sat 28 23:55", a start
// further off in a shorter form: when) and 36 on a wide one. A fixed 12 left
// "BLOCKED" five spare cells while where it goes was cut ("→ p… ✗").
type myworkCols struct {
	progress, state int
	wide            bool
}

// myworkNarrowState is the most cells the state column takes on a narrow screen.
const myworkNarrowState = 12

func (m *mywork) columns(w int, states []myworkState) myworkCols {
	c := myworkCols{wide: w >= 100}
	most := myworkNarrowState
	if c.wide {
		most, c.progress = 36, 5
	}
	for i, it := range m.items {
		d := it.Deployment
		c.progress = max(c.progress, len(fmt.Sprintf("%d/%d", d.StepsDone, d.StepsTotal)))
		c.state = max(c.state, min(lipgloss.Width(states[i].text), most))
	}
	return c
}

// row is "▸ #48217 rack-b07-db-server → production ✗ freeze  6/14  BLOCKED": what and
// where on the left, cut at its end to fit, then trouble (an open conflict; on a narrow screen
// the ✗ alone, the summary says which); progress and the
// state (or the window's start) on the right, each as wide as the list needs
// (columns), on a wide screen "waiting for approval by marc".
func (m *mywork) row(it engine.Work, state myworkState, sel bool, w int, cols myworkCols) string {
	st := m.c.Styles
	d := it.Deployment
	mark := "  "
	if sel {
		mark = st.Accent.Render("▸ ")
	}
	right := fmt.Sprintf("%*s  ", cols.progress, fmt.Sprintf("%d/%d", d.StepsDone, d.StepsTotal)) +
		state.style.Render(common.Fit(state.text, cols.state))
	trouble := myworkTrouble(it.Conflicts, d)
	switch {
	case trouble == "":
	case w < 80: // the summary of the selection says what it is
		trouble = " " + st.Bad.Render("✗")
	default:
		trouble = " " + st.Bad.Render("✗ "+trouble)
	}
	// The component has the room first: it tells the technician which server
	// ("rack-b07-d…" did not); then its version (two racks of one component differ by
	// it); where it goes is cut at its end ("→ prod…"), and the summary of the
	// selected one below says it whole.
	left := common.Fit(fmt.Sprintf("#%d %s %s → %s", d.ID, d.Component, d.Version, d.Environment),
		w-2-lipgloss.Width(right)-1-lipgloss.Width(trouble))
	if sel {
		left = st.Bold.Render(left)
	}
	return mark + left + trouble + " " + right
}

// state is the row's word for where the deployment stands (underWay's, as on its
// checklist), or the start of its window while it waits for it.
func (m *mywork) state(it engine.Work, wide bool) (string, lipgloss.Style) {
	m.stated++
	d := it.Deployment
	if word, style, ok := underWay(m.c, d, it.Blocked != nil, it.Waiting, wide); ok {
		return word, style
	}
	// A plan whose start has passed says so, as History and the dashboard do: its
	// bare start time ("07:55" at 08:40) read like one still to come.
	// "overdue" is the console's word for it; a narrow column has room for the time
	// only when it is today's, and says "due" with the warning mark.
	if m.c.Eng.Overdue(d) {
		when := m.when(d.ScheduledStart, wide)
		switch {
		case wide:
			return "⚠ overdue since " + when, m.c.Styles.Warn
		case m.c.Today(d.ScheduledStart):
			return "⚠ due " + when, m.c.Styles.Warn
		}
		return "⚠ overdue", m.c.Styles.Warn
	}
	return m.when(d.ScheduledStart, wide), lipgloss.NewStyle()
}

// underWay is the word My work and the checklist both say of a deployment under
// way, and its style: what stops it in capitals (BLOCKED, OVERRUNNING, INTERRUPTED),
// else what it waits for (an approval, by whom when wide) or "in progress"; false
// for one not started.
func underWay(c *common.Common, d models.Deployment, blocked bool, w *engine.Waiting, wide bool) (string, lipgloss.Style, bool) {
	st := c.Styles
	switch {
	case !d.Status.Running():
		return "", lipgloss.Style{}, false
	case blocked:
		return "BLOCKED", st.Bad, true
	case c.Eng.Overrunning(d):
		return "OVERRUNNING", st.Warn, true
	case w != nil && w.Kind == engine.WaitApproval && wide:
		return myworkApproval(w), st.Warn, true
	case w != nil && w.Kind == engine.WaitApproval:
		return "approval", st.Warn, true
	case w != nil && w.Kind == engine.WaitInterrupted:
		return "INTERRUPTED", st.Bad, true
	}
	return "in progress", st.Warn, true
}

// myworkApproval is "waiting for approval by marc", or by the gate's roles when
// several may approve.
func myworkApproval(w *engine.Waiting) string {
	switch len(w.Approvers) {
	case 0:
		return "waiting for approval by a " + engine.GateRolesText(w.Step) + " (nobody may)"
	case 1:
		return "waiting for approval by " + w.Approvers[0]
	}
	return "waiting for approval by a " + engine.GateRolesText(w.Step)
}

// myworkTrouble names the worst of the conflicts that still ask something of d
// (engine.SettledFor, the rule the deployment's page and the Schedule mark by): a
// freeze, else any other clash; "" for none. One a manager let d start against,
// under way, is no trouble: its page marks it ▶.
func myworkTrouble(cs []models.Conflict, d models.Deployment) string {
	open := slices.DeleteFunc(slices.Clone(cs), func(c models.Conflict) bool { return engine.SettledFor(c, d) })
	switch {
	case len(open) == 0:
		return ""
	case slices.ContainsFunc(open, func(c models.Conflict) bool { return c.Kind == models.ConflictFreeze }):
		return "freeze"
	}
	return "conflict"
}

// windowLines are the summary's window and, when it fits beside it, its state (""
// when it did; else the state for the checklist's line): a window split while it
// fitted on its line whole ("Mon 07 Dec 23:20 –" over "Tue 08 Dec 03:20 · Verify
// environment") read as two moments. A window longer than the line (across a
// daylight-saving change, or in another year, on a phone) has its end under its
// start rather than cut at its end's zone ("04:00 C…"), which is what it is written
// for.
func (m *mywork) windowLines(d models.Deployment, w int) (lines []string, state string) {
	st := m.c.Styles
	lead := st.Dim.Render(" window ")
	win := m.c.WindowAs(d.ScheduledStart, d.ScheduledEnd, common.WindowForm{Tight: true})
	state = st.Dim.Render(" · ") + d.Status.Label()
	from, to, ok := strings.Cut(win, " – ")
	switch {
	case lipgloss.Width(lead+win+state) <= w:
		return []string{common.Fit(lead+win+state, w)}, ""
	case !ok || lipgloss.Width(lead+win) <= w:
		return []string{common.Fit(lead+win, w)}, state
	}
	return []string{common.Fit(lead+from+" –", w), common.Fit(strings.Repeat(" ", lipgloss.Width(lead))+to, w)}, state
}

// summary describes the selected deployment under the list: what, its window and
// state, its checklist, what stops it or whom it waits for, and its conflicts.
func (m *mywork) summary(it engine.Work, w int) []string {
	st := m.c.Styles
	d := it.Deployment
	out := []string{common.Fit(fmt.Sprintf(" #%d %s %s → %s", d.ID, d.Component, d.Version, d.Environment), w)}
	win, state := m.windowLines(d, w)
	out = append(out, win...)
	out = append(out, common.Fit(st.Dim.Render(" checklist ")+common.Progress(d.StepsDone, d.StepsTotal)+state, w))
	switch wt := it.Waiting; {
	case it.Blocked != nil:
		// The reason first: the step's name may not fit on a phone.
		// The reason whole, wrapped: it says what is to fix.
		why := fmt.Sprintf("step %d %s", it.Blocked.Seq, it.Blocked.Step.Name)
		if it.Blocked.BlockReason != "" {
			why = it.Blocked.BlockReason + " · " + why
		}
		out = append(out, common.Hanging(" "+st.Bad.Render("BLOCKED "), why, w)...)
	case wt != nil && wt.Kind == engine.WaitApproval:
		out = append(out, common.Fit(" "+st.Warn.Render(myworkApproval(wt))+
			st.Dim.Render(fmt.Sprintf(" · step %d %s", wt.Seq, wt.Step.Name)), w))
	default:
		out = append(out, common.Fit(st.Dim.Render(" enter opens its checklist, d its record"), w))
	}
	// Its conflicts, whole (wrapped), the first two, those that still ask something
	// first: the deployment's record (d) has them all. One a manager let it start
	// against, under way, is ▶, as on its page.
	settled := func(c models.Conflict) bool { return engine.SettledFor(c, d) }
	cs := slices.Concat(slices.DeleteFunc(slices.Clone(it.Conflicts), settled),
		slices.DeleteFunc(slices.Clone(it.Conflicts), func(c models.Conflict) bool { return !settled(c) }))
	for i, cf := range cs {
		if i == 2 {
			out = append(out, st.Dim.Render(fmt.Sprintf("   … %d more: d opens its record", len(cs)-i)))
			break
		}
		msg := cf.Message
		if started := cf.StartedText(); started != "" {
			msg += " (" + started + ")"
		}
		// Lines after the first are indented by 3: wrapped to w-3, each fits.
		glyph, style := conflictMark(st, cf, d) // as its page and the Schedule mark it
		mark := style.Render(glyph + " " + common.KindWords(cf.Kind))
		text := common.Hang(" "+mark+" "+msg, w-3, 3)
		out = append(out, strings.Split(text, "\n")...)
	}
	return out
}
