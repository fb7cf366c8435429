// Package tui is Ferry's console: the root of pages and components over the engine.
// It never touches the database; long work runs in tea.Cmds, never in Update or View.
package tui

import (
	"context"
	"errors"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/pages"
)

// Model is the console's root: a header, the page on top and a help footer. It only
// routes: keys go to the page on top, which owns its data and keys. The top-level
// screens are tabs; a page opened from one (a deployment, its checklist, a panel) is
// pushed on a stack over it, and esc pops it.
type Model struct {
	c         *common.Common
	tabs      []tab
	active    int
	stack     []entry        // pages opened over the active tab, the last on top
	ids       int            // the last id given to a page
	sizedH    int            // the height the pages were last given (resize)
	place     common.Place   // where Remember was last told the person is
	note      common.NoteMsg // a short note for the footer (a confirmation, or what goes on)
	mark      int64          // the last change mark seen
	help      help.Model
	fullHelp  bool
	helpOff   int // the first line of the full help shown, when it is longer than the screen
	err       error
	w, h      int
	drawn     *tea.View // the last view drawn
	recovered bool      // interrupted runs were marked before the console opened
	still     bool      // nothing moved since it was drawn (see unmoved)
	first     tea.Cmd   // the first tab's load, begun before the program started (preload)
}

// New builds the console for one session.
func New(c *common.Common) *Model {
	m := &Model{c: c, help: help.New(), place: c.Resume, tabs: tabsFor(c)}
	m.styleHelp()
	for i := range m.tabs {
		m.tabs[i].entry = m.entry(m.tabs[i].page)
	}
	if p := resumed(c); p != nil {
		m.stack = []entry{m.entry(p)}
	}
	if c.Hello != "" {
		m.note = common.NoteMsg{Mark: "!", Text: c.Hello}
	}
	return m
}

// tabsFor picks the screens by role: a person who is only a technician starts on
// "My work" and can list their deployments; everyone else gets the full console
// (analysts read only: the engine refuses their edits and their edit keys are off).
func tabsFor(c *common.Common) []tab {
	t := func(name string, p common.Page) tab { return tab{name, entry{page: p}} }
	if engine.SeesOnlyOwn(c.Actor) {
		return []tab{t("My work", pages.NewMyWork(c)), t("History", pages.NewHistory(c))}
	}
	return []tab{t("Dashboard", pages.NewDashboard(c)), t("History", pages.NewHistory(c)),
		t("Schedule", pages.NewSchedule(c)), t("Conflicts", pages.NewConflicts(c)), t("Reports", pages.NewReports(c)), t("Where", pages.NewWhere(c))}
}

// FPS is the console's frame rate, Bubble Tea's highest: Bubble Tea draws only on
// its frame clock, so a key's answer waits for the next frame; at the default 60 a
// tick's round trip over SSH had a p99 of two frames (34 ms). An unchanged frame is
// not redrawn, so an idle console costs little more.
const FPS = 120

// Options are how a local console is opened.
type Options struct {
	// Hello is a note the footer shows first (see Common.Hello), "" for none.
	Hello string
	// RunsDue: the console also starts the fully automated deployments whose window
	// has begun, as ferry run-due does (ferry --run-due). Off by default: a console
	// someone merely opened should not act in their name, and quitting it would stop
	// what it started.
	RunsDue bool
	// Recovered: the steps of runners that died were just marked interrupted (the
	// CLI does so before it opens the console), so Init need not look again.
	Recovered bool
}

// Preheat builds, in the background, the table of character widths that drawing the
// first frame would otherwise build on the way (go-runewidth fills 2 MB the first time
// a character beyond Latin, such as a border's, is measured: 6 ms here). Called
// before the database opens, it is built on the core that waits meanwhile.
func Preheat() { go ansi.StringWidthWc("─") }

// Run opens the console in the current terminal until the user quits.
func Run(ctx context.Context, eng *engine.Engine, actor models.Person, opts Options) error {
	// Quitting cancels what the console started (a due run stops its step, which the
	// next ferry offers to resume), instead of leaving it to die with the process.
	// The cause is the record's words for why the step stopped.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(engine.Closed{What: "the console that ran it"})
	c := common.New(ctx, eng, actor)
	c.RunsDue, c.Hello = opts.RunsDue, opts.Hello
	m := New(c)
	m.recovered = opts.Recovered
	m.preload()
	// The colours the terminal takes were found already, when lipgloss started, as
	// Bubble Tea would find them again: inside tmux, each asks tmux (a process, 10 ms).
	_, err := tea.NewProgram(m, tea.WithContext(ctx), tea.WithFPS(FPS),
		tea.WithColorProfile(lipgloss.Writer.Profile)).Run()
	return err
}

// preload begins the first tab's load now, in the background; Init hands the program
// its answer when it comes. Bubble Tea's start (the terminal's modes and size, the
// first "loading" frame) and Init's commands reaching it took 5–8 ms before the load
// began; on one reader (Engine.readers) the two overlap: the first frame came 1–6 ms
// sooner on the 1M demo and 6–7 ms on 100k planned (two runs of 30, alternating).
func (m *Model) preload() {
	load := m.refresh(m.tabs[m.active].entry)
	if load == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- load() }()
	m.first = func() tea.Msg { return <-done }
}

func (m *Model) Init() tea.Cmd {
	first := m.first
	if first == nil {
		first = m.refresh(m.tabs[m.active].entry)
	}
	// The styles follow the terminal's background; until it answers (detached tmux
	// and many SSH clients never do) they are the dark ones.
	cmds := []tea.Cmd{tea.RequestBackgroundColor, first, tick(), dueTick(), m.watch()}
	if !m.recovered {
		cmds = append(cmds, m.recoverRuns())
	}
	if len(m.stack) > 0 { // resumed where the person was
		cmds = append(cmds, m.refresh(m.top()))
	}
	return tea.Batch(cmds...)
}

