package tui

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/tui/common"
)

func (m *Model) View() tea.View {
	if m.still && m.drawn != nil {
		return *m.drawn
	}
	var body string
	if m.w == 0 {
		body = "loading…"
	} else {
		// The footer is drawn once a frame: its height sets the body's, and working
		// it out (the page's keys, each with why it is off) twice was a fifth of a
		// frame.
		foot := m.footer()
		body = lipgloss.JoinVertical(lipgloss.Left, m.header(), m.fitBody(m.Top().View(), m.heightAbove(foot)), foot)
	}
	v := tea.NewView(body)
	v.AltScreen = true
	v.WindowTitle = "ferry"
	m.drawn = &v
	return v
}

// fitBody pads or cuts the page to exactly the body height h, so nothing jumps.
func (m *Model) fitBody(s string, h int) string {
	lines := strings.Split(s, "\n")
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
	right := who + " · " + m.c.Local(m.c.Eng.Now(), common.DayLayout+" Jan 15:04 MST") + " "
	left := m.tabLine(tabsWide)
	if lipgloss.Width(left)+lipgloss.Width(right)+2 > m.w {
		right = who + " "
	}
	for _, form := range []tabForm{tabsTight, tabsOne} {
		if lipgloss.Width(left)+lipgloss.Width(right)+2 > m.w {
			left = m.tabLine(form)
		}
	}
	gap := m.w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return common.Fit(left, m.w)
	}
	return left + strings.Repeat(" ", gap) + st.HeaderRight.Render(right)
}

// tabForm is how much of the tabs the header names, the most that fits.
type tabForm int

const (
	tabsWide  tabForm = iota // every tab named: "1 Dashboard  2 History  3 Schedule …"
	tabsTight                // the same, closer together
	tabsOne                  // the active tab alone, "‹ 3 Schedule ›" (a phone)
)

// tabLine names the screens, numbered, in form; or, when a page is open over the
// active one, that tab and the path from it to the page on top, at any width:
// "2 History › #123 › checklist #123". Numbers alone ("1 2 3 4 5 6") told a phone's
// user neither where they were nor what was where.
func (m *Model) tabLine(form tabForm) string {
	st := m.c.Styles
	brand := st.Brand.Render(" ferry ")
	switch {
	case len(m.stack) > 0:
		return brand + " " + m.path()
	case form == tabsOne:
		return brand + " " + st.Dim.Render("‹ ") + st.TabActive.Render(m.tabLabel(m.active)) + st.Dim.Render(" ›")
	}
	tabs := []string{brand}
	for i := range m.tabs {
		style := st.Tab
		if i == m.active {
			style = st.TabActive
		}
		tabs = append(tabs, style.Render(m.tabLabel(i)))
	}
	sep := "  "
	if form == tabsTight {
		sep = " "
	}
	return strings.Join(tabs, sep)
}

// tabLabel is tab i's number, the key that opens it, and its name.
func (m *Model) tabLabel(i int) string { return strconv.Itoa(i+1) + " " + m.tabs[i].page.Title() }

// path is the active tab and the pages open over it, the one on top last.
func (m *Model) path() string {
	st := m.c.Styles
	crumbs := []string{st.Tab.Render(strconv.Itoa(m.active+1) + " " + m.tabs[m.active].name)}
	for i, p := range m.stack {
		style := st.Tab
		if i == len(m.stack)-1 {
			style = st.TabActive
		}
		crumbs = append(crumbs, style.Render(p.page.Title()))
	}
	return strings.Join(crumbs, st.Dim.Render(" › "))
}
