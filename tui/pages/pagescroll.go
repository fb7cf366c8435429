package pages

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/viewport"

	"ferry/tui/common"
)

// A page that scrolls in a viewport (↑/↓, j/k) says what is out of sight on its
// last row, as the dashboard's panels and My work say theirs: "↓ 12 more lines"
// while there is more below, "↑ 12 more above" at its end. A page that fits has no
// such row.

// setScrolled gives vp content (its lines each ending in "\n" or not), in h rows: all of them when it fits, else all but the
// last, which scrollNote says.
func setScrolled(vp *viewport.Model, content string, h int) {
	vp.SetContent(strings.TrimSuffix(content, "\n")) // a last empty line is no more to see
	h = max(1, h)
	if vp.TotalLineCount() > h && h > 1 {
		h--
	}
	vp.SetHeight(h)
	vp.SetYOffset(vp.YOffset()) // in range for the new height
}

// sizeScrolled sizes a page's viewport to w×h and, once the page has its content,
// gives it again in those rows (setScrolled): the deployment's and the improvement's
// pages each wrote this out.
func sizeScrolled(vp *viewport.Model, w, h int, loaded bool, content func() string) {
	vp.SetWidth(w)
	vp.SetHeight(h)
	if loaded {
		setScrolled(vp, content(), h)
	}
}

// scrolledView is vp's view and, when its content is longer than it, the row that
// says what is out of sight.
func scrolledView(st common.Styles, vp *viewport.Model) string {
	total, off, rows := vp.TotalLineCount(), vp.YOffset(), vp.Height()
	below := max(0, total-off-rows)
	if total <= rows {
		return vp.View()
	}
	note := fmt.Sprintf(" ↑ %d more above", off)
	if below > 0 {
		note = fmt.Sprintf(" ↓ %d more line%s", below, common.Plural(below))
		if off > 0 {
			note += fmt.Sprintf(" · %d above", off)
		}
	}
	return vp.View() + "\n" + common.Fit(st.Dim.Render(note), vp.Width())
}
