package models

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseWeekly(t *testing.T) {
	cases := []struct {
		in   string
		want *WeeklySpan // nil: refused
		str  string      // String() of the result
	}{
		{"Sat 22:00 - Sun 04:00", &WeeklySpan{time.Saturday, 22 * 60, time.Sunday, 4 * 60}, "Sat 22:00 - Sun 04:00"},
		{"Tue 22:00 - Wed 02:00", &WeeklySpan{time.Tuesday, 22 * 60, time.Wednesday, 2 * 60}, "Tue 22:00 - Wed 02:00"},
		{"Fri 14:00 - Fri 23:59", &WeeklySpan{time.Friday, 14 * 60, time.Friday, 23*60 + 59}, "Fri 14:00 - Fri 23:59"},
		{"mon 8:05-mon 17:30", &WeeklySpan{time.Monday, 8*60 + 5, time.Monday, 17*60 + 30}, "Mon 08:05 - Mon 17:30"},
		{"  Saturday 22:00  -  Sunday 04:00 ", &WeeklySpan{time.Saturday, 22 * 60, time.Sunday, 4 * 60}, "Sat 22:00 - Sun 04:00"},
		{"Sun 00:00 - Sun 24:00", &WeeklySpan{time.Sunday, 0, time.Sunday, 24 * 60}, "Sun 00:00 - Sun 24:00"},
		{"Sat 23:00 - Sat 01:00", &WeeklySpan{time.Saturday, 23 * 60, time.Saturday, 60}, "Sat 23:00 - Sat 01:00"}, // almost a week
		{"", nil, ""},
		{"Sat 22:00", nil, ""},
		{"Sat 22:00 - Sat 22:00", nil, ""},
		{"Sat 25:00 - Sun 01:00", nil, ""},
		{"Sat 24:30 - Sun 01:00", nil, ""},
		{"Sat 22:60 - Sun 01:00", nil, ""},
		{"Sat 22:0 - Sun 01:00", nil, ""},
		{"Sat 2200 - Sun 0100", nil, ""},
		{"Sa 22:00 - Sun 01:00", nil, ""},
		{"Xyz 22:00 - Sun 01:00", nil, ""},
		{"Sat - Sun", nil, ""},
		{"Sat 22:00 - Sun 04:00 extra", nil, ""},
		{"22:00 Sat - 04:00 Sun", nil, ""},
	}
	for _, c := range cases {
		got, err := ParseWeekly(c.in)
		if c.want == nil {
			if err == nil {
				t.Errorf("ParseWeekly(%q) = %v, want an error", c.in, got)
			} else if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "weekly window") {
				t.Errorf("ParseWeekly(%q): error %q should be ErrInvalid and name the window", c.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseWeekly(%q): %v", c.in, err)
			continue
		}
		if *got != *c.want {
			t.Errorf("ParseWeekly(%q) = %+v, want %+v", c.in, *got, *c.want)
		}
		if got.String() != c.str {
			t.Errorf("ParseWeekly(%q).String() = %q, want %q", c.in, got.String(), c.str)
		}
	}
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("no zone data for %s: %v", name, err)
	}
	return loc
}

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// A weekly window keeps its wall-clock hours in the organisation's zone, so around a
// DST change it is longer or shorter in real time.
func TestOccurrencesAcrossDST(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	weekend, _ := ParseWeekly("Sat 22:00 - Sun 04:00")
	w := Window{Name: "weekend night", Weekly: weekend}
	cases := []struct {
		name       string
		from, to   time.Time
		start, end time.Time
		length     time.Duration
	}{
		{"summer time ends (Oct 25): an hour longer",
			utc(2026, 10, 23, 0, 0), utc(2026, 10, 26, 0, 0),
			utc(2026, 10, 24, 20, 0), utc(2026, 10, 25, 3, 0), 7 * time.Hour},
		{"summer time starts (Mar 29): an hour shorter",
			utc(2026, 3, 27, 0, 0), utc(2026, 3, 30, 0, 0),
			utc(2026, 3, 28, 21, 0), utc(2026, 3, 29, 2, 0), 5 * time.Hour},
		{"ordinary summer weekend",
			utc(2026, 7, 3, 0, 0), utc(2026, 7, 6, 0, 0),
			utc(2026, 7, 4, 20, 0), utc(2026, 7, 5, 2, 0), 6 * time.Hour},
		{"ordinary winter weekend",
			utc(2026, 1, 9, 0, 0), utc(2026, 1, 12, 0, 0),
			utc(2026, 1, 10, 21, 0), utc(2026, 1, 11, 3, 0), 6 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			occ := w.Occurrences(c.from, c.to, berlin)
			if len(occ) != 1 {
				t.Fatalf("got %d occurrences: %v", len(occ), occ)
			}
			o := occ[0]
			if !o.Start.Equal(c.start) || !o.End.Equal(c.end) {
				t.Errorf("occurrence %v - %v, want %v - %v", o.Start, o.End, c.start, c.end)
			}
			if got := o.End.Sub(o.Start); got != c.length {
				t.Errorf("lasts %v, want %v", got, c.length)
			}
			if o.Start.Location() != time.UTC || o.End.Location() != time.UTC {
				t.Errorf("occurrence not in UTC: %v", o)
			}
		})
	}
}

