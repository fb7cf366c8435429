// Package schedule finds conflicts between planned deployments and the free slots
// around them. It is pure: the engine loads what it needs and hands it over, so the
// rules are tested without a database and the sweep is benchmarked on its own.
package schedule

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ferry/models"
)

// Version names what detection finds and how it words it. Conflicts are kept in the
// database, so change it whenever the same plans would give other conflicts or other
// messages: stored ones an older Ferry wrote are then found again (the engine keeps
// it in the basis of what it stored). TestVersionFollowsMessages holds it to that.
//
// 2: blocked versions and related components; 3: one capacity conflict per crowd;
// 4: a time within a day is written alike in every kind (10:00–10:45), and a
// capacity conflict says when too. 5: a time that ends in another year says both
// years. 6: a promotion says "and is not planned to end there first" (", or is
// planned…" read as a second fault).
const Version = "6"

// Item is a deployment as the detector sees it: only unfinished ones take part.
type Item struct {
	ID          int64
	Model       string
	Component   string
	Version     string
	Action      models.Action
	Environment string
	Assignee    string
	Start, End  time.Time
	After       int64 // the deployment this one waits for, or 0
}

// Done is a finished deployment that other plans may refer to.
type Done struct {
	Status models.Status
	End    time.Time // when it finished
}

// World is what detection needs besides the plans: environments, models, the time
// zone, what has already succeeded, and the state of finished deployments.
type World struct {
	Envs      map[string]models.Environment
	Models    map[string]models.Model
	Loc       *time.Location
	Succeeded func(component, version, env string) bool // a deployment of it succeeded
	Finished  func(id int64) (Done, bool)               // a finished deployment's outcome
	// Blocked is why a manager blocked a component's version, if they did.
	Blocked func(component, version string) (string, bool)
	// Depends lists, for each component, the components it depends on (depends_on).
	Depends map[string][]string
}

// related reports whether a depends on b or b on a.
func (w World) related(a, b string) bool {
	return slices.Contains(w.Depends[a], b) || slices.Contains(w.Depends[b], a)
}

// dependent reports whether a component takes part in any depends_on.
func (w World) dependent(c string) bool {
	if len(w.Depends[c]) > 0 {
		return true
	}
	for _, deps := range w.Depends {
		if slices.Contains(deps, c) {
			return true
		}
	}
	return false
}

// Detect finds every conflict among items, sorted by start then kind.
func Detect(items []Item, w World) []models.Conflict { return Prepare(items, w).Detect() }

// Plans are the unfinished deployments sorted and indexed once, so that the engine
// can ask which history questions need the database before detecting.
type Plans struct {
	W      World
	sorted []Item
	ends   map[versionAt]time.Time
	byID   map[int64]Item // only deployments that others wait for
	// settled[i]: the promotion of sorted[i] needs no history: it does not apply, or
	// a plan in the previous environment ends before it starts.
	settled []bool
}

// Prepare sorts and indexes items. Items already in start order (as the store loads
// them) are used as they are, and must then not be changed by the caller.
func Prepare(items []Item, w World) *Plans {
	p := &Plans{W: w, sorted: items, byID: map[int64]Item{}}
	if !slices.IsSortedFunc(items, byStart) {
		p.sorted = slices.Clone(items)
		slices.SortFunc(p.sorted, byStart)
	}
	p.ends = endsByVersion(p.sorted)
	p.settled = make([]bool, len(p.sorted))
	for i := range p.sorted {
		it := &p.sorted[i]
		prev, applies := p.previous(it)
		end, planned := p.ends[versionAt{it.Component, it.Version, prev}]
		p.settled[i] = !applies || (planned && !end.After(it.Start))
	}
	waited := map[int64]bool{}
	for i := range p.sorted {
		if a := p.sorted[i].After; a != 0 {
			waited[a] = true
		}
	}
	for _, it := range p.sorted {
		if waited[it.ID] {
			p.byID[it.ID] = it
		}
	}
	return p
}

// VersionAt names one version of a component in one environment.
type VersionAt struct{ Component, Version, Environment string }

