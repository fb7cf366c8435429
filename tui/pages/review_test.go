package pages_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/components"
	"ferry/tui/internal/tuitest"
)

// w on a finished deployment's record opens the review form; saved, the review is on
// the record and the detail shows it. An analyst is told why not; a planned
// deployment is not reviewed yet.
func TestReviewFromTheConsole(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 120, 35)
	openDetailOf(m, 2)
	press(m, "w")
	if got := screenText(m); strings.Contains(got, "Lessons") || !strings.Contains(got, "kim (analyst) may not review deployment #2") {
		t.Fatalf("w should say why an analyst may not review:\n%s", got)
	}
	m = sized(t, "ana", 120, 35)
	openDetailOf(m, 3)
	press(m, "w")
	if got := screenText(m); strings.Contains(got, "Lessons") || !strings.Contains(got, "only a finished deployment") {
		t.Fatalf("a planned deployment is not reviewed yet:\n%s", got)
	}

	l, c := liveDetail(t, "sam", 2, 120, 40)
	l.Has("none yet · w to review")
	l.Letter('w')
	l.Has("Review #2 payments-api 4.11.9 → staging")
	l.Has("┃ Outcome")
	l.Key(tea.KeyEnter) // outcome: unsuccessful, offered for a failure
	l.Has("┃ Satisfaction with the deployment")
	l.Key(tea.KeyRight) // 1
	l.Key(tea.KeyRight) // 2
	l.Key(tea.KeyEnter)
	l.Has("┃ Satisfaction with its lead time")
	l.Key(tea.KeyEnter) // not answered
	l.Has("┃ Quality")
	l.Key(tea.KeyEnter) // not answered
	l.Has("┃ Failure category")
	l.Key(tea.KeyRight) // the first of config's: "config"
	l.Key(tea.KeyEnter)
	l.Has("┃ Lessons")
	l.Key(tea.KeyEnter)
	l.Has("✗ " + engine.NeedLessons) // the engine's words for its rule
	l.TypeText("health check needs the cache warm")
	l.Has("cache warm")
	l.Key(tea.KeyEnter)
	l.Has("reviewed #2: unsuccessful")
	l.Quit()
	v := record(t, c, 2)
	if !hasEvent(v.Events, "reviewed: unsuccessful, satisfaction 2/5, category config; lessons: health check needs the cache warm") {
		t.Fatalf("the review is on the record: %+v", v.Events)
	}
	r, err := c.Eng.Review(c.Ctx, c.Actor, 2)
	if err != nil || r.Outcome != models.OutcomeUnsuccessful || r.Satisfaction != 2 || r.LeadTimeSatisfaction != 0 || r.Reviewer != "sam" {
		t.Fatalf("stored review: %+v %v", r, err)
	}
}

// On a phone the review form's heading wraps rather than being cut: "Amend the
// review of #2 payments-api 4.11.9 → staging, …" lost how the deployment ended.
func TestReviewHeadingIsWholeOnAPhone(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "sam")
	if _, _, err := c.Eng.AddReview(c.Ctx, c.Actor, models.Review{DeploymentID: 2,
		Outcome: models.OutcomeUnsuccessful, Lessons: "the cache was cold"}); err != nil {
		t.Fatal(err)
	}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	openDetailOf(m, 2)
	press(m, "w")
	got := screenText(m)
	head := strings.Join(strings.Split(got, "\n")[:4], "\n")
	if !tuitest.Whole(head, "Amend the review of #2 payments-api 4.11.9 → staging · failed") || strings.Contains(head, "…") {
		t.Fatalf("the heading should be whole:\n%s", got)
	}
	fits(t, m, "review form", 60, 20)
}

