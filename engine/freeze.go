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
// Each one's slot is the one the apply moves it to, found with those before it moved.
func (e *Engine) FreezeImpact(ctx context.Context, actor models.Person) ([]FreezeHit, error) {
	if err := Can(actor, ActRead, nil); err != nil {
		return nil, err
	}
	return e.freezeImpact(ctx, e.st.Read(), actor)
}

// freezeImpact is freezeHits with each one's suggestion, as the apply finds it.
func (e *Engine) freezeImpact(ctx context.Context, q store.Q, actor models.Person) ([]FreezeHit, error) {
	hits, err := e.freezeHits(ctx, q, actor)
	if err != nil {
		return nil, err
	}
	_, err = e.suggestInTurn(ctx, q, hits, false)
	return hits, err
}

// suggestInTurn gives each of hits (earliest first) its suggestion with the ones
// before it moved to their first slots (moves), as the apply will have moved them when
// it gets to it, and returns those moves. Found alone, two plans of one freeze were
// both suggested the same free hour, where the apply puts the second beside the first.
// One with no free slot stays where it is, or, with stop (the apply, which moves all
// or none), ends the walk: the ones after it are not worked out.
func (e *Engine) suggestInTurn(ctx context.Context, q store.Q, hits []FreezeHit, stop bool) ([]freezeMove, error) {
	var mv moves
	plan := make([]freezeMove, 0, len(hits))
	for i := range hits {
		d := hits[i].Deployment
		sug, err := e.suggestAmong(ctx, q, d, &mv)
		if err != nil {
			return nil, err
		}
		if hits[i].Suggestion = sug; len(sug.Slots) == 0 {
			if stop {
				break
			}
			continue
		}
		// The window as the reschedule will write it, refused as it would be.
		start, end, err := e.newWindow(d, sug.Slots[0].Start, sug.Slots[0].End)
		if err != nil {
			return nil, err
		}
		to := d
		to.ScheduledStart, to.ScheduledEnd = start, end
		mv.add(itemOf(to))
		plan = append(plan, freezeMove{from: d, to: to})
	}
	return plan, nil
}

// freezeHits are the planned deployments a freeze breaks, earliest first, without
// suggestions: the apply finds each one's among the moves before it.
func (e *Engine) freezeHits(ctx context.Context, q store.Q, actor models.Person) ([]FreezeHit, error) {
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
		hits = append(hits, FreezeHit{Deployment: d, Conflict: c})
	}
	slices.SortFunc(hits, func(a, b FreezeHit) int { return a.Deployment.ScheduledStart.Compare(b.Deployment.ScheduledStart) })
	return hits, nil
}

// FreezeApply moves every planned deployment a freeze breaks to its suggested slot,
// earliest first, each suggestion taking the moves before it into account. All move
// or none: if one has no free slot within the horizon, nothing changes.
func (e *Engine) FreezeApply(ctx context.Context, actor models.Person) ([]models.Deployment, error) {
	return e.freezeWrite(ctx, actor, nil)
}

// FreezeApplyAsAsked is FreezeApply held to what a person agreed to: the moves
// PreviewFreezeApply showed them. When a plan was made, moved or settled since, so
// that the moves would differ (another deployment, another window), nothing moves and
// the refusal says to look again.
func (e *Engine) FreezeApplyAsAsked(ctx context.Context, actor models.Person, asked []models.Deployment) ([]models.Deployment, error) {
	return e.freezeWrite(ctx, actor, func(moved []models.Deployment) error {
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
// none of it. The impact's suggestions are each found alone, so two plans of one
// environment may be offered the same hour; the apply puts the second beside the
// first. A person asked to confirm is told where they will really land: the moves
// are worked out as the apply works them out (freezePlan), in a read snapshot, so
// the preview writes nothing and holds no write lock: with hundreds of plans in a
// freeze, the people ticking checklists and the runner do not wait for it. Refused
// as the apply is.
func (e *Engine) PreviewFreezeApply(ctx context.Context, actor models.Person) ([]models.Deployment, error) {
	if err := Can(actor, ActReschedule, nil); err != nil {
		return nil, err
	}
	var plan []freezeMove
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		var err error
		plan, err = e.freezePlan(ctx, q, actor)
		return err
	})
	if err != nil {
		return nil, err
	}
	return movedTo(plan), nil
}

// freezeWrite works FreezeApply's moves out and makes them, in one write
// transaction; check, when there is one, may refuse them first (nothing moves).
func (e *Engine) freezeWrite(ctx context.Context, actor models.Person, check func([]models.Deployment) error) ([]models.Deployment, error) {
	if err := Can(actor, ActReschedule, nil); err != nil {
		return nil, err
	}
	var moved []models.Deployment
	err := e.st.Write(ctx, func(q store.Q) error {
		plan, err := e.freezePlan(ctx, q, actor)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(movedTo(plan)); err != nil {
				return err
			}
		}
		moved, err = e.makeMoves(ctx, q, actor, plan)
		return err
	})
	if err != nil {
		return nil, err
	}
	return moved, nil
}

// freezeMove is one deployment of a freeze apply: as it is, and at its new window.
type freezeMove struct{ from, to models.Deployment }

// movedTo is each move's deployment at its new window.
func movedTo(plan []freezeMove) []models.Deployment {
	out := make([]models.Deployment, len(plan))
	for i, m := range plan {
		out[i] = m.to
	}
	return out
}

// freezePlan works FreezeApply's moves out in q, writing nothing: the deployments a
// freeze breaks, earliest first, each to the first slot its suggestion offers with
// the moves before it made (moves), as the apply will have made them when it writes
// it. The preview and the apply both take their moves from here, so what a person is
// shown is what is done.
func (e *Engine) freezePlan(ctx context.Context, q store.Q, actor models.Person) ([]freezeMove, error) {
	hits, err := e.freezeHits(ctx, q, actor)
	if err != nil {
		return nil, err
	}
	for _, h := range hits {
		if err := Can(actor, ActReschedule, &h.Deployment); err != nil {
			return nil, err
		}
	}
	plan, err := e.suggestInTurn(ctx, q, hits, true)
	if err != nil {
		return nil, err
	}
	for _, h := range hits { // the first with no slot is where the walk ended
		if len(h.Suggestion.Slots) == 0 {
			return nil, models.Conflictf("#%d has %s; nothing was moved%s", h.Deployment.ID, NoSlot, NoSlotWhy(h.Deployment.ID, h.Suggestion))
		}
	}
	return plan, nil
}

// makeMoves reschedules each deployment of plan in q, and returns them as they are
// after it.
func (e *Engine) makeMoves(ctx context.Context, q store.Q, actor models.Person, plan []freezeMove) ([]models.Deployment, error) {
	moved := make([]models.Deployment, 0, len(plan))
	for _, m := range plan {
		d := m.from
		if _, err := e.reschedule(ctx, q, actor, &d, m.to.ScheduledStart, m.to.ScheduledEnd); err != nil {
			return nil, err
		}
		after, err := q.Deployment(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		moved = append(moved, after)
	}
	return moved, nil
}