// PromotionQuestions lists the versions whose promotion no other unfinished plan
// settles: for each, only what already succeeded can tell (World.Succeeded).
func (p *Plans) PromotionQuestions() []VersionAt {
	var out []VersionAt
	seen := map[versionAt]bool{}
	for i := range p.sorted {
		if p.settled[i] {
			continue
		}
		it := &p.sorted[i]
		prev, _ := p.previous(it)
		k := versionAt{it.Component, it.Version, prev}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, VersionAt{k.component, k.version, k.env})
	}
	return out
}

// Waited lists the deployments that unfinished ones wait for but that are not
// among them: for each, only its outcome can tell (World.Finished).
func (p *Plans) Waited() []int64 {
	var out []int64
	for i := range p.sorted {
		if a := p.sorted[i].After; a != 0 {
			if _, open := p.byID[a]; !open {
				out = append(out, a)
			}
		}
	}
	return out
}

// previous is the environment before the item's on its model's path, if promotion
// applies to it.
func (p *Plans) previous(it *Item) (string, bool) {
	if it.Action == models.ActionRemove {
		return "", false
	}
	path := p.W.Models[it.Model].Path
	i := slices.Index(path, it.Environment)
	if i <= 0 {
		return "", false
	}
	return path[i-1], true
}

// Detect finds every conflict among the plans, sorted by start then kind.
func (p *Plans) Detect() []models.Conflict {
	w := p.W
	var out []models.Conflict
	out = append(out, capacity(p.sorted, w)...)
	out = append(out, pairs(p.sorted, models.ConflictComponent, w, componentKey(w))...)
	out = append(out, pairs(p.sorted, models.ConflictPerson, w, assignee)...)
	out = append(out, relatedPairs(p.sorted, w)...)
	lookup := func(id int64) (Item, bool) { it, ok := p.byID[id]; return it, ok }
	endOf := func(k versionAt) (time.Time, bool) { e, ok := p.ends[k]; return e, ok }
	for i, it := range p.sorted {
		ends := endOf
		if p.settled[i] {
			ends = nil // promotion settled: single skips it
		}
		out = append(out, single(it, ends, lookup, w)...)
	}
	sortConflicts(out)
	return out
}

// versionAt names one version of a component in one environment.
type versionAt struct{ component, version, env string }

// endsByVersion indexes, for each component version and environment, the earliest
// end among the plans there: what a promotion check needs, found in one look-up.
func endsByVersion(items []Item) map[versionAt]time.Time {
	ends := make(map[versionAt]time.Time, len(items))
	for _, it := range items {
		k := versionAt{it.Component, it.Version, it.Environment}
		if e, ok := ends[k]; !ok || it.End.Before(e) {
			ends[k] = it.End
		}
	}
	return ends
}

// Check finds the conflicts that candidate would be in among the others (which must
// not include it). It is what planning and suggesting call for one deployment.
func Check(candidate Item, others []Item, w World) []models.Conflict {
	return newChecker(slices.Clone(others), w).check(candidate)
}

// checker answers Check for many candidates against the same plans: the plans are
// sorted once, and each check finds the overlapping ones by binary search.
//
// It indexes nothing else up front: a suggestion builds one checker over thousands
// of plans, yet asks only about one deployment, its dependency and its version, so
// the look-ups by id and by version are found by a scan on first use and kept.
type checker struct {
	w          World
	sorted     []Item // by start
	longest    time.Duration
	byID       map[int64]int32 // index in sorted; built on first use
	ends       map[versionAt]endAt
	dependents map[int64][]Item
	scratch    []Item // clear's overlap list, reused: a suggestion asks thousands of times
}

// endAt is the earliest end among the plans of one version in one environment.
type endAt struct {
	end     time.Time
	planned bool
}

// newChecker sorts others in place and keeps them: the caller hands them over.
func newChecker(others []Item, w World) *checker {
	c := &checker{w: w, sorted: others, ends: map[versionAt]endAt{}, dependents: map[int64][]Item{}}
	slices.SortFunc(c.sorted, byStart)
	for _, o := range c.sorted {
		c.longest = max(c.longest, o.End.Sub(o.Start))
		if o.After != 0 {
			c.dependents[o.After] = append(c.dependents[o.After], o)
		}
	}
	return c
}

