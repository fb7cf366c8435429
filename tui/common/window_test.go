package common_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the daylight-saving cases run without a system zoneinfo database

	"ferry/tui/common"
	"ferry/tui/internal/tuitest"
)

// A window across the March change in Europe/Berlin names its zone at both ends in
// every form the console writes windows in: the start is CET, the end CEST. Without
// it the console wrote "Sat 27 Mar 22:00 – Sun 28 Mar 04:00" (no zone) or "… – Sun
// 28 Mar 04:00 CEST" (the start read as CEST). Windows within one offset read as
// they did. A day with its month has its year when it is not this year (November
// 2026 here), in every form: the deployment's page wrote it always, the others never.
func TestWindowAcrossTheMarchChangeNamesBothZones(t *testing.T) {
	t.Parallel()
	c := tuitest.Org(t, "ana") // Europe/Berlin; the clock in November 2026
	loc := c.Eng.Location()
	if loc.String() != "Europe/Berlin" {
		t.Fatalf("the organisation's zone is %s", loc)
	}
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	across, across2 := at("2027-03-27 22:00"), at("2027-03-28 04:00") // 22:00 CET – 04:00 CEST
	within, within2 := at("2027-03-28 01:00"), at("2027-03-28 04:00") // the same day, 01:00 CET – 04:00 CEST
	plain, plain2 := at("2026-12-08 22:00"), at("2026-12-09 02:00")   // both CET
	short, short2 := at("2026-12-08 10:00"), at("2026-12-08 10:45")   // both CET, one day
	summer, summer2 := at("2027-03-28 10:00"), at("2027-03-28 10:45") // both CEST
	for _, tc := range []struct {
		name       string
		f          common.WindowForm
		start, end time.Time
		want       string
	}{
		{"console", common.WindowForm{Tight: true}, across, across2, "Sat 27 Mar 2027 22:00 CET – Sun 28 Mar 2027 04:00 CEST"},
		{"console, one day", common.WindowForm{Tight: true}, within, within2, "Sun 28 Mar 2027 01:00 CET – 04:00 CEST"},
		{"console, plain", common.WindowForm{Tight: true}, plain, plain2, "Tue 08 Dec 22:00 – Wed 09 Dec 02:00"},
		{"console, short", common.WindowForm{Tight: true}, short, short2, "Tue 08 Dec 10:00–10:45"},
		{"console, summer", common.WindowForm{Tight: true}, summer, summer2, "Sun 28 Mar 2027 10:00–10:45"},
		{"zone", common.WindowForm{Zone: true}, across, across2, "Sat 27 Mar 2027 22:00 CET – Sun 28 Mar 2027 04:00 CEST"},
		{"zone, plain", common.WindowForm{Zone: true}, plain, plain2, "Tue 08 Dec 22:00 – Wed 09 Dec 02:00 CET"},
		{"zone, short", common.WindowForm{Zone: true}, short, short2, "Tue 08 Dec 10:00 – 10:45 CET"},
		{"dashboard", common.WindowForm{Day: common.DayLayout}, across, across2, "Sat 27 22:00 CET – Sun 28 04:00 CEST"},
		{"dashboard, plain", common.WindowForm{Day: common.DayLayout}, short, short2, "Tue 08 10:00 – 10:45"},
		{"schedule", common.WindowForm{Day: common.DayLayout, Tight: true}, within, within2, "Sun 28 01:00 CET – 04:00 CEST"},
		{"schedule, plain", common.WindowForm{Day: common.DayLayout, Tight: true}, short, short2, "Tue 08 10:00–10:45"},
	} {
		if got := c.WindowAs(tc.start, tc.end, tc.f); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := c.Window(across, across2); got != "Sat 27 Mar 2027 22:00 CET – Sun 28 Mar 2027 04:00 CEST" {
		t.Errorf("Window: %q", got)
	}
}

// TestAMomentHasItsYearByRule: every screen writes a moment (a start, a finish) with
// At, the year only when it is not this year's; History wrote "Tue 08 Dec 2026
// 12:15" where the other screens wrote "Tue 08 Dec 12:15". In a column (AtIn) it
// gives up its weekday, then another year's time, never its year.
func TestAMomentHasItsYearByRule(t *testing.T) {
	t.Parallel()
	c := tuitest.Org(t, "ana") // the clock in November 2026
	loc := c.Eng.Location()
	this := time.Date(2026, 12, 8, 12, 15, 0, 0, loc)
	next := time.Date(2027, 1, 5, 9, 30, 0, 0, loc)
	last := time.Date(2025, 11, 20, 16, 0, 0, 0, loc)
	for _, tc := range []struct {
		t    time.Time
		w    int
		want string
	}{
		{this, 0, "Tue 08 Dec 12:15"},
		{next, 0, "Tue 05 Jan 2027 09:30"},
		{last, 0, "Thu 20 Nov 2025 16:00"},
		{this, 16, "Tue 08 Dec 12:15"},
		{next, 16, "05 Jan 2027"},
		{next, 17, "05 Jan 2027 09:30"},
		{this, 12, "08 Dec 12:15"},
		{last, 12, "20 Nov 2025"},
		{last, 8, "20 Nov 2025"},
		{time.Time{}, 0, "—"},
	} {
		if got := c.AtIn(tc.t, tc.w); got != tc.want {
			t.Errorf("AtIn(%s, %d) = %q, want %q", tc.t, tc.w, got, tc.want)
		}
	}
	if got := c.At(next); got != c.AtIn(next, 0) {
		t.Errorf("At = %q", got)
	}
}

// TestNearIsTheTimeAloneToday: where most moments are today (a technician's work,
// the ticks of a checklist), today's is its time alone, this month's has its day,
// further off as AtIn has it, in the column's cells.
func TestNearIsTheTimeAloneToday(t *testing.T) {
	t.Parallel()
	c := tuitest.Org(t, "tom") // Thu 26 Nov 2026 14:05
	loc := c.Eng.Location()
	for _, tc := range []struct {
		t    time.Time
		w    int
		want string
	}{
		{time.Date(2026, 11, 26, 9, 41, 0, 0, loc), 12, "09:41"},
		{time.Date(2026, 11, 25, 21, 19, 0, 0, loc), 12, "Wed 25 21:19"},
		{time.Date(2026, 11, 28, 22, 0, 0, 0, loc), 12, "Sat 28 22:00"},
		{time.Date(2026, 12, 5, 22, 0, 0, 0, loc), 12, "05 Dec 22:00"},
		{time.Date(2026, 12, 5, 22, 0, 0, 0, loc), 0, "Sat 05 Dec 22:00"},
		{time.Date(2027, 1, 9, 22, 0, 0, 0, loc), 12, "09 Jan 2027"},
		{time.Date(2027, 1, 9, 22, 0, 0, 0, loc), 0, "Sat 09 Jan 2027 22:00"},
		{time.Date(2025, 11, 26, 9, 41, 0, 0, loc), 12, "26 Nov 2025"}, // this day of the month, another year
	} {
		if got := c.Near(tc.t, tc.w); got != tc.want {
			t.Errorf("Near(%s, %d) = %q, want %q", tc.t, tc.w, got, tc.want)
		}
	}
}
