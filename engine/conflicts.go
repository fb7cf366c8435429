package engine

import (
	"cmp"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ferry/engine/schedule"
	"ferry/models"
	"ferry/store"
)

// ConflictID derives the short ID people type from the conflict's key.
func ConflictID(key string) string {
	sum := sha1.Sum([]byte(key))
	return "c" + hex.EncodeToString(sum[:4])[:7]
}

// detect finds every conflict among unfinished deployments, through q (a read pool
// or a write transaction): one load, then only the history questions that the plans
// themselves cannot settle go to the database.
func (e *Engine) detect(ctx context.Context, q store.Q) ([]schedule.Item, []models.Conflict, error) {
	open, err := q.OpenItems(ctx)
	if err != nil {
		return nil, nil, err
	}
	items := make([]schedule.Item, len(open))
	for i := range open {
		items[i] = toItem(&open[i])
	}
	p := schedule.Prepare(items, e.baseWorld())
	if err := e.answer(ctx, q, &p.W, p.PromotionQuestions(), p.Waited()); err != nil {
		return nil, nil, err
	}
	return items, p.Detect(), nil
}

// toItem is o as detection sweeps it; by pointer, as the tens of thousands a
// detection or a suggestion loads are not copied twice each.
func toItem(o *store.OpenItem) schedule.Item {
	return schedule.Item{ID: o.ID, Model: o.Model, Component: o.Component, Version: o.Version,
		Action: o.Action, Environment: o.Environment, Assignee: o.Assignee, Start: o.Start, End: o.End, After: o.After}
}

// baseWorld is the configuration part of what detection needs.
func (e *Engine) baseWorld() schedule.World {
	w := schedule.World{Loc: e.Location(), Envs: map[string]models.Environment{}, Models: map[string]models.Model{}}
	for _, env := range e.cfg.Environments {
		w.Envs[env.Name] = env
	}
	for name, c := range e.current {
		w.Models[name] = c.model
	}
	w.Depends = e.depends
	return w
}

// worldFor is the world for a few items (a neighbourhood), history included.
func (e *Engine) worldFor(ctx context.Context, q store.Q, items []schedule.Item) (schedule.World, error) {
	p := schedule.Prepare(items, e.baseWorld())
	err := e.answer(ctx, q, &p.W, p.PromotionQuestions(), p.Waited())
	return p.W, err
}

// answer looks up, in two statements, which versions already succeeded where, and
// how the waited-for deployments that are not unfinished ended.
func (e *Engine) answer(ctx context.Context, q store.Q, w *schedule.World, versions []schedule.VersionAt, waited []int64) error {
	keys := make([]store.VersionKey, len(versions))
	for i, v := range versions {
		keys[i] = store.VersionKey{Component: v.Component, Version: v.Version, Environment: v.Environment}
	}
	ok, err := q.Succeeded(ctx, keys)
	if err != nil {
		return err
	}
	finished, err := q.FinishedStatus(ctx, waited)
	if err != nil {
		return err
	}
	blocks, err := q.BlockedVersions(ctx)
	if err != nil {
		return err
	}
	w.Blocked = blockedIn(blocks)
	w.Succeeded = func(c, v, env string) bool { return ok[store.VersionKey{Component: c, Version: v, Environment: env}] }
	w.Finished = func(id int64) (schedule.Done, bool) {
		s, ok := finished[id]
		return schedule.Done{Status: s}, ok
	}
	return nil
}

// blockedIn answers World.Blocked from the list of blocks: "by ana: bad build".
func blockedIn(blocks []models.BlockedVersion) func(string, string) (string, bool) {
	why := map[[2]string]string{}
	for _, b := range blocks {
		why[[2]string{b.Component, b.Version}] = "by " + b.Actor + ": " + b.Reason
	}
	return func(c, v string) (string, bool) {
		r, ok := why[[2]string{c, v}]
		return r, ok
	}
}