// item finds a plan by id.
func (c *checker) item(id int64) (Item, bool) {
	if c.byID == nil {
		c.byID = make(map[int64]int32, len(c.sorted))
		for i := range c.sorted {
			c.byID[c.sorted[i].ID] = int32(i)
		}
	}
	i, ok := c.byID[id]
	if !ok {
		return Item{}, false
	}
	return c.sorted[i], true
}

// endOf is the earliest end among the plans of one version in one environment.
func (c *checker) endOf(k versionAt) (time.Time, bool) {
	if e, ok := c.ends[k]; ok {
		return e.end, e.planned
	}
	var e endAt
	for i := range c.sorted {
		o := &c.sorted[i]
		if o.Component == k.component && o.Version == k.version && o.Environment == k.env && (!e.planned || o.End.Before(e.end)) {
			e = endAt{o.End, true}
		}
	}
	c.ends[k] = e
	return e.end, e.planned
}

// overlapping returns the plans that overlap the candidate's window, by start.
func (c *checker) overlapping(cand Item) []Item { return c.overlapInto(nil, cand) }

// overlapInto is overlapping appending to near.
func (c *checker) overlapInto(near []Item, cand Item) []Item {
	lo, _ := slices.BinarySearchFunc(c.sorted, cand.Start.Add(-c.longest), func(it Item, t time.Time) int { return it.Start.Compare(t) })
	for _, o := range c.sorted[lo:] {
		if !o.Start.Before(cand.End) {
			break
		}
		if o.ID != cand.ID && o.End.After(cand.Start) {
			near = append(near, o)
		}
	}
	return near
}

// clear reports whether the candidate would be in no conflict at all; it answers
// what check answers, without building a single message, and stops at the first
// conflict it meets.
func (c *checker) clear(cand Item) bool { return len(c.blockers(cand, true)) == 0 }

// kinds are the kinds of conflict check finds for cand, each once, in the order of
// their names; it builds no pairwise message.
func (c *checker) kinds(cand Item) []models.ConflictKind {
	out := c.blockers(cand, false)
	slices.Sort(out)
	return out
}

// blockers are the kinds of conflict cand would be in, each once, as check finds
// them but without the pairwise messages; first stops at the first one (clear).
func (c *checker) blockers(cand Item, first bool) []models.ConflictKind {
	w := c.w
	c.scratch = c.overlapInto(c.scratch[:0], cand)
	near := c.scratch
	group := componentKey(w)
	var out []models.ConflictKind
	add := func(k models.ConflictKind) bool { // whether to stop
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
		return first
	}
	sameEnv := 0
	for i := range near {
		o := &near[i]
		if group(o) == group(&cand) && add(models.ConflictComponent) {
			return out
		}
		if cand.Assignee != "" && o.Assignee == cand.Assignee && add(models.ConflictPerson) {
			return out
		}
		if o.Environment == cand.Environment {
			sameEnv++
			if w.related(o.Component, cand.Component) && add(models.ConflictRelated) {
				return out
			}
		}
	}
	// Enough overlap to be over capacity at some instant: let the sweep decide.
	if sameEnv >= max(1, w.Envs[cand.Environment].Capacity) && c.overCapacity(near, cand) &&
		add(models.ConflictCapacity) {
		return out
	}
	for _, cf := range c.checkAlone(cand) {
		if add(cf.Kind) {
			return out
		}
	}
	return out
}

// overCapacity is whether cand, among near (c.scratch, what overlaps it, by start),
// is in a capacity conflict. The sweep needs its items by start: cand goes in its
// place, not after them all, where a sweep reaching it last had already let go of
// those that ended before the last one began, and missed a crowd at cand's own start.
func (c *checker) overCapacity(near []Item, cand Item) bool {
	i, _ := slices.BinarySearchFunc(near, cand, byStart)
	c.scratch = slices.Insert(near, i, cand)
	return slices.ContainsFunc(capacity(c.scratch, c.w), func(cf models.Conflict) bool { return cf.Involves(cand.ID) })
}

