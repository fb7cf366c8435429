package engine

import (
	"context"
	"errors"
	"slices"

	"ferry/models"
	"ferry/store"
)

// Detail is everything recorded about one deployment.
type Detail struct {
	models.Deployment
	Steps     []models.StepRun
	OnFailure []StepState // the on-failure steps that apply in its environment, numbered after Steps
	Events    []models.Event
	Incidents []models.Incident
	Conflicts []models.Conflict // for unfinished deployments: the conflicts it is in now
	Findings  []models.Finding  // what its record keeps of the controls around it
	Review    *models.Review    // what was learned from it; nil while it has no review
	// For a failed or rolled-back one: an unfinished deployment of the same version
	// to the same place (its run again, or one planned by hand), which holds a run
	// again of it (WhyNoAgain); nil when none.
	AgainOpen *models.Deployment
}

// Deployment loads one deployment's full record, in one snapshot.
func (e *Engine) Deployment(ctx context.Context, actor models.Person, id int64) (Detail, error) {
	var out Detail
	err := e.readable(ctx, actor, id, func(q store.Q, d models.Deployment) error {
		var err error
		out, err = e.detail(ctx, q, d)
		return err
	})
	return out, err
}

// readable runs fn in one read snapshot with deployment id, if actor may see it.
func (e *Engine) readable(ctx context.Context, actor models.Person, id int64, fn func(q store.Q, d models.Deployment) error) error {
	return e.readableIn(ctx, actor, id, 1, func(qs []store.Q, d models.Deployment) error { return fn(qs[0], d) })
}

// readableIn is readable with n readers that see the same state (Store.Snapshots),
// for a question read in parts at once.
func (e *Engine) readableIn(ctx context.Context, actor models.Person, id int64, n int, fn func(qs []store.Q, d models.Deployment) error) error {
	return e.st.Snapshots(ctx, n, func(qs []store.Q) error {
		d, err := qs[0].Deployment(ctx, id)
		if err != nil {
			return err
		}
		if err := Can(actor, ActRead, &d); err != nil {
			return err
		}
		return fn(qs, d)
	})
}

// detail reads d's record through q.
func (e *Engine) detail(ctx context.Context, q store.Q, d models.Deployment) (Detail, error) {
	id := d.ID
	var err error
	out := Detail{Deployment: d}
	if out.Steps, err = q.StepRuns(ctx, d); err != nil {
		return out, err
	}
	if out.OnFailure, err = e.onFailure(ctx, q, d, len(out.Steps)); err != nil {
		return out, err
	}
	if out.Events, err = q.Events(ctx, id); err != nil {
		return out, err
	}
	if out.Incidents, err = q.Incidents(ctx, id); err != nil {
		return out, err
	}
	if out.Findings, err = q.Findings(ctx, store.FindingFilter{Deployment: id}); err != nil {
		return out, err
	}
	if r, err := q.Review(ctx, id); err == nil {
		out.Review = &r
	} else if !errors.Is(err, models.ErrNotFound) {
		return out, err
	}
	if !d.Status.Final() {
		// Who went ahead against them, whichever of its members started: by d's own
		// findings alone, a conflict another started against read ✗ on d's page, and
		// ▶ on the Conflicts screen.
		if out.Conflicts, err = e.check(ctx, q, d); err == nil {
			err = noteStartsOf(ctx, q, out.Conflicts)
		}
	}
	if err == nil {
		out.AgainOpen, err = againOpen(ctx, q, d)
	}
	return out, err
}

// onFailure reads d's on-failure steps and what their attempts left.
func (e *Engine) onFailure(ctx context.Context, q store.Q, d models.Deployment, nRuns int) ([]StepState, error) {
	m, err := q.DeploymentModel(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	if len(m.OnFailureFor(d.Environment)) == 0 {
		return nil, nil // no attempts to read
	}
	atts, err := q.Attempts(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	bySeq := map[int][]models.Attempt{}
	for _, a := range atts {
		bySeq[a.Seq] = append(bySeq[a.Seq], a)
	}
	return onFailureStates(m, d, nRuns, bySeq), nil
}

// Get loads one deployment's facts (no steps or record), if actor may see it.
func (e *Engine) Get(ctx context.Context, actor models.Person, id int64) (models.Deployment, error) {
	d, err := e.st.Read().Deployment(ctx, id)
	if err != nil {
		return d, err
	}
	return d, Can(actor, ActRead, &d)
}

// List returns one page of deployments. Technicians only ever see their own.
func (e *Engine) List(ctx context.Context, actor models.Person, f models.Filter) ([]models.Deployment, error) {
	if onlyOwn(actor) {
		f.Assignee = actor.Name
	} else if err := Can(actor, ActRead, nil); err != nil {
		return nil, err
	}
	return e.st.Read().Deployments(ctx, f)
}

// onlyOwn reports whether the person may see only deployments assigned to them.
func onlyOwn(p models.Person) bool { return SeesOnlyOwn(p) }

// ChangeMark moves whenever anything changes anywhere (another console, the CLI, a
// runner): consoles poll it to reload within a second without reloading for nothing.
func (e *Engine) ChangeMark(ctx context.Context) (int64, error) {
	return e.st.Read().ChangeMark(ctx)
}

// StoppedIn reports whether d waits for a person because a runner died under one of
// its steps (resume, retry or fail): it is under way and a step is interrupted. A
// finished one waits for nobody; its step stays as it was left.
func StoppedIn(d models.Deployment, steps []models.StepRun) bool {
	return d.Status.Running() && slices.ContainsFunc(steps, func(r models.StepRun) bool { return r.Status == models.StepInterrupted })
}

// Interrupted is which of the listed deployments have a step whose runner died and
// that waits for a person (resume, retry or fail): a listing marks them.
func (e *Engine) Interrupted(ctx context.Context, list []models.Deployment) (map[int64]bool, error) {
	return e.st.Read().Interrupted(ctx, runningIDs(list))
}

// Blocked is which of the listed deployments under way have a checklist item
// someone blocked: a listing marks them, as the dashboard and My work do.
func (e *Engine) Blocked(ctx context.Context, list []models.Deployment) (map[int64]bool, error) {
	return e.st.Read().WithStep(ctx, runningIDs(list), models.StepBlocked)
}

func runningIDs(list []models.Deployment) []int64 {
	var ids []int64
	for _, d := range list {
		if d.Status.Running() {
			ids = append(ids, d.ID)
		}
	}
	return ids
}
