package pages_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/models"
)

// TestReleasesPageAndPlanningARelease: r on Where opens the releases with their
// status per environment; m plans the selected one through a form (one after the
// other here), and the page shows it planned. The plan form offers a release too.
func TestReleasesPageAndPlanningARelease(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	if _, err := c.Eng.CreateRelease(c.Ctx, c.Actor, engine.NewRelease{Name: "winter", Components: []models.ReleaseComponent{
		{Component: "payments-api", Version: "5.0.0"}, {Component: "web-frontend", Version: "8.0.0"}}}); err != nil {
		t.Fatal(err)
	}
	l := runLive(t, c, 120, 35)
	l.Has("Last 30 days")
	l.Letter('6')
	l.Has("components ×")
	l.Letter('r')
	l.Has("winter")
	l.Has("1 release · status in each environment")
	l.Letter('m')
	l.Has("┃ Release")
	l.Has("winter  2 components")
	l.Key(tea.KeyEnter) // winter
	l.Has("┃ Environment")
	l.Key(tea.KeyEnter) // dev
	l.Has("┃ Start")
	l.Key(tea.KeyEnter) // the next full hour
	l.Has("┃ Order")
	l.Key(tea.KeyDown) // sequential
	l.Has("> one after the other")
	// The preview shows what would be planned before anything is: the second after
	// the first, in dev.
	l.Has("web-frontend 8.0.0 → dev")
	l.Has("15:45 – 16:30 CET")
	l.Key(tea.KeyEnter)
	l.Has("┃ Assignee")
	l.Key(tea.KeyEnter)
	l.Has("planned release winter → dev: #6 #7")
	l.Has("○ planned")
	// The plan form's first question offers a release.
	l.Letter('p')
	l.Has("┃ Model")
	for range c.Eng.Config().Models {
		l.Key(tea.KeyDown)
	}
	l.Has("> a release")
	l.Key(tea.KeyEnter)
	l.Has("Plan a release: one deployment per component")
	l.Quit()
	second, err := c.Eng.Deployment(c.Ctx, c.Actor, 7)
	if err != nil || second.After != 6 || second.Environment != "dev" || second.Component != "web-frontend" {
		t.Fatalf("the second waits for the first: %+v %v", second.Deployment, err)
	}
}

// TestReleasesOnAPhone: the releases page fits 60×20, each status still a word.
func TestReleasesOnAPhone(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	if _, err := m.c.Eng.CreateRelease(m.c.Ctx, m.c.Actor, engine.NewRelease{Name: "winter-2026", Components: []models.ReleaseComponent{
		{Component: "payments-api", Version: "5.0.0"}, {Component: "web-frontend", Version: "8.0.0"}}}); err != nil {
		t.Fatal(err)
	}
	press(m, "6")
	press(m, "r")
	load(m, m.Top().Refresh())
	fits(t, m, "releases", 60, 20)
	if got := screenText(m); !strings.Contains(got, "winter-2026") || !strings.Contains(got, "—") {
		t.Fatalf("releases at 60×20:\n%s", got)
	}
}

