package engine

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ferry/engine/schedule"
	"ferry/models"
	"ferry/store"
)

// The controls a start is held to, at the moment it happens: its version not blocked
// (see notBlocked), its scheduled window (from start_tolerance before it until its
// end), the freezes and maintenance windows of its environment, and the conflicts it
// is in. Every way of starting (deploy run,
// the console, SSH, run-due, the scheduler) goes through start.

// Break is one control a start would break now.
type Break struct {
	Rule     string           // models.RuleWindow, models.RuleOverrun, or a conflict kind (freeze, maintenance, capacity, ...)
	Message  string           // what is wrong, in words
	Conflict *models.Conflict // set when a conflict is what breaks
}

// StartRefusedError refuses to start a deployment now: the controls it would break,
// and the ways on.
type StartRefusedError struct {
	ID        int64
	Breaks    []Break
	Conflicts []models.Conflict // the open conflicts among Breaks
	Override  bool              // a manager may start it anyway with a reason
	Actor     models.Person     // who asked: the ways on are theirs, or whom to ask
}

func (e *StartRefusedError) Error() string {
	msgs := make([]string, len(e.Breaks))
	for i, b := range e.Breaks {
		msgs[i] = b.Rule + ": " + b.Message
	}
	id := strconv.FormatInt(e.ID, 10)
	run := "'ferry deploy run " + id + " --override-reason REASON'"
	ways := WaysText(e.Actor, e.Breaks, map[Way]string{
		WayMove:     "move it with 'ferry deploy reschedule " + id + " --start now' (checked for conflicts like any plan)",
		WayResolve:  "resolve its conflicts ('ferry deploy suggest " + id + "', 'ferry conflicts')",
		WayOverride: "start it anyway with " + run,
	}, map[Way]string{WayMove: "move it", WayResolve: "resolve its conflicts", WayOverride: "start it anyway (a manager runs " + run + ")"})
	return fmt.Sprintf("deployment #%d cannot start now:\n  %s\nways on: %s", e.ID, strings.Join(msgs, "\n  "), OrList(ways))
}

// A Way is something that lets a refused start go ahead.
type Way int

const (
	WayMove     Way = iota // a new time: the window is not now, or a freeze or the maintenance rule bites now
	WayResolve             // a conflict to settle: a new time, another person, a version promoted first
	WayOverride            // a manager starts it anyway, with a reason
	WayWait                // what is still under way there past its window ends first (RuleOverrun)
)

// waitText is WayWait in words, the same for every way in and every person: anyone
// may wait, and whoever runs the other deployment ends it.
const waitText = "let what is still under way there end first (run to its end, failed or cancelled; an interrupted one is resumed or failed)"

// StartWays are the ways on from a start refused for bs, in the order to try them:
// a move only where time is what breaks (a promotion, say, is not settled by moving
// to now), the conflicts' own resolution, and a manager's override.
func StartWays(bs []Break) []Way {
	var wait, move, resolve bool
	for _, b := range bs {
		switch {
		case b.Conflict != nil:
			resolve = true
		case b.Rule == models.RuleOverrun: // a move to now does not end the other one
			wait = true
		default: // the window, a freeze or the maintenance rule at this moment
			move = true
		}
	}
	var out []Way
	if wait {
		out = append(out, WayWait)
	}
	if move {
		out = append(out, WayMove)
	}
	if resolve {
		out = append(out, WayResolve)
	}
	return append(out, WayOverride)
}

// StartWaysFor splits StartWays(bs) into the ways actor may take and those left to
// someone who may: a move or a conflict's resolution needs whoever may reschedule,
// an override a manager. A technician told to move a deployment could not.
func StartWaysFor(actor models.Person, bs []Break) (own, others []Way) {
	for _, w := range StartWays(bs) {
		act := ActReschedule
		if w == WayOverride {
			act = ActOverride
		}
		if w == WayWait || Can(actor, act, nil) == nil {
			own = append(own, w)
		} else {
			others = append(others, w)
		}
	}
	return own, others
}

