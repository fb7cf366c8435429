package pages_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/engine/config"
	"ferry/internal/fixture"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/internal/tuitest"
	"ferry/tui/pages"
)

// proposed puts an improvement to web-service from failed deployment #2 in the
// register, as sam (a practitioner) would, and approves it as ana when approved.
func proposed(t *testing.T, c *common.Common, title string, approved bool) models.Improvement {
	t.Helper()
	sam, _ := c.Eng.Person("sam")
	im, err := c.Eng.AddImprovement(c.Ctx, sam, engine.ImprovementRequest{Model: "web-service", Title: title, From: []int64{2}})
	if err != nil {
		t.Fatal(err)
	}
	if approved {
		ana, _ := c.Eng.Person("ana")
		if im, err = c.Eng.SetImprovement(c.Ctx, ana, im.ID, models.ImprovementApproved, "", 0); err != nil {
			t.Fatal(err)
		}
	}
	return im
}

// A practitioner who has just reviewed failed #2 proposes an improvement from its
// page (n): the form has its model and the deployment filled in; saved, the page
// lists it under the review. A manager finds it in the register (i on Reports) and
// approves it (a), with a note.
func TestProposeFromAReviewThenApprove(t *testing.T) {
	t.Parallel()
	l, c := liveDetail(t, "sam", 2, 120, 40)
	toLessons(l)
	l.TypeText("the cache was cold")
	l.Key(tea.KeyEnter)
	l.Has("reviewed #2")
	l.Has("n proposes an improvement to web-service from it")
	l.Letter('n')
	l.Has("Propose an improvement from #2 payments-api 4.11.9 → staging · failed")
	l.Key(tea.KeyEnter) // the model: #2's
	l.Has("┃ What should change")
	l.TypeText("health check waits for the cache")
	l.Key(tea.KeyEnter)
	l.Has("┃ Why")
	l.TypeText("cold cache after a deploy")
	l.Key(tea.KeyEnter)
	l.Has("┃ From")
	l.Key(tea.KeyEnter) // #2, filled in
	l.Has("┃ Owner")
	l.Key(tea.KeyEnter)
	l.Has("improvement 1 proposed for web-service: health check waits for the cache")
	l.Has("→ improvement 1 ○ proposed: health check waits for the cache")
	l.Quit()
	v, err := c.Eng.Improvement(c.Ctx, c.Actor, 1)
	if err != nil || v.Model != "web-service" || len(v.From) != 1 || v.From[0] != 2 || v.CreatedBy != "sam" ||
		len(v.History) != 1 || !strings.HasSuffix(v.History[0].Detail, ": cold cache after a deploy") {
		t.Fatalf("the proposal, from #2, with its why on the record: %+v %v", v, err)
	}

	m := New(tuitest.Session(t, c.Eng, "ana"))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	load(m, m.Top().Refresh())
	press(m, "5", "i")
	got := screenText(m)
	for _, want := range []string{"Reports › Improvements", "1 ○ proposed web-service  health check waits for the cache",
		"by sam", "from #2"} {
		if !strings.Contains(got, want) {
			t.Fatalf("the register should show %q:\n%s", want, got)
		}
	}
	press(m, "a")
	typeText(m, "worth it")
	press(m, "enter")
	if got := screenText(m); !strings.Contains(got, "✓ improvement 1 approved") || !strings.Contains(got, "◎ approved") {
		t.Fatalf("approved, the register says so:\n%s", got)
	}
	if v, _ := c.Eng.Improvement(c.Ctx, c.Actor, 1); v.Status != models.ImprovementApproved ||
		!strings.HasSuffix(v.History[len(v.History)-1].Detail, "approved: worth it") {
		t.Fatalf("approved with its note: %+v", v)
	}
}

