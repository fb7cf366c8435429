package engine

import (
	"slices"
	"testing"
	"time"

	"ferry/models"
)

func timelineIDs(tl Timeline) []int64 {
	var ids []int64
	for _, d := range tl.Deployments {
		ids = append(ids, d.ID)
	}
	return ids
}

func TestTimelineHoldsWhatOverlapsTheView(t *testing.T) {
	f := newFixtureWith(t, scheduleConfig)
	ana := f.person(t, "ana")
	from, to := f.local("2026-11-23 00:00"), f.local("2026-11-30 00:00")
	// The "web" model lasts an hour by default.
	before := f.planAt(t, "db", "1", "staging", "2026-11-22 20:00", "")     // ended Sunday 21:00
	into := f.planAt(t, "api", "1", "staging", "2026-11-22 23:30", "")      // runs into Monday
	inside := f.planAt(t, "web", "1", "staging", "2026-11-25 10:00", "")    // Wednesday
	over := f.planAt(t, "api", "2", "staging", "2026-11-29 23:30", "")      // runs out of the week
	after := f.planAt(t, "web", "2", "staging", "2026-11-30 00:00", "")     // the view's end is exclusive
	backToBack := f.planAt(t, "db", "2", "staging", "2026-11-22 23:00", "") // ends exactly at from
	tl, err := f.e.Timeline(f.ctx, ana, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := timelineIDs(tl), []int64{into.ID, inside.ID, over.ID}; !slices.Equal(got, want) {
		t.Fatalf("deployments %v, want %v (not #%d, #%d, #%d)", got, want, before.ID, after.ID, backToBack.ID)
	}
	if !tl.From.Equal(from) || !tl.To.Equal(to) || tl.Truncated {
		t.Fatalf("range %v–%v truncated %v", tl.From, tl.To, tl.Truncated)
	}
	// Past deployments show too, whatever their status.
	if _, err := f.e.Cancel(f.ctx, ana, inside.ID, "not needed"); err != nil {
		t.Fatal(err)
	}
	tl, _ = f.e.Timeline(f.ctx, ana, from, to)
	if i := slices.Index(timelineIDs(tl), inside.ID); i < 0 || tl.Deployments[i].Status != models.StatusCancelled {
		t.Fatalf("a cancelled deployment should still be on the timeline: %+v", tl.Deployments)
	}
}

func TestTimelineListsWindowOccurrences(t *testing.T) {
	f := newFixtureWith(t, scheduleConfig)
	ana := f.person(t, "ana")
	type win struct{ env, kind, name, start, end string }
	got := func(from, to string) []win {
		tl, err := f.e.Timeline(f.ctx, ana, f.local(from), f.local(to))
		if err != nil {
			t.Fatal(err)
		}
		var out []win
		for _, w := range tl.Windows {
			out = append(out, win{w.Environment, w.Kind, w.Name,
				w.Start.In(f.e.Location()).Format(models.LocalLayout), w.End.In(f.e.Location()).Format(models.LocalLayout)})
		}
		return out
	}
	// The week before Christmas: the year-end freeze starts on Saturday (shown whole,
	// past the view's end) and the weekly maintenance night is in it.
	want := []win{
		{"production", "freeze", "year end", "2026-12-19 00:00", "2027-01-04 00:00"},
		{"production", "maintenance", "weekend night", "2026-12-19 22:00", "2026-12-20 04:00"},
	}
	if w := got("2026-12-14 00:00", "2026-12-21 00:00"); !slices.Equal(w, want) {
		t.Fatalf("windows %+v\nwant %+v", w, want)
	}
	// No freeze in week 48; staging declares no windows at all.
	want = []win{{"production", "maintenance", "weekend night", "2026-11-28 22:00", "2026-11-29 04:00"}}
	if w := got("2026-11-23 00:00", "2026-11-30 00:00"); !slices.Equal(w, want) {
		t.Fatalf("windows %+v\nwant %+v", w, want)
	}
	// The DST week: the Saturday night window keeps its wall-clock hours and lasts
	// seven real hours, because 02:00-03:00 happens twice.
	tl, _ := f.e.Timeline(f.ctx, ana, f.local("2026-10-19 00:00"), f.local("2026-10-26 00:00"))
	if len(tl.Windows) != 1 || tl.Windows[0].End.Sub(tl.Windows[0].Start) != 7*time.Hour {
		t.Fatalf("DST week windows: %+v", tl.Windows)
	}
	// A window that began before the view and ends in it is listed.
	if w := got("2026-11-29 00:00", "2026-11-30 00:00"); len(w) != 1 || w[0].start != "2026-11-28 22:00" {
		t.Fatalf("Sunday's windows: %+v", w)
	}
}

func TestTimelineMarksOpenConflicts(t *testing.T) {
	f := newFixtureWith(t, scheduleConfig)
	ana, tom := f.person(t, "ana"), f.person(t, "tom")
	from, to := f.local("2026-11-23 00:00"), f.local("2026-11-30 00:00")
	a := f.planAt(t, "api", "3", "staging", "2026-11-26 10:00", "sam")
	b := f.planAt(t, "db", "3", "staging", "2026-11-26 10:30", "sam") // sam twice at once
	clean := f.planAt(t, "web", "1", "staging", "2026-11-27 10:00", "tom")
	tl, err := f.e.Timeline(f.ctx, ana, from, to)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{a.ID, b.ID} {
		cs := tl.Conflicted[id]
		if len(cs) != 1 || cs[0].Kind != models.ConflictPerson || !cs[0].Involves(a.ID) || !cs[0].Involves(b.ID) {
			t.Fatalf("#%d conflicts: %+v", id, cs)
		}
	}
	if cs := tl.Conflicted[clean.ID]; len(cs) != 0 {
		t.Fatalf("#%d should be clean: %+v", clean.ID, cs)
	}
	// Overridden conflicts are no longer marked.
	if _, err := f.e.Override(f.ctx, ana, tl.Conflicted[a.ID][0].ID, "sam has a helper that day"); err != nil {
		t.Fatal(err)
	}
	tl, _ = f.e.Timeline(f.ctx, ana, from, to)
	if len(tl.Conflicted) != 0 {
		t.Fatalf("after the override: %+v", tl.Conflicted)
	}
	// A technician sees only their own work on the timeline.
	tl, err = f.e.Timeline(f.ctx, tom, from, to)
	if err != nil || !slices.Equal(timelineIDs(tl), []int64{clean.ID}) {
		t.Fatalf("tom's timeline: %v %v", timelineIDs(tl), err)
	}
}
