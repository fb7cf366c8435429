package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ferry/models"
	"ferry/store"
)

// EventReview is a deployment's review, written or amended.
const EventReview = "review"

// ReviewText is the "review" event's detail: the outcome, the scores answered, the
// category and the lessons; amended says it replaced an earlier review.
func ReviewText(r models.Review, amended bool) string {
	s := "reviewed"
	if amended {
		s = "review amended"
	}
	s += ": " + OutcomeText(r.Outcome)
	for _, sc := range []struct {
		name string
		v    int
	}{{"satisfaction", r.Satisfaction}, {"lead time", r.LeadTimeSatisfaction}, {"quality", r.Quality}} {
		if sc.v != 0 {
			s += fmt.Sprintf(", %s %d/5", sc.name, sc.v)
		}
	}
	if r.Category != "" {
		s += ", category " + r.Category
	}
	return s + "; lessons: " + r.Lessons
}

// OutcomeText is how an outcome reads: "successful with issues".
func OutcomeText(o models.Outcome) string { return strings.ReplaceAll(string(o), "_", " ") }

// mayReview decides whether p may review d: its requester, a manager or a
// practitioner (guide 3.1.1: the requester and the practice review deployments).
func mayReview(p models.Person, d models.Deployment) error {
	if p.Unmapped {
		return Can(p, ActIncident, &d) // the unmapped login's refusal
	}
	if p.Has(models.RoleManager) || p.Has(models.RolePractitioner) || (d.Requester != "" && d.Requester == p.Name) {
		return nil
	}
	return models.Forbiddenf("%s (%s) may not review deployment #%d: its requester (%s), a manager or a practitioner may",
		p.Name, p.MainRole(), d.ID, orNobody(d.Requester))
}

// CanReview reports whether actor may review deployment d now: it must have
// finished, and they must be its requester, a manager or a practitioner. The
// console asks it before offering the form.
func (e *Engine) CanReview(actor models.Person, d models.Deployment) error {
	if err := mayReview(actor, d); err != nil {
		return err
	}
	if !d.Status.Final() || d.Status == models.StatusCancelled {
		return models.Conflictf("deployment #%d %s: only a finished deployment (succeeded, failed or rolled back) is reviewed",
			d.ID, d.Status.Phrase())
	}
	return nil
}

// checkReview validates a review's fields against the configuration.
func (e *Engine) checkReview(r *models.Review) error {
	r.Lessons, r.Category = strings.TrimSpace(r.Lessons), strings.TrimSpace(r.Category)
	if !r.Outcome.Valid() {
		return models.Invalidf("--outcome: %q is not successful, successful_with_issues or unsuccessful", r.Outcome)
	}
	for _, sc := range []struct {
		flag string
		v    int
	}{{"--satisfaction", r.Satisfaction}, {"--lead-time-satisfaction", r.LeadTimeSatisfaction}, {"--quality", r.Quality}} {
		if sc.v < 0 || sc.v > 5 {
			return models.Invalidf("%s: %d is not a score: 1 (poor) to 5 (excellent), or left out", sc.flag, sc.v)
		}
	}
	if r.Lessons == "" {
		return models.Invalidf("--lessons: %s", NeedLessons)
	}
	if err := models.CheckText("--lessons", r.Lessons); err != nil {
		return err
	}
	cats := e.cfg.FailureCategories
	if r.Category != "" && !slices.Contains(cats, r.Category) {
		if len(cats) == 0 {
			return models.Invalidf("--category: %q, but the configuration lists no failure_categories in [ferry]", r.Category)
		}
		return models.Invalidf("--category: %q is not one of the failure_categories in [ferry]: %s", r.Category,
			strings.Join(cats, ", "))
	}
	return nil
}

// AddReview writes the review of a finished deployment, or amends the one it has,
// and says so in its record, in one transaction. The satisfaction means in the
// reports move with it.
func (e *Engine) AddReview(ctx context.Context, actor models.Person, r models.Review) (models.Review, bool, error) {
	return e.writeReview(ctx, actor, r.DeploymentID, func(*models.Review) (models.Review, error) { return r, nil })
}

// ReviewChange is an amendment that names what it changes (nil: kept as it is), as
// the command line's flags do. A new review needs its outcome and lessons.
type ReviewChange struct {
	Outcome                                     *models.Outcome
	Satisfaction, LeadTimeSatisfaction, Quality *int // 0 clears a score
	Category, Lessons                           *string
}

