package components

import "charm.land/bubbles/v2/table"

// ShowAt moves a table's cursor to row c and scrolls so that about `above` rows
// show above it, whatever was scrolled before. The table keeps its scroll offset
// private and SetCursor leaves the row just below the view, so this goes there
// by the moves whose scrolling it does define.
func ShowAt(t *table.Model, c, above int) {
	h := t.Height()
	t.GotoTop()
	if c < h {
		t.MoveDown(c)
		return
	}
	n := max(0, min(h-1-above, len(t.Rows())-1-c))
	t.SetCursor(c + n)
	t.MoveDown(0)
	t.MoveUp(n)
}
