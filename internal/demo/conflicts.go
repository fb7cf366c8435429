package demo

import (
	"slices"
	"time"

	"ferry/models"
)

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
