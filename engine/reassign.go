package engine

import (
	"context"

	"ferry/models"
	"ferry/store"
)

// FreePeople lists who could take a deployment over: people who may carry out
// deployments (technicians for hardware, practitioners and managers for the rest; a
// technician also for what is already a technician's) and who have no other
// unfinished deployment overlapping its window.
func (e *Engine) FreePeople(ctx context.Context, actor models.Person, id int64) ([]models.Person, error) {
	var out []models.Person
	err := e.readable(ctx, actor, id, func(q store.Q, d models.Deployment) error {
		var err error
		out, err = e.freePeople(ctx, q, d)
		return err
	})
	return out, err
}

func (e *Engine) freePeople(ctx context.Context, q store.Q, d models.Deployment) ([]models.Person, error) {
	busy := map[string]bool{}
	open, err := q.OpenItems(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range open {
		if o.ID != d.ID && o.Assignee != "" && o.Start.Before(d.ScheduledEnd) && d.ScheduledStart.Before(o.End) {
			busy[o.Assignee] = true
		}
	}
	want := []models.Role{models.RolePractitioner, models.RoleManager}
	if d.Kind == models.KindHardware {
		want = []models.Role{models.RoleTechnician}
	}
	var out []models.Person
	for _, p := range e.cfg.People {
		if p.Name == d.Assignee || busy[p.Name] || !hasAny(p, want) {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

func hasAny(p models.Person, roles []models.Role) bool {
	for _, r := range roles {
		if p.Has(r) {
			return true
		}
	}
	return false
}
