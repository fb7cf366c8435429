package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"ferry/engine/schedule"
	"ferry/models"
	"ferry/store"
)

// Conflicts are kept current in the database rather than found again by every
// reader: the console's first frame and `ferry conflicts` read them (at 100,000
// planned deployments, detecting them all costs a few hundred milliseconds). Every
// write transaction ends by refreshing the neighbourhood of the deployments it
// changed (store triggers note them, so no write path can forget); a change of the
// rules they follow (the configuration, or this code) recomputes them all.

// conflictBasis is a hash of everything besides the plans and their history that
// detection depends on.
func (e *Engine) conflictBasis() string {
	type envRules struct {
		Name        string
		Order       int
		Capacity    int
		RequireMW   bool
		Freeze      []string
		Maintenance []string
	}
	type componentRules struct {
		Name      string
		DependsOn []string
	}
	type modelRules struct {
		Name     string
		Path     []string
		Parallel bool
	}
	var rules struct {
		Detector   string
		Zone       string
		Envs       []envRules
		Models     []modelRules
		Components []componentRules
	}
	rules.Detector, rules.Zone = schedule.Version, e.cfg.Location.String()
	for _, env := range e.cfg.Environments {
		r := envRules{Name: env.Name, Order: env.Order, Capacity: env.Capacity, RequireMW: env.RequireMaintenanceWindow}
		for _, w := range env.Freeze {
			r.Freeze = append(r.Freeze, w.Name+"="+w.String())
		}
		for _, w := range env.Maintenance {
			r.Maintenance = append(r.Maintenance, w.Name+"="+w.String())
		}
		rules.Envs = append(rules.Envs, r)
	}
	for _, m := range e.cfg.Models {
		rules.Models = append(rules.Models, modelRules{m.Name, m.Path, m.ParallelEnvironments})
	}
	for name, deps := range e.depends {
		rules.Components = append(rules.Components, componentRules{name, deps})
	}
	slices.SortFunc(rules.Components, func(a, b componentRules) int { return cmpString(a.Name, b.Name) })
	slices.SortFunc(rules.Envs, func(a, b envRules) int { return cmpString(a.Name, b.Name) })
	slices.SortFunc(rules.Models, func(a, b modelRules) int { return cmpString(a.Name, b.Name) })
	data, _ := json.Marshal(rules)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:12])
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// keepConflicts brings the stored conflicts up to date with what the open engine
// knows, when they were computed under other rules (or never), in one write.
func (e *Engine) keepConflicts(ctx context.Context) error {
	basis, err := e.st.Read().ConflictBasis(ctx)
	if err != nil || basis == e.rules {
		return err
	}
	return e.st.Write(ctx, func(q store.Q) error { return e.recomputeConflicts(ctx, q) })
}

// recomputeConflicts detects every conflict and stores them as the current ones.
func (e *Engine) recomputeConflicts(ctx context.Context, q store.Q) error {
	_, cs, err := e.detect(ctx, q)
	if err != nil {
		return err
	}
	return q.ReplaceConflicts(ctx, e.rules, cs)
}

// beforeCommit ends every write transaction: the conflicts of what it changed are
// refreshed. A bulk load (basis "") is left to the next engine that opens; stored
// conflicts another configuration computed are recomputed under this one.
func (e *Engine) beforeCommit(ctx context.Context, q store.Q) error {
	basis, err := q.ConflictBasis(ctx)
	switch {
	case err != nil || basis == "":
		return err
	case basis != e.rules:
		return e.recomputeConflicts(ctx, q)
	}
	dirty, err := q.TakeDirty(ctx)
	if err != nil || len(dirty) == 0 {
		return err
	}
	return e.refreshConflicts(ctx, q, dirty)
}

