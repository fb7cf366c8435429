package demo

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"ferry/models"
	"ferry/store"
)

// row is one deployment with everything recorded about it.
type row struct {
	d      models.Deployment
	mvID   int64
	steps  []stepRow
	events []models.Event
	atts   []models.Attempt // the rollback's attempts: seq after the steps'
	inc    *models.Incident
	rev    *models.Review
	finds  []models.Finding // what its start broke, kept as the engine keeps it
	over   *startOver       // a manager's override at its start, kept once it has its ID
}

type stepRow struct {
	seq     int
	status  models.StepStatus
	actor   string
	at      int64
	note    string
	exit    int
	hasExit bool
}

type sortKey struct {
	start int64
	order uint32
	idx   int32 // into recs; negative: -1-index into specials
}

// sortKeys keeps the newest history records that leave room for the special ones and
// orders everything by scheduled start: the position is the id.
func (g *gen) sortKeys() []sortKey {
	keys := make([]sortKey, 0, len(g.recs)+len(g.specials))
	for i := range g.recs {
		keys = append(keys, sortKey{g.recs[i].start, g.recs[i].order, int32(i)})
	}
	byStart := func(a, b sortKey) int { return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.order, b.order)) }
	slices.SortFunc(keys, byStart)
	if h := g.total - len(g.specials); len(keys) > h {
		keys = keys[len(keys)-h:]
	}
	for i, sp := range g.specials {
		keys = append(keys, sortKey{sp.d.ScheduledStart.Unix(), math.MaxUint32 - uint32(len(g.specials)-i), int32(-1 - i)})
	}
	slices.SortFunc(keys, byStart)
	return keys
}

type batch struct {
	deps   []models.Deployment
	mvIDs  []int64
	steps  []stepRow
	stepOf []int64 // deployment id of each step row
	events []models.Event
	atts   []models.Attempt
	incs   []models.Incident
	revs   []models.Review
	finds  []models.Finding
}

// add appends a row, with its deployment id on every part.
func (b *batch) add(r *row) {
	b.deps = append(b.deps, r.d)
	b.mvIDs = append(b.mvIDs, r.mvID)
	for _, s := range r.steps {
		b.steps = append(b.steps, s)
		b.stepOf = append(b.stepOf, r.d.ID)
	}
	for _, e := range r.events {
		e.DeploymentID = r.d.ID
		b.events = append(b.events, e)
	}
	for _, a := range r.atts {
		a.DeploymentID = r.d.ID
		b.atts = append(b.atts, a)
	}
	if r.inc != nil {
		in := *r.inc
		in.DeploymentID = r.d.ID
		b.incs = append(b.incs, in)
	}
	if r.rev != nil {
		rv := *r.rev
		rv.DeploymentID = r.d.ID
		b.revs = append(b.revs, rv)
	}
	for _, f := range r.finds {
		f.DeploymentID = r.d.ID
		b.finds = append(b.finds, f)
	}
}

// write expands the records batch by batch while the store writes the previous one.
func (g *gen) write(ctx context.Context, st *store.Store, keys []sortKey, basis store.Basis,
	progress func(done, total int)) (Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the expansion when a write fails
	batches := make(chan *batch, 2)
	go g.expandAll(ctx, keys, batches)
	var res Result
	err := st.Fill(ctx, basis, func() error {
		for b := range batches {
			if err := st.Bulk(ctx, func(bk *store.Bulk) error { return writeBatch(ctx, bk, b) }); err != nil {
				return fmt.Errorf("demo data: %w", err)
			}
			res.Deployments += len(b.deps)
			res.Steps += len(b.steps)
			res.Events += len(b.events)
			res.Incidents += len(b.incs)
			if progress != nil {
				progress(res.Deployments, len(keys))
			}
		}
		return ctx.Err()
	})
	if err != nil {
		return res, err
	}
	if res.Deployments != len(keys) {
		return res, fmt.Errorf("demo data: wrote %d of %d deployments", res.Deployments, len(keys))
	}
	return res, st.Optimize(ctx)
}

// expandAll sends the rows in batches, in id order, until ctx is done.
func (g *gen) expandAll(ctx context.Context, keys []sortKey, batches chan<- *batch) {
	defer close(batches)
	x := newExpander(g)
	var r row
	for lo := 0; lo < len(keys); lo += g.batch {
		b := &batch{}
		for i := lo; i < min(lo+g.batch, len(keys)); i++ {
			id := int64(i + 1)
			k := keys[i]
			if k.idx < 0 {
				sp := *g.specials[-1-k.idx]
				sp.d.ID = id
				if sp.over != nil {
					sp.finds = g.overFindings(&sp)
				}
				b.add(&sp)
				continue
			}
			x.expand(&g.recs[k.idx], id, &r)
			b.add(&r)
		}
		select {
		case batches <- b:
		case <-ctx.Done():
			return
		}
	}
}

// writeBatch writes one batch through the store's bulk writer.
func writeBatch(ctx context.Context, bk *store.Bulk, b *batch) error {
	if err := bk.Events(b.events); err != nil { // linked beside what follows
		return err
	}
	for i := range b.deps {
		if _, err := bk.Deployment(b.deps[i], b.mvIDs[i]); err != nil {
			return err
		}
	}
	for i, s := range b.steps {
		if err := bk.StepRun(s.run(b.stepOf[i])); err != nil {
			return err
		}
	}
	for _, a := range b.atts {
		if err := bk.Attempt(a); err != nil {
			return err
		}
	}
	for _, in := range b.incs {
		if err := bk.Incident(in); err != nil {
			return err
		}
	}
	for _, r := range b.revs {
		if err := bk.Review(r); err != nil {
			return err
		}
	}
	if len(b.finds) > 0 { // a few, in the last batch: the slower path of Q costs nothing
		if err := bk.Flush(); err != nil {
			return err
		}
		if err := bk.Q().AddFindings(ctx, b.finds); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// run is the step run of deployment id.
func (s stepRow) run(id int64) models.StepRun {
	r := models.StepRun{DeploymentID: id, Seq: s.seq, Status: s.status, Actor: s.actor, Note: s.note}
	if s.status == models.StepBlocked { // its note is the block's reason
		r.Note, r.BlockReason = "", s.note
	}
	if s.at != 0 {
		r.At = time.Unix(s.at, 0)
	}
	if s.hasExit {
		code := s.exit
		r.ExitCode = &code
	}
	return r
}
