package engine

import (
	"context"
	"strings"
	"time"

	"ferry/models"
	"ferry/store"
)

// AddIncident records a disruption linked to a deployment, and says so in the
// deployment's record, in one transaction. Managers and practitioners may.
func (e *Engine) AddIncident(ctx context.Context, actor models.Person, id int64, opened, resolved time.Time, summary string) (models.Incident, error) {
	in := models.Incident{DeploymentID: id, OpenedAt: opened.UTC().Truncate(time.Second),
		ResolvedAt: resolved.UTC().Truncate(time.Second), Summary: strings.TrimSpace(summary)}
	if err := Can(actor, ActIncident, nil); err != nil {
		return in, err
	}
	switch {
	case in.Summary == "":
		return in, models.Invalidf("an incident needs a summary")
	case in.OpenedAt.IsZero():
		return in, models.Invalidf("an incident needs the time it was opened")
	case !in.ResolvedAt.IsZero() && !in.ResolvedAt.After(in.OpenedAt):
		return in, models.Invalidf("resolved %s is not after opened %s", e.Local(in.ResolvedAt), e.Local(in.OpenedAt))
	}
	err := e.st.Write(ctx, func(q store.Q) error {
		d, err := q.Deployment(ctx, id)
		if err != nil {
			return err
		}
		if in.ID, err = q.AddIncident(ctx, in); err != nil {
			return err
		}
		if err := e.noticeIncident(ctx, q, actor, d, in); err != nil {
			return err
		}
		return q.AddEvent(ctx, e.event(ctx, id, actor, EventIncident, IncidentText(in, e.Location())))
	})
	return in, err
}
