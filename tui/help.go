package tui

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/models"
	"ferry/tui/common"
)

// The footer: a note or an error when there is one, else the keys of the page on top.
// The short help offers the keys the person may use now; the full help (?) lists
// every key, and those that are off with why, as lazygit's keybindings menu does:
// the footer line has room for few, so it leaves the others out, as lazygit's
// options bar does.

// noteStyle colours a note by its mark: green a confirmation or a success, red a
// failure, dim a cancellation, yellow the rest (work under way, a wait).
func (m *Model) noteStyle() lipgloss.Style {
	st := m.c.Styles
	switch m.note.Mark {
	case "✓":
		return st.Good
	case "✗", "↺":
		return st.Bad
	case "–":
		return st.Dim
	}
	return st.Warn
}

func (m *Model) footer() string {
	if m.err != nil {
		return m.message("✗", m.err.Error(), m.c.Styles.Error)
	}
	if m.note.Text != "" {
		return m.message(m.note.Mark, m.note.Text, m.noteStyle())
	}
	if m.fullHelp {
		return m.fullHelpView(max(1, m.h-2))
	}
	// Drop the page's last keys until the line fits; ? shows them all. While a field
	// takes the keys, ? and q are letters, so they are not offered.
	keys := m.pairedArrows(usable(m.Top().ShortHelp()))
	var global []key.Binding
	if !m.Top().Capturing() {
		global = []key.Binding{m.c.Keys.Help, m.c.Keys.Quit}
	}
	wide := m.help
	wide.SetWidth(0) // it would cut the line with "…" itself, ? and q first
	for short := false; ; short = true {
		line := " " + wide.ShortHelpView(append(slices.Clone(keys), global...))
		if lipgloss.Width(line) <= m.w || len(keys) == 0 {
			return common.Fit(line, m.w)
		}
		if !short { // too long as the page orders them: keep the way back first
			keys = m.footerOrder(keys)
		}
		n := len(keys) - 1
		for n > 0 && m.isArrow(keys[n]) && m.isArrow(keys[n-1]) { // ↑ and ↓ go together
			n--
		}
		keys = keys[:n]
	}
}

// isArrow reports whether b is ↑ or ↓.
func (m *Model) isArrow(b key.Binding) bool {
	return b.Help() == m.c.Keys.Up.Help() || b.Help() == m.c.Keys.Down.Help()
}

// pairedArrows is keys with ↑ and ↓ both, or neither: a lone "↑/k up" read as if
// the list went one way only (a page turns both off where there is nothing to move
// among: common.Arrows).
func (m *Model) pairedArrows(keys []key.Binding) []key.Binding {
	if n := len(slices.DeleteFunc(slices.Clone(keys), func(b key.Binding) bool { return !m.isArrow(b) })); n == 1 {
		return slices.DeleteFunc(keys, m.isArrow)
	}
	return keys
}

// footerOrder puts the way back first, so a footer too short for every key keeps it,
// and the arrows last: they are the first it leaves out, as any list moves so.
func (m *Model) footerOrder(keys []key.Binding) []key.Binding {
	var back, rest, arrows []key.Binding
	for _, k := range keys {
		switch {
		case k.Help() == m.c.Keys.Back.Help():
			back = append(back, k)
		case m.isArrow(k):
			arrows = append(arrows, k)
		default:
			rest = append(rest, k)
		}
	}
	return slices.Concat(back, rest, arrows)
}

// usable are the bindings of the keys that are on and say what they do (a form's
// own key map holds bindings that are disabled or have no help).
func usable(keys []common.Key) []key.Binding {
	var out []key.Binding
	for _, k := range keys {
		if k.Off == "" && k.Enabled() && k.Help().Key != "" {
			out = append(out, k.Binding)
		}
	}
	return out
}

// fullHelpView shows the full help in at most lines lines; when it is longer, the
// part from helpOff on, and the last line says how to scroll (↑/↓ while it is open).
func (m *Model) fullHelpView(lines int) string {
	out := m.helpLines()
	if len(out) <= lines {
		return strings.Join(out, "\n")
	}
	room := max(1, lines-1)
	off := common.Clamp(m.helpOff, 0, len(out)-room)
	more := fmt.Sprintf(" ↑/↓ scroll help · lines %d–%d of %d · ? closes", off+1, off+room, len(out))
	return strings.Join(append(out[off:off+room:off+room], common.Fit(m.c.Styles.Dim.Render(more), m.w)), "\n")
}

// helpScrolls reports whether the full help is open and longer than the screen.
func (m *Model) helpScrolls() bool { return m.fullHelp && len(m.helpLines()) > max(1, m.h-2) }

