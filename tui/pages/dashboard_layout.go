package pages

import "ferry/tui/common"

// Layout is a pure function of the terminal size and how much each panel has to
// show, so it can be tested with plain-text pictures.

// rect is a region of the screen in cells.
type rect struct{ X, Y, W, H int }

// dashLayout places the dashboard's panels.
type dashLayout struct{ Running, Needs, Due, Last30 rect }

// wideMin is the width from which the top panels sit side by side.
const wideMin = 100

// layoutDashboard arranges the dashboard in a w×h body. running, needs and due are the
// rows each panel would like; last30 is the rows the summary needs at this width.
func layoutDashboard(w, h, running, needs, due, last30 int) dashLayout {
	var l dashLayout
	l30 := last30 + 2
	if w < wideMin && h < phoneMaxHeight {
		l30 = 0 // on a phone the 30-day summary gives way to what needs doing
	}
	if w >= wideMin {
		top := common.Clamp(max(running, needs)+2, 3, max(3, (h-l30)/2))
		left := w * 11 / 20 // running rows carry more than the needs-you lines
		l.Running = rect{0, 0, left, top}
		l.Needs = rect{left, 0, w - left, top}
		l.Due = rect{0, top, w, max(3, h-top-l30)}
	} else {
		rest := h - l30
		rh := common.Clamp(running+2, 3, max(3, rest*2/5))
		nh := common.Clamp(needs+2, 3, max(3, rest*2/5))
		l.Running = rect{0, 0, w, rh}
		l.Needs = rect{0, rh, w, nh}
		l.Due = rect{0, rh + nh, w, max(3, h-rh-nh-l30)}
		if h-rh-nh-l30 < 3 { // a phone with the help open: no room for a third panel, rather than half of one
			l.Due.H = 0
		}
	}
	l.Last30 = rect{0, l.Due.Y + l.Due.H, w, l30}
	return l
}

// phoneMaxHeight: below this many rows (and narrow), the dashboard drops its summary.
const phoneMaxHeight = 24
