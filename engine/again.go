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
		det := Detail{Deployment: old}
		if det.AgainOpen, err = againOpen(ctx, q, old); err != nil {
			return err
		}
		if err := WhyNoAgain(actor, det); err != nil {
			return err
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
			old.Status.Words()))); err != nil {
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

// ranAgainable: only a failed or rolled-back deployment is run again.
func ranAgainable(d models.Deployment) bool {
	return d.Status == models.StatusFailed || d.Status == models.StatusRolledBack
}

// againOpen is, for a failed or rolled-back d, an unfinished deployment of its
// version to its environment (planned or under way), nil when none or for any other
// d: its run again, a run again of that one, or one planned by hand. Running d again
// beside it made two plans of one version in one place.
func againOpen(ctx context.Context, q store.Q, d models.Deployment) (*models.Deployment, error) {
	if !ranAgainable(d) {
		return nil, nil
	}
	list, err := q.Deployments(ctx, models.Filter{Component: d.Component, Environment: d.Environment,
		Statuses: append([]models.Status{models.StatusPlanned}, models.UnderWay...), Oldest: true, Limit: 10_000})
	if err != nil {
		return nil, err
	}
	for _, o := range list {
		if o.Version == d.Version && o.Action == d.Action {
			return &o, nil
		}
	}
	return nil, nil
}

// WhyNoAgain is why actor may not run det again now, nil if they may: Again's rule,
// for a console to say before it asks for a start.
func WhyNoAgain(actor models.Person, det Detail) error {
	d := det.Deployment
	if !ranAgainable(d) {
		return models.Conflictf("deployment #%d %s; only a failed or rolled-back deployment is run again", d.ID, d.Status.Phrase())
	}
	if err := Can(actor, ActPlan, nil); err != nil {
		return err
	}
	if o := det.AgainOpen; o != nil {
		return models.Conflictf("#%d %s %s already (see 'ferry deploy show %d'); once it ends, #%d may be run again",
			o.ID, o.Move(), o.Status.Phrase(), o.ID, d.ID)
	}
	return nil
}
