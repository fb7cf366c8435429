package pages_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"ferry/tui/common"
	"ferry/tui/pages"
)

// On a phone the edit form scrolls to its field and leaves the preview its room
// below: a start whose window has ended is refused there before anything is sent
// (the engine's rule, as at save), and the refusal is read whole.
func TestEditFormSaysAPastWindowIsRefused(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	l := runLive(t, c, 60, 20)
	l.Has("Due today")
	l.TM.Send(common.PushMsg{Page: pages.NewDetail(c, 3)}) // #3: planned, today 16:05
	l.Has("CHG-2026-0042")                                 // its record is loaded: m is on
	l.TM.Send(tea.KeyPressMsg{Code: 'm', Text: "m"})
	l.Has("┃ Start")
	for range len("2026-11-26 16:05") {
		l.Key(tea.KeyBackspace)
	}
	l.TM.Type("2026-11-26 10:00")
	l.Has("✗ Start: the window 2026-11-26 10:00 CET – 10:45")
	l.Has("planned for time still to come")
	// The last field is in view, and the preview still under it.
	for range 4 {
		l.Key(tea.KeyTab)
	}
	got := l.Has("┃ After")
	if !strings.Contains(got, "Preview") {
		t.Fatalf("the preview should stay under the form:\n%s", got)
	}
	// Saved anyway, it is refused once, not said twice; a start that does go then
	// leaves no refusal of the old one above its preview.
	l.Key(tea.KeyEnter)
	l.Has("✗ not saved, for the reason below")
	l.Has("┃ Start")
	for range len("2026-11-26 10:00") {
		l.Key(tea.KeyBackspace)
	}
	l.TM.Type("2026-11-26 18:00")
	if got := l.Has("18:00 – 18:45"); strings.Contains(got, "not saved") || strings.Contains(got, "10:00") {
		t.Fatalf("the refusal of the old start should go once a field changed:\n%s", got)
	}
}

// A duration that does not parse is said in the preview as it is typed, not only at
// enter: the preview said "as it is now" for "0m", as if nothing had been asked.
func TestEditPreviewSaysWhatDoesNotParse(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	l := runLive(t, c, 120, 35)
	l.Has("Due today")
	l.TM.Send(common.PushMsg{Page: pages.NewDetail(c, 3)})
	l.Has("CHG-2026-0042")
	l.TM.Send(tea.KeyPressMsg{Code: 'm', Text: "m"})
	l.Has("┃ Start")
	l.Key(tea.KeyTab)
	l.Has("┃ Duration")
	for range 8 {
		l.Key(tea.KeyBackspace)
	}
	l.TM.Type("0m")
	l.Has(`✗ Duration: duration "0m" must be positive`)
}
