package models

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Interval is a half-open span of time [Start, End).
type Interval struct {
	Start, End time.Time
}

// Overlaps reports whether two half-open intervals share any instant.
// Back-to-back intervals do not overlap.
func (i Interval) Overlaps(o Interval) bool {
	return i.Start.Before(o.End) && o.Start.Before(i.End)
}

// Window is a maintenance or freeze window: either one-off (From, To) or weekly.
type Window struct {
	Name   string
	From   time.Time // one-off start, in the organisation's zone
	To     time.Time // one-off end (exclusive)
	Weekly *WeeklySpan
}

// WeeklySpan is a recurring span such as "Sat 22:00 - Sun 04:00", read as wall-clock
// time in the organisation's zone, so it keeps its local hours across DST changes.
type WeeklySpan struct {
	StartDay time.Weekday
	StartMin int // minutes after midnight
	EndDay   time.Weekday
	EndMin   int
}

// String renders the window the way it is written in config.
func (w Window) String() string {
	if w.Weekly != nil {
		return w.Weekly.String()
	}
	return w.From.Format(LocalLayout) + " - " + w.To.Format(LocalLayout)
}

func (s WeeklySpan) String() string {
	return fmt.Sprintf("%s %02d:%02d - %s %02d:%02d",
		s.StartDay.String()[:3], s.StartMin/60, s.StartMin%60,
		s.EndDay.String()[:3], s.EndMin/60, s.EndMin%60)
}

// length is how far the end lies after the start, in days and minutes.
func (s WeeklySpan) length() (days, mins int) {
	days = (int(s.EndDay) - int(s.StartDay) + 7) % 7
	if days == 0 && s.EndMin <= s.StartMin {
		days = 7
	}
	return days, s.EndMin
}

// Occurrences returns every occurrence of the window that overlaps [from, to),
// in UTC, in start order. Every check of a window (conflicts, controls, suggestions,
// notices) and the calendar export take them from here, so all see the same ones.
func (w Window) Occurrences(from, to time.Time, loc *time.Location) []Interval {
	span := Interval{from, to}
	if w.Weekly == nil {
		iv := Interval{w.From.UTC(), w.To.UTC()}
		if iv.Overlaps(span) {
			return []Interval{iv}
		}
		return nil
	}
	var out []Interval
	days, endMin := w.Weekly.length()
	// Start a week early: an occurrence that began before from may still be running.
	day := from.In(loc).AddDate(0, 0, -8)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	for !day.After(to.In(loc)) {
		if day.Weekday() == w.Weekly.StartDay {
			y, m, d := day.Date()
			// A start or end the clocks skip is the moment they jump, so an occurrence
			// wholly inside the skipped hour is empty: that day it does not happen.
			start, _ := WallTime(y, m, d, 0, w.Weekly.StartMin, loc)
			end, _ := WallTime(y, m, d+days, 0, endMin, loc)
			iv := Interval{start, end}
			if start.Before(end) && iv.Overlaps(span) {
				out = append(out, iv)
			}
		}
		y, m, d := day.Date()
		day = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	}
	return out
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseWeekly reads "Sat 22:00 - Sun 04:00". The end may be on a later day (it wraps
// around the week); an end equal to the start is refused.
func ParseWeekly(s string) (*WeeklySpan, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return nil, Invalidf("weekly window %q: want \"Day HH:MM - Day HH:MM\", e.g. \"Sat 22:00 - Sun 04:00\"", s)
	}
	sd, sm, err := parseDayTime(a)
	if err != nil {
		return nil, Invalidf("weekly window %q: %v", s, err)
	}
	ed, em, err := parseDayTime(b)
	if err != nil {
		return nil, Invalidf("weekly window %q: %v", s, err)
	}
	if sd == ed && sm == em {
		return nil, Invalidf("weekly window %q: start and end are the same", s)
	}
	return &WeeklySpan{StartDay: sd, StartMin: sm, EndDay: ed, EndMin: em}, nil
}

func parseDayTime(s string) (time.Weekday, int, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("%q is not \"Day HH:MM\"", strings.TrimSpace(s))
	}
	name := strings.ToLower(f[0]) // may be shorter than f[0] in bytes ("ẞ" -> "ß")
	day, ok := weekdays[name[:min(3, len(name))]]
	if !ok || len(name) < 3 {
		return 0, 0, fmt.Errorf("%q is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)", f[0])
	}
	mins, err := parseClock(f[1])
	if err != nil {
		return 0, 0, err
	}
	return day, mins, nil
}

