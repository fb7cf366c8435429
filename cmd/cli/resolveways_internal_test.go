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
	d := models.Deployment{ID: 7, Status: models.StatusPlanned}
	open := func(k models.ConflictKind) models.Conflict {
		return models.Conflict{Kind: k, Status: models.ConflictOpen}
	}
	for _, tc := range []struct {
		kinds      []models.ConflictKind
		want, lack []string
	}{
		{[]models.ConflictKind{models.ConflictFreeze}, []string{"suggest 7", "override"}, []string{"assign"}},
		{[]models.ConflictKind{models.ConflictPerson, models.ConflictFreeze}, []string{"'ferry deploy assign 7 PERSON', or a manager's"}, nil},
		{[]models.ConflictKind{models.ConflictBlocked}, []string{"Resolve with 'ferry deploy suggest 7' or 'ferry deploy reschedule 7 --suggested'."},
			[]string{"assign", "override"}},
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
