package demo

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"ferry/models"
)

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
