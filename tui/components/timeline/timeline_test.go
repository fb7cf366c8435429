package timeline

import (
	"strings"
	"testing"
	"time"

	"ferry/models"
)

func schedBerlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at is a wall-clock time in loc.
func schedAt(loc *time.Location, y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}

func schedIv(a, b time.Time) models.Interval { return models.Interval{Start: a, End: b} }

// schedSpanPicture draws the cells iv covers as '#', one '|' between segments (days).
func schedSpanPicture(g Geom, i models.Interval) string {
	x0, x1, _ := g.Span(i)
	var b strings.Builder
	for si, sg := range g.Segs {
		if si > 0 {
			b.WriteByte('|')
		}
		for x := sg.X; x < sg.X+sg.W; x++ {
			if x >= x0 && x < x1 {
				b.WriteByte('#')
			} else {
				b.WriteByte('.')
			}
		}
	}
	return b.String()
}

// A 62-cell line with three-letter names: a 5-cell label and 8 cells a day, 3h each.
func schedSmallWeek(t *testing.T, from time.Time) Geom {
	g := Layout(62, Week, from, from.Location(), 3)
	if g.Label != 5 || len(g.Segs) != 7 || g.Segs[0].W != 8 || g.Cells != 56 {
		t.Fatalf("small week: label %d, %d days of %d cells, %d cells", g.Label, len(g.Segs), g.Segs[0].W, g.Cells)
	}
	return g
}

func TestScheduleBarsInTheWeek(t *testing.T) {
	loc := schedBerlin(t)
	g := schedSmallWeek(t, schedAt(loc, 2026, 11, 23, 0, 0))
	for _, c := range []struct {
		name string
		iv   models.Interval
		want string
	}{
		{"half an hour is still a cell", schedIv(schedAt(loc, 2026, 11, 25, 10, 0), schedAt(loc, 2026, 11, 25, 10, 30)),
			"........|........|...#....|........|........|........|........"},
		{"across midnight: both days", schedIv(schedAt(loc, 2026, 11, 28, 22, 0), schedAt(loc, 2026, 11, 29, 2, 0)),
			"........|........|........|........|........|.......#|#......."},
		{"started last week, runs into this one", schedIv(schedAt(loc, 2026, 11, 22, 23, 0), schedAt(loc, 2026, 11, 23, 1, 0)),
			"#.......|........|........|........|........|........|........"},
		{"ends at midnight: not the next day", schedIv(schedAt(loc, 2026, 11, 24, 18, 0), schedAt(loc, 2026, 11, 25, 0, 0)),
			"........|......##|........|........|........|........|........"},
		{"a whole day", schedIv(schedAt(loc, 2026, 11, 26, 0, 0), schedAt(loc, 2026, 11, 27, 0, 0)),
			"........|........|........|########|........|........|........"},
		{"after the week: nothing", schedIv(schedAt(loc, 2026, 11, 30, 0, 0), schedAt(loc, 2026, 11, 30, 1, 0)),
			"........|........|........|........|........|........|........"},
	} {
		if got := schedSpanPicture(g, c.iv); got != c.want {
			t.Errorf("%s:\ngot  %s\nwant %s", c.name, got, c.want)
		}
	}
}

