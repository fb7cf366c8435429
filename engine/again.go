package engine

import (
	"context"
	"fmt"
	"time"

	"ferry/models"
	"ferry/store"
)

// Again plans a failed or rolled-back deployment anew: a new planned deployment with
// the same content (model, component, version, environment, people, change, urgency,
// length), starting at start. The failure stays final for the first; each record
// shows the link. The outcome is the new deployment and its conflicts.
func (e *Engine) Again(ctx context.Context, actor models.Person, id int64, start time.Time) (Outcome, error) {
	var out Outcome
	err := e.st.Write(ctx, func(q store.Q) error {
		old, err := q.Deployment(ctx, id)
		if err != nil {
			return err
		}
		if err := Can(actor, ActRead, &old); err != nil {
			return err
		}
		if old.Status != models.StatusFailed && old.Status != models.StatusRolledBack {
			return models.Conflictf("deployment #%d %s; only a failed or rolled-back deployment is run again", id, old.Status.Phrase())
		}
		r := PlanRequest{Model: old.Model, Component: old.Component, Version: old.Version, Environment: old.Environment,
			Action: old.Action, Start: start, Duration: old.ScheduledEnd.Sub(old.ScheduledStart), Assignee: old.Assignee,
			Requester: old.Requester, ChangeRef: old.ChangeRef, Urgency: old.Urgency, UrgencyReason: old.UrgencyReason}
		d, cs, err := e.plan(ctx, q, actor, r)
		if err != nil {
			return err
		}
		// Run again for its release, it counts in the release's status there: the
		// release stayed "partly failed" after its failed part succeeded again.
		if rel, ok, err := q.ReleaseOf(ctx, id); err != nil {
			return err
		} else if ok {
			if err := q.LinkRelease(ctx, rel, d.ID); err != nil {
				return err
			}
		}
		if err := q.AddEvent(ctx, e.event(ctx, d.ID, actor, EventAgain, fmt.Sprintf("run again of #%d, which %s", id,
			old.Status))); err != nil {
			return err
		}
		if err := q.AddEvent(ctx, e.event(ctx, id, actor, EventAgain, fmt.Sprintf("run again as #%d", d.ID))); err != nil {
			return err
		}
		out = Outcome{Deployment: d, Did: fmt.Sprintf("planned #%d to run #%d again", d.ID, id), Conflicts: cs}
		return nil
	})
	return out, err
}