// decorate gives detected conflicts their IDs and override state.
func decorate(cs []models.Conflict, overrides map[string]models.Override) []models.Conflict {
	for i := range cs {
		c := &cs[i]
		c.ID, c.Status = ConflictID(c.Key), models.ConflictOpen
		if o, ok := overrides[c.Key]; ok {
			c.Status, c.Reason, c.Override = models.ConflictOverridden, o.Reason, &o
		}
	}
	return cs
}

// ConflictFilter narrows a conflict listing.
type ConflictFilter struct {
	Environment string
	Deployment  int64 // only conflicts involving this deployment
	OpenOnly    bool
	// All adds the evidence of finished deployments: conflicts overridden and conflicts
	// left unresolved when a deployment they involve finished.
	All bool
	// heads: what counting the conflicts needs may be all a conflict holds (its key,
	// kind, window, deployments, status and the start that went ahead against it),
	// without its message, environment or person.
	heads bool // the dashboard's, within the engine
}

// Conflicts detects every conflict among unfinished deployments.
func (e *Engine) Conflicts(ctx context.Context, actor models.Person, f ConflictFilter) ([]models.Conflict, error) {
	if err := Can(actor, ActRead, nil); err != nil && !onlyOwn(actor) {
		return nil, err
	}
	return e.conflicts(ctx, e.st.Read(), actor, f)
}

func (e *Engine) conflicts(ctx context.Context, q store.Q, actor models.Person, f ConflictFilter) ([]models.Conflict, error) {
	detected, err := e.storedOrDetected(ctx, q, f.heads && f.Environment == "")
	if err != nil {
		return nil, err
	}
	overrides, err := q.Overrides(ctx)
	if err != nil {
		return nil, err
	}
	mine := map[int64]bool{}
	if onlyOwn(actor) {
		own, err := q.OpenAssignedTo(ctx, actor.Name)
		if err != nil {
			return nil, err
		}
		for _, it := range own {
			mine[it.ID] = true
		}
	}
	live := decorate(detected, overrides)
	if err := withStarts(ctx, q, live); err != nil {
		return nil, err
	}
	if f.All {
		if live, err = e.withEvidence(ctx, q, live, overrides); err != nil {
			return nil, err
		}
	}
	// Filtered where they lie (the list is this call's own): copied out one by one,
	// the thousands of a crowded schedule were an eighth of the dashboard's read.
	return slices.DeleteFunc(live, func(c models.Conflict) bool {
		return f.Environment != "" && c.Environment != f.Environment ||
			f.Deployment != 0 && !c.Involves(f.Deployment) ||
			f.OpenOnly && !f.All && !c.Open() ||
			onlyOwn(actor) && !slices.ContainsFunc(c.IDs, func(id int64) bool { return mine[id] })
	}), nil
}

// withStarts notes on each open conflict the start that went ahead against it: a
// manager's override or an emergency, found among the findings of the deployments
// running now (a finished one's open conflicts are unresolved).
func withStarts(ctx context.Context, q store.Q, cs []models.Conflict) error {
	if !slices.ContainsFunc(cs, models.Conflict.Open) {
		return nil
	}
	running, err := q.Running(ctx)
	if err != nil || len(running) == 0 {
		return err
	}
	all, err := startsOf(ctx, q, models.IDs(running))
	if err != nil {
		return err
	}
	noteStarts(cs, all)
	return nil
}

// startsOf are the findings of the starts of ids that went ahead against a rule: a
// manager's override, or the emergency lane's.
func startsOf(ctx context.Context, q store.Q, ids []int64) ([]models.Finding, error) {
	var all []models.Finding
	for _, id := range ids {
		fs, err := q.Findings(ctx, store.FindingFilter{Deployment: id,
			Kinds: []string{models.FindingOverride, models.FindingEmergency}})
		if err != nil {
			return nil, err
		}
		all = append(all, fs...)
	}
	return all, nil
}

// noteStartsOf notes, on cs, the starts of their deployments that went ahead against
// them (see noteStarts), read through q.
func noteStartsOf(ctx context.Context, q store.Q, cs []models.Conflict) error {
	started, err := startsOf(ctx, q, memberIDs(cs))
	if err != nil {
		return err
	}
	noteStarts(cs, started)
	return nil
}

