package pages

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
	"ferry/tui/internal/tuitest"
)

var newTestCommon = tuitest.Org

type poke = tuitest.Poke

// TestPlanFormSavesOnce: a message reaching the form after its plan was saved, and
// before it closed, does not plan the deployment again.
func TestPlanFormSavesOnce(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	p := NewPlan(c).(*planForm)
	p.modelChosen = true
	p.form.State = huh.StateCompleted // as after enter on the last field
	saved, err := c.Eng.Deployment(c.Ctx, c.Actor, 3)
	if err != nil {
		t.Fatal(err)
	}
	if cmd := p.Update(planSavedMsg{d: saved.Deployment}); cmd == nil {
		t.Fatal("a saved plan closes the form")
	}
	if cmd := p.Update(poke{}); cmd != nil || p.saving || p.err != nil {
		t.Fatalf("a message after the save must not save again (saving %v, err %v)", p.saving, p.err)
	}
}

// TestPlanPreviewShowsEveryConflictOrHowManyMore: under the form on a phone, the
// preview has the lines the form leaves; in any number of them it shows each conflict
// whole, as many as fit, and says how many more there are, never cutting one.
func TestPlanPreviewShowsEveryConflictOrHowManyMore(t *testing.T) {
	t.Parallel()
	p, cs := previewInThreeConflicts(t)
	for _, w := range []int{58, 59} { // the width the preview gets at 60 and 61 columns
		for h := 3; h <= 20; h++ {
			lines := p.previewLines(w, h)
			got := ansi.Strip(strings.Join(lines, "\n"))
			if len(lines) > h {
				t.Errorf("%d×%d: %d lines:\n%s", w, h, len(lines), got)
			}
			for _, l := range lines {
				if lipgloss.Width(l) > w {
					t.Errorf("%d×%d: %q is wider", w, h, ansi.Strip(l))
				}
			}
			shown := 0
			for _, cf := range cs {
				if tuitest.Whole(got, cf.Message) {
					shown++
				}
			}
			more := fmt.Sprintf("… %d more conflict", len(cs)-shown)
			if shown == 0 {
				more = fmt.Sprintf("✗ %d conflicts: ", len(cs))
			}
			if shown < len(cs) && !strings.Contains(got, more) || shown == len(cs) && strings.Contains(got, "more conflict") {
				t.Errorf("%d×%d: %d of %d conflicts whole, and no %q:\n%s", w, h, shown, len(cs), more, got)
			}
		}
	}
	if got := ansi.Strip(strings.Join(p.previewLines(58, 20), "\n")); strings.Contains(got, "more conflict") {
		t.Errorf("20 lines take every conflict:\n%s", got)
	}
}

// On a phone the plan form's first question lists every model on one row each, a
// description cut to the width, and no preview yet: there is nothing to preview.
func TestPhoneListsEveryModel(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	p := NewPlan(c).(*planForm)
	p.SetSize(60, 18)
	p.Refresh()
	p.Update(poke{})
	got := ansi.Strip(p.View())
	for _, m := range c.Eng.Config().Models {
		if !strings.Contains(got, m.Name+"  ") {
			t.Errorf("the model %s is not listed:\n%s", m.Name, got)
		}
	}
	if !strings.Contains(got, "a release") || strings.Contains(got, "Preview") {
		t.Errorf("a release is offered and nothing previewed:\n%s", got)
	}
	for i, l := range strings.Split(got, "\n") {
		if w := lipgloss.Width(l); w > 60 {
			t.Errorf("line %d is %d cells wide: %q", i, w, l)
		}
	}
}

// The plan form says which field a plan lacks, in the form's words: a version of
// spaces is none; an empty Start is the next hour, and "now" typed into it is now;
// a bad duration or After names its field. Saving what lacks one goes to that
// field and says why, instead of back to the first.
func TestPlanFormSaysWhatIsMissing(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	p := NewPlan(c).(*planForm)
	p.modelChosen = true
	*p.v = planValues{model: "web-service", component: "payments-api", version: "   ", env: "dev"}
	if _, err := p.request(); err == nil || err.Error() != "Version: write the version to deploy" {
		t.Fatalf("a version of spaces: %v", err)
	}
	if err := validVersion("   "); err == nil {
		t.Fatal("the Version field should refuse spaces")
	}
	p.v.version = "4.12.1"
	r, err := p.request()
	next := c.Eng.Now().Truncate(time.Hour).Add(time.Hour)
	if err != nil || !r.Start.Equal(next) {
		t.Fatalf("an empty start is the next hour (%s): %s, %v", next, r.Start, err)
	}
	p.v.start = "now"
	if r, err = p.request(); err != nil || !r.Start.Equal(c.Eng.Now()) {
		t.Fatalf("now: %s, %v", r.Start, err)
	}
	for field, v := range map[string]*string{"Duration": &p.v.duration, "After": &p.v.after} {
		*v = "banana"
		if _, err := p.request(); err == nil || !strings.HasPrefix(err.Error(), field+": ") {
			t.Errorf("%s banana: %v", field, err)
		}
		*v = ""
	}
	p.v.version = ""
	p.SetSize(120, 35)
	p.Refresh()
	p.Update(poke{})
	p.maybePreview()
	if got := ansi.Strip(p.View()); !strings.Contains(got, "to preview: Version: write the version to deploy") {
		t.Errorf("the preview should say what it lacks:\n%s", got)
	}
	p.save()
	if p.err == nil || !strings.HasPrefix(p.err.Error(), "Version:") {
		t.Errorf("saving without a version: %v", p.err)
	}
}

