package engine

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"ferry/models"
)

const reviewConfig = `
[ferry]
timezone = "Europe/Berlin"
failure_categories = ["config", "test gap"]
` + testConfigBody

// A finished deployment is reviewed once by its requester, a manager or a
// practitioner; a second review amends it, and the record keeps both.
func TestReviewOfAFinishedDeployment(t *testing.T) {
	h := history{t, newFixtureWith(t, reviewConfig)}
	ana, sam, tom, eve := h.f.person(t, "ana"), h.f.person(t, "sam"), h.f.person(t, "tom"), h.f.person(t, "eve")
	d := h.add("test", "2026-11-01 11:00", "2026-11-02 10:00")
	r := models.Review{DeploymentID: d.ID, Outcome: models.OutcomeUnsuccessful, Satisfaction: 2, Category: "config",
		Lessons: "the feature flag was missing in test"}
	if _, _, err := h.f.e.AddReview(h.f.ctx, ana, r); !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), "only a finished deployment") {
		t.Fatalf("a planned deployment is not reviewed: %v", err)
	}
	h.end(d, models.StatusFailed, "2026-11-02 10:00", "2026-11-02 10:20")
	for _, p := range []models.Person{tom, eve} {
		if _, _, err := h.f.e.AddReview(h.f.ctx, p, r); !errors.Is(err, models.ErrForbidden) || !strings.Contains(err.Error(), "its requester (ana)") {
			t.Errorf("%s may not review: %v", p.Name, err)
		}
	}
	bad := r
	bad.Category = "weather"
	if _, _, err := h.f.e.AddReview(h.f.ctx, ana, bad); !errors.Is(err, models.ErrInvalid) || !strings.Contains(err.Error(), "config, test gap") {
		t.Errorf("an unknown category is refused with the known ones: %v", err)
	}
	bad = r
	bad.Lessons = "  "
	if _, _, err := h.f.e.AddReview(h.f.ctx, ana, bad); !errors.Is(err, models.ErrInvalid) {
		t.Errorf("a review without lessons: %v", err)
	}
	if _, amended, err := h.f.e.AddReview(h.f.ctx, sam, r); err != nil || amended {
		t.Fatalf("sam, a practitioner, reviews: amended %v, %v", amended, err)
	}
	h.exact()
	r.Outcome, r.Satisfaction, r.Lessons = models.OutcomeWithIssues, 3, "the flag was there; the test data was not"
	if _, amended, err := h.f.e.AddReview(h.f.ctx, ana, r); err != nil || !amended {
		t.Fatalf("ana amends: amended %v, %v", amended, err)
	}
	h.exact()
	got, err := h.f.e.Review(h.f.ctx, eve, d.ID)
	if err != nil || got.Outcome != models.OutcomeWithIssues || got.Satisfaction != 3 || got.Reviewer != "ana" ||
		got.ModelVersion != d.ModelVersion || got.Quality != 0 {
		t.Fatalf("the amended review, seen by eve: %+v %v", got, err)
	}
	det, _ := h.f.e.Deployment(h.f.ctx, ana, d.ID)
	var texts []string
	for _, ev := range det.Events {
		if ev.Type == EventReview {
			texts = append(texts, ev.Actor+": "+ev.Detail)
		}
	}
	want := "sam: reviewed: unsuccessful, satisfaction 2/5, category config; lessons: the feature flag was missing in test|" +
		"ana: review amended: successful with issues, satisfaction 3/5, category config; lessons: the flag was there; the test data was not"
	if strings.Join(texts, "|") != want {
		t.Errorf("record:\n%s\nwant\n%s", strings.Join(texts, "|"), want)
	}
	// Found by search: the amended lessons, no longer the first ones.
	for word, n := range map[string]int{"data": 1, "feature": 0, "config": 1} {
		list, err := h.f.e.List(h.f.ctx, ana, models.Filter{Search: word, Limit: 10})
		if err != nil || len(list) != n {
			t.Errorf("search %q: %d found, want %d (%v)", word, len(list), n, err)
		}
	}
	if list, _ := h.f.e.Reviews(h.f.ctx, eve, ReviewFilter{Category: "test gap"}); len(list) != 0 {
		t.Errorf("no review in category test gap: %+v", list)
	}
	if list, _ := h.f.e.Reviews(h.f.ctx, eve, ReviewFilter{Model: "web"}); len(list) != 1 {
		t.Errorf("one review of model web: %+v", list)
	}
	if _, err := h.f.e.Reviews(h.f.ctx, eve, ReviewFilter{Model: "nope"}); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("an unknown model: %v", err)
	}
}

