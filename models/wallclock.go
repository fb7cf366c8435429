package models

import (
	"strings"
	"time"
)

// A wall-clock time in the organisation's zone names one instant, except around a
// daylight-saving change: when the clocks go forward an hour is skipped (no instant
// has it), and when they go back an hour is repeated (two instants have it).

// WallTime is the instant, in UTC, at which the clocks in loc read y-mo-d h:mi
// (normalised as time.Date does: 24:00 is the next midnight); a repeated time is
// the one time.Date gives. A skipped time does not exist: exists is false and t is
// the instant the clocks jump over it, so a span that starts or ends in the gap
// keeps only the part that happens.
func WallTime(y int, mo time.Month, d, h, mi int, loc *time.Location) (t time.Time, exists bool) {
	wall := time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
	t = time.Date(y, mo, d, h, mi, 0, 0, loc)
	if reads(t, loc, wall) {
		return t.UTC(), true
	}
	// Skipped: the readings of the wall clock with the offsets either side of the
	// change lie on both sides of the jump.
	before, after := offsetsAround(t, loc)
	early := wall.Add(-time.Duration(max(before, after)) * time.Second)
	late := wall.Add(-time.Duration(min(before, after)) * time.Second)
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