// noteStarts sets StartedOver on each open or unresolved conflict that one of the
// findings (an override or emergency at a start) went ahead against.
func noteStarts(cs []models.Conflict, fs []models.Finding) {
	byKey := map[string][]int{} // a key can stand twice: open, and unresolved of a finished run
	for i, c := range cs {
		if c.Open() || c.Status == models.ConflictUnresolved {
			byKey[c.Key] = append(byKey[c.Key], i)
		}
	}
	for _, f := range fs {
		if f.ConflictKey == "" || (f.Kind != models.FindingOverride && f.Kind != models.FindingEmergency) {
			continue
		}
		for _, i := range byKey[f.ConflictKey] {
			cs[i].StartedOver = &f
		}
	}
}

// withEvidence adds to the live conflicts the overrides no longer live (their
// deployments finished), the conflicts left unresolved, and those a start went ahead
// against that are no longer live, each once.
func (e *Engine) withEvidence(ctx context.Context, q store.Q, live []models.Conflict,
	overrides map[string]models.Override) ([]models.Conflict, error) {
	seen := map[string]bool{}
	for _, c := range live {
		seen[c.Key] = true
	}
	kept := len(live) // what follows is kept from overrides and findings
	for key, o := range overrides {
		if !seen[key] {
			seen[key] = true
			o := o
			live = append(live, models.Conflict{Key: key, Kind: models.ConflictKind(o.Kind), IDs: o.IDs, ID: ConflictID(key),
				Status: models.ConflictOverridden, Reason: o.Reason, Override: &o, Start: o.At, End: o.At,
				Message: fmt.Sprintf("%s conflict of %s, accepted by %s", o.Kind, idList(o.IDs), o.Actor)})
		}
	}
	fs, err := q.Findings(ctx, store.FindingFilter{Kinds: []string{models.FindingUnresolved, models.FindingOverride,
		models.FindingEmergency}})
	if err != nil {
		return nil, err
	}
	first := len(live)
	for _, fd := range fs {
		if fd.Kind != models.FindingUnresolved || seen[fd.ConflictKey+"/unresolved"] {
			continue
		}
		seen[fd.ConflictKey+"/unresolved"] = true
		live = append(live, models.Conflict{Key: fd.ConflictKey, Kind: models.ConflictKind(fd.Rule), IDs: fd.DeploymentIDs,
			ID: fd.ConflictID, Status: models.ConflictUnresolved, Message: fd.Message, Start: fd.At, End: fd.At})
	}
	noteStarts(live[first:], fs) // who went ahead against those left unresolved
	// Those a start went ahead against, with a reason, and that ended with their
	// deployment: settled then, so overridden.
	for _, fd := range fs {
		if fd.Kind == models.FindingUnresolved || fd.ConflictKey == "" || seen[fd.ConflictKey] || seen[fd.ConflictKey+"/unresolved"] {
			continue
		}
		seen[fd.ConflictKey] = true
		fd := fd
		live = append(live, models.Conflict{Key: fd.ConflictKey, Kind: models.ConflictKind(fd.Rule), IDs: fd.DeploymentIDs,
			ID: fd.ConflictID, Status: models.ConflictOverridden, StartedOver: &fd, Reason: fd.Reason,
			Message: strings.TrimPrefix(fd.Message, fd.ConflictID+" "), Start: fd.At, End: fd.At})
	}
	return live, placeEvidence(ctx, q, live[kept:])
}

// placeEvidence gives the conflicts kept from overrides and findings the environment
// they do not hold, their deployments': --env finds them too.
func placeEvidence(ctx context.Context, q store.Q, cs []models.Conflict) error {
	ds, err := q.DeploymentsByID(ctx, memberIDs(cs))
	if err != nil {
		return err
	}
	env := map[int64]string{}
	for _, d := range ds {
		env[d.ID] = d.Environment
	}
	for i := range cs {
		for _, id := range cs[i].IDs {
			cs[i].Environment = cmp.Or(cs[i].Environment, env[id])
		}
	}
	return nil
}

