package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ferry/models"
	"ferry/store"
)

// AddIncident records a disruption linked to a deployment, and says so in the
// deployment's record, in one transaction. Managers and practitioners may.
func (e *Engine) AddIncident(ctx context.Context, actor models.Person, id int64, opened, resolved time.Time, summary string) (models.Incident, error) {
	if err := models.CheckText("summary", summary); err != nil { // a paste gone wrong, not an account
		return models.Incident{}, err
	}
	in := models.Incident{DeploymentID: id, OpenedAt: opened.UTC().Truncate(time.Second),
		ResolvedAt: resolved.UTC().Truncate(time.Second), Summary: strings.TrimSpace(summary)}
	if err := Can(actor, ActIncident, nil); err != nil {
		return in, err
	}
	if in.OpenedAt.After(e.Now()) {
		return in, models.Invalidf("--opened: %s is in the future", e.Local(in.OpenedAt))
	}
	switch {
	case in.Summary == "":
		return in, models.Invalidf("%s", NeedIncidentSummary)
	case in.OpenedAt.IsZero():
		return in, models.Invalidf("an incident needs the time it was opened")
	case !in.ResolvedAt.IsZero() && in.ResolvedAt.Before(in.OpenedAt):
		// The same minute may do: an incident opened and resolved at once ("now", "now").
		return in, models.Invalidf("--resolved: %s is before it was opened (%s)", e.Local(in.ResolvedAt), e.Local(in.OpenedAt))
	}
	err := e.st.Write(ctx, func(q store.Q) error {
		d, err := q.Deployment(ctx, id)
		if err != nil {
			return err
		}
		if err := e.incidentFits(d, in); err != nil {
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

// incidentFits: an incident is one a deployment caused, so the deployment has started
// and the incident opened once it had: one recorded against a plan, or before its
// start, would count in its metrics (failure rate, time to restore) for nothing it did.
func (e *Engine) incidentFits(d models.Deployment, in models.Incident) error {
	switch err := WhyNoIncident(d); {
	case err != nil:
		return err
	case in.OpenedAt.Before(d.StartedAt.Truncate(time.Minute)): // a person writes minutes
		return models.Invalidf("opened %s is before #%d started (%s)", e.Local(in.OpenedAt), d.ID, e.Local(d.StartedAt))
	}
	return nil
}

// WhyNoIncident says why no incident can be recorded against d (it has not started),
// or nil: the rule the console's i and every other way share.
func WhyNoIncident(d models.Deployment) error {
	if d.StartedAt.IsZero() {
		return models.Invalidf("#%d has not started (it is %s): an incident is recorded against a deployment that ran", d.ID, d.Status)
	}
	return nil
}

// IncidentChange is a change to an incident; nil fields stay as they are.
type IncidentChange struct {
	Summary  *string
	Resolved *time.Time // when it was resolved (the zero time: open again)
	// Resolve says the change resolves an open incident ('incident resolve'): one
	// resolved already is refused, not moved to the new time, which would change its
	// time to restore unseen (an update's --resolved changes it, saying so).
	Resolve bool
	Note    string // why, for the record
}

// sized refuses a summary or note of the change longer than models.MaxText.
func (ch IncidentChange) sized() error {
	if ch.Summary != nil {
		if err := models.CheckText("summary", *ch.Summary); err != nil {
			return err
		}
	}
	return models.CheckText("note", ch.Note)
}

// UpdateIncident changes an incident's summary or resolution, and says so in its
// deployment's record, in one transaction. Managers and practitioners may.
func (e *Engine) UpdateIncident(ctx context.Context, actor models.Person, incidentID int64, ch IncidentChange) (models.Incident, error) {
	var in models.Incident
	if err := ch.sized(); err != nil {
		return in, err
	}
	err := e.st.Write(ctx, func(q store.Q) error {
		var err error
		if in, err = q.Incident(ctx, incidentID); err != nil {
			return err
		}
		d, err := q.Deployment(ctx, in.DeploymentID)
		if err != nil {
			return err
		}
		if err := Can(actor, ActIncident, &d); err != nil {
			return err
		}
		detail, err := e.changeIncident(&in, ch)
		if err != nil {
			return err
		}
		if err := q.SetIncident(ctx, in); err != nil {
			return err
		}
		return q.AddEvent(ctx, e.event(ctx, in.DeploymentID, actor, EventIncident, detail))
	})
	return in, err
}

// changeIncident applies ch to in and says what changed.
func (e *Engine) changeIncident(in *models.Incident, ch IncidentChange) (string, error) {
	var did []string
	if ch.Summary != nil {
		s := strings.TrimSpace(*ch.Summary)
		if s == "" {
			return "", models.Invalidf("%s", NeedIncidentSummary)
		}
		if s != in.Summary {
			did, in.Summary = append(did, "summary now: "+s), s
		}
	}
	if ch.Resolve && !in.ResolvedAt.IsZero() {
		return "", models.Conflictf("incident %d was already resolved at %s; to change when, 'ferry incident update %d --resolved T'",
			in.ID, e.Local(in.ResolvedAt), in.ID)
	}
	if ch.Resolved != nil {
		at := ch.Resolved.UTC().Truncate(time.Second)
		switch {
		case !at.IsZero() && at.Before(in.OpenedAt):
			return "", models.Invalidf("resolved %s is before it was opened (%s)", e.Local(at), e.Local(in.OpenedAt))
		case at.After(e.Now()):
			return "", models.Invalidf("resolved %s is in the future", e.Local(at))
		case at.IsZero():
			did = append(did, "open again")
		default:
			did = append(did, "resolved "+e.Local(at))
		}
		in.ResolvedAt = at
	}
	if len(did) == 0 {
		return "", models.Invalidf("incident %d already is as asked: nothing changed", in.ID)
	}
	s := fmt.Sprintf("incident %d: %s", in.ID, strings.Join(did, "; "))
	if note := strings.TrimSpace(ch.Note); note != "" {
		s += " (" + note + ")"
	}
	return s, nil
}

// Incidents lists incidents across the deployments actor may see, newest first;
// openOnly keeps those not resolved.
func (e *Engine) Incidents(ctx context.Context, actor models.Person, openOnly bool) ([]models.Incident, error) {
	var out []models.Incident
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		all, err := q.AllIncidents(ctx, openOnly, 500)
		for _, in := range all {
			d, derr := q.Deployment(ctx, in.DeploymentID)
			if derr == nil && Can(actor, ActRead, &d) == nil {
				out = append(out, in)
			}
		}
		return err
	})
	return out, err
}
