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
