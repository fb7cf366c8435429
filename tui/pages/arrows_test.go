package pages_test

import (
	"strings"
	"testing"

	"ferry/engine"
	"ferry/models"
)

// TestEmptyListsOfferNoArrows: Where's releases and blocked versions with nothing in
// them offer no ↑/↓, at 60 and at 120 columns; the full help says why. The releases
// offered "↑/k up" alone at 60 (the footer had dropped ↓), and both at 120, with no
// release to move among. A release to move among brings the two back together.
func TestEmptyListsOfferNoArrows(t *testing.T) {
	t.Parallel()
	for _, sz := range [][2]int{{60, 20}, {120, 35}} {
		m := sized(t, "ana", sz[0], sz[1])
		for _, page := range []struct{ tab, key, empty, why string }{
			{"6", "r", "No releases yet", "↑/k up — no release yet"},
			{"6", "b", "No version is blocked", "↑/k up — no version is blocked"},
			{"5", "i", "No improvements yet", ""}, // its full help, long on a phone, says why each key is off
		} {
			press(m, page.tab, page.key)
			got := screenText(m)
			if foot := lastLine(got); !strings.Contains(got, page.empty) || strings.Contains(foot, "↑") ||
				strings.Contains(foot, "↓") || !strings.Contains(foot, "esc back") {
				t.Errorf("%v %s: the footer offers the arrows on an empty list:\n%s", sz, page.key, got)
			}
			if got := fullHelp(m); page.why != "" && !strings.Contains(strings.Join(strings.Fields(got), " "), page.why) {
				t.Errorf("%v %s: the full help says why the arrows are off:\n%s", sz, page.key, got)
			}
			press(m, "esc")
		}
	}
	m := sized(t, "ana", 120, 35)
	for _, n := range []string{"winter", "spring"} {
		if _, err := m.c.Eng.CreateRelease(m.c.Ctx, m.c.Actor, engine.NewRelease{Name: n,
			Components: []models.ReleaseComponent{{Component: "payments-api", Version: "5.0.0"}}}); err != nil {
			t.Fatal(err)
		}
	}
	press(m, "6", "r")
	if foot := lastLine(screenText(m)); !strings.Contains(foot, "↑/k up") || !strings.Contains(foot, "↓/j down") {
		t.Errorf("two releases: the footer offers ↑ and ↓:\n%s", foot)
	}
}
