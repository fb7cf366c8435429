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

// Kind names a kind of conflict.
type Kind string

const (
	Capacity    Kind = "capacity"    // more overlap in an environment than its capacity
	Component   Kind = "component"   // the same component moved twice at once
	Person      Kind = "person"      // the assignee booked twice at once
	Freeze      Kind = "freeze"      // the window touches a freeze window
	Maintenance Kind = "maintenance" // not inside a required maintenance window
	Promotion   Kind = "promotion"   // not yet through the previous environment on the path
	Dependency  Kind = "dependency"  // starts before the deployment it waits for ends
)

// Kinds lists every kind, in the order reports show them.
var Kinds = []Kind{Capacity, Component, Person, Freeze, Maintenance, Promotion, Dependency}

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

func (it Item) window() models.Interval { return models.Interval{Start: it.Start, End: it.End} }

// Conflict is two (or more) plans that cannot both happen as scheduled.
type Conflict struct {
	Key         string // stable identity, used to record overrides
	Kind        Kind
	IDs         []int64 // the deployments involved, ascending
	Environment string
	Person      string
	Start, End  time.Time // when it bites
	Message     string
}

// Involves reports whether the conflict involves deployment id.
func (c Conflict) Involves(id int64) bool { return slices.Contains(c.IDs, id) }

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
}

// Detect finds every conflict among items, sorted by start then kind.
func Detect(items []Item, w World) []Conflict {
	sorted := slices.Clone(items)
	slices.SortFunc(sorted, byStart)
	var out []Conflict
	out = append(out, capacity(sorted, w)...)
	out = append(out, pairs(sorted, Component, w, componentKey(w))...)
	out = append(out, pairs(sorted, Person, w, func(it Item) string { return it.Assignee })...)
	byID := make(map[int64]Item, len(sorted))
	for _, it := range sorted {
		byID[it.ID] = it
	}
	for _, it := range sorted {
		out = append(out, single(it, sorted, byID, w)...)
	}
	sortConflicts(out)
	return out
}

// Check finds the conflicts that candidate would be in among the others (which must
// not include it). It is what planning and suggesting call for one deployment.
func Check(candidate Item, others []Item, w World) []Conflict {
	var near []Item
	byID := map[int64]Item{}
	for _, o := range others {
		byID[o.ID] = o
		if o.ID == candidate.ID {
			continue
		}
		if o.window().Overlaps(candidate.window()) {
			near = append(near, o)
		}
	}
	near = append(near, candidate)
	slices.SortFunc(near, byStart)
	var out []Conflict
	for _, c := range capacity(near, w) {
		if c.Involves(candidate.ID) {
			out = append(out, c)
		}
	}
	for _, c := range append(pairs(near, Component, w, componentKey(w)), pairs(near, Person, w, func(it Item) string { return it.Assignee })...) {
		if c.Involves(candidate.ID) {
			out = append(out, c)
		}
	}
	byID[candidate.ID] = candidate
	out = append(out, single(candidate, others, byID, w)...)
	// Moving a deployment can also make the ones that wait for it start too early.
	for _, o := range others {
		if o.After == candidate.ID && o.ID != candidate.ID {
			if c, ok := dependency(o, byID, w); ok {
				out = append(out, c)
			}
		}
	}
	sortConflicts(out)
	return out
}

func byStart(a, b Item) int {
	return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID))
}

func sortConflicts(cs []Conflict) {
	slices.SortFunc(cs, func(a, b Conflict) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Kind, b.Kind), strings.Compare(a.Key, b.Key))
	})
}

// capacity sweeps each environment: whenever more deployments run at once than it
// allows, the ones running then are in conflict. Items must be sorted by start.
func capacity(items []Item, w World) []Conflict {
	byEnv := map[string][]Item{}
	for _, it := range items {
		byEnv[it.Environment] = append(byEnv[it.Environment], it)
	}
	var out []Conflict
	for _, env := range sortedKeys(byEnv) {
		limit := max(1, w.Envs[env].Capacity)
		var active []Item
		seen := map[string]bool{}
		for _, it := range byEnv[env] {
			active = slices.DeleteFunc(active, func(a Item) bool { return !a.End.After(it.Start) })
			active = append(active, it)
			if len(active) <= limit {
				continue
			}
			c := Conflict{Kind: Capacity, Environment: env, Start: it.Start, End: minEnd(active)}
			for _, a := range active {
				c.IDs = append(c.IDs, a.ID)
			}
			slices.Sort(c.IDs)
			c.Key = key(Capacity, c.IDs, env)
			if seen[c.Key] {
				continue
			}
			seen[c.Key] = true
			c.Message = fmt.Sprintf("%d deployments at once in %s, which takes %d: %s",
				len(active), env, limit, idList(c.IDs))
			out = append(out, c)
		}
	}
	return out
}

// componentKey groups by component, or by component and environment when the model
// lets one component move in several environments at once.
func componentKey(w World) func(Item) string {
	return func(it Item) string {
		if w.Models[it.Model].ParallelEnvironments {
			return it.Component + "\x00" + it.Environment
		}
		return it.Component
	}
}

