package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"ferry/engine/notify"
	"ferry/models"
	"ferry/store"
)

// overdueWithin is how long after its window began a deployment not started is
// still told as overdue: older ones are stale plans, not news.
const overdueWithin = 24 * time.Hour

// freezeNotice is how long before a freeze begins freeze_ahead is told.
const freezeNotice = 24 * time.Hour

// ScanNotices raises the notices that time makes rather than an act: overdue (a
// planned deployment whose window began more than the adherence tolerance ago and
// that has not started), overrun (a running deployment past its scheduled end),
// freeze_ahead (a freeze that begins within a day, with what is planned inside it)
// and review_due (a failure left without a review for review_after).
// Each is raised once, by its key, however often the scan runs; it reads first and
// takes the write lock only when there is something new. It returns how many
// notices it raised.
func (e *Engine) ScanNotices(ctx context.Context) (int, error) {
	if !slices.ContainsFunc([]string{models.NotifyOverdue, models.NotifyOverrun, models.NotifyFreezeAhead, models.NotifyReviewDue},
		e.wantsNotice) {
		return 0, nil
	}
	var found []notice
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		var err error
		found, err = e.timeNotices(ctx, q)
		if err != nil || len(found) == 0 {
			return err
		}
		keys := make([]string, len(found))
		for i, n := range found {
			keys[i] = n.key
		}
		stored, err := q.EventsStored(ctx, keys)
		found = slices.DeleteFunc(found, func(n notice) bool { return stored[n.key] })
		return err
	})
	if err != nil || len(found) == 0 {
		return 0, err
	}
	err = e.st.Write(ctx, func(q store.Q) error {
		for _, n := range found {
			if err := e.raise(ctx, q, n); err != nil {
				return err
			}
		}
		return nil
	})
	return len(found), err
}

func (e *Engine) timeNotices(ctx context.Context, q store.Q) ([]notice, error) {
	now := e.Now()
	var out []notice
	if e.wantsNotice(models.NotifyOverdue) {
		late := now.Add(-e.cfg.AdherenceTolerance)
		ds, err := q.Deployments(ctx, models.Filter{Statuses: []models.Status{models.StatusPlanned},
			From: now.Add(-overdueWithin), To: late.Add(time.Second), Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			if d.ScheduledStart.After(late) {
				continue
			}
			out = append(out, e.deploymentNotice(models.NotifyOverdue,
				fmt.Sprintf("overdue:d%d:%d", d.ID, d.ScheduledStart.Unix()), d, "",
				fmt.Sprintf("%s has not started: its window began %s", what(d), e.Local(d.ScheduledStart)),
				fmt.Sprintf("Start it: ferry deploy run %d · move it: ferry deploy reschedule %d --start T", d.ID, d.ID)))
		}
	}
	if e.wantsNotice(models.NotifyOverrun) {
		running, err := q.Running(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range running {
			if now.Before(d.ScheduledEnd) {
				continue
			}
			out = append(out, e.deploymentNotice(models.NotifyOverrun,
				fmt.Sprintf("overrun:d%d:%d", d.ID, d.ScheduledEnd.Unix()), d, "",
				fmt.Sprintf("%s runs past its scheduled end %s", what(d), e.Local(d.ScheduledEnd)),
				fmt.Sprintf("It is %s; the overrun is recorded as a finding when it finishes.", d.Status.Words())))
		}
	}
	if e.wantsNotice(models.NotifyFreezeAhead) {
		ns, err := e.freezesAhead(ctx, q, now)
		if err != nil {
			return nil, err
		}
		out = append(out, ns...)
	}
	if e.wantsNotice(models.NotifyReviewDue) {
		ns, err := e.reviewsDueNotices(ctx, q, now)
		if err != nil {
			return nil, err
		}
		out = append(out, ns...)
	}
	return out, nil
}

// reviewDueWithin is how long after its review fell due a failure is still told as
// review_due: older ones wait in the inbox, not in people's mail.
const reviewDueWithin = 24 * time.Hour

// reviewsDueNotices is a review_due notice for each failure (or success with an
// incident) whose review fell due within the last day (review_after after it
// finished) and is not written: the inbox's review items, told once.
func (e *Engine) reviewsDueNotices(ctx context.Context, q store.Q, now time.Time) ([]notice, error) {
	due := now.Add(-e.cfg.ReviewAfter)
	ds, _, err := q.UnreviewedFailures(ctx, due.Add(-reviewDueWithin), due, "", 500)
	if err != nil {
		return nil, err
	}
	out := make([]notice, 0, len(ds))
	for _, d := range ds {
		out = append(out, e.deploymentNotice(models.NotifyReviewDue, fmt.Sprintf("review_due:d%d", d.ID), d, "",
			fmt.Sprintf("%s %s %s ago and waits for its review", what(d), reviewWhat(d),
				models.HumanDuration(now.Sub(d.FinishedAt).Truncate(time.Hour))),
			fmt.Sprintf("Review it: ferry review add %d --outcome … --lessons …", d.ID)))
	}
	return out, nil
}

// freezesAhead is a freeze_ahead notice for each freeze that begins within a day.
func (e *Engine) freezesAhead(ctx context.Context, q store.Q, now time.Time) ([]notice, error) {
	var out []notice
	for _, env := range e.cfg.Environments {
		for _, w := range env.Freeze {
			for _, occ := range w.Occurrences(now, now.Add(freezeNotice), e.Location()) {
				if !occ.Start.After(now) {
					continue // begun already
				}
				ds, err := q.Deployments(ctx, models.Filter{Environment: env.Name,
					Statuses: []models.Status{models.StatusPlanned}, To: occ.End, Limit: 500})
				if err != nil {
					return nil, err
				}
				ds = slices.DeleteFunc(ds, func(d models.Deployment) bool { return !d.ScheduledEnd.After(occ.Start) })
				slices.SortFunc(ds, func(a, b models.Deployment) int { return a.ScheduledStart.Compare(b.ScheduledStart) })
				out = append(out, e.freezeNotice(env.Name, w.Name, occ, ds))
			}
		}
	}
	return out, nil
}

func (e *Engine) freezeNotice(env, name string, occ models.Interval, ds []models.Deployment) notice {
	var b strings.Builder
	fmt.Fprintf(&b, "Freeze %q of %s: %s – %s.\n", name, env, e.Local(occ.Start), e.Local(occ.End))
	sum := fmt.Sprintf("Freeze %q of %s begins %s", name, env, e.Local(occ.Start))
	if len(ds) == 0 {
		sum += ": nothing is planned inside it"
		b.WriteString("Nothing is planned inside it.")
	} else {
		sum += fmt.Sprintf(": %d planned inside it", len(ds))
		b.WriteString("Planned inside it:\n")
		for _, d := range ds {
			fmt.Fprintf(&b, "  %s, %s (requester %s, assignee %s)\n", what(d), e.window(d.ScheduledStart, d.ScheduledEnd),
				orNobody(d.Requester), orNobody(d.Assignee))
		}
		b.WriteString("Move them: ferry freeze impact, then ferry freeze apply")
	}
	n := notice{typ: models.NotifyFreezeAhead, key: fmt.Sprintf("freeze_ahead:%s:%s:%d", env, name, occ.Start.Unix()),
		env: env, others: ds, summary: sum, text: strings.TrimRight(b.String(), "\n")}
	n.ev.Freeze = &notify.Freeze{Environment: env, Name: name, From: occ.Start, To: occ.End}
	n.ev.Deployments = make([]notify.Deployment, len(ds))
	for i, d := range ds {
		n.ev.Deployments[i] = *eventDeployment(d)
	}
	return n
}
