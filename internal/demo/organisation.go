package demo

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"ferry/engine/config"
	"ferry/models"
)

// gen is the organisation as the generator sees it (environments, components and
// model versions by index, people by role) and the state of both passes.
type gen struct {
	cfg      *config.Config
	loc      *time.Location
	seed     uint64
	now      int64
	total    int
	batch    int        // deployments written per transaction
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
	wants    []*want        // the deployments around Now while they are made
	specials []*row
	busy     []slot
	used     map[usedKey]bool

	simulating func(pass, day int) // Options.simulating
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
	onFailure  []map[models.Stage][]string // by environment index: the on-failure steps' names by stage
	rollback   [][]models.Step             // by environment index: the on-failure steps, in seq order
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
	freeAt               []int64  // by environment index: when its last deployment there ended
	cands                [][]cand // by environment index: versions waiting for a maintenance window
	futureFirst          bool     // a planned deployment of a new version is already in a window
}

// newGen reads the organisation out of cfg: environments and their calendars, people
// by role, and the components that a deployment model applies to.
func newGen(cfg *config.Config, opt Options) (*gen, error) {
	g := &gen{cfg: cfg, loc: cfg.Location, seed: uint64(opt.Seed), now: opt.Now.Unix(), total: opt.Deployments,
		changes: map[int]uint32{}, used: map[usedKey]bool{}, simulating: opt.simulating}
	if g.loc == nil {
		g.loc = time.UTC
	}
	g.rng = rand.New(rand.NewPCG(g.seed, 0x5eed_f3e4_7a11_0001))
	// Indices are stored as bytes in the compact history records.
	if len(cfg.Environments) > 250 || len(cfg.Components()) > 250 {
		return nil, models.Invalidf("demo data supports at most 250 environments and 250 components")
	}
	envIdx := g.environments()
	if err := g.people(); err != nil {
		return nil, err
	}
	if err := g.components(envIdx); err != nil {
		return nil, err
	}
	g.span(opt.Deployments)
	g.calendars()
	return g, nil
}

// environments lists the config's environments and returns their indices by name.
func (g *gen) environments() map[string]int {
	envIdx := map[string]int{}
	for i, e := range g.cfg.Environments {
		ei := &envInfo{e: e, idx: i, windowed: e.RequireMaintenanceWindow && len(e.Maintenance) > 0}
		g.envs = append(g.envs, ei)
		envIdx[e.Name] = i
	}
	return envIdx
}

// people sorts the config's people by what they do in the history; a small
// organisation lets one role stand in for another.
func (g *gen) people() error {
	names := func(r models.Role) []string {
		var out []string
		for _, p := range g.cfg.PeopleWithRole(r) {
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
		return models.Invalidf("%s declares no manager, practitioner or technician to carry out deployments", g.cfg.File)
	}
	for _, p := range append(slices.Clone(g.managers), g.practs...) {
		if !slices.Contains(g.reqs, p) {
			g.reqs = append(g.reqs, p)
		}
	}
	return nil
}

// Release weights and failure proneness by kind.
var (
	kindWeight = map[models.Kind]float64{models.KindSoftware: 10, models.KindData: 3, models.KindDocumentation: 2.5,
		models.KindLicence: 0.25, models.KindHardware: 0.35}
	kindFailure = map[models.Kind]float64{models.KindSoftware: 1, models.KindData: 1.5, models.KindDocumentation: 0.4,
		models.KindLicence: 0.5, models.KindHardware: 1.3}
)

// components takes every component that a model applies to, with that model's path;
// some components are more prone to failure than others of their kind.
func (g *gen) components(envIdx map[string]int) error {
	for _, c := range g.cfg.Components() {
		var applies []int
		for i, m := range g.cfg.Models {
			if m.AppliesToKind(c.Kind) {
				applies = append(applies, i)
			}
		}
		if len(applies) == 0 {
			continue
		}
		mi := applies[len(g.comps)%len(applies)]
		var path []int
		for _, name := range g.cfg.Models[mi].Path {
			if i, ok := envIdx[name]; ok {
				path = append(path, i)
			}
		}
		if len(path) == 0 {
			continue
		}
		ci := &compInfo{c: c, idx: len(g.comps), model: mi, path: path, weight: kindWeight[c.Kind],
			failMul: kindFailure[c.Kind] * (0.65 + 0.9*g.rng.Float64()), threePart: c.Kind == models.KindSoftware || c.Kind == models.KindData}
		g.comps = append(g.comps, ci)
	}
	if len(g.comps) == 0 {
		return models.Invalidf("%s declares no component that a deployment model applies to", g.cfg.File)
	}
	sum := 0.0
	for _, c := range g.comps {
		sum += c.weight
		g.cumW = append(g.cumW, sum)
	}
	return nil
}

// span sets how far back the history reaches, how fast it grows, and from when
// deployments use the current model versions.
func (g *gen) span(n int) {
	g.spanDays = spanDays(n)
	years := g.spanDays / 365
	g.lnGrowth = math.Log(1 + 0.8*years)
	g.targetStart = g.now - int64(g.spanDays*float64(day))
	g.cutoff = g.now - min(365*day, int64(g.spanDays*float64(day))/3)
}

// calendars lays out each environment's freezes from shortly before Now on and, where
// deployments need them, the maintenance windows of the whole span that no freeze
// touches.
func (g *gen) calendars() {
	from := g.now - int64(g.spanDays*1.2*float64(day)) - 30*day
	to := g.now + 120*day
	for _, e := range g.envs {
		e.freezes = g.occurrences(e.e.Freeze, g.now-2*day, to)
		if !e.windowed {
			continue
		}
		all := g.occurrences(e.e.Maintenance, from, to)
		slices.SortFunc(all, func(a, b interval) int { return cmp.Or(cmp.Compare(a.s, b.s), cmp.Compare(a.e, b.e)) })
		freezes := g.occurrences(e.e.Freeze, from, to)
		for _, iv := range all {
			if !overlapsAny(iv, freezes) {
				e.occ = append(e.occ, iv)
			}
		}
	}
}

// occurrences lists the windows' occurrences in [from, to), window by window.
func (g *gen) occurrences(ws []models.Window, from, to int64) []interval {
	var out []interval
	for _, w := range ws {
		for _, iv := range w.Occurrences(time.Unix(from, 0), time.Unix(to, 0), g.loc) {
			out = append(out, interval{iv.Start.Unix(), iv.End.Unix()})
		}
	}
	return out
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
