package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ferry/engine/schedule"
	"ferry/models"
	"ferry/store"
)

// change loads a deployment inside a write transaction, checks the actor may do a to
// it, and runs fn; everything fn writes lands together with its events.
func (e *Engine) change(ctx context.Context, actor models.Person, id int64, a Action,
	fn func(q store.Q, d *models.Deployment) error) (models.Deployment, error) {
	var d models.Deployment
	err := e.st.Write(ctx, func(q store.Q) error {
		var err error
		if d, err = q.Deployment(ctx, id); err != nil {
			return err
		}
		if err := Can(actor, a, &d); err != nil {
			return err
		}
		if err := fn(q, &d); err != nil {
			return err
		}
		d, err = q.Deployment(ctx, id)
		return err
	})
	return d, err
}

// Reschedule moves a planned deployment to a new window (end zero: keep the
// duration) and returns the conflicts it is in there.
func (e *Engine) Reschedule(ctx context.Context, actor models.Person, id int64, start, end time.Time) (models.Deployment, []models.Conflict, error) {
	return e.changeChecked(ctx, actor, id, ActReschedule, func(q store.Q, d *models.Deployment) error {
		return e.reschedule(ctx, q, actor, d, start, end)
	})
}

// RescheduleSuggested moves a planned deployment to the earliest conflict-free slot.
func (e *Engine) RescheduleSuggested(ctx context.Context, actor models.Person, id int64) (models.Deployment, []models.Conflict, error) {
	return e.changeChecked(ctx, actor, id, ActReschedule, func(q store.Q, d *models.Deployment) error {
		sug, err := e.suggest(ctx, q, *d)
		if err != nil {
			return err
		}
		if len(sug.Slots) == 0 {
			return models.Conflictf("no conflict-free slot for #%d within %d days", id, int(schedule.Horizon.Hours()/24))
		}
		return e.reschedule(ctx, q, actor, d, sug.Slots[0].Start, sug.Slots[0].End)
	})
}

// changeChecked is change, then a conflict check of the result in the same transaction.
func (e *Engine) changeChecked(ctx context.Context, actor models.Person, id int64, a Action,
	fn func(q store.Q, d *models.Deployment) error) (models.Deployment, []models.Conflict, error) {
	var conflicts []models.Conflict
	d, err := e.change(ctx, actor, id, a, func(q store.Q, d *models.Deployment) error {
		if err := fn(q, d); err != nil {
			return err
		}
		after, err := q.Deployment(ctx, id)
		if err != nil {
			return err
		}
		conflicts, err = e.check(ctx, q, after)
		return err
	})
	return d, conflicts, err
}

func (e *Engine) reschedule(ctx context.Context, q store.Q, actor models.Person, d *models.Deployment, start, end time.Time) error {
	if d.Status != models.StatusPlanned {
		return models.Conflictf("deployment #%d is %s; only planned deployments can be rescheduled", d.ID, d.Status)
	}
	if end.IsZero() {
		end = start.Add(d.ScheduledEnd.Sub(d.ScheduledStart))
	}
	if !end.After(start) {
		return models.Invalidf("end %s is not after start %s", e.Local(end), e.Local(start))
	}
	start, end = start.UTC().Truncate(time.Second), end.UTC().Truncate(time.Second)
	if err := q.SetSchedule(ctx, d.ID, start, end, e.Now()); err != nil {
		return err
	}
	return q.AddEvent(ctx, e.event(d.ID, actor, EventRescheduled, fmt.Sprintf("%s → %s",
		e.window(d.ScheduledStart, d.ScheduledEnd), e.window(start, end))))
}

// Assign gives a deployment that has not finished to another person, and returns the
// conflicts it is in afterwards.
func (e *Engine) Assign(ctx context.Context, actor models.Person, id int64, person string) (models.Deployment, []models.Conflict, error) {
	if err := e.checkAssignee(person); err != nil {
		return models.Deployment{}, nil, err
	}
	return e.changeChecked(ctx, actor, id, ActAssign, func(q store.Q, d *models.Deployment) error {
		if d.Status.Final() {
			return models.Conflictf("deployment #%d is %s; it can no longer be reassigned", id, d.Status)
		}
		if d.Assignee == person {
			return models.Invalidf("deployment #%d is already assigned to %s", id, person)
		}
		if err := q.SetAssignee(ctx, id, person, e.Now()); err != nil {
			return err
		}
		return q.AddEvent(ctx, e.event(id, actor, EventAssigned, AssignedText(d.Assignee, person)))
	})
}

// Cancel ends a deployment that has not finished; a reason is required for the record.
func (e *Engine) Cancel(ctx context.Context, actor models.Person, id int64, reason string) (models.Deployment, error) {
	if strings.TrimSpace(reason) == "" {
		return models.Deployment{}, models.Invalidf("a reason is needed to cancel a deployment")
	}
	return e.Move(ctx, actor, id, models.StatusCancelled, reason)
}

