package demo

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"ferry/models"
)

// rec is one deployment of the history, compact: a million of them fit in ~80 MB.
type rec struct {
	start, end, started, finished, created int64
	ver                                    uint64
	order                                  uint32
	chg                                    uint32
	chgYear                                uint16
	comp, env, mv, status, k               uint8
	remove                                 bool
}

type cand struct {
	k       int
	ver     uint64
	chg     uint32
	chgYear uint16
	ready   int64
}

var statusCode = map[models.Status]uint8{}

func init() {
	for i, s := range models.Statuses {
		statusCode[s] = uint8(i)
	}
}

// history simulates until it has at least h finished deployments and keeps them all;
// sortKeys later keeps the newest h. The release rate is calibrated so that about h
// of them fall into the target span. It stops with ctx's error when ctx is done, at
// the next simulated day: a calibration of a big history takes several passes (a
// SIGTERM once waited an hour for them).
func (g *gen) history(ctx context.Context, h int) error {
	spanSec := g.now - g.targetStart
	from := g.now - spanSec*112/100
	// An estimate: about two deployments per release.
	sumRate := 0.0
	for d := g.localDay(g.targetStart); d.Unix() < g.now; d = d.AddDate(0, 0, 1) {
		sumRate += g.rate(d)
	}
	scale := float64(h) / (2 * sumRate)
	for attempt := 0; ; attempt++ {
		if err := g.simulate(ctx, attempt, scale, from); err != nil {
			return err
		}
		inSpan := 0
		for i := range g.recs {
			if g.recs[i].start >= g.targetStart {
				inSpan++
			}
		}
		if len(g.recs) >= h && (attempt >= 5 || math.Abs(float64(inSpan-h)) <= 0.03*float64(h)) {
			return nil
		}
		switch {
		case attempt >= 5 || inSpan == 0:
			scale *= 1.3
		default:
			scale *= float64(h) / float64(inSpan)
			if len(g.recs) < h {
				scale *= 1.05
			}
		}
	}
}

// localDay is the local midnight of t's day.
func (g *gen) localDay(t int64) time.Time {
	y, m, d := time.Unix(t, 0).In(g.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, g.loc)
}

// rate is the relative number of releases on a day: growing over the years, low at
// weekends, over Christmas and in August.
func (g *gen) rate(d time.Time) float64 {
	frac := float64(d.Unix()-g.targetStart) / float64(g.now-g.targetStart)
	r := math.Exp(g.lnGrowth * frac)
	switch d.Weekday() {
	case time.Saturday:
		r *= 0.06
	case time.Sunday:
		r *= 0.04
	}
	m, dd := d.Month(), d.Day()
	switch {
	case m == 12 && dd >= 24 || m == 1 && dd <= 1:
		r *= 0.2
	case m == 12 && dd >= 20 || m == 1 && dd <= 3:
		r *= 0.5
	case m == 8:
		r *= 0.8
	}
	return r
}

type release struct {
	t    int64
	comp int
}

// simulate runs the history from the day of from until Now with scale releases per
// unit of rate, from the first pass's random stream, anew each time. It is the
// calibration's pass; it looks at ctx before every day and stops with its error.
func (g *gen) simulate(ctx context.Context, pass int, scale float64, from int64) error {
	g.rng = rand.New(rand.NewPCG(g.seed, 0x5eed_f3e4_7a11_0002))
	g.recs = g.recs[:0]
	g.order = 0
	clear(g.changes)
	for _, e := range g.envs {
		e.next = 0
	}
	for _, c := range g.comps {
		c.started = false
		c.lastOK = make([]uint64, len(g.envs))
		c.lastAny = make([]uint64, len(g.envs))
		c.freeAt = make([]int64, len(g.envs))
		c.cands = make([][]cand, len(g.envs))
	}
	var rels []release
	for i, d := 0, g.localDay(from); d.Unix() < g.now; i, d = i+1, d.AddDate(0, 0, 1) {
		if g.simulating != nil {
			g.simulating(pass, i)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rels = g.releasesOn(d, scale, rels[:0])
		for _, r := range rels {
			if r.t < g.now {
				g.release(g.comps[r.comp], r.t)
			}
		}
		// only windows 20 days back: by then every version ready for them is staged
		g.windows(d.Unix() - 20*day)
	}
	g.windows(g.now)
	return nil
}

// releasesOn appends day d's releases to rels, in time order: mostly in working
// hours, some in the evening, a few early in the morning.
func (g *gen) releasesOn(d time.Time, scale float64, rels []release) []release {
	n := g.poisson(scale * g.rate(d))
	y, m, dd := d.Date()
	for range n {
		var mins int
		switch u := g.rng.Float64(); {
		case u < 0.90:
			mins = 8*60 + g.rng.IntN(570)
		case u < 0.98:
			mins = 17*60 + 30 + g.rng.IntN(270)
		default:
			mins = 6*60 + g.rng.IntN(120)
		}
		t := time.Date(y, m, dd, 0, mins, 0, 0, g.loc).Unix()
		rels = append(rels, release{t: t, comp: g.pickComp()})
	}
	slices.SortFunc(rels, func(a, b release) int { return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.comp, b.comp)) })
	return rels
}

