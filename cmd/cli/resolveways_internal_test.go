package cli

import (
	"strings"
	"testing"

	"ferry/models"
)

// The ways on offered for a plan's conflicts are those that may settle them: another
// person only for a person booked twice, an override unless only a blocked version
// is open (which only unblocking settles).
func TestResolveWaysFitTheConflicts(t *testing.T) {
	d := models.Deployment{ID: 7, Status: models.StatusPlanned, Component: "api", Version: "2.0"}
	open := func(k models.ConflictKind) models.Conflict {
		return models.Conflict{Kind: k, Status: models.ConflictOpen}
	}
	for _, tc := range []struct {
		kinds      []models.ConflictKind
		want, lack []string
	}{
		{[]models.ConflictKind{models.ConflictFreeze}, []string{"suggest 7", "override"}, []string{"assign"}},
		{[]models.ConflictKind{models.ConflictPerson, models.ConflictFreeze}, []string{"'ferry deploy assign 7 PERSON', or a manager's"}, nil},
		// No move settles a blocked version: only lifting the block does.
		{[]models.ConflictKind{models.ConflictBlocked}, []string{"Only lifting the block settles it: a manager's 'ferry version unblock api 2.0'"},
			[]string{"assign", "override", "suggest", "reschedule"}},
		{[]models.ConflictKind{models.ConflictBlocked, models.ConflictFreeze}, []string{"suggest 7", "override", "version unblock api 2.0"}, []string{"assign"}},
	} {
		var cs []models.Conflict
		for _, k := range tc.kinds {
			cs = append(cs, open(k))
		}
		got := resolveWays(cs, d)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%v: %q lacks %q", tc.kinds, got, w)
			}
		}
		for _, w := range tc.lack {
			if strings.Contains(got, w) {
				t.Errorf("%v: %q offers %q", tc.kinds, got, w)
			}
		}
	}
}