func TestOccurrencesCrossingMidnight(t *testing.T) {
	tuesday, _ := ParseWeekly("Tue 22:00 - Wed 02:00")
	w := Window{Weekly: tuesday}
	tue := utc(2026, 6, 9, 22, 0) // 2026-06-09 is a Tuesday
	wed := utc(2026, 6, 10, 2, 0)
	if tue.Weekday() != time.Tuesday {
		t.Fatalf("test date is a %v", tue.Weekday())
	}
	cases := []struct {
		name     string
		from, to time.Time
		want     []Interval
	}{
		{"the whole week", utc(2026, 6, 8, 0, 0), utc(2026, 6, 15, 0, 0), []Interval{{tue, wed}}},
		{"from after midnight, inside the window", utc(2026, 6, 10, 1, 0), utc(2026, 6, 10, 1, 30), []Interval{{tue, wed}}},
		{"from before midnight, to after", utc(2026, 6, 9, 23, 0), utc(2026, 6, 10, 0, 30), []Interval{{tue, wed}}},
		{"starting as it ends (half-open)", wed, utc(2026, 6, 10, 12, 0), nil},
		{"ending as it starts (half-open)", utc(2026, 6, 9, 12, 0), tue, nil},
		{"two weeks", utc(2026, 6, 8, 0, 0), utc(2026, 6, 22, 0, 0), []Interval{{tue, wed}, {tue.AddDate(0, 0, 7), wed.AddDate(0, 0, 7)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := w.Occurrences(c.from, c.to, time.UTC)
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if !got[i].Start.Equal(c.want[i].Start) || !got[i].End.Equal(c.want[i].End) {
					t.Errorf("occurrence %d: got %v, want %v", i, got[i], c.want[i])
				}
			}
		})
	}

	// An end day before the start day wraps around the end of the week.
	sunday, _ := ParseWeekly("Sun 22:00 - Mon 02:00")
	got := Window{Weekly: sunday}.Occurrences(utc(2026, 6, 8, 2, 0), utc(2026, 6, 15, 0, 0), time.UTC)
	if len(got) != 1 || !got[0].Start.Equal(utc(2026, 6, 14, 22, 0)) || !got[0].End.Equal(utc(2026, 6, 15, 2, 0)) {
		t.Errorf("Sun-Mon window: %v", got)
	}
	// The same day with an earlier end lasts almost a week.
	long, _ := ParseWeekly("Sat 23:00 - Sat 01:00")
	got = Window{Weekly: long}.Occurrences(utc(2026, 6, 13, 23, 0), utc(2026, 6, 13, 23, 1), time.UTC)
	if len(got) != 1 || got[0].End.Sub(got[0].Start) != 7*24*time.Hour-22*time.Hour {
		t.Errorf("Sat-Sat window: %v", got)
	}
}