// poisson draws a Poisson count; large means are drawn from the normal approximation.
func (g *gen) poisson(lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*g.rng.NormFloat64())))
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= g.rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// pickComp picks a component by release weight.
func (g *gen) pickComp() int {
	u := g.rng.Float64() * g.cumW[len(g.cumW)-1]
	i, _ := slices.BinarySearch(g.cumW, u)
	return min(i, len(g.comps)-1)
}

// release makes c's next version at t, with its change number, and stages it into
// the first environment of its path.
func (g *gen) release(c *compInfo, t int64) {
	ver := g.bump(c, t)
	chg, year := g.change(t)
	g.stage(c, 0, ver, chg, year, t)
}

// stage plans the version into the k-th environment of the component's path once it
// is ready there: at once in an environment without windows, else it waits for a
// maintenance window (or, rarely, goes as a hotfix outside one).
func (g *gen) stage(c *compInfo, k int, ver uint64, chg uint32, year uint16, ready int64) {
	env := g.envs[c.path[k]]
	if env.windowed {
		c.cands[env.idx] = append(c.cands[env.idx], cand{k: k, ver: ver, chg: chg, chgYear: year, ready: ready})
		return
	}
	var start, created int64
	if k == 0 {
		start = roundUp5(ready)
		if c.c.Kind == models.KindSoftware {
			created = start - int64(2+g.rng.IntN(240))*minute
		} else {
			created = start - int64(1+g.rng.IntN(5*24))*hour
		}
	} else {
		delay := int64(30+g.rng.IntN(26*60)) * minute
		if k > 1 {
			delay = int64(3*60+g.rng.IntN(3*24*60)) * minute
		}
		start = g.workSlot(ready+delay, false)
		created = min(ready+int64(1+g.rng.IntN(60))*minute, start-minute)
	}
	if start, ok := g.afterLast(c, env.idx, start, k > 0); ok {
		g.run(c, k, ver, chg, year, start, created)
	}
}

// afterLast is start, or later when the component's last deployment in environment
// env had not ended by then: one component is not moved twice at once (Ferry flags
// such plans), and a version deployed after another ends after it, so Where shows
// the newest (two releases minutes apart showed the older one in dev). working: the
// later start is in working hours. A start drifts at most a few minutes early. Not
// ok: the version would wait longer than supersededAfter, and a newer one will come
// (as a pipeline skips builds it is behind on); waiting, a busy history's queue grew
// without end, and the demo never reached its size.
//
// Only histories of up to oneAtATimeUpTo deployments: the demo's dozen components
// cannot carry many more one run at a time: the skipped versions grow with the
// release rate, and the calibration needs more passes (3 at 50,000, 6 at 100,000,
// where it took 2; at 400,000 it never ended). The bigger ones measure volume.
func (g *gen) afterLast(c *compInfo, env int, start int64, working bool) (int64, bool) {
	free := c.freeAt[env] + 10*minute
	switch {
	case g.total > oneAtATimeUpTo || c.freeAt[env] == 0 || start >= free:
		return start, true
	case free-start > supersededAfter:
		return 0, false
	case working:
		return g.workSlot(free, false), true
	}
	return roundUp5(free), true
}

// oneAtATimeUpTo is the biggest history whose runs of a component in an environment
// follow one another (see afterLast): the console's first demo, and ferry demo's
// default below it.
const oneAtATimeUpTo = 30_000

// supersededAfter is how long a version waits behind the last run of its component
// in an environment before it is skipped there.
const supersededAfter = 2 * hour

// run records one deployment of the history, if it finished before Now, and moves
// the version on along the path when it succeeded.
func (g *gen) run(c *compInfo, k int, ver uint64, chg uint32, year uint16, start, created int64) {
	envIdx := c.path[k]
	mvi := c.mvCur
	if start < g.cutoff {
		mvi = c.mvOld
	}
	mv := g.mvs[mvi]
	dur := int64(mv.m.DefaultDuration / time.Second)
	end := start + dur
	if created >= start {
		created = start - minute
	}
	status, started, finished := g.outcome(c, k, mv, envIdx, start, dur, created)
	if end > g.now || finished >= g.now {
		return
	}
	g.order++
	g.recs = append(g.recs, rec{start: start, end: end, started: started, finished: finished, created: created,
		ver: ver, order: g.order, chg: chg, chgYear: year, comp: uint8(c.idx), env: uint8(envIdx),
		mv: uint8(mvi), status: statusCode[status], k: uint8(k),
		remove: c.c.Kind == models.KindHardware && g.rng.Float64() < 0.08})
	c.lastAny[envIdx] = max(c.lastAny[envIdx], ver)
	c.freeAt[envIdx] = max(c.freeAt[envIdx], finished)
	if status != models.StatusSucceeded {
		return
	}
	c.lastOK[envIdx] = max(c.lastOK[envIdx], ver)
	if k+1 >= len(c.path) {
		return
	}
	next := g.envs[c.path[k+1]]
	switch {
	case next.windowed:
		g.stage(c, k+1, ver, chg, year, finished+12*hour)
	case g.rng.Float64() < promote(k):
		g.stage(c, k+1, ver, chg, year, finished)
	}
}

// promote is how often a version that succeeded in the k-th environment is moved on
// to the next one (not every build is worth testing further).
func promote(k int) float64 {
	if k == 0 {
		return 0.75
	}
	return 0.5
}
