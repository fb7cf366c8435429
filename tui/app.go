package tui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/models"
)

// refreshEvery is how often the console reloads what it shows.
const refreshEvery = 5 * time.Second

// Model is the console's root: a header, the active screen and a help footer. It only
// routes: messages go to the active screen, which owns its data and keys.
type Model struct {
	c        *Common
	screens  []screen
	active   int
	detail   *detailScreen // shown over the active screen when set
	help     help.Model
	fullHelp bool
	err      error
	w, h     int
}

// New builds the console for one session.
func New(c *Common) *Model {
	hm := help.New()
	hm.Styles.ShortKey, hm.Styles.FullKey = c.Styles.HelpKey, c.Styles.HelpKey
	hm.Styles.ShortDesc, hm.Styles.FullDesc = c.Styles.HelpDesc, c.Styles.HelpDesc
	hm.Styles.ShortSeparator, hm.Styles.FullSeparator = c.Styles.HelpSep, c.Styles.HelpSep
	return &Model{c: c, help: hm, screens: []screen{newDashboard(c), newDeployments(c)}}
}

// Run opens the console in the current terminal until the user quits.
func Run(ctx context.Context, eng *engine.Engine, actor models.Person) error {
	_, err := tea.NewProgram(New(NewCommon(ctx, eng, actor)), tea.WithContext(ctx)).Run()
	return err
}

func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.screens[m.active].Refresh(), tick())
}

func tick() tea.Cmd { return tea.Tick(refreshEvery, func(time.Time) tea.Msg { return refreshMsg{} }) }

// current is the screen that gets keys: the detail view if open, else the active one.
func (m *Model) current() screen {
	if m.detail != nil {
		return m.detail
	}
	return m.screens[m.active]
}

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		m.c.Styles = NewStyles(msg.IsDark())
		return m, nil
	case refreshMsg:
		return m, tea.Batch(m.current().Refresh(), tick())
	case errMsg:
		m.err = msg.err
		return m, nil
	case openDetailMsg:
		m.detail = newDetail(m.c, msg.id)
		m.resize()
		return m, m.detail.Refresh()
	case closeDetailMsg:
		m.detail = nil
		return m, m.screens[m.active].Refresh()
	case tea.KeyPressMsg:
		if cmd, ok := m.globalKey(msg); ok {
			return m, cmd
		}
	}
	if _, isKey := msg.(tea.KeyPressMsg); isKey {
		m.err = nil
		return m, m.current().Update(msg)
	}
	// Data messages go to every screen: each ignores what is not its own.
	var cmds []tea.Cmd
	for _, s := range m.screens {
		cmds = append(cmds, s.Update(msg))
	}
	if m.detail != nil {
		cmds = append(cmds, m.detail.Update(msg))
	}
	return m, tea.Batch(cmds...)
}

// globalKey handles the keys that work on every screen.
func (m *Model) globalKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.c.Keys
	if msg.String() == "ctrl+c" {
		return tea.Quit, true
	}
	if m.current().Capturing() {
		return nil, false
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit, true
	case key.Matches(msg, k.Help):
		m.fullHelp = !m.fullHelp
		m.resize()
		return nil, true
	case key.Matches(msg, k.Refresh):
		return m.current().Refresh(), true
	case key.Matches(msg, k.Next):
		return m.switchTo((m.active + 1) % len(m.screens)), true
	case key.Matches(msg, k.Prev):
		return m.switchTo((m.active + len(m.screens) - 1) % len(m.screens)), true
	}
	for i, b := range k.Screens {
		if key.Matches(msg, b) && i < len(m.screens) {
			return m.switchTo(i), true
		}
	}
	return nil, false
}

func (m *Model) switchTo(i int) tea.Cmd {
	m.active, m.detail = i, nil
	m.resize()
	return m.screens[i].Refresh()
}

// bodyHeight is what is left for the screen under the header and the help.
func (m *Model) bodyHeight() int {
	return max(1, m.h-1-lipgloss.Height(m.footer()))
}

func (m *Model) resize() {
	m.help.SetWidth(m.w)
	for _, s := range m.screens {
		s.SetSize(m.w, m.bodyHeight())
	}
	if m.detail != nil {
		m.detail.SetSize(m.w, m.bodyHeight())
	}
}

func (m *Model) View() tea.View {
	var body string
	if m.w == 0 {
		body = "loading…"
	} else {
		body = lipgloss.JoinVertical(lipgloss.Left, m.header(), m.fitBody(m.current().View()), m.footer())
	}
	v := tea.NewView(body)
	v.AltScreen = true
	v.WindowTitle = "ferry"
	return v
}

// fitBody pads or cuts the screen to exactly the body height, so nothing jumps.
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
	tabs := []string{st.Brand.Render(" ferry ")}
	for i, s := range m.screens {
		label := s.Title()
		style := st.Tab
		if i == m.active && m.detail == nil {
			style = st.TabActive
		}
		tabs = append(tabs, style.Render(label))
	}
	left := strings.Join(tabs, "  ")
	if m.detail != nil {
		left += st.Dim.Render("  › ") + st.TabActive.Render(m.detail.Title())
	}
	who := m.c.Actor.Name + " · " + string(m.c.Actor.MainRole())
	right := who + " · " + m.c.Local(m.c.Eng.Now(), "Mon 2 Jan 15:04 MST") + " "
	if lipgloss.Width(left)+lipgloss.Width(right)+2 > m.w {
		right = who + " "
	}
	gap := m.w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return fit(left, m.w)
	}
	return left + strings.Repeat(" ", gap) + st.HeaderRight.Render(right)
}

func (m *Model) footer() string {
	if m.err != nil {
		return fit(" "+m.c.Styles.Error.Render("✗ "+m.err.Error()), m.w)
	}
	if m.fullHelp {
		return m.help.FullHelpView(m.fullHelpGroups())
	}
	return " " + m.help.ShortHelpView(append(m.current().ShortHelp(), m.c.Keys.Help, m.c.Keys.Quit))
}

func (m *Model) fullHelpGroups() [][]key.Binding {
	k := m.c.Keys
	global := append([]key.Binding{k.Next, k.Prev}, k.Screens...)
	global = append(global, k.Refresh, k.Help, k.Quit)
	return append(m.current().FullHelp(), global)
}
