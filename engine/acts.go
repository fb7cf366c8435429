package engine

import (
	"context"
	"errors"
	"time"

	"ferry/models"
	"ferry/store"
)

// Outcome is where an act left a deployment: its state afterwards, what it waits for
// next, and what the act did. Every act a person can do to a deployment (tick, block,
// unblock, note, approve, run, resume, retry, fail, cancel, reschedule, assign)
// returns one, so the CLI, the console and SSH sessions report the same thing.
type Outcome struct {
	Deployment models.Deployment
	Did        string            // what the act did, in words (empty for a run)
	Waiting    *Waiting          // what a person must do before it can go on; nil when nothing
	Failure    string            // for a failed or rolled back deployment: what failed
	Conflicts  []models.Conflict // after a reschedule or an assignment: the conflicts it is in
	Carried    bool              // the act let the run carry on: automated steps ran after it
}

// Result is succeeded, failed, rolled_back or cancelled once the deployment has
// finished, planned before it starts, else waiting.
func (o Outcome) Result() string {
	switch {
	case o.Deployment.Status.Final():
		return string(o.Deployment.Status)
	case o.Deployment.Status == models.StatusPlanned:
		return string(models.StatusPlanned)
	}
	return "waiting"
}

// act does one act on one deployment: in one write transaction it loads the
// deployment, checks that actor may do a to it, runs fn (which says what it did) and
// works out what the deployment waits for now. With carry, an act that leaves a
// started deployment with nothing for a person to do and nobody running it carries
// the run on, as the actor, so that the automated steps that follow run: the rule
// lives here, not in each front end.
func (e *Engine) act(ctx context.Context, actor models.Person, id int64, a Action, carry bool, opts RunOptions,
	fn func(q store.Q, d *models.Deployment) (string, error)) (Outcome, error) {
	var out Outcome
	err := e.st.Write(ctx, func(q store.Q) error {
		d, err := q.Deployment(ctx, id)
		if err != nil {
			return err
		}
		if err := Can(actor, a, &d); err != nil {
			return err
		}
		before := d.Status
		if out.Did, err = fn(q, &d); err != nil {
			return err
		}
		if out.Deployment, err = q.Deployment(ctx, id); err != nil {
			return err
		}
		if out.Deployment.Status == before { // a move told its own (moveTo)
			if err := e.noticeWaiting(ctx, q, actor, out.Deployment); err != nil {
				return err
			}
		}
		out.Waiting, err = e.waitingNow(ctx, q, out.Deployment)
		return err
	})
	if err != nil || !carry || !e.carries(ctx, actor, out) {
		return out, err
	}
	opts.Resume = false // an interrupted step waits for a person's decision
	if opts.OnProgress != nil {
		opts.OnProgress(Progress{Kind: ProgressActed, At: time.Now(), DeploymentID: id, Detail: out.Did})
	}
	res, err := e.runWith(ctx, actor, id, opts, "carried on after "+out.Did, nil, nil)
	var busy *BusyError
	if errors.As(err, &busy) {
		return out, nil // another runner took it on meanwhile: it goes on there
	}
	res.Did, res.Carried = out.Did, true
	return res, err
}

// carries reports whether an act's outcome lets the run go on by itself.
func (e *Engine) carries(ctx context.Context, actor models.Person, o Outcome) bool {
	d := o.Deployment
	if d.Status.Stage() == "" || o.Waiting != nil || Can(actor, ActRun, &d) != nil {
		return false
	}
	return !e.runnerAlive(ctx, e.st.Read(), d.ID)
}

// runnerAlive reports whether a runner holds a valid lease on deployment id.
func (e *Engine) runnerAlive(ctx context.Context, q store.Q, id int64) bool {
	l, err := q.Lease(ctx, id)
	if err != nil {
		return false
	}
	gone, _ := leaseGone(l, time.Now(), e.Location())
	return !gone
}

// waitingNow is what a started deployment waits for a person to do, or nil when
// nothing (or a runner is at work on it: it decides what comes next).
func (e *Engine) waitingNow(ctx context.Context, q store.Q, d models.Deployment) (*Waiting, error) {
	stage := d.Status.Stage()
	if stage == "" || e.runnerAlive(ctx, q, d.ID) {
		return nil, nil
	}
	// What comes next is decided by the first open run of the stage: read no more.
	var n next
	for r, err := range q.OpenStepRuns(ctx, d) {
		if err != nil {
			return nil, err
		}
		if n = nextInStage(stage, []models.StepRun{r}, false); n != (next{}) {
			break
		}
	}
	if n.wait == nil {
		return nil, nil
	}
	m, err := q.DeploymentModel(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	return e.describeWait(d, m, n.wait), nil
}