// WaysText words the ways on from a start refused for bs to actor: each way they may
// take as own says it, then what to ask a manager for, as ask says each (a manager
// may take every way). The CLI words them as commands, the console as keys.
func WaysText(actor models.Person, bs []Break, own, ask map[Way]string) []string {
	mine, others := StartWaysFor(actor, bs)
	var ways, asks []string
	for _, w := range mine {
		if w == WayWait {
			ways = append(ways, waitText)
			continue
		}
		ways = append(ways, own[w])
	}
	for i, w := range others {
		if i > 0 { // "…to move it, or to start it anyway": the manager does both
			asks = append(asks, "to "+ask[w])
			continue
		}
		asks = append(asks, ask[w])
	}
	if len(asks) > 0 {
		ways = append(ways, "ask a manager to "+OrList(asks))
	}
	return ways
}

// OrList is "a, b, or c".
func OrList(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + ", or " + parts[len(parts)-1]
}

func (e *StartRefusedError) Unwrap() error { return models.ErrConflict }

// earliestStart is when d's window lets it start: start_tolerance before its start.
func (e *Engine) earliestStart(d models.Deployment) time.Time {
	return d.ScheduledStart.Add(-e.cfg.StartTolerance)
}

// breaksAt lists the controls d would break if it started at now: the window, the
// environment's freezes and maintenance windows, and the open conflicts in cs.
func (e *Engine) breaksAt(d models.Deployment, cs []models.Conflict, now time.Time) []Break {
	var out []Break
	loc := e.Location()
	earliest := e.earliestStart(d)
	switch {
	case now.Before(earliest):
		out = append(out, Break{Rule: models.RuleWindow, Message: fmt.Sprintf("it is planned for %s; it may start from %s, not before",
			e.window(d.ScheduledStart, d.ScheduledEnd), LocalText(earliest, loc))})
	case !now.Before(d.ScheduledEnd):
		out = append(out, Break{Rule: models.RuleWindow, Message: fmt.Sprintf("its window %s has ended",
			e.window(d.ScheduledStart, d.ScheduledEnd))})
	}
	env, _ := e.cfg.Environment(d.Environment)
	moment := now.Add(time.Second)
	for _, w := range env.Freeze {
		for _, occ := range w.Occurrences(now, moment, loc) {
			out = append(out, Break{Rule: string(models.ConflictFreeze), Message: fmt.Sprintf("%s is in freeze %q until %s",
				env.Name, w.Name, LocalText(occ.End, loc)) + plannedOver(cs, models.ConflictFreeze)})
		}
	}
	if NoWindowOpen(env, now, loc) {
		out = append(out, Break{Rule: string(models.ConflictMaintenance),
			Message: NoWindowOpenText(env.Name) + plannedOver(cs, models.ConflictMaintenance)})
	}
	return append(out, ConflictBreaks(cs)...)
}

// plannedOver says, after a control's break, that a conflict of the same kind was
// overridden: that override accepted the plan, not a start against the control now,
// which a technician read as the manager's word being ignored.
func plannedOver(cs []models.Conflict, kind models.ConflictKind) string {
	for _, c := range cs {
		if c.Kind == kind && c.Override != nil {
			return fmt.Sprintf(" (%s's override of its %s conflict accepted the plan, not a start now)", c.Override.Actor, kind)
		}
	}
	return ""
}

// ConflictBreaks are the open ones of cs, as what a start would break.
func ConflictBreaks(cs []models.Conflict) []Break {
	var out []Break
	for i := range cs {
		if cs[i].Open() {
			out = append(out, Break{Rule: string(cs[i].Kind), Message: cs[i].ID + " " + cs[i].Message, Conflict: &cs[i]})
		}
	}
	return out
}

