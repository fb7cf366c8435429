package pages

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"ferry/engine"
	"ferry/engine/schedule"
	"ferry/models"
)

// scrollingList is a page whose list scrolls: View draws, Update moves the cursor.
type scrollingList interface {
	Update(tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
}

// followsTheCursor moves the cursor down a long list on a phone without drawing
// once between the keys, as a person typing fast does: the first item in view
// must follow in Update (View only draws), the selected one (want(i) names it) must
// be in sight, and drawing twice must show the same.
func followsTheCursor(t *testing.T, p scrollingList, off func() int, n int, want func(i int) string) {
	t.Helper()
	for i := 1; i < n; i++ {
		p.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	if off() == 0 {
		t.Fatalf("the cursor is on the last of %d items, yet the first one is still the first shown", n)
	}
	first := p.View()
	if second := p.View(); second != first {
		t.Fatalf("View twice drew two screens:\n%s\n----\n%s", first, second)
	}
	got := ansi.Strip(first)
	if !strings.Contains(got, want(n-1)) || !strings.Contains(got, fmt.Sprintf("of %d ↑/↓", n)) {
		t.Fatalf("the last item should be selected and in sight, the rest counted:\n%s", got)
	}
	// And back up: the first item comes back into view as the cursor reaches it.
	for i := 1; i < n; i++ {
		p.Update(tea.KeyPressMsg{Code: tea.KeyUp})
	}
	if off() != 0 || !strings.Contains(ansi.Strip(p.View()), want(0)) {
		t.Fatalf("back on the first item, it should be the first shown (off %d):\n%s", off(), ansi.Strip(p.View()))
	}
	// A taller terminal has room for more: the resize scrolls too.
	p.SetSize(60, 200)
	if off() != 0 {
		t.Fatalf("with room for all, the first should be shown (off %d)", off())
	}
}

func TestBlockedVersionsScrollInUpdate(t *testing.T) {
	t.Parallel()
	s := NewBlocked(newTestCommon(t, "ana")).(*blockedScreen)
	s.SetSize(60, 12)
	const n = 8
	list := make([]models.BlockedVersion, n)
	for i := range list {
		list[i] = models.BlockedVersion{Component: fmt.Sprintf("comp-%d", i), Version: "1.0", Actor: "ana",
			At: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), Reason: "it corrupts the ledger on the first write after a restart"}
	}
	s.Update(blockedMsg{list: list})
	followsTheCursor(t, s, func() int { return s.items.off }, n, func(i int) string { return fmt.Sprintf("▸ comp-%d", i) })
}

func TestFreezeImpactScrollsInUpdate(t *testing.T) {
	t.Parallel()
	s := NewFreeze(newTestCommon(t, "ana")).(*freezeScreen)
	s.SetSize(60, 14)
	const n = 6
	start := time.Date(2026, 12, 20, 22, 0, 0, 0, time.UTC)
	hits := make([]engine.FreezeHit, n)
	for i := range hits {
		d := models.Deployment{ID: int64(i + 1), Component: "sso-licence", Version: "2027", Environment: "production",
			ScheduledStart: start, ScheduledEnd: start.Add(time.Hour)}
		hits[i] = engine.FreezeHit{Deployment: d, Conflict: models.Conflict{Message: `touches freeze "year end"`},
			Suggestion: schedule.Suggestion{Slots: []schedule.Slot{{Start: start.AddDate(0, 0, 14), End: start.AddDate(0, 0, 14).Add(time.Hour)}}}}
	}
	s.Update(freezeMsg{hits: hits})
	followsTheCursor(t, s, func() int { return s.items.off }, n, func(i int) string { return fmt.Sprintf("▸ #%d sso-licence", i+1) })
}

func TestImprovementRegisterScrollsInUpdate(t *testing.T) {
	t.Parallel()
	s := NewImprovements(newTestCommon(t, "ana")).(*improvementsScreen)
	s.SetSize(60, 12)
	const n = 8
	list := make([]models.Improvement, n)
	for i := range list {
		list[i] = models.Improvement{ID: int64(i + 1), Model: "standard", Status: models.ImprovementProposed,
			Title:     "the health check waits for the cache to be warm before it reports the service up",
			CreatedBy: "ana", CreatedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	}
	s.Update(improvementsMsg{list: list})
	followsTheCursor(t, s, func() int { return s.items.off }, n, func(i int) string { return fmt.Sprintf("▸ %d the health check", i+1) })
}
