// Package engine holds Ferry's use cases: planning, scheduling, the deployment
// lifecycle and who may do what. The CLI, the console and SSH sessions all go through
// it, so they obey the same rules. It never imports the UI.
package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"ferry/engine/config"
	"ferry/models"
	"ferry/store"
)

// Engine is Ferry's application core over one store and one configuration.
type Engine struct {
	st      *store.Store
	cfg     *config.Config
	now     func() time.Time
	current map[string]currentModel // by model name
	rules   string                  // what stored conflicts must have been computed under (conflictBasis)

	keysOnce  sync.Once
	keyOwners map[string]string // config's SSH keys (wire form) → person

	active activeRuns // the runs going on in this engine

	notifyWants map[string]bool // the events some [[notify.rule]] takes

	depends map[string][]string // component → the components it depends on

	readBefore atomic.Bool // a question split in two was read once (see readers)
}

type currentModel struct {
	model models.Model // with its stored version number
	id    int64        // model_versions row
}

// Option adjusts an Engine.
type Option func(*Engine)

// WithClock makes the engine read time from now (tests, demos).
func WithClock(now func() time.Time) Option { return func(e *Engine) { e.now = now } }

// New opens the engine and stores any model in cfg whose content is new as a new
// version, all in one transaction.
func New(ctx context.Context, st *store.Store, cfg *config.Config, opts ...Option) (*Engine, error) {
	e := &Engine{st: st, cfg: cfg, now: time.Now, current: map[string]currentModel{}}
	for _, o := range opts {
		o(e)
	}
	e.indexRules()
	e.depends = map[string][]string{}
	for _, c := range cfg.Components() {
		if len(c.DependsOn) > 0 {
			e.depends[c.Name] = c.DependsOn
		}
	}
	e.rules = e.conflictBasis()
	st.BeforeCommit(e.beforeCommit)
	if err := st.UseBasis(ctx, store.Basis{Location: cfg.Location, Tolerance: cfg.AdherenceTolerance}); err != nil {
		return nil, fmt.Errorf("report rollups: %w", err)
	}
	if err := e.syncModels(ctx); err != nil {
		return nil, err
	}
	if st.ReadOnly() {
		return e, nil // nothing may be recorded in it
	}
	if err := e.recordConfig(ctx); err != nil {
		return nil, fmt.Errorf("recording the configuration: %w", err)
	}
	if err := e.keepConflicts(ctx); err != nil {
		return nil, fmt.Errorf("conflicts: %w", err)
	}
	return e, nil
}

// syncModels finds each model's stored version, and stores those whose content is
// new in one write transaction: a configuration that did not change writes nothing.
func (e *Engine) syncModels(ctx context.Context) error {
	changed := false
	for _, m := range e.cfg.Models {
		stored, id, err := e.st.Read().FindModel(ctx, m)
		switch {
		case err == nil:
			e.current[m.Name] = currentModel{stored, id}
		case errors.Is(err, models.ErrNotFound):
			changed = true
		default:
			return fmt.Errorf("model %q: %w", m.Name, err)
		}
	}
	if !changed || e.st.ReadOnly() {
		// A read-only database is read with the versions it has; a model that
		// changed since cannot be planned with until the file may be written.
		return nil
	}
	return e.st.Write(ctx, func(q store.Q) error {
		for _, m := range e.cfg.Models {
			stored, id, err := q.SyncModel(ctx, m, e.Now())
			if err != nil {
				return fmt.Errorf("store model %q: %w", m.Name, err)
			}
			e.current[m.Name] = currentModel{stored, id}
		}
		return nil
	})
}

// Now is the engine's current time, in UTC.
func (e *Engine) Now() time.Time { return e.now().UTC().Truncate(time.Second) }

// Config is the configuration the engine runs with.
func (e *Engine) Config() *config.Config { return e.cfg }

// Location is the organisation's time zone.
func (e *Engine) Location() *time.Location { return e.cfg.Location }

// Model returns the current version of a model.
func (e *Engine) Model(name string) (models.Model, bool) {
	c, ok := e.current[name]
	return c.model, ok
}

// ModelVersions lists every stored version of every model, by name then version.
func (e *Engine) ModelVersions(ctx context.Context, actor models.Person) ([]models.ModelVersionInfo, error) {
	if err := Can(actor, ActRead, nil); err != nil && !onlyOwn(actor) {
		return nil, err
	}
	return e.st.Read().ModelVersions(ctx)
}

// Person looks up someone declared in config.
func (e *Engine) Person(name string) (models.Person, error) {
	p, ok := e.cfg.Person(name)
	if !ok {
		return p, models.NotFoundf("no person %q in %s", name, e.cfg.File)
	}
	return p, nil
}

// event builds a record entry for the deployment at the engine's time.
func (e *Engine) event(ctx context.Context, id int64, actor models.Person, typ, detail string) models.Event {
	return models.Event{DeploymentID: id, At: e.Now(), Actor: actor.Name, Type: typ, Detail: detail, Principal: PrincipalOf(ctx)}
}

// Local formats t in the organisation's zone, e.g. "2026-11-26 14:05 CET".
func (e *Engine) Local(t time.Time) string { return LocalText(t, e.cfg.Location) }

// window renders a scheduled window for the record.
func (e *Engine) window(start, end time.Time) string { return WindowText(start, end, e.cfg.Location) }
