// Package tui is Ferry's console: the root of pages and components over the engine.
// It never touches the database; long work runs in tea.Cmds, never in Update or View.
package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/pages"
)

// The console reloads what it shows within changeEvery of a change made anywhere
// (it polls a cheap change mark), and every refreshEvery regardless, for what time
// alone changes (overdue, the clock).
const (
	changeEvery  = time.Second
	refreshEvery = 30 * time.Second
)

// dueEvery is how often a console starts the fully automated deployments whose
// window has begun (ferry run-due does the same from cron).
const dueEvery = 30 * time.Second

// Model is the console's root: a header, the page on top and a help footer. It only
// routes: keys go to the page on top, which owns its data and keys. The top-level
// screens are tabs; a page opened from one (a deployment, its checklist, a panel) is
// pushed on a stack over it, and esc pops it.
type Model struct {
	c        *common.Common
	tabs     []tab
	active   int
	stack    []common.Page // pages opened over the active tab, the last on top
	place    common.Place  // where Remember was last told the person is
	note     string        // a short confirmation for the footer
	mark     int64         // the last change mark seen
	help     help.Model
	fullHelp bool
	err      error
	w, h     int
}

// tab is one of the screens a person switches between with 1–5 and tab.
type tab struct {
	name string // "Dashboard", "My work": in the path and help
	page common.Page
}

// New builds the console for one session.
func New(c *common.Common) *Model {
	hm := help.New()
	hm.Styles.ShortKey, hm.Styles.FullKey = c.Styles.HelpKey, c.Styles.HelpKey
	hm.Styles.ShortDesc, hm.Styles.FullDesc = c.Styles.HelpDesc, c.Styles.HelpDesc
	hm.Styles.ShortSeparator, hm.Styles.FullSeparator = c.Styles.HelpSep, c.Styles.HelpSep
	m := &Model{c: c, help: hm, tabs: tabsFor(c), place: c.Resume}
	if p := resumed(c); p != nil {
		m.stack = []common.Page{p}
	}
	return m
}

// tabsFor picks the screens by role: a person who is only a technician starts on
// "My work" and can list their deployments; everyone else gets the full console
// (analysts read only: the engine refuses their edits and their edit keys are off).
func tabsFor(c *common.Common) []tab {
	if engine.SeesOnlyOwn(c.Actor) {
		return []tab{{"My work", pages.NewMyWork(c)}, {"History", pages.NewHistory(c)}}
	}
	return []tab{{"Dashboard", pages.NewDashboard(c)}, {"History", pages.NewHistory(c)}, {"Schedule", pages.NewSchedule(c)},
		{"Conflicts", pages.NewConflicts(c)}, {"Reports", pages.NewReports(c)}}
}

// Run opens the console in the current terminal until the user quits.
func Run(ctx context.Context, eng *engine.Engine, actor models.Person) error {
	// Quitting cancels what the console started (a due run stops its step, which the
	// next ferry offers to resume), instead of leaving it to die with the process.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := common.New(ctx, eng, actor)
	c.RunsDue = true
	_, err := tea.NewProgram(New(c), tea.WithContext(ctx)).Run()
	return err
}

func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.tabs[m.active].page.Refresh(), tick(), dueTick(), m.watch()}
	if len(m.stack) > 0 { // resumed where the person was
		cmds = append(cmds, m.Top().Refresh())
	}
	return tea.Batch(cmds...)
}

// resumed is the page a new console opens with over its first tab: where the person
// was when their last session ended, or nil. It is there from the first frame, so
// the screen below never flashes past.
func resumed(c *common.Common) common.Page {
	switch p := c.Resume; {
	case p.ID == 0:
		return nil
	case p.Checklist:
		return pages.NewChecklist(c, p.ID)
	default:
		return pages.NewDetail(c, p.ID)
	}
}

// remember tells the session where the person is now, when that changed: the
// deployment or checklist nearest the top of the stack.
func (m *Model) remember() {
	p := common.Place{}
	for i := len(m.stack) - 1; i >= 0; i-- {
		if pl, ok := m.stack[i].(interface{ Place() common.Place }); ok {
			p = pl.Place()
			break
		}
	}
	if p == m.place {
		return
	}
	m.place = p
	if m.c.Remember != nil {
		m.c.Remember(p)
	}
}

func tick() tea.Cmd { return tea.Tick(refreshEvery, func(time.Time) tea.Msg { return refreshMsg{} }) }

// markMsg carries the change mark a watch read (or why it could not).
type markMsg struct {
	mark int64
	err  error
}

// watch reads the change mark after changeEvery.
func (m *Model) watch() tea.Cmd {
	c := m.c
	return tea.Tick(changeEvery, func(time.Time) tea.Msg {
		mark, err := c.Eng.ChangeMark(c.Ctx)
		return markMsg{mark, err}
	})
}