// checkAlone is what check adds to the pairwise kinds: freeze, maintenance,
// promotion and dependency, for the candidate and for those that wait for it.
func (c *checker) checkAlone(candidate Item) []models.Conflict {
	w := c.w
	byID := func(id int64) (Item, bool) {
		if id == candidate.ID {
			return candidate, true
		}
		return c.item(id)
	}
	out := single(candidate, c.endOf, byID, w)
	// Moving a deployment can also make the ones that wait for it start too early.
	for _, o := range c.dependents[candidate.ID] {
		if o.ID != candidate.ID {
			if cf, ok := dependency(o, byID, w); ok {
				out = append(out, cf)
			}
		}
	}
	return out
}

func (c *checker) check(candidate Item) []models.Conflict {
	w := c.w
	near := append(c.overlapping(candidate), candidate)
	slices.SortFunc(near, byStart)
	var out []models.Conflict
	for _, cf := range capacity(near, w) {
		if cf.Involves(candidate.ID) {
			out = append(out, cf)
		}
	}
	paired := append(pairs(near, models.ConflictComponent, w, componentKey(w)), pairs(near, models.ConflictPerson, w, assignee)...)
	for _, cf := range append(paired, relatedPairs(near, w)...) {
		if cf.Involves(candidate.ID) {
			out = append(out, cf)
		}
	}
	out = append(out, c.checkAlone(candidate)...)
	sortConflicts(out)
	return out
}

func byStart(a, b Item) int {
	return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID))
}

func sortConflicts(cs []models.Conflict) {
	slices.SortFunc(cs, models.CompareConflicts)
}

// Capacity finds the capacity conflicts among items (in any order): what keeping
// stored conflicts current recomputes around a change, for the deployments whose
// only conflicts that change could alter are these.
func Capacity(items []Item, w World) []models.Conflict {
	sorted := slices.Clone(items)
	slices.SortFunc(sorted, byStart)
	return capacity(sorted, w)
}

// capacity sweeps each environment: whenever more deployments run at once than it
// allows, the ones running then are in conflict. Items must be sorted by start; the
// sweep works on indexes, so that no Item is copied.
func capacity(items []Item, w World) []models.Conflict {
	byEnv := groupBy(items, func(it *Item) string { return it.Environment })
	var out []models.Conflict
	for _, env := range sortedKeys(byEnv) {
		limit := max(1, w.Envs[env].Capacity)
		var active []int32
		seen := map[string]bool{}
		for _, i := range byEnv[env] {
			it := &items[i]
			active = slices.DeleteFunc(active, func(a int32) bool { return !items[a].End.After(it.Start) })
			active = append(active, i)
			if len(active) <= limit {
				continue
			}
			c := models.Conflict{Kind: models.ConflictCapacity, Environment: env, Start: it.Start, End: it.End}
			for _, a := range active {
				c.IDs = append(c.IDs, items[a].ID)
				c.End = minTime(c.End, items[a].End)
			}
			slices.Sort(c.IDs)
			c.Key = key(models.ConflictCapacity, c.IDs, env)
			if seen[c.Key] {
				continue
			}
			seen[c.Key] = true
			c.Message = fmt.Sprintf("%d deployments at once in %s, where capacity is %d: %s (%s)",
				len(active), env, limit, idList(c.IDs), span(c.Start, c.End, w.Loc))
			out = append(out, c)
		}
	}
	return widest(out)
}

// widest drops each capacity conflict whose deployments all stand in a larger one of
// the same environment over all of its time: three planned for the same window are
// one crowd to thin, not a pair and a triple to settle. A pair that overran for
// longer than the third joined them stays a conflict of its own: accepting the
// short crowd must not accept the long pair.
func widest(cs []models.Conflict) []models.Conflict {
	// A larger one holds c's first deployment too: only those are compared.
	holding := map[int64][]int{}
	for i, c := range cs {
		for _, id := range c.IDs {
			holding[id] = append(holding[id], i)
		}
	}
	return slices.DeleteFunc(slices.Clone(cs), func(c models.Conflict) bool {
		return slices.ContainsFunc(holding[c.IDs[0]], func(i int) bool {
			o := cs[i]
			return o.Environment == c.Environment && len(o.IDs) > len(c.IDs) && subset(c.IDs, o.IDs) &&
				!o.Start.After(c.Start) && !o.End.Before(c.End)
		})
	})
}

