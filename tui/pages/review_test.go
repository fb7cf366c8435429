package pages_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/models"
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
