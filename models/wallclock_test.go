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

// A time the clocks repeat is the first of the two, in every zone; the note names
// the second and how to write it.
func TestRepeatedHourIsTheFirst(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	newYork := mustLoad(t, "America/New_York")
	for _, c := range []struct {
		in   string
		loc  *time.Location
		want time.Time
	}{
		{"2027-10-31 02:30", berlin, utc(2027, 10, 31, 0, 30)},  // 02:30 CEST
		{"2027-10-31 02:00", berlin, utc(2027, 10, 31, 0, 0)},   // 02:00 CEST
		{"2027-10-31 03:00", berlin, utc(2027, 10, 31, 2, 0)},   // once: CET
		{"2027-10-31 01:59", berlin, utc(2027, 10, 30, 23, 59)}, // once: CEST
		{"2027-11-07 01:30", newYork, utc(2027, 11, 7, 5, 30)},  // 01:30 EDT
	} {
		got, err := ParseTimeAt(c.in, c.loc, time.Now())
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseTimeAt(%q, %s) = %v, %v; want %v", c.in, c.loc, got, err, c.want)
		}
	}
	want := "2027-10-31 02:30 happens twice in Europe/Berlin; taken as 02:30 CEST, the first; " +
		"for the second (02:30 CET) write 2027-10-31T02:30:00+01:00"
	if got := TwiceNote(" 2027-10-31  2:30 ", berlin); got != want {
		t.Errorf("TwiceNote:\n got %q\nwant %q", got, want)
	}
	second, err := ParseTimeAt("2027-10-31T02:30:00+01:00", berlin, time.Now())
	if err != nil || !second.Equal(utc(2027, 10, 31, 1, 30)) {
		t.Errorf("the second, as the note says to write it: %v, %v", second, err)
	}
	for _, quiet := range []string{"2027-10-31 03:00", "2027-10-31 01:59", "2027-03-28 02:30", "2027-10-31T02:30:00+01:00", "now", "x"} {
		if got := TwiceNote(quiet, berlin); got != "" {
			t.Errorf("TwiceNote(%q) = %q, want none", quiet, got)
		}
	}
	if other, ok := Twin(utc(2027, 10, 31, 1, 30), berlin); !ok || !other.Equal(utc(2027, 10, 31, 0, 30)) {
		t.Errorf("Twin(02:30 CET) = %v, %v; want 02:30 CEST", other, ok)
	}
	if _, ok := Twin(utc(2027, 10, 31, 2, 0), berlin); ok {
		t.Error("03:00 CET has no twin")
	}
}

// A weekly window inside the skipped hour does not happen that day; one that reaches
// into it keeps the part that happens; none ends before it starts.
func TestWeeklyWindowInSkippedHour(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	week := func(s string) Window {
		w, err := ParseWeekly(s)
		if err != nil {
			t.Fatal(err)
		}
		return Window{Weekly: w}
	}
	from, to := utc(2027, 3, 21, 0, 0), utc(2027, 4, 5, 0, 0) // the Sundays 21 Mar, 28 Mar, 4 Apr
	inside := week("Sun 02:30 - Sun 03:00").Occurrences(from, to, berlin)
	wantInside := []Interval{
		{utc(2027, 3, 21, 1, 30), utc(2027, 3, 21, 2, 0)},
		{utc(2027, 4, 4, 0, 30), utc(2027, 4, 4, 1, 0)},
	}
	if !sameIntervals(inside, wantInside) {
		t.Errorf("Sun 02:30 - Sun 03:00: %v, want %v (none on 28 March)", inside, wantInside)
	}
	// 01:00 CET to the jump at 03:00 CEST (01:00 UTC), and from the jump to 04:00 CEST.
	for s, want := range map[string]Interval{
		"Sun 01:00 - Sun 02:30": {utc(2027, 3, 28, 0, 0), utc(2027, 3, 28, 1, 0)},
		"Sun 02:30 - Sun 04:00": {utc(2027, 3, 28, 1, 0), utc(2027, 3, 28, 2, 0)},
	} {
		got := week(s).Occurrences(utc(2027, 3, 28, 0, 0), utc(2027, 3, 28, 3, 0), berlin)
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s on 28 March: %v, want %v", s, got, want)
		}
	}
	// No occurrence of any half-hour-aligned span ends before it starts, across both changes.
	for sm := 0; sm < 24*60; sm += 30 {
		for em := 0; em <= 24*60; em += 30 {
			if sm == em {
				continue
			}
			w := Window{Weekly: &WeeklySpan{time.Sunday, sm, time.Sunday, em}}
			for _, o := range w.Occurrences(utc(2027, 3, 20, 0, 0), utc(2027, 11, 8, 0, 0), berlin) {
				if !o.Start.Before(o.End) {
					t.Fatalf("%s: occurrence %v ends before it starts", w.Weekly, o)
				}
			}
		}
	}
}

func sameIntervals(a, b []Interval) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Start.Equal(b[i].Start) || !a[i].End.Equal(b[i].End) {
			return false
		}
	}
	return true
}
