package pages_test

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestPlanFormPreviewsAndSaves fills the plan form through the real program loop
// (huh moves between fields asynchronously), checks the live preview, and saves.
func TestPlanFormPreviewsAndSaves(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	l := runLive(t, c, 120, 35)
	screenHas := func(want string) { t.Helper(); l.Has(want) }
	key, tm := l.Key, l.TM
	// WaitFor consumes the output, so each wait is for text that a step newly draws.
	screenHas("Last 30 days")
	tm.Send(tea.KeyPressMsg{Code: 'p', Text: "p"})
	screenHas("┃ Model")
	key(tea.KeyEnter) // web-service
	screenHas("What · web-service")
	key(tea.KeyEnter)      // payments-api
	screenHas("┃ Version") // huh moves focus asynchronously: type only once it arrived
	tm.Type("4.12.0")
	screenHas("4.12.0")
	key(tea.KeyEnter)
	screenHas("┃   staging") // the options depend on the model and arrive asynchronously
	key(tea.KeyDown)         // test
	key(tea.KeyDown)         // staging, where #3 moves 4.12.0 at 16:05
	screenHas("┃ > staging")
	key(tea.KeyEnter)
	screenHas("┃ Start")
	// The start defaults to the next full hour. A window that has ended is refused, and
	// the preview says so before anything is sent; "now" is the console's now.
	for range len("2026-11-26 15:00") {
		key(tea.KeyBackspace)
	}
	tm.Type("2026-11-26 10:00")
	screenHas("ended (it is 2026-11-26 14:05 CET now)")
	for range len("2026-11-26 10:00") {
		key(tea.KeyBackspace)
	}
	tm.Type("now")
	screenHas("14:05 – 14:50 CET")
	// Make it 16:00 and watch the preview.
	for range len("now") {
		key(tea.KeyBackspace)
	}
	tm.Type("2026-11-26 16:00")
	screenHas("16:00 – 16:45 CET")
	screenHas("✗ component") // #3 moves payments-api in staging at 16:05
	key(tea.KeyEnter)        // start
	screenHas("┃ Duration")
	key(tea.KeyEnter)
	for _, field := range []string{"Assignee", "Change", "After"} {
		screenHas("┃ " + field)
		key(tea.KeyEnter)
	}
	screenHas("planned #6 payments-api 4.12.0 → staging")
	l.Quit()
	det, err := c.Eng.Deployment(c.Ctx, c.Actor, 6)
	if err != nil || det.Environment != "staging" || det.Version != "4.12.0" {
		t.Fatalf("stored: %+v %v", det.Deployment, err)
	}
	found := false
	for _, cf := range det.Conflicts {
		found = found || (cf.Kind == "component" && cf.Involves(3))
	}
	if !found {
		t.Fatalf("the saved plan should clash with #3: %+v", det.Conflicts)
	}
}