// ChangeReview writes what ch names into deployment id's review, keeping the rest,
// read and written in one transaction: read first and written after, an amendment
// made meanwhile (in the console) was lost.
func (e *Engine) ChangeReview(ctx context.Context, actor models.Person, id int64, ch ReviewChange) (models.Review, bool, error) {
	return e.writeReview(ctx, actor, id, func(had *models.Review) (models.Review, error) {
		var r models.Review
		if had != nil {
			r = *had
		}
		r.DeploymentID = id
		set(&r.Outcome, ch.Outcome)
		set(&r.Satisfaction, ch.Satisfaction)
		set(&r.LeadTimeSatisfaction, ch.LeadTimeSatisfaction)
		set(&r.Quality, ch.Quality)
		set(&r.Category, ch.Category)
		set(&r.Lessons, ch.Lessons)
		if had == nil && (ch.Outcome == nil || ch.Lessons == nil) {
			flag := map[bool]string{true: "--outcome", false: "--lessons"}[ch.Outcome == nil]
			return r, models.Invalidf("%s: required for a new review (deployment #%d has none yet)", flag, id)
		}
		return r, nil
	})
}

func set[T any](field *T, v *T) {
	if v != nil {
		*field = *v
	}
}

// writeReview writes the review review makes of the one the deployment has (nil for
// none; its error refuses it), after the checks, in one transaction.
func (e *Engine) writeReview(ctx context.Context, actor models.Person, id int64,
	review func(had *models.Review) (models.Review, error)) (models.Review, bool, error) {
	if err := e.useBasis(ctx); err != nil {
		return models.Review{}, false, err
	}
	var r models.Review
	amended := false
	err := e.st.Write(ctx, func(q store.Q) error {
		d, err := q.Deployment(ctx, id)
		if err != nil {
			return err
		}
		if err := e.CanReview(actor, d); err != nil {
			return err
		}
		var had *models.Review
		if old, err := q.Review(ctx, d.ID); err == nil {
			had, amended = &old, true
		} else if !errors.Is(err, models.ErrNotFound) {
			return err
		}
		if r, err = review(had); err != nil {
			return err
		}
		if err := e.checkReview(&r); err != nil {
			return err
		}
		r.DeploymentID = d.ID
		r.Reviewer, r.ReviewedAt, r.Model, r.ModelVersion = actor.Name, e.Now(), d.Model, d.ModelVersion
		if err := q.SetReview(ctx, r); err != nil {
			return err
		}
		return q.AddEvent(ctx, e.event(ctx, d.ID, actor, EventReview, ReviewText(r, amended)))
	})
	return r, amended, err
}

// Review is deployment id's review, if actor may see the deployment; ErrNotFound
// when it has none.
func (e *Engine) Review(ctx context.Context, actor models.Person, id int64) (models.Review, error) {
	var r models.Review
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		d, err := q.Deployment(ctx, id)
		if err != nil {
			return err
		}
		if err := Can(actor, ActRead, &d); err != nil {
			return err
		}
		if r, err = q.Review(ctx, id); errors.Is(err, models.ErrNotFound) {
			return models.NotFoundf("deployment #%d has no review yet (ferry review add %d …)", id, id)
		}
		return err
	})
	return r, err
}

// ReviewFilter narrows Reviews.
type ReviewFilter struct {
	Model, Category string
}

