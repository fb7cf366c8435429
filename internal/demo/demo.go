// Package demo fills a new database with a realistic, seeded history of deployments,
// for `ferry demo`: several years of deployments that end today, a few running now,
// and about three weeks of planned work, some of it in conflict.
//
// The same seed, config and Now always give the same rows. Generation runs in two
// passes: the first simulates releases moving through their model's path day by day
// and keeps a compact record per deployment; the records are then sorted by scheduled
// start (which gives the ids), and the second pass expands each record into its row,
// step runs, events and incident, from a random stream of its own, while the store
// writes the previous batch.
package demo

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
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
	began := time.Now()
	if opt.Deployments == 0 {
		opt.Deployments = defaultDeployments
	}
	if opt.Deployments < MinDeployments {
		return Result{}, models.Invalidf("demo data needs at least %d deployments, not %d", MinDeployments, opt.Deployments)
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	opt.Now = opt.Now.UTC().Truncate(time.Second)
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
	if err := g.syncModels(ctx, st); err != nil {
		return Result{}, err
	}
	nSpecial := g.specialCount()
	g.history(opt.Deployments - nSpecial)
	g.buildSpecials(nSpecial)
	keys := g.sortKeys()
	res, err := g.write(ctx, st, keys, opt.Progress)
	if err == nil { // the bulk load bypassed the report rollups: count them once now
		err = st.UseBasis(ctx, store.Basis{Location: cfg.Location, Tolerance: cfg.AdherenceTolerance})
	}
	res.Elapsed = time.Since(began)
	return res, err
}

// ---- setup ----------------------------------------------------------------------

type gen struct {
	cfg      *config.Config
	loc      *time.Location
	seed     uint64
	now      int64
	total    int
	rng      *rand.Rand // the first pass's stream
	envs     []*envInfo
	comps    []*compInfo
	cumW     []float64 // cumulative release weights of comps
	mvs      []*mvInfo
	managers []string
	practs   []string
	techs    []string
	reqs     []string // who requests deployments

	spanDays    float64
	targetStart int64 // history should start about here
	lnGrowth    float64
	cutoff      int64 // deployments planned before use the older model version

	recs     []rec
	order    uint32
	changes  map[int]uint32 // last change number per year (looked up, never iterated)
	specials []*row
	busy     []slot
	used     map[usedKey]bool
}

type envInfo struct {
	e        models.Environment
	idx      int
	windowed bool       // deployments must fit a maintenance window
	occ      []interval // maintenance windows that do not touch a freeze, oldest first
	freezes  []interval // freeze windows from shortly before Now on
	next     int        // first window not yet handed out in the simulation
}

type interval struct{ s, e int64 }

type mvInfo struct {
	m          models.Model // with its stored version
	id         int64
	steps      [][]models.Step // by environment index; nil off the path
	automated  []bool          // by environment index: every step runs without a person
	approvers  map[string][]string
	onFailure  map[models.Stage]string
	hasFailure bool
}

type compInfo struct {
	c            models.Component
	idx          int
	model        int // index into cfg.Models
	mvOld, mvCur int
	path         []int // environment indices
	weight       float64
	failMul      float64
	threePart    bool // versions are major.minor.patch (else major.minor)
	// simulation state
	maj, min, pat        uint64
	nextMinor, nextMajor int64
	started              bool
	lastOK, lastAny      []uint64 // by environment index: newest version that succeeded / was moved there
	cands                [][]cand // by environment index: versions waiting for a maintenance window
	futureFirst          bool     // a planned deployment of a new version is already in a window
}

type cand struct {
	k       int
	ver     uint64
	chg     uint32
	chgYear uint16
	ready   int64
}

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

var statusCode = map[models.Status]uint8{}

func init() {
	for i, s := range models.Statuses {
		statusCode[s] = uint8(i)
	}
}

func newGen(cfg *config.Config, opt Options) (*gen, error) {
	g := &gen{cfg: cfg, loc: cfg.Location, seed: uint64(opt.Seed), now: opt.Now.Unix(), total: opt.Deployments,
		changes: map[int]uint32{}, used: map[usedKey]bool{}}
	if g.loc == nil {
		g.loc = time.UTC
	}
	g.rng = rand.New(rand.NewPCG(g.seed, 0x5eed_f3e4_7a11_0001))
	if len(cfg.Environments) > 250 || len(cfg.Components()) > 250 {
		return nil, models.Invalidf("demo data supports at most 250 environments and 250 components")
	}
	envIdx := map[string]int{}
	for i, e := range cfg.Environments {
		ei := &envInfo{e: e, idx: i, windowed: e.RequireMaintenanceWindow && len(e.Maintenance) > 0}
		g.envs = append(g.envs, ei)
		envIdx[e.Name] = i
	}
	names := func(r models.Role) []string {
		var out []string
		for _, p := range cfg.PeopleWithRole(r) {
			out = append(out, p.Name)
		}
		return out
	}
	g.managers, g.practs, g.techs = names(models.RoleManager), names(models.RolePractitioner), names(models.RoleTechnician)
	if len(g.practs) == 0 {
		g.practs = g.managers
	}
	if len(g.managers) == 0 {
		g.managers = g.practs
	}
	if len(g.techs) == 0 {
		g.techs = g.practs
	}
	if len(g.practs) == 0 {
		return nil, models.Invalidf("%s declares no manager, practitioner or technician to carry out deployments", cfg.File)
	}
	for _, p := range append(slices.Clone(g.managers), g.practs...) {
		if !slices.Contains(g.reqs, p) {
			g.reqs = append(g.reqs, p)
		}
	}

	// Release weights and failure proneness by kind; some components are worse than others.
	weight := map[models.Kind]float64{models.KindSoftware: 10, models.KindData: 3, models.KindDocumentation: 2.5,
		models.KindLicence: 0.25, models.KindHardware: 0.35}
	fail := map[models.Kind]float64{models.KindSoftware: 1, models.KindData: 1.5, models.KindDocumentation: 0.4,
		models.KindLicence: 0.5, models.KindHardware: 1.3}
	for _, c := range cfg.Components() {
		var applies []int
		for i, m := range cfg.Models {
			if m.AppliesToKind(c.Kind) {
				applies = append(applies, i)
			}
		}
		if len(applies) == 0 {
			continue
		}
		mi := applies[len(g.comps)%len(applies)]
		var path []int
		for _, name := range cfg.Models[mi].Path {
			if i, ok := envIdx[name]; ok {
				path = append(path, i)
			}
		}
		if len(path) == 0 {
			continue
		}
		ci := &compInfo{c: c, idx: len(g.comps), model: mi, path: path, weight: weight[c.Kind],
			failMul: fail[c.Kind] * (0.65 + 0.9*g.rng.Float64()), threePart: c.Kind == models.KindSoftware || c.Kind == models.KindData}
		g.comps = append(g.comps, ci)
	}
	if len(g.comps) == 0 {
		return nil, models.Invalidf("%s declares no component that a deployment model applies to", cfg.File)
	}
	sum := 0.0
	for _, c := range g.comps {
		sum += c.weight
		g.cumW = append(g.cumW, sum)
	}

	g.spanDays = spanDays(opt.Deployments)
	years := g.spanDays / 365
	g.lnGrowth = math.Log(1 + 0.8*years)
	g.targetStart = g.now - int64(g.spanDays*float64(day))
	g.cutoff = g.now - min(365*day, int64(g.spanDays*float64(day))/3)

	from := g.now - int64(g.spanDays*1.2*float64(day)) - 30*day
	to := g.now + 120*day
	for _, e := range g.envs {
		for _, w := range e.e.Freeze {
			for _, iv := range w.Occurrences(time.Unix(g.now-2*day, 0), time.Unix(to, 0), g.loc) {
				e.freezes = append(e.freezes, interval{iv.Start.Unix(), iv.End.Unix()})
			}
		}
		if !e.windowed {
			continue
		}
		var all []interval
		for _, w := range e.e.Maintenance {
			for _, iv := range w.Occurrences(time.Unix(from, 0), time.Unix(to, 0), g.loc) {
				all = append(all, interval{iv.Start.Unix(), iv.End.Unix()})
			}
		}
		slices.SortFunc(all, func(a, b interval) int { return cmp.Or(cmp.Compare(a.s, b.s), cmp.Compare(a.e, b.e)) })
		var freezes []interval
		for _, w := range e.e.Freeze {
			for _, iv := range w.Occurrences(time.Unix(from, 0), time.Unix(to, 0), g.loc) {
				freezes = append(freezes, interval{iv.Start.Unix(), iv.End.Unix()})
			}
		}
		for _, iv := range all {
			if !overlapsAny(iv, freezes) {
				e.occ = append(e.occ, iv)
			}
		}
	}
	return g, nil
}

