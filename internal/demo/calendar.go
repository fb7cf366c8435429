package demo

import (
	"cmp"
	"slices"
	"time"

	"ferry/models"
)

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

func (g *gen) env(c *compInfo, k int) *envInfo { return g.envs[c.path[k]] }

func (g *gen) dur(c *compInfo) int64 {
	return int64(g.cfg.Models[c.model].DefaultDuration / time.Second)
}

// free reports whether a deployment of comp in env by who fits [s, e) without a
// conflict: capacity, the component elsewhere, the person elsewhere, a component it
// depends on (or that depends on it) moved in env at once, and (when asked) a freeze.
func (g *gen) free(s, e int64, env, comp int, who string, freeze bool) bool {
	n := 0
	for _, b := range g.busy {
		if b.s >= e || s >= b.e {
			continue
		}
		if b.env == env {
			n++
		}
		if b.comp == comp || (who != "" && b.who == who) || (b.env == env && g.related(b.comp, comp)) {
			return false
		}
	}
	if n >= max(1, g.envs[env].e.Capacity) {
		return false
	}
	return !freeze || !overlapsAny(interval{s, e}, g.envs[env].freezes)
}

// related reports whether one of components a and b depends on the other.
func (g *gen) related(a, b int) bool {
	ca, cb := g.comps[a].c, g.comps[b].c
	return slices.Contains(ca.DependsOn, cb.Name) || slices.Contains(cb.DependsOn, ca.Name)
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

func (g *gen) componentFree(comp int, s, e int64) bool {
	for _, b := range g.busy {
		if b.comp == comp && b.s < e && s < b.e {
			return false
		}
	}
	return true
}

func (g *gen) personFree(who string, s, e int64) bool {
	for _, b := range g.busy {
		if b.who == who && b.s < e && s < b.e {
			return false
		}
	}
	return true
}

// assigneeFor is who may carry out deployments of c: technicians install hardware.
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

// maintenanceIn lists env's maintenance windows that lie inside the freeze.
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