// overrunBreaks is what a start of d now would break against deployments still
// under way in its environment past their windows. Stored conflicts compare
// windows: one that overran its window takes part in none after its end, yet still
// holds the environment. Starting a version of its component beside it, or more than
// the environment's capacity with it, was let through, and whichever finished last
// was taken for what the environment runs.
func (e *Engine) overrunBreaks(ctx context.Context, q store.Q, d models.Deployment, now time.Time) ([]Break, error) {
	// Every one under way, by status (a few, through the status index), then this
	// environment's: filtered by environment first, SQLite walked every unfinished
	// deployment there (15-20 ms at 33,000 planned in one environment).
	under, err := q.Deployments(ctx, models.Filter{Statuses: models.UnderWay, Oldest: true, Limit: 10_000})
	if err != nil {
		return nil, err
	}
	var out []Break
	var held []string
	over := false
	for _, u := range under {
		if u.ID == d.ID || u.Environment != d.Environment {
			continue
		}
		if !u.OverrunsAt(now) {
			held = append(held, fmt.Sprintf("#%d", u.ID))
			continue
		}
		over = true
		past := "past its window " + schedule.Span(u.ScheduledStart, u.ScheduledEnd, e.Location())
		held = append(held, fmt.Sprintf("#%d (%s, %s)", u.ID, u.Status.Words(), past))
		if u.Component == d.Component {
			out = append(out, Break{Rule: models.RuleOverrun, Message: fmt.Sprintf(
				"#%d %s %s → %s is still under way (%s), %s: it must end before another version of %s starts there",
				u.ID, u.Component, u.Version, u.Environment, u.Status.Words(), past, u.Component)})
		}
	}
	env, _ := e.cfg.Environment(d.Environment)
	if capacity := max(1, env.Capacity); over && len(held) >= capacity {
		out = append(out, Break{Rule: models.RuleOverrun, Message: fmt.Sprintf(
			"%s takes %d at once, and %d %s still under way: %s", d.Environment, capacity, len(held),
			map[bool]string{true: "is", false: "are"}[len(held) == 1], strings.Join(held, ", "))})
	}
	return out, nil
}

// OverrunHolds is what would hold a start of d, a plan not yet stored, if it were
// started now: the deployments still under way past their windows in its
// environment (see overrunBreaks). Nothing when its window does not let it start
// now. The plan form says it beside the conflicts: those compare windows, and a
// plan for now was saved and then refused at once.
func (e *Engine) OverrunHolds(ctx context.Context, d models.Deployment) ([]Break, error) {
	now := e.Now()
	if now.Before(e.earliestStart(d)) || !now.Before(d.ScheduledEnd) { // the window rule's own bounds
		return nil, nil
	}
	var out []Break
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		var err error
		out, err = e.overrunBreaks(ctx, q, d, now)
		return err
	})
	return out, err
}

// breaksNow is what a start of d now would break, urgency aside: its window and the
// environment's controls, its open conflicts (cs, as checked now), and what still
// overruns beside it.
func (e *Engine) breaksNow(ctx context.Context, q store.Q, d models.Deployment) (cs []models.Conflict, bs []Break, err error) {
	if cs, err = e.check(ctx, q, d); err != nil {
		return nil, nil, err
	}
	now := e.Now()
	overrun, err := e.overrunBreaks(ctx, q, d, now)
	return cs, append(e.breaksAt(d, cs, now), overrun...), err
}

// startBreaks is what a start of d now would break that its urgency does not waive.
func (e *Engine) startBreaks(ctx context.Context, q store.Q, d models.Deployment) ([]Break, error) {
	_, bs, err := e.breaksNow(ctx, q, d)
	if err != nil {
		return nil, err
	}
	var out []Break
	for _, b := range bs {
		if !(d.Urgency == models.UrgencyEmergency && waivedForEmergency(b)) {
			out = append(out, b)
		}
	}
	return saidOnce(out), nil
}

// saidOnce is what a refusal says of bs: a conflict is left out where the control of
// its kind breaks now too. A production plan outside the maintenance windows, started
// outside them, said the rule twice ("maintenance ×2": none open now, and the plan's
// conflict), and a move into a window settles both. The record of a start still
// keeps each (breaksAt): only what is said is shorter.
func saidOnce(bs []Break) []Break {
	var out []Break
	for _, b := range bs {
		if b.Conflict == nil || !slices.ContainsFunc(bs, func(c Break) bool { return c.Conflict == nil && c.Rule == b.Rule }) {
			out = append(out, b)
		}
	}
	return out
}

