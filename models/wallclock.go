package models

import (
	"strings"
	"time"
)

// A wall-clock time in the organisation's zone names one instant, except around a
// daylight-saving change: when the clocks go forward an hour is skipped (no instant
// has it), and when they go back an hour is repeated (two instants have it). Go's
// time.Date leaves the choice to chance ("not guaranteed"; in practice the second
// for Europe/Berlin and the first for America/New_York), so Ferry decides here,
// once, for every input, window and display.

// WallTime is the instant, in UTC, at which the clocks in loc read y-mo-d h:mi
// (normalised as time.Date does: 24:00 is the next midnight). A repeated time is
// the first of the two (summer time), as iCalendar (RFC 5545) reads it. A skipped
// time does not exist: exists is false and t is the instant the clocks jump over
// it, so a span that starts or ends in the gap keeps only the part that happens.
func WallTime(y int, mo time.Month, d, h, mi int, loc *time.Location) (t time.Time, exists bool) {
	wall := time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
	t = time.Date(y, mo, d, h, mi, 0, 0, loc)
	before, after := offsetsAround(t, loc)
	if before == after {
		return t.UTC(), true
	}
	// The two readings of the wall clock with the offsets either side of the change.
	early := wall.Add(-time.Duration(max(before, after)) * time.Second)
	late := wall.Add(-time.Duration(min(before, after)) * time.Second)
	switch e, l := reads(early, loc, wall), reads(late, loc, wall); {
	case e:
		return early, true // the first, even when late reads it too
	case l:
		return late, true
	}
	return jump(early, late, loc), false
}

// offsetsAround are loc's UTC offsets, in seconds, half a day before and after t:
// they differ when t is near a change of offset.
func offsetsAround(t time.Time, loc *time.Location) (before, after int) {
	_, before = t.Add(-12 * time.Hour).In(loc).Zone()
	_, after = t.Add(12 * time.Hour).In(loc).Zone()
	return before, after
}

// reads says whether the clocks in loc read wall at instant t.
func reads(t time.Time, loc *time.Location, wall time.Time) bool {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), 0, 0, time.UTC).Equal(wall)
}

// jump is the instant in (lo, hi] at which loc's offset changes, found by halving.
func jump(lo, hi time.Time, loc *time.Location) time.Time {
	_, from := lo.In(loc).Zone()
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
		if _, o := mid.In(loc).Zone(); o == from {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi.UTC()
}

// Twin is the other instant at which the clocks in loc read what they read at t,
// when t falls in an hour the clocks repeat.
func Twin(t time.Time, loc *time.Location) (other time.Time, ok bool) {
	l := t.In(loc)
	wall := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), 0, 0, time.UTC)
	before, after := offsetsAround(t, loc)
	if before == after {
		return time.Time{}, false
	}
	_, off := l.Zone()
	for _, o := range []int{before, after} {
		c := wall.Add(-time.Duration(o) * time.Second).Add(time.Duration(l.Second()) * time.Second)
		if o != off && reads(c, loc, wall) {
			return c.UTC(), true
		}
	}
	return time.Time{}, false
}

// ParseLocal reads "YYYY-MM-DD HH:MM" as wall-clock time in loc (see WallTime); an
// hour of one digit ("9:00") and extra spaces are fine, as people type them. ok is
// false when s is not written so; exists is false when the clocks skip that time.
func ParseLocal(s string, loc *time.Location) (t time.Time, ok, exists bool) {
	// Parsed in UTC to get the fields as typed, before any zone moves them.
	w, err := time.Parse(LocalLayout, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, false, false
	}
	t, exists = WallTime(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), loc)
	return t, true, exists
}

// TwiceNote says, for a time typed as "YYYY-MM-DD HH:MM" in an hour the clocks
// repeat, which of the two Ferry took and how to give the other; "" otherwise (an
// RFC 3339 time names its instant).
func TwiceNote(s string, loc *time.Location) string {
	t, ok, exists := ParseLocal(s, loc)
	if !ok || !exists {
		return ""
	}
	second, twice := Twin(t, loc)
	if !twice {
		return ""
	}
	first := t.In(loc)
	return first.Format(LocalLayout) + " happens twice in " + loc.String() + "; taken as " +
		first.Format("15:04 MST") + ", the first; for the second (" + second.In(loc).Format("15:04 MST") +
		") write " + second.In(loc).Format(time.RFC3339)
}