// refreshMsg is the periodic tick that keeps data fresh.
type refreshMsg struct{}

// dueMsg is the periodic tick that starts due automated deployments.
type dueMsg struct{}

// dueRunMsg says which due deployments this console started and how they ended.
type dueRunMsg struct{ runs []engine.DueRun }

func dueTick() tea.Cmd { return tea.Tick(dueEvery, func(time.Time) tea.Msg { return dueMsg{} }) }

// runDue starts due automated deployments in the background, if the person may run
// deployments; the runs go on in this command's goroutine while the console works.
func (m *Model) runDue() tea.Cmd {
	if !m.c.RunsDue || engine.Can(m.c.Actor, engine.ActRun, nil) != nil {
		return nil
	}
	c := m.c
	return func() tea.Msg {
		runs, err := c.Eng.RunDue(c.Ctx, c.Actor, engine.RunOptions{})
		if err != nil {
			return common.ErrMsg{Err: err}
		}
		return dueRunMsg{runs}
	}
}

// Top is the page that has the keys now: the last one pushed, else the active tab.
func (m *Model) Top() common.Page {
	if n := len(m.stack); n > 0 {
		return m.stack[n-1]
	}
	return m.tabs[m.active].page
}

// push opens p over the page on top and loads it.
func (m *Model) push(p common.Page) tea.Cmd {
	m.stack = append(m.stack, p)
	m.resize()
	m.remember()
	return p.Refresh()
}

// pop closes the page on top and reloads the one it returns to.
func (m *Model) pop() tea.Cmd {
	if len(m.stack) == 0 {
		return nil
	}
	m.stack = m.stack[:len(m.stack)-1]
	m.remember()
	return m.Top().Refresh()
}

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		m.c.Styles = common.NewStyles(msg.IsDark())
		return m, nil
	case refreshMsg:
		return m, tea.Batch(m.Top().Refresh(), tick())
	case markMsg:
		if msg.err != nil { // keep watching: the next read may well succeed
			m.err = msg.err
			return m, m.watch()
		}
		changed := m.mark != 0 && msg.mark != m.mark
		m.mark = msg.mark
		if changed {
			return m, tea.Batch(m.Top().Refresh(), m.watch())
		}
		return m, m.watch()
	case dueMsg:
		return m, tea.Batch(m.runDue(), dueTick())
	case dueRunMsg:
		started := 0
		for _, r := range msg.runs {
			if r.Skipped == "" {
				started++
			}
		}
		if started > 0 {
			m.note = fmt.Sprintf("started %d due automated deployment%s", started, common.Plural(started))
		}
		return m, m.Top().Refresh()
	case common.ErrMsg:
		m.err = msg.Err
		return m, nil
	case common.NoteMsg:
		m.note = msg.Text
		return m, nil
	case common.PushMsg:
		return m, m.push(msg.Page)
	case common.BackMsg:
		return m, m.pop()
	case common.ChangedMsg:
		return m, m.Top().Refresh()
	case tea.KeyPressMsg:
		if cmd, ok := m.globalKey(msg); ok {
			return m, cmd
		}
	}
	if _, isKey := msg.(tea.KeyPressMsg); isKey {
		m.err, m.note = nil, ""
		return m, m.Top().Update(msg)
	}
	// Data messages go to every page: each ignores what is not its own.
	var cmds []tea.Cmd
	for _, t := range m.tabs {
		cmds = append(cmds, t.page.Update(msg))
	}
	for _, p := range m.stack {
		cmds = append(cmds, p.Update(msg))
	}
	return m, tea.Batch(cmds...)
}

// globalKey handles the keys that work on every page.
func (m *Model) globalKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.c.Keys
	if msg.String() == "ctrl+c" {
		return tea.Quit, true
	}
	if m.Top().Capturing() {
		return nil, false
	}
	switch {
	case key.Matches(msg, k.Back) && len(m.stack) > 0:
		return m.pop(), true
	case key.Matches(msg, k.Quit):
		return tea.Quit, true
	case key.Matches(msg, k.Help):
		m.fullHelp = !m.fullHelp
		m.resize()
		return nil, true
	case key.Matches(msg, k.Refresh):
		return m.Top().Refresh(), true
	case key.Matches(msg, k.Plan):
		return m.push(pages.NewPlan(m.c)), true
	case key.Matches(msg, k.Next):
		return m.switchTo((m.active + 1) % len(m.tabs)), true
	case key.Matches(msg, k.Prev):
		return m.switchTo((m.active + len(m.tabs) - 1) % len(m.tabs)), true
	}
	for i, b := range k.Screens {
		if key.Matches(msg, b) && i < len(m.tabs) {
			return m.switchTo(i), true
		}
	}
	return nil, false
}

