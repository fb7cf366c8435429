package engine

import (
	"cmp"
	"context"
	"slices"
	"time"

	"ferry/models"
	"ferry/store"
)

// Timeline is what the schedule screen draws for [From, To): every deployment that
// overlaps it, each environment's freeze and maintenance windows, and which
// deployments are in an open conflict.
type Timeline struct {
	From, To    time.Time
	Deployments []models.Deployment // by start; every status, so the past shows too
	Windows     []TimelineWindow    // by environment, then start
	Conflicted  map[int64][]models.Conflict
	Interrupted map[int64]bool // running ones whose runner died: they wait for a person
	Truncated   bool           // more deployments overlap than were loaded
}

// TimelineWindow is one occurrence of a freeze or maintenance window.
type TimelineWindow struct {
	Environment string
	Kind        string // "freeze" or "maintenance"
	Name        string
	models.Interval
}

// timelineLimit bounds how many deployments one view loads.
const timelineLimit = 5000

// Timeline loads the schedule for [from, to). Technicians see only their own work.
func (e *Engine) Timeline(ctx context.Context, actor models.Person, from, to time.Time) (Timeline, error) {
	tl := Timeline{From: from, To: to, Conflicted: map[int64][]models.Conflict{}}
	if err := Can(actor, ActRead, nil); err != nil && !onlyOwn(actor) {
		return tl, err
	}
	err := e.st.Snapshot(ctx, func(q store.Q) error { return e.timeline(ctx, q, actor, &tl) })
	return tl, err
}

func (e *Engine) timeline(ctx context.Context, q store.Q, actor models.Person, tl *Timeline) error {
	from, to := tl.From, tl.To
	// A deployment that started before from can still be running into the view; a
	// window longer than a week is not a deployment anyone plans.
	f := models.Filter{From: from.Add(-7 * 24 * time.Hour), To: to, Oldest: true, Limit: timelineLimit}
	if onlyOwn(actor) {
		f.Assignee = actor.Name
	}
	list, err := q.Deployments(ctx, f)
	if err != nil {
		return err
	}
	tl.Truncated = len(list) == timelineLimit
	view := models.Interval{Start: from, End: to}
	for _, d := range list {
		if d.Window().Overlaps(view) {
			tl.Deployments = append(tl.Deployments, d)
		}
	}
	for _, env := range e.cfg.Environments {
		for _, w := range env.Freeze {
			for _, occ := range w.Occurrences(from, to, e.Location()) {
				tl.Windows = append(tl.Windows, TimelineWindow{env.Name, string(models.ConflictFreeze), w.Name, occ})
			}
		}
		for _, w := range env.Maintenance {
			for _, occ := range w.Occurrences(from, to, e.Location()) {
				tl.Windows = append(tl.Windows, TimelineWindow{env.Name, string(models.ConflictMaintenance), w.Name, occ})
			}
		}
	}
	slices.SortStableFunc(tl.Windows, func(a, b TimelineWindow) int {
		return cmp.Or(cmp.Compare(e.envOrder(a.Environment), e.envOrder(b.Environment)), a.Start.Compare(b.Start))
	})
	cs, err := e.conflicts(ctx, q, actor, ConflictFilter{OpenOnly: true})
	if err != nil {
		return err
	}
	for _, c := range cs {
		for _, id := range c.IDs {
			tl.Conflicted[id] = append(tl.Conflicted[id], c)
		}
	}
	var running []int64
	for _, d := range tl.Deployments {
		if d.Status.Running() {
			running = append(running, d.ID)
		}
	}
	tl.Interrupted, err = q.Interrupted(ctx, running)
	return err
}

// envOrder is an environment's place on the promotion path.
func (e *Engine) envOrder(name string) int {
	env, _ := e.cfg.Environment(name)
	return env.Order
}