// The keys say the engine's refusals and do nothing else: an analyst reads the
// register but proposes and moves nothing; a practitioner proposes (the register then
// selects the proposal) but does not approve.
func TestImprovementKeysSayTheEnginesRefusal(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "kim")
	proposed(t, c, "health check waits for the cache", false)
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	load(m, m.Top().Refresh())
	press(m, "5", "i")
	if got := screenText(m); !strings.Contains(got, "health check waits for the cache") {
		t.Fatalf("an analyst reads the register:\n%s", got)
	}
	press(m, "a")
	if got := screenText(m); !tuitest.Whole(got, "kim (analyst) may not change improvements: managers and practitioners do") ||
		strings.Contains(got, "note:") {
		t.Fatalf("a says why an analyst may not:\n%s", got)
	}
	press(m, "n")
	if got := screenText(m); !tuitest.Whole(got, "kim (analyst) may not propose improvements") || strings.Contains(got, "What should change") {
		t.Fatalf("n says why an analyst may not:\n%s", got)
	}

	m = New(tuitest.Session(t, c.Eng, "sam"))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	load(m, m.Top().Refresh())
	press(m, "5", "i", "a")
	if got := screenText(m); !tuitest.Whole(got, "sam (practitioner) may not set an improvement approved: only managers approve, reject and verify") ||
		strings.Contains(got, "note:") {
		t.Fatalf("a says why a practitioner may not approve:\n%s", got)
	}
	press(m, "v")
	if got := screenText(m); !tuitest.Whole(got, "may not set an improvement verified") {
		t.Fatalf("v says why a practitioner may not verify:\n%s", got)
	}
	if v, _ := c.Eng.Improvement(c.Ctx, c.Actor, 1); v.Status != models.ImprovementProposed {
		t.Fatalf("nothing moved: %+v", v)
	}

	l := runLive(t, tuitest.Session(t, c.Eng, "sam"), 120, 35)
	l.Has("Dashboard")
	l.Letter('5')
	l.Has("Reports")
	l.Letter('i')
	l.Has("▸ 1 ○ proposed")
	l.Letter('n')
	l.Has("┃ Model")
	l.Key(tea.KeyEnter) // web-service, the first model
	l.Has("┃ What should change")
	l.TypeText("roll back faster")
	for _, field := range []string{"Why", "From", "Owner"} { // none of them: saved
		l.Key(tea.KeyEnter)
		l.Has("┃ " + field)
	}
	l.Key(tea.KeyEnter)
	l.Has("▸ 2 ○ proposed web-service  roll back faster")
	l.Quit()
}

// Implemented names the model version that carries it: left empty, the engine's
// refusal names the field, whose value is then taken.
func TestImplementedAsksForItsVersion(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "sam")
	// Proposed from no deployment: v1, the model's one version, may carry it (one
	// from a failure of v1 needs a later version: the engine's rule, tested there).
	sam := c.Actor
	ana, _ := c.Eng.Person("ana")
	im, err := c.Eng.AddImprovement(c.Ctx, sam, engine.ImprovementRequest{Model: "web-service", Title: "health check waits for the cache"})
	if err == nil {
		_, err = c.Eng.SetImprovement(c.Ctx, ana, im.ID, models.ImprovementApproved, "", 0)
	}
	if err != nil {
		t.Fatal(err)
	}
	l := runLive(t, c, 120, 35)
	l.Has("Dashboard")
	l.Letter('5')
	l.Has("Reports")
	l.Letter('i')
	l.Has("◎ approved")
	l.Letter('i')
	l.Has("Improvement 1 implemented: health check waits for the cache")
	l.Has("┃ In version")
	l.Key(tea.KeyEnter)
	l.Has("┃ Note")
	l.Key(tea.KeyEnter)
	got := l.Has("✗ not saved: In version: " + engine.NeedInVersion(1, "web-service"))
	if !strings.Contains(got, "┃ In version") {
		t.Fatalf("the refusal's field has the focus:\n%s", got)
	}
	l.TypeText("1")
	l.Key(tea.KeyEnter)
	l.Has("┃ Note")
	l.Key(tea.KeyEnter)
	l.Has("improvement 1 implemented in web-service v1")
	l.Has("● implemented")
	l.Quit()
	if v, _ := c.Eng.Improvement(c.Ctx, c.Actor, 1); v.Status != models.ImprovementImplemented || v.InVersion != 1 {
		t.Fatalf("implemented in v1: %+v", v)
	}
}