// switchTo shows tab i; whatever was open over the last one closes.
func (m *Model) switchTo(i int) tea.Cmd {
	m.active, m.stack = i, nil
	m.resize()
	m.remember()
	return m.Top().Refresh()
}

// bodyHeight is what is left for the page under the header and the help.
func (m *Model) bodyHeight() int {
	return max(1, m.h-1-lipgloss.Height(m.footer()))
}

func (m *Model) resize() {
	m.help.SetWidth(m.w)
	for _, t := range m.tabs {
		t.page.SetSize(m.w, m.bodyHeight())
	}
	for _, p := range m.stack {
		p.SetSize(m.w, m.bodyHeight())
	}
}

func (m *Model) View() tea.View {
	var body string
	if m.w == 0 {
		body = "loading…"
	} else {
		body = lipgloss.JoinVertical(lipgloss.Left, m.header(), m.fitBody(m.Top().View()), m.footer())
	}
	v := tea.NewView(body)
	v.AltScreen = true
	v.WindowTitle = "ferry"
	return v
}

// fitBody pads or cuts the page to exactly the body height, so nothing jumps.
func (m *Model) fitBody(s string) string {
	lines := strings.Split(s, "\n")
	h := m.bodyHeight()
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (m *Model) header() string {
	st := m.c.Styles
	who := m.c.Actor.Name + " · " + string(m.c.Actor.MainRole())
	right := who + " · " + m.c.Local(m.c.Eng.Now(), "Mon 2 Jan 15:04 MST") + " "
	left := m.tabLine(false)
	if lipgloss.Width(left)+lipgloss.Width(right)+2 > m.w {
		right = who + " "
	}
	if lipgloss.Width(left)+lipgloss.Width(right)+2 > m.w {
		left = m.tabLine(true)
	}
	gap := m.w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return common.Fit(left, m.w)
	}
	return left + strings.Repeat(" ", gap) + st.HeaderRight.Render(right)
}

// tabLine names the screens, numbered; compact shows only numbers for the inactive
// ones, or for all of them when a page is open over the active one. Then the path to
// the page on top: "History › #123 › checklist #123".
func (m *Model) tabLine(compact bool) string {
	st := m.c.Styles
	compact = compact || len(m.stack) > 0
	tabs := []string{st.Brand.Render(" ferry ")}
	for i, t := range m.tabs {
		label, style := strconv.Itoa(i+1)+" "+t.page.Title(), st.Tab
		switch {
		case i == m.active && len(m.stack) == 0:
			style = st.TabActive
		case i == m.active:
			label, style = strconv.Itoa(i+1), st.TabActive
		case compact:
			label = strconv.Itoa(i + 1)
		}
		tabs = append(tabs, style.Render(label))
	}
	sep := "  "
	if compact {
		sep = " "
	}
	return strings.Join(tabs, sep) + m.path()
}

// path is where the page on top was opened from, from the active tab on; "" when no
// page is open over the tab.
func (m *Model) path() string {
	if len(m.stack) == 0 {
		return ""
	}
	st := m.c.Styles
	crumbs := []string{st.Tab.Render(m.tabs[m.active].name)}
	for i, p := range m.stack {
		style := st.Tab
		if i == len(m.stack)-1 {
			style = st.TabActive
		}
		crumbs = append(crumbs, style.Render(p.Title()))
	}
	return "  " + strings.Join(crumbs, st.Dim.Render(" › "))
}

func (m *Model) footer() string {
	if m.err != nil {
		return common.Fit(" "+m.c.Styles.Error.Render("✗ "+m.err.Error()), m.w)
	}
	if m.note != "" {
		return common.Fit(" "+m.c.Styles.Good.Render("✓ "+m.note), m.w)
	}
	if m.fullHelp {
		return m.help.FullHelpView(m.fullHelpGroups())
	}
	// Drop the page's last keys until the line fits; ? shows them all. While a field
	// takes the keys, ? and q are letters, so they are not offered.
	keys := m.Top().ShortHelp()
	var global []key.Binding
	if !m.Top().Capturing() {
		global = []key.Binding{m.c.Keys.Help, m.c.Keys.Quit}
	}
	for {
		line := " " + m.help.ShortHelpView(append(keys, global...))
		if lipgloss.Width(line) <= m.w || len(keys) == 0 {
			return common.Fit(line, m.w)
		}
		keys = keys[:len(keys)-1]
	}
}

func (m *Model) fullHelpGroups() [][]key.Binding {
	k := m.c.Keys
	global := append([]key.Binding{k.Next, k.Prev}, k.Screens...)
	global = append(global, k.Plan, k.Refresh, k.Help, k.Quit)
	return append(m.Top().FullHelp(), global)
}
