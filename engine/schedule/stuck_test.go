package schedule

import (
	"testing"
	"time"

	"ferry/models"
)

// A suggestion with no free slot names the kind of conflict every start it passed
// over was in, and none when no kind was in all of them or a slot was found.
func TestStuckNamesWhatEveryStartWasIn(t *testing.T) {
	at := time.Date(2026, 12, 8, 22, 0, 0, 0, time.UTC)
	promo := models.Conflict{Kind: models.ConflictPromotion, Message: "9.9 has not succeeded in staging"}
	maint := models.Conflict{Kind: models.ConflictMaintenance, Message: "not inside a maintenance window"}
	reason := func(c models.Conflict, n int) Reason {
		return Reason{Kind: c.Kind, Count: n, First: Skipped{at, c.Message, []models.Conflict{c}}}
	}
	stuck := Suggestion{Passed: 40, Reasons: []Reason{reason(promo, 40), reason(maint, 12)}}
	if c, ok := stuck.Stuck(); !ok || c.Kind != models.ConflictPromotion {
		t.Fatalf("every start was in the promotion conflict: %+v %v", c, ok)
	}
	// Every start outside a maintenance window and in the promotion conflict: the
	// promotion is what no move settles, whichever comes first.
	both := Suggestion{Passed: 40, Reasons: []Reason{reason(maint, 40), reason(promo, 40)}}
	if c, ok := both.Stuck(); !ok || c.Kind != models.ConflictPromotion {
		t.Fatalf("the promotion, not the maintenance window, holds every start: %+v %v", c, ok)
	}
	mixed := Suggestion{Passed: 40, Reasons: []Reason{reason(promo, 30), reason(maint, 12)}}
	if c, ok := mixed.Stuck(); ok {
		t.Fatalf("no kind was in every start: %+v", c)
	}
	stuck.Slots = []Slot{{at, at.Add(time.Hour)}}
	if _, ok := stuck.Stuck(); ok {
		t.Fatal("a slot was found: nothing is stuck")
	}
}
