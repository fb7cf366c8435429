package pages

import (
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
