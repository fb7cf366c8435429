package pages

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"testing"
	"time"

	"ferry/engine"
)

// A chart's time axis names periods, not dates: a month is "Jan '26" ("Jan 26" read
// as the 26th of January), a quarter "Q3 '26".
func TestTimeLabelsNamePeriods(t *testing.T) {
	at := time.Date(2026, 8, 14, 12, 0, 0, 0, time.UTC)
	for p, want := range map[engine.Period]string{engine.PeriodMonth: "Aug '26", engine.PeriodQuarter: "Q3 '26",
		engine.PeriodDay: "14 Aug", engine.PeriodWeek: "14 Aug"} {
		if got := timeLabel(at, p); got != want {
			t.Errorf("%s: %q, want %q", p, got, want)
		}
	}
}

// The trend charts label each period where its point is drawn, at even steps of
// periods counted back from the last (which is labelled), and both charts put a
// period in the same column: ntcharts labelled even steps of its axis, so months
// came unevenly spaced and December, too near the end, unlabelled.
func TestTrendLabelsSitAtTheirPoints(t *testing.T) {
	c := newTestCommon(t, "ana")
	loc := c.Eng.Location()
	const spike = 6 // July: the one month at 100%, and with the longest lead time
	for _, w := range []int{60, 120} {
		r := &reports{c: c, period: engine.PeriodMonth}
		for m := range 12 {
			from := time.Date(2026, time.Month(m+1), 1, 0, 0, 0, 0, loc)
			mt := engine.Metrics{SuccessRate: engine.Ratio{N: 90, D: 100}, Throughput: 10, LeadP50: 2 * time.Hour}
			if m == spike {
				mt.SuccessRate.N, mt.LeadP50 = 100, 20*time.Hour
			}
			r.rep.Rows = append(r.rep.Rows, engine.ReportRow{Start: from, End: from.AddDate(0, 1, 0), Metrics: mt})
		}
		lines := strings.Split(ansi.Strip(r.trends(w, 30)), "\n")
		var labels []string // the label lines under each chart's axis
		top := -1           // the column of the spike's top dot in the success chart's top line
		for i, l := range lines {
			if strings.Contains(l, "└") {
				labels = append(labels, lines[i+1])
			}
			if top < 0 && strings.HasPrefix(strings.TrimLeft(l, " "), "100│") {
				for x, r := range []rune(l) {
					if r > 0x2800 && r <= 0x28FF && (r-0x2800)&0x09 != 0 { // a braille cell with a dot in its top row
						top = x
						break
					}
				}
			}
		}
		if len(labels) != 2 || labels[0] != labels[1] {
			t.Fatalf("%d wide: both charts' labels should be in the same columns: %q", w, labels)
		}
		if at := strings.Index(labels[0], "Jul '26"); w >= 120 && at != top {
			t.Errorf("%d wide: July's label starts in column %d, its point is in %d:\n%s", w, at, top, strings.Join(lines, "\n"))
		}
		if !strings.HasSuffix(strings.TrimRight(labels[0], " "), "Dec '26") {
			t.Errorf("%d wide: the last month should be labelled: %q", w, labels[0])
		}
		// Evenly spaced: every k-th month from December, k the same throughout.
		var at []int
		for m := 11; m >= 0; m-- {
			name := time.Date(2026, time.Month(m+1), 1, 0, 0, 0, 0, loc).Format("Jan '06")
			if strings.Contains(labels[0], name) {
				at = append(at, m)
			}
		}
		for i := 1; i < len(at); i++ {
			if at[i-1]-at[i] != at[0]-at[1] {
				t.Errorf("%d wide: months labelled %v, not every k-th: %q", w, at, labels[0])
			}
		}
		if w >= 120 && len(at) != 12 {
			t.Errorf("%d wide: every month has room for its label: %q", w, labels[0])
		}
	}
}
