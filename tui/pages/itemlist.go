package pages

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/tui/common"
)

// itemList is a page's list of items of a few lines each, one of them selected: the
// freeze impact, the blocked versions, the improvement register. The page draws an
// item (item); the list keeps which one is selected and which one shows first. ↑/↓
// move the selection in Update, and Update, Load and SetSize keep the selected item
// whole in sight, so that View only draws: a person typing fast presses keys with
// no draw between them.
type itemList struct {
	c    *common.Common
	item func(i int, selected bool) []string // item i's lines, as the page draws it
	n    int                                 // how many items there are
	sel  int                                 // the selected one
	off  int                                 // the first one in view
	h    int                                 // the lines the list has
}

func newItemList(c *common.Common, item func(i int, selected bool) []string) itemList {
	return itemList{c: c, item: item}
}

// Selected is the selected item's index (0 in an empty list).
func (l *itemList) Selected() int { return l.sel }

// Load takes the page's list read again: n items, item sel selected (the last one
// when the list is shorter now).
func (l *itemList) Load(n, sel int) {
	l.n, l.sel = n, min(sel, max(0, n-1))
	l.scroll()
}

// SetSize gives the list h lines (it shows one item at least, whatever its length).
func (l *itemList) SetSize(h int) {
	l.h = h
	l.scroll()
}

// Update moves the selection on ↑ and ↓, and says whether msg was one of them: the
// page's own keys are the rest.
func (l *itemList) Update(msg tea.Msg) bool {
	k, ok := msg.(tea.KeyPressMsg)
	switch {
	case !ok:
		return false
	case key.Matches(k, l.c.Keys.Up):
		l.sel = max(0, l.sel-1)
	case key.Matches(k, l.c.Keys.Down):
		l.sel = min(max(0, l.n-1), l.sel+1)
	default:
		return false
	}
	l.scroll()
	return true
}

// View is the list's heading in w cells, then the lines of the items from the first
// in view on that fit, each item whole. The heading is the first of titles (longest
// first, " 21 planned deployments inside a freeze window", " 21 in a freeze window")
// that leaves room for what is out of sight, " · 19–21 of 21 ↑/↓" (said rather than
// cut; nothing when all are in view); when none does, the last is cut, never that.
func (l *itemList) View(w int, titles ...string) (head string, body []string) {
	end := l.off
	for ; end < l.n; end++ {
		lines := l.draw(end)
		if end > l.off && len(body)+len(lines) > l.room() {
			break
		}
		body = append(body, lines...)
	}
	more := ""
	if l.off > 0 || end < l.n {
		more = l.c.Styles.Dim.Render(fmt.Sprintf(" · %d–%d of %d ↑/↓", l.off+1, end, l.n))
	}
	for _, t := range titles {
		if lipgloss.Width(t+more) <= w {
			return common.Fit(t+more, w), body
		}
	}
	return common.FitEnds(titles[len(titles)-1], more, w), body
}

func (l *itemList) draw(i int) []string { return l.item(i, i == l.sel) }

func (l *itemList) room() int { return max(1, l.h) }

// scroll moves the first item shown no more than it must for the selected one to be
// whole in sight, then back while the items from it to the last still fit: a list
// given more room (a terminal made larger, a shorter list loaded) shows as many as
// fit, not "2–6 of 6" with item 1 out of sight above empty rows.
func (l *itemList) scroll() {
	if l.n == 0 {
		l.off = 0
		return
	}
	l.off = min(l.off, l.sel)
	lines := 0
	for i := l.off; i <= l.sel; i++ {
		lines += len(l.draw(i))
	}
	for ; l.off < l.sel && lines > l.room(); l.off++ {
		lines -= len(l.draw(l.off))
	}
	tail := 0 // the lines of the items from the first shown to the last (enough to know they overflow)
	for i := l.off; i < l.n && tail <= l.room(); i++ {
		tail += len(l.draw(i))
	}
	for l.off > 0 && tail+len(l.draw(l.off-1)) <= l.room() {
		l.off--
		tail += len(l.draw(l.off))
	}
}

// marked is an item's first lines, made by first after a lead: "▸ " and painted as
// selected across w cells when the item is selected, else "  ".
func marked(st common.Styles, w int, selected bool, first func(lead string) []string) []string {
	if !selected {
		return first("  ")
	}
	lines := first("▸ ")
	for i, l := range lines {
		lines[i] = st.Select(common.Fit(l, w))
	}
	return lines
}
