package models

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Europe/Berlin in 2027: summer time starts on 28 March (02:00 CET → 03:00 CEST, so
// 02:00–02:59 never happens) and ends on 31 October (03:00 CEST → 02:00 CET, so
// 02:00–02:59 happens twice).

// A one-digit hour and extra spaces are a time as typed, not a time the clocks skip.
func TestParseTimeAsPeopleTypeIt(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	for _, in := range []string{"2027-02-10 9:00", "2027-02-10  09:00", " 2027-02-10   9:00 ", "2027-02-10 09:00"} {
		got, err := ParseTimeAt(in, berlin, time.Now())
		if err != nil || !got.Equal(utc(2027, 2, 10, 8, 0)) {
			t.Errorf("ParseTimeAt(%q) = %v, %v; want 2027-02-10 08:00 UTC", in, got, err)
		}
	}
	if got, _, err := ParseDate("2026-12-19 0:00", berlin); err != nil || !got.Equal(utc(2026, 12, 18, 23, 0)) {
		t.Errorf("ParseDate(one-digit hour) = %v, %v", got, err)
	}
	// What is not a time says so, never that the clocks skip it.
	for _, in := range []string{"2027-02-10 9:0", "2027-02-10 09:00:00", "2027-2-10 09:00", "2027-02-10 25:00", "2027-02-10T09:00"} {
		_, err := ParseTimeAt(in, berlin, time.Now())
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "is not a time") {
			t.Errorf("ParseTimeAt(%q): %v, want \"is not a time\"", in, err)
		}
	}
	for _, in := range []string{"2027-03-28 02:30", "2027-03-28 2:00", "2027-03-28  02:59"} {
		_, err := ParseTimeAt(in, berlin, time.Now())
		if err == nil || !strings.Contains(err.Error(), "the clocks skip it") {
			t.Errorf("ParseTimeAt(%q): %v, want the clocks skip it", in, err)
		}
	}
}
