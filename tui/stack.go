package tui

import (
	tea "charm.land/bubbletea/v2"

	"ferry/tui/common"
	"ferry/tui/pages"
)

// The console's pages: tabs a person switches between, and a stack of pages opened
// over the active tab (a deployment, its run view or checklist, a panel); esc closes
// the one on top. Every page has an id, by which what its commands send comes back
// to it (see route).

// entry is a page the root holds, with the id its messages are addressed by.
type entry struct {
	id   int
	page common.Page
}

// tab is one of the screens a person switches between with 1–5 and tab.
type tab struct {
	name string // "Dashboard", "My work": in the path and help
	entry
}

// entry gives p the next id.
func (m *Model) entry(p common.Page) entry {
	m.ids++
	return entry{m.ids, p}
}

// top is the page that has the keys: the last one pushed, else the active tab.
func (m *Model) top() entry {
	if n := len(m.stack); n > 0 {
		return m.stack[n-1]
	}
	return m.tabs[m.active].entry
}

// Top is the page that has the keys now.
func (m *Model) Top() common.Page { return m.top().page }

// pages are every page the console holds: the tabs, then the stack.
func (m *Model) pages() []entry {
	out := make([]entry, 0, len(m.tabs)+len(m.stack))
	for _, t := range m.tabs {
		out = append(out, t.entry)
	}
	return append(out, m.stack...)
}

// find is the page with id, if the console still holds it.
func (m *Model) find(id int) (entry, bool) {
	for _, e := range m.pages() {
		if e.id == id {
			return e, true
		}
	}
	return entry{}, false
}

// refresh reloads e's data in the background.
func (m *Model) refresh(e entry) tea.Cmd { return route(e.id, e.page.Refresh()) }

// push opens p over the page on top and loads it.
func (m *Model) push(p common.Page) tea.Cmd {
	e := m.entry(p)
	m.stack = append(m.stack, e)
	m.resize()
	m.remember()
	return m.refresh(e)
}

// closeFrom closes the stack's page i and those opened over it, and reloads the page
// it returns to.
func (m *Model) closeFrom(i int) tea.Cmd {
	if i < 0 || i >= len(m.stack) {
		return nil
	}
	m.stack = m.stack[:i]
	m.remember()
	return m.refresh(m.top())
}

// closePage closes the page with id (and what was opened over it); a tab stays.
func (m *Model) closePage(id int) tea.Cmd {
	for i, e := range m.stack {
		if e.id == id {
			return m.closeFrom(i)
		}
	}
	return nil
}

// switchTo shows tab i; whatever was open over the last one closes.
func (m *Model) switchTo(i int) tea.Cmd {
	m.active, m.stack = i, nil
	m.resize()
	m.remember()
	return m.refresh(m.top())
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
		if pl, ok := m.stack[i].page.(interface{ Place() common.Place }); ok {
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
