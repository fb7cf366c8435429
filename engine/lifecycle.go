package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ferry/engine/schedule"
	"ferry/models"
	"ferry/store"
)

// Reschedule moves a planned deployment to a new window (end zero: keep the
// duration); the outcome carries the conflicts it is in there.
func (e *Engine) Reschedule(ctx context.Context, actor models.Person, id int64, start, end time.Time) (Outcome, error) {
	return e.actChecked(ctx, actor, id, ActReschedule, func(q store.Q, d *models.Deployment) (string, error) {
		return e.reschedule(ctx, q, actor, d, start, end)
	})
}

// RescheduleSuggested moves a planned deployment to the conflict-free slot nearest
// its planned start (see schedule.Suggest).
func (e *Engine) RescheduleSuggested(ctx context.Context, actor models.Person, id int64) (Outcome, error) {
	return e.actChecked(ctx, actor, id, ActReschedule, func(q store.Q, d *models.Deployment) (string, error) {
		sug, err := e.suggest(ctx, q, *d)
		if err != nil {
			return "", err
		}
		if len(sug.Slots) == 0 {
			return "", models.Conflictf("%s", NoSlotText(id, sug))
		}
		if slot := sug.Slots[0]; sameWindow(*d, slot.Start, slot.End) { // its conflicts were settled meanwhile
			return "", models.Conflictf("#%d is in no conflict where it is (%s): it stays", id, e.window(slot.Start, slot.End))
		}
		return e.reschedule(ctx, q, actor, d, sug.Slots[0].Start, sug.Slots[0].End)
	})
}

// NoSlotText says that a suggestion found no conflict-free slot for #id, and, when
// every start it tried was in one kind of conflict, that one: no move settles it (a
// promotion not made yet, a blocked version), which the passed starts' first reasons
// did not always show.
func NoSlotText(id int64, sug schedule.Suggestion) string {
	return fmt.Sprintf("no conflict-free slot for #%d within %d days", id, HorizonDays) + NoSlotWhy(id, sug)
}

// NoSlotWhy is what NoSlotText adds to "no conflict-free slot" (the conflict no move
// settles, the deployment waiting for #id), each after "; "; "" when it knows nothing
// more. The freeze impact and its apply say it too: "no slot" alone left the manager
// to find the promotion not yet made.
func NoSlotWhy(id int64, sug schedule.Suggestion) string {
	why := ""
	for _, r := range NoSlotReasons(id, sug) {
		why += "; " + r
	}
	return why
}

// NoSlotReasons are NoSlotWhy's parts, each a sentence, for a page that lays them out
// a line each: the conflict no move settles, then the deployment waiting for #id.
func NoSlotReasons(id int64, sug schedule.Suggestion) []string {
	var out []string
	if c, ok := sug.Stuck(); ok {
		out = append(out, StuckText(sug, c))
	}
	if w := WaitingText(id, sug); w != "" {
		out = append(out, w)
	}
	return out
}

// WaitingText says, when the later starts a suggestion for #id passed over broke a
// deployment that waits for #id (--after: a release planned one after the other),
// that that one must move first: moving #id later alone never settles it. "" when
// none did.
func WaitingText(id int64, sug schedule.Suggestion) string {
	mine := fmt.Sprintf("#%d ", id) // a dependency message begins with the one that waits
	skipped := slices.Clone(sug.Skipped)
	if sug.Last != nil {
		skipped = append(skipped, *sug.Last)
	}
	for _, sk := range skipped {
		for _, c := range sk.Conflicts {
			if c.Kind != models.ConflictDependency || strings.HasPrefix(c.Message, mine) || !slices.Contains(c.IDs, id) {
				continue
			}
			other := c.IDs[0]
			if other == id {
				other = c.IDs[len(c.IDs)-1]
			}
			return fmt.Sprintf("#%d waits for it (--after): a later start breaks that, so move #%d later first", other, other)
		}
	}
	return ""
}

// StuckText says which conflict the starts a suggestion passed over were all in.
func StuckText(sug schedule.Suggestion, c models.Conflict) string {
	return fmt.Sprintf("each of the %d start%s tried is in a %s conflict, which no move found settles "+
		"(override it, or change the plan): %s", sug.Passed, models.Plural(sug.Passed), c.Kind.Words(), c.Message)
}

