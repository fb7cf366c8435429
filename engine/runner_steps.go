package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"ferry/models"
	"ferry/store"
)

// ---- gates ----------------------------------------------------------------------

// gateRoles are the roles that may approve a gate: its own, or manager.
func gateRoles(s models.Step) []models.Role {
	if len(s.Roles) == 0 {
		return []models.Role{models.RoleManager}
	}
	return s.Roles
}

// GateRolesText says who may approve gate s, e.g. "manager or practitioner".
func GateRolesText(s models.Step) string { return joinRoles(gateRoles(s)) }

func joinRoles(rs []models.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return orList(s)
}

// orList is "a", "a or b", "a, b or c".
func orList(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// mayApprove decides whether p may approve gate s of deployment d: only the roles the
// gate names (default manager), technicians only on their own deployments, and never
// the requester or the planner of the deployment unless the model allows
// self-approval. The planner counts as well: naming someone else as requester must not
// let a person approve the work they put forward.
func mayApprove(p models.Person, d models.Deployment, m models.Model, s models.Step) error {
	if err := Can(p, ActApprove, &d); err != nil {
		return err
	}
	roles := gateRoles(s)
	if !slices.ContainsFunc(roles, p.Has) {
		return models.Forbiddenf("%s (%s) may not approve gate %q of deployment #%d: only a %s may",
			p.Name, p.MainRole(), s.Name, d.ID, joinRoles(roles))
	}
	if m.SelfApproval {
		return nil
	}
	switch p.Name {
	case d.Requester:
		return models.Forbiddenf("%s requested deployment #%d and may not approve its gate %q: model %s does not allow self-approval",
			p.Name, d.ID, s.Name, m.Name)
	case d.PlannedBy:
		return models.Forbiddenf("%s planned deployment #%d (requested by %s) and may not approve its gate %q: model %s does not allow self-approval",
			p.Name, d.ID, d.Requester, s.Name, m.Name)
	}
	return nil
}

// approvers lists the people who may approve gate s of d.
func (e *Engine) approvers(d models.Deployment, m models.Model, s models.Step) []string {
	var out []string
	for _, p := range e.cfg.People {
		if mayApprove(p, d, m, s) == nil {
			out = append(out, p.Name)
		}
	}
	return out
}

// waitingGate finds the gate of the current stage that waits for an approval; it
// refuses when there is none, or when steps before it are still open.
func waitingGate(ctx context.Context, q store.Q, d models.Deployment) (models.StepRun, error) {
	stage := d.Status.Stage()
	if stage == "" {
		return models.StepRun{}, models.Conflictf("deployment #%d %s; no gate waits for an approval", d.ID, d.Status.Phrase())
	}
	runs, err := q.StepRuns(ctx, d)
	if err != nil {
		return models.StepRun{}, err
	}
	var open []string
	for _, sr := range runs {
		if sr.Step.Stage != stage {
			continue
		}
		if sr.Step.Kind == models.StepGate && sr.Status != models.StepDone {
			if len(open) > 0 {
				return sr, models.Conflictf("gate %d %q of deployment #%d comes after steps still open: %s; approve it when they are done",
					sr.Seq, sr.Step.Name, d.ID, strings.Join(open, ", "))
			}
			return sr, nil
		}
		if sr.Step.Required && sr.Status != models.StepDone && sr.Status != models.StepSkipped {
			open = append(open, fmt.Sprintf("%d %q (%s)", sr.Seq, sr.Step.Name, sr.Status))
		}
	}
	return models.StepRun{}, models.Conflictf("no gate of %s waits for an approval in deployment #%d", stage.Title(), d.ID)
}

// ApproveGate approves the gate the deployment's current stage waits at, with an
// optional note; see mayApprove for who may. The run then carries on (see act).
func (e *Engine) ApproveGate(ctx context.Context, actor models.Person, id int64, note string, opts ...RunOptions) (Outcome, error) {
	if err := models.CheckText("note", note); err != nil { // a paste gone wrong, not an account
		return Outcome{}, err
	}
	o := firstOpts(opts)
	return e.act(ctx, actor, id, ActApprove, true, o, func(q store.Q, d *models.Deployment) (string, error) {
		gate, err := waitingGate(ctx, q, *d)
		if err != nil {
			return "", err
		}
		m, err := q.DeploymentModel(ctx, id)
		if err != nil {
			return "", err
		}
		if err := mayApprove(actor, *d, m, gate.Step); err != nil {
			return "", err
		}
		if !o.SkipOptional { // an approval moves the run on as a tick does
			if err := e.leavesNoOptional(ctx, q, *d, gate.Seq); err != nil {
				return "", err
			}
		}
		gate.Status, gate.Actor, gate.At, gate.Note = models.StepDone, actor.Name, e.Now(), joinNote(gate.Note, note)
		if err := q.SetStepRun(ctx, gate, e.Now()); err != nil {
			return "", err
		}
		did := ApprovedText(gate.Seq, gate.Step.Name, strings.TrimSpace(note))
		return did, q.AddEvent(ctx, e.event(ctx, id, actor, EventStep, did))
	})
}

// MayApprove reports whether actor may approve the gate deployment id waits at now
// (nil), or why not: the console offers approving only when it may.
func (e *Engine) MayApprove(ctx context.Context, actor models.Person, id int64) error {
	return e.readable(ctx, actor, id, func(q store.Q, d models.Deployment) error {
		return e.mayApproveNow(ctx, q, actor, d)
	})
}

// gateRules says, through q, whether actor may approve (the first) and reject (the
// second) the gate d waits at: one look at the gate serves both.
func (e *Engine) gateRules(ctx context.Context, q store.Q, actor models.Person, d models.Deployment) (approve, reject error) {
	gate, err := waitingGate(ctx, q, d)
	if err != nil {
		return err, err
	}
	m, err := q.DeploymentModel(ctx, d.ID)
	if err != nil {
		return err, err
	}
	return mayApprove(actor, d, m, gate.Step), mayReject(actor, d, gate.Step)
}

// mayApproveNow is MayApprove through q.
func (e *Engine) mayApproveNow(ctx context.Context, q store.Q, actor models.Person, d models.Deployment) error {
	approve, _ := e.gateRules(ctx, q, actor, d)
	return approve
}

// ---- checklist items ------------------------------------------------------------

// itemNow refuses r unless it is a checklist item of the stage d is in.
func itemNow(d models.Deployment, r models.StepRun, what string) error {
	if r.Step.Kind != models.StepManual {
		return models.Invalidf("step %d %q is %s, not a checklist item: only checklist items can be %s",
			r.Seq, r.Step.Name, kindWord(r.Step.Kind), what)
	}
	if d.Status.Final() { // where it stopped is the record now
		return models.Conflictf("deployment #%d %s: its items stay as they were left (a note may still be added)",
			d.ID, d.Status.Phrase())
	}
	if d.Status.Stage() != r.Step.Stage {
		return models.Conflictf("step %d %q belongs to %s; deployment #%d %s",
			r.Seq, r.Step.Name, r.Step.Stage.Title(), d.ID, d.Status.Phrase())
	}
	return nil
}

// optionalAhead is an optional item of a stage the run has not reached yet: it may
// be ticked ahead of its stage. The run does not stop for an optional item, so a
// stage of optional items alone was passed before anyone could tick them, and they
// could only ever be skipped ("Links and screenshots up to date", never done).
func optionalAhead(d models.Deployment, r models.StepRun) bool {
	return !r.Step.Required && r.Status == models.StepPending && inLaterStage(d, r.Step)
}

// inLaterStage: step's stage comes after the one d is in (none when d is in no stage).
func inLaterStage(d models.Deployment, step models.Step) bool {
	now := slices.Index(models.Stages, d.Status.Stage())
	return now >= 0 && slices.Index(models.Stages, step.Stage) > now
}

// Ahead are the optional checklist items of the stages after the one under way, in
// order: those that may be ticked ahead of their stage (see optionalAhead), and those
// ticked so, which stay in sight with who ticked them (a tick ahead took its item out
// of sight at once, and a note could not be added). A checklist lists them after the
// stage under way.
func (st RunState) Ahead() []StepState {
	var out []StepState
	for _, s := range st.Steps {
		if s.Step.Kind == models.StepManual && !s.Step.Required && (s.Status == models.StepPending || s.Status == models.StepDone) &&
			inLaterStage(st.Deployment, s.Step) {
			out = append(out, s)
		}
	}
	return out
}

// WhyNoTick is why step r of d cannot be ticked now, nil if it can: the rule TickStep
// holds, for a console to offer the key or say why not before anything is asked.
func (e *Engine) WhyNoTick(d models.Deployment, r models.StepRun) error {
	// Ticked already says by whom and when, first: a second tick of the item that
	// closed a stage (two sessions at once) was told the item belonged to a stage
	// left behind, which hid that someone had done it.
	if err := e.tickedAlready(r, ""); err != nil {
		return err
	}
	if err := itemNow(d, r, "ticked"); err != nil && !(r.Step.Kind == models.StepManual && optionalAhead(d, r)) {
		return err
	}
	switch r.Status {
	case models.StepBlocked:
		return models.Conflictf("step %d %q is blocked (%s): unblock it first", r.Seq, r.Step.Name, r.BlockReason)
	case models.StepSkipped:
		return models.Conflictf("step %d %q was skipped", r.Seq, r.Step.Name)
	}
	return nil
}

// tickedAlready refuses a checklist item that someone ticked, saying who and when,
// then what follows ("" for nothing).
func (e *Engine) tickedAlready(r models.StepRun, then string) error {
	if r.Step.Kind != models.StepManual || r.Status != models.StepDone {
		return nil
	}
	who := ""
	if r.Actor != "" {
		who = " by " + r.Actor
	}
	return models.Conflictf("step %d %q was already ticked%s at %s%s", r.Seq, r.Step.Name, who, e.Local(r.At), then)
}

// WhyNoBlock is why step r of d cannot be blocked now, nil if it can (BlockStep's rule).
func (e *Engine) WhyNoBlock(d models.Deployment, r models.StepRun) error {
	if err := e.tickedAlready(r, ": a ticked item is not blocked (a note says what is wrong)"); err != nil {
		return err
	}
	if err := itemNow(d, r, "blocked"); err != nil {
		return err
	}
	return blockable(r, e)
}

// WhyNoUnblock is why step r of d cannot be unblocked now, nil if it can.
func (e *Engine) WhyNoUnblock(d models.Deployment, r models.StepRun) error {
	if err := itemNow(d, r, "unblocked"); err != nil {
		return err
	}
	if r.Status != models.StepBlocked {
		return models.Conflictf("step %d %q is %s, not blocked", r.Seq, r.Step.Name, r.Status)
	}
	return nil
}

// BlockStep marks a checklist item of the current stage blocked, with the reason: the
// run stops there until someone unblocks it.
func (e *Engine) BlockStep(ctx context.Context, actor models.Person, id int64, seq int, reason string) (Outcome, error) {
	if err := models.CheckText("reason", reason); err != nil { // a paste gone wrong, not an account
		return Outcome{}, err
	}
	reason = strings.TrimSpace(reason)
	if err := Written(reason, NeedBlockReason); err != nil {
		return Outcome{}, err
	}
	return e.act(ctx, actor, id, ActTick, false, RunOptions{}, func(q store.Q, d *models.Deployment) (string, error) {
		r, err := stepRun(ctx, q, *d, seq)
		if err != nil {
			return "", err
		}
		if err := e.WhyNoBlock(*d, r); err != nil {
			return "", err
		}
		// The reason apart: what was noted on the item stays with it.
		r.Status, r.Actor, r.At, r.BlockReason = models.StepBlocked, actor.Name, e.Now(), reason
		if err := q.SetStepRun(ctx, r, e.Now()); err != nil {
			return "", err
		}
		did := BlockedText(seq, r.Step.Name, reason)
		if err := e.noticeBlocked(ctx, q, actor, *d, r); err != nil {
			return "", err
		}
		return did, q.AddEvent(ctx, e.event(ctx, id, actor, EventStep, did))
	})
}

// blockable refuses to block an item that is blocked already (a ticked one is
// refused before: tickedAlready).
func blockable(r models.StepRun, e *Engine) error {
	switch r.Status {
	case models.StepBlocked:
		return models.Conflictf("step %d %q is already blocked (%s, %s): %s", r.Seq, r.Step.Name, r.Actor, e.Local(r.At), r.BlockReason)
	}
	return nil
}

// UnblockStep sets a blocked checklist item back to open, with an optional note.
func (e *Engine) UnblockStep(ctx context.Context, actor models.Person, id int64, seq int, note string) (Outcome, error) {
	if err := models.CheckText("note", note); err != nil { // a paste gone wrong, not an account
		return Outcome{}, err
	}
	return e.act(ctx, actor, id, ActTick, false, RunOptions{}, func(q store.Q, d *models.Deployment) (string, error) {
		r, err := stepRun(ctx, q, *d, seq)
		if err != nil {
			return "", err
		}
		if err := e.WhyNoUnblock(*d, r); err != nil {
			return "", err
		}
		// What cleared it is noted on the item, beside what was noted before.
		r.Status, r.Actor, r.At, r.BlockReason, r.Note = models.StepPending, actor.Name, e.Now(), "", joinNote(r.Note, note)
		if err := q.SetStepRun(ctx, r, e.Now()); err != nil {
			return "", err
		}
		did := UnblockedText(seq, r.Step.Name, note)
		return did, q.AddEvent(ctx, e.event(ctx, id, actor, EventStep, did))
	})
}

// maxNote bounds a step's note; the record keeps every note whole.
const maxNote = 2000

// joinNote adds a note to what a step's note holds already, so that a note written
// earlier stays when the step is ticked or approved with another.
func joinNote(was, note string) string {
	note = strings.TrimSpace(note)
	switch {
	case note == "":
		return was
	case was == "":
		was = note
	default:
		was += " · " + note
	}
	if len(was) > maxNote {
		was = "…" + was[len(was)-maxNote:]
	}
	return was
}

// WhyNoNote is why actor may not add a note to a step of d, nil if they may: whoever
// works on the deployment may, on any of its steps and whatever its status. A
// finished or cancelled deployment's items stay as they were left, but what is
// noted on them is still worth keeping (what a technician left on site when the
// work was called off); the record says who wrote it and when. NoteStep holds to
// it, and the console asks it before it offers its note key.
func WhyNoNote(actor models.Person, d models.Deployment) error { return Can(actor, ActTick, &d) }

// NoteStep adds a note to any step of a deployment (see WhyNoNote): it is appended
// to the step's note and recorded.
func (e *Engine) NoteStep(ctx context.Context, actor models.Person, id int64, seq int, note string) (Outcome, error) {
	if err := models.CheckText("note", note); err != nil { // a paste gone wrong, not an account
		return Outcome{}, err
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return Outcome{}, models.Invalidf("the note is empty")
	}
	return e.act(ctx, actor, id, ActTick, false, RunOptions{}, func(q store.Q, d *models.Deployment) (string, error) {
		if err := WhyNoNote(actor, *d); err != nil {
			return "", err
		}
		r, err := stepRun(ctx, q, *d, seq)
		if err != nil {
			return "", err
		}
		r.Note = joinNote(r.Note, note)
		// The note changes; who set the status and when stay.
		if err := q.SetStepRun(ctx, r, e.Now()); err != nil {
			return "", err
		}
		return fmt.Sprintf("noted on %d %q", seq, r.Step.Name),
			q.AddEvent(ctx, e.event(ctx, id, actor, EventNote, NoteText(seq, r.Step.Name, note)))
	})
}

// ---- due deployments ------------------------------------------------------------

// DueRun is what RunDue did with one due deployment.
type DueRun struct {
	Deployment models.Deployment
	Result     Outcome
	Err        error  // it could not start, or its run stopped
	Skipped    string // why it was not started
}

// dueParallel bounds how many due deployments run at once.
const dueParallel = 4

// RunDue starts the planned deployments whose window has begun (and not ended) and
// whose model is fully automated in their environment, a few at a time, and runs
// each as far as it goes. Deployments in open conflicts are refused by Run; one
// that another runner holds is skipped.
func (e *Engine) RunDue(ctx context.Context, actor models.Person, opts RunOptions) ([]DueRun, error) {
	if err := CanRunDue(actor); err != nil {
		// Refused whatever is due: "nothing is due" would read as a run that worked.
		return nil, err
	}
	q := e.st.Read()
	due, err := q.Due(ctx, e.Now(), 200)
	if err != nil {
		return nil, err
	}
	out := make([]DueRun, len(due))
	var todo []int
	for i, d := range due {
		out[i].Deployment = d
		m, err := q.DeploymentModel(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		switch {
		case !m.Automated(d.Environment):
			out[i].Skipped = fmt.Sprintf("model %s has checklist items or gates in %s; a person runs it", m.Name, d.Environment)
		case Can(actor, ActRun, &d) != nil:
			out[i].Skipped = Can(actor, ActRun, &d).Error()
		default:
			todo = append(todo, i)
		}
	}
	sem := make(chan struct{}, dueParallel)
	var wg sync.WaitGroup
	for _, i := range todo {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			res, err := e.Run(ctx, actor, out[i].Deployment.ID, opts)
			var busy *BusyError
			switch {
			case errors.As(err, &busy):
				out[i].Skipped = busy.Error()
			case err != nil:
				out[i].Err = err
			default:
				out[i].Result = res
				out[i].Deployment = res.Deployment
			}
		}(i)
	}
	wg.Wait()
	return out, nil
}

// ---- what the console shows -----------------------------------------------------

// RunState is a deployment as a run view shows it: its steps with their attempts,
// the on-failure steps, progress per stage, who runs it, and what it waits for.
type RunState struct {
	Deployment models.Deployment
	Steps      []StepState // seq = index + 1
	OnFailure  []StepState // the on-failure steps that apply here, numbered after Steps
	Stages     []StageProgress
	Runner     *models.Lease // the runner working on it now, nil when none
	Waiting    *Waiting      // what a person must do next, when no runner works on it
}

// StepState is one step with every attempt made at it (automated steps only).
type StepState struct {
	models.StepRun
	Attempts []models.Attempt // oldest first
}

// OutputNotKept reports whether an automated step of the run has a result (an exit
// code, done or failed) but no attempt kept, so no output either: a record brought
// in with its results only, such as the demo's history. Its steps ran; what they
// printed is not here.
func (r RunState) OutputNotKept() bool {
	for _, steps := range [][]StepState{r.Steps, r.OnFailure} {
		for _, s := range steps {
			ran := s.ExitCode != nil || s.Status == models.StepDone || s.Status == models.StepFailed
			if s.Step.Kind == models.StepAutomated && ran && len(s.Attempts) == 0 {
				return true
			}
		}
	}
	return false
}

// Last is the newest attempt, if any.
func (s StepState) Last() (models.Attempt, bool) {
	if len(s.Attempts) == 0 {
		return models.Attempt{}, false
	}
	return s.Attempts[len(s.Attempts)-1], true
}

// StageProgress counts the done (or skipped) steps of one stage.
type StageProgress struct {
	Stage       models.Stage
	Done, Total int
	Skipped     int  // of Done, the optional ones left undone when the stage was left
	Failed      int  // steps that failed (a gate rejected too): the stage the run ended in
	Current     bool // the deployment is in this stage
}

// Text is the progress as every view writes it: "5/5", or "5/5 incl. 1 skipped" when
// optional items were left undone. They count as passed, as the dashboard's and My
// work's bars count them (nothing waits for them); "5/5 · 1 skipped" read as five
// done, and "4/5 · 1 skipped" here beside "5/5" there read as two different runs.
func (p StageProgress) Text() string {
	s := fmt.Sprintf("%d/%d", p.Done, p.Total)
	if p.Skipped > 0 {
		s += fmt.Sprintf(" incl. %d skipped", p.Skipped)
	}
	return s
}

// CountSteps is the progress of runs together, for a whole deployment or one stage.
func CountSteps(runs []models.StepRun) StageProgress {
	var p StageProgress
	for _, r := range runs {
		p.Total++
		switch r.Status {
		case models.StepDone:
			p.Done++
		case models.StepSkipped:
			p.Done++
			p.Skipped++
		case models.StepFailed:
			p.Failed++
		}
	}
	return p
}

// onFailureStates are the on-failure steps of d's model that apply in its
// environment, numbered after its nRuns steps, each as its last attempt left it:
// they have no step runs of their own.
func onFailureStates(m models.Model, d models.Deployment, nRuns int, bySeq map[int][]models.Attempt) []StepState {
	var out []StepState
	for i, st := range m.OnFailureFor(d.Environment) {
		seq := nRuns + i + 1
		ss := StepState{StepRun: models.StepRun{DeploymentID: d.ID, Seq: seq, Step: st, Status: models.StepPending},
			Attempts: bySeq[seq]}
		if a, ok := ss.Last(); ok { // ran by Ferry, as the automated steps of the stages say
			ss.Status, ss.At, ss.ExitCode, ss.Note, ss.Actor = a.Status, a.FinishedAt, a.ExitCode, a.Detail, SystemActor
			if a.FinishedAt.IsZero() {
				ss.At = a.StartedAt
			}
		}
		out = append(out, ss)
	}
	return out
}

// RunState loads what a run view of deployment id shows, in one snapshot.
func (e *Engine) RunState(ctx context.Context, actor models.Person, id int64) (RunState, error) {
	var s RunState
	err := e.readable(ctx, actor, id, func(q store.Q, d models.Deployment) error {
		var err error
		s, err = e.runState(ctx, q, d)
		return err
	})
	return s, err
}

// runState reads d's run state through q.
func (e *Engine) runState(ctx context.Context, q store.Q, d models.Deployment) (RunState, error) {
	m, err := q.DeploymentModel(ctx, d.ID)
	if err != nil {
		return RunState{}, err
	}
	return e.runStateOf(ctx, q, d, m)
}

// runStateOf is runState for a caller that has read d's model, m, already.
func (e *Engine) runStateOf(ctx context.Context, q store.Q, d models.Deployment, m models.Model) (RunState, error) {
	id := d.ID
	runs, err := q.StepRunsOf(ctx, d, m)
	if err != nil {
		return RunState{}, err
	}
	atts, err := q.Attempts(ctx, id)
	if err != nil {
		return RunState{}, err
	}
	bySeq := map[int][]models.Attempt{}
	for _, a := range atts {
		bySeq[a.Seq] = append(bySeq[a.Seq], a)
	}
	s := RunState{Deployment: d, OnFailure: onFailureStates(m, d, len(runs), bySeq), Steps: make([]StepState, 0, len(runs))}
	for _, r := range runs {
		s.Steps = append(s.Steps, StepState{StepRun: r, Attempts: bySeq[r.Seq]})
	}
	for _, st := range models.Stages {
		var in []models.StepRun
		for _, r := range runs {
			if r.Step.Stage == st {
				in = append(in, r)
			}
		}
		p := CountSteps(in)
		p.Stage, p.Current = st, d.Status.Stage() == st
		s.Stages = append(s.Stages, p)
	}
	if l, err := q.Lease(ctx, id); err == nil {
		if gone, _ := leaseGone(l, time.Now(), e.Location()); !gone {
			s.Runner = &l
		}
	} else if !errors.Is(err, models.ErrNotFound) {
		return s, err
	}
	if s.Runner == nil && d.Status.Stage() != "" {
		if n := nextInStage(d.Status.Stage(), runs, false); n.wait != nil {
			s.Waiting = e.describeWait(d, m, n.wait)
		}
	}
	return s, nil
}

// Output returns output lines of deployment id (f.DeploymentID is set from id): page
// with f.AfterID and f.Limit, follow new lines by asking again with the last ID.
func (e *Engine) Output(ctx context.Context, actor models.Person, id int64, f models.OutputFilter) ([]models.OutputLine, error) {
	var out []models.OutputLine
	err := e.readable(ctx, actor, id, func(q store.Q, _ models.Deployment) error {
		f.DeploymentID = id
		var err error
		out, err = q.Output(ctx, f)
		return err
	})
	return out, err
}
