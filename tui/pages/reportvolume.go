package pages

import (
	"fmt"
	"math"
	"strings"
	"time"

	"ferry/engine"
	"ferry/tui/common"
)

// volumeData is what the volume chart draws: deployments per period, by environment.
type volumeData struct {
	periods []string // the periods, oldest first
	labels  []string // a short label for each, for the axis
	groups  []volumeGroup
	partial bool // the last period is not over yet
}

type volumeGroup struct {
	name   string
	counts []int64 // by period
}

// volumeLine is one line of the chart: its head (a name, the axis), its bars and its
// tail (a total). group is whose bars they are; -1 for the line of period labels.
type volumeLine struct {
	head, bars, tail string
	group            int
}

// drawVolume lays the chart out in w×h cells: for each group a band of bars, all on
// one scale (a round number at or over the busiest period of any group, written on
// each band's axis), its name at the foot of the band and its total at the right;
// under the last band the periods, the one not over yet marked *. Periods that do
// not fit the width give way, oldest first.
func drawVolume(v volumeData, w, h int) []volumeLine {
	if len(v.groups) == 0 || len(v.periods) == 0 {
		return []volumeLine{{head: " no deployments in this range", group: -1}}
	}
	var most int64
	nameW, totalW := 0, 0
	totals := make([]int64, len(v.groups))
	for gi, g := range v.groups {
		nameW = max(nameW, len(g.name))
		for _, c := range g.counts {
			most, totals[gi] = max(most, c), totals[gi]+c
		}
		totalW = max(totalW, len(common.Thousands(int(totals[gi])))+1)
	}
	top := niceCeil(most)
	tickW := len(common.Thousands(int(top)))
	headW := 1 + nameW + 1 + tickW + 1
	n := len(v.periods)
	first := max(0, n-(w-headW-totalW)) // the periods the width takes, the latest
	n -= first
	bw, gap := barWidth(w-headW-totalW, n)
	per := max(1, (h-1)/len(v.groups))
	var out []volumeLine
	for gi, g := range v.groups {
		for i := range per {
			name, tick, axis, tail := "", "", "│", ""
			if i == 0 {
				tick, axis = common.Thousands(int(top)), "┤"
			}
			if i == per-1 {
				name, tail = g.name, fmt.Sprintf("%*s", totalW, common.Thousands(int(totals[gi])))
			}
			var bars strings.Builder
			for p, c := range g.counts[first:] {
				if p > 0 {
					bars.WriteString(strings.Repeat(" ", gap))
				}
				bars.WriteString(strings.Repeat(barCell(c, top, per, per-1-i, envGlyphs[gi%len(envGlyphs)]), bw))
			}
			out = append(out, volumeLine{head: fmt.Sprintf(" %-*s %*s%s", nameW, name, tickW, tick, axis),
				bars: bars.String(), tail: tail, group: gi})
		}
	}
	labels := append([]string(nil), v.labels[first:]...)
	if v.partial {
		labels[len(labels)-1] += "*"
	}
	return append(out, volumeLine{head: strings.Repeat(" ", headW), bars: labelRow(labels, bw, gap), group: -1})
}

// barWidth is how wide each of n bars is in w cells, and the gap between them: one
// cell, unless that leaves no room for the bars.
func barWidth(w, n int) (bw, gap int) {
	if bw = (w+1)/n - 1; bw >= 1 {
		return min(bw, 7), 1
	}
	return max(1, w/n), 0
}

// barCell is the cell of a bar of count c, on a scale where top fills rows rows, at
// row level (0 the lowest): full, empty, or the eighth it reaches. A count that is
// not zero shows, however small.
func barCell(c, top int64, rows, level int, full string) string {
	eighths := int(math.Round(float64(c) * float64(rows*8) / float64(top)))
	if c > 0 && eighths == 0 {
		eighths = 1
	}
	switch fill := eighths - level*8; {
	case fill >= 8:
		return full
	case fill <= 0:
		return " "
	default:
		return string([]rune("▁▂▃▄▅▆▇")[fill-1])
	}
}

// niceCeil is the round number at or over v that a scale ends at: 1, 1.2, 1.5, 2,
// 2.5, 3, 4, 5, 6 or 8 times a power of ten.
func niceCeil(v int64) int64 {
	if v <= 1 {
		return 1
	}
	mag := int64(1)
	for mag*10 < v {
		mag *= 10
	}
	for _, m := range []float64{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if n := int64(math.Ceil(m * float64(mag))); n >= v {
			return n
		}
	}
	return 10 * mag
}

// labelRow centres each label under its bar, leaving out labels that would touch.
func labelRow(labels []string, bw, gap int) string {
	var b strings.Builder
	next := 0 // first free column
	for i, l := range labels {
		at := i*(bw+gap) + max(0, (bw-len(l))/2)
		if at < next {
			continue
		}
		b.WriteString(strings.Repeat(" ", at-next) + l)
		next = at + len(l) + 1
		b.WriteByte(' ')
	}
	return strings.TrimRight(b.String(), " ")
}

// shortPeriod names a period in a few cells: Nov, Q4, W48 or 26.
func shortPeriod(t time.Time, p engine.Period) string {
	switch p {
	case engine.PeriodDay:
		return t.Format("2")
	case engine.PeriodWeek:
		_, w := t.ISOWeek()
		return fmt.Sprintf("W%d", w)
	case engine.PeriodQuarter:
		return fmt.Sprintf("Q%d", (int(t.Month())-1)/3+1)
	}
	return t.Format("Jan")
}

// axisPeriod is shortPeriod under a bar: a year's first month or quarter says the
// year ("2026", "Q1'26"), so an axis over two years reads which is which.
func axisPeriod(t time.Time, p engine.Period) string {
	switch {
	case p == engine.PeriodMonth && t.Month() == time.January:
		return t.Format("2006")
	case p == engine.PeriodQuarter && t.Month() == time.January:
		return "Q1'" + t.Format("06")
	}
	return shortPeriod(t, p)
}