// Reviews lists the reviews of the deployments actor may see, latest first.
func (e *Engine) Reviews(ctx context.Context, actor models.Person, f ReviewFilter) ([]models.Review, error) {
	if f.Model != "" {
		if err := e.knownModel(ctx, f.Model); err != nil {
			return nil, err
		}
	}
	var out []models.Review
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		all, err := q.Reviews(ctx, store.ReviewFilter{Model: f.Model, Category: f.Category})
		if err != nil {
			return err
		}
		for _, r := range all {
			if SeesOnlyOwn(actor) {
				d, err := q.Deployment(ctx, r.DeploymentID)
				if err != nil || Can(actor, ActRead, &d) != nil {
					continue
				}
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// knownModel refuses a model name neither config nor the store knows.
func (e *Engine) knownModel(ctx context.Context, name string) error {
	if _, ok := e.cfg.Model(name); ok {
		return nil
	}
	vs, err := e.st.Read().ModelVersions(ctx)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if v.Name == name {
			return nil
		}
	}
	return models.NotFoundf("unknown model %q", name)
}

// FailureCategories are the categories a review may name ([ferry] failure_categories).
func (e *Engine) FailureCategories() []string { return slices.Clone(e.cfg.FailureCategories) }

// ModelDue is a model due for review: none for model_review_every, or failures since
// its last review.
type ModelDue struct {
	Model      string
	LastReview time.Time // zero: never reviewed
	Since      time.Time // what "since" counts from: the last review, or its first version
	Failures   int64     // failed or rolled back since then
	Overdue    bool      // no review for model_review_every
}

// ModelsReviewDue lists the configured models due for review, in config's order. A
// model's review is the latest review of any of its deployments; failures (failed
// or rolled back) are counted from it, or, never reviewed, from its first stored
// version.
func (e *Engine) ModelsReviewDue(ctx context.Context, actor models.Person) ([]ModelDue, error) {
	if err := Can(actor, ActRead, nil); err != nil {
		return nil, err
	}
	if err := e.useBasis(ctx); err != nil {
		return nil, err
	}
	var out []ModelDue
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		var err error
		out, err = e.modelsDue(ctx, q)
		return err
	})
	return out, err
}

func (e *Engine) modelsDue(ctx context.Context, q store.Q) ([]ModelDue, error) {
	names := make([]string, len(e.cfg.Models))
	for i, m := range e.cfg.Models {
		names[i] = m.Name
	}
	last, err := q.LastReviews(ctx, names)
	if err != nil {
		return nil, err
	}
	versions, err := q.ModelVersions(ctx)
	if err != nil {
		return nil, err
	}
	first := map[string]time.Time{}
	for _, v := range versions {
		if t, ok := first[v.Name]; !ok || v.CreatedAt.Before(t) {
			first[v.Name] = v.CreatedAt
		}
	}
	since := map[string]int{}
	var all []ModelDue
	for _, m := range e.cfg.Models {
		d := ModelDue{Model: m.Name, LastReview: last[m.Name], Since: last[m.Name]}
		if d.Since.IsZero() {
			d.Since = first[m.Name]
		}
		d.Overdue = e.Now().Sub(d.Since) >= e.cfg.ModelReviewEvery
		// The days after the review's are summed from the rollups; its own day, from
		// the review on, is read from the raw rows: exact, and cheap on any history.
		nextDay := e.nextLocalDay(d.Since)
		since[m.Name] = store.LocalDay(nextDay, e.cfg.Location)
		// After the review (a failure the same second is what it reviewed); from the
		// first version's storage on, that second included.
		after := d.Since
		if d.LastReview.IsZero() {
			after = after.Add(-time.Second)
		}
		if d.Failures, err = q.ModelFailuresBetween(ctx, m.Name, after, nextDay); err != nil {
			return nil, err
		}
		all = append(all, d)
	}
	failures, err := q.FailuresSince(ctx, since, store.LocalDay(e.Now(), e.cfg.Location))
	if err != nil {
		return nil, err
	}
	var out []ModelDue
	for _, d := range all {
		if d.Failures += failures[d.Model]; d.Overdue || d.Failures > 0 {
			out = append(out, d)
		}
	}
	return out, nil
}

// nextLocalDay is local midnight after t.
func (e *Engine) nextLocalDay(t time.Time) time.Time {
	y, m, d := t.In(e.cfg.Location).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, e.cfg.Location)
}

// ModelDueText says why a model is due for review.
func ModelDueText(d ModelDue, loc *time.Location) string {
	var why []string
	switch {
	case d.LastReview.IsZero() && d.Overdue:
		why = append(why, "never reviewed, in use since "+LocalText(d.Since, loc))
	case d.Overdue:
		why = append(why, "last reviewed "+LocalText(d.LastReview, loc))
	}
	if d.Failures > 0 {
		s := fmt.Sprintf("%d failure%s since ", d.Failures, models.Plural(int(d.Failures)))
		if d.LastReview.IsZero() {
			s += "it was first stored"
		} else {
			s += "its last review"
		}
		why = append(why, s)
	}
	return fmt.Sprintf("model %s is due for review: %s", d.Model, strings.Join(why, "; "))
}