// pairs reports every overlapping pair of items that share a group (component or
// person). Items must be sorted by start.
func pairs(items []Item, kind Kind, w World, group func(Item) string) []Conflict {
	byGroup := map[string][]Item{}
	for _, it := range items {
		if g := group(it); g != "" {
			byGroup[g] = append(byGroup[g], it)
		}
	}
	var out []Conflict
	for _, g := range sortedKeys(byGroup) {
		var active []Item
		for _, it := range byGroup[g] {
			active = slices.DeleteFunc(active, func(a Item) bool { return !a.End.After(it.Start) })
			for _, a := range active {
				out = append(out, pairConflict(kind, a, it, w))
			}
			active = append(active, it)
		}
	}
	return out
}

func pairConflict(kind Kind, a, b Item, w World) Conflict {
	ids := []int64{min(a.ID, b.ID), max(a.ID, b.ID)}
	c := Conflict{Kind: kind, IDs: ids, Start: b.Start, End: minTime(a.End, b.End)}
	when := local(c.Start, w.Loc) + "–" + c.End.In(w.Loc).Format("15:04")
	switch kind {
	case Person:
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
// promotion and dependency.
func single(it Item, all []Item, byID map[int64]Item, w World) []Conflict {
	var out []Conflict
	env := w.Envs[it.Environment]
	for _, f := range env.Freeze {
		for _, occ := range f.Occurrences(it.Start, it.End, w.Loc) {
			c := Conflict{Kind: Freeze, IDs: []int64{it.ID}, Environment: it.Environment,
				Start: maxTime(it.Start, occ.Start), End: minTime(it.End, occ.End),
				Key: key(Freeze, []int64{it.ID}, f.Name)}
			c.Message = fmt.Sprintf("#%d touches freeze %q in %s (%s – %s)", it.ID, f.Name, it.Environment,
				local(occ.Start, w.Loc), local(occ.End, w.Loc))
			out = append(out, c)
			break // one conflict per freeze window, however often it recurs
		}
	}
	if env.RequireMaintenanceWindow && !insideMaintenance(it, env, w.Loc) {
		out = append(out, Conflict{Kind: Maintenance, IDs: []int64{it.ID}, Environment: it.Environment,
			Start: it.Start, End: it.End, Key: key(Maintenance, []int64{it.ID}, ""),
			Message: fmt.Sprintf("#%d (%s – %s) is not inside a maintenance window of %s",
				it.ID, local(it.Start, w.Loc), it.End.In(w.Loc).Format("15:04"), it.Environment)})
	}
	if c, ok := promotion(it, all, w); ok {
		out = append(out, c)
	}
	if c, ok := dependency(it, byID, w); ok {
		out = append(out, c)
	}
	return out
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
// before it on the model's path, or is planned to finish there first.
func promotion(it Item, all []Item, w World) (Conflict, bool) {
	if it.Action == models.ActionRemove {
		return Conflict{}, false
	}
	path := w.Models[it.Model].Path
	i := slices.Index(path, it.Environment)
	if i <= 0 {
		return Conflict{}, false
	}
	prev := path[i-1]
	if w.Succeeded != nil && w.Succeeded(it.Component, it.Version, prev) {
		return Conflict{}, false
	}
	for _, o := range all {
		if o.Component == it.Component && o.Version == it.Version && o.Environment == prev && !o.End.After(it.Start) {
			return Conflict{}, false
		}
	}
	return Conflict{Kind: Promotion, IDs: []int64{it.ID}, Environment: it.Environment, Start: it.Start, End: it.End,
		Key: key(Promotion, []int64{it.ID}, prev),
		Message: fmt.Sprintf("%s %s goes to %s (#%d) before it has succeeded in %s, or is planned to finish there first",
			it.Component, it.Version, it.Environment, it.ID, prev)}, true
}

// dependency: a deployment planned --after another must start once that one ended.
func dependency(it Item, byID map[int64]Item, w World) (Conflict, bool) {
	if it.After == 0 {
		return Conflict{}, false
	}
	c := Conflict{Kind: Dependency, IDs: []int64{min(it.ID, it.After), max(it.ID, it.After)},
		Environment: it.Environment, Start: it.Start, End: it.End, Key: key(Dependency, []int64{it.ID, it.After}, "")}
	if dep, ok := byID[it.After]; ok {
		if dep.End.After(it.Start) {
			c.Message = fmt.Sprintf("#%d starts %s, before #%d it depends on ends (%s)",
				it.ID, local(it.Start, w.Loc), dep.ID, local(dep.End, w.Loc))
			return c, true
		}
		return c, false
	}
	if w.Finished != nil {
		if done, ok := w.Finished(it.After); ok && done.Status != models.StatusSucceeded {
			c.Message = fmt.Sprintf("#%d depends on #%d, which ended %s", it.ID, it.After, strings.ReplaceAll(string(done.Status), "_", " "))
			return c, true
		}
	}
	return c, false
}

func key(kind Kind, ids []int64, extra string) string {
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

func idList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = "#" + strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

func local(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 02 Jan 15:04") }

func minEnd(items []Item) time.Time {
	m := items[0].End
	for _, it := range items[1:] {
		m = minTime(m, it.End)
	}
	return m
}

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