// subset reports whether every one of a (sorted) is in b (sorted).
func subset(a, b []int64) bool {
	for _, id := range a {
		if _, ok := slices.BinarySearch(b, id); !ok {
			return false
		}
	}
	return true
}

// groupBy lists, for each non-empty key, the indexes of the items that have it, in
// the items' order.
func groupBy(items []Item, key func(*Item) string) map[string][]int32 {
	groups := map[string][]int32{}
	for i := range items {
		if k := key(&items[i]); k != "" {
			groups[k] = append(groups[k], int32(i))
		}
	}
	return groups
}

// componentKey groups by component, or by component and environment when the model
// lets one component move in several environments at once.
func componentKey(w World) func(*Item) string {
	return func(it *Item) string {
		if w.Models[it.Model].ParallelEnvironments {
			return it.Component + "\x00" + it.Environment
		}
		return it.Component
	}
}

// pairs reports every overlapping pair of items that share a group (component or
// person). Items must be sorted by start.
func pairs(items []Item, kind models.ConflictKind, w World, group func(*Item) string) []models.Conflict {
	byGroup := groupBy(items, group)
	var out []models.Conflict
	for _, g := range sortedKeys(byGroup) {
		var active []int32
		for _, i := range byGroup[g] {
			it := &items[i]
			active = slices.DeleteFunc(active, func(a int32) bool { return !items[a].End.After(it.Start) })
			for _, a := range active {
				out = append(out, pairConflict(kind, items[a], *it, w))
			}
			active = append(active, i)
		}
	}
	return out
}

// relatedPairs reports every overlapping pair of items in one environment whose
// components are related by depends_on. Items must be sorted by start; only those
// whose component takes part in a dependency are swept.
func relatedPairs(items []Item, w World) []models.Conflict {
	if len(w.Depends) == 0 {
		return nil
	}
	byEnv := groupBy(items, func(it *Item) string {
		if !w.dependent(it.Component) {
			return ""
		}
		return it.Environment
	})
	var out []models.Conflict
	for _, env := range sortedKeys(byEnv) {
		var active []int32
		for _, i := range byEnv[env] {
			it := &items[i]
			active = slices.DeleteFunc(active, func(a int32) bool { return !items[a].End.After(it.Start) })
			for _, a := range active {
				if w.related(items[a].Component, it.Component) {
					out = append(out, relatedConflict(items[a], *it, w))
				}
			}
			active = append(active, i)
		}
	}
	return out
}

// relatedConflict: a and b move related components in one environment at once.
func relatedConflict(a, b Item, w World) models.Conflict {
	ids := []int64{min(a.ID, b.ID), max(a.ID, b.ID)}
	c := models.Conflict{Kind: models.ConflictRelated, IDs: ids, Environment: b.Environment, Start: b.Start,
		End: minTime(a.End, b.End), Key: key(models.ConflictRelated, ids, b.Environment)}
	dep, on := a, b
	if !slices.Contains(w.Depends[a.Component], b.Component) {
		dep, on = b, a
	}
	c.Message = fmt.Sprintf("%s (#%d) depends on %s (#%d); both are moved in %s at once (%s)", dep.Component, dep.ID,
		on.Component, on.ID, b.Environment, span(c.Start, c.End, w.Loc))
	return c
}

func pairConflict(kind models.ConflictKind, a, b Item, w World) models.Conflict {
	ids := []int64{min(a.ID, b.ID), max(a.ID, b.ID)}
	c := models.Conflict{Kind: kind, IDs: ids, Start: b.Start, End: minTime(a.End, b.End)}
	when := span(c.Start, c.End, w.Loc)
	switch kind {
	case models.ConflictPerson:
		c.Person = a.Assignee
		c.Key = key(kind, ids, a.Assignee)
		c.Message = fmt.Sprintf("%s is booked on #%d and #%d at once (%s)", a.Assignee, a.ID, b.ID, when)
	default:
		c.Environment = b.Environment
		c.Key = key(kind, ids, a.Component)
		c.Message = fmt.Sprintf("%s is moved by #%d (%s) and #%d (%s) at once (%s)",
			a.Component, a.ID, a.Environment, b.ID, b.Environment, when)
	}
	return c
}

