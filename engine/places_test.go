package engine

import (
	"errors"
	"strings"
	"testing"

	"ferry/models"
)

// A console's place is kept per person, read back as written, forgotten when empty,
// and refused (keeping the last one) when it is bigger than any place can be.
func TestPlacesAreKeptPerPerson(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	tom, sam := f.person(t, "tom"), f.person(t, "sam")
	if err := f.e.SavePlace(f.ctx, tom, `{"ID":1}`); err != nil {
		t.Fatal(err)
	}
	if err := f.e.SavePlace(f.ctx, sam, `{"ID":2}`); err != nil {
		t.Fatal(err)
	}
	if got, err := f.e.Place(f.ctx, tom); err != nil || got != `{"ID":1}` {
		t.Fatalf("tom's place: %q, %v", got, err)
	}
	err := f.e.SavePlace(f.ctx, tom, strings.Repeat("x", MaxPlace+1))
	if !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("an oversized place: %v", err)
	}
	if got, _ := f.e.Place(f.ctx, tom); got != `{"ID":1}` {
		t.Fatalf("a refused place replaced the kept one: %q", got)
	}
	if err := f.e.SavePlace(f.ctx, tom, ""); err != nil {
		t.Fatal(err)
	}
	if got, err := f.e.Place(f.ctx, tom); err != nil || got != "" {
		t.Fatalf("forgotten: %q, %v", got, err)
	}
	if got, _ := f.e.Place(f.ctx, sam); got != `{"ID":2}` {
		t.Fatalf("sam's place went with tom's: %q", got)
	}
}
