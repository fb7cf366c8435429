package demo

import "time"

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
			if w.s < g.now {
				g.fillWindow(e, w)
			}
		}
	}
}

// fillWindow gives each component with a ready version, in a random order, its turn
// in the window.
func (g *gen) fillWindow(e *envInfo, w interval) {
	lanes := make([]int64, max(1, e.e.Capacity))
	for i := range lanes {
		lanes[i] = w.s
	}
	for _, ci := range g.rng.Perm(len(g.comps)) {
		g.windowTurn(g.comps[ci], e, w, lanes)
	}
}

// windowTurn deploys c's newest version that was ready two hours before the window
// in the lane that frees first, if it fits before the window ends; else it waits
// for the next window.
func (g *gen) windowTurn(c *compInfo, e *envInfo, w interval, lanes []int64) {
	cs := c.cands[e.idx]
	best := -1
	for i, cd := range cs {
		if cd.ready <= w.s-2*hour && (best < 0 || cd.ver > cs[best].ver) {
			best = i
		}
	}
	if best < 0 {
		return
	}
	chosen := cs[best]
	dur := g.dur(c)
	// Now and then a version cannot wait: a hotfix in working hours, outside the windows.
	if chosen.k > 0 && g.rng.Float64() < 0.04 && g.hotfix(c, e, chosen, w, dur) {
		return
	}
	lane := 0
	for i := range lanes {
		if lanes[i] < lanes[lane] {
			lane = i
		}
	}
	fits := lanes[lane]+dur <= w.e
	c.cands[e.idx] = supersede(cs, chosen, !fits)
	if !fits {
		return
	}
	start := lanes[lane]
	lanes[lane] = roundUp5(start + dur + 5*minute)
	created := chosen.ready
	if lead := start - 10*minute - chosen.ready; lead > 0 {
		created += int64(g.rng.Float64() * float64(lead) * 0.5)
	}
	g.run(c, chosen.k, chosen.ver, chosen.chg, chosen.chgYear, start, created)
}

// hotfix deploys the chosen version in working hours before the window, if there is
// time for it.
func (g *gen) hotfix(c *compInfo, e *envInfo, chosen cand, w interval, dur int64) bool {
	start := g.workSlot(chosen.ready+2*hour, true)
	if start+dur >= w.s {
		return false
	}
	c.cands[e.idx] = supersede(c.cands[e.idx], chosen, false)
	g.run(c, chosen.k, chosen.ver, chosen.chg, chosen.chgYear, start, chosen.ready+(start-chosen.ready)/4)
	return true
}

// supersede keeps the candidates newer than chosen, and chosen itself if it waits.
func supersede(cs []cand, chosen cand, waits bool) []cand {
	keep := cs[:0]
	for _, cd := range cs {
		if cd.ver > chosen.ver || (waits && cd == chosen) {
			keep = append(keep, cd)
		}
	}
	return keep
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