// trimmedLines is screen with each line's trailing spaces cut, for looking for lines.
func trimmedLines(screen string) string {
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// Lessons run to several lines: alt+enter and ctrl+j start a new one while enter
// still saves, as the field says; the review keeps the line breaks, the deployment's
// page shows each line under the heading, and amending the review from there keeps
// them (the page cleans what it shows, and a line break is not made "⏎").
func TestReviewLessonsOfSeveralLines(t *testing.T) {
	t.Parallel()
	l, c := liveDetail(t, "sam", 2, 120, 40)
	toLessons(l)
	l.Has("alt+enter or ctrl+j: new line · enter: next, save on the last")
	l.Has("alt+enter/ctrl+j new line") // the footer says it too
	l.TypeText("the cache was cold")
	l.TM.Send(tea.KeyPressMsg{Code: tea.KeyEnter, Mod: tea.ModAlt})
	l.TypeText("warm it before the health check")
	l.TM.Send(tea.KeyPressMsg{Code: 'j', Mod: tea.ModCtrl})
	l.TypeText("and say so in the runbook")
	l.Until("three lines in the field", func(s string) bool {
		return strings.Contains(trimmedLines(s), "┃ the cache was cold\n┃ warm it before the health check\n┃ and say so in the runbook")
	})
	l.Key(tea.KeyEnter)
	l.Has("reviewed #2: unsuccessful")
	want := "the cache was cold\nwarm it before the health check\nand say so in the runbook"
	if r, err := c.Eng.Review(c.Ctx, c.Actor, 2); err != nil || r.Lessons != want {
		t.Fatalf("stored lessons %q (%v), want %q", r.Lessons, err, want)
	}
	l.Until("the lessons' lines under the review", func(s string) bool {
		return strings.Contains(trimmedLines(s), "\n  the cache was cold\n  warm it before the health check\n  and say so in the runbook\n")
	})
	// Amended from the page: the form starts from the lines, and saves them as they were.
	l.Letter('w')
	l.Has("Amend the review of #2")
	l.Until("the lessons' lines in the form", func(s string) bool {
		return strings.Contains(trimmedLines(s), "  the cache was cold\n  warm it before the health check\n  and say so in the runbook")
	})
	for range 6 {
		l.Key(tea.KeyEnter)
	}
	l.Has("amended the review of #2")
	l.Quit()
	if r, err := c.Eng.Review(c.Ctx, c.Actor, 2); err != nil || r.Lessons != want {
		t.Fatalf("amended lessons %q (%v), want %q", r.Lessons, err, want)
	}
}

// On a phone the lessons wrap, each line of them indented under the review's
// heading; a control character in them is shown, not obeyed.
func TestReviewLessonsWrapOnAPhone(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "sam")
	if _, _, err := c.Eng.AddReview(c.Ctx, c.Actor, models.Review{DeploymentID: 2, Outcome: models.OutcomeUnsuccessful,
		Lessons: "The health check answered before the cache was warm, so traffic came too early.\nWarm it first.\x1b[2J"}); err != nil {
		t.Fatal(err)
	}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 80}) // tall: the whole page, at a phone's width
	openDetailOf(m, 2)
	got := trimmedLines(screenText(m))
	if !strings.Contains(got, "\n  The health check answered before the cache was warm, so\n  traffic came too early.\n  Warm it first.␛[2J\n") {
		t.Fatalf("the lessons should wrap at 60 cells, each line under the heading:\n%s", got)
	}
}

// ctrl+e in the lessons opens no editor: huh's Text would run $EDITOR, which under
// ferry serve is a process on the server. Not parallel: it sets EDITOR.
func TestReviewLessonsOpenNoEditor(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "editor-ran")
	t.Setenv("EDITOR", "touch "+marker) // what huh's ctrl+e would run, with its temporary file
	l, c := liveDetail(t, "sam", 2, 120, 40)
	toLessons(l)
	l.TypeText("cold cache")
	l.TM.Send(tea.KeyPressMsg{Code: 'e', Mod: tea.ModCtrl})
	l.TypeText(" again")
	l.Has("cold cache again") // ctrl+e went to the end of the line, no further
	l.Key(tea.KeyEnter)
	l.Has("reviewed #2: unsuccessful")
	l.Quit()
	if _, err := os.Stat(marker); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ctrl+e ran $EDITOR (%v)", err)
	}
	if r, err := c.Eng.Review(c.Ctx, c.Actor, 2); err != nil || r.Lessons != "cold cache again" {
		t.Fatalf("stored lessons %q (%v)", r.Lessons, err)
	}
	f := huh.NewForm(huh.NewGroup(components.NewFieldErrors(c).Text("x", "X", new(string)))).WithKeyMap(components.FormKeys())
	for _, b := range f.KeyBinds() {
		if slices.Contains(b.Keys(), "ctrl+e") && b.Enabled() {
			t.Errorf("a text field offers %q: %q", b.Keys(), b.Help().Desc)
		}
	}
}