// BreaksText says in one line what a start would break, e.g. "window: …; freeze: …".
func BreaksText(bs []Break) string {
	msgs := make([]string, len(bs))
	for i, b := range bs {
		msgs[i] = b.Rule + ": " + b.Message
	}
	return strings.Join(msgs, "; ")
}

// Words is what b says without its conflict's ID ("capacity: 2 deployments at once
// …"), for a person who does not act on conflicts by their IDs: a technician. The
// CLI's refusal (StartRefusedError) keeps the IDs a manager overrides by.
func (b Break) Words() string {
	if b.Conflict != nil {
		return b.Rule + ": " + b.Conflict.Message
	}
	return b.Rule + ": " + b.Message
}

// ShowsConflictIDs reports whether p is shown conflicts' IDs: those who override
// conflicts by them (managers). To others they are noise beside the words.
func ShowsConflictIDs(p models.Person) bool { return Can(p, ActOverride, nil) == nil }

// For is what b says to p: with its conflict's ID to one who overrides by it.
func (b Break) For(p models.Person) string {
	if ShowsConflictIDs(p) {
		return b.Rule + ": " + b.Message
	}
	return b.Words()
}

// BreaksFor is what a start would break, as p is told it (see Break.For).
func BreaksFor(p models.Person, bs []Break) string {
	if ShowsConflictIDs(p) {
		return BreaksText(bs)
	}
	return BreaksWords(bs)
}

// BreaksWords is BreaksText without the conflicts' IDs (see Break.Words).
func BreaksWords(bs []Break) string {
	msgs := make([]string, len(bs))
	for i, b := range bs {
		msgs[i] = b.Words()
	}
	return strings.Join(msgs, "; ")
}

// BreaksBrief names what a start would break by kind, with how many of each, in the
// order they come: "window, maintenance, capacity ×4, person".
func BreaksBrief(bs []Break) string {
	rules := make([]string, len(bs))
	for i, b := range bs {
		rules[i] = b.Rule
	}
	return Tally(rules)
}

// Tally names things in the order they first come, with how many of each when more
// than one: "promotion, capacity ×2".
func Tally(names []string) string {
	var once []string
	n := map[string]int{}
	for _, name := range names {
		if n[name] == 0 {
			once = append(once, name)
		}
		n[name]++
	}
	for i, name := range once {
		if n[name] > 1 {
			once[i] = fmt.Sprintf("%s ×%d", name, n[name])
		}
	}
	return strings.Join(once, ", ")
}

// inAny reports whether t lies inside one of the windows.
func inAny(ws []models.Window, t time.Time, loc *time.Location) bool {
	for _, w := range ws {
		if len(w.Occurrences(t, t.Add(time.Second), loc)) > 0 {
			return true
		}
	}
	return false
}

// waivedForEmergency reports whether an emergency deployment may start against b:
// it may start inside a freeze or outside the maintenance windows, not outside its
// own window or against other conflicts.
func waivedForEmergency(b Break) bool {
	return b.Rule == string(models.ConflictFreeze) || b.Rule == string(models.ConflictMaintenance)
}

