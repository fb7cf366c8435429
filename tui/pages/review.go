package pages

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// reviewForm reviews a finished deployment: its outcome, three scores (each may be
// left unanswered), a failure category and the lessons. Given the review it has, it
// amends it, starting from what it says.
type reviewForm struct {
	c     *common.Common
	d     models.Deployment
	amend bool
	v     *reviewValues
	formPage
}

type reviewValues struct{ outcome, sat, lead, quality, category, lessons string }

type reviewSavedMsg struct {
	r       models.Review
	amended bool
	err     error
}

func newReviewForm(c *common.Common, d models.Deployment, old *models.Review) *reviewForm {
	v := &reviewValues{outcome: string(models.OutcomeSuccessful)}
	f := &reviewForm{formPage: newFormPage(v), c: c, d: d, v: v}
	if d.Status != models.StatusSucceeded {
		f.v.outcome = string(models.OutcomeUnsuccessful)
	}
	if old != nil {
		f.amend = true
		f.v.outcome, f.v.category, f.v.lessons = string(old.Outcome), old.Category, old.Lessons
		f.v.sat, f.v.lead, f.v.quality = scoreValue(old.Satisfaction), scoreValue(old.LeadTimeSatisfaction), scoreValue(old.Quality)
	}
	f.build()
	return f
}

func scoreValue(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// build makes the form over f.v, so a rebuilt form keeps what was chosen and typed.
func (f *reviewForm) build() {
	f.errs = components.NewFieldErrors(f.c)
	var outcomes []huh.Option[string]
	for _, o := range models.Outcomes {
		outcomes = append(outcomes, huh.NewOption(engine.OutcomeText(o), string(o)))
	}
	fields := []huh.Field{huh.NewSelect[string]().Title("Outcome").Options(outcomes...).Value(&f.v.outcome).Inline(true),
		scoreSelect("Satisfaction with the deployment", &f.v.sat),
		scoreSelect("Satisfaction with its lead time", &f.v.lead),
		scoreSelect("Quality of what was deployed", &f.v.quality)}
	if cats := f.c.Eng.FailureCategories(); len(cats) > 0 {
		opts := []huh.Option[string]{huh.NewOption("none", "")}
		for _, c := range cats {
			opts = append(opts, huh.NewOption(c, c))
		}
		fields = append(fields, huh.NewSelect[string]().Title("Failure category").Options(opts...).Value(&f.v.category).Inline(true))
	}
	// Several sentences, on lines of their own if the person likes: the last field,
	// so enter saves, as its description (any text's of several lines) says.
	fields = append(fields, f.errs.Text("lessons", "Lessons", &f.v.lessons).Validate(validLessons).
		Placeholder("what went well, what should change"))
	f.setForm(f.c, huh.NewGroup(fields...))
}

// scoreSelect is a 1-5 score that may stay unanswered.
func scoreSelect(title string, v *string) *huh.Select[string] {
	opts := []huh.Option[string]{huh.NewOption("not answered", "")}
	for i := 1; i <= 5; i++ {
		opts = append(opts, huh.NewOption(strconv.Itoa(i), strconv.Itoa(i)))
	}
	return huh.NewSelect[string]().Title(title + " (1 poor – 5 excellent)").Options(opts...).Value(v).Inline(true)
}

func validLessons(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New(engine.NeedLessons)
	}
	return nil
}

// whyNoReview: the engine says who reviews what, and when.
func whyNoReview(c *common.Common, d models.Deployment) string {
	return common.Why(c.Eng.CanReview(c.Actor, d))
}

func (f *reviewForm) Title() string { return fmt.Sprintf("#%d review", f.d.ID) }

func (f *reviewForm) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(reviewSavedMsg); ok {
		return f.saved(msg)
	}
	return f.takeThenSave(msg, f.save)
}

// save sends the review in the background; the form has checked every field.
func (f *reviewForm) save() tea.Cmd {
	score := func(s string) int { n, _ := strconv.Atoi(s); return n }
	r := models.Review{DeploymentID: f.d.ID, Outcome: models.Outcome(f.v.outcome), Satisfaction: score(f.v.sat),
		LeadTimeSatisfaction: score(f.v.lead), Quality: score(f.v.quality), Category: f.v.category, Lessons: f.v.lessons}
	f.saving, f.err = true, nil
	c := f.c
	return func() tea.Msg {
		r, amended, err := c.Eng.AddReview(c.Ctx, c.Actor, r)
		return reviewSavedMsg{r, amended, err}
	}
}

// saved returns to the deployment, or shows why the engine refused and lets the
// person correct it.
func (f *reviewForm) saved(msg reviewSavedMsg) tea.Cmd {
	if cmd, ok := f.settle(msg.err, f.build); !ok {
		return cmd
	}
	did := "reviewed"
	if msg.amended {
		did = "amended the review of"
	}
	return common.Done(fmt.Sprintf("%s #%d: %s", did, f.d.ID, engine.OutcomeText(msg.r.Outcome)))
}

func (f *reviewForm) View() string {
	st, d := f.c.Styles, f.d
	what := "Review"
	if f.amend {
		what = "Amend the review of"
	}
	// Wrapped, not cut: on a phone the cut took how it ended.
	head := fmt.Sprintf("%s %s %s %s → %s · %s", st.Bold.Render(what), st.Bold.Render(fmt.Sprintf("#%d", d.ID)),
		d.Component, d.Version, d.Environment, d.Status.Words())
	return f.view(st, append(common.Hanging(" ", head, f.w), ""), error.Error)
}
