package engine

import (
	"context"
	"slices"

	"ferry/engine/schedule"
	"ferry/models"
	"ferry/store"
)

// FreezeHit is a planned deployment that a freeze window breaks, with where it could go.
type FreezeHit struct {
	Deployment models.Deployment
	Conflict   models.Conflict
	Suggestion schedule.Suggestion
}

// FreezeImpact lists every planned deployment inside a freeze window that nobody has
// accepted, with its suggested slot: what adding or changing a freeze in config broke.
func (e *Engine) FreezeImpact(ctx context.Context, actor models.Person) ([]FreezeHit, error) {
	if err := Can(actor, ActRead, nil); err != nil {
		return nil, err
	}
	return e.freezeImpact(ctx, e.st.Read(), actor)
}

func (e *Engine) freezeImpact(ctx context.Context, q store.Q, actor models.Person) ([]FreezeHit, error) {
	all, err := e.conflicts(ctx, q, actor, ConflictFilter{OpenOnly: true})
	if err != nil {
		return nil, err
	}
	var hits []FreezeHit
	seen := map[int64]bool{}
	for _, c := range all {
		if c.Kind != models.ConflictFreeze || seen[c.IDs[0]] {
			continue
		}
		d, err := q.Deployment(ctx, c.IDs[0])
		if err != nil {
			return nil, err
		}
		if d.Status != models.StatusPlanned {
			continue // already running: moving it is not an option
		}
		seen[d.ID] = true
		sug, err := e.suggest(ctx, q, d)
		if err != nil {
			return nil, err
		}
		hits = append(hits, FreezeHit{Deployment: d, Conflict: c, Suggestion: sug})
	}
	slices.SortFunc(hits, func(a, b FreezeHit) int { return a.Deployment.ScheduledStart.Compare(b.Deployment.ScheduledStart) })
	return hits, nil
}

// FreezeApply moves every planned deployment a freeze breaks to its suggested slot,
// earliest first, each suggestion taking the moves before it into account. All move
// or none: if one has no free slot within the horizon, nothing changes.
func (e *Engine) FreezeApply(ctx context.Context, actor models.Person) ([]models.Deployment, error) {
	return e.freezeMoves(ctx, actor, e.st.Write, nil)
}

// FreezeApplyAsAsked is FreezeApply held to what a person agreed to: the moves
// PreviewFreezeApply showed them. When a plan was made, moved or settled since, so
// that the moves would differ (another deployment, another window), nothing moves and
// the refusal says to look again.
func (e *Engine) FreezeApplyAsAsked(ctx context.Context, actor models.Person, asked []models.Deployment) ([]models.Deployment, error) {
	return e.freezeMoves(ctx, actor, e.st.Write, func(moved []models.Deployment) error {
		if !sameMoves(moved, asked) {
			return models.Conflictf("the moves changed since you were asked (a plan was made, moved or settled meanwhile); nothing moved: look at the freeze impact again")
		}
		return nil
	})
}

// sameMoves is whether a and b move the same deployments to the same windows.
func sameMoves(a, b []models.Deployment) bool {
	return slices.EqualFunc(a, b, func(x, y models.Deployment) bool {
		return x.ID == y.ID && x.ScheduledStart.Equal(y.ScheduledStart) && x.ScheduledEnd.Equal(y.ScheduledEnd)
	})
}

// PreviewFreezeApply is where FreezeApply would move each deployment now, keeping
// none of it: the moves are made in a transaction that is rolled back. The impact's
// suggestions are each found alone, so two plans of one environment may be offered
// the same hour; the apply puts the second beside the first. A person asked to
// confirm is told where they will really land. Refused as the apply is.
func (e *Engine) PreviewFreezeApply(ctx context.Context, actor models.Person) ([]models.Deployment, error) {
	return e.freezeMoves(ctx, actor, e.st.Try, nil)
}

// freezeMoves makes FreezeApply's moves in a transaction of inTx (kept or not), which
// check, when there is one, may refuse (and so undo).
func (e *Engine) freezeMoves(ctx context.Context, actor models.Person, inTx func(context.Context, func(store.Q) error) error,
	check func([]models.Deployment) error) ([]models.Deployment, error) {
	if err := Can(actor, ActReschedule, nil); err != nil {
		return nil, err
	}
	var moved []models.Deployment
	err := inTx(ctx, func(q store.Q) error {
		var err error
		if moved, err = e.freezeApply(ctx, q, actor); err != nil || check == nil {
			return err
		}
		return check(moved)
	})
	if err != nil {
		return nil, err
	}
	return moved, nil
}

// freezeApply makes FreezeApply's moves in q, earliest first, and returns the
// deployments as they are after them.
func (e *Engine) freezeApply(ctx context.Context, q store.Q, actor models.Person) ([]models.Deployment, error) {
	hits, err := e.freezeImpact(ctx, q, actor)
	if err != nil {
		return nil, err
	}
	var moved []models.Deployment
	for _, h := range hits {
		d, err := q.Deployment(ctx, h.Deployment.ID)
		if err != nil {
			return nil, err
		}
		if err := Can(actor, ActReschedule, &d); err != nil {
			return nil, err
		}
		sug, err := e.suggest(ctx, q, d)
		if err != nil {
			return nil, err
		}
		if len(sug.Slots) == 0 {
			return nil, models.Conflictf("#%d has %s; nothing was moved%s", d.ID, NoSlot, NoSlotWhy(d.ID, sug))
		}
		if _, err := e.reschedule(ctx, q, actor, &d, sug.Slots[0].Start, sug.Slots[0].End); err != nil {
			return nil, err
		}
		if d, err = q.Deployment(ctx, d.ID); err != nil {
			return nil, err
		}
		moved = append(moved, d)
	}
	return moved, nil
}