// actChecked is act, then a conflict check of the result in the same transaction.
func (e *Engine) actChecked(ctx context.Context, actor models.Person, id int64, a Action,
	fn func(q store.Q, d *models.Deployment) (string, error)) (Outcome, error) {
	var conflicts []models.Conflict
	out, err := e.act(ctx, actor, id, a, false, RunOptions{}, func(q store.Q, d *models.Deployment) (string, error) {
		did, err := fn(q, d)
		if err != nil {
			return "", err
		}
		after, err := q.Deployment(ctx, id)
		if err != nil {
			return "", err
		}
		if conflicts, err = e.check(ctx, q, after); err != nil {
			return did, err
		}
		// Who went ahead against them, as the deployment's page says it.
		if err := noteStartsOf(ctx, q, conflicts); err != nil {
			return did, err
		}
		return did, e.noticeConflicts(ctx, q, actor, after, conflicts)
	})
	out.Conflicts = conflicts
	return out, err
}

func (e *Engine) reschedule(ctx context.Context, q store.Q, actor models.Person, d *models.Deployment, start, end time.Time) (string, error) {
	start, end, err := e.newWindow(*d, start, end)
	if err != nil {
		return "", err
	}
	if sameWindow(*d, start, end) { // the record gained "rescheduled 12:00–12:45 → 12:00–12:45"
		return "", models.Invalidf("deployment #%d is planned for %s already: nothing changed", d.ID,
			e.window(start, end))
	}
	if err := q.SetSchedule(ctx, d.ID, start, end, e.Now()); err != nil {
		return "", err
	}
	did := fmt.Sprintf("%s → %s", e.window(d.ScheduledStart, d.ScheduledEnd), e.window(start, end))
	after := *d
	after.ScheduledStart, after.ScheduledEnd = start, end
	if err := e.noticeRescheduled(ctx, q, actor, *d, after); err != nil {
		return "", err
	}
	return "rescheduled " + did, q.AddEvent(ctx, e.event(ctx, d.ID, actor, EventRescheduled, did))
}

// sameWindow reports whether start–end is d's window, to the second a window is kept to.
func sameWindow(d models.Deployment, start, end time.Time) bool {
	return start.UTC().Truncate(time.Second).Equal(d.ScheduledStart) && end.UTC().Truncate(time.Second).Equal(d.ScheduledEnd)
}

// newWindow checks a new window for d, as a reschedule takes it (a zero end keeps
// the length): only a planned deployment moves, and only into time still to come.
func (e *Engine) newWindow(d models.Deployment, start, end time.Time) (time.Time, time.Time, error) {
	if d.Status != models.StatusPlanned {
		return start, end, models.Conflictf("deployment #%d %s; only planned deployments can be rescheduled", d.ID, d.Status.Phrase())
	}
	if end.IsZero() {
		end = start.Add(d.ScheduledEnd.Sub(d.ScheduledStart))
	}
	if !end.After(start) {
		return start, end, models.Invalidf("end %s is not after start %s", e.Local(end), e.Local(start))
	}
	// Only a new length is held to the bounds: a window kept as it was planned (one
	// from before them) still moves.
	if length := end.Sub(start); length != d.ScheduledEnd.Sub(d.ScheduledStart) {
		if err := models.CheckWindowLength(length); err != nil {
			return start, end, err
		}
	}
	// A start is held to the years where it is typed; an end reached by a length is
	// held to them here, as a plan's is (Deployment.Validate).
	if y := end.UTC().Year(); y > models.MaxYear {
		return start, end, models.Invalidf("the window would end %s, outside the years %d–%d Ferry keeps",
			e.Local(end), models.MinYear, models.MaxYear)
	}
	start, end = start.UTC().Truncate(time.Second), end.UTC().Truncate(time.Second)
	return start, end, e.ahead(start, end, d.ScheduledStart)
}

// Assign gives a deployment that has not finished to another person, or to nobody
// (""), as an edit's assignee does; the outcome carries the conflicts it is in
// afterwards.
func (e *Engine) Assign(ctx context.Context, actor models.Person, id int64, person string) (Outcome, error) {
	if person != "" {
		if err := e.checkAssignee("", person); err != nil {
			return Outcome{}, err
		}
	}
	return e.actChecked(ctx, actor, id, ActAssign, func(q store.Q, d *models.Deployment) (string, error) {
		if d.Status.Final() {
			return "", models.Conflictf("deployment #%d %s; it can no longer be reassigned", id, d.Status.Phrase())
		}
		if d.Assignee == person {
			return "", models.Invalidf("deployment #%d is already assigned to %s", id, cmp.Or(person, "nobody"))
		}
		return e.reassign(ctx, q, actor, d, person)
	})
}

