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
func (g *gen) add(w *want) {
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
	g.wants = append(g.wants, w)
}

// buildSpecials makes the deployments around Now, n in all.
func (g *gen) buildSpecials(n int) {
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
	g.runningNow(hw, pool)
	g.overdue(pool)
	g.dueToday(pool)
	g.plantConflicts(other)
	// The next three weeks: planned work. Maintenance windows first, then working hours.
	regular := g.plannedInWindows(n - len(g.wants))
	g.plannedInWorkingHours(regular, n)
	g.numberSpecials()
}

// runningNow starts the deployments running now: a server being installed in the
// data centre, blocked on power, and software, data and documentation mid-run, each
// with its checklist partly done.
func (g *gen) runningNow(hw, pool []*compInfo) {
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
		if g.startRunning(r.c, i, r.blocked) {
			running++
		}
	}
}

// startRunning adds a deployment of c that started within its window a while ago,
// the i-th tried; it keeps people and capacity busy until it ends, at least for
// another half hour. It reports whether it found a place.
func (g *gen) startRunning(c *compInfo, i int, blocked bool) bool {
	k, ver, newVer, ok := g.runningPosition(c, i)
	if !ok {
		return false
	}
	status, done, ok := g.runningStage(g.mvs[c.mvCur].steps[c.path[k]], i, blocked)
	if !ok {
		return false
	}
	dur := g.dur(c)
	back := 10*minute + g.rng.Int64N(max(dur*7/10, 10*minute))
	start := (g.now - back) / (5 * minute) * (5 * minute)
	until := max(start+dur, g.now+30*minute)
	who := g.runningAssignee(c, start, until)
	// Not in a freeze: nobody overrides one for work that can wait.
	if who == "" || !g.free(start, until, c.path[k], c.idx, who, true) {
		return false
	}
	g.add(&want{c: c, k: k, status: status, start: start, ver: ver, newVer: newVer, assignee: who,
		created: start - int64(20+g.rng.IntN(72*60))*minute, done: done, blocked: blocked, busyUntil: until})
	return true
}

// runningPosition picks where on its path c is running, the i-th tried: the last
// environment for hardware, else one without windows; and the version that goes there.
func (g *gen) runningPosition(c *compInfo, i int) (k int, ver uint64, newVer, ok bool) {
	var ks []int
	for k, e := range c.path {
		if !g.envs[e].windowed || c.c.Kind == models.KindHardware || len(c.path) == 1 {
			ks = append(ks, k)
		}
	}
	if len(ks) == 0 {
		return 0, 0, false, false
	}
	k = ks[(i+1)%len(ks)]
	if c.c.Kind == models.KindHardware {
		k = ks[len(ks)-1]
	}
	if ver, newVer, ok = g.version(c, k); ok {
		return k, ver, newVer, true
	}
	k = ks[0]
	ver, newVer, ok = g.version(c, k)
	return k, ver, newVer, ok
}

// runningAssignee is whoever is free: managers help out when the practitioners are
// all busy.
func (g *gen) runningAssignee(c *compInfo, start, until int64) string {
	who := g.freeAssignee(c, start, until)
	if who != "" || c.c.Kind == models.KindHardware {
		return who
	}
	for _, m := range g.managers {
		if g.personFree(m, start, until) {
			return m
		}
	}
	return ""
}

// overdue plans deployments that never started: this morning and yesterday.
func (g *gen) overdue(pool []*compInfo) {
	for i, back := range []int64{2*hour + int64(g.rng.IntN(120))*minute, day + int64(g.rng.IntN(180))*minute} {
		if i >= nOverdue {
			break
		}
		g.planOverdue(pool, back)
	}
}

// planOverdue plans one deployment to start about back ago, into the first
// environment of a component's path, preferring one without windows.
func (g *gen) planOverdue(pool []*compInfo, back int64) {
	for try := 0; try < 40; try++ {
		c := pool[g.rng.IntN(len(pool))]
		k := 0
		if g.env(c, 0).windowed && try < 30 {
			continue
		}
		start := (g.now - back - int64(try)*15*minute) / (5 * minute) * (5 * minute)
		dur := g.dur(c)
		who := g.freeAssignee(c, start, start+dur)
		if who == "" || !g.free(start, start+dur, c.path[k], c.idx, who, false) {
			continue
		}
		g.add(&want{c: c, k: k, status: models.StatusPlanned, start: start, newVer: true, assignee: who,
			created: start - int64(1+g.rng.IntN(4))*day})
		return
	}
}

// dueToday plans deployments for later today.
func (g *gen) dueToday(pool []*compInfo) {
	for range nDueToday {
		g.planDueToday(pool)
	}
}

// planDueToday plans one deployment in the next six hours, outside any windows.
func (g *gen) planDueToday(pool []*compInfo) {
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
		s, who, ok := g.place(c, k, g.now+20*minute, g.now+6*hour, true, 1)
		if !ok {
			continue
		}
		g.add(&want{c: c, k: k, status: models.StatusPlanned, start: s, ver: ver, newVer: newVer, assignee: who,
			created: g.now - int64(2+g.rng.IntN(70))*hour})
		return
	}
}

// plannedInWindows plans up to regular deployments into the maintenance windows of
// the next three weeks and returns how many are left to plan.
func (g *gen) plannedInWindows(regular int) int {
	horizon := g.now + horizonDays*day
	for _, e := range g.envs {
		if !e.windowed {
			continue
		}
		for _, w := range e.occ {
			if regular > 0 && w.s > g.now+hour && w.s < horizon {
				regular -= g.fillFutureWindow(e, w, regular)
			}
		}
	}
	return regular
}