// On a phone the register, an improvement's page and the propose form fit the
// screen, and what should change is read whole, wrapped.
func TestImprovementsOnAPhone(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	title := "the health check waits for the cache to be warm before it calls the deployment a failure"
	proposed(t, c, title, false)
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	load(m, m.Top().Refresh())
	press(m, "5", "i")
	fits(t, m, "register", 60, 20)
	if got := screenText(m); !tuitest.Whole(got, title) || !strings.Contains(got, "○ proposed") || !strings.Contains(got, "from #2") {
		t.Fatalf("the register on a phone:\n%s", got)
	}
	press(m, "enter")
	fits(t, m, "improvement", 60, 20)
	if got := screenText(m); !tuitest.Whole(got, title) || !strings.Contains(got, "History") {
		t.Fatalf("the improvement on a phone:\n%s", got)
	}
	press(m, "esc", "n")
	fits(t, m, "propose", 60, 20)
	if got := screenText(m); !strings.Contains(got, "Model") || !strings.Contains(got, "Owner") {
		t.Fatalf("the whole propose form on a phone:\n%s", got)
	}
}

// The register's columns line up: the ID's digits and the status's word set the
// widths of their columns, not where the next one starts. On a phone the title has
// the line after the ID, wrapped under its first word, and its status and model go
// under it.
func TestRegisterColumnsLineUp(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	first := proposed(t, c, "health check waits for the cache", true)
	if _, err := c.Eng.SetImprovement(c.Ctx, c.Actor, first.ID, models.ImprovementInProgress, "", 0); err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= 10; i++ {
		proposed(t, c, fmt.Sprintf("T %d", i), false)
	}
	proposed(t, c, "the health check waits for the cache to be warm before it calls the deployment a failure", false)

	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	load(m, m.Top().Refresh())
	press(m, "5", "i")
	want := []string{
		"▸  1 ◐ in progress web-service  health check waits for the cache",
		"   2 ○ proposed    web-service  T 2",
		"  10 ○ proposed    web-service  T 10",
	}
	got := screenText(m)
	for _, w := range want {
		if !hasRow(got, w) {
			t.Fatalf("the register's row %q:\n%s", w, got)
		}
	}

	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	for range 10 {
		press(m, "down")
	}
	got = screenText(m)
	for _, w := range []string{
		"  10 T 10",
		"▸ 11 the health check waits for the cache to be warm before",
		"     it calls the deployment a failure",
		"     ○ proposed · web-service",
	} {
		if !hasRow(got, w) {
			t.Fatalf("on a phone, the row %q:\n%s", w, got)
		}
	}
	if !strings.Contains(trimRows(got), "web-service\n     by sam ") {
		t.Fatalf("on a phone, who proposed it goes under the status:\n%s", got)
	}
}

// On a phone the register is readable: each title has the width of the screen after
// its number, and the status, model, owner and version go on the line under it,
// then who proposed it, when and where from; a line too long is cut with …, never
// wrapped. Beside 24-cell columns a title took three lines and the facts wrapped as
// "· owner" / "sam".
func TestRegisterOnAPhoneGivesTheTitleItsLine(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	sam, _ := c.Eng.Person("sam")
	for _, title := range []string{"Smoke-test every new endpoint before traffic moves",
		"Compare staging and production configuration before the start"} {
		if _, err := c.Eng.AddImprovement(c.Ctx, sam, engine.ImprovementRequest{Model: "web-service", Title: title,
			Owner: "sam", From: []int64{2, 3, 4, 5}}); err != nil {
			t.Fatal(err)
		}
	}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	load(m, m.Top().Refresh())
	press(m, "5", "i")
	fits(t, m, "register", 60, 20)
	got := trimRows(screenText(m))
	want := `
▸ 1 Smoke-test every new endpoint before traffic moves
    ○ proposed · web-service · owner sam
    by sam Thu 26 Nov 14:05 · from #2, #3, #4, #5
  2 Compare staging and production configuration before the
    start
    ○ proposed · web-service · owner sam
    by sam Thu 26 Nov 14:05 · from #2, #3, #4, #5
`
	if !strings.Contains(got, strings.Trim(want, "\n")) {
		t.Fatalf("the register at 60 columns:\n%s\nwant\n%s", got, strings.Trim(want, "\n"))
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35}) // wide: the columns, the title beside them
	if got := screenText(m); !hasRow(got, "▸ 1 ○ proposed web-service  Smoke-test every new endpoint before traffic moves") {
		t.Fatalf("the register at 120 columns:\n%s", got)
	}
}