// Cancel ends a deployment that has not finished; a reason is required for the record.
func (e *Engine) Cancel(ctx context.Context, actor models.Person, id int64, reason string) (Outcome, error) {
	if err := Written(reason, NeedCancelReason); err != nil {
		return Outcome{}, err
	}
	return e.Move(ctx, actor, id, models.StatusCancelled, reason)
}

// Advance moves a running or planned deployment to its next lifecycle stage, once every
// required step of the current stage is done.
func (e *Engine) Advance(ctx context.Context, actor models.Person, id int64, note string) (Outcome, error) {
	d, err := e.st.Read().Deployment(ctx, id)
	if err != nil {
		return Outcome{Deployment: d}, err
	}
	next := d.Status.Next()
	if next == "" {
		return Outcome{Deployment: d}, models.Conflictf("deployment #%d %s; there is no next stage", id, d.Status.Phrase())
	}
	return e.Move(ctx, actor, id, next, note)
}

// Move takes a deployment from its status to another, if the lifecycle allows it,
// and records the move.
func (e *Engine) Move(ctx context.Context, actor models.Person, id int64, to models.Status, note string) (Outcome, error) {
	if err := models.CheckText("note", note); err != nil { // a paste gone wrong, not an account
		return Outcome{}, err
	}
	a := ActRun
	if to == models.StatusCancelled {
		a = ActCancel
	}
	out, err := e.act(ctx, actor, id, a, false, RunOptions{}, func(q store.Q, d *models.Deployment) (string, error) {
		did := "moved to " + strings.ReplaceAll(string(to), "_", " ")
		if to == models.StatusCancelled {
			did = "cancelled: " + strings.TrimSpace(note)
		}
		return did, e.move(ctx, q, actor, d, to, note)
	})
	if err == nil && to == models.StatusCancelled {
		e.stopRunsHere(id, errCancelled) // a run in this process stops at once
	}
	return out, err
}

// move does Move's work inside the caller's write transaction; d is the deployment as
// loaded in it. A start is held to the controls (see start); a started deployment
// that finishes keeps what it left unresolved.
func (e *Engine) move(ctx context.Context, q store.Q, actor models.Person, d *models.Deployment, to models.Status, note string) error {
	switch {
	case d.Status == models.StatusPlanned && to == d.Status.Next():
		return e.start(ctx, q, actor, d, "")
	case d.Status.Running() && to.Final() && d.Status.CanMove(to):
		if err := e.recordFinish(ctx, q, actor, *d); err != nil {
			return err
		}
	}
	return e.moveTo(ctx, q, actor, d, to, note)
}

// moveTo changes d's status, if the lifecycle allows it, and records the move.
func (e *Engine) moveTo(ctx context.Context, q store.Q, actor models.Person, d *models.Deployment, to models.Status, note string) error {
	id := d.ID
	from := d.Status
	if !from.CanMove(to) {
		return models.Conflictf("deployment #%d %s; it cannot move to %s%s", id, from.Phrase(), to.Words(), allowedHint(from))
	}
	if stage := from.Stage(); stage != "" && to == from.Next() {
		if err := requireStageDone(ctx, q, *d, stage); err != nil {
			return err
		}
	}
	now := e.Now()
	started, finished := d.StartedAt, d.FinishedAt
	if from == models.StatusPlanned && to.Running() {
		started = now
	}
	if to.Final() {
		finished = now
	}
	if err := q.SetStatus(ctx, id, to, started, finished, now); err != nil {
		return err
	}
	typ := EventStatus
	if to == models.StatusCancelled {
		typ = EventCancelled
	}
	if err := q.AddEvent(ctx, e.event(ctx, id, actor, typ, StatusText(from, to, note))); err != nil {
		return err
	}
	moved := *d
	moved.Status, moved.StartedAt, moved.FinishedAt, moved.UpdatedAt = to, started, finished, now
	if err := e.noticeStatus(ctx, q, actor, moved, from, note); err != nil {
		return err
	}
	return e.noticeWaiting(ctx, q, actor, moved) // a stage that opens with a gate
}

// allowedHint lists where a deployment may go from s, for refusals.
func allowedHint(s models.Status) string {
	if s.Final() {
		return " (it has finished)"
	}
	var to []string
	for _, t := range models.Statuses {
		if s.CanMove(t) {
			to = append(to, t.Words())
		}
	}
	return " (from " + s.Words() + " it can move to " + orList(to) + ")"
}