// fillFutureWindow plans at most limit deployments one after another into the
// window, in a random order of components, and returns how many it planned. Only one
// new version of a component is planned ahead.
func (g *gen) fillFutureWindow(e *envInfo, w interval, limit int) int {
	cursor, n := w.s, 0
	for _, ci := range g.rng.Perm(len(g.comps)) {
		c := g.comps[ci]
		k := slices.Index(c.path, e.idx)
		if k < 0 || n >= limit {
			continue
		}
		ver, newVer, ok := g.version(c, k)
		if !ok || (newVer && c.futureFirst) {
			continue
		}
		if next, ok := g.planInWindow(c, k, w, cursor, ver, newVer); ok {
			n++
			cursor = next
		}
	}
	return n
}

// planInWindow plans c into the window at the first quarter hour from cursor on
// where it fits, and returns where the next one may start.
func (g *gen) planInWindow(c *compInfo, k int, w interval, cursor int64, ver uint64, newVer bool) (int64, bool) {
	env, dur := c.path[k], g.dur(c)
	for s := cursor; s+dur <= w.e; s += 15 * minute {
		who := g.freeAssignee(c, s, s+dur)
		if who == "" || !g.free(s, s+dur, env, c.idx, who, true) {
			continue
		}
		if newVer {
			c.futureFirst = true
		}
		g.add(&want{c: c, k: k, status: models.StatusPlanned, start: s, ver: ver, newVer: newVer,
			assignee: who, created: g.now - int64(1+g.rng.IntN(7*24))*hour, reassigned: g.rng.Float64() < 0.1})
		return roundUp5(s + dur + 5*minute), true
	}
	return cursor, false
}

// plannedInWorkingHours plans the rest, regular deployments, in working hours.
func (g *gen) plannedInWorkingHours(regular, n int) {
	for attempts := 0; regular > 0; attempts++ {
		if g.planInWorkingHours(attempts, n) {
			regular--
		}
	}
}

// planInWorkingHours tries once to plan a deployment in working hours, nearer days
// more often. After many attempts the horizon stretches, and a calendar too full (or
// one of only windows) gets the deployment anyway.
func (g *gen) planInWorkingHours(attempts, n int) bool {
	c := g.comps[g.pickComp()]
	k := 0
	if len(c.path) > 1 && g.rng.Float64() < 0.2 {
		k = 1 + g.rng.IntN(len(c.path)-1)
	}
	relaxed := attempts > 200*n
	if g.env(c, k).windowed && !relaxed {
		return false
	}
	ver, newVer, ok := g.version(c, k)
	if !ok {
		return false
	}
	days := float64(horizonDays) + float64(attempts/(10*n+1))
	from := g.now + 30*minute + int64(math.Pow(g.rng.Float64(), 1.4)*days*float64(day))
	s, who, ok := g.place(c, k, from, from+day, false, 3)
	if relaxed && !ok {
		s, who, ok = g.workSlot(from, false), g.pick(g.assigneeFor(c)), true
	}
	if !ok {
		return false
	}
	g.add(&want{c: c, k: k, status: models.StatusPlanned, start: s, ver: ver, newVer: newVer, assignee: who,
		created: min(g.now-hour, s-day) - int64(g.rng.IntN(6*24))*hour, reassigned: g.rng.Float64() < 0.1})
	return true
}

// numberSpecials gives new versions in the order they are deployed and change numbers
// in the order planned, and makes the rows.
func (g *gen) numberSpecials() {
	slices.SortStableFunc(g.wants, func(a, b *want) int { return cmp.Compare(a.start, b.start) })
	for _, w := range g.wants {
		if w.newVer {
			w.ver = g.bump(w.c, w.start)
		}
	}
	byCreated := slices.Clone(g.wants)
	slices.SortStableFunc(byCreated, func(a, b *want) int { return cmp.Compare(a.created, b.created) })
	for _, w := range byCreated {
		w.chg, w.chgYear = g.change(w.created)
	}
	for _, w := range g.wants {
		g.specials = append(g.specials, g.specialRow(w))
	}
}

// runningStage picks the stage a running deployment is in and how many of its steps
// are done, so that its checklist is partly ticked: some steps done, some not.
func (g *gen) runningStage(steps []models.Step, i int, blocked bool) (models.Status, int, bool) {
	if blocked {
		return blockedStage(steps)
	}
	cycle := []models.Status{models.StatusExecuting, models.StatusVerifyingDeployment, models.StatusVerifyingEnvironment,
		models.StatusExecuting, models.StatusVerifyingComponents, models.StatusVerifyingDeployment}
	for j := range cycle {
		status := cycle[(i+j)%len(cycle)]
		before, in := stageCounts(steps, status.Stage())
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

// blockedStage is where a blocked deployment waits: at the power check (or the second
// step) of the environment verification, or of the first stage with two steps or more.
func blockedStage(steps []models.Step) (models.Status, int, bool) {
	for _, st := range append([]models.Stage{models.StageVerifyEnvironment}, models.Stages...) {
		if _, in := stageCounts(steps, st); in < 2 {
			continue
		}
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
	return "", 0, false
}

// stageCounts counts the steps in stages before st and in st.
func stageCounts(steps []models.Step, st models.Stage) (before, in int) {
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