// start moves a planned deployment into its first stage, if the controls allow it
// now, inside the caller's write transaction. override is a manager's reason to start
// anyway ("" for none). What it broke, and the conflicts it is in, stay with the
// deployment as findings.
func (e *Engine) start(ctx context.Context, q store.Q, actor models.Person, d *models.Deployment, override string) error {
	// A blocked version is no control one overrides: a manager unblocks it first.
	if err := e.notBlocked(ctx, q, *d); err != nil {
		return err
	}
	cs, bs, err := e.breaksNow(ctx, q, *d)
	if err != nil {
		return err
	}
	var waived, overridden, refused []Break
	for _, b := range bs {
		switch {
		case d.Urgency == models.UrgencyEmergency && waivedForEmergency(b):
			waived = append(waived, b)
		case strings.TrimSpace(override) != "":
			overridden = append(overridden, b)
		default:
			refused = append(refused, b)
		}
	}
	if len(refused) > 0 {
		return refusal(actor, d.ID, refused, Can(actor, ActOverride, d) == nil)
	}
	if len(overridden) > 0 {
		if err := Can(actor, ActOverride, d); err != nil {
			return models.Forbiddenf("%s (%s) may not start #%d against its controls: only managers override (%s)",
				actor.Name, actor.MainRole(), d.ID, breakRules(overridden))
		}
	}
	if err := e.recordStart(ctx, q, actor, d, cs, waived, overridden, strings.TrimSpace(override)); err != nil {
		return err
	}
	return e.moveTo(ctx, q, actor, d, models.StatusVerifyingComponents, "")
}

func refusal(actor models.Person, id int64, bs []Break, override bool) error {
	bs = saidOnce(bs)
	err := &StartRefusedError{ID: id, Breaks: bs, Override: override, Actor: actor}
	for _, b := range bs {
		if b.Conflict != nil {
			err.Conflicts = append(err.Conflicts, *b.Conflict)
		}
	}
	return err
}

// breakRules names the rules broken, e.g. "window, freeze".
func breakRules(bs []Break) string {
	var rules []string
	for _, b := range bs {
		if !slices.Contains(rules, b.Rule) {
			rules = append(rules, b.Rule)
		}
	}
	return strings.Join(rules, ", ")
}

// recordStart keeps with the deployment what its start broke and the conflicts it
// was in, as findings and events.
func (e *Engine) recordStart(ctx context.Context, q store.Q, actor models.Person, d *models.Deployment,
	cs []models.Conflict, waived, overridden []Break, reason string) error {
	fs := StartFindings(*d, cs, waived, overridden, reason, actor, e.Now())
	if err := q.AddFindings(ctx, fs); err != nil {
		return err
	}
	if len(overridden) > 0 {
		detail := OverrideText(breakRules(overridden), reason)
		if err := q.AddEvent(ctx, e.event(ctx, d.ID, actor, EventOverride, detail)); err != nil {
			return err
		}
	}
	if len(waived) > 0 {
		detail := fmt.Sprintf("emergency start against %s: %s", breakRules(waived), d.UrgencyReason)
		return q.AddEvent(ctx, e.event(ctx, d.ID, actor, EventEmergency, detail))
	}
	return nil
}

// StartFindings is what the record of d keeps of its start at at: a finding for
// each rule broken (an override with the manager's reason, or the emergency lane's
// waiver with d's urgency reason) and one for each conflict it was in.
func StartFindings(d models.Deployment, cs []models.Conflict, waived, overridden []Break, reason string,
	actor models.Person, at time.Time) []models.Finding {
	var fs []models.Finding
	for _, b := range overridden {
		fs = append(fs, finding(d.ID, models.FindingOverride, b, reason, actor, at))
	}
	for _, b := range waived {
		fs = append(fs, finding(d.ID, models.FindingEmergency, b, d.UrgencyReason, actor, at))
	}
	for i := range cs {
		b := Break{Rule: string(cs[i].Kind), Message: cs[i].Message, Conflict: &cs[i]}
		fs = append(fs, finding(d.ID, models.FindingAtStart, b, cs[i].Reason, actor, at))
	}
	return fs
}

// NoWindowOpen reports whether a start in env at t breaks its maintenance rule: env
// requires a maintenance window and none is open then.
func NoWindowOpen(env models.Environment, t time.Time, loc *time.Location) bool {
	return env.RequireMaintenanceWindow && !inAny(env.Maintenance, t, loc)
}

// NoWindowOpenText is why a start in env, which requires a maintenance window, breaks
// that rule now.
func NoWindowOpenText(env string) string {
	return env + " requires a maintenance window and none is open now"
}

// OverrideText is the "override" event of a start against rules ("window, freeze").
func OverrideText(rules, reason string) string { return "started against " + rules + ": " + reason }

