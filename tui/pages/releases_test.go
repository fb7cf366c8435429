package pages_test

import (
	"strings"
	"testing"
	"time"

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

// TestReleasesOnAPhone: the releases page fits 60×20, each status still a word, and
// its footer keeps the way back to Where; with no release yet it says so too.
func TestReleasesOnAPhone(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	press(m, "6")
	press(m, "r")
	if got := screenText(m); !strings.Contains(got, "No releases yet") || !strings.Contains(got, "esc goes back to Where") ||
		!strings.Contains(lastLine(got), "esc back") {
		t.Fatalf("no release yet, at 60×20: the way back is not said:\n%s", got)
	}
	fits(t, m, "no releases", 60, 20)
	press(m, "esc")
	if _, err := m.c.Eng.CreateRelease(m.c.Ctx, m.c.Actor, engine.NewRelease{Name: "winter-2026", Components: []models.ReleaseComponent{
		{Component: "payments-api", Version: "5.0.0"}, {Component: "web-frontend", Version: "8.0.0"}}}); err != nil {
		t.Fatal(err)
	}
	press(m, "6")
	press(m, "r")
	load(m, m.Top().Refresh())
	fits(t, m, "releases", 60, 20)
	if got := screenText(m); !strings.Contains(got, "winter-2026") || !strings.Contains(got, "—") ||
		!strings.Contains(lastLine(got), "esc back") {
		t.Fatalf("releases at 60×20:\n%s", got)
	}
	press(m, "esc")
	if got := screenText(m); !strings.Contains(got, "‹ 6 Where ›") {
		t.Fatalf("esc on the releases should go back to Where:\n%s", got)
	}
	// A status too long for a phone's column keeps its glyph and whole words: one of
	// two parts failed in dev, both cancelled in test.
	ctx, ana := m.c.Ctx, m.c.Actor
	for _, env := range []string{"dev", "test"} {
		if _, err := m.c.Eng.PlanRelease(ctx, ana, engine.ReleasePlan{Name: "winter-2026", Environment: env, Start: now.Add(10 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	rel, err := m.c.Eng.Release(ctx, ana, "winter-2026")
	if err != nil {
		t.Fatal(err)
	}
	failed := false
	for _, d := range rel.Deployments {
		switch {
		case d.Environment == "test":
			_, err = m.c.Eng.Cancel(ctx, ana, d.ID, "postponed")
		case !failed:
			if _, err = m.c.Eng.Start(ctx, ana, d.ID, "for the test"); err == nil {
				_, err = m.c.Eng.Move(ctx, ana, d.ID, models.StatusFailed, "broke")
			}
			failed = true
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	press(m, "6", "r")
	load(m, m.Top().Refresh())
	if row := lineWith(screenText(m), "winter-2026"); !strings.Contains(row, "✗ partly ") || !strings.Contains(row, "× cancel ") {
		t.Fatalf("the release's row at 60×20: %q\n%s", row, screenText(m))
	}
	fits(t, m, "releases, partly failed and cancelled", 60, 20)
}

// An analyst pressing n on the Releases page is told the act refused is creating a
// release, not planning deployments; the engine refuses it in the same words.
func TestReleasesNewSaysWhoMayCreate(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 120, 35)
	press(m, "6", "r", "n")
	got := screenText(m)
	if !strings.Contains(got, "may not create releases") || strings.Contains(got, "may not plan") {
		t.Errorf("n should say an analyst may not create releases:\n%s", got)
	}
	_, err := m.c.Eng.CreateRelease(m.c.Ctx, m.c.Actor, engine.NewRelease{Name: "winter",
		Components: []models.ReleaseComponent{{Component: "payments-api", Version: "5.0.0"}}})
	if err == nil || !strings.Contains(err.Error(), "kim (analyst) may not create releases: analysts have read-only access") {
		t.Errorf("the engine's refusal: %v", err)
	}
}

// The release plan form's footer says ↑/↓ and ←/→ choose, as the other forms' do;
// ←/→ choose in its lists as in the History filter's choices; every environment is
// in sight, and the longer list says how many it holds.
func TestReleasePlanFormChoosesWithTheArrows(t *testing.T) {
	t.Parallel()
	for _, sz := range [][2]int{{120, 35}, {60, 20}} {
		m := sized(t, "ana", sz[0], sz[1])
		for _, n := range []string{"winter", "spring"} {
			if _, err := m.c.Eng.CreateRelease(m.c.Ctx, m.c.Actor, engine.NewRelease{Name: n,
				Components: []models.ReleaseComponent{{Component: "payments-api", Version: "5.0.0"}}}); err != nil {
				t.Fatal(err)
			}
		}
		press(m, "6", "r", "m")
		got := screenText(m)
		if !strings.Contains(got, "> spring") || sz[0] >= 100 && (!strings.Contains(got, "↑/↓ field or choice") || !strings.Contains(got, "←/→ choose")) {
			t.Errorf("%v: the form and its keys:\n%s", sz, got)
		}
		press(m, "right")
		if got := screenText(m); !strings.Contains(got, "> winter") {
			t.Errorf("%v: → should choose the next release:\n%s", sz, got)
		}
		press(m, "left")
		if got := screenText(m); !strings.Contains(got, "> spring") {
			t.Errorf("%v: ← should choose the one before:\n%s", sz, got)
		}
		press(m, "enter") // to the environments: all four, or a count of them
		got = screenText(m)
		shown := map[string]bool{}
		for _, l := range strings.Split(got, "\n") {
			shown[strings.TrimSpace(strings.TrimLeft(l, "┃ >"))] = true
		}
		all := true
		for _, env := range []string{"dev", "test", "staging", "production"} {
			all = all && shown[env]
		}
		if !all && !strings.Contains(got, "Environment  (4") {
			t.Errorf("%v: some environments out of sight without a word:\n%s", sz, got)
		}
		fits(t, m, "release plan", sz[0], sz[1])
	}
}

// TestReleasePlanOpensWhereTheReleaseGoesOn: m on a release planned in dev opens the
// form on test, the next environment of its path, and its preview plans it there;
// chosen back, dev is refused in the console's words, which say where the console
// shows the release, not the CLI's 'ferry release show'.
func TestReleasePlanOpensWhereTheReleaseGoesOn(t *testing.T) {
	t.Parallel()
	for _, sz := range [][2]int{{60, 20}, {120, 35}} {
		m := sized(t, "ana", sz[0], sz[1])
		c := m.c
		if _, err := c.Eng.CreateRelease(c.Ctx, c.Actor, engine.NewRelease{Name: "R-2026.12",
			Components: []models.ReleaseComponent{{Component: "payments-api", Version: "5.0.0"}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Eng.PlanRelease(c.Ctx, c.Actor, engine.ReleasePlan{Name: "R-2026.12", Environment: "dev",
			Start: now.Add(3 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		press(m, "6", "r", "m")
		got := screenText(m)
		flat := strings.Join(strings.Fields(got), " ")
		if !strings.Contains(got, "> test") || !strings.Contains(flat, "payments-api 5.0.0 → test") || strings.Contains(flat, "already") {
			t.Errorf("%v: the form should open on test, and preview the plan there:\n%s", sz, got)
		}
		fits(t, m, "release plan on test", sz[0], sz[1])
		press(m, "enter", "left") // to the environments; back to dev
		got = screenText(m)
		flat = previewText(got)
		if !strings.Contains(got, "> dev") || strings.Contains(got, "ferry release") || !strings.Contains(flat,
			"✗ release R-2026.12 is planned in dev already: choose another environment (Where › Releases shows it in each)") {
			t.Errorf("%v: dev is refused in the console's words:\n%s", sz, got)
		}
		fits(t, m, "release plan on dev", sz[0], sz[1])
	}
}

// previewText is the text of a form's preview, below the form or beside it: from
// its heading on, the columns from where the heading starts, in one line.
func previewText(screen string) string {
	var out []string
	col := -1
	for _, l := range strings.Split(screen, "\n") {
		r := []rune(l)
		if col < 0 {
			if i := strings.Index(l, "Preview"); i >= 0 {
				col = len([]rune(l[:i]))
			}
			continue
		}
		if col < len(r) {
			out = append(out, string(r[col:]))
		}
	}
	return strings.Join(strings.Fields(strings.Join(out, " ")), " ")
}