// parseClock reads "HH:MM" (00:00 to 24:00) into minutes after midnight.
func parseClock(s string) (int, error) {
	hs, ms, ok := strings.Cut(s, ":")
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if !ok || err1 != nil || err2 != nil || len(ms) != 2 || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time of day HH:MM", s)
	}
	return h*60 + m, nil
}

// LocalLayout is how Ferry writes and reads wall-clock times in the organisation's zone.
const LocalLayout = "2006-01-02 15:04"

// NowWord is what a person types for "at once" in any time flag or field.
const NowWord = "now"

// ParseTime reads "now", RFC 3339, or "YYYY-MM-DD HH:MM" in loc (see ParseLocal); the
// result is in UTC.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	return ParseTimeAt(s, loc, time.Now())
}

// ParseTimeAt is ParseTime with the clock's now, for "now".
func ParseTimeAt(s string, loc *time.Location, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	t, ok, err := parseTime(s, loc, now)
	if !ok {
		return time.Time{}, Invalidf("%q is not a time: use \"YYYY-MM-DD HH:MM\" (%s), RFC 3339 or \"now\"", s, loc)
	}
	return t, err
}

// parseTime is ParseTimeAt; ok is false when s is not written as a time at all, and
// err says why a time written right is refused.
func parseTime(s string, loc *time.Location, now time.Time) (t time.Time, ok bool, err error) {
	if strings.EqualFold(s, NowWord) {
		return now.UTC().Truncate(time.Second), true, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true, CheckYear(s, t)
	}
	t, ok, exists := ParseLocal(s, loc)
	if !ok {
		return time.Time{}, false, nil
	}
	if !exists {
		// A person who typed 02:30 on the night summer time starts meant a time that
		// does not happen: refused rather than moved.
		return time.Time{}, true, Invalidf("%q does not exist in %s (the clocks skip it)", s, loc)
	}
	return t, true, CheckYear(s, t)
}

// Times Ferry keeps are in the years MinYear to MaxYear: outside them JSON cannot
// write every time in every zone (year 10000), and the search index cannot order them.
const (
	MinYear = 1970
	MaxYear = 2200
)

// CheckYear refuses a time outside MinYear–MaxYear; typed is what the person wrote.
func CheckYear(typed string, t time.Time) error {
	if y := t.UTC().Year(); y < MinYear || y > MaxYear {
		return Invalidf("%q is outside the years %d–%d Ferry keeps", typed, MinYear, MaxYear)
	}
	return nil
}

// ZoneShifts reports whether a window's start and end are in different zone offsets
// in loc (it crosses a daylight-saving change): written there, each end names its
// zone, or a five-hour window reads as six.
func ZoneShifts(start, end time.Time, loc *time.Location) bool {
	_, a := start.In(loc).Zone()
	_, b := end.In(loc).Zone()
	return a != b
}

// EndText writes a window's end beside its start: clock alone (e.g. "15:04 MST")
// when the window ends on the day it starts (in loc), dated (e.g. "2006-01-02 15:04
// MST") when it ends on another day, so that a window of days never reads as one of
// minutes.
func EndText(start, end time.Time, loc *time.Location, clock, dated string) string {
	a, b := start.In(loc), end.In(loc)
	if a.Year() == b.Year() && a.YearDay() == b.YearDay() {
		return b.Format(clock)
	}
	return b.Format(dated)
}

// DateLayout is how Ferry writes and reads a calendar day.
const DateLayout = "2006-01-02"

