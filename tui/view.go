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
		crumbs = append(crumbs, style.Render(p.page.Title()))
	}
	return "  " + strings.Join(crumbs, st.Dim.Render(" › "))
}