// refreshConflicts replaces the stored conflicts that a change could alter:
//   - every conflict of the changed deployments: each is checked against its own
//     neighbourhood, which gives exactly what full detection finds for it;
//   - every conflict of the other plans of their versions (promotion asks whether one
//     went first) and of those that wait for them (dependency): checked the same way;
//   - the capacity conflicts of the plans that overlap, in their environment, where a
//     changed one was or is now: capacity counts them together, and nothing else of
//     theirs depends on the change (component and person conflicts are pairs, and a
//     pair with a changed deployment is among its own). One sweep of that stretch of
//     the environment finds them.
func (e *Engine) refreshConflicts(ctx context.Context, q store.Q, dirty []store.Dirty) error {
	var changed []int64
	for _, d := range dirty {
		if !slices.Contains(changed, d.ID) {
			changed = append(changed, d.ID)
		}
	}
	now, err := q.OpenByID(ctx, changed)
	if err != nil {
		return err
	}
	type stretch struct {
		env      string
		from, to time.Time
	}
	stretches := make([]stretch, 0, 2*len(dirty))
	var related []store.OpenItem // same version, or waiting for a changed one
	for _, d := range dirty {
		stretches = append(stretches, stretch{d.Environment, d.Start, d.End})
		peers, err := q.OpenOfVersion(ctx, d.Component, d.Version)
		if err != nil {
			return err
		}
		waiting, err := q.OpenAfter(ctx, d.ID)
		if err != nil {
			return err
		}
		related = append(append(related, peers...), waiting...)
	}
	for _, o := range now {
		stretches = append(stretches, stretch{o.Environment, o.Start, o.End})
		peers, err := q.OpenOfVersion(ctx, o.Component, o.Version)
		if err != nil {
			return err
		}
		related = append(related, peers...)
	}
	// Whole checks: the changed ones that are still unfinished, and their related plans.
	var whole []store.OpenItem
	for _, o := range append(now, related...) {
		if !slices.ContainsFunc(whole, func(w store.OpenItem) bool { return w.ID == o.ID }) {
			whole = append(whole, o)
		}
	}
	wholeIDs := slices.Clone(changed)
	for _, o := range whole {
		if !slices.Contains(wholeIDs, o.ID) {
			wholeIDs = append(wholeIDs, o.ID)
		}
	}
	if err := q.DropConflictsOf(ctx, wholeIDs, ""); err != nil {
		return err
	}
	// Capacity around each stretch.
	for _, s := range stretches {
		items, err := q.OpenOverlapping(ctx, s.env, s.from, s.to)
		if err != nil || len(items) == 0 {
			if err != nil {
				return err
			}
			continue
		}
		ids := make([]int64, len(items))
		for i, o := range items {
			ids[i] = o.ID
		}
		if err := q.DropConflictsOf(ctx, ids, models.ConflictCapacity); err != nil {
			return err
		}
		// The sweep needs everything that overlaps those plans, not only the stretch.
		from, to := items[0].Start, items[0].End
		for _, o := range items {
			from, to = minTime(from, o.Start), maxTime(to, o.End)
		}
		wide, err := q.OpenOverlapping(ctx, s.env, from, to)
		if err != nil {
			return err
		}
		plans := make([]schedule.Item, len(wide))
		for i := range wide {
			plans[i] = toItem(&wide[i])
		}
		var found []models.Conflict
		for _, c := range schedule.Capacity(plans, e.baseWorld()) {
			if slices.ContainsFunc(c.IDs, func(id int64) bool { return slices.Contains(ids, id) }) {
				found = append(found, c)
			}
		}
		if err := q.AddConflicts(ctx, found); err != nil {
			return err
		}
	}
	for i := range whole {
		cand := toItem(&whole[i])
		items, w, err := e.near(ctx, q, cand, cand.Start, cand.End, nil)
		if err != nil {
			return err
		}
		if err := q.AddConflicts(ctx, schedule.Check(cand, items, w)); err != nil {
			return err
		}
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// storedOrDetected is every current conflict: the stored ones when they were
// computed under this engine's rules, else detected now (a bulk load under way, a
// database this process may not write, another configuration). Heads reads the
// stored ones' heads alone (store.StoredConflictHeads).
func (e *Engine) storedOrDetected(ctx context.Context, q store.Q, heads bool) ([]models.Conflict, error) {
	basis, err := q.ConflictBasis(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case basis == e.rules && heads:
		return q.StoredConflictHeads(ctx)
	case basis == e.rules:
		return q.StoredConflicts(ctx)
	}
	_, cs, err := e.detect(ctx, q)
	return cs, err
}
