// Package demo fills a new database with a realistic, seeded history of deployments,
// for `ferry demo`: a year (up to 20,000 deployments) to three years (from 300,000) of
// deployments that end today, a few running now, and about three weeks of planned
// work, some of it in conflict.
//
// The same seed, config and Now always give the same rows. Generation runs in two
// passes: the first simulates releases moving through their model's path day by day
// and keeps a compact record per deployment; the records are then sorted by scheduled
// start (which gives the ids), and the second pass expands each record into its row,
// step runs, events and incident, from a random stream of its own, while the store
// writes the previous batch.
package demo

import (
	"context"
	"time"

	"ferry/engine/config"
	"ferry/models"
	"ferry/store"
)

// Options say how much to generate and from which seed.
type Options struct {
	Deployments int                   // total, default 20000, at least 100
	Seed        int64                 // default 1
	Now         time.Time             // "today"; history ends here, planned work goes ~3 weeks beyond; default time.Now()
	Progress    func(done, total int) // optional, called after every batch

	// simulating, for tests, is called before each day of each calibration pass
	// (history), before the pass looks at the context.
	simulating func(pass, day int)
}

// Result says what was written.
type Result struct {
	Deployments, Steps, Events, Incidents int
	Elapsed                               time.Duration
}

const (
	defaultDeployments = 20000
	// MinDeployments is the smallest history that still has every kind of record.
	MinDeployments = 100
	// MaxDeployments bounds the history: it is held in memory as it is written (the
	// 1,000,000 of make demo peaked at 3.2 GB resident; 20,000,000 ran out of 24 GB).
	MaxDeployments = 2_000_000
	batchSize      = 10000

	minute = int64(60)
	hour   = 60 * minute
	day    = 24 * hour

	horizonDays = 21 // planned work reaches this far beyond Now
)

// Generate fills st, which must hold no deployments yet, with opt.Deployments
// deployments for the organisation in cfg. Call it before the engine syncs the

// config's models into a new database, so older model versions can come first.
func Generate(ctx context.Context, st *store.Store, cfg *config.Config, opt Options) (Result, error) {
	return generateInBatches(ctx, st, cfg, opt, batchSize)
}

// generateInBatches is Generate writing batch deployments per transaction; the rows
// do not depend on it, so tests can cover several batches with a small history.
func generateInBatches(ctx context.Context, st *store.Store, cfg *config.Config, opt Options, batch int) (Result, error) {
	began := time.Now()
	opt, err := opt.withDefaults()
	if err != nil {
		return Result{}, err
	}
	n, err := st.Read().CountDeployments(ctx)
	if err != nil {
		return Result{}, err
	}
	if n > 0 {
		return Result{}, models.Invalidf("database already has %d deployments; use a new file", n)
	}
	g, err := newGen(cfg, opt)
	if err != nil {
		return Result{}, err
	}
	g.batch = batch
	if err := g.syncModels(ctx, st); err != nil {
		return Result{}, err
	}
	nSpecial := g.specialCount()
	if err := g.history(ctx, opt.Deployments-nSpecial); err != nil {
		return Result{}, err
	}
	g.buildSpecials(nSpecial)
	keys := g.sortKeys()
	basis := store.Basis{Location: cfg.Location, Tolerance: cfg.AdherenceTolerance}
	res, err := g.write(ctx, st, keys, basis, opt.Progress)
	if err == nil { // counted by the fill: this only makes them the store's
		err = st.UseBasis(ctx, basis)
	}
	res.Elapsed = time.Since(began)
	return res, err
}

// withDefaults fills in what opt leaves out and checks the size.
func (opt Options) withDefaults() (Options, error) {
	if opt.Deployments == 0 {
		opt.Deployments = defaultDeployments
	}
	if opt.Deployments < MinDeployments {
		return opt, models.Invalidf("demo data needs at least %d deployments, not %d", MinDeployments, opt.Deployments)
	}
	if opt.Deployments > MaxDeployments {
		return opt, models.Invalidf("demo data holds at most %d deployments, not %d: it is built in memory (1,000,000 took 3.2 GB)",
			MaxDeployments, opt.Deployments)
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	opt.Now = opt.Now.UTC().Truncate(time.Second)
	return opt, nil
}