// idList is "#1, #2".
func idList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = "#" + strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

// Override accepts a conflict with a written reason (managers only). It stays visible
// as overridden and counts as an audit finding; each deployment's record says so.
func (e *Engine) Override(ctx context.Context, actor models.Person, id, reason string) (models.Conflict, error) {
	if err := models.CheckText("reason", reason); err != nil { // a paste gone wrong, not an account
		return models.Conflict{}, err
	}
	if err := Can(actor, ActOverride, nil); err != nil {
		return models.Conflict{}, err
	}
	reason = strings.TrimSpace(reason)
	if err := Written(reason, NeedOverrideReason); err != nil {
		return models.Conflict{}, err
	}
	var found models.Conflict
	err := e.st.Write(ctx, func(q store.Q) error {
		all, err := e.conflicts(ctx, q, actor, ConflictFilter{})
		if err != nil {
			return err
		}
		i := slices.IndexFunc(all, func(c models.Conflict) bool { return c.ID == id })
		if i < 0 {
			return models.NotFoundf("no current conflict %s (run 'ferry conflicts' for the list)", id)
		}
		found = all[i]
		if err := WhyNoOverride(found); err != nil {
			return err
		}
		if !found.Open() {
			return models.Conflictf("conflict %s was already overridden by %s: %s", id, found.Override.Actor, found.Reason)
		}
		o := models.Override{Key: found.Key, Kind: string(found.Kind), IDs: found.IDs, Reason: reason, Actor: actor.Name, At: e.Now()}
		if err := q.AddOverride(ctx, o); err != nil {
			return err
		}
		for _, did := range found.IDs {
			detail := fmt.Sprintf("%s conflict %s accepted: %s — %s", found.Kind, id, found.Message, reason)
			if err := q.AddEvent(ctx, e.event(ctx, did, actor, EventOverride, detail)); err != nil {
				return err
			}
		}
		found.Status, found.Reason, found.Override = models.ConflictOverridden, reason, &o
		return nil
	})
	return found, err
}

// itemOf is the detector's view of a deployment.
func itemOf(d models.Deployment) schedule.Item {
	return schedule.Item{ID: d.ID, Model: d.Model, Component: d.Component, Version: d.Version, Action: d.Action,
		Environment: d.Environment, Assignee: d.Assignee, Start: d.ScheduledStart, End: d.ScheduledEnd, After: d.After}
}

// Suggest finds the conflict-free slot nearest a planned deployment's start, earlier
// (not before now) or later, a few alternatives, and why nearer starts were passed
// over. Every way of moving to a suggestion (the CLI, the console, reschedule
// --suggested, freeze apply) takes it from here.
//
// Most plans find a free start within days: a week either way loads a few hundred
// neighbours. Only when nothing there is free does it look over the whole horizon,
// tens of thousands, in a snapshot of its own read by two readers at once where
// there are two cores (the console's deployment view does the same; a batch of
// moves, as a freeze apply works out, stays on its one snapshot).
func (e *Engine) Suggest(ctx context.Context, actor models.Person, id int64) (schedule.Suggestion, error) {
	return widening(func(reach time.Duration) (schedule.Suggestion, error) {
		return e.suggestPass(ctx, actor, id, reach)
	})
}

// widening runs a suggestion's pass a week either side, then, if nothing there is
// free, over the whole horizon.
func widening(pass func(reach time.Duration) (schedule.Suggestion, error)) (schedule.Suggestion, error) {
	sug, err := pass(firstReach)
	if err != nil || len(sug.Slots) > 0 {
		return sug, err
	}
	return pass(schedule.Horizon)
}