// hasRow reports whether a row of screen is want, but for the spaces after it.
func hasRow(screen, want string) bool {
	return slices.Contains(strings.Split(trimRows(screen), "\n"), want)
}

// trimRows is screen without the spaces that end its rows.
func trimRows(screen string) string {
	rows := strings.Split(screen, "\n")
	for i, row := range rows {
		rows[i] = strings.TrimRight(row, " ")
	}
	return strings.Join(rows, "\n")
}

// On a phone an improvement with a long history says there is more below it, and how
// much, until j has brought its end into sight; then it says what is above.
func TestImprovementPageSaysWhatIsBelow(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	im := proposed(t, c, "health check waits for the cache", false)
	for range 4 { // approved, worked on, sent back: 12 moves
		for _, to := range []models.ImprovementStatus{models.ImprovementApproved, models.ImprovementInProgress, models.ImprovementProposed} {
			if _, err := c.Eng.SetImprovement(c.Ctx, c.Actor, im.ID, to, "", 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	load(m, m.Top().Refresh())
	press(m, "5", "i", "enter")
	fits(t, m, "improvement", 60, 20)
	got := trimRows(screenText(m))
	rows := strings.Split(got, "\n")
	if note := rows[len(rows)-2]; note != " ↓ 6 more lines" {
		t.Fatalf("the page's last row says what is below it, %q:\n%s", note, got)
	}
	press(m, "j")
	if rows := strings.Split(trimRows(screenText(m)), "\n"); rows[len(rows)-2] != " ↓ 5 more lines · 1 above" {
		t.Fatalf("scrolled by one:\n%s", screenText(m))
	}
	press(m, "j", "j", "j", "j", "j")
	got = trimRows(screenText(m))
	rows = strings.Split(got, "\n")
	if note := rows[len(rows)-2]; note != " ↑ 6 more above" || !strings.Contains(rows[len(rows)-3], "proposed") {
		t.Fatalf("at its end, the last move in sight and what is above said, %q:\n%s", note, got)
	}
}

// longModelConfig is an organisation whose one model has a long name.
const longModelConfig = `
[ferry]
timezone = "UTC"

[[environment]]
name = "dev"
order = 1

[[person]]
name = "ana"
roles = ["manager"]

[[service]]
name = "shop"
  [[service.component]]
  name = "db"
  kind = "data"

[[model]]
name = "customer-data-migration-with-backfill"
kinds = ["data"]
path = ["dev"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Migrate"
  run = "true"
`

// At 60 columns a long model name goes under the title, whole; on a narrower screen
// its line is cut with …. At 120 the name is whole in its column, the title beside
// it.
func TestRegisterKeepsALongModelName(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, err := config.Parse(filepath.Join(dir, "ferry.toml"), []byte(longModelConfig))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 13, 5, 0, 0, time.UTC)
	eng := fixture.NewDB(t, filepath.Join(dir, "ferry.db")).Engine(t, cfg, engine.WithClock(func() time.Time { return at }))
	ana, _ := eng.Person("ana")
	for _, title := range []string{"the backfill runs in batches small enough to keep the replicas in step",
		"count the rows before and after"} {
		if _, err := eng.AddImprovement(context.Background(), ana, engine.ImprovementRequest{
			Model: "customer-data-migration-with-backfill", Title: title}); err != nil {
			t.Fatal(err)
		}
	}
	m := New(common.New(context.Background(), eng, ana))
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	_, cmd := m.Update(common.PushMsg{Page: pages.NewImprovements(m.c)})
	load(m, cmd)
	fits(t, m, "register", 60, 20)
	want := `
 2 improvements: 2 proposed

▸ 1 the backfill runs in batches small enough to keep the
    replicas in step
    ○ proposed · customer-data-migration-with-backfill
    by ana Thu 26 Nov 13:05
  2 count the rows before and after
    ○ proposed · customer-data-migration-with-backfill
    by ana Thu 26 Nov 13:05
`
	if got := strings.Join(strings.Split(trimRows(screenText(m)), "\n")[1:10], "\n"); got != strings.Trim(want, "\n") {
		t.Fatalf("the register at 60 columns:\n%s\nwant\n%s", got, strings.Trim(want, "\n"))
	}
	m.Update(tea.WindowSizeMsg{Width: 44, Height: 20})
	fits(t, m, "register", 44, 20)
	if got := screenText(m); !hasRow(got, "    ○ proposed · customer-data-migration-wi…") {
		t.Fatalf("the register at 44 columns:\n%s", got)
	}

	m.Update(tea.WindowSizeMsg{Width: 120, Height: 20})
	if !hasRow(screenText(m), "▸ 1 ○ proposed customer-data-migration-with-backfill  the backfill runs in batches small enough to keep the replicas in") {
		t.Fatalf("the register at 120 columns:\n%s", screenText(m))
	}
}

// On a phone the register's footer keeps the keys that move the selected improvement
// on (a approve, R reject for a proposed one, as at 120) ahead of propose and the
// arrows: it showed "esc back • enter open • n propose", and approving took ? to find.
func TestRegisterFooterKeepsTheMovesOnAPhone(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	proposed(t, c, "health check waits for the cache", false)
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	load(m, m.Top().Refresh())
	press(m, "5", "i")
	fits(t, m, "register", 60, 20)
	foot := lastLine(screenText(m))
	for _, want := range []string{"esc back", "a approve", "R reject", "? help"} {
		if !strings.Contains(foot, want) {
			t.Errorf("the register's footer at 60 lacks %q: %q", want, foot)
		}
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	foot = lastLine(screenText(m))
	for _, want := range []string{"a approve", "R reject", "enter open", "n propose"} {
		if !strings.Contains(foot, want) {
			t.Errorf("the register's footer at 120 lacks %q: %q", want, foot)
		}
	}
}

// In the register and on an improvement's page, v says at once why it may not be verified yet: its
// version's effect rests on too few finished deployments. It opened the form, and
// refused only once the note was typed and sent.
func TestVerifySaysAtOnceItIsTooSoon(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	sam, _ := c.Eng.Person("sam")
	im, err := c.Eng.AddImprovement(c.Ctx, sam, engine.ImprovementRequest{Model: "web-service", Title: "health check waits for the cache"})
	if err == nil {
		_, err = c.Eng.SetImprovement(c.Ctx, c.Actor, im.ID, models.ImprovementApproved, "", 0)
	}
	if err == nil {
		_, err = c.Eng.SetImprovement(c.Ctx, c.Actor, im.ID, models.ImprovementImplemented, "", 1)
	}
	if err != nil {
		t.Fatal(err)
	}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	load(m, m.Top().Refresh())
	press(m, "5", "i")
	load(m, m.Top().Refresh())
	tooSoon := "its effect is measured from " + fmt.Sprint(engine.VerifyMinimum) + " on"
	press(m, "v") // in the register
	if got := screenText(m); !tuitest.Whole(got, tooSoon) || strings.Contains(got, "note:") {
		t.Fatalf("v in the register should say why at once:\n%s", got)
	}
	press(m, "enter")
	load(m, m.Top().Refresh())
	press(m, "v") // on its page
	if got := screenText(m); !tuitest.Whole(got, tooSoon) || strings.Contains(got, "note:") {
		t.Fatalf("v should say why at once:\n%s", got)
	}
}