// Lessons longer than the field holds: its title says it is full, under the field,
// and what was typed past the limit, a new line too, is not taken.
func TestReviewLessonsAreHeldToTheLimit(t *testing.T) {
	t.Parallel()
	l, c := liveDetail(t, "sam", 2, 120, 40)
	toLessons(l)
	long := strings.Repeat("the cache was cold ", 20) // 380 characters
	l.TM.Send(tea.PasteMsg{Content: long})
	l.Has("┃ Lessons  " + components.LimitText(components.LongText))
	for range 3 { // into the text, where a line break would stay
		l.Key(tea.KeyLeft)
	}
	l.TM.Send(tea.KeyPressMsg{Code: tea.KeyEnter, Mod: tea.ModAlt})
	l.TypeText("more")
	l.Key(tea.KeyEnter)
	l.Has("reviewed #2: unsuccessful")
	l.Quit()
	r, err := c.Eng.Review(c.Ctx, c.Actor, 2)
	if want := strings.TrimSpace(long[:components.LongText]); err != nil || r.Lessons != want {
		t.Fatalf("stored lessons %q (%v), want the first %d characters", r.Lessons, err, components.LongText)
	}
}

// toLessons opens the review form on the deployment's page (w) and goes to its
// lessons, the outcome, the three scores and the category left as offered.
func toLessons(l *tuitest.Live) {
	l.Letter('w')
	l.Has("┃ Outcome")
	for range 5 {
		l.Key(tea.KeyEnter)
	}
	l.Has("┃ Lessons")
}

// Lessons half written are not lost to one esc: the review form asks first, as the
// plan form does; y leaves.
func TestReviewFormAsksBeforeItLosesTheLessons(t *testing.T) {
	t.Parallel()
	// On a phone too: the question went under a form as tall as the screen, out of
	// sight, and the next key answered it.
	for _, size := range [][2]int{{120, 40}, {60, 20}} {
		reviewLeaveAsked(t, size[0], size[1])
	}
}

func reviewLeaveAsked(t *testing.T, w, h int) {
	l, _ := liveDetail(t, "sam", 2, w, h)
	l.Has("w review") // the footer's key
	l.Letter('w')
	l.Has("┃ Outcome")
	for _, field := range []string{"Satisfaction with the deployment", "Satisfaction with its lead time", "Quality", "Failure category", "Lessons"} {
		l.Key(tea.KeyEnter)
		l.Has("┃ " + field)
	}
	l.TypeText("the cache was cold")
	l.Has("cache was cold")
	l.Key(tea.KeyEscape)
	l.Has("Leave without saving?")
	l.Letter('y')
	l.Has("#2  deploy payments-api") // back on its page
	l.Quit()
}

// A score chosen and nothing typed is weighed too: esc asks (it left at once, the
// choice lost).
func TestReviewFormWeighsAChoice(t *testing.T) {
	t.Parallel()
	l, _ := liveDetail(t, "sam", 2, 120, 40)
	l.Has("w review")
	l.Letter('w')
	l.Has("┃ Outcome")
	l.Key(tea.KeyEnter)
	l.Has("┃ Satisfaction with the deployment")
	l.Key(tea.KeyRight) // 1
	l.Has("← 1 →")
	l.Key(tea.KeyEscape)
	l.Has("Leave without saving?")
	l.Letter('y')
	l.Has("#2  deploy payments-api")
	l.Quit()
}