// Advance moves a running or planned deployment to its next lifecycle stage, once every
// required step of the current stage is done.
func (e *Engine) Advance(ctx context.Context, actor models.Person, id int64, note string) (models.Deployment, error) {
	d, err := e.st.Read().Deployment(ctx, id)
	if err != nil {
		return d, err
	}
	next := d.Status.Next()
	if next == "" {
		return d, models.Conflictf("deployment #%d is %s; there is no next stage", id, d.Status)
	}
	return e.Move(ctx, actor, id, next, note)
}

// Move takes a deployment from its status to another, if the lifecycle allows it,
// and records the move.
func (e *Engine) Move(ctx context.Context, actor models.Person, id int64, to models.Status, note string) (models.Deployment, error) {
	act := ActRun
	if to == models.StatusCancelled {
		act = ActCancel
	}
	d, err := e.change(ctx, actor, id, act, func(q store.Q, d *models.Deployment) error {
		return e.move(ctx, q, actor, d, to, note)
	})
	if err == nil && to == models.StatusCancelled {
		stopRunsHere(e.st, id, errCancelled) // a run in this process stops at once
	}
	return d, err
}

// move does Move's work inside the caller's write transaction; d is the deployment as
// loaded in it.
func (e *Engine) move(ctx context.Context, q store.Q, actor models.Person, d *models.Deployment, to models.Status, note string) error {
	id := d.ID
	from := d.Status
	if !from.CanMove(to) {
		return models.Conflictf("deployment #%d cannot go from %s to %s%s", id, from, to, allowedHint(from))
	}
	if stage := from.Stage(); stage != "" && to == from.Next() {
		if err := requireStageDone(ctx, q, *d, stage); err != nil {
			return err
		}
	}
	now := e.Now()
	started, finished := d.StartedAt, d.FinishedAt
	if from == models.StatusPlanned && to.Running() {
		started = now
	}
	if to.Final() {
		finished = now
	}
	if err := q.SetStatus(ctx, id, to, started, finished, now); err != nil {
		return err
	}
	typ := EventStatus
	if to == models.StatusCancelled {
		typ = EventCancelled
	}
	return q.AddEvent(ctx, e.event(id, actor, typ, StatusText(from, to, note)))
}

// allowedHint lists where a deployment may go from s, for refusals.
func allowedHint(s models.Status) string {
	if s.Final() {
		return " (it has finished)"
	}
	var to []string
	for _, t := range models.Statuses {
		if s.CanMove(t) {
			to = append(to, string(t))
		}
	}
	return " (from " + string(s) + " it can go to " + strings.Join(to, ", ") + ")"
}

// requireStageDone refuses to leave a stage while a required step in it is not done.
func requireStageDone(ctx context.Context, q store.Q, d models.Deployment, stage models.Stage) error {
	runs, err := q.StepRuns(ctx, d)
	if err != nil {
		return err
	}
	var open []string
	for _, r := range runs {
		if r.Step.Stage == stage && r.Step.Required && r.Status != models.StepDone && r.Status != models.StepSkipped {
			open = append(open, fmt.Sprintf("%d %q (%s)", r.Seq, r.Step.Name, r.Status))
		}
	}
	if len(open) > 0 {
		return models.Conflictf("deployment #%d: %s is not complete; still open: %s",
			d.ID, stage.Title(), strings.Join(open, ", "))
	}
	return nil
}

// TickStep marks a manual checklist item done, with an optional note.
func (e *Engine) TickStep(ctx context.Context, actor models.Person, id int64, seq int, note string) (models.Deployment, error) {
	return e.change(ctx, actor, id, ActTick, func(q store.Q, d *models.Deployment) error {
		r, err := stepRun(ctx, q, *d, seq)
		if err != nil {
			return err
		}
		if r.Step.Kind != models.StepManual {
			return models.Invalidf("step %d %q is %s, not a checklist item", seq, r.Step.Name, r.Step.Kind)
		}
		if d.Status.Stage() != r.Step.Stage {
			return models.Conflictf("step %d %q belongs to %s; deployment #%d is %s",
				seq, r.Step.Name, r.Step.Stage.Title(), id, d.Status)
		}
		if r.Status == models.StepDone {
			return models.Conflictf("step %d %q was already ticked by %s at %s", seq, r.Step.Name, r.Actor, e.Local(r.At))
		}
		r.Status, r.Actor, r.At, r.Note = models.StepDone, actor.Name, e.Now(), strings.TrimSpace(note)
		if err := q.SetStepRun(ctx, r, e.Now()); err != nil {
			return err
		}
		return q.AddEvent(ctx, e.event(id, actor, EventStep, TickedText(seq, r.Step.Name, r.Note)))
	})
}

func stepRun(ctx context.Context, q store.Q, d models.Deployment, seq int) (models.StepRun, error) {
	runs, err := q.StepRuns(ctx, d)
	if err != nil {
		return models.StepRun{}, err
	}
	if seq < 1 || seq > len(runs) {
		return models.StepRun{}, models.NotFoundf("deployment #%d has no step %d (it has %d)", d.ID, seq, len(runs))
	}
	return runs[seq-1], nil
}