// suggestPass is Suggest looking reach either side of the plan's start only.
func (e *Engine) suggestPass(ctx context.Context, actor models.Person, id int64, reach time.Duration) (schedule.Suggestion, error) {
	readers := 1
	if reach == schedule.Horizon {
		readers = sideReaders()
	}
	var sug schedule.Suggestion
	err := e.readableIn(ctx, actor, id, readers, func(qs []store.Q, d models.Deployment) error {
		// A plan's suggestion is there to read; for one that no longer moves, the
		// refusal names first who may move nothing at all (WhyNoMove's order).
		if d.Status != models.StatusPlanned {
			return WhyNoMove(actor, d)
		}
		var err error
		sug, err = e.suggestWithin(ctx, qs, d, reach, nil)
		return err
	})
	return sug, err
}

func (e *Engine) suggest(ctx context.Context, q store.Q, d models.Deployment) (schedule.Suggestion, error) {
	return e.suggestAmong(ctx, q, d, nil)
}

// suggestAmong is suggest with the plans of mv where mv moves them, not where q has
// them: a batch of moves worked out before any is written (see freezePlan).
func (e *Engine) suggestAmong(ctx context.Context, q store.Q, d models.Deployment, mv *moves) (schedule.Suggestion, error) {
	return widening(func(reach time.Duration) (schedule.Suggestion, error) {
		return e.suggestWithin(ctx, []store.Q{q}, d, reach, mv)
	})
}

// firstReach is how far either side a suggestion looks first.
const firstReach = 7 * 24 * time.Hour

// suggestWithin looks reach either side of d's start, reading through qs (readers
// that see the same state).
func (e *Engine) suggestWithin(ctx context.Context, qs []store.Q, d models.Deployment, reach time.Duration, mv *moves) (schedule.Suggestion, error) {
	cand, items, w, err := e.suggestInputs(ctx, qs, d, reach, mv)
	if err != nil {
		return schedule.Suggestion{}, err
	}
	return schedule.SuggestWithin(cand, e.notBefore(), items, w, suggestSlots, reach), nil
}

// notBefore is the first start a suggestion may offer: the next quarter hour.
func (e *Engine) notBefore() time.Time {
	return e.Now().Truncate(15 * time.Minute).Add(15 * time.Minute)
}

// suggestSlots is how many free starts a suggestion offers.
const suggestSlots = 4

// suggestInputs loads what a suggestion sweeps: the candidate as it would move (never
// into the past), the plans it could clash with over the horizon either side of its
// start (not before now), and their world; the plans mv moves, where it moves them.
func (e *Engine) suggestInputs(ctx context.Context, qs []store.Q, d models.Deployment, reach time.Duration, mv *moves) (schedule.Item, []schedule.Item, schedule.World, error) {
	if err := notPlanned(d); err != nil {
		return schedule.Item{}, nil, schedule.World{}, err
	}
	cand := itemOf(d)
	// Never suggest the past: start from the next quarter hour.
	from := e.notBefore()
	if cand.Start.Before(e.Now()) {
		dur := cand.End.Sub(cand.Start)
		cand.Start, cand.End = from, from.Add(dur)
	}
	from = maxTime(from, cand.Start.Add(-reach))
	items, w, err := e.nearIn(ctx, qs, cand, from, cand.End.Add(reach), mv)
	return cand, items, w, err
}

// near loads what cand could clash with anywhere in [from, to), and the world for it,
// with the plans mv moves (nil: none) where it moves them.
func (e *Engine) near(ctx context.Context, q store.Q, cand schedule.Item, from, to time.Time, mv *moves) ([]schedule.Item, schedule.World, error) {
	return e.nearIn(ctx, []store.Q{q}, cand, from, to, mv)
}