// single finds the conflicts one item has on its own: freeze, maintenance,
// promotion, dependency and a blocked version.
func single(it Item, ends func(versionAt) (time.Time, bool), byID func(int64) (Item, bool), w World) []models.Conflict {
	out := WindowRules(it, w)
	if ends != nil { // nil: the caller knows promotion is settled
		if c, ok := promotion(it, ends, w); ok {
			out = append(out, c)
		}
	}
	if c, ok := dependency(it, byID, w); ok {
		out = append(out, c)
	}
	if c, ok := blocked(it, w); ok {
		out = append(out, c)
	}
	return out
}

// WindowRules are the conflicts of it with its environment's windows alone: each
// freeze it touches and, where maintenance windows are required, lying outside them.
// They need neither other plans nor history (the demo records them on its starts).
func WindowRules(it Item, w World) []models.Conflict {
	var out []models.Conflict
	env := w.Envs[it.Environment]
	for _, f := range env.Freeze {
		for _, occ := range f.Occurrences(it.Start, it.End, w.Loc) {
			c := models.Conflict{Kind: models.ConflictFreeze, IDs: []int64{it.ID}, Environment: it.Environment,
				Start: maxTime(it.Start, occ.Start), End: minTime(it.End, occ.End),
				Key: key(models.ConflictFreeze, []int64{it.ID}, f.Name)}
			c.Message = fmt.Sprintf("#%d touches freeze %q in %s (%s)", it.ID, f.Name, it.Environment,
				span(occ.Start, occ.End, w.Loc))
			out = append(out, c)
			break // one conflict per freeze window, however often it recurs
		}
	}
	if env.RequireMaintenanceWindow && !insideMaintenance(it, env, w.Loc) {
		out = append(out, models.Conflict{Kind: models.ConflictMaintenance, IDs: []int64{it.ID}, Environment: it.Environment,
			Start: it.Start, End: it.End, Key: key(models.ConflictMaintenance, []int64{it.ID}, ""),
			Message: fmt.Sprintf("#%d (%s) is not inside a maintenance window of %s%s",
				it.ID, span(it.Start, it.End, w.Loc), it.Environment, windowsText(env.Maintenance))})
	}
	return out
}

// blocked: a version a manager blocked may go nowhere (a removal of it may).
func blocked(it Item, w World) (models.Conflict, bool) {
	if w.Blocked == nil || it.Action == models.ActionRemove {
		return models.Conflict{}, false
	}
	why, ok := w.Blocked(it.Component, it.Version)
	if !ok {
		return models.Conflict{}, false
	}
	return models.Conflict{Kind: models.ConflictBlocked, IDs: []int64{it.ID}, Environment: it.Environment, Start: it.Start,
		End: it.End, Key: key(models.ConflictBlocked, []int64{it.ID}, it.Version),
		Message: fmt.Sprintf("%s %s is blocked (%s): #%d may not go to %s", it.Component, it.Version, why, it.ID, it.Environment)}, true
}

// insideMaintenance reports whether the item lies entirely inside one maintenance
// window occurrence (or several that touch end to start).
func insideMaintenance(it Item, env models.Environment, loc *time.Location) bool {
	var occs []models.Interval
	for _, m := range env.Maintenance {
		occs = append(occs, m.Occurrences(it.Start, it.End, loc)...)
	}
	slices.SortFunc(occs, func(a, b models.Interval) int { return a.Start.Compare(b.Start) })
	covered := it.Start
	for _, o := range occs {
		if o.Start.After(covered) {
			break
		}
		if o.End.After(covered) {
			covered = o.End
		}
	}
	return !covered.Before(it.End)
}

// promotion: a version may enter an environment only after it succeeded in the one
// before it on the model's path, nor is planned to finish there first.
func promotion(it Item, ends func(versionAt) (time.Time, bool), w World) (models.Conflict, bool) {
	if it.Action == models.ActionRemove {
		return models.Conflict{}, false
	}
	path := w.Models[it.Model].Path
	i := slices.Index(path, it.Environment)
	if i <= 0 {
		return models.Conflict{}, false
	}
	prev := path[i-1]
	if end, ok := ends(versionAt{it.Component, it.Version, prev}); ok && !end.After(it.Start) {
		return models.Conflict{}, false
	}
	if w.Succeeded != nil && w.Succeeded(it.Component, it.Version, prev) {
		return models.Conflict{}, false
	}
	return models.Conflict{Kind: models.ConflictPromotion, IDs: []int64{it.ID}, Environment: it.Environment, Start: it.Start, End: it.End,
		Key: key(models.ConflictPromotion, []int64{it.ID}, prev),
		Message: fmt.Sprintf("%s %s goes to %s (#%d) before it has succeeded in %s, and is not planned to end there first",
			it.Component, it.Version, it.Environment, it.ID, prev)}, true
}