// spanDays is how far back the history reaches: about a year up to 20,000
// deployments, three years from 300,000, in between on a log scale.
func spanDays(n int) float64 {
	switch {
	case n <= 20000:
		return 365
	case n >= 300000:
		return 3 * 365
	}
	f := math.Log(float64(n)/20000) / math.Log(300000.0/20000)
	return 365 * (1 + 2*f)
}

func overlapsAny(iv interval, list []interval) bool {
	for _, o := range list {
		if iv.s < o.e && o.s < iv.e {
			return true
		}
	}
	return false
}

// olderVariant is m as it was before its last improvement: without the first step
// of the latest stage that has two or more (for web-service: before the smoke tests).
func olderVariant(m models.Model) (models.Model, bool) {
	for _, st := range slices.Backward(models.Stages) {
		var idx []int
		for i, s := range m.Steps {
			if s.Stage == st {
				idx = append(idx, i)
			}
		}
		if len(idx) >= 2 {
			old := m
			old.Steps = slices.Delete(slices.Clone(m.Steps), idx[0], idx[0]+1)
			return old, true
		}
	}
	return m, false
}

// syncModels stores every config model, two of them after an older version of
// themselves, and prepares their step lists per environment.
func (g *gen) syncModels(ctx context.Context, st *store.Store) error {
	stored, err := st.Read().ModelVersions(ctx)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, v := range stored {
		known[v.Name] = true
	}
	usedModel := map[int]bool{}
	for _, c := range g.comps {
		usedModel[c.model] = true
	}
	olds := map[int]models.Model{}
	for i, m := range g.cfg.Models {
		if len(olds) == 2 {
			break
		}
		if !usedModel[i] || known[m.Name] {
			continue
		}
		if old, ok := olderVariant(m); ok {
			olds[i] = old
		}
	}
	early := time.Unix(g.targetStart-60*day, 0)
	cur := make([]int, len(g.cfg.Models))
	old := make([]int, len(g.cfg.Models))
	err = st.Write(ctx, func(q store.Q) error {
		g.mvs = nil
		for i, m := range g.cfg.Models {
			created := early
			if o, ok := olds[i]; ok {
				sm, id, err := q.SyncModel(ctx, o, early)
				if err != nil {
					return fmt.Errorf("store model %q: %w", m.Name, err)
				}
				old[i] = len(g.mvs)
				g.mvs = append(g.mvs, g.mvInfo(sm, id))
				created = time.Unix(g.cutoff-3*day, 0)
			}
			sm, id, err := q.SyncModel(ctx, m, created)
			if err != nil {
				return fmt.Errorf("store model %q: %w", m.Name, err)
			}
			cur[i] = len(g.mvs)
			if _, ok := olds[i]; !ok {
				old[i] = len(g.mvs)
			}
			g.mvs = append(g.mvs, g.mvInfo(sm, id))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(g.mvs) > 250 {
		return models.Invalidf("demo data supports at most 250 model versions")
	}
	for _, c := range g.comps {
		c.mvCur, c.mvOld = cur[c.model], old[c.model]
	}
	return nil
}

func (g *gen) mvInfo(m models.Model, id int64) *mvInfo {
	mv := &mvInfo{m: m, id: id, steps: make([][]models.Step, len(g.envs)), automated: make([]bool, len(g.envs)),
		approvers: map[string][]string{}, onFailure: map[models.Stage]string{}, hasFailure: len(m.OnFailure) > 0}
	for i, e := range g.envs {
		if m.OnPath(e.e.Name) {
			mv.steps[i] = m.StepsFor(e.e.Name)
			mv.automated[i] = m.Automated(e.e.Name)
		}
	}
	for _, s := range m.Steps {
		if s.Kind != models.StepGate {
			continue
		}
		roles := s.Roles
		if len(roles) == 0 {
			roles = []models.Role{models.RoleManager}
		}
		var who []string
		for _, p := range g.cfg.People {
			if slices.ContainsFunc(roles, p.Has) {
				who = append(who, p.Name)
			}
		}
		if len(who) == 0 {
			who = g.managers
		}
		mv.approvers[s.Name] = who
	}
	for _, s := range slices.Backward(m.OnFailure) {
		mv.onFailure[s.Stage] = s.Name
	}
	return mv
}

// ---- first pass: the history ------------------------------------------------------

// history simulates until it has at least h finished deployments and keeps them all;
// sortKeys later keeps the newest h. The release rate is calibrated so that about h
// of them fall into the target span.
func (g *gen) history(h int) {
	spanSec := g.now - g.targetStart
	from := g.now - spanSec*112/100
	// An estimate: about two deployments per release.
	sumRate := 0.0
	for d := g.localDay(g.targetStart); d.Unix() < g.now; d = d.AddDate(0, 0, 1) {
		sumRate += g.rate(d)
	}
	scale := float64(h) / (2 * sumRate)
	for attempt := 0; ; attempt++ {
		g.simulate(scale, from)
		inSpan := 0
		for i := range g.recs {
			if g.recs[i].start >= g.targetStart {
				inSpan++
			}
		}
		if len(g.recs) >= h && (attempt >= 5 || math.Abs(float64(inSpan-h)) <= 0.03*float64(h)) {
			return
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

func (g *gen) simulate(scale float64, from int64) {
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
		c.cands = make([][]cand, len(g.envs))
	}
	var rels []release
	for d := g.localDay(from); d.Unix() < g.now; d = d.AddDate(0, 0, 1) {
		n := g.poisson(scale * g.rate(d))
		rels = rels[:0]
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
		for _, r := range rels {
			if r.t < g.now {
				g.release(g.comps[r.comp], r.t)
			}
		}
		g.windows(d.Unix() - 20*day)
	}
	g.windows(g.now)
}

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

func (g *gen) pickComp() int {
	u := g.rng.Float64() * g.cumW[len(g.cumW)-1]
	i, _ := slices.BinarySearch(g.cumW, u)
	return min(i, len(g.comps)-1)
}

func packVer(maj, min, pat uint64) uint64 { return maj<<40 | min<<20 | pat }

// bump moves the component to its next version at time t: a new major about once a
// year, a new minor every sprint, else the next patch (build).
func (g *gen) bump(c *compInfo, t int64) uint64 {
	sprint := func() int64 { return t + int64(10+g.rng.IntN(9))*day }
	switch {
	case !c.started:
		c.started = true
		c.maj, c.min, c.pat = uint64(1+g.rng.IntN(4)), uint64(g.rng.IntN(12)), 0
		c.nextMinor, c.nextMajor = sprint(), t+int64(200+g.rng.IntN(300))*day
	case t >= c.nextMajor:
		c.maj, c.min, c.pat = c.maj+1, 0, 0
		c.nextMinor, c.nextMajor = sprint(), t+int64(300+g.rng.IntN(200))*day
	case t >= c.nextMinor || !c.threePart:
		c.min, c.pat = c.min+1, 0
		if t >= c.nextMinor {
			c.nextMinor = sprint()
		}
	default:
		c.pat++
	}
	return packVer(c.maj, c.min, c.pat)
}

func (g *gen) change(t int64) (uint32, uint16) {
	y := time.Unix(t, 0).In(g.loc).Year()
	g.changes[y]++
	return g.changes[y], uint16(y)
}

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
	g.run(c, k, ver, chg, year, start, created)
}

// windows hands out every maintenance window that starts before until: per
// component the newest version that is ready goes, one after another in the
// environment's capacity lanes; older ready versions are superseded.
func (g *gen) windows(until int64) {
	for _, e := range g.envs {
		if !e.windowed {
			continue
		}
		for e.next < len(e.occ) && e.occ[e.next].s < until {
			w := e.occ[e.next]
			e.next++
			if w.s >= g.now {
				continue
			}
			lanes := make([]int64, max(1, e.e.Capacity))
			for i := range lanes {
				lanes[i] = w.s
			}
			perm := g.rng.Perm(len(g.comps))
			for _, ci := range perm {
				c := g.comps[ci]
				cs := c.cands[e.idx]
				best := -1
				for i, cd := range cs {
					if cd.ready <= w.s-2*hour && (best < 0 || cd.ver > cs[best].ver) {
						best = i
					}
				}
				if best < 0 {
					continue
				}
				chosen := cs[best]
				dur := int64(g.cfg.Models[c.model].DefaultDuration / time.Second)
				// Now and then a version cannot wait: a hotfix in working hours,
				// outside the windows.
				if chosen.k > 0 && g.rng.Float64() < 0.04 {
					if start := g.workSlot(chosen.ready+2*hour, true); start+dur < w.s {
						keep := cs[:0]
						for _, cd := range cs {
							if cd.ver > chosen.ver {
								keep = append(keep, cd)
							}
						}
						c.cands[e.idx] = keep
						g.run(c, chosen.k, chosen.ver, chosen.chg, chosen.chgYear, start, chosen.ready+(start-chosen.ready)/4)
						continue
					}
				}
				lane := 0
				for i := range lanes {
					if lanes[i] < lanes[lane] {
						lane = i
					}
				}
				// keep only what is newer than the chosen one (or the chosen, if it waits)
				keep := cs[:0]
				fits := lanes[lane]+dur <= w.e
				for _, cd := range cs {
					if cd.ver > chosen.ver || (!fits && cd == chosen) {
						keep = append(keep, cd)
					}
				}
				c.cands[e.idx] = keep
				if !fits {
					continue
				}
				start := lanes[lane]
				lanes[lane] = roundUp5(start + dur + 5*minute)
				created := chosen.ready
				if lead := start - 10*minute - chosen.ready; lead > 0 {
					created += int64(g.rng.Float64() * float64(lead) * 0.5)
				}
				g.run(c, chosen.k, chosen.ver, chosen.chg, chosen.chgYear, start, created)
			}
		}
	}
}

// workSlot is the first working-hours time (Mon-Fri 08:00-17:00, local) at or after
// t, rounded up to five minutes; noFriday avoids Friday afternoons.
func (g *gen) workSlot(t int64, noFriday bool) int64 {
	lt := time.Unix(t, 0).In(g.loc)
	for range 10 {
		wd := lt.Weekday()
		mins := lt.Hour()*60 + lt.Minute()
		last := 17 * 60
		if noFriday && wd == time.Friday {
			last = 13 * 60
		}
		workday := wd != time.Saturday && wd != time.Sunday
		y, m, d := lt.Date()
		switch {
		case workday && mins >= 8*60 && mins < last:
			return roundUp5(lt.Unix())
		case workday && mins < 8*60:
			lt = time.Date(y, m, d, 8, g.rng.IntN(last-8*60), 0, 0, g.loc)
		default:
			lt = time.Date(y, m, d+1, 8, g.rng.IntN(8*60), 0, 0, g.loc)
		}
	}
	return roundUp5(lt.Unix())
}

func roundUp5(t int64) int64 { return (t + 299) / 300 * 300 }

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
	if !mv.hasFailure {
		pf, pr = pf+pr*0.6, pr*0.4
	}
	started := max(start+g.jitter(), created+minute)
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

// ---- now and the planned future -------------------------------------------------

// slot is a planned or running deployment's window, for conflict checks.
type slot struct {
	s, e int64
	env  int
	comp int
	who  string
}

type usedKey struct {
	comp, env int
	ver       uint64
}

// want is a special deployment before it becomes a row.
type want struct {
	c                   *compInfo
	k                   int
	status              models.Status
	start, end          int64
	created             int64
	ver                 uint64
	newVer              bool
	assignee, requester string
	done                int  // steps done in the current stage
	blocked             bool // the next step in the stage is blocked
	reassigned          bool
	busyUntil           int64 // a running one occupies its environment, component and person until then
	chg                 uint32
	chgYear             uint16
}

const (
	nRunning   = 7 // at most: as many as people and capacity allow
	nOverdue   = 2
	nDueToday  = 3
	nConflicts = 4
)

// specialCount is how many deployments are not history: running now, overdue, due
// today, planned for the next three weeks and the planted conflicts.
func (g *gen) specialCount() int {
	return nRunning + nOverdue + nDueToday + nConflicts + min(max(g.total/100, 20), 250)
}

func (g *gen) env(c *compInfo, k int) *envInfo { return g.envs[c.path[k]] }

func (g *gen) dur(c *compInfo) int64 {
	return int64(g.cfg.Models[c.model].DefaultDuration / time.Second)
}

// free reports whether a deployment of comp in env by who fits [s, e) without a
// conflict: capacity, the component elsewhere, the person elsewhere, and (when
// asked) a freeze.
func (g *gen) free(s, e int64, env, comp int, who string, freeze bool) bool {
	n := 0
	for _, b := range g.busy {
		if b.s >= e || s >= b.e {
			continue
		}
		if b.env == env {
			n++
		}
		if b.comp == comp || (who != "" && b.who == who) {
			return false
		}
	}
	if n >= max(1, g.envs[env].e.Capacity) {
		return false
	}
	return !freeze || !overlapsAny(interval{s, e}, g.envs[env].freezes)
}

// inWindow reports whether [s, e) lies inside one of env's maintenance windows.
func (g *gen) inWindow(env *envInfo, s, e int64) bool {
	for _, w := range env.occ {
		if w.s <= s && e <= w.e {
			return true
		}
	}
	return false
}

// version picks the version for a special deployment of c into its k-th environment:
// a new one in the first, else the newest that succeeded in the previous environment
// and was not moved here yet.
func (g *gen) version(c *compInfo, k int) (ver uint64, newVer, ok bool) {
	if k == 0 {
		return 0, true, true
	}
	env := c.path[k]
	v := c.lastOK[c.path[k-1]]
	if v == 0 || v <= c.lastAny[env] || g.used[usedKey{c.idx, env, v}] {
		return 0, false, false
	}
	return v, false, true
}

func (g *gen) assigneeFor(c *compInfo) []string {
	if c.c.Kind == models.KindHardware {
		return g.techs
	}
	return g.practs
}

func (g *gen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// freeAssignee is someone who may carry the deployment out and is free in [s, e).
func (g *gen) freeAssignee(c *compInfo, s, e int64) string {
	list := g.assigneeFor(c)
	off := g.rng.IntN(len(list))
	for i := range list {
		who := list[(off+i)%len(list)]
		if g.personFree(who, s, e) {
			return who
		}
	}
	return ""
}

func (g *gen) personFree(who string, s, e int64) bool {
	for _, b := range g.busy {
		if b.who == who && b.s < e && s < b.e {
			return false
		}
	}
	return true
}

// add registers a special deployment.
func (g *gen) add(w *want, list *[]*want) {
	if w.end == 0 {
		w.end = w.start + g.dur(w.c)
	}
	if w.requester == "" {
		w.requester = g.pick(g.reqs)
	}
	env := w.c.path[w.k]
	if !w.newVer {
		g.used[usedKey{w.c.idx, env, w.ver}] = true
	}
	g.busy = append(g.busy, slot{w.start, max(w.end, w.busyUntil), env, w.c.idx, w.assignee})
	*list = append(*list, w)
}

// place finds a start in [from, to) where a deployment of c into its k-th
// environment fits without a conflict, and its assignee: in working hours unless
// anyTime. tries bounds the search.
func (g *gen) place(c *compInfo, k int, from, to int64, anyTime bool, tries int) (int64, string, bool) {
	env := g.env(c, k)
	dur := g.dur(c)
	for range tries {
		t := from + int64(g.rng.Float64()*float64(max(to-from, minute)))
		s := roundUp5(t)
		if !anyTime {
			s = g.workSlot(t, false) / (15 * minute) * (15 * minute)
			if s < from {
				continue
			}
		}
		who := g.freeAssignee(c, s, s+dur)
		if who == "" || !g.free(s, s+dur, env.idx, c.idx, who, true) {
			continue
		}
		return s, who, true
	}
	return 0, "", false
}

// buildSpecials makes the deployments around Now, n in all.
func (g *gen) buildSpecials(n int) {
	var list []*want
	now := g.now
	var hw, other []*compInfo
	for _, c := range g.comps {
		if c.c.Kind == models.KindHardware {
			hw = append(hw, c)
		} else {
			other = append(other, c)
		}
	}

	pool := other
	if len(pool) == 0 {
		pool = g.comps
	}

	// Running now: a server being installed in the data centre, blocked on power, and
	// software, data and documentation mid-run, each with its checklist partly done.
	type runSpec struct {
		c       *compInfo
		blocked bool
	}
	var runs []runSpec
	if len(hw) > 0 {
		runs = append(runs, runSpec{hw[0], true})
	}
	for i := range 3 * len(pool) {
		runs = append(runs, runSpec{pool[i%len(pool)], false})
	}
	running := 0
	for i, r := range runs {
		if running == nRunning {
			break
		}
		c := r.c
		// a position on the path: the last for hardware, else one without windows
		var ks []int
		for k, e := range c.path {
			if !g.envs[e].windowed || c.c.Kind == models.KindHardware || len(c.path) == 1 {
				ks = append(ks, k)
			}
		}
		if len(ks) == 0 {
			continue
		}
		k := ks[(i+1)%len(ks)]
		if c.c.Kind == models.KindHardware {
			k = ks[len(ks)-1]
		}
		ver, newVer, ok := g.version(c, k)
		if !ok {
			k = ks[0]
			if ver, newVer, ok = g.version(c, k); !ok {
				continue
			}
		}
		status, done, ok := g.runningStage(g.mvs[c.mvCur].steps[c.path[k]], i, r.blocked)
		if !ok {
			continue
		}
		// started within its window, a while ago; it keeps people and capacity busy
		// until it ends, at least for another half hour
		dur := g.dur(c)
		back := 10*minute + g.rng.Int64N(max(dur*7/10, 10*minute))
		start := (now - back) / (5 * minute) * (5 * minute)
		until := max(start+dur, now+30*minute)
		// whoever is free: managers help out when the practitioners are all busy
		who := g.freeAssignee(c, start, until)
		if who == "" && c.c.Kind != models.KindHardware {
			for _, m := range g.managers {
				if g.personFree(m, start, until) {
					who = m
					break
				}
			}
		}
		if who == "" || !g.free(start, until, c.path[k], c.idx, who, false) {
			continue
		}
		g.add(&want{c: c, k: k, status: status, start: start, ver: ver, newVer: newVer, assignee: who,
			created: start - int64(20+g.rng.IntN(72*60))*minute, done: done, blocked: r.blocked, busyUntil: until}, &list)
		running++
	}

	// Overdue: planned this morning and yesterday, never started.
	for i, back := range []int64{2*hour + int64(g.rng.IntN(120))*minute, day + int64(g.rng.IntN(180))*minute} {
		if i >= nOverdue {
			break
		}
		for try := 0; try < 40; try++ {
			c := pool[g.rng.IntN(len(pool))]
			k := 0
			if g.env(c, 0).windowed && try < 30 {
				continue
			}
			start := (now - back - int64(try)*15*minute) / (5 * minute) * (5 * minute)
			dur := g.dur(c)
			who := g.freeAssignee(c, start, start+dur)
			if who == "" || !g.free(start, start+dur, c.path[k], c.idx, who, false) {
				continue
			}
			g.add(&want{c: c, k: k, status: models.StatusPlanned, start: start, newVer: true, assignee: who,
				created: start - int64(1+g.rng.IntN(4))*day}, &list)
			break
		}
	}

	// Due later today.
	for i := 0; i < nDueToday; i++ {
		for try := 0; try < 60; try++ {
			c := pool[g.rng.IntN(len(pool))]
			k := g.rng.IntN(len(c.path))
			if g.env(c, k).windowed {
				continue
			}
			ver, newVer, ok := g.version(c, k)
			if !ok {
				continue
			}
			s, who, ok := g.place(c, k, now+20*minute, now+6*hour, true, 1)
			if !ok {
				continue
			}
			g.add(&want{c: c, k: k, status: models.StatusPlanned, start: s, ver: ver, newVer: newVer, assignee: who,
				created: now - int64(2+g.rng.IntN(70))*hour}, &list)
			break
		}
	}

	g.plantConflicts(&list, hw, other)

	// The next three weeks: planned work. Maintenance windows first, then working hours.
	regular := n - len(list)
	horizon := now + horizonDays*day
	for _, e := range g.envs {
		if !e.windowed {
			continue
		}
		for _, w := range e.occ {
			if regular <= 0 || w.s <= now+hour || w.s >= horizon {
				continue
			}
			cursor := w.s
			for _, ci := range g.rng.Perm(len(g.comps)) {
				c := g.comps[ci]
				k := slices.Index(c.path, e.idx)
				if k < 0 || regular <= 0 {
					continue
				}
				ver, newVer, ok := g.version(c, k)
				if !ok || (newVer && c.futureFirst) {
					continue
				}
				dur := g.dur(c)
				for s := cursor; s+dur <= w.e; s += 15 * minute {
					who := g.freeAssignee(c, s, s+dur)
					if who == "" || !g.free(s, s+dur, e.idx, c.idx, who, true) {
						continue
					}
					if newVer {
						c.futureFirst = true
					}
					g.add(&want{c: c, k: k, status: models.StatusPlanned, start: s, ver: ver, newVer: newVer,
						assignee: who, created: now - int64(1+g.rng.IntN(7*24))*hour, reassigned: g.rng.Float64() < 0.1}, &list)
					regular--
					cursor = roundUp5(s + dur + 5*minute)
					break
				}
			}
		}
	}
	for attempts := 0; regular > 0; attempts++ {
		c := g.comps[g.pickComp()]
		k := 0
		if len(c.path) > 1 && g.rng.Float64() < 0.2 {
			k = 1 + g.rng.IntN(len(c.path)-1)
		}
		relaxed := attempts > 200*n // a calendar too full (or only windows): place it anyway
		if g.env(c, k).windowed && !relaxed {
			continue
		}
		ver, newVer, ok := g.version(c, k)
		if !ok {
			continue
		}
		// Nearer days are fuller; the horizon stretches if the calendar is full.
		days := float64(horizonDays) + float64(attempts/(10*n+1))
		from := now + 30*minute + int64(math.Pow(g.rng.Float64(), 1.4)*days*float64(day))
		s, who, ok := g.place(c, k, from, from+day, false, 3)
		if relaxed && !ok {
			s, who, ok = g.workSlot(from, false), g.pick(g.assigneeFor(c)), true
		}
		if !ok {
			continue
		}
		g.add(&want{c: c, k: k, status: models.StatusPlanned, start: s, ver: ver, newVer: newVer, assignee: who,
			created: min(now-hour, s-day) - int64(g.rng.IntN(6*24))*hour, reassigned: g.rng.Float64() < 0.1}, &list)
		regular--
	}

	// New versions in the order they are deployed; change numbers in the order planned.
	slices.SortStableFunc(list, func(a, b *want) int { return cmp.Compare(a.start, b.start) })
	for _, w := range list {
		if w.newVer {
			w.ver = g.bump(w.c, w.start)
		}
	}
	byCreated := slices.Clone(list)
	slices.SortStableFunc(byCreated, func(a, b *want) int { return cmp.Compare(a.created, b.created) })
	for _, w := range byCreated {
		w.chg, w.chgYear = g.change(w.created)
	}
	for _, w := range list {
		g.specials = append(g.specials, g.specialRow(w))
	}
}

// runningStage picks the stage a running deployment is in and how many of its steps
// are done, so that its checklist is partly ticked: some steps done, some not. A
// blocked one waits at the power check (or the second step) of the environment
// verification, or the first stage with two steps or more.
func (g *gen) runningStage(steps []models.Step, i int, blocked bool) (models.Status, int, bool) {
	count := func(st models.Stage) (before, in int) {
		for _, s := range steps {
			switch si, ci := slices.Index(models.Stages, s.Stage), slices.Index(models.Stages, st); {
			case si < ci:
				before++
			case si == ci:
				in++
			}
		}
		return before, in
	}
	if blocked {
		for _, st := range append([]models.Stage{models.StageVerifyEnvironment}, models.Stages...) {
			if _, in := count(st); in >= 2 {
				done := 1
				j := 0
				for _, s := range steps {
					if s.Stage == st {
						if strings.Contains(strings.ToLower(s.Name), "power") {
							done = j
							break
						}
						j++
					}
				}
				return stageStatus(st), done, true
			}
		}
		return "", 0, false
	}
	cycle := []models.Status{models.StatusExecuting, models.StatusVerifyingDeployment, models.StatusVerifyingEnvironment,
		models.StatusExecuting, models.StatusVerifyingComponents, models.StatusVerifyingDeployment}
	for j := range cycle {
		status := cycle[(i+j)%len(cycle)]
		before, in := count(status.Stage())
		if in == 0 {
			continue
		}
		done := min(1, in-1)
		if before+done >= 1 && before+done < len(steps) {
			return status, done, true
		}
	}
	return "", 0, false
}

// plantConflicts adds the planned deployments a manager has to sort out: two at once
// in a capacity-1 environment, a person booked twice, one in a freeze, one outside
// the maintenance windows.
func (g *gen) plantConflicts(list *[]*want, hw, other []*compInfo) {
	now := g.now
	var windowed *envInfo
	for _, e := range slices.Backward(g.envs) {
		if e.windowed {
			windowed = e
			break
		}
	}
	plannedAt := func() int64 { return now - int64(2+g.rng.IntN(5*24))*hour }
	// compsIn lists components that can go to env, with a version, in a random order.
	compsIn := func(env int, except int) []*compInfo {
		var out []*compInfo
		for _, ci := range g.rng.Perm(len(g.comps)) {
			c := g.comps[ci]
			if k := slices.Index(c.path, env); k >= 0 && ci != except {
				if _, _, ok := g.version(c, k); ok {
					out = append(out, c)
				}
			}
		}
		return out
	}

	// 1. Over capacity in the last windowed environment (production): one more than
	// its capacity at the start of a maintenance window.
	if windowed != nil {
		capN := max(1, windowed.e.Capacity)
		for _, w := range windowed.occ {
			if w.s <= now+day || w.s > now+horizonDays*day {
				continue
			}
			placed := 0
			for _, c := range compsIn(windowed.idx, -1) {
				if placed > capN {
					break
				}
				k := slices.Index(c.path, windowed.idx)
				dur := g.dur(c)
				if w.s+dur > w.e || !g.componentFree(c.idx, w.s, w.s+dur) {
					continue
				}
				who := g.freeAssignee(c, w.s, w.s+dur)
				if who == "" || placed < capN && !g.free(w.s, w.s+dur, windowed.idx, c.idx, who, true) {
					continue
				}
				ver, newVer, _ := g.version(c, k)
				g.add(&want{c: c, k: k, status: models.StatusPlanned, start: w.s, ver: ver, newVer: newVer,
					assignee: who, created: plannedAt()}, list)
				placed++
			}
			if placed > capN {
				break
			}
		}
	}

	// 2. One person booked twice: two deployments in different environments at once.
	if len(other) > 0 {
		who := g.practs[0]
		d0 := g.workSlot(now+day, false)
		y, m, d := time.Unix(d0, 0).In(g.loc).Date()
	search:
		for off := 0; off < 30; off++ {
			s := time.Date(y, m, d+off, 10, 0, 0, 0, g.loc)
			if wd := s.Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			st := s.Unix()
			for _, a := range other {
				for _, b := range other {
					if a == b {
						continue
					}
					ka, kb := g.firstOpen(a), g.firstOpen(b)
					if ka < 0 || kb < 0 || a.path[ka] == b.path[kb] {
						continue
					}
					ea, eb := st+g.dur(a), st+g.dur(b)
					if !g.free(st, ea, a.path[ka], a.idx, who, true) || !g.free(st, eb, b.path[kb], b.idx, who, true) {
						continue
					}
					va, na, _ := g.version(a, ka)
					g.add(&want{c: a, k: ka, status: models.StatusPlanned, start: st, ver: va, newVer: na, assignee: who, created: plannedAt()}, list)
					vb, nb, _ := g.version(b, kb)
					g.add(&want{c: b, k: kb, status: models.StatusPlanned, start: st, ver: vb, newVer: nb, assignee: who, created: plannedAt()}, list)
					break search
				}
			}
		}
	}

	// 3. Inside a freeze window: prefer a one-off freeze (the year end), else a weekly one.
	var frozen *envInfo
	var freeze interval
	for pass := 0; pass < 2 && frozen == nil; pass++ {
		for _, e := range g.envs {
			for _, fw := range e.e.Freeze {
				if (pass == 0) != (fw.Weekly == nil) {
					continue
				}
				occ := fw.Occurrences(time.Unix(now+2*day, 0), time.Unix(now+120*day, 0), g.loc)
				if len(occ) > 0 && frozen == nil {
					frozen, freeze = e, interval{occ[0].Start.Unix(), occ[0].End.Unix()}
				}
			}
		}
	}
	if frozen != nil {
		var start int64
		if frozen.windowed {
			// a maintenance window inside the freeze: only the freeze is in the way
			for _, w := range g.maintenanceIn(frozen, freeze) {
				start = w.s
				break
			}
		}
		if start == 0 {
			y, m, d := time.Unix(freeze.s, 0).In(g.loc).Date()
			start = time.Date(y, m, d+1, 10, 0, 0, 0, g.loc).Unix()
			if start >= freeze.e {
				start = freeze.s
			}
		}
		for _, c := range compsIn(frozen.idx, -1) {
			k := slices.Index(c.path, frozen.idx)
			dur := g.dur(c)
			if start+dur > freeze.e && freeze.e-freeze.s > dur {
				continue
			}
			who := g.freeAssignee(c, start, start+dur)
			if who == "" || !g.componentFree(c.idx, start, start+dur) {
				continue
			}
			ver, newVer, _ := g.version(c, k)
			g.add(&want{c: c, k: k, status: models.StatusPlanned, start: start, ver: ver, newVer: newVer,
				assignee: who, created: plannedAt()}, list)
			break
		}
	}

	// 4. Outside the maintenance windows of an environment that requires them.
	if windowed != nil {
		y, m, d := time.Unix(now, 0).In(g.loc).Date()
	outside:
		for off := 6; off < 40; off++ {
			s := time.Date(y, m, d+off, 10, 0, 0, 0, g.loc)
			if wd := s.Weekday(); wd < time.Monday || wd > time.Thursday {
				continue
			}
			for _, c := range compsIn(windowed.idx, -1) {
				k := slices.Index(c.path, windowed.idx)
				st, dur := s.Unix(), g.dur(c)
				if g.inWindow(windowed, st, st+dur) {
					continue
				}
				who := g.freeAssignee(c, st, st+dur)
				if who == "" || !g.free(st, st+dur, windowed.idx, c.idx, who, true) {
					continue
				}
				ver, newVer, _ := g.version(c, k)
				g.add(&want{c: c, k: k, status: models.StatusPlanned, start: st, ver: ver, newVer: newVer,
					assignee: who, created: plannedAt()}, list)
				break outside
			}
		}
	}
}

func (g *gen) componentFree(comp int, s, e int64) bool {
	for _, b := range g.busy {
		if b.comp == comp && b.s < e && s < b.e {
			return false
		}
	}
	return true
}

// firstOpen is the first position on c's path without maintenance windows that
// has a version to move, or -1.
func (g *gen) firstOpen(c *compInfo) int {
	for k, e := range c.path {
		if g.envs[e].windowed {
			continue
		}
		if _, _, ok := g.version(c, k); ok {
			return k
		}
	}
	return -1
}

func (g *gen) maintenanceIn(e *envInfo, freeze interval) []interval {
	var out []interval
	for _, w := range e.e.Maintenance {
		for _, iv := range w.Occurrences(time.Unix(freeze.s, 0), time.Unix(freeze.e, 0), g.loc) {
			if iv.Start.Unix() >= freeze.s && iv.End.Unix() <= freeze.e {
				out = append(out, interval{iv.Start.Unix(), iv.End.Unix()})
			}
		}
	}
	slices.SortFunc(out, func(a, b interval) int { return cmp.Compare(a.s, b.s) })
	return out
}

// ---- second pass: rows -------------------------------------------------------------

// row is one deployment with everything recorded about it.
type row struct {
	d      models.Deployment
	mvID   int64
	steps  []stepRow
	events []models.Event
	inc    *models.Incident
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
	incs   []models.Incident
}

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
	if r.inc != nil {
		in := *r.inc
		in.DeploymentID = r.d.ID
		b.incs = append(b.incs, in)
	}
}

// write expands the records batch by batch while the store writes the previous one.
func (g *gen) write(ctx context.Context, st *store.Store, keys []sortKey, progress func(done, total int)) (Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *batch, 2)
	go func() {
		defer close(batches)
		x := newExpander(g)
		var r row
		for lo := 0; lo < len(keys); lo += batchSize {
			hi := min(lo+batchSize, len(keys))
			b := &batch{}
			for i := lo; i < hi; i++ {
				id := int64(i + 1)
				k := keys[i]
				if k.idx < 0 {
					sp := *g.specials[-1-k.idx]
					sp.d.ID = id
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
	}()
	var res Result
	for b := range batches {
		err := st.Bulk(ctx, func(bk *store.Bulk) error {
			for i := range b.deps {
				if _, err := bk.Deployment(b.deps[i], b.mvIDs[i]); err != nil {
					return err
				}
			}
			for i, s := range b.steps {
				r := models.StepRun{DeploymentID: b.stepOf[i], Seq: s.seq, Status: s.status, Actor: s.actor, Note: s.note}
				if s.at != 0 {
					r.At = time.Unix(s.at, 0)
				}
				if s.hasExit {
					code := s.exit
					r.ExitCode = &code
				}
				if err := bk.StepRun(r); err != nil {
					return err
				}
			}
			for _, e := range b.events {
				if err := bk.Event(e); err != nil {
					return err
				}
			}
			for _, in := range b.incs {
				if err := bk.Incident(in); err != nil {
					return err
				}
			}
			return ctx.Err()
		})
		if err != nil {
			return res, fmt.Errorf("demo data: %w", err)
		}
		res.Deployments += len(b.deps)
		res.Steps += len(b.steps)
		res.Events += len(b.events)
		res.Incidents += len(b.incs)
		if progress != nil {
			progress(res.Deployments, len(keys))
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if res.Deployments != len(keys) {
		return res, fmt.Errorf("demo data: wrote %d of %d deployments", res.Deployments, len(keys))
	}
	return res, st.Optimize(ctx)
}

// expander turns history records into rows, each from a random stream of its own.
type expander struct {
	g   *gen
	pcg *rand.PCG
	rnd *rand.Rand
	ts  []int64
}

func newExpander(g *gen) *expander {
	pcg := rand.NewPCG(0, 0)
	return &expander{g: g, pcg: pcg, rnd: rand.New(pcg)}
}

func (x *expander) pick(list []string) string { return list[x.rnd.IntN(len(list))] }

// pickOther picks someone from list who is not avoid, if there is such a person.
func (x *expander) pickOther(list []string, avoid string) string {
	p := x.pick(list)
	if p == avoid && len(list) > 1 {
		i := slices.Index(list, p)
		p = list[(i+1+x.rnd.IntN(len(list)-1))%len(list)]
	}
	return p
}

func (x *expander) between(a, b int64) int64 {
	if b <= a {
		return a
	}
	return a + x.rnd.Int64N(b-a+1)
}

func (x *expander) expand(r *rec, id int64, out *row) {
	g := x.g
	x.pcg.Seed(g.seed^0xd1b5_4a32_d192_ed03, uint64(r.order))
	c := g.comps[r.comp]
	mv := g.mvs[r.mv]
	env := g.envs[r.env]
	status := models.Statuses[r.status]
	steps := mv.steps[r.env]

	assignee := x.pick(g.assigneeFor(c))
	var requester string
	if r.k == 0 && c.c.Kind == models.KindSoftware && x.rnd.Float64() < 0.8 {
		requester = x.pick(g.practs)
	} else if x.rnd.Float64() < 0.6 {
		requester = x.pick(g.managers)
	} else {
		requester = x.pick(g.reqs)
	}
	action := models.ActionDeploy
	if r.remove {
		action = models.ActionRemove
	}
	*out = row{mvID: mv.id, steps: out.steps[:0], events: out.events[:0]}
	d := &out.d
	*d = models.Deployment{ID: id, Model: mv.m.Name, ModelVersion: mv.m.Version, Service: c.c.Service,
		Component: c.c.Name, Kind: c.c.Kind, Version: formatVer(r.ver, c.threePart), Action: action,
		Environment: env.e.Name, Status: status, Assignee: assignee, Requester: requester,
		ChangeRef: changeRef(r.chgYear, r.chg), ScheduledStart: time.Unix(r.start, 0).UTC(),
		ScheduledEnd: time.Unix(r.end, 0).UTC(), CreatedAt: time.Unix(r.created, 0).UTC(),
		UpdatedAt: time.Unix(r.finished, 0).UTC(), StepsTotal: len(steps)}
	if r.started != 0 {
		d.StartedAt = time.Unix(r.started, 0).UTC()
	}
	d.FinishedAt = time.Unix(r.finished, 0).UTC()

	ev := func(at int64, actor, typ, detail string) {
		out.events = append(out.events, models.Event{DeploymentID: id, At: time.Unix(at, 0).UTC(), Actor: actor, Type: typ, Detail: detail})
	}
	first := assignee
	reassignAt := int64(0)
	if x.rnd.Float64() < 0.04 {
		first = x.pickOther(g.assigneeFor(c), assignee)
		end := r.finished
		if r.started != 0 {
			end = r.started
		}
		reassignAt = x.between(r.created+minute, end-minute)
	}
	ev(r.created, requester, "planned", g.plannedDetail(d, first))
	if first != assignee {
		ev(reassignAt, x.pick(g.managers), "assigned", first+" → "+assignee)
	}
	automatedHere := mv.automated[r.env]
	mover := assignee
	if automatedHere {
		mover = "ferry"
	}
	if status == models.StatusCancelled && r.started == 0 {
		for i := range steps {
			out.steps = append(out.steps, stepRow{seq: i + 1, status: models.StepPending})
		}
		ev(r.finished, x.pick(append([]string{requester}, g.managers...)), "cancelled",
			"planned → cancelled: "+cancelReasons[x.rnd.IntN(len(cancelReasons))])
		return
	}

	// How far it got: done steps, the failing one, and where it stopped.
	n := len(steps)
	doneN, fail := n, -1
	switch status {
	case models.StatusFailed:
		fail = x.failingStep(steps, false)
	case models.StatusRolledBack:
		fail = x.failingStep(steps, true)
	case models.StatusCancelled:
		// stopped during verification
		last := 0
		for last < n && (steps[last].Stage == models.StageVerifyComponents || steps[last].Stage == models.StageVerifyEnvironment) {
			last++
		}
		doneN = x.rnd.IntN(last + 1)
	}
	if fail >= 0 {
		doneN = fail
	}
	executed := doneN
	if fail >= 0 {
		executed++
	}
	// step times spread evenly over the run
	x.ts = x.ts[:0]
	span := r.finished - r.started
	for i := range executed {
		x.ts = append(x.ts, r.started+span*int64(i+1)/int64(executed+1))
	}
	stopStage := models.StageVerifyDeployment
	switch {
	case fail >= 0:
		stopStage = steps[fail].Stage
	case status == models.StatusCancelled:
		stopStage = models.StageVerifyComponents
		if doneN < n && doneN > 0 {
			stopStage = steps[doneN].Stage
		} else if doneN > 0 {
			stopStage = steps[doneN-1].Stage
		}
		if stopStage != models.StageVerifyComponents && stopStage != models.StageVerifyEnvironment {
			stopStage = models.StageVerifyEnvironment
		}
	}
	gateApprover := func(s models.Step) string {
		who := mv.approvers[s.Name]
		if mv.m.SelfApproval {
			return x.pick(who)
		}
		return x.pickOther(who, requester)
	}
	for i, s := range steps {
		sr := stepRow{seq: i + 1, status: models.StepPending}
		switch {
		case i < doneN:
			sr.status, sr.at = models.StepDone, x.ts[i]
			switch s.Kind {
			case models.StepAutomated:
				sr.actor, sr.hasExit = "ferry", true
			case models.StepGate:
				sr.actor = gateApprover(s)
			default:
				sr.actor = assignee
				if x.rnd.Float64() < 0.05 {
					sr.note = tickNotes[x.rnd.IntN(len(tickNotes))]
				}
			}
		case i == fail:
			sr.status, sr.at = models.StepFailed, x.ts[i]
			sr.actor = assignee
			if s.Kind == models.StepAutomated {
				sr.actor, sr.hasExit = "ferry", true
				sr.exit, sr.note = x.failure(s)
			} else if s.Kind == models.StepGate {
				sr.actor = gateApprover(s)
				sr.note = "approval refused: " + refusals[x.rnd.IntN(len(refusals))]
			} else {
				sr.note = manualFailures[x.rnd.IntN(len(manualFailures))]
			}
		case status == models.StatusRolledBack:
			sr.status = models.StepSkipped
		}
		out.steps = append(out.steps, sr)
		if sr.status == models.StepDone || sr.status == models.StepSkipped {
			d.StepsDone++
		}
	}

	// The record: every stage entered, ticks and approvals, the end.
	cur := models.StatusPlanned
	at := r.started
	i := 0
	for _, stage := range models.Stages {
		next := stageStatus(stage)
		actor := mover
		if cur == models.StatusPlanned {
			actor = assignee
		}
		ev(min(at, r.finished), actor, "status", string(cur)+" → "+string(next))
		cur = next
		for ; i < n && steps[i].Stage == stage && i < doneN; i++ {
			at = x.ts[i]
			switch steps[i].Kind {
			case models.StepManual:
				detail := "ticked " + strconv.Itoa(i+1) + " " + strconv.Quote(steps[i].Name)
				if note := out.steps[i].note; note != "" {
					detail += ": " + note
				}
				ev(at, assignee, "step", detail)
			case models.StepGate:
				ev(at, out.steps[i].actor, "step", "approved "+strconv.Itoa(i+1)+" "+strconv.Quote(steps[i].Name))
			}
		}
		if stage == stopStage {
			break
		}
		at += 20
	}
	what, failActor, how := "aborted by "+assignee, assignee, "rolled back by hand"
	if fail >= 0 {
		s := steps[fail]
		what = "step " + strconv.Itoa(fail+1) + " " + strconv.Quote(s.Name) + ": " + out.steps[fail].note
		if s.Kind == models.StepAutomated {
			failActor = "ferry"
		}
		if name, ok := mv.onFailure[s.Stage]; ok {
			how = "ran " + strconv.Quote(name)
		}
	}
	switch status {
	case models.StatusSucceeded:
		ev(r.finished, mover, "status", string(cur)+" → succeeded")
	case models.StatusFailed:
		ev(r.finished, failActor, "status", string(cur)+" → failed: "+what)
	case models.StatusRolledBack:
		ev(r.finished, assignee, "status", string(cur)+" → rolled_back: "+what+"; "+how)
	case models.StatusCancelled:
		ev(r.finished, assignee, "cancelled", string(cur)+" → cancelled: "+cancelReasons[x.rnd.IntN(len(cancelReasons))])
	}

	// An incident now and then, more often after failures and in later environments.
	p := 0.18
	if status == models.StatusSucceeded {
		p = 0.009
		if len(c.path) == 1 {
			p = 0.03
		} else {
			p += 0.026 * float64(r.k) / float64(len(c.path)-1)
		}
	}
	if status != models.StatusCancelled && x.rnd.Float64() < p {
		opened := r.finished + int64(5*60+x.rnd.ExpFloat64()*4*3600)
		if opened < g.now {
			summary := x.incidentSummary(c, d)
			in := &models.Incident{DeploymentID: id, OpenedAt: time.Unix(opened, 0).UTC(), Summary: summary}
			fix := int64(math.Exp(math.Log(2*3600)+x.rnd.NormFloat64()) + 600)
			if resolved := opened + min(fix, 5*day); resolved < g.now {
				in.ResolvedAt = time.Unix(resolved, 0).UTC()
			}
			out.inc = in
			ev(opened, x.pick(append(slices.Clone(g.managers), assignee)), "incident", "incident opened: "+summary)
		}
	}
}

func stageStatus(s models.Stage) models.Status {
	switch s {
	case models.StageVerifyComponents:
		return models.StatusVerifyingComponents
	case models.StageVerifyEnvironment:
		return models.StatusVerifyingEnvironment
	case models.StageExecute:
		return models.StatusExecuting
	}
	return models.StatusVerifyingDeployment
}

// failingStep picks the step that failed: automated steps fail most, approvals are
// rarely refused; a rollback needs the failure in execution or verification.
func (x *expander) failingStep(steps []models.Step, late bool) int {
	total := 0.0
	w := func(s models.Step) float64 {
		if late && s.Stage != models.StageExecute && s.Stage != models.StageVerifyDeployment {
			return 0
		}
		switch s.Kind {
		case models.StepAutomated:
			return 3
		case models.StepGate:
			return 0.3
		}
		return 1
	}
	for _, s := range steps {
		total += w(s)
	}
	if total == 0 {
		return len(steps) - 1
	}
	u := x.rnd.Float64() * total
	for i, s := range steps {
		if u -= w(s); u < 0 && w(s) > 0 {
			return i
		}
	}
	return len(steps) - 1
}

// failure is an automated step's exit code and note.
func (x *expander) failure(s models.Step) (int, string) {
	switch s.Check {
	case "http":
		code := []int{500, 502, 503, 503, 404}[x.rnd.IntN(5)]
		return 1, fmt.Sprintf("%s answered %d, expected %d", s.URL, code, cmp.Or(s.ExpectStatus, 200))
	case "checksum":
		return 1, "checksum mismatch: artifact differs from the declared sha256"
	}
	switch u := x.rnd.Float64(); {
	case u < 0.15 && s.Timeout > 0:
		return 124, "timed out after " + s.Timeout.String()
	case u < 0.25:
		return 137, "killed (out of memory)"
	case u < 0.45:
		return 2, "exit code 2"
	}
	if s.Retries > 0 {
		return 1, fmt.Sprintf("exit code 1 after %d retries", s.Retries)
	}
	return 1, "exit code 1"
}

func (x *expander) incidentSummary(c *compInfo, d *models.Deployment) string {
	list := incidentTexts[c.c.Kind]
	if len(list) == 0 {
		list = incidentTexts[models.KindSoftware]
	}
	return fmt.Sprintf(list[x.rnd.IntN(len(list))], d.Component, d.Version, d.Environment)
}

// plannedDetail is the "planned" event's text, as the engine writes it.
func (g *gen) plannedDetail(d *models.Deployment, assignee string) string {
	s := fmt.Sprintf("%s v%d: %s %s %s → %s, %s – %s", d.Model, d.ModelVersion, d.Action, d.Component,
		d.Version, d.Environment, d.ScheduledStart.In(g.loc).Format("2006-01-02 15:04 MST"),
		d.ScheduledEnd.In(g.loc).Format("15:04 MST"))
	if assignee != "" {
		s += ", assignee " + assignee
	}
	return s
}

func formatVer(v uint64, three bool) string {
	b := make([]byte, 0, 16)
	b = strconv.AppendUint(b, v>>40, 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, (v>>20)&0xfffff, 10)
	if three {
		b = append(b, '.')
		b = strconv.AppendUint(b, v&0xfffff, 10)
	}
	return string(b)
}

func changeRef(year uint16, n uint32) string {
	if n == 0 {
		return ""
	}
	num := strconv.FormatUint(uint64(n), 10)
	if len(num) < 6 {
		num = strings.Repeat("0", 6-len(num)) + num
	}
	return "CHG-" + strconv.Itoa(int(year)) + "-" + num
}

// specialRow builds a deployment around Now: planned (steps pending) or running
// (earlier stages done, the current one partly ticked, perhaps blocked).
func (g *gen) specialRow(w *want) *row {
	c := w.c
	env := c.path[w.k]
	mvi := c.mvCur
	mv := g.mvs[mvi]
	steps := mv.steps[env]
	d := models.Deployment{Model: mv.m.Name, ModelVersion: mv.m.Version, Service: c.c.Service, Component: c.c.Name,
		Kind: c.c.Kind, Version: formatVer(w.ver, c.threePart), Action: models.ActionDeploy,
		Environment: g.envs[env].e.Name, Status: w.status, Assignee: w.assignee, Requester: w.requester,
		ChangeRef: changeRef(w.chgYear, w.chg), ScheduledStart: time.Unix(w.start, 0).UTC(),
		ScheduledEnd: time.Unix(w.end, 0).UTC(), CreatedAt: time.Unix(w.created, 0).UTC(),
		UpdatedAt: time.Unix(w.created, 0).UTC(), StepsTotal: len(steps)}
	r := &row{mvID: mv.id}
	ev := func(at int64, actor, typ, detail string) {
		r.events = append(r.events, models.Event{At: time.Unix(at, 0).UTC(), Actor: actor, Type: typ, Detail: detail})
		d.UpdatedAt = time.Unix(at, 0).UTC()
	}
	first := w.assignee
	if w.reassigned {
		first = g.pick(g.assigneeFor(c))
	}
	ev(w.created, w.requester, "planned", g.plannedDetail(&d, first))
	if first != w.assignee {
		ev(min(w.created+int64(1+g.rng.IntN(20))*hour, g.now-minute), g.pick(g.managers), "assigned", first+" → "+w.assignee)
	}
	if w.status == models.StatusPlanned {
		for i := range steps {
			r.steps = append(r.steps, stepRow{seq: i + 1, status: models.StepPending})
		}
		r.d = d
		return r
	}

	// Running: everything before the current stage is done, part of it too.
	started := w.start + int64(g.rng.IntN(8))*minute
	started = min(started, g.now-10*minute)
	d.StartedAt = time.Unix(started, 0).UTC()
	stage := w.status.Stage()
	curIdx := slices.Index(models.Stages, stage)
	type state struct {
		status models.StepStatus
		note   string
	}
	states := make([]state, len(steps))
	inStage := 0
	for i, s := range steps {
		si := slices.Index(models.Stages, s.Stage)
		switch {
		case si < curIdx:
			states[i].status = models.StepDone
		case si == curIdx:
			if inStage < w.done {
				states[i].status = models.StepDone
			} else if inStage == w.done {
				switch {
				case w.blocked:
					states[i] = state{models.StepBlocked, "no power on PDU B"}
				case s.Kind == models.StepAutomated:
					states[i].status = models.StepRunning
				default:
					states[i].status = models.StepPending
				}
			} else {
				states[i].status = models.StepPending
			}
			inStage++
		default:
			states[i].status = models.StepPending
		}
	}
	// times: the steps that are done (and the blocked one) spread until a few minutes ago
	var active []int
	for i := range steps {
		if states[i].status != models.StepPending {
			active = append(active, i)
		}
	}
	times := make([]int64, len(steps))
	span := g.now - 3*minute - started
	for j, i := range active {
		times[i] = started + span*int64(j+1)/int64(len(active)+1)
	}
	mover := w.assignee
	if mv.automated[env] {
		mover = "ferry"
	}
	cur := models.StatusPlanned
	at := started
	for si, st := range models.Stages {
		if si > curIdx {
			break
		}
		next := stageStatus(st)
		actor := mover
		if cur == models.StatusPlanned {
			actor = w.assignee
		}
		ev(at, actor, "status", string(cur)+" → "+string(next))
		cur = next
		for i, s := range steps {
			if s.Stage != st || states[i].status == models.StepPending {
				continue
			}
			at = max(at, times[i])
			sr := stepRow{seq: i + 1, status: states[i].status, at: times[i], note: states[i].note}
			switch {
			case s.Kind == models.StepAutomated:
				sr.actor = "ferry"
				if sr.status == models.StepDone {
					sr.hasExit = true
				}
			case s.Kind == models.StepGate:
				who := mv.approvers[s.Name]
				sr.actor = g.pick(who)
				if sr.actor == w.requester && !mv.m.SelfApproval && len(who) > 1 {
					sr.actor = who[(slices.Index(who, sr.actor)+1)%len(who)]
				}
				ev(times[i], sr.actor, "step", "approved "+strconv.Itoa(i+1)+" "+strconv.Quote(s.Name))
			case sr.status == models.StepBlocked:
				sr.actor = w.assignee
				ev(times[i], w.assignee, "step", "blocked "+strconv.Itoa(i+1)+" "+strconv.Quote(s.Name)+": "+sr.note)
			default:
				sr.actor = w.assignee
				if c.c.Kind == models.KindHardware || g.rng.Float64() < 0.3 {
					sr.note = tickNotes[g.rng.IntN(len(tickNotes))]
				}
				detail := "ticked " + strconv.Itoa(i+1) + " " + strconv.Quote(s.Name)
				if sr.note != "" {
					detail += ": " + sr.note
				}
				ev(times[i], w.assignee, "step", detail)
			}
			states[i].note = sr.note
		}
		at += 20
	}
	for i := range steps {
		sr := stepRow{seq: i + 1, status: states[i].status, note: states[i].note}
		if sr.status != models.StepPending {
			sr.at = times[i]
			switch steps[i].Kind {
			case models.StepAutomated:
				sr.actor = "ferry"
				sr.hasExit = sr.status == models.StepDone
			case models.StepGate:
				sr.actor = lastActor(r.events, i+1, g.managers[0])
			default:
				sr.actor = w.assignee
			}
		}
		if sr.status == models.StepDone || sr.status == models.StepSkipped {
			d.StepsDone++
		}
		r.steps = append(r.steps, sr)
	}
	r.d = d
	return r
}

// lastActor is who approved step seq according to the events, else def.
func lastActor(events []models.Event, seq int, def string) string {
	prefix := "approved " + strconv.Itoa(seq) + " "
	for _, e := range slices.Backward(events) {
		if strings.HasPrefix(e.Detail, prefix) {
			return e.Actor
		}
	}
	return def
}

// ---- words -----------------------------------------------------------------------

var cancelReasons = []string{
	"superseded by a newer version",
	"change request withdrawn by the requester",
	"requester asked to postpone",
	"environment unavailable, replanned",
	"dependency not ready yet",
	"duplicate of another deployment",
	"vendor delivery delayed",
	"postponed after the go/no-go meeting",
}

var tickNotes = []string{
	"all good",
	"checked with the second on shift",
	"photos attached to the change",
	"serial numbers match the order",
	"took longer than planned, see change",
	"done, no remarks",
	"labels printed and applied",
	"as in the runbook",
}

var manualFailures = []string{
	"does not match: see note in the change",
	"rails do not fit the rack, wrong kit delivered",
	"one power supply dead on arrival",
	"POST fails: memory error on DIMM B2",
	"screenshots show the old version",
	"seat count differs from the purchase order",
	"reviewer found errors, back to the author",
}

var refusals = []string{
	"load test results missing",
	"too close to the month-end closing",
	"rollback plan not documented",
	"open incident on the same service",
}

var incidentTexts = map[models.Kind][]string{
	models.KindSoftware: {
		"%[1]s %[2]s: error rate above 5%% in %[3]s after the rollout",
		"%[1]s %[2]s: p95 latency doubled in %[3]s",
		"%[1]s %[2]s: memory leak, pods restarted every 40 minutes",
		"Login failures for some users after %[1]s %[2]s reached %[3]s",
		"%[1]s %[2]s: feature flags reset to defaults in %[3]s",
		"%[1]s %[2]s: queue backlog growing, consumers crash on old messages",
		"%[1]s %[2]s: TLS certificate chain incomplete, partner calls fail",
	},
	models.KindData: {
		"%[1]s %[2]s: reconciliation report shows missing rows in %[3]s",
		"%[1]s %[2]s: migration locked tables for 25 minutes in %[3]s",
		"Reports empty after %[1]s %[2]s in %[3]s",
		"%[1]s %[2]s: index missing, nightly batch ran four hours late",
	},
	models.KindHardware: {
		"%[1]s: ECC memory errors after installation",
		"%[1]s: one power supply failed, running on a single feed",
		"%[1]s: not reachable from monitoring after cabling",
		"%[1]s: fan failure alarm, inlet temperature high",
	},
	models.KindDocumentation: {
		"%[1]s %[2]s: failover step in the runbook is wrong, on-call escalated",
		"%[1]s %[2]s: broken links in %[3]s",
		"%[1]s %[2]s: published page shows internal hostnames",
	},
	models.KindLicence: {
		"%[1]s %[2]s: seat limit reached, users locked out",
		"%[1]s %[2]s: licence server rejects the new key",
	},
}