// A failure left without a review for review_after waits in its requester's and the
// managers' inbox, for a fortnight; reviewed, it leaves.
func TestUnreviewedFailureWaitsInTheInbox(t *testing.T) {
	h := history{t, newFixtureWith(t, reviewConfig)}
	ana, sam := h.f.person(t, "ana"), h.f.person(t, "sam")
	failed := h.add("test", "2026-11-01 11:00", "2026-11-02 10:00")
	h.end(failed, models.StatusFailed, "2026-11-02 10:00", "2026-11-02 10:20")
	ok := h.add("test", "2026-11-01 11:00", "2026-11-03 10:00")
	h.end(ok, models.StatusSucceeded, "2026-11-03 10:00", "2026-11-03 10:20")
	reviews := func(p models.Person) []int64 {
		t.Helper()
		items, err := h.f.e.Inbox(h.f.ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, it := range items {
			if it.Kind == InboxReview {
				ids = append(ids, it.Deployment.ID)
			}
		}
		return ids
	}
	h.f.now = h.f.local("2026-11-05 10:00") // under three days after the failure
	if got := reviews(ana); len(got) != 0 {
		t.Fatalf("before review_after: %v", got)
	}
	h.f.now = h.f.local("2026-11-05 10:30")
	if got := reviews(ana); len(got) != 1 || got[0] != failed.ID {
		t.Fatalf("ana (manager and requester) after review_after: %v, want the failure only", got)
	}
	if got := reviews(sam); len(got) != 0 {
		t.Fatalf("sam neither requested it nor manages: %v", got)
	}
	h.f.now = h.f.local("2026-11-04 12:00")
	h.incident(ok, "2026-11-04 12:00")
	h.f.now = h.f.local("2026-11-06 11:00")
	if got := reviews(ana); len(got) != 2 || got[1] != ok.ID {
		t.Fatalf("a success with an incident waits too: %v", got)
	}
	if _, _, err := h.f.e.AddReview(h.f.ctx, ana, models.Review{DeploymentID: failed.ID, Outcome: models.OutcomeUnsuccessful,
		Lessons: "retry the migration by hand"}); err != nil {
		t.Fatal(err)
	}
	if got := reviews(ana); len(got) != 1 || got[0] != ok.ID {
		t.Fatalf("reviewed, it leaves: %v", got)
	}
	h.f.now = h.f.now.Add(15 * 24 * time.Hour)
	if got := reviews(ana); len(got) != 0 {
		t.Fatalf("past the fortnight it leaves the inbox: %v", got)
	}
}

// A model is due for review when it has failures since its last review, or no review
// for model_review_every; the managers' inbox says so.
func TestModelsReviewDue(t *testing.T) {
	h := history{t, newFixtureWith(t, reviewConfig)}
	ana, sam := h.f.person(t, "ana"), h.f.person(t, "sam")
	due := func() string {
		t.Helper()
		list, err := h.f.e.ModelsReviewDue(h.f.ctx, sam)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range list {
			out = append(out, ModelDueText(d, h.f.e.Location()))
		}
		return strings.Join(out, "|")
	}
	if got := due(); got != "" {
		t.Fatalf("new models, no failures: %q", got)
	}
	d := h.add("test", "2026-11-27 09:00", "2026-11-28 10:00")
	h.end(d, models.StatusFailed, "2026-11-28 10:00", "2026-11-28 10:20")
	h.f.now = h.f.local("2026-11-28 12:00")
	if got := due(); got != "model web is due for review: 1 failure since it was first stored" {
		t.Fatalf("a failure: %q", got)
	}
	if _, _, err := h.f.e.AddReview(h.f.ctx, sam, models.Review{DeploymentID: d.ID, Outcome: models.OutcomeUnsuccessful,
		Lessons: "flaky smoke test"}); err != nil {
		t.Fatal(err)
	}
	if got := due(); got != "" {
		t.Fatalf("reviewed the same day, nothing since: %q", got)
	}
	h.f.now = h.f.local("2026-11-28 15:00")
	d2 := h.add("test", "2026-11-28 15:00", "2026-11-28 16:00")
	h.end(d2, models.StatusRolledBack, "2026-11-28 16:00", "2026-11-28 16:30")
	h.f.now = h.f.local("2026-12-02 12:00")
	if got := due(); got != "model web is due for review: 1 failure since its last review" {
		t.Fatalf("a rollback after the review: %q", got)
	}
	items, err := h.f.e.Inbox(h.f.ctx, ana)
	if err != nil {
		t.Fatal(err)
	}
	var models_ []string
	for _, it := range items {
		if it.Kind == InboxModel {
			models_ = append(models_, it.Model)
		}
	}
	if strings.Join(models_, ",") != "web" {
		t.Errorf("ana's inbox names the model: %v", models_)
	}
	if items, _ := h.f.e.Inbox(h.f.ctx, sam); slices.ContainsFunc(items, func(it InboxItem) bool { return it.Kind == InboxModel }) {
		t.Errorf("only managers see models due: %+v", items)
	}
	h.f.now = h.f.local("2027-03-01 12:00") // 90 days on, the rack model too
	if got := due(); !strings.Contains(got, "model rack is due for review: never reviewed, in use since 2026-11-26") {
		t.Errorf("no review for 90 days: %q", got)
	}
}
