package demo

import "ferry/models"

// outcome decides how the deployment ended and when it started and finished.
func (g *gen) outcome(c *compInfo, k int, mv *mvInfo, envIdx int, start, dur, created int64) (models.Status, int64, int64) {
	frac := float64(start-g.targetStart) / float64(g.now-g.targetStart)
	envMul := 1.0
	switch {
	case len(c.path) == 1:
		envMul = 0.9
	case k == 0:
		envMul = 1.15
	case k == len(c.path)-1:
		envMul = 0.7
	}
	mul := c.failMul * envMul * (1.2 - 0.4*min(max(frac, 0), 1))
	pc, pf, pr := 0.014, 0.019*mul, 0.011*mul
	if len(mv.onFailure[envIdx]) == 0 {
		// Only the runner rolls back, by the model's on-failure steps: without them
		// a failure stays a failure.
		pf, pr = pf+pr, 0
	}
	// A start is held to its window: one that would come after it begins instead
	// somewhere in its last part, late (no one in the demo overrides the controls).
	late := g.jitter()
	if late >= dur-minute {
		late = dur/2 + int64(g.rng.Float64()*float64(dur/2-minute))
	}
	started := max(start+late, created+minute)
	actual := float64(dur)
	switch u := g.rng.Float64(); {
	case mv.automated[envIdx]:
		actual *= 0.08 + 0.37*g.rng.Float64()
	case u < 0.85:
		actual *= 0.45 + 0.5*g.rng.Float64()
	default:
		actual *= 0.95 + 0.75*g.rng.Float64()
	}
	act := int64(actual)
	switch u := g.rng.Float64(); {
	case u < pc:
		if g.rng.Float64() < 0.7 || start <= created+minute {
			return models.StatusCancelled, 0, created + minute + int64(g.rng.Float64()*float64(max(start-created-2*minute, 0)))
		}
		return models.StatusCancelled, started, started + int64(2+g.rng.IntN(23))*minute
	case u < pc+pf:
		return models.StatusFailed, started, started + 60 + int64(float64(act)*(0.15+0.75*g.rng.Float64()))
	case u < pc+pf+pr:
		return models.StatusRolledBack, started, started + 120 + int64(float64(act)*(0.7+0.7*g.rng.Float64()))
	}
	return models.StatusSucceeded, started, started + 60 + act
}

// jitter is how far the start lies from the planned start: mostly a few minutes,
// about one in ten more than a quarter of an hour late.
func (g *gen) jitter() int64 {
	switch u := g.rng.Float64(); {
	case u < 0.10:
		return -int64(g.rng.IntN(8 * 60))
	case u < 0.65:
		return int64(g.rng.IntN(5 * 60))
	case u < 0.90:
		return int64(5*60 + g.rng.IntN(10*60))
	default:
		return int64(15*60 + 1 + g.rng.IntN(135*60))
	}
}