func TestOccurrencesOneOff(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	w := Window{
		Name: "year end",
		From: time.Date(2026, 12, 19, 0, 0, 0, 0, berlin),
		To:   time.Date(2027, 1, 4, 0, 0, 0, 0, berlin),
	}
	got := w.Occurrences(utc(2026, 12, 1, 0, 0), utc(2027, 2, 1, 0, 0), berlin)
	if len(got) != 1 || !got[0].Start.Equal(utc(2026, 12, 18, 23, 0)) || !got[0].End.Equal(utc(2027, 1, 3, 23, 0)) {
		t.Errorf("one-off occurrence: %v", got)
	}
	if got := w.Occurrences(utc(2027, 1, 3, 23, 0), utc(2027, 1, 5, 0, 0), berlin); len(got) != 0 {
		t.Errorf("half-open end: %v", got)
	}
	if w.String() != "2026-12-19 00:00 - 2027-01-04 00:00" {
		t.Errorf("String() = %q", w.String())
	}
}

func FuzzParseWeekly(f *testing.F) {
	for _, s := range []string{
		"Sat 22:00 - Sun 04:00", "Fri 14:00 - Fri 23:59", "mon 8:05-mon 17:30", "Sun 00:00 - Sun 24:00",
		"Sat 22:00 - Sat 22:00", "Sat 25:00 - Sun 01:00", "", "-", "Sat 22:00 -", "ẞat 22:00 - Sun 01:00", "ẞ 22:00 - Sun 01:00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWeekly(s) // must not panic
		if err != nil {
			if w != nil {
				t.Fatalf("ParseWeekly(%q) returned a span with an error", s)
			}
			return
		}
		if w.StartMin < 0 || w.StartMin > 24*60 || w.EndMin < 0 || w.EndMin > 24*60 {
			t.Fatalf("ParseWeekly(%q) = %+v: minutes out of range", s, *w)
		}
		again, err := ParseWeekly(w.String())
		if err != nil {
			t.Fatalf("ParseWeekly(%q).String() = %q does not parse: %v", s, w.String(), err)
		}
		if *again != *w {
			t.Fatalf("round trip of %q: %+v became %+v", s, *w, *again)
		}
		days, _ := w.length()
		if days < 0 || days > 7 {
			t.Fatalf("ParseWeekly(%q): length of %d days", s, days)
		}
	})
}

func TestParseDate(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in   string
		want time.Time
		day  bool
	}{
		{"2026-11-26", time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC), true},
		{" 2026-07-01 ", time.Date(2026, 6, 30, 22, 0, 0, 0, time.UTC), true},
		{"2026-11-26 14:05", time.Date(2026, 11, 26, 13, 5, 0, 0, time.UTC), false},
		{"2026-11-26T14:05:00Z", time.Date(2026, 11, 26, 14, 5, 0, 0, time.UTC), false},
	}
	for _, c := range cases {
		got, day, err := ParseDate(c.in, berlin)
		if err != nil || !got.Equal(c.want) || day != c.day {
			t.Errorf("ParseDate(%q) = %v, %v, %v; want %v, %v", c.in, got, day, err, c.want, c.day)
		}
	}
	for _, bad := range []string{"", "26.11.2026", "2026-13-01", "yesterday"} {
		if _, _, err := ParseDate(bad, berlin); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "YYYY-MM-DD") {
			t.Errorf("ParseDate(%q): %v, want an invalid-date error", bad, err)
		}
	}
	// The last Sunday of October is 25 hours long in Berlin.
	day, _, _ := ParseDate("2026-10-25", berlin)
	if got, want := NextDay(day, berlin), time.Date(2026, 10, 25, 23, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("NextDay across DST = %v, want %v", got, want)
	}
}

// A deployment window is a minute to a year long.
func TestCheckWindowLength(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{time.Second, "a window of 1s is shorter than a minute"},
		{time.Minute, ""},
		{MaxWindow, ""},
		{MaxWindow + time.Hour, "a window of 366d1h is longer than a year (366d at most)"},
	} {
		err := CheckWindowLength(c.d)
		if (c.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.d, err, c.want)
		}
	}
}
