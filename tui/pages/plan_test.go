package pages_test

import (
	"time"

	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"ferry/tui/internal/tuitest"
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
	// With room, each model's description is whole: it is what tells them apart.
	shown := l.Has("┃ Model")
	for _, md := range c.Eng.Config().Models {
		if md.Description != "" && !strings.Contains(strings.Join(strings.Fields(shown), " "), md.Description) {
			t.Errorf("the description of %s is not whole:\n%s", md.Name, shown)
		}
	}
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
	// With room, everyone who may be assigned is in the list, not the managers alone.
	shown = l.Has("┃ Assignee")
	for _, per := range c.Eng.Assignable() {
		if !strings.Contains(shown, per.Name+" (") {
			t.Errorf("%s is not among the assignees shown:\n%s", per.Name, shown)
		}
	}
	for _, field := range []string{"Assignee", "Change", "After"} {
		screenHas("┃ " + field)
		key(tea.KeyEnter)
	}
	screenHas("planned #6 payments-api 4.12.0 → staging; in ") // its conflicts, not "left" of a new plan
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

// TestPlanFormKeepsItsPreviewTrue: a start that is not a time leaves no preview of
// the last one that was; a start years ahead shows its year and how far; a refusal
// names the field in the form's words and puts the cursor back on it.
func TestPlanFormKeepsItsPreviewTrue(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	l := runLive(t, c, 120, 35)
	key, tm := l.Key, l.TM
	l.Has("Last 30 days")
	planPaymentsAPI(l)
	l.Has("┃   staging")
	key(tea.KeyEnter) // dev
	l.Has("┃ Start")
	l.Has("15:00 – 15:45 CET") // the next full hour, previewed
	clear := func(s string) {
		for range len(s) {
			key(tea.KeyBackspace)
		}
	}
	clear("2026-11-26 15:00")
	tm.Type("2026-13-45 25:00")
	l.Has("to preview: Start:") // no preview of 15:00 any more, and why
	clear("2026-13-45 25:00")
	tm.Type("2199-06-01 10:00")
	l.Has("Sat 01 Jun 2199 10:00")
	l.Has("172 years ahead")
	clear("2199-06-01 10:00")
	tm.Type("2026-11-26 16:00")
	l.Has("16:00 – 16:45 CET")
	key(tea.KeyEnter) // start
	l.Has("┃ Duration")
	key(tea.KeyEnter)
	l.Has("┃ Assignee")
	key(tea.KeyEnter)
	l.Has("┃ Change")
	key(tea.KeyEnter)
	l.Has("┃ After")
	tm.Type("999999")
	key(tea.KeyEnter)
	l.Has("After: deployment #999999 does not exist")
	l.Has("┃ After") // back on the field it is about, not on the first page
	l.Quit()
}

// On a phone the plan form's lists say when choices are out of sight, and ←/→
// choose in them as ↑/↓ do, as in the other forms.
func TestPlanFormChoosesWithTheArrowsOnAPhone(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	l := runLive(t, c, 60, 20)
	l.Has("Due today")
	l.Letter('p')
	l.Has("┃ Model")
	l.Key(tea.KeyEnter) // web-service
	l.Has("What · web-service")
	l.Has("↑/↓ for more)") // more components than a phone's list shows
	l.Has("┃ > payments-api")
	l.Key(tea.KeyRight)
	l.Has("┃ > web-frontend")
	l.Key(tea.KeyLeft)
	l.Has("┃ > payments-api")
	l.Quit()
}

// A save refused for what the preview already says is not said twice: on a phone the
// second saying was cut to "✗ not saved: Start: the window", and the first lost its
// end to make room for it.
func TestPlanFormRefusalOnAPhoneIsReadWhole(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	l := runLive(t, c, 60, 20)
	key, tm := l.Key, l.TM
	l.Has("Due today")
	planPaymentsAPI(l)
	l.Has("┃ > dev")
	key(tea.KeyEnter)
	l.Has("┃ Start")
	for range len("2026-11-26 15:00") {
		key(tea.KeyBackspace)
	}
	tm.Type("2025-01-01 10:00")
	l.Has("ended (it is")
	for _, field := range []string{"Duration", "Assignee", "Change", "After"} {
		key(tea.KeyEnter)
		l.Has("┃ " + field)
	}
	key(tea.KeyEnter) // save: refused, back on Start
	got := l.Has("✗ not saved, for what the preview says")
	if flat := strings.Join(strings.Fields(got), " "); !strings.Contains(flat, "a deployment is planned for time still to come") {
		t.Errorf("the preview's reason should stay whole:\n%s", got)
	}
	l.Quit()
}

// planPaymentsAPI opens the plan form and fills its first page: web-service,
// payments-api 4.12.0; the environments come next.
func planPaymentsAPI(l *tuitest.Live) {
	l.Letter('p')
	l.Has("┃ Model")
	l.Key(tea.KeyEnter)
	l.Has("What · web-service")
	l.Key(tea.KeyEnter)
	l.Has("┃ Version")
	l.TM.Type("4.12.0")
	l.Has("4.12.0")
	l.Key(tea.KeyEnter)
}

// A plan for now in an environment still held by a run past its window is saved,
// then refused at its start: the preview says so before it is saved. The stored
// conflicts compare windows, and the overrunning one's has ended.
func TestPlanFormSaysAnOverrunHoldsItsStart(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	tuitest.ClockOf(t, c).Set(now.Add(4 * time.Hour)) // #1 runs in production, its window ended at 17:05
	l := runLive(t, c, 120, 35)
	key, tm := l.Key, l.TM
	l.Has("Due today")
	planPaymentsAPI(l)
	l.Has("┃   staging")
	for range 3 {
		key(tea.KeyDown)
	}
	l.Has("┃ > production")
	key(tea.KeyEnter)
	l.Has("┃ Start")
	for range len("2026-11-26 19:00") {
		key(tea.KeyBackspace)
	}
	tm.Type("now")
	got := l.Has("held at its start now")
	if flat := strings.Join(strings.Fields(got), " "); !strings.Contains(flat, "still under way: #1 (verifying") ||
		!strings.Contains(flat, "past its window Thu 26 Nov 13:05–17:05)") { // beside the form: its lines between
		t.Errorf("the preview should name what holds it:\n%s", got)
	}
	for range len("now") {
		key(tea.KeyBackspace)
	}
	tm.Type("2026-11-27 22:00")
	got = l.Has("22:00 – 22:45 CET")
	if strings.Contains(got, "held at its start") {
		t.Errorf("a plan for tomorrow is not held now:\n%s", got)
	}
	l.Quit()
}

// One esc threw away a half-filled plan: with something typed it asks first, and
// only y or a second esc leave; another key stays. A form as it opened (the model
// chosen, nothing typed) is left at once.
func TestPlanFormAsksBeforeItLosesWhatWasTyped(t *testing.T) {
	t.Parallel()
	l := runLive(t, newTestCommon(t, "ana"), 120, 35)
	l.Has("Due today")
	planPaymentsAPI(l) // the version typed
	l.Has("┃ > dev")
	l.Key(tea.KeyEscape)
	l.Has("Leave without saving?")
	l.Letter('n')
	l.Key(tea.KeyEscape)
	l.Has("Leave without saving?") // asked again: n stayed
	l.Letter('y')
	l.Has("Due today")
	l.Letter('p')
	l.Has("┃ Model")
	l.Key(tea.KeyEnter)
	l.Has("What · web-service")
	l.Key(tea.KeyEscape)
	l.Has("Due today")
	l.Quit()
}