// ParseDate reads a day ("YYYY-MM-DD", midnight in loc), a local time or RFC 3339.
// day says it was a whole day, so a caller may take the day's end as a bound. The
// result is in UTC.
func ParseDate(s string, loc *time.Location) (t time.Time, day bool, err error) {
	if d, err := time.ParseInLocation(DateLayout, strings.TrimSpace(s), loc); err == nil {
		return d.UTC(), true, CheckYear(strings.TrimSpace(s), d)
	}
	t, ok, err := parseTime(strings.TrimSpace(s), loc, time.Now())
	if !ok {
		return t, false, Invalidf("%q is not a date: use YYYY-MM-DD, \"YYYY-MM-DD HH:MM\" (%s) or RFC 3339", strings.TrimSpace(s), loc)
	}
	return t, false, err
}

// NextDay is the midnight (in loc) after the day t falls on, in UTC: the end of that
// day even when daylight saving makes it 23 or 25 hours long.
func NextDay(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc).UTC()
}

// ParseDays reads whole days ("3d", "90d") or a Go duration ("36h", "1d12h"). Zero
// is allowed, negative is not: where zero means nothing, the caller says why.
func ParseDays(s string) (time.Duration, error) {
	return parseNotNegative(s, `"3d", "90d", "36h"`)
}

// ParseDuration reads a Go duration such as "45m" or "4h30m", with whole days allowed
// in front ("2d", "1d4h30m"), and refuses zero or negative.
func ParseDuration(s string) (time.Duration, error) {
	d, err := parseLeadingDays(strings.TrimSpace(s))
	if err != nil {
		return 0, Invalidf("%q is not a duration (e.g. \"45m\", \"4h\", \"1h30m\", \"2d\")", s)
	}
	if d <= 0 {
		return 0, Invalidf("duration %q must be positive", s)
	}
	return d, nil
}

// MaxWindow is the longest a deployment's window may be: past it, a slip of a unit
// ("99999d") reached beyond the years Ferry keeps.
const MaxWindow = 366 * 24 * time.Hour

// CheckWindowLength refuses a deployment window shorter than a minute (windows are
// planned, shown and checked in minutes: one of seconds read "12:00 – 12:00") or
// longer than MaxWindow.
func CheckWindowLength(d time.Duration) error {
	switch {
	case d < time.Minute:
		return Invalidf("a window of %s is shorter than a minute: windows are planned in minutes", ShortDuration(d))
	case d > MaxWindow:
		return Invalidf("a window of %s is longer than a year (%s at most): split the work", ExactDuration(d), ExactDuration(MaxWindow))
	}
	return nil
}

// ParseTolerance reads a duration as ParseDuration does, but allows zero: a
// tolerance of none is a strict setting, not a mistake.
func ParseTolerance(s string) (time.Duration, error) {
	return parseNotNegative(s, `"15m", "0m", "1h30m"`)
}

// parseNotNegative reads a duration, days allowed in front, that may be zero but not
// negative; examples are shown when s is no duration at all.
func parseNotNegative(s, examples string) (time.Duration, error) {
	abs, neg := strings.CutPrefix(strings.TrimSpace(s), "-")
	d, err := parseLeadingDays(abs)
	switch {
	case err != nil || d < 0:
		return 0, Invalidf("%q is not a duration (e.g. %s)", s, examples)
	case neg && d > 0:
		return 0, Invalidf("duration %q must not be negative", s)
	}
	return d, nil
}

// parseLeadingDays is time.ParseDuration with whole days in front ("2d", "1d4h30m"), as
// durations are shown (HumanDuration) and as people write long maintenance windows.
func parseLeadingDays(s string) (time.Duration, error) {
	days, rest, ok := strings.Cut(s, "d")
	if !ok {
		return time.ParseDuration(s)
	}
	n, err := strconv.Atoi(days)
	if err != nil || n < 0 || n > 100000 {
		return 0, fmt.Errorf("bad days %q", days)
	}
	d := time.Duration(n) * 24 * time.Hour
	if rest == "" {
		return d, nil
	}
	more, err := time.ParseDuration(rest)
	if err != nil || more < 0 {
		return 0, fmt.Errorf("bad duration %q", rest)
	}
	return d + more, nil
}

// Plural is "s" unless n is one: "1 deployment", "2 deployments".
func Plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