// Esc while a choice's options are filtered (/) ends the filter; the form, and what
// was typed in it, stays. A second esc leaves it.
func TestEscEndsAFilterNotTheForm(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	p := NewPlan(c).(*planForm)
	p.SetSize(120, 35)
	p.modelChosen = true // web-service
	p.build()
	p.Refresh()
	press := func(msgs ...tea.Msg) tea.Cmd {
		var last tea.Cmd
		for _, m := range msgs {
			last = p.Update(m)
		}
		return last
	}
	if _, ok := p.form.GetFocusedField().(*huh.Select[string]); !ok {
		t.Fatalf("the component choice should have focus: %T", p.form.GetFocusedField())
	}
	press(tea.KeyPressMsg{Code: '/', Text: "/"}, tea.KeyPressMsg{Code: 'w', Text: "w"})
	if !components.Filtering(p.form) {
		t.Fatal("/ should filter the choice")
	}
	if cmd := press(tea.KeyPressMsg{Code: tea.KeyEscape}); isBack(cmd) || components.Filtering(p.form) {
		t.Fatal("esc while filtering should end the filter and keep the form")
	}
	if cmd := p.Update(tea.KeyPressMsg{Code: tea.KeyEscape}); !isBack(cmd) {
		t.Fatal("esc, not filtering, leaves the form")
	}
}

// isBack is whether cmd leaves the page.
func isBack(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(common.BackMsg)
	return ok
}

// TestPlanPreviewSaysWhereTheVersionFailed: a plan of a version whose last deployment
// to that environment failed says so in its preview, as deploy plan notes it.
func TestPlanPreviewSaysWhereTheVersionFailed(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	// #1 is rack-b07-db-server 1 under way in production; it fails.
	if _, err := c.Eng.Fail(c.Ctx, c.Actor, 1, "the disk did not spin up", false); err != nil {
		t.Fatal(err)
	}
	p := NewPlan(c).(*planForm)
	r := engine.PlanRequest{Model: "rack-server", Component: "rack-b07-db-server", Version: "1",
		Environment: "production", Start: tuitest.Now.Add(72 * time.Hour), Assignee: "tom"}
	p.live.gen = 1
	msg := p.askPreview(planPreviewDue{gen: 1, r: r})()
	pr, ok := msg.(planPreview)
	if !ok || pr.err != nil || pr.failed == nil || pr.failed.ID != 1 {
		t.Fatalf("the preview of a plan where #1 failed: %+v", msg)
	}
	p.preview = pr
	if got := ansi.Strip(strings.Join(p.previewLines(58, 20), "\n")); !strings.Contains(got, "⚠ 1 failed in production on") {
		t.Fatalf("the preview:\n%s", got)
	}
}

// A preview's window names the year of a day not in this one, at either end: a
// 400-day duration ended "Thu 13 Jan" with no hint it was the year after next.
func TestPreviewWindowSaysTheYearOfEitherEnd(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	now := c.Eng.Now()
	start := now.Add(time.Hour)
	end := start.AddDate(1, 1, 0)
	got := ansi.Strip(previewWindow(c, start, end))
	if wantEnd := fmt.Sprint(end.In(c.Eng.Location()).Year()); !strings.Contains(got, wantEnd) {
		t.Fatalf("the end's year %s is missing: %q", wantEnd, got)
	}
	if thisYear := fmt.Sprint(now.In(c.Eng.Location()).Year()); strings.Contains(got, thisYear) {
		t.Fatalf("the start, this year, needs no year: %q", got)
	}
}

// TestPlanPreviewNamesTheKindsItHasNoRoomFor: on a phone the preview has room for no
// conflict whole; the line that counts them names their kinds, so the planner
// knows what is wrong before saving ("… 3 more conflicts" alone said nothing), and
// does not say "more" than the none shown above it.
func TestPlanPreviewNamesTheKindsItHasNoRoomFor(t *testing.T) {
	t.Parallel()
	p, cs := previewInThreeConflicts(t)
	got := ansi.Strip(strings.Join(p.previewLines(58, 3), "\n"))
	if !strings.Contains(got, fmt.Sprintf("✗ %d conflicts: %s", len(cs), common.KindWords(cs[0].Kind))) || strings.Contains(got, "more") {
		t.Fatalf("the count names the kinds of the conflicts (%s first), none shown above it:\n%s", cs[0].Kind, got)
	}
}

// previewInThreeConflicts is ana's plan form previewing a rack in production half an
// hour from now: in three conflicts or more (capacity, maintenance, person).
func previewInThreeConflicts(t *testing.T) (*planForm, []models.Conflict) {
	t.Helper()
	c := newTestCommon(t, "ana")
	r := engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server", Version: "1",
		Environment: "production", Start: tuitest.Now.Add(30 * time.Minute), Assignee: "tom"}
	d, cs, err := c.Eng.PreviewPlan(c.Ctx, c.Actor, r)
	if err != nil || len(cs) < 3 {
		t.Fatalf("setup: %d conflicts, %v", len(cs), err)
	}
	p := NewPlan(c).(*planForm)
	p.preview = planPreview{gen: 1, d: d, conflicts: cs}
	return p, cs
}