// Update routes: the root's own timers and size here, a page's messages to that page
// (or to the root, for navigation, notes and errors), keys and anything else to the
// page on top.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	before := m.footerKey()
	model, cmd := m.update(msg)
	if m.footerKey() != before && m.bodyHeight() != m.sizedH {
		// A message of two lines, or none after one: the page gets the rows the footer
		// leaves (cut to them, a panel lost its bottom border).
		m.resize()
	}
	return model, cmd
}

// footerKey is what decides the footer's height besides the size: its message and
// whether the full help is open. Compared at every message (a run's output lines
// too), it is built of what is there, not formatted.
func (m *Model) footerKey() footerState {
	f := footerState{note: m.note, fullHelp: m.fullHelp}
	if m.err != nil { // its text: an error's type need not be comparable
		f.err = m.err.Error()
	}
	return f
}

type footerState struct {
	err      string
	note     common.NoteMsg
	fullHelp bool
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.still = m.unmoved(msg); m.still {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		m.restyle(msg.IsDark(), m.c.Styles.Plain)
		return m, nil
	case tea.ColorProfileMsg:
		m.restyle(m.c.Styles.Dark, msg.Profile == colorprofile.Ascii)
		return m, nil
	case refreshMsg, markMsg, dueMsg, dueRunMsg:
		return m, m.timer(msg)
	case routed:
		return m, m.deliver(msg.to, msg.msg)
	case tea.KeyPressMsg:
		// A key answers the footer's message, whatever it does: a message of one page
		// never stays over the next, nor hides the keys.
		m.err, m.note = nil, common.NoteMsg{}
		if cmd, ok := m.globalKey(msg); ok {
			return m, cmd
		}
		if m.err = m.refused(msg); m.err != nil { // a key that is off: its reason, and nothing else
			return m, nil
		}
	}
	// Unaddressed: the root's if it is a message for it, else the page on top's (a
	// key, a paste, or what a test hands in).
	if cmd, ok := m.forRoot(0, msg); ok {
		return m, cmd
	}
	top := m.top()
	cmd := route(top.id, top.page.Update(msg))
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg, common.DraftMovedMsg: // what is typed is kept with the place, for the next session
		m.remember()
	}
	return m, cmd
}

// unmoved is a key or a paste that changes nothing on screen: one into a full text
// field of the page on top, with no note or error in the footer for it to clear.
func (m *Model) unmoved(msg tea.Msg) bool {
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
	default:
		return false
	}
	top := m.top().page
	u, ok := top.(common.Unmoved)
	return ok && top.Capturing() && m.err == nil && m.note == (common.NoteMsg{}) && u.Unmoved(msg)
}

// restyle builds the styles for a dark or light background and hands them to every
// page (they read them from Common; those that keep styled parts take them again).
// restyle builds the styles for the terminal's background, and for one without
// colour when plain.
func (m *Model) restyle(dark, plain bool) {
	if dark == m.c.Styles.Dark && plain == m.c.Styles.Plain {
		return // the terminal says what was assumed: nothing to redraw
	}
	m.c.Styles = common.NewStyles(dark)
	if plain {
		m.c.Styles = m.c.Styles.WithoutColour()
	}
	m.styleHelp()
	for _, e := range m.pages() {
		if r, ok := e.page.(common.Restyler); ok {
			r.Restyle()
		}
	}
}

func (m *Model) styleHelp() {
	st, hs := m.c.Styles, &m.help.Styles
	hs.ShortKey, hs.FullKey = st.HelpKey, st.HelpKey
	hs.ShortDesc, hs.FullDesc = st.HelpDesc, st.HelpDesc
	hs.ShortSeparator, hs.FullSeparator = st.HelpSep, st.HelpSep
}

// globalKey handles the keys that work on every page.
func (m *Model) globalKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.c.Keys
	if msg.String() == "ctrl+c" {
		return tea.Quit, true
	}
	if m.top().page.Capturing() {
		return nil, false
	}
	if m.helpScrolls() { // the arrows scroll the help while it is open and does not fit
		switch {
		case key.Matches(msg, k.Up):
			m.scrollHelp(-1)
			return nil, true
		case key.Matches(msg, k.Down):
			m.scrollHelp(1)
			return nil, true
		}
	}
	switch {
	case key.Matches(msg, k.Back) && m.fullHelp:
		m.fullHelp = false
		m.resize()
		return nil, true
	case key.Matches(msg, k.Back) && len(m.stack) > 0:
		return m.closeFrom(len(m.stack) - 1), true
	case key.Matches(msg, k.Quit):
		return tea.Quit, true
	case key.Matches(msg, k.Help):
		m.fullHelp, m.helpOff = !m.fullHelp, 0
		m.resize()
		return nil, true
	case key.Matches(msg, k.Refresh):
		return m.refresh(m.top()), true
	case key.Matches(msg, k.Plan):
		if why := m.c.PlanKey().Off; why != "" {
			m.err = errors.New(why)
			return nil, true
		}
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

// bodyHeight is what is left for the page under the header and the help.
func (m *Model) bodyHeight() int { return m.heightAbove(m.footer()) }

// heightAbove is the body's height above the footer foot.
func (m *Model) heightAbove(foot string) int { return max(1, m.h-1-lipgloss.Height(foot)) }

func (m *Model) resize() {
	m.help.SetWidth(m.w)
	m.sizedH = m.bodyHeight()
	for _, e := range m.pages() {
		e.page.SetSize(m.w, m.sizedH)
	}
}
