package engine

import (
	"context"

	"ferry/engine/schedule"
	"ferry/models"
	"ferry/store"
)

// SuggestSweep loads what a suggestion for deployment id sweeps and returns the sweep
// alone, to run again and again: the benchmarks' in-memory baseline for Suggest.
func (e *Engine) SuggestSweep(ctx context.Context, actor models.Person, id int64) (func() schedule.Suggestion, error) {
	var sweep func() schedule.Suggestion
	err := e.readable(ctx, actor, id, func(q store.Q, d models.Deployment) error {
		cand, items, w, err := e.suggestInputs(ctx, q, d)
		sweep = func() schedule.Suggestion { return schedule.Suggest(cand, items, w, suggestSlots) }
		return err
	})
	return sweep, err
}
