package engine

import (
	"context"

	"ferry/engine/schedule"
	"ferry/models"
	"ferry/store"
)

// ReviewLimit bounds the review items of one inbox.
const ReviewLimit = reviewLimit

// SuggestSweep loads what a suggestion for deployment id sweeps and returns the sweep
// alone, to run again and again: the benchmarks' in-memory baseline for Suggest.
func (e *Engine) SuggestSweep(ctx context.Context, actor models.Person, id int64) (func() schedule.Suggestion, error) {
	var sweep func() schedule.Suggestion
	err := e.readable(ctx, actor, id, func(q store.Q, d models.Deployment) error {
		cand, items, w, err := e.suggestInputs(ctx, []store.Q{q}, d, schedule.Horizon, nil)
		sweep = func() schedule.Suggestion { return schedule.Suggest(cand, e.notBefore(), items, w, suggestSlots) }
		return err
	})
	return sweep, err
}

// SuggestHorizon is Suggest's pass when nothing is free within a week either side: it
// loads and sweeps the whole horizon at once (the benchmarks' worst case).
func (e *Engine) SuggestHorizon(ctx context.Context, actor models.Person, id int64) (schedule.Suggestion, error) {
	return e.suggestPass(ctx, actor, id, schedule.Horizon)
}

// DashboardWith reads the dashboard with readers readers; Dashboard uses as many as
// there are cores, up to two.
func (e *Engine) DashboardWith(ctx context.Context, actor models.Person, readers int) (Dashboard, error) {
	return e.dashboardWith(ctx, actor, readers)
}

// InboxWith reads actor's inbox with readers readers, as DashboardWith.
func (e *Engine) InboxWith(ctx context.Context, actor models.Person, readers int) ([]InboxItem, error) {
	return e.inboxWith(ctx, actor, readers)
}