// scrollHelp moves the full help by n lines, within what it has.
func (m *Model) scrollHelp(n int) {
	m.helpOff = common.Clamp(m.helpOff+n, 0, max(0, len(m.helpLines())-max(1, m.h-3)))
}

// helpLines is the full help: in columns the keys the person may use now, then each
// that is off, saying why.
func (m *Model) helpLines() []string {
	st := m.c.Styles
	var on [][]key.Binding
	var off []string
	for _, group := range m.fullHelpGroups() {
		if keys := usable(group); len(keys) > 0 {
			on = append(on, keys)
		}
		for _, k := range group {
			if k.Off != "" {
				h := k.Help()
				for _, l := range common.Beside(" "+h.Key+" "+h.Desc+" — ", k.Off, m.w-1, 40) {
					off = append(off, common.Fit(st.Dim.Render(l), m.w))
				}
			}
		}
	}
	out := append(m.columns(on), off...)
	if n, ok := m.Top().(common.HelpNoter); ok {
		for _, l := range n.HelpNotes(m.w - 1) {
			out = append(out, common.Fit(st.Dim.Render(" "+l), m.w))
		}
	}
	return out
}

// columns lays groups of keys out side by side, as many as the width takes, and the
// rest in rows below (rather than cut off at the right, as help.Model would).
func (m *Model) columns(groups [][]key.Binding) []string {
	wide := m.help
	wide.SetWidth(0) // to measure
	var out []string
	for len(groups) > 0 {
		n := 1
		for n < len(groups) && lipgloss.Width(wide.FullHelpView(groups[:n+1])) < m.w {
			n++
		}
		for _, l := range strings.Split(m.help.FullHelpView(groups[:n]), "\n") {
			out = append(out, common.Fit(" "+l, m.w)) // in line with the short help
		}
		groups = groups[n:]
	}
	return out
}

// fullHelpGroups are the page's keys, then the console's: moving between the screens
// the person has, and the keys that work everywhere.
func (m *Model) fullHelpGroups() [][]common.Key {
	k, on := m.c.Keys, common.On
	screens := []common.Key{on(k.Next), on(k.Prev)}
	for i, t := range m.tabs {
		b := k.Screens[i]
		b.SetHelp(strconv.Itoa(i+1), strings.ToLower(t.name))
		screens = append(screens, on(b))
	}
	everywhere := []common.Key{m.c.PlanKey(), on(k.Refresh), on(k.Help), on(k.Quit)}
	page := m.Top().FullHelp()
	// A key the page lists already (the dashboard's p and 4) is not listed twice.
	listed := map[string]bool{}
	for _, g := range page {
		for _, pk := range g {
			for _, name := range pk.Keys() {
				listed[name] = true
			}
		}
	}
	unlisted := func(g []common.Key) []common.Key {
		return slices.DeleteFunc(g, func(ck common.Key) bool {
			return slices.ContainsFunc(ck.Keys(), func(n string) bool { return listed[n] })
		})
	}
	return append(page, unlisted(screens), unlisted(everywhere))
}

// refused says why the page on top does not take key msg now: the reason of a key it
// has that is off, unless one of its keys that is on is msg too; nil otherwise. A page
// whose text field has focus takes every key.
func (m *Model) refused(msg tea.KeyPressMsg) error {
	p := m.Top()
	if p.Capturing() {
		return nil
	}
	var why error
	for _, group := range p.FullHelp() {
		for _, k := range group {
			switch {
			case !key.Matches(msg, k.Binding):
			case k.Off == "":
				return nil
			default:
				why = errors.New(k.Off)
			}
		}
	}
	return why
}

// footerLines is the most a message in the footer takes: a refusal is read whole
// (on a phone's 60 columns one takes two to six lines: a start refused for its
// window and a freeze says both, and the ways on), and the page keeps two thirds.
func (m *Model) footerLines() int { return max(4, m.h/3) }

// message is a note or an error in the footer, wrapped beside its mark so nothing a
// person must read is cut; a message longer than footerLines ends in "…".
func (m *Model) message(mark, text string, st lipgloss.Style) string {
	lines := common.Hanging(" "+st.Render(mark)+" ", models.Line(text), m.w, st)
	if n := m.footerLines(); len(lines) > n {
		lines = lines[:n]
		lines[n-1] = common.Fit(strings.TrimRight(lines[n-1], " ")+"…", m.w)
	}
	for i, l := range lines {
		lines[i] = common.Fit(l, m.w)
	}
	return strings.Join(lines, "\n")
}