// requireStageDone refuses to leave a stage while a required step in it is not done.
func requireStageDone(ctx context.Context, q store.Q, d models.Deployment, stage models.Stage) error {
	runs, err := q.StepRuns(ctx, d)
	if err != nil {
		return err
	}
	var open []string
	for _, r := range runs {
		if r.Step.Stage == stage && r.Step.Required && r.Status != models.StepDone && r.Status != models.StepSkipped {
			open = append(open, fmt.Sprintf("%d %q (%s)", r.Seq, r.Step.Name, r.Status))
		}
	}
	if len(open) > 0 {
		return models.Conflictf("deployment #%d: %s is not complete; still open: %s",
			d.ID, stage.Title(), strings.Join(open, ", "))
	}
	return nil
}

// TickStep marks a checklist item of the current stage done (or an optional one of a
// later stage, ahead of it: see optionalAhead), with an optional note.
// When that leaves nothing for a person to do, the run carries on (see act); opts
// let the caller watch it.
func (e *Engine) TickStep(ctx context.Context, actor models.Person, id int64, seq int, note string, opts ...RunOptions) (Outcome, error) {
	if err := models.CheckText("note", note); err != nil { // a paste gone wrong, not an account
		return Outcome{}, err
	}
	o := firstOpts(opts)
	return e.act(ctx, actor, id, ActTick, true, o, func(q store.Q, d *models.Deployment) (string, error) {
		r, err := stepRun(ctx, q, *d, seq)
		if err != nil {
			return "", err
		}
		if err := e.WhyNoTick(*d, r); err != nil {
			return "", err
		}
		if !o.SkipOptional {
			if err := e.leavesNoOptional(ctx, q, *d, seq); err != nil {
				return "", err
			}
		}
		ahead := optionalAhead(*d, r) // said on the record: it was attested before its stage came
		r.Status, r.Actor, r.At, r.Note = models.StepDone, actor.Name, e.Now(), joinNote(r.Note, note)
		if err := q.SetStepRun(ctx, r, e.Now()); err != nil {
			return "", err
		}
		did := TickedText(seq, r.Step.Name, strings.TrimSpace(note))
		if ahead {
			did = TickedAheadText(seq, r.Step.Name, r.Step.Stage, strings.TrimSpace(note))
		}
		return did, q.AddEvent(ctx, e.event(ctx, id, actor, EventStep, did))
	})
}

// leavesNoOptional refuses a tick or an approval of step seq of d that would move
// the run on past optional items nobody ticked (they would be skipped, not done),
// naming them; a later stage's may be ticked first (optionalAhead), and it says so.
func (e *Engine) leavesNoOptional(ctx context.Context, q store.Q, d models.Deployment, seq int) error {
	// Only optional items are ever skipped: a checklist with none (every item is
	// required unless the model says otherwise) needs no reading of its runs, which
	// for 301 items was a sixth of a tick's time inside the write transaction.
	m, err := q.DeploymentModel(ctx, d.ID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(m.Steps, func(s models.Step) bool { return !s.Required && s.AppliesTo(d.Environment) }) {
		return nil
	}
	st, err := e.runStateOf(ctx, q, d, m)
	if err != nil {
		return err
	}
	left := SkippedByTick(st, seq)
	if len(left) == 0 {
		return nil
	}
	what := "optional " + ItemsText(left) + ", which nobody ticked, would be"
	them, ticks := "them", make([]string, len(left))
	if len(left) == 1 {
		them = "it"
	}
	for i, l := range left {
		ticks[i] = fmt.Sprintf("'ferry step tick %d %d'", d.ID, l.Seq)
	}
	return models.Conflictf("step %d moves #%d on: %s skipped, not done; tick %s first (%s: a later stage's may be "+
		"ticked ahead, as the run does not stop for it), or say to leave %s (--skip-optional)",
		seq, d.ID, what, them, strings.Join(ticks, ", "), them)
}

// ItemsText names checklist items for a person, with the stage of each: `item 2
// "Links up to date" (Execute)`, `items 2 "…" (Execute), 3 "Tell support" (Execute)`.
func ItemsText(steps []StepState) string {
	names := make([]string, len(steps))
	for i, s := range steps {
		names[i] = fmt.Sprintf("%d %q (%s)", s.Seq, s.Step.Name, s.Step.Stage.Title())
	}
	if len(names) == 1 {
		return "item " + names[0]
	}
	return "items " + strings.Join(names, ", ")
}

func stepRun(ctx context.Context, q store.Q, d models.Deployment, seq int) (models.StepRun, error) {
	r, err := q.StepRun(ctx, d, seq)
	if errors.Is(err, models.ErrNotFound) {
		return r, models.NotFoundf("deployment #%d has no step %d (it has %d)", d.ID, seq, d.StepsTotal)
	}
	return r, err
}
