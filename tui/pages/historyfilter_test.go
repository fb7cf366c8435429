package pages

import (
	"testing"

	"ferry/models"
)

// TestHistoryStatusChoicesMatchTheStatuses: every status is in some choice, and the
// presets s cycles come first.
func TestHistoryStatusChoicesMatchTheStatuses(t *testing.T) {
	t.Parallel()
	seen := map[models.Status]bool{}
	for _, c := range statusChoices {
		for _, s := range c.statuses {
			seen[s] = true
		}
	}
	if len(seen) != 9 {
		t.Fatalf("the choices cover %d statuses, want 9", len(seen))
	}
	if nextStatus("cancelled") != "" || nextStatus("rolled back") != "" || nextStatus("") != "planned" {
		t.Fatal("s cycles the presets and comes back to all")
	}
}
