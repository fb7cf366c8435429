package engine

import (
	"testing"
	"time"
)

// A planner with more conflicts than an inbox holds gets the conflictLimit that start
// soonest, in that order; the Conflicts screen and ferry conflicts have them all.
func TestInboxHoldsTheSoonestConflicts(t *testing.T) {
	f := controlsFixture(t, "2026-11-23 09:00")
	ana := f.person(t, "ana")
	start := f.local("2026-11-24 00:00")
	pairs := conflictLimit + 5
	for i := range pairs { // two plans at once in staging, which takes one: a conflict each
		at := start.Add(time.Duration(i) * 2 * time.Hour).In(f.e.Location()).Format("2006-01-02 15:04")
		f.planIn(t, "api", "staging", at)
		f.planIn(t, "web", "staging", at)
	}
	all, err := f.e.Conflicts(f.ctx, ana, ConflictFilter{OpenOnly: true})
	if err != nil || len(all) != pairs {
		t.Fatalf("%d open conflicts, want %d: %v", len(all), pairs, err)
	}
	items, err := f.e.Inbox(f.ctx, ana)
	if err != nil {
		t.Fatal(err)
	}
	var got []time.Time
	for _, it := range items {
		if it.Kind == InboxConflict {
			got = append(got, it.At)
		}
	}
	if len(got) != conflictLimit {
		t.Fatalf("%d conflict items, want the %d soonest", len(got), conflictLimit)
	}
	for i, at := range got {
		if !at.Equal(all[i].Start) {
			t.Fatalf("item %d is the conflict at %s, want the one at %s (the soonest first)", i, at, all[i].Start)
		}
	}
}
