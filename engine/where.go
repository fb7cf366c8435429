package engine

import (
	"context"
	"slices"

	"ferry/models"
	"ferry/store"
)

// WhereFilter narrows the environment matrix.
type WhereFilter struct {
	Service   string
	Component string
}

// Where is the environment matrix: which version of each component runs in each
// environment, and what is coming there.
type Where struct {
	Environments []string // in promotion order
	Rows         []WhereRow
}

// WhereRow is one component across the environments.
type WhereRow struct {
	Service   string
	Component string
	Kind      models.Kind
	Cells     []WhereCell // one per environment, in Where.Environments' order
}

// WhereCell is one component in one environment.
type WhereCell struct {
	Environment string
	// Current is the deployment that last succeeded there, nil when none did or the
	// last success was a removal (Removed then holds it).
	Current *models.Deployment
	Removed *models.Deployment
	// Next is the deployment running there, else the one planned first; nil if none.
	Next *models.Deployment
	// NextInterrupted: Next is running and a step of it was interrupted (its runner
	// died): it waits for a person to resume, retry or fail it.
	NextInterrupted bool
	// Differs: what is running or planned next would change what is there (another
	// version, a removal, or something where nothing is).
	Differs bool
	// OffPath: nothing is there, and no model takes the component's kind to the
	// environment: not a gap to fill ("nothing deployed" read as one).
	OffPath bool
	// Blocked and NextBlocked say why the version there, or the one coming, is
	// blocked ("by ana: corrupts the ledger"); "" when it is not.
	Blocked, NextBlocked string
}

// Version is what runs there, "" for nothing.
func (c WhereCell) Version() string {
	if c.Current == nil {
		return ""
	}
	return c.Current.Version
}

// Where reads the environment matrix from the state table kept with every status
// change (no scan of the history). Technicians, who see only their own work, may not.
func (e *Engine) Where(ctx context.Context, actor models.Person, f WhereFilter) (Where, error) {
	if err := Can(actor, ActRead, nil); err != nil {
		return Where{}, err
	}
	if err := e.checkWhereFilter(f); err != nil {
		return Where{}, err
	}
	q := e.st.Read()
	cells, err := q.EnvState(ctx, f.Component)
	if err != nil {
		return Where{}, err
	}
	blocks, err := q.BlockedVersions(ctx)
	if err != nil {
		return Where{}, err
	}
	w := e.matrix(f, cells)
	markBlocked(w, blockedIn(blocks))
	return w, markInterrupted(ctx, q, w)
}

// markInterrupted marks the cells whose running deployment waits after an
// interrupted step.
func markInterrupted(ctx context.Context, q store.Q, w Where) error {
	var ids []int64
	for _, r := range w.Rows {
		for _, c := range r.Cells {
			if c.Next != nil && c.Next.Status.Running() {
				ids = append(ids, c.Next.ID)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	stopped, err := q.Interrupted(ctx, ids)
	if err != nil {
		return err
	}
	for _, r := range w.Rows {
		for i := range r.Cells {
			if c := &r.Cells[i]; c.Next != nil {
				c.NextInterrupted = stopped[c.Next.ID]
			}
		}
	}
	return nil
}

// markBlocked marks the cells whose version, or coming version, is blocked.
func markBlocked(w Where, blocked func(c, v string) (string, bool)) {
	for _, r := range w.Rows {
		for i := range r.Cells {
			c := &r.Cells[i]
			if c.Current != nil {
				c.Blocked, _ = blocked(c.Current.Component, c.Current.Version)
			}
			if c.Next != nil && c.Next.Action != models.ActionRemove {
				c.NextBlocked, _ = blocked(c.Next.Component, c.Next.Version)
			}
		}
	}
}

func (e *Engine) checkWhereFilter(f WhereFilter) error {
	if f.Service != "" {
		if _, ok := e.cfg.Service(f.Service); !ok {
			return models.Invalidf("--service: unknown service %q", f.Service)
		}
	}
	if f.Component != "" {
		if _, ok := e.cfg.Component(f.Component); !ok {
			return models.Invalidf("--component: unknown component %q", f.Component)
		}
	}
	return nil
}

// matrix lays the state cells out: every component of the configuration (and any
// the history holds that it no longer declares), every environment in order.
func (e *Engine) matrix(f WhereFilter, cells []store.StateCell) Where {
	w := Where{Environments: e.cfg.EnvironmentNames()}
	byComp := map[string]map[string]store.StateCell{}
	for _, c := range cells {
		if byComp[c.Component] == nil {
			byComp[c.Component] = map[string]store.StateCell{}
		}
		byComp[c.Component][c.Environment] = c
	}
	comps := e.cfg.Components()
	for name := range byComp {
		if _, ok := e.cfg.Component(name); !ok {
			comps = append(comps, gone(name, byComp[name]))
		}
	}
	for _, comp := range comps {
		if (f.Service != "" && comp.Service != f.Service) || (f.Component != "" && comp.Name != f.Component) {
			continue
		}
		row := WhereRow{Service: comp.Service, Component: comp.Name, Kind: comp.Kind}
		for _, env := range w.Environments {
			c := cellOf(env, byComp[comp.Name][env])
			_, reached := e.modelFor(comp.Kind, env)
			c.OffPath = !reached && c.Current == nil && c.Removed == nil && c.Next == nil
			row.Cells = append(row.Cells, c)
		}
		w.Rows = append(w.Rows, row)
	}
	return w
}

// gone is a component the history holds that the configuration no longer declares.
func gone(name string, cells map[string]store.StateCell) models.Component {
	c := models.Component{Name: name}
	for _, cell := range cells {
		for _, d := range []*models.Deployment{cell.Current, cell.Next} {
			if d != nil {
				c.Service, c.Kind = d.Service, d.Kind
			}
		}
	}
	return c
}

func cellOf(env string, s store.StateCell) WhereCell {
	c := WhereCell{Environment: env, Current: s.Current, Next: s.Next}
	if c.Current != nil && c.Current.Action == models.ActionRemove {
		c.Current, c.Removed = nil, s.Current
	}
	if n := c.Next; n != nil {
		c.Differs = n.Action == models.ActionRemove && c.Current != nil ||
			n.Action != models.ActionRemove && n.Version != c.Version()
	}
	return c
}

// Cell is the row's cell in environment env.
func (r WhereRow) Cell(env string) (WhereCell, bool) {
	i := slices.IndexFunc(r.Cells, func(c WhereCell) bool { return c.Environment == env })
	if i < 0 {
		return WhereCell{}, false
	}
	return r.Cells[i], true
}
