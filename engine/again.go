package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
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
		if err := e.notAgainYet(ctx, q, id); err != nil {
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
		if err := q.AddEvent(ctx, e.event(ctx, id, actor, EventAgain, fmt.Sprintf(againPrefix+"%d", d.ID))); err != nil {
			return err
		}
		out = Outcome{Deployment: d, Did: fmt.Sprintf("planned #%d to run #%d again", d.ID, id), Conflicts: cs}
		return nil
	})
	return out, err
}

// againPrefix begins the event that names a deployment's run again ("run again as
// #12"): the one Again writes on the deployment it runs again.
const againPrefix = "run again as #"

// notAgainYet refuses to run deployment id again while an earlier run again of it is
// not finished: the same failure was run again twice, two plans of one version in
// the same place, and nothing said so. Once that one ended, it may be run again.
func (e *Engine) notAgainYet(ctx context.Context, q store.Q, id int64) error {
	evs, err := q.Events(ctx, id)
	if err != nil {
		return err
	}
	for _, ev := range evs {
		n, ok := strings.CutPrefix(ev.Detail, againPrefix)
		if ev.Type != EventAgain || !ok {
			continue
		}
		again, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			continue
		}
		d, err := q.Deployment(ctx, again)
		if err != nil {
			return err
		}
		if !d.Status.Final() {
			return models.Conflictf("deployment #%d is run again already: #%d %s (see 'ferry deploy show %d'); "+
				"once that ends, it may be run again", id, again, d.Status.Phrase(), again)
		}
	}
	return nil
}