// TestCreatingAReleaseInTheConsole: n on the releases makes one through a form, as
// ferry release create does; what the engine refuses (an unknown component) is said
// in the form's words and the fields keep what was typed; its notes show with it.
func TestCreatingAReleaseInTheConsole(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	l := runLive(t, c, 120, 35)
	l.Has("Last 30 days")
	l.Letter('6')
	l.Has("components ×")
	l.Letter('r')
	l.Has("n creates one")
	l.Letter('n')
	l.Has("┃ Name")
	l.TypeText("spring")
	l.Has("spring")
	l.Key(tea.KeyEnter)
	l.Has("┃ Components")
	l.TypeText("payments-api=6.0.0, web-frontnd=9.0.0")
	l.Has("web-frontnd=9.0.0")
	l.Key(tea.KeyEnter) // the field knows the components: it refuses a typo at once
	l.Has(`✗ Component web-frontnd=9.0.0: unknown component`)
	l.Has("┃ Components")
	for range len("nd=9.0.0") {
		l.Key(tea.KeyBackspace)
	}
	l.TypeText("end=9.0.0")
	l.Has("web-frontend=9.0.0")
	l.Key(tea.KeyEnter)
	l.Has("┃ Change")
	l.TypeText("CHG\u202e7") // a bidirectional override: the engine refuses it at the save
	l.Key(tea.KeyEnter)
	l.Has("┃ Notes")
	l.TypeText("checkout rework")
	l.Has("checkout rework")
	l.Key(tea.KeyEnter)
	l.Has(`✗ not saved: change reference`)
	// The form starts again at the field the refusal is about, which keeps it until
	// the person changes something.
	if got := l.Has("┃ Change"); strings.Contains(got, "┃ Name") {
		t.Fatalf("the cursor should be on Change, not Name:\n%s", got)
	}
	l.Key(tea.KeyBackspace)
	l.Key(tea.KeyBackspace)
	l.Letter('7')
	if got := l.Has("┃ CHG7"); strings.Contains(got, "not saved") {
		t.Fatalf("the refusal should go once the field changes:\n%s", got)
	}
	for _, field := range []string{"Notes"} {
		l.Key(tea.KeyEnter)
		l.Has("┃ " + field)
	}
	l.Key(tea.KeyEnter)
	l.Has("created release spring: payments-api 6.0.0, web-frontend 9.0.0")
	l.Has("checkout rework") // the selected release's notes, below the list
	l.Quit()
	rel, err := c.Eng.Release(c.Ctx, c.Actor, "spring")
	if err != nil || len(rel.Components) != 2 || rel.Notes != "checkout rework" || rel.CreatedBy != "ana" {
		t.Fatalf("stored: %+v %v", rel.Release, err)
	}
}

// On a phone the release plan's form scrolls to the field in focus and leaves the
// rows under it to the preview: down at the last field, what would be planned (and
// its conflicts) is still in sight before the save.
func TestReleasePlanOnAPhoneKeepsItsPreview(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	if _, err := c.Eng.CreateRelease(c.Ctx, c.Actor, engine.NewRelease{Name: "winter", Components: []models.ReleaseComponent{
		{Component: "payments-api", Version: "5.0.0"}, {Component: "web-frontend", Version: "8.0.0"}}}); err != nil {
		t.Fatal(err)
	}
	l := runLive(t, c, 60, 20)
	l.Has("Due today")
	l.Letter('6')
	l.Has("components ×") // Where has loaded: r is its key
	l.Letter('r')
	l.Has("winter")
	l.Letter('m')
	l.Has("┃ Release")
	l.Has("winter  2 components") // the releases are read: the form is built with them
	for _, field := range []string{"Environment", "Start", "Order", "Assignee"} {
		l.Key(tea.KeyEnter)
		l.Has("┃ " + field)
	}
	l.Has("Preview")
	l.Has("payments-api 5.0.0 → dev")
	l.Quit()
}

// A refusal of the release plan's Start wraps between words on a phone, hanging under
// itself: huh's own wrapping broke "YYYY-" from "MM-DD HH:MM".
func TestReleasePlanStartRefusalWrapsBetweenWords(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	if _, err := c.Eng.CreateRelease(c.Ctx, c.Actor, engine.NewRelease{Name: "winter", Components: []models.ReleaseComponent{
		{Component: "payments-api", Version: "5.0.0"}}}); err != nil {
		t.Fatal(err)
	}
	l := runLive(t, c, 60, 20)
	l.Has("Due today")
	l.Letter('6')
	l.Has("components ×")
	l.Letter('r')
	l.Has("winter")
	l.Letter('m')
	l.Has("winter  1 component")
	l.Key(tea.KeyEnter)
	l.Has("┃ Environment")
	l.Key(tea.KeyEnter)
	l.Has("┃ Start")
	l.TypeText("26.11.2026")
	l.Key(tea.KeyEnter)
	screen := l.Has("is not")
	lines := strings.Split(screen, "\n")
	for i, line := range lines {
		if !strings.Contains(line, "┃ Start  ✗") {
			continue
		}
		if strings.HasSuffix(strings.TrimRight(line, " "), "-") || i+1 == len(lines) ||
			!strings.HasPrefix(lines[i+1], "┃        ") {
			t.Fatalf("the refusal should wrap between words and hang under itself:\n%s", screen)
		}
	}
	l.Quit()
}
