package pages

import (
	"strings"
	"testing"
	"time"

	"ferry/engine"
)

// volumePicture draws v in w×h as plain text.
func volumePicture(v volumeData, w, h int) string {
	var out []string
	for _, l := range drawVolume(v, w, h) {
		out = append(out, strings.TrimRight(l.head+l.bars+l.tail, " "))
	}
	return strings.Join(out, "\n")
}

// TestVolumeOnOneScale: production's few deployments look few beside dev's many:
// every band is drawn on the one scale, a round number over the busiest period,
// written on each band's axis; the month not over yet is marked.
func TestVolumeOnOneScale(t *testing.T) {
	t.Parallel()
	v := volumeData{periods: []string{"2026-10", "2026-11", "2026-12"}, labels: []string{"Oct", "Nov", "Dec"}, partial: true,
		groups: []volumeGroup{{"dev", []int64{1146, 900, 300}}, {"production", []int64{35, 0, 12}}}}
	got := volumePicture(v, 40, 7)
	want := strings.Join([]string{
		"            1,200┤▇▇▇▇ ▂▂▂▂",
		"                 │████ ████",
		" dev             │████ ████ ▆▆▆▆ 2,346",
		"            1,200┤",
		"                 │",
		" production      │▁▁▁▁      ▁▁▁▁    47",
		"                  Oct  Nov  Dec*",
	}, "\n")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// TestVolumeFitsAnyWidth: bars narrow down to a cell, then the oldest periods give
// way; no line is wider than the chart.
func TestVolumeFitsAnyWidth(t *testing.T) {
	t.Parallel()
	v := volumeData{groups: []volumeGroup{{"dev", make([]int64, 30)}, {"staging", make([]int64, 30)}}}
	for i := range 30 {
		v.periods = append(v.periods, string(rune('a'+i%26)))
		v.labels = append(v.labels, "1")
		v.groups[0].counts[i] = int64(i * 10)
		v.groups[1].counts[i] = int64(i)
	}
	for w := 30; w <= 130; w += 7 {
		for _, l := range drawVolume(v, w, 12) {
			if n := len([]rune(l.head + l.bars + l.tail)); n > w {
				t.Fatalf("w=%d: a line is %d wide: %q", w, n, l.head+l.bars+l.tail)
			}
		}
	}
}

// TestAxisRange: a percentage's axis ends at 100 and steps down by a round amount to
// take in the lowest value; a duration's starts at a round number of hours under
// the lowest and steps up past the highest.
func TestAxisRange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lo, hi, top    float64
		labels         int
		steps          []float64
		wantLo, wantHi float64
	}{
		{94.3, 97.5, 100, 2, pctSteps, 90, 100},
		{94.3, 97.5, 100, 6, pctSteps, 94, 100},
		{12, 100, 100, 2, pctSteps, 0, 100},
		{11.4, 17.9, -1, 2, hourSteps, 6, 18},
		{11.4, 17.9, -1, 6, hourSteps, 10, 22},
	} {
		lo, hi := axisRange(tc.lo, tc.hi, tc.labels, tc.steps, tc.top)
		if lo != tc.wantLo || hi != tc.wantHi {
			t.Errorf("axisRange(%v, %v, %d labels, top %v) = %v–%v, want %v–%v", tc.lo, tc.hi, tc.labels, tc.top,
				lo, hi, tc.wantLo, tc.wantHi)
		}
	}
}

// An axis over two years says which is which: a year's first month or quarter is
// labelled with the year; the rest keep their short names.
func TestVolumeAxisSaysTheYear(t *testing.T) {
	t.Parallel()
	at := func(m time.Month) time.Time { return time.Date(2026, m, 1, 0, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		t    time.Time
		p    engine.Period
		want string
	}{{at(time.January), engine.PeriodMonth, "2026"}, {at(time.February), engine.PeriodMonth, "Feb"},
		{at(time.January), engine.PeriodQuarter, "Q1'26"}, {at(time.April), engine.PeriodQuarter, "Q2"}} {
		if got := axisPeriod(c.t, c.p); got != c.want {
			t.Errorf("%s by %s: %q, want %q", c.t.Format("Jan"), c.p, got, c.want)
		}
	}
}
