package demo

import (
	"slices"
	"time"

	"ferry/models"
)

// plantConflicts adds the planned deployments a manager has to sort out: more at once
// than an environment's capacity, a person booked twice, one in a freeze, one outside
// the maintenance windows.
func (g *gen) plantConflicts(other []*compInfo) {
	var windowed *envInfo // the last that requires windows: production
	for _, e := range slices.Backward(g.envs) {
		if e.windowed {
			windowed = e
			break
		}
	}
	if windowed != nil {
		g.overCapacity(windowed)
	}
	if len(other) > 0 {
		g.bookedTwice(other)
	}
	if frozen, freeze, ok := g.firstFreeze(); ok {
		g.inFreeze(frozen, freeze)
	}
	if windowed != nil {
		g.outsideWindows(windowed)
	}
}

// planConflict adds a deployment of c into its k-th environment at start, planned a
// few days ago.
func (g *gen) planConflict(c *compInfo, k int, start int64, who string) {
	ver, newVer, _ := g.version(c, k)
	g.add(&want{c: c, k: k, status: models.StatusPlanned, start: start, ver: ver, newVer: newVer,
		assignee: who, created: g.now - int64(2+g.rng.IntN(5*24))*hour})
}

// compsIn lists components that can go to env, with a version, in a random order.
func (g *gen) compsIn(env int) []*compInfo {
	var out []*compInfo
	for _, ci := range g.rng.Perm(len(g.comps)) {
		c := g.comps[ci]
		if k := slices.Index(c.path, env); k >= 0 {
			if _, _, ok := g.version(c, k); ok {
				out = append(out, c)
			}
		}
	}
	return out
}

// overCapacity plans one more deployment than env's capacity at the start of one of
// its maintenance windows in the next three weeks.
func (g *gen) overCapacity(env *envInfo) {
	capN := max(1, env.e.Capacity)
	for _, w := range env.occ {
		if w.s <= g.now+day || w.s > g.now+horizonDays*day {
			continue
		}
		if g.crowdWindow(env, w, capN) > capN {
			return
		}
	}
}

// crowdWindow plans up to capN+1 deployments at the window's start, the first capN
// without a conflict, and returns how many it planned.
func (g *gen) crowdWindow(env *envInfo, w interval, capN int) int {
	placed := 0
	for _, c := range g.compsIn(env.idx) {
		if placed > capN {
			break
		}
		k := slices.Index(c.path, env.idx)
		dur := g.dur(c)
		if w.s+dur > w.e || !g.componentFree(c.idx, w.s, w.s+dur) {
			continue
		}
		who := g.freeAssignee(c, w.s, w.s+dur)
		if who == "" || placed < capN && !g.free(w.s, w.s+dur, env.idx, c.idx, who, true) {
			continue
		}
		g.planConflict(c, k, w.s, who)
		placed++
	}
	return placed
}

// bookedTwice plans two deployments in different environments at once for the same
// person, at 10:00 on the first working day after tomorrow where they fit.
func (g *gen) bookedTwice(other []*compInfo) {
	who := g.practs[0]
	d0 := g.workSlot(g.now+day, false)
	y, m, d := time.Unix(d0, 0).In(g.loc).Date()
	for off := 0; off < 30; off++ {
		s := time.Date(y, m, d+off, 10, 0, 0, 0, g.loc)
		if wd := s.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		if g.bookTwiceAt(other, who, s.Unix()) {
			return
		}
	}
}

// bookTwiceAt plans two components for who at st, in different environments.
func (g *gen) bookTwiceAt(other []*compInfo, who string, st int64) bool {
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
			g.planConflict(a, ka, st, who)
			g.planConflict(b, kb, st, who)
			return true
		}
	}
	return false
}

// firstFreeze is the first freeze of any environment from two days on: a one-off
// freeze (the year end) if there is one, else a weekly one.
func (g *gen) firstFreeze() (*envInfo, interval, bool) {
	for pass := range 2 {
		for _, e := range g.envs {
			for _, fw := range e.e.Freeze {
				if (pass == 0) != (fw.Weekly == nil) {
					continue
				}
				occ := fw.Occurrences(time.Unix(g.now+2*day, 0), time.Unix(g.now+120*day, 0), g.loc)
				if len(occ) > 0 {
					return e, interval{occ[0].Start.Unix(), occ[0].End.Unix()}, true
				}
			}
		}
	}
	return nil, interval{}, false
}

// inFreeze plans a deployment inside the freeze: in a maintenance window inside it,
// where env has them, so that only the freeze is in the way; else at 10:00 on its
// second day.
func (g *gen) inFreeze(env *envInfo, freeze interval) {
	var start int64
	if env.windowed {
		if ws := g.maintenanceIn(env, freeze); len(ws) > 0 {
			start = ws[0].s
		}
	}
	if start == 0 {
		y, m, d := time.Unix(freeze.s, 0).In(g.loc).Date()
		start = time.Date(y, m, d+1, 10, 0, 0, 0, g.loc).Unix()
		if start >= freeze.e {
			start = freeze.s
		}
	}
	for _, c := range g.compsIn(env.idx) {
		k := slices.Index(c.path, env.idx)
		dur := g.dur(c)
		if start+dur > freeze.e && freeze.e-freeze.s > dur {
			continue
		}
		who := g.freeAssignee(c, start, start+dur)
		if who == "" || !g.componentFree(c.idx, start, start+dur) {
			continue
		}
		g.planConflict(c, k, start, who)
		return
	}
}

// outsideWindows plans a deployment into env outside its maintenance windows, at
// 10:00 on a Monday to Thursday from six days on.
func (g *gen) outsideWindows(env *envInfo) {
	y, m, d := time.Unix(g.now, 0).In(g.loc).Date()
	for off := 6; off < 40; off++ {
		s := time.Date(y, m, d+off, 10, 0, 0, 0, g.loc)
		if wd := s.Weekday(); wd < time.Monday || wd > time.Thursday {
			continue
		}
		if g.planOutsideWindows(env, s.Unix()) {
			return
		}
	}
}

// planOutsideWindows plans a component into env at st, if st is outside its windows.
func (g *gen) planOutsideWindows(env *envInfo, st int64) bool {
	for _, c := range g.compsIn(env.idx) {
		k := slices.Index(c.path, env.idx)
		dur := g.dur(c)
		if g.inWindow(env, st, st+dur) {
			continue
		}
		who := g.freeAssignee(c, st, st+dur)
		if who == "" || !g.free(st, st+dur, env.idx, c.idx, who, true) {
			continue
		}
		g.planConflict(c, k, st, who)
		return true
	}
	return false
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
