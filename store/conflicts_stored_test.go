package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"ferry/models"
)

// Stored conflicts read back as they were written, in the order detection lists them
// (start, kind, key), whatever their text holds.
func TestStoredConflictsReadBackWhole(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	at := func(h int) time.Time { return time.Date(2026, 12, 1, h, 0, 0, 0, time.UTC) }
	cs := []models.Conflict{
		{Key: "window:7", Kind: models.ConflictMaintenance, Environment: "production", Start: at(9), End: at(10),
			IDs: []int64{7}, Message: "#7 is outside the maintenance window \"weekend night\"\x1ebroken, 1/2"},
		{Key: "capacity:3,4", Kind: models.ConflictCapacity, Environment: "staging", Start: at(8), End: at(9),
			IDs: []int64{3, 4}, Message: "staging takes 1 at once; 2 from 08:00"},
		{Key: "person:5,6:raj", Kind: models.ConflictPerson, Person: "raj", Start: at(8), End: at(9),
			IDs: []int64{5, 6}, Message: "raj is on #5 and #6 at once"},
	}
	if err := s.Write(ctx, func(q Q) error { return q.ReplaceConflicts(ctx, "basis", cs) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.Read().StoredConflicts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []models.Conflict{cs[1], cs[2], cs[0]}
	want[2].Message = "#7 is outside the maintenance window \"weekend night\" broken, 1/2" // a record separator is no text
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, want)
	}
	// Their heads are the same conflicts in the same order, without their words.
	heads, err := s.Read().StoredConflictHeads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		want[i].Environment, want[i].Person, want[i].Message = "", "", ""
	}
	if !reflect.DeepEqual(heads, want) {
		t.Fatalf("heads read back\n%+v\nwant\n%+v", heads, want)
	}
}
