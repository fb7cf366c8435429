// Package timeline lays out the schedule: its geometry is a pure function of the
// width, the zoom and the period (which cells a day covers and which cells a
// deployment or a window covers), so it is tested with plain-text pictures. Days are
// cut with time.Date in the organisation's zone, never by adding 24h, so a 23- or
// 25-hour day around a daylight-saving change still starts at local midnight.
package timeline

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"ferry/models"
	"ferry/tui/common"
)

// Zoom is how much time the timeline shows.
type Zoom int

const (
	Week Zoom = iota // Monday 00:00 to the next Monday 00:00, local
	Day              // 00:00 to 24:00 local
)

// MinDay is the narrowest day column the row names give way to: it still fits a
// "Mo 23" label and a gap. Names come first down to it: at 60 cells a day of 7
// (room for "Mon 23") left "production" as "product…", and a row whose name is cut
// is a row one cannot tell apart (prod… or product-data?).
const MinDay = 6

// PeriodStart is the start of the week (Monday 00:00) or day (00:00) holding t.
func PeriodStart(z Zoom, t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	y, m, d := l.Date()
	if z == Week {
		d -= (int(l.Weekday()) + 6) % 7 // Monday is the first day
	}
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Shift moves a period start by n periods, by the calendar, in loc.
func Shift(z Zoom, from time.Time, n int, loc *time.Location) time.Time {
	days := n
	if z == Week {
		days = 7 * n
	}
	y, m, d := from.In(loc).Date()
	return time.Date(y, m, d+days, 0, 0, 0, 0, loc)
}

// Seg is one stretch of the timeline drawn with cells of equal duration: a day
// in the week view, the whole day in the day view. X is relative to the timeline.
type Seg struct {
	Start, End time.Time
	X, W       int
}

// Geom places the timeline in a line of Width cells: a label column, then
// Cells cells of time split into segments.
type Geom struct {
	Zoom       Zoom
	Width      int
	Label      int // cells of the row label column, the marker and a gap included
	Cells      int // cells of time
	From, To   time.Time
	Segs       []Seg
	CellsPerHr int // day view: whole cells per hour (0 when the day is squeezed)
}

// LabelWidth is the label column for names up to nameW cells at width w: a
// marker cell, the name and a gap, shrunk (names get abbreviated) only when seven
// day columns of MinDay would not fit beside it.
func LabelWidth(w, nameW int) int {
	return max(min(nameW+2, 16, w-1-7*MinDay), 5)
}

// Layout lays out the period starting at from for a w-cell line.
func Layout(w int, z Zoom, from time.Time, loc *time.Location, nameW int) Geom {
	g := Geom{Zoom: z, Width: w, Label: LabelWidth(w, nameW), From: from}
	g.To = Shift(z, from, 1, loc)
	avail := max(1, w-g.Label-1) // keep the last column free
	if z == Week {
		dayW := max(1, avail/7)
		for i := range 7 {
			s, e := Shift(Day, from, i, loc), Shift(Day, from, i+1, loc)
			g.Segs = append(g.Segs, Seg{Start: s, End: e, X: i * dayW, W: dayW})
		}
		g.Cells = 7 * dayW
		return g
	}
	// A day: whole cells per hour when they fit (25 hours on the long DST day).
	hours := int(g.To.Sub(from) / time.Hour)
	if cph := avail / 25; cph >= 2 {
		g.CellsPerHr = cph
		g.Cells = hours * cph
	} else { // squeezed: cells of equal duration, not whole hours
		g.Cells = avail
	}
	g.Segs = []Seg{{Start: from, End: g.To, X: 0, W: g.Cells}}
	return g
}

// cellRange is the cells [c0, c1) of a segment that [s, e) touches; a sliver of a
// cell counts, so even a short deployment gets one.
func (sg Seg) cellRange(s, e time.Time) (int, int, bool) {
	if !s.Before(sg.End) || !e.After(sg.Start) || !e.After(s) {
		return 0, 0, false
	}
	dur := int64(sg.End.Sub(sg.Start) / time.Second)
	if s.Before(sg.Start) {
		s = sg.Start
	}
	if e.After(sg.End) {
		e = sg.End
	}
	off0 := int64(s.Sub(sg.Start) / time.Second)
	off1 := int64(e.Sub(sg.Start) / time.Second)
	w := int64(sg.W)
	c0 := int(off0 * w / dur)
	c1 := int((off1*w + dur - 1) / dur)
	if c1 <= c0 {
		c1 = c0 + 1
	}
	return c0, min(c1, sg.W), c0 < sg.W
}

// Span is the cells [x0, x1) of the timeline that iv covers.
func (g Geom) Span(iv models.Interval) (x0, x1 int, ok bool) {
	for _, sg := range g.Segs {
		c0, c1, hit := sg.cellRange(iv.Start, iv.End)
		if !hit {
			continue
		}
		if !ok {
			x0, ok = sg.X+c0, true
		}
		x1 = sg.X + c1
	}
	return x0, x1, ok
}

// CellAt is the cell holding instant t, or -1 outside the view.
func (g Geom) CellAt(t time.Time) int {
	x0, _, ok := g.Span(models.Interval{Start: t, End: t.Add(time.Second)})
	if !ok {
		return -1
	}
	return x0
}

// Tick is a label in the header row: a day, or an hour in the day view.
type Tick struct {
	X    int
	Text string
	At   time.Time
}

// Ticks labels the header: each day in the week view, every hour (or every few
// hours when cells are scarce) in the day view, at the local hour it starts.
func (g Geom) Ticks(loc *time.Location) []Tick {
	var out []Tick
	if g.Zoom == Week {
		// One form for the whole week, the longest whose every label fits its day with
		// a gap: "Mon 07" beside "Tu 08" read as two kinds of label. The day of the
		// month in two digits, as the console writes days (common.DayLayout).
		forms := []func(time.Time) string{
			func(d time.Time) string { return d.Format(common.DayLayout) },
			func(d time.Time) string { return d.Format("Mon")[:2] + " " + d.Format("02") },
			func(d time.Time) string { return d.Format("Mon")[:2] + d.Format("02") },
			func(d time.Time) string { return d.Format("02") },
		}
		form := func(time.Time) string { return "" }
		for _, f := range forms {
			if !slices.ContainsFunc(g.Segs, func(sg Seg) bool { return len(f(sg.Start.In(loc)))+1 > sg.W }) {
				form = f
				break
			}
		}
		for _, sg := range g.Segs {
			out = append(out, Tick{sg.X, form(sg.Start.In(loc)), sg.Start})
		}
		return out
	}
	perHour := float64(g.Cells) / g.To.Sub(g.From).Hours()
	step := 1
	for _, k := range []int{1, 2, 3, 4, 6, 12} {
		step = k
		if perHour*float64(k) >= 3.5 {
			break
		}
	}
	last := -10
	for t := g.From; t.Before(g.To); t = t.Add(time.Hour) {
		h := t.In(loc).Hour()
		x := g.CellAt(t)
		if h%step != 0 || x < last+3 || x < 0 || x+2 > g.Cells {
			continue
		}
		out = append(out, Tick{x, fmt.Sprintf("%02d", h), t})
		last = x
	}
	return out
}

// Kind is what a cell of a row shows.
type Kind int

const (
	Empty     Kind = iota
	NowLine        // the now line through an empty cell
	Maint          // inside a maintenance window
	Freeze         // inside a freeze window
	Cancelled      // a cancelled deployment: drawn under the others, never counted
	Done           // a succeeded deployment
	Failed         // a failed or rolled-back deployment
	Planned        // a planned deployment
	Running        // a running deployment
	Conflict       // a deployment in an open conflict
	Overlap        // more than one deployment in the cell (a stack starts with its count)
)

// Bar is a deployment as a row draws it.
type Bar struct {
	ID    int64
	Iv    models.Interval
	Kind  Kind   // Cancelled … Conflict
	Label string // written into the bar where it fits, e.g. the component
	Runs  bool   // under way now (a running one in conflict too): the now line leaves it be
}

// Win is a freeze or maintenance window occurrence in a row.
type Win struct {
	Iv     models.Interval
	Freeze bool
	Label  string // e.g. "freeze", "mw 22–02"
}

// Cell is one cell of a row.
type Cell struct {
	R        rune
	Kind     Kind
	Conflict bool // a bar here is in conflict (overlap cells too)
	Selected bool // the selected deployment covers the cell
	Text     bool // a letter of a bar's label
}

// glyph is each kind's glyph, so a row reads without colour: planned and running
// differ by shape, not only by colour, and a cancelled one is clearly not work.
var glyph = map[Kind]rune{
	Empty: ' ', NowLine: '│', Maint: '┄', Freeze: '░', Cancelled: '×', Done: '▒', Failed: '▒',
	Planned: '█', Running: '▶', Conflict: '▓',
}

// Glyph is the glyph a kind is drawn with, for the legend.
func Glyph(k Kind) string { return string(glyph[k]) }

// Row draws one row: windows first, then cancelled bars, then the other bars over
// them; a stack of bars that overlap starts with how many it holds. A cancelled
// deployment takes no time, so it is never counted. sel is the selected deployment;
// nowX the now cell or -1.
func Row(g Geom, bars []Bar, wins []Win, sel int64, nowX int) []Cell {
	cells := make([]Cell, g.Cells)
	count := make([]int, g.Cells)  // bars that take time
	ghosts := make([]int, g.Cells) // cancelled bars
	top := make([]Kind, g.Cells)   // the weightiest kind of bar in each cell
	runs := make([]bool, g.Cells)  // a deployment under way covers the cell
	for i := range cells {
		cells[i] = Cell{R: ' '}
	}
	for _, freeze := range []bool{false, true} { // freeze wins over maintenance
		for _, w := range wins {
			if w.Freeze != freeze {
				continue
			}
			x0, x1, ok := g.Span(w.Iv)
			for x := x0; ok && x < x1; x++ {
				k := Maint
				if freeze {
					k = Freeze
				}
				cells[x] = Cell{R: glyph[k], Kind: k}
			}
		}
	}
	for _, cancelled := range []bool{true, false} {
		for _, b := range bars {
			if (b.Kind == Cancelled) != cancelled {
				continue
			}
			x0, x1, ok := g.Span(b.Iv)
			for x := x0; ok && x < x1; x++ {
				c := &cells[x]
				c.Selected = c.Selected || b.ID == sel
				if cancelled {
					ghosts[x]++
					c.Kind, c.R = Cancelled, glyph[Cancelled]
					continue
				}
				count[x]++
				runs[x] = runs[x] || b.Runs || b.Kind == Running
				c.Conflict = c.Conflict || b.Kind == Conflict
				if count[x] > 1 {
					// the weightiest bar's glyph: a conflict, then running, planned,
					// failed, done (the kinds' order)
					c.R = glyph[max(b.Kind, top[x])]
					c.Kind = Overlap
				} else {
					c.Kind, c.R = b.Kind, glyph[b.Kind]
				}
				top[x] = max(top[x], b.Kind)
			}
		}
	}
	countStacks(g, cells, bars)
	// Labels: a bar's component inside it, "freeze" or "mw …" in empty stretches.
	for _, b := range bars {
		x0, x1, ok := g.Span(b.Iv)
		if !ok || x1-x0 < 6 || b.Label == "" {
			continue
		}
		alone := true
		for x := x0; x < x1; x++ {
			if b.Kind == Cancelled {
				alone = alone && count[x] == 0 && ghosts[x] == 1
			} else {
				alone = alone && count[x] == 1
			}
		}
		if room := x1 - x0 - 2; alone && room >= min(len([]rune(b.Label)), 8) {
			writeLabel(cells[x0+1:x1-1], b.Label, true)
		}
	}
	for _, w := range wins {
		x0, x1, ok := g.Span(w.Iv)
		if !ok {
			continue
		}
		k := Maint
		if w.Freeze {
			k = Freeze
		}
		// the longest stretch of this window's cells still showing the window
		for x := x0; x < x1; {
			if cells[x].Kind != k {
				x++
				continue
			}
			e := x
			for e < x1 && cells[e].Kind == k {
				e++
			}
			if n := len([]rune(w.Label)); e-x >= n+2 {
				writeLabel(cells[x+(e-x-n)/2:e], w.Label, false)
			} else if !w.Freeze && e-x >= 4 {
				writeLabel(cells[x+1:e], "mw", false)
			}
			x = e
		}
	}
	// The now line crosses every row, bars too (it would hide behind a busy row's),
	// but not the letters of a label, nor the selected deployment, nor one under way:
	// a run an hour long is one cell of a week, all there is of it, and it is at now
	// itself (the line goes on in the rows above and below).
	if nowX >= 0 && nowX < g.Cells && !cells[nowX].Text && !cells[nowX].Selected && !runs[nowX] {
		c := &cells[nowX]
		c.R, c.Kind, c.Conflict = glyph[NowLine], NowLine, false
	}
	return cells
}

// countStacks writes, at the start of each stack of bars (bars joined by shared or
// touching cells, which read as one run), how many deployments it holds: "12"
// once, where a count per cell ran together into one long number ("5999973").
func countStacks(g Geom, cells []Cell, bars []Bar) {
	type span struct{ x0, x1 int }
	var spans []span
	for _, b := range bars {
		if x0, x1, ok := g.Span(b.Iv); ok && b.Kind != Cancelled {
			spans = append(spans, span{x0, x1})
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return a.x0 - b.x0 })
	for i := 0; i < len(spans); {
		j, end := i+1, spans[i].x1
		for j < len(spans) && spans[j].x0 <= end {
			end = max(end, spans[j].x1)
			j++
		}
		if n := j - i; n > 1 {
			label := strconv.Itoa(n)
			if len(label) > end-spans[i].x0 {
				label = "+"
			}
			writeLabel(cells[spans[i].x0:end], label, true)
		}
		i = j
	}
}

// writeLabel writes s over the start of cells, cut with "…" when it does not fit.
func writeLabel(cells []Cell, s string, inBar bool) {
	r := []rune(s)
	if len(r) > len(cells) {
		r = append(r[:max(0, len(cells)-1)], '…')
	}
	for i, c := range r {
		cells[i].R = c
		cells[i].Text = inBar
	}
}

// Plain is a row as plain text, for tests and pictures.
func Plain(cells []Cell) string {
	r := make([]rune, len(cells))
	for i, c := range cells {
		r[i] = c.R
	}
	return string(r)
}

// Abbrev fits a row name into n cells, cutting it with "…".
func Abbrev(name string, n int) string {
	r := []rune(name)
	if len(r) <= n {
		return name
	}
	if n <= 1 {
		return string(r[:max(0, n)])
	}
	return string(r[:n-1]) + "…"
}

// Lanes stacks a row's bars into at most n lanes so that bars in one lane keep
// a free cell between them; what does not fit goes into the last lane, where
// overlapping bars show as counts. Bars come in start order. Cancelled bars are
// placed after the others, so they never push a live one into the counted lane.
func Lanes(g Geom, bars []Bar, n int) [][]Bar {
	n = max(n, 1)
	var lanes [][]Bar
	var used [][]bool // the cells each lane's bars cover
	place := func(b Bar) {
		x0, x1, ok := g.Span(b.Iv)
		if !ok {
			return
		}
		i := slices.IndexFunc(used, func(u []bool) bool { return !slices.Contains(u[max(0, x0-1):min(len(u), x1+1)], true) })
		switch {
		case i >= 0:
		case len(lanes) < n:
			lanes, used, i = append(lanes, nil), append(used, make([]bool, g.Cells)), len(lanes)
		default:
			i = n - 1
		}
		lanes[i] = append(lanes[i], b)
		for x := x0; x < x1; x++ {
			used[i][x] = true
		}
	}
	for _, cancelled := range []bool{false, true} {
		for _, b := range bars {
			if (b.Kind == Cancelled) == cancelled {
				place(b)
			}
		}
	}
	if len(lanes) == 0 {
		lanes = [][]Bar{nil}
	}
	return lanes
}

// Share gives each row one line and hands out the rest of room one lane at a
// time, row after row, to rows that need more; rows are never given more than need.
func Share(need []int, room int) []int {
	lines := make([]int, len(need))
	left := room - len(need)
	for i := range lines {
		lines[i] = 1
	}
	for more := true; more && left > 0; {
		more = false
		for i := range lines {
			if left > 0 && lines[i] < need[i] {
				lines[i]++
				left--
				more = true
			}
		}
	}
	return lines
}
