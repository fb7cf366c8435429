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
// they did.
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
		{"console", common.WindowForm{Tight: true}, across, across2, "Sat 27 Mar 22:00 CET – Sun 28 Mar 04:00 CEST"},
		{"console, one day", common.WindowForm{Tight: true}, within, within2, "Sun 28 Mar 01:00 CET – 04:00 CEST"},
		{"console, plain", common.WindowForm{Tight: true}, plain, plain2, "Tue 08 Dec 22:00 – Wed 09 Dec 02:00"},
		{"console, short", common.WindowForm{Tight: true}, short, short2, "Tue 08 Dec 10:00–10:45"},
		{"console, summer", common.WindowForm{Tight: true}, summer, summer2, "Sun 28 Mar 10:00–10:45"},
		{"resolve", common.WindowForm{Zone: true}, across, across2, "Sat 27 Mar 22:00 CET – Sun 28 Mar 04:00 CEST"},
		{"resolve, plain", common.WindowForm{Zone: true}, short, short2, "Tue 08 Dec 10:00 – 10:45 CET"},
		{"deployment", common.WindowForm{Day: common.DayLayout + " Jan 2006", Zone: true}, across, across2,
			"Sat 27 Mar 2027 22:00 CET – Sun 28 Mar 2027 04:00 CEST"},
		{"deployment, plain", common.WindowForm{Day: common.DayLayout + " Jan 2006", Zone: true}, plain, plain2,
			"Tue 08 Dec 2026 22:00 – Wed 09 Dec 2026 02:00 CET"},
		{"preview", common.WindowForm{Year: true, Zone: true}, across, across2, "Sat 27 Mar 2027 22:00 CET – Sun 28 Mar 2027 04:00 CEST"},
		{"preview, this year", common.WindowForm{Year: true, Zone: true}, plain, plain2, "Tue 08 Dec 22:00 – Wed 09 Dec 02:00 CET"},
		{"dashboard", common.WindowForm{Day: common.DayLayout}, across, across2, "Sat 27 22:00 CET – Sun 28 04:00 CEST"},
		{"dashboard, plain", common.WindowForm{Day: common.DayLayout}, short, short2, "Tue 08 10:00 – 10:45"},
		{"schedule", common.WindowForm{Day: common.DayLayout, Tight: true}, within, within2, "Sun 28 01:00 CET – 04:00 CEST"},
		{"schedule, plain", common.WindowForm{Day: common.DayLayout, Tight: true}, short, short2, "Tue 08 10:00–10:45"},
	} {
		if got := c.WindowAs(tc.start, tc.end, tc.f); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := c.Window(across, across2); got != "Sat 27 Mar 22:00 CET – Sun 28 Mar 04:00 CEST" {
		t.Errorf("Window: %q", got)
	}
}
