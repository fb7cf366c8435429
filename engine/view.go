package engine

import (
	"context"

	"ferry/engine/schedule"
	"ferry/models"
	"ferry/store"
)

// ViewRequest says what a screen shows of one deployment besides its run state.
type ViewRequest struct {
	Record  bool                 // its record: steps, events, incidents and conflicts
	Tails   int                  // the last Tails lines of each automated step's newest attempt
	Output  *models.OutputFilter // output lines, e.g. those after the last one the screen holds
	Suggest bool                 // for a planned deployment: the free slot nearest its start, and who is free
}

// DeploymentView is what a screen shows of one deployment, read in one snapshot so
// that its parts agree with each other.
type DeploymentView struct {
	Detail                                 // with Record
	Run        RunState                    // always
	Approve    error                       // nil: the reader may approve the gate it waits at
	Reject     error                       // nil: the reader may reject it
	Tails      map[int][]models.OutputLine // with Tails, by step seq
	Output     []models.OutputLine         // with Output
	Suggestion schedule.Suggestion         // with Suggest, for a planned deployment
	Free       []models.Person             // with Suggest, for a planned deployment
	// For a planned deployment: the controls a start would break now, and whether
	// the reader may start it anyway, with a reason (a manager's override).
	StartBreaks []Break
	MayOverride bool
	// With Record: the block on its component's version, nil when none. A page
	// shows it, and offers to lift it, on any deployment of that version: a
	// failed one is where a bad version is usually found.
	Block *models.BlockedVersion
}

// View reads what req asks of deployment id, if actor may see it, in one read
// transaction: one call per screen refresh, whatever writers do meanwhile.
func (e *Engine) View(ctx context.Context, actor models.Person, id int64, req ViewRequest) (DeploymentView, error) {
	var v DeploymentView
	err := e.readable(ctx, actor, id, func(q store.Q, d models.Deployment) error {
		var err error
		v.Deployment = d
		if req.Record {
			if v.Detail, err = e.detail(ctx, q, d); err != nil {
				return err
			}
			b, blocked, err := q.Blocked(ctx, d.Component, d.Version)
			if err != nil {
				return err
			}
			if blocked {
				v.Block = &b
			}
		}
		if v.Run, err = e.runState(ctx, q, d); err != nil {
			return err
		}
		if w := v.Run.Waiting; w != nil && w.Kind == WaitApproval {
			v.Approve, v.Reject = e.gateRules(ctx, q, actor, d)
		}
		if v.Tails, err = tails(ctx, q, v.Run, req.Tails); err != nil {
			return err
		}
		if req.Output != nil {
			f := *req.Output
			f.DeploymentID = id
			if v.Output, err = q.Output(ctx, f); err != nil {
				return err
			}
		}
		if d.Status == models.StatusPlanned {
			if v.StartBreaks, err = e.startBreaks(ctx, q, d); err != nil {
				return err
			}
			v.MayOverride = Can(actor, ActOverride, &d) == nil
		}
		if req.Suggest && d.Status == models.StatusPlanned {
			// A week either side here; the whole horizon, when nothing there is
			// free, in a snapshot of its own read in parts, as Suggest does.
			if v.Suggestion, err = e.suggestWithin(ctx, []store.Q{q}, d, firstReach, nil); err != nil {
				return err
			}
			v.Free, err = e.freePeople(ctx, q, d)
		}
		return err
	})
	if err == nil && req.Suggest && v.Deployment.Status == models.StatusPlanned && len(v.Suggestion.Slots) == 0 {
		v.Suggestion, err = e.suggestPass(ctx, actor, id, schedule.Horizon)
	}
	return v, err
}

// tails reads the last n lines of each automated step's newest attempt.
func tails(ctx context.Context, q store.Q, run RunState, n int) (map[int][]models.OutputLine, error) {
	if n <= 0 {
		return nil, nil
	}
	out := map[int][]models.OutputLine{}
	for _, s := range append(append([]StepState{}, run.Steps...), run.OnFailure...) {
		a, ok := s.Last()
		if !ok || a.Lines == 0 {
			continue
		}
		lines, err := q.Output(ctx, models.OutputFilter{DeploymentID: run.Deployment.ID, Seq: s.Seq, Attempt: a.Attempt,
			Limit: n, Tail: true})
		if err != nil {
			return nil, err
		}
		out[s.Seq] = lines
	}
	return out, nil
}