func finding(id int64, kind string, b Break, reason string, actor models.Person, at time.Time) models.Finding {
	f := models.Finding{DeploymentID: id, Kind: kind, Rule: b.Rule, Message: b.Message, Reason: reason,
		Actor: actor.Name, At: at}
	if c := b.Conflict; c != nil {
		f.ConflictKey, f.ConflictID, f.DeploymentIDs = c.Key, c.ID, c.IDs
	}
	return f
}

// neverBegan is a clash with another deployment whose overlap would have begun only
// after now, when this one finished: finishing early settled it (a plan later in its
// window). A conflict of its own (a freeze, a maintenance window, a blocked version,
// a promotion) is about its own run, which did happen, whenever its window was.
func neverBegan(c models.Conflict, now time.Time) bool {
	return len(c.IDs) > 1 && !c.Start.Before(now)
}

// recordFinish keeps, when a started deployment finishes, the conflicts still open
// that nobody settled and that had begun (they become unresolved) and an overrun of
// its window, inside
// the caller's write transaction.
func (e *Engine) recordFinish(ctx context.Context, q store.Q, actor models.Person, d models.Deployment) error {
	cs, err := e.check(ctx, q, d)
	if err != nil {
		return err
	}
	// A conflict one of its deployments was let start against (a manager's override,
	// the emergency lane) was settled then, with a reason on the record: it is not
	// left unresolved, whichever of them finishes first.
	if err := noteStartsOf(ctx, q, cs); err != nil {
		return err
	}
	now := e.Now()
	var fs []models.Finding
	for i := range cs {
		if cs[i].Open() && cs[i].StartedOver == nil && !neverBegan(cs[i], now) {
			b := Break{Rule: string(cs[i].Kind), Message: cs[i].Message, Conflict: &cs[i]}
			fs = append(fs, finding(d.ID, models.FindingUnresolved, b, "", actor, now))
		}
	}
	if over := now.Sub(d.ScheduledEnd); over > 0 {
		fs = append(fs, finding(d.ID, models.FindingOverrun, Break{Rule: models.RuleWindow,
			Message: fmt.Sprintf("ran %s past its scheduled end %s", models.HumanDuration(over), e.Local(d.ScheduledEnd))},
			"", actor, now))
	}
	if err := q.AddFindings(ctx, fs); err != nil {
		return err
	}
	for _, f := range fs {
		if err := q.AddEvent(ctx, e.event(ctx, d.ID, actor, EventFinding, FindingText(f))); err != nil {
			return err
		}
	}
	return nil
}

// Start begins a planned deployment without running its steps: it moves into its
// first stage if the controls allow it now, or a manager starts it against them with
// override, a reason. Run does the same and then runs the steps.
func (e *Engine) Start(ctx context.Context, actor models.Person, id int64, override string) (Outcome, error) {
	return e.act(ctx, actor, id, ActRun, false, RunOptions{}, func(q store.Q, d *models.Deployment) (string, error) {
		if d.Status != models.StatusPlanned {
			return "", models.Conflictf("deployment #%d %s; only a planned deployment starts", d.ID, d.Status.Phrase())
		}
		return "started", e.start(ctx, q, actor, d, override)
	})
}

// notBlocked refuses to plan or start d when its version is blocked (a removal of
// it may go ahead: taking a bad version out is what a block is for).
func (e *Engine) notBlocked(ctx context.Context, q store.Q, d models.Deployment) error {
	if d.Action == models.ActionRemove {
		return nil
	}
	b, blocked, err := q.Blocked(ctx, d.Component, d.Version)
	if err != nil || !blocked {
		return err
	}
	what := "planned"
	if d.ID != 0 {
		what = fmt.Sprintf("started (#%d)", d.ID)
	}
	return models.Conflictf("%s %s is blocked by %s (%s): it may not be %s anywhere until a manager unblocks it "+
		"with 'ferry version unblock %s %s'", d.Component, d.Version, b.Actor, b.Reason, what, d.Component, d.Version)
}