// The week of the autumn change: Sunday 25 Oct 2026 has 25 hours (02:00-03:00 twice).
func TestScheduleDSTWeek(t *testing.T) {
	loc := schedBerlin(t)
	from := PeriodStart(Week, schedAt(loc, 2026, 10, 22, 15, 0), loc)
	if !from.Equal(schedAt(loc, 2026, 10, 19, 0, 0)) {
		t.Fatalf("week of Thu 22 Oct starts %v", from)
	}
	next := Shift(Week, from, 1, loc)
	if !next.Equal(schedAt(loc, 2026, 10, 26, 0, 0)) || next.Sub(from) != 7*24*time.Hour+time.Hour {
		t.Fatalf("next week starts %v, %v later", next, next.Sub(from))
	}
	// Half an hour after Monday midnight belongs to the new week, not to Sunday.
	if got := PeriodStart(Week, schedAt(loc, 2026, 10, 26, 0, 30), loc); !got.Equal(next) {
		t.Fatalf("Mon 26 Oct 00:30 is in the week of %v", got)
	}
	g := schedSmallWeek(t, from)
	sun := g.Segs[6]
	if !sun.Start.Equal(schedAt(loc, 2026, 10, 25, 0, 0)) || sun.End.Sub(sun.Start) != 25*time.Hour {
		t.Fatalf("Sunday: %v for %v", sun.Start, sun.End.Sub(sun.Start))
	}
	if txt := g.Ticks(loc)[6].Text; txt != "Sun 25" {
		t.Fatalf("Sunday's label: %q", txt)
	}
	// Sunday's cells are 3h07m30s each: 02:30 after the change (01:30 UTC) is 3h30m
	// into the day, the second cell; a 24-hour day would put it in the first.
	second0230 := time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		iv   models.Interval
		want string
	}{
		{"the whole long Sunday", schedIv(schedAt(loc, 2026, 10, 25, 0, 0), next),
			"........|........|........|........|........|........|########"},
		{"02:30 the second time", schedIv(second0230, second0230.Add(time.Hour)),
			"........|........|........|........|........|........|.#......"},
		{"Sunday evening", schedIv(schedAt(loc, 2026, 10, 25, 21, 0), schedAt(loc, 2026, 10, 25, 23, 0)),
			"........|........|........|........|........|........|.......#"},
	} {
		if got := schedSpanPicture(g, c.iv); got != c.want {
			t.Errorf("%s:\ngot  %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestScheduleDayViewHours(t *testing.T) {
	loc := schedBerlin(t)
	hours := func(g Geom) string {
		line := []byte(strings.Repeat(" ", g.Cells))
		for _, tk := range g.Ticks(loc) {
			copy(line[tk.X:], tk.Text)
		}
		return string(line)
	}
	// 62 cells wide: 2 cells an hour, a label every 2 hours.
	g := Layout(62, Day, schedAt(loc, 2026, 11, 26, 0, 0), loc, 3)
	if g.CellsPerHr != 2 || g.Cells != 48 {
		t.Fatalf("day: %d cells per hour, %d cells", g.CellsPerHr, g.Cells)
	}
	if got, want := hours(g), "00  02  04  06  08  10  12  14  16  18  20  22  "; got != want {
		t.Fatalf("hours\ngot  %q\nwant %q", got, want)
	}
	// The long day: 50 cells; 02:00 comes twice, so from 04 on the labels sit two
	// cells later than on an ordinary day.
	g = Layout(62, Day, schedAt(loc, 2026, 10, 25, 0, 0), loc, 3)
	if g.Cells != 50 {
		t.Fatalf("long day: %d cells", g.Cells)
	}
	if got, want := hours(g), "00  02    04  06  08  10  12  14  16  18  20  22  "; got != want {
		t.Fatalf("long day hours\ngot  %q\nwant %q", got, want)
	}
	// The short day in spring has 23 hours and 46 cells; 02 never happens.
	g = Layout(62, Day, schedAt(loc, 2026, 3, 29, 0, 0), loc, 3)
	if got, want := hours(g), "00    04  06  08  10  12  14  16  18  20  22  "; g.Cells != 46 || got != want {
		t.Fatalf("short day: %d cells\ngot  %q\nwant %q", g.Cells, got, want)
	}
	// A deployment 15:00-15:30 is one cell, 15:00-20:00 ten.
	if x0, x1, _ := g.Span(schedIv(schedAt(loc, 2026, 3, 29, 15, 0), schedAt(loc, 2026, 3, 29, 15, 30))); x1-x0 != 1 {
		t.Fatalf("half an hour: cells %d-%d", x0, x1)
	}
	if x0, x1, _ := g.Span(schedIv(schedAt(loc, 2026, 3, 29, 15, 0), schedAt(loc, 2026, 3, 29, 20, 0))); x1-x0 != 10 {
		t.Fatalf("five hours: cells %d-%d", x0, x1)
	}
}

func TestScheduleRowShadesWindows(t *testing.T) {
	loc := schedBerlin(t)
	g := schedSmallWeek(t, schedAt(loc, 2026, 11, 23, 0, 0))
	wins := []Win{
		// a freeze from Friday afternoon into next week, a maintenance night Tue-Wed
		{Iv: schedIv(schedAt(loc, 2026, 11, 27, 14, 0), schedAt(loc, 2026, 11, 30, 8, 0)), Freeze: true, Label: "freeze"},
		{Iv: schedIv(schedAt(loc, 2026, 11, 24, 22, 0), schedAt(loc, 2026, 11, 25, 2, 0)), Label: "mw 22–02"},
		// a long maintenance window on Monday is wide enough to say so
		{Iv: schedIv(schedAt(loc, 2026, 11, 23, 0, 0), schedAt(loc, 2026, 11, 23, 21, 0)), Label: "mw 00–21"},
	}
	bars := []Bar{
		{ID: 1, Iv: schedIv(schedAt(loc, 2026, 11, 26, 9, 0), schedAt(loc, 2026, 11, 26, 11, 0)), Kind: Planned},
		{ID: 2, Iv: schedIv(schedAt(loc, 2026, 11, 27, 15, 0), schedAt(loc, 2026, 11, 27, 17, 0)), Kind: Conflict}, // in the freeze
		{ID: 3, Iv: schedIv(schedAt(loc, 2026, 11, 23, 12, 0), schedAt(loc, 2026, 11, 23, 13, 0)), Kind: Done},
	}
	nowX := g.CellAt(schedAt(loc, 2026, 11, 26, 14, 5))
	got := Plain(Row(g, bars, wins, 1, nowX))
	want := strings.Join([]string{
		"┄mw┄▒┄┄ ", // Mon: maintenance until 21:00, a finished deployment at noon
		"       ┄", // Tue from 22:00
		"┄       ", // Wed until 02:00
		"   █│   ", // Thu: the bar 09-11 and the now line at 14:05
		"    ░▓░░", // Fri: the freeze from 14:00, a deployment in it
		"░░░░free", // Sat: the freeze is named in the middle of its longest stretch
		"ze░░░░░░", // Sun
	}, "")
	if got != want {
		t.Fatalf("row\ngot  %q\nwant %q", got, want)
	}
	// Without the deployment in it, the freeze is long enough to be named.
	got = Plain(Row(g, bars[:1], wins[:1], 0, -1))
	want = strings.Repeat(" ", 24) + "   █    " + "    ░░░░" + "░░░freez" + "e░░░░░░░"
	if got != want {
		t.Fatalf("named freeze\ngot  %q\nwant %q", got, want)
	}
	// Every cell knows whether the selected deployment covers it.
	for x, c := range Row(g, bars, wins, 1, -1) {
		if c.Selected != (x == 3*8+3) {
			t.Fatalf("cell %d selected=%v", x, c.Selected)
		}
	}
}

func TestScheduleOverlapsStackOrCount(t *testing.T) {
	loc := schedBerlin(t)
	g := schedSmallWeek(t, schedAt(loc, 2026, 11, 23, 0, 0))
	thu := func(h0, h1 int) models.Interval {
		return schedIv(schedAt(loc, 2026, 11, 26, h0, 0), schedAt(loc, 2026, 11, 26, h1, 0))
	}
	bars := []Bar{
		{ID: 1, Iv: thu(9, 15), Kind: Planned},                       // cells 3-4
		{ID: 2, Iv: thu(10, 11), Kind: Conflict},                     // cell 3
		{ID: 3, Iv: thu(15, 16), Kind: Planned},                      // cell 5, right after #1
		{ID: 4, Iv: thu(19, 22), Kind: Running, Label: "api-server"}, // cells 6-7
	}
	// In one line, a run of bars that overlap or touch starts with how many it holds.
	one := Lanes(g, bars, 1)
	if len(one) != 1 {
		t.Fatalf("%d lanes", len(one))
	}
	cells := Row(g, one[0], nil, 0, -1)
	if got, want := Plain(cells), strings.Repeat(" ", 24)+"   4██▶▶"+strings.Repeat(" ", 24); got != want {
		t.Fatalf("one lane\ngot  %q\nwant %q", got, want)
	}
	if !cells[27].Conflict {
		t.Fatal("a count over a conflicting bar must say so")
	}
	// With room, bars stack into lanes, keeping a free cell between bars in a lane.
	lanes := Lanes(g, bars, 4)
	var pics []string
	for _, l := range lanes {
		pics = append(pics, string([]rune(Plain(Row(g, l, nil, 0, -1)))[24:32]))
	}
	if got, want := strings.Join(pics, "\n"), "   ██ ▶▶\n   ▓ █  "; got != want {
		t.Fatalf("lanes\ngot\n%s\nwant\n%s", got, want)
	}
	// Lanes are shared out one at a time, never more than a row needs.
	if got := Share([]int{4, 1, 3, 2}, 8); !schedEqualInts(got, []int{3, 1, 2, 2}) {
		t.Fatalf("share: %v", got)
	}
	if got := Share([]int{4, 1, 3}, 2); !schedEqualInts(got, []int{1, 1, 1}) {
		t.Fatalf("share without room: %v", got)
	}
}

// A cancelled deployment has its own glyph, lies under the live ones and is never
// counted as an overlap, nor does it push a live one into the counted lane.
func TestScheduleCancelledIsNotCounted(t *testing.T) {
	loc := schedBerlin(t)
	g := schedSmallWeek(t, schedAt(loc, 2026, 11, 23, 0, 0))
	thu := func(h0, h1 int) models.Interval {
		return schedIv(schedAt(loc, 2026, 11, 26, h0, 0), schedAt(loc, 2026, 11, 26, h1, 0))
	}
	bars := []Bar{
		{ID: 1, Iv: thu(3, 12), Kind: Cancelled}, // cells 1-3
		{ID: 2, Iv: thu(6, 9), Kind: Planned},    // cell 2
		{ID: 3, Iv: thu(9, 12), Kind: Cancelled}, // cell 3, under #1 too
		{ID: 4, Iv: thu(15, 21), Kind: Running},  // cells 5-6
	}
	one := Lanes(g, bars, 1)
	if got, want := string([]rune(Plain(Row(g, one[0], nil, 0, -1)))[24:32]), " ×█× ▶▶ "; got != want {
		t.Fatalf("one lane\ngot  %q\nwant %q", got, want)
	}
	// With two lanes the live bars take the first; the cancelled ones fill in after.
	lanes := Lanes(g, bars, 2)
	var pics []string
	for _, l := range lanes {
		pics = append(pics, string([]rune(Plain(Row(g, l, nil, 0, -1)))[24:32]))
	}
	if got, want := strings.Join(pics, "\n"), "  █  ▶▶ \n ×××    "; got != want {
		t.Fatalf("lanes\ngot\n%s\nwant\n%s", got, want)
	}
	// Selecting a cancelled deployment marks its cells, even under a live bar.
	for x, c := range Row(g, one[0], nil, 1, -1)[24:32] {
		if c.Selected != (x >= 1 && x <= 3) {
			t.Fatalf("cell %d selected=%v", x, c.Selected)
		}
	}
}

func schedEqualInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestScheduleLayoutNeverExceedsTheWidth(t *testing.T) {
	loc := schedBerlin(t)
	for _, from := range []time.Time{schedAt(loc, 2026, 10, 19, 0, 0), schedAt(loc, 2026, 3, 23, 0, 0), schedAt(loc, 2026, 11, 23, 0, 0)} {
		for w := 40; w <= 240; w++ {
			for _, nameW := range []int{3, 10, 30} {
				for _, z := range []Zoom{Week, Day} {
					day := from
					if z == Day {
						day = Shift(Day, from, 6, loc) // the Sunday, 23 or 25 hours in DST weeks
					}
					g := Layout(w, z, day, loc, nameW)
					if g.Label+g.Cells > w || g.Cells < 1 {
						t.Fatalf("w=%d %v nameW=%d: label %d + %d cells", w, z, nameW, g.Label, g.Cells)
					}
					for _, tk := range g.Ticks(loc) {
						if tk.X+len(tk.Text) > g.Cells {
							t.Fatalf("w=%d %v: tick %q at %d of %d", w, z, tk.Text, tk.X, g.Cells)
						}
					}
				}
			}
		}
	}
	// At 60 cells (a phone) "production" reads whole, and the days are still named,
	// in one form: "Mo 23". Names gave way to days of 7 and read "product…".
	for _, w := range []int{60, 61} {
		g := Layout(w, Week, schedAt(loc, 2026, 11, 23, 0, 0), loc, 10)
		if Abbrev("production", g.Label-2) != "production" {
			t.Fatalf("%d wide: label %d cuts production", w, g.Label)
		}
		var days []string
		for _, tk := range g.Ticks(loc) {
			days = append(days, tk.Text)
		}
		if got := strings.Join(days, ","); got != "Mo 23,Tu 24,We 25,Th 26,Fr 27,Sa 28,Su 29" {
			t.Fatalf("%d wide: days %q", w, got)
		}
	}
	// A week of single-digit days and of two is named in the same form, the day in
	// two digits as every screen writes it ("Tue 08", common.DayLayout).
	g := Layout(60, Week, schedAt(loc, 2026, 12, 7, 0, 0), loc, 10)
	var days []string
	for _, tk := range g.Ticks(loc) {
		days = append(days, tk.Text)
	}
	if got := strings.Join(days, ","); got != "Mo 07,Tu 08,We 09,Th 10,Fr 11,Sa 12,Su 13" {
		t.Fatalf("7-13 Dec: days %q", got)
	}
}

// TestStacksSayHowManyOnce: a busy stretch in the last lane reads as one count at
// its start (not a digit per cell that runs into a long number), a bar apart is
// no stack, and the now line crosses bars.
func TestStacksSayHowManyOnce(t *testing.T) {
	loc := schedBerlin(t)
	g := schedSmallWeek(t, schedAt(loc, 2026, 11, 23, 0, 0))
	thu := func(h0, h1 int) models.Interval {
		return schedIv(schedAt(loc, 2026, 11, 26, h0, 0), schedAt(loc, 2026, 11, 26, h1, 0))
	}
	var bars []Bar
	for i := range 12 { // twelve planned, 08:00-17:00, each overlapping the next
		bars = append(bars, Bar{ID: int64(i + 1), Iv: thu(8+i*2/3, 11+i*2/3), Kind: Planned})
	}
	bars = append(bars, Bar{ID: 20, Iv: thu(21, 24), Kind: Done})
	one := Lanes(g, bars, 1)
	row := string([]rune(Plain(Row(g, one[0], nil, 0, -1)))[24:32])
	if want := "  12██ ▒"; row != want {
		t.Fatalf("got  %q\nwant %q", row, want)
	}
	nowX := 24 + 7
	cells := Row(g, one[0], nil, 0, nowX)
	if cells[nowX].R != '│' || cells[nowX].Kind != NowLine {
		t.Fatalf("the now line should cross the done bar: %q", Plain(cells[24:32]))
	}
	// Selected, the bar under the now line stays: it may be all there is of it.
	cells = Row(g, one[0], nil, 20, nowX)
	if cells[nowX].Kind == NowLine || !cells[nowX].Selected {
		t.Fatalf("the now line should not hide the selected bar: %q", Plain(cells[24:32]))
	}
}

// TestNowLineLeavesRunsInSight: a run under way at now is drawn over the now line,
// a running glyph or, in conflict, the conflict's (it may be one cell, all there is
// of it); the line still crosses a planned or finished bar and empty cells.
func TestNowLineLeavesRunsInSight(t *testing.T) {
	loc := schedBerlin(t)
	g := schedSmallWeek(t, schedAt(loc, 2026, 11, 23, 0, 0))
	thu := func(h0, m0, h1, m1 int) models.Interval {
		return schedIv(schedAt(loc, 2026, 11, 26, h0, m0), schedAt(loc, 2026, 11, 26, h1, m1))
	}
	nowX := g.CellAt(schedAt(loc, 2026, 11, 26, 14, 5)) // Thu's cell 4, 12:00–15:00
	for _, c := range []struct {
		name string
		bars []Bar
		want string
	}{
		{"nothing", nil, "    │   "},
		{"planned", []Bar{{ID: 1, Iv: thu(13, 0, 16, 0), Kind: Planned}}, "    │█  "},
		{"done", []Bar{{ID: 1, Iv: thu(9, 0, 14, 30), Kind: Done}}, "   ▒│   "},
		{"running", []Bar{{ID: 1, Iv: thu(13, 50, 14, 50), Kind: Running}}, "    ▶   "},
		{"running, in conflict", []Bar{{ID: 1, Iv: thu(13, 0, 14, 30), Kind: Conflict, Runs: true}}, "    ▓   "},
		{"running beside planned", []Bar{{ID: 1, Iv: thu(13, 0, 14, 30), Kind: Planned},
			{ID: 2, Iv: thu(14, 0, 14, 30), Kind: Running}}, "    2   "},
	} {
		got := string([]rune(Plain(Row(g, c.bars, nil, 0, nowX)))[24:32])
		if got != c.want {
			t.Errorf("%s\ngot  %q\nwant %q", c.name, got, c.want)
		}
	}
}