// nearIn is near read through qs, readers that see the same state.
func (e *Engine) nearIn(ctx context.Context, qs []store.Q, cand schedule.Item, from, to time.Time, mv *moves) ([]schedule.Item, schedule.World, error) {
	q := qs[0]
	same, err := q.OpenOfVersion(ctx, cand.Component, cand.Version)
	if err != nil {
		return nil, schedule.World{}, err
	}
	// The neighbourhood holds, among the rest, every unfinished plan of cand's version
	// that is near, which same holds whole: those are taken from same, added to what
	// the readers made into items as they read (thousands, in a slice made once).
	items, err := store.OpenNearAs(ctx, qs, store.Neighbourhood{ID: cand.ID, Environment: cand.Environment,
		Component: cand.Component, Assignee: cand.Assignee, After: cand.After, From: from, To: to}, len(same),
		func(o store.OpenItem) (schedule.Item, bool) {
			return toItem(&o), o.ID != cand.ID && (o.Component != cand.Component || o.Version != cand.Version)
		})
	if err != nil {
		return nil, schedule.World{}, err
	}
	for i := range same {
		if same[i].ID != cand.ID {
			items = append(items, toItem(&same[i]))
		}
	}
	if mv != nil {
		for i := range items {
			items[i] = mv.at(items[i])
		}
		items = mv.rest(items, cand.ID)
	}
	// Checking cand asks history only about cand's own promotion and dependency: the
	// plans of its version are what can settle the first without the database. Which
	// questions those are depends on their windows, so moved ones count where they go.
	ask := []schedule.Item{cand}
	for i := range same {
		if same[i].ID != cand.ID {
			ask = append(ask, mv.at(toItem(&same[i])))
		}
	}
	w, err := e.worldFor(ctx, q, ask)
	return items, w, err
}

// check finds the conflicts one deployment is in, from its neighbourhood only.
func (e *Engine) check(ctx context.Context, q store.Q, d models.Deployment) ([]models.Conflict, error) {
	cand := itemOf(d)
	items, w, err := e.near(ctx, q, cand, cand.Start, cand.End, nil)
	if err != nil {
		return nil, err
	}
	overrides, err := q.Overrides(ctx)
	if err != nil {
		return nil, err
	}
	return decorate(schedule.Check(cand, items, w), overrides), nil
}

// ConflictsError refuses a change that would create conflicts (--strict).
type ConflictsError struct{ Conflicts []models.Conflict }

func (e *ConflictsError) Error() string {
	msgs := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		msgs[i] = strings.TrimSpace(fmt.Sprintf("%s %s: %s", c.ID, c.Kind, c.Message))
	}
	return "refused (strict): it would be in conflict:\n  " + strings.Join(msgs, "\n  ")
}

func (e *ConflictsError) Unwrap() error { return models.ErrConflict }

// SettledFor reports whether c asks nothing more of deployment d: a manager
// overrode it, or let one of its deployments start against it and d is no longer a
// plan (a plan still in it must move: its start is refused for it until then). A
// deployment not stored (ID 0) is a plan.
func SettledFor(c models.Conflict, d models.Deployment) bool {
	planned := d.ID == 0 || d.Status == models.StatusPlanned
	return !c.Open() || (c.StartedOver != nil && !planned)
}

// CountOpenFor counts those of cs that still ask something of d (see SettledFor).
func CountOpenFor(cs []models.Conflict, d models.Deployment) int {
	n := 0
	for _, c := range cs {
		if !SettledFor(c, d) {
			n++
		}
	}
	return n
}

// CountOpen is how many of cs nobody accepted.
func CountOpen(cs []models.Conflict) int {
	n := 0
	for _, c := range cs {
		if c.Open() {
			n++
		}
	}
	return n
}

// openOnly keeps the conflicts nobody accepted.
func openOnly(cs []models.Conflict) []models.Conflict {
	return slices.DeleteFunc(cs, func(c models.Conflict) bool { return !c.Open() })
}

// WhyNoOverride is why a conflict is not overridden whoever asks, nil when it may
// be: a blocked version is lifted by unblocking it, not by a reason.
func WhyNoOverride(c models.Conflict) error {
	if c.Kind == models.ConflictBlocked {
		return models.Conflictf("conflict %s is a blocked version: it is not overridden; a manager unblocks the version "+
			"('ferry version unblock') or the deployment is cancelled", c.ID)
	}
	return nil
}

// memberIDs are the deployments cs are between, each once.
func memberIDs(cs []models.Conflict) []int64 {
	seen := map[int64]bool{}
	var ids []int64
	for _, c := range cs {
		for _, id := range c.IDs {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids
}