// dependency: a deployment planned --after another must start once that one ended.
func dependency(it Item, byID func(int64) (Item, bool), w World) (models.Conflict, bool) {
	if it.After == 0 {
		return models.Conflict{}, false
	}
	c := models.Conflict{Kind: models.ConflictDependency, IDs: []int64{min(it.ID, it.After), max(it.ID, it.After)},
		Environment: it.Environment, Start: it.Start, End: it.End, Key: key(models.ConflictDependency, []int64{it.ID, it.After}, "")}
	if dep, ok := byID(it.After); ok {
		if dep.End.After(it.Start) {
			c.Message = fmt.Sprintf("#%d starts %s, before #%d it depends on ends (%s)",
				it.ID, local(it.Start, w.Loc), dep.ID, local(dep.End, w.Loc))
			return c, true
		}
		return c, false
	}
	if w.Finished != nil {
		if done, ok := w.Finished(it.After); ok && done.Status != models.StatusSucceeded {
			c.Message = fmt.Sprintf("#%d depends on #%d, which ended %s", it.ID, it.After, done.Status.Words())
			return c, true
		}
	}
	return c, false
}

func key(kind models.ConflictKind, ids []int64, extra string) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	k := string(kind) + ":" + strings.Join(s, ",")
	if extra != "" {
		k += ":" + extra
	}
	return k
}

// windowsText names an environment's maintenance windows, as config writes them, for
// a conflict that says a deployment is outside them: " (Tue 22:00 - Wed 02:00, Sat
// 22:00 - Sun 04:00)", the first three of more and how many others.
func windowsText(ws []models.Window) string {
	if len(ws) == 0 {
		return " (it has none)"
	}
	names := make([]string, 0, 3)
	for _, w := range ws[:min(3, len(ws))] {
		names = append(names, w.String())
	}
	if len(ws) > 3 {
		names = append(names, fmt.Sprintf("%d more", len(ws)-3))
	}
	return " (" + strings.Join(names, ", ") + ")"
}

func idList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = "#" + strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

func local(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 02 Jan 15:04") }

// span is a conflict's time in loc: "Tue 08 Dec 10:00–10:45" within a day, spaced
// when it ends on another ("Sat 05 Dec 00:00 – Mon 07 Dec 00:00"), in every kind
// alike; with both years when it ends in another year ("Sat 19 Dec 2026 00:00 – Mon
// 04 Jan 2027 00:00": a year-end freeze read as ending in the January gone by). The
// message is kept, so it cannot leave the year out only when it is this year, as the
// console does. Across a daylight-saving change both ends name their zone ("Sat 27
// Mar 22:00 CET – Sun 28 Mar 04:00 CEST"), as the console's windows do: without, a
// five-hour window read as six.
func span(start, end time.Time, loc *time.Location) string {
	a, b := start.In(loc), end.In(loc)
	from, to, sep := "Mon 02 Jan 15:04", "15:04", "–"
	switch {
	case a.Year() != b.Year():
		from = "Mon 02 Jan 2006 15:04"
		to, sep = from, " – "
	case a.YearDay() != b.YearDay():
		to, sep = from, " – "
	}
	if models.ZoneShifts(a, b, loc) {
		from, to, sep = from+" MST", to+" MST", " – "
	}
	return a.Format(from) + sep + b.Format(to)
}

// Span is a window as conflicts say it (see span), for the engine's other messages
// about what holds a deployment: a start held by an overrun said its window in
// another form than the conflicts beside it.
func Span(start, end time.Time, loc *time.Location) string { return span(start, end, loc) }

func assignee(it *Item) string { return it.Assignee }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
