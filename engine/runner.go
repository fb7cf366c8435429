package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"ferry/models"
	"ferry/store"
)

// RunTiming tunes a runner; zero fields take the defaults.
type RunTiming struct {
	LeaseTTL     time.Duration // a lease not renewed for this long may be taken over (30s)
	LeaseRenew   time.Duration // how often a working runner renews its lease (5s)
	Poll         time.Duration // how often it looks for a cancel made by another process (250ms)
	RetryBackoff time.Duration // wait before the first retry, doubling after each, at most 30s (1s)
	KillGrace    time.Duration // between SIGTERM and SIGKILL when a step is stopped (3s)
	Flush        time.Duration // how long captured output may wait before it is stored (100ms)
}

func (t RunTiming) withDefaults() RunTiming {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.LeaseTTL, 30*time.Second)
	def(&t.LeaseRenew, 5*time.Second)
	def(&t.Poll, 250*time.Millisecond)
	def(&t.RetryBackoff, time.Second)
	def(&t.KillGrace, 3*time.Second)
	def(&t.Flush, 100*time.Millisecond)
	if t.LeaseRenew > t.LeaseTTL/3 {
		t.LeaseRenew = t.LeaseTTL / 3
	}
	return t
}

// RunOptions adjusts one run. The callbacks are called from the runner's goroutines,
// one call at a time per run; they must return quickly.
type RunOptions struct {
	// Resume runs an interrupted step again: a person looked at it and asked to go on.
	// Without it the runner stops at an interrupted step and says so.
	Resume bool
	// OverrideReason is a manager's reason to start a planned deployment against the
	// controls that hold it now (its window, a freeze, a maintenance window, its
	// conflicts); kept with the deployment as findings.
	OverrideReason string
	// SkipOptional lets a tick or an approval move the run on past optional checklist
	// items nobody ticked, which are then skipped (SkippedByTick says which): the
	// person was asked, or said so. Without it such an act is refused, naming them.
	SkipOptional bool
	OnProgress   func(Progress)          // status moves, steps starting and ending
	OnOutput     func(models.OutputLine) // every captured line as it arrives (ID is 0)
	Timing       RunTiming
}

// ProgressKind says what a Progress reports.
type ProgressKind string

const (
	ProgressStatus    ProgressKind = "status"     // the deployment moved to Status
	ProgressStepStart ProgressKind = "step_start" // an attempt of an automated step started
	ProgressStepEnd   ProgressKind = "step_end"   // an attempt ended with Result
	ProgressActed     ProgressKind = "acted"      // a person's act (Detail) lets the run carry on
)

// Progress is one thing a runner did, for live views.
type Progress struct {
	Kind         ProgressKind
	At           time.Time
	DeploymentID int64
	Status       models.Status // the deployment's status after a move
	Seq          int
	Step         models.Step
	OnFailure    bool // an on-failure (rollback) step
	Attempt      int  // this attempt's number among all of the step's attempts
	Try, Tries   int  // try of this run's tries (1 + retries)
	Result       models.StepStatus
	ExitCode     *int
	Elapsed      time.Duration
	Detail       string
}

// WaitKind is what a stopped run needs from a person.
type WaitKind string

const (
	WaitTick        WaitKind = "tick"        // a checklist item must be ticked
	WaitApproval    WaitKind = "approval"    // a gate must be approved
	WaitBlocked     WaitKind = "blocked"     // a checklist item is blocked
	WaitInterrupted WaitKind = "interrupted" // a step was interrupted: resume, retry or fail
)

// Waiting is what a deployment waits for before it can go on.
type Waiting struct {
	Kind      WaitKind
	Seq       int
	Step      models.Step
	OnFailure bool     // the step is an on-failure step
	Approvers []string // for an approval: the people who may give it
	Note      string   // for a blocked item: the reason
	Message   string   // the whole story in one sentence
}

// StoppedError reports a run that stopped before the deployment finished or waited
// for a person: its context ended, or it lost its lease. The step it was running is
// interrupted and can be resumed.
type StoppedError struct {
	ID    int64
	Cause error
}

func (e *StoppedError) Error() string {
	return fmt.Sprintf("the run of deployment #%d stopped: %v", e.ID, e.Cause)
}

func (e *StoppedError) Unwrap() error { return e.Cause }

// Closed is the cause a way in cancels its runs with when it closes (the local
// console quits): the step's record says that in words, and how the run goes on,
// where a plain cancel left "stopped: context canceled".
type Closed struct {
	What string // what closed, as the record says it: "the console that ran it"
}

func (c Closed) Error() string { return c.What + " was closed" }

// stopWords is why the run stopped, for its record: after a Closed, with the
// command that goes on from the interrupted step.
func (r *runner) stopWords(cause error) string {
	if errors.As(cause, new(Closed)) {
		return fmt.Sprintf("%v; ferry deploy resume %d goes on", cause, r.id)
	}
	return cause.Error()
}

// Run takes a deployment as far as it can: from planned through the four stages to
// succeeded, running automated steps in order. It stops and returns a Waiting when a
// checklist item, a gate, a blocked item or an interrupted step needs a person. When a
// required step fails, the stage's on-failure steps run and the deployment ends
// rolled_back (they all succeeded) or failed. Another runner working on the deployment
// (in this or another process) makes Run refuse with a BusyError.
func (e *Engine) Run(ctx context.Context, actor models.Person, id int64, opts RunOptions) (Outcome, error) {
	return e.runWith(ctx, actor, id, opts, "started", nil, nil)
}

// Resume continues a deployment after a tick, an approval, an unblock, or a crash: an
// interrupted step runs again, as a new attempt, and the record says who asked.
func (e *Engine) Resume(ctx context.Context, actor models.Person, id int64, opts ...RunOptions) (Outcome, error) {
	o := firstOpts(opts)
	o.Resume = true
	return e.runWith(ctx, actor, id, o, "resumed", nil, nil)
}

// Retry sets the automated steps of the current stage from step fromStep on back to
// pending and runs the deployment again from there. Ticks and approvals stay.
func (e *Engine) Retry(ctx context.Context, actor models.Person, id int64, fromStep int, opts ...RunOptions) (Outcome, error) {
	o := firstOpts(opts)
	prep := func(q store.Q, d *models.Deployment, r *runner) error { return r.prepareRetry(q, d, fromStep) }
	return e.runWith(ctx, actor, id, o, fmt.Sprintf("retry from step %d", fromStep), prep, nil)
}

// MayFail is whether actor may fail d (with rollback, roll it back first), refused
// in the act's own words ("kim (analyst) may not roll back deployment #1"): Fail's
// rule, which the run view's F and R ask before they ask for a reason.
func MayFail(actor models.Person, d models.Deployment, rollback bool) error {
	verb := "fail"
	if rollback {
		verb = "roll back"
	}
	return CanAs(actor, ActRun, &d, verb)
}

// Fail ends a running deployment as failed, with a reason, e.g. after an interrupted
// step a person decided not to run again. With rollback the current stage's
// on-failure steps run first, and it ends rolled_back when they all succeed.
func (e *Engine) Fail(ctx context.Context, actor models.Person, id int64, reason string, rollback bool, opts ...RunOptions) (Outcome, error) {
	if err := models.CheckText("reason", reason); err != nil { // a paste gone wrong, not an account
		return Outcome{}, err
	}
	reason = strings.TrimSpace(reason)
	if err := Written(reason, NeedFailReason); err != nil {
		return Outcome{}, err
	}
	// Said as failing, not as running (the run's own checks, which still hold, say
	// "may not run" and "there is nothing to run"); read once more inside the run's
	// transaction.
	if d, err := e.st.Read().Deployment(ctx, id); err == nil {
		if err := MayFail(actor, d, rollback); err != nil {
			return Outcome{}, err
		}
		if d.Status.Final() {
			return Outcome{}, models.Conflictf("deployment #%d %s; only one not yet finished can be failed", id, d.Status.Phrase())
		}
	}
	body := func(r *runner) (Outcome, error) {
		d, err := r.e.st.Read().Deployment(r.bg(), r.id)
		if err != nil {
			return Outcome{}, err
		}
		if rollback && d.Status.Stage() != "" {
			return r.failStage(d, d.Status.Stage(), "failed by "+r.actor.Name+": "+reason)
		}
		if err := r.write(func(q store.Q, d *models.Deployment) error {
			return r.e.move(r.bg(), q, r.actor, d, models.StatusFailed, reason)
		}); err != nil {
			return Outcome{}, err
		}
		r.failure = reason
		return r.result(nil)
	}
	return e.runWith(ctx, actor, id, firstOpts(opts), "failed by hand", nil, body)
}

func firstOpts(opts []RunOptions) RunOptions {
	if len(opts) > 0 {
		return opts[0]
	}
	return RunOptions{}
}

// runner is one run of one deployment, holding its lease.
type runner struct {
	e     *Engine
	actor models.Person
	id    int64
	opts  RunOptions
	t     RunTiming
	h     holder
	ctx   context.Context // ends on cancel, lost lease, or the caller's context
	how   string          // started, resumed ... for the record

	announced bool // the "run" event is written
	failure   string
	progMu    sync.Mutex

	// What the deployment runs, fixed for the run.
	d        models.Deployment
	model    models.Model
	steps    []models.Step // Model.StepsFor(environment): seq = index + 1
	rollback []models.Step // Model.OnFailureFor(environment): seq = len(steps) + index + 1
	comp     models.Component
	vars     map[string]string // FERRY_* and the environment's variables
	dir      string            // working directory of commands: the config file's
}

func (e *Engine) runWith(ctx context.Context, actor models.Person, id int64, opts RunOptions, how string,
	prep func(store.Q, *models.Deployment, *runner) error, body func(*runner) (Outcome, error)) (Outcome, error) {
	r := &runner{e: e, actor: actor, id: id, opts: opts, t: opts.Timing.withDefaults(), h: newHolder(), how: how, ctx: ctx}
	if cause := e.runsStopped(); cause != nil { // the server is stopping: start nothing it would not see end
		return Outcome{}, &StoppedError{ID: id, Cause: cause}
	}
	err := e.st.Write(ctx, func(q store.Q) error {
		d, err := q.Deployment(ctx, id)
		if err != nil {
			return err
		}
		if err := Can(actor, ActRun, &d); err != nil {
			return err
		}
		if d.Status.Final() {
			return models.Conflictf("deployment #%d %s; there is nothing to run", id, d.Status.Phrase())
		}
		if err := e.takeLease(ctx, q, r.h, actor, id, r.t.LeaseTTL); err != nil {
			return err
		}
		if err := r.load(ctx, q, d); err != nil {
			return err
		}
		if prep != nil {
			if err := prep(q, &d, r); err != nil {
				return err
			}
			return r.announce(ctx, q)
		}
		return nil
	})
	if err != nil {
		return Outcome{}, err
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	r.ctx = runCtx
	unregister, finished := e.registerRun(id, cancel)
	defer finished() // after the lease is released below
	stopWatch := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.watch(stopWatch, cancel)
	}()
	if body == nil {
		body = (*runner).advance
	}
	res, err := body(r)
	close(stopWatch)
	wg.Wait()
	unregister()
	cancel(nil)
	relCtx, done := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer done()
	if rerr := e.st.Write(relCtx, func(q store.Q) error { return q.ReleaseLease(relCtx, id, r.h.id) }); rerr != nil && err == nil {
		err = rerr
	}
	return res, err
}

// load fixes what the run works with: the model version the deployment was planned
// with, its component, the variables steps see and where commands run.
func (r *runner) load(ctx context.Context, q store.Q, d models.Deployment) error {
	m, err := q.DeploymentModel(ctx, d.ID)
	if err != nil {
		return err
	}
	r.d, r.model = d, m
	r.steps, r.rollback = m.StepsFor(d.Environment), m.OnFailureFor(d.Environment)
	r.comp, _ = r.e.cfg.Component(d.Component)
	r.dir = filepath.Dir(r.e.cfg.File)
	if abs, err := filepath.Abs(r.dir); err == nil {
		r.dir = abs
	}
	r.vars = map[string]string{}
	if env, ok := r.e.cfg.Environment(d.Environment); ok {
		for k, v := range env.Variables {
			r.vars[k] = v
		}
	}
	for k, v := range map[string]string{
		"FERRY_DEPLOYMENT_ID": strconv.FormatInt(d.ID, 10),
		"FERRY_ENV":           d.Environment,
		"FERRY_ENVIRONMENT":   d.Environment,
		"FERRY_COMPONENT":     d.Component,
		"FERRY_VERSION":       d.Version,
		"FERRY_MODEL":         d.Model,
		"FERRY_MODEL_VERSION": strconv.Itoa(d.ModelVersion),
		"FERRY_ACTION":        string(d.Action),
		"FERRY_SERVICE":       d.Service,
		"FERRY_CHANGE_REF":    d.ChangeRef,
		"FERRY_REQUESTER":     d.Requester,
		"FERRY_ASSIGNEE":      d.Assignee,
	} {
		r.vars[k] = v
	}
	r.vars["FERRY_ARTIFACT"] = expandVars(r.comp.Artifact, r.vars)
	r.vars["FERRY_ARTIFACT_SHA256"] = expandVars(r.comp.SHA256, r.vars)
	return nil
}

// stepsOf returns a deployment's steps and on-failure steps, as the runner numbers them.
func (e *Engine) stepsOf(ctx context.Context, q store.Q, d models.Deployment) ([]models.Step, []models.Step, error) {
	m, err := q.DeploymentModel(ctx, d.ID)
	if err != nil {
		return nil, nil, err
	}
	return m.StepsFor(d.Environment), m.OnFailureFor(d.Environment), nil
}

func stepName(steps, rollback []models.Step, seq int) string {
	switch {
	case seq >= 1 && seq <= len(steps):
		return steps[seq-1].Name
	case seq > len(steps) && seq <= len(steps)+len(rollback):
		return rollback[seq-len(steps)-1].Name
	}
	return "step " + strconv.Itoa(seq)
}

// bg is a context for recording what happened: it outlives a cancelled run.
func (r *runner) bg() context.Context { return context.WithoutCancel(r.ctx) }

// stopped is why the run must stop now, or nil.
func (r *runner) stopped() error {
	if r.ctx.Err() == nil {
		return nil
	}
	return context.Cause(r.ctx)
}

func (r *runner) progress(p Progress) {
	if r.opts.OnProgress == nil {
		return
	}
	p.DeploymentID = r.id
	if p.At.IsZero() {
		p.At = time.Now()
	}
	r.progMu.Lock()
	defer r.progMu.Unlock()
	r.opts.OnProgress(p)
}

// announce writes the run's "run" event, once, with the first change it makes.
func (r *runner) announce(ctx context.Context, q store.Q) error {
	if r.announced {
		return nil
	}
	r.announced = true
	return q.AddEvent(ctx, r.e.event(r.bg(), r.id, r.actor, EventRun,
		fmt.Sprintf("%s on %s (process %d)", r.how, r.h.host, r.h.pid)))
}

// write runs fn in a write transaction after checking the run still holds its lease
// (and renewing it); d is the deployment as it is in the transaction.
func (r *runner) write(fn func(q store.Q, d *models.Deployment) error) error {
	ctx := r.bg()
	announced := r.announced
	err := r.e.st.Write(ctx, func(q store.Q) error {
		r.announced = announced
		ok, err := q.RenewLease(ctx, r.id, r.h.id, time.Now().Add(r.t.LeaseTTL))
		if err != nil {
			return err
		}
		if !ok {
			return errLeaseLost
		}
		d, err := q.Deployment(ctx, r.id)
		if err != nil {
			return err
		}
		if err := r.announce(ctx, q); err != nil {
			return err
		}
		return fn(q, &d)
	})
	if err != nil {
		r.announced = announced
	}
	return err
}

// watch renews the lease and looks for a cancel made elsewhere until stop closes.
func (r *runner) watch(stop <-chan struct{}, cancel context.CancelCauseFunc) {
	tick := time.NewTicker(r.t.Poll)
	defer tick.Stop()
	renewed := time.Now()
	ctx := r.bg()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		if d, err := r.e.st.Read().Deployment(ctx, r.id); err == nil && d.Status == models.StatusCancelled {
			cancel(errCancelled)
		}
		if time.Since(renewed) < r.t.LeaseRenew {
			continue
		}
		var ok bool
		wctx, done := context.WithTimeout(ctx, r.t.LeaseTTL/2)
		err := r.e.st.Write(wctx, func(q store.Q) error {
			var err error
			ok, err = q.RenewLease(wctx, r.id, r.h.id, time.Now().Add(r.t.LeaseTTL))
			return err
		})
		done()
		switch {
		case err == nil && ok:
			renewed = time.Now()
		case err == nil:
			cancel(errLeaseLost)
		case time.Since(renewed) > r.t.LeaseTTL*2/3:
			cancel(errLeaseLost) // it may be gone before the next try: stop first
		}
	}
}

// result is the deployment as the run leaves it.
func (r *runner) result(w *Waiting) (Outcome, error) {
	d, err := r.e.st.Read().Deployment(r.bg(), r.id)
	return Outcome{Deployment: d, Waiting: w, Failure: r.failure}, err
}

// stoppedResult reports a run that had to stop: a cancelled deployment is a result,
// anything else an error.
func (r *runner) stoppedResult(cause error) (Outcome, error) {
	res, err := r.result(nil)
	if err != nil {
		return res, err
	}
	if res.Deployment.Status.Final() {
		return res, nil
	}
	return res, &StoppedError{ID: r.id, Cause: cause}
}

// advance is the run: one decision at a time, on the deployment as stored.
func (r *runner) advance() (Outcome, error) {
	for {
		if cause := r.stopped(); cause != nil {
			return r.stoppedResult(cause)
		}
		ctx := r.bg()
		q := r.e.st.Read()
		d, err := q.Deployment(ctx, r.id)
		if err != nil {
			return Outcome{}, err
		}
		if d.Status.Final() {
			return r.result(nil)
		}
		if d.Status == models.StatusPlanned {
			if err := r.startRun(); err != nil {
				return Outcome{}, err
			}
			continue
		}
		runs, err := q.StepRuns(ctx, d)
		if err != nil {
			return Outcome{}, err
		}
		stage := d.Status.Stage()
		next := nextInStage(stage, runs, r.opts.Resume)
		switch {
		case next.failed != nil:
			return r.failStage(d, stage, failureOf(*next.failed))
		case next.wait != nil:
			return r.result(r.e.describeWait(d, r.model, next.wait))
		case next.run != nil:
			// A failed step shows as failed in the step runs: the next turn sees it.
			if _, _, err := r.runStep(next.run.Seq, next.run.Step, false); err != nil {
				if cause := r.stopped(); cause != nil {
					return r.stoppedResult(cause)
				}
				return r.stoppedResult(err)
			}
		default:
			if err := r.completeStage(stage); err != nil {
				return Outcome{}, err
			}
		}
	}
}

// failureOf says what failed, for the record and the result.
func failureOf(sr models.StepRun) string { return StepFailedText(sr.Seq, sr.Step.Name, sr.Note) }

// next is what a stage needs next.
type next struct {
	run    *models.StepRun // an automated step to run
	wait   *Waiting        // something for a person
	failed *models.StepRun // a required step failed: the stage failed
}

// nextInStage goes through the stage's steps in order: done and skipped ones are
// passed, optional checklist items too; the first other step decides. Nothing left
// means the stage is complete.
func nextInStage(stage models.Stage, runs []models.StepRun, resume bool) next {
	for i := range runs {
		sr := &runs[i]
		if sr.Step.Stage != stage {
			continue
		}
		switch sr.Status {
		case models.StepDone, models.StepSkipped:
			continue
		case models.StepFailed:
			if !sr.Step.Required {
				continue
			}
			return next{failed: sr}
		case models.StepBlocked:
			return next{wait: &Waiting{Kind: WaitBlocked, Seq: sr.Seq, Step: sr.Step, Note: sr.BlockReason}}
		case models.StepInterrupted, models.StepRunning:
			if resume && sr.Step.Kind == models.StepAutomated {
				return next{run: sr}
			}
			return next{wait: &Waiting{Kind: WaitInterrupted, Seq: sr.Seq, Step: sr.Step, Note: sr.Note}}
		}
		switch sr.Step.Kind {
		case models.StepManual:
			if !sr.Step.Required {
				continue
			}
			return next{wait: &Waiting{Kind: WaitTick, Seq: sr.Seq, Step: sr.Step}}
		case models.StepGate:
			return next{wait: &Waiting{Kind: WaitApproval, Seq: sr.Seq, Step: sr.Step}}
		default:
			return next{run: sr}
		}
	}
	return next{}
}

// LeftBehindText says, for a person about to tick or approve, what the act leaves behind
// (left, from SkippedByTick): `optional item 2 "…" (Verify environment) is then
// skipped, not done`, and when some come in a later stage, that they may be ticked
// first all the same (see optionalAhead): the run does not stop in that stage.
func LeftBehindText(st RunState, left []StepState) string {
	if len(left) == 0 {
		return ""
	}
	verb := "is"
	if len(left) > 1 {
		verb = "are"
	}
	s := fmt.Sprintf("optional %s %s then skipped, not done", ItemsText(left), verb)
	if left[len(left)-1].Step.Stage != st.Deployment.Status.Stage() {
		if len(left) == 1 {
			s += "; it may be ticked first, ahead of its stage: the run does not stop there"
		} else {
			s += "; a later stage's may be ticked first, ahead of it: the run does not stop there"
		}
	}
	return s
}

// SkippedByTick are the optional checklist items that ticking step seq would leave
// behind, skipped: the run goes on as nextInStage says, through every stage where
// nobody must act (an optional item is no reason to wait), and leaving each skips
// what skippedOnLeaving says. A console asks before such a tick: a stage of optional
// items alone was otherwise gone before anyone saw it. It assumes the automated
// steps on the way pass.
func SkippedByTick(st RunState, seq int) []StepState {
	if seq < 1 || seq > len(st.Steps) {
		return nil
	}
	runs := make([]models.StepRun, len(st.Steps))
	for i, s := range st.Steps {
		runs[i] = s.StepRun
	}
	runs[seq-1].Status = models.StepDone
	// From the stage the run is in: an item ticked ahead of its stage (optionalAhead)
	// moves nothing while that stage still waits for someone. Begun at the item's own
	// stage, the run was taken to be there, and its other optional items skipped.
	from := slices.Index(models.Stages, runs[seq-1].Step.Stage)
	if now := slices.Index(models.Stages, st.Deployment.Status.Stage()); now >= 0 && now < from {
		from = now
	}
	var out []StepState
	for _, stage := range models.Stages[from:] {
		for {
			nx := nextInStage(stage, runs, false)
			if nx.wait != nil || nx.failed != nil {
				return out // a person must act here: the run waits, and skips nothing more
			}
			if nx.run == nil {
				break // the stage is complete
			}
			nx.run.Status = models.StepDone
		}
		for i := range runs {
			if skippedOnLeaving(runs[i], stage) {
				runs[i].Status = models.StepSkipped
				out = append(out, st.Steps[i])
			}
		}
	}
	return out
}

// describeWait fills in who may act and the sentence people read.
func (e *Engine) describeWait(d models.Deployment, m models.Model, w *Waiting) *Waiting {
	what := fmt.Sprintf("%d %q (%s)", w.Seq, w.Step.Name, w.Step.Stage.Title())
	if w.OnFailure {
		what = fmt.Sprintf("on-failure step %d %q (%s)", w.Seq, w.Step.Name, w.Step.Stage.Title())
	}
	switch w.Kind {
	case WaitTick:
		who := ""
		if d.Assignee != "" {
			who = " (assigned to " + d.Assignee + ")"
		}
		w.Message = fmt.Sprintf("checklist item %s must be ticked%s", what, who)
	case WaitApproval:
		w.Approvers = e.approvers(d, m, w.Step)
		who := "nobody in the configuration may approve it"
		if len(w.Approvers) > 0 {
			who = "it may be approved by " + strings.Join(w.Approvers, ", ")
		}
		w.Message = fmt.Sprintf("gate %s needs an approval by a %s; %s", what, joinRoles(gateRoles(w.Step)), who)
	case WaitBlocked:
		w.Message = fmt.Sprintf("checklist item %s is blocked: %s", what, w.Note)
	case WaitInterrupted:
		// What it printed before stopping, if anything, is kept with its attempt.
		w.Message = fmt.Sprintf("step %s was interrupted (%s). Resume to run it again, "+
			"retry from it, or fail the deployment", what, strings.TrimPrefix(w.Note, "interrupted: "))
		if w.OnFailure {
			w.Message = fmt.Sprintf("%s was interrupted while rolling back. Resume to run it again, "+
				"or fail the deployment", what)
		}
	}
	return w
}

// startRun moves a planned deployment into its first stage, if the controls allow
// it now (or a manager overrides them with the run's OverrideReason).
func (r *runner) startRun() error {
	err := r.write(func(q store.Q, d *models.Deployment) error {
		if d.Status != models.StatusPlanned {
			return nil
		}
		return r.e.start(r.bg(), q, r.actor, d, r.opts.OverrideReason)
	})
	if err == nil {
		r.progress(Progress{Kind: ProgressStatus, Status: models.StatusVerifyingComponents})
	}
	return err
}

// completeStage leaves a stage whose required steps are all done: optional checklist
// items nobody ticked are skipped, and the deployment moves on.
func (r *runner) completeStage(stage models.Stage) error {
	var to models.Status
	err := r.write(func(q store.Q, d *models.Deployment) error {
		ctx := r.bg()
		if d.Status.Stage() != stage {
			return nil // moved meanwhile (cancelled)
		}
		runs, err := q.StepRuns(ctx, *d)
		if err != nil {
			return err
		}
		// Ferry skips what nobody did, not the person whose act left the stage: they
		// may never have seen the item.
		system := models.Person{Name: SystemActor}
		for _, sr := range runs {
			if !skippedOnLeaving(sr, stage) {
				continue
			}
			sr.Status, sr.Actor, sr.At, sr.Note = models.StepSkipped, SystemActor, r.e.Now(), SkippedNote
			if err := q.SetStepRun(ctx, sr, r.e.Now()); err != nil {
				return err
			}
			if err := q.AddEvent(ctx, r.e.event(r.bg(), r.id, system, EventStep, SkippedText(sr.Seq, sr.Step.Name))); err != nil {
				return err
			}
		}
		to = d.Status.Next()
		return r.e.move(ctx, q, r.actor, d, to, "")
	})
	if err == nil && to != "" {
		r.progress(Progress{Kind: ProgressStatus, Status: to})
	}
	return err
}

// skippedOnLeaving is whether leaving stage skips sr: an optional step of it that
// nobody did.
func skippedOnLeaving(sr models.StepRun, stage models.Stage) bool {
	return sr.Step.Stage == stage && !sr.Step.Required && sr.Status == models.StepPending
}

// failStage runs the stage's on-failure steps and ends the deployment rolled_back
// when they all succeed, failed when one fails or there are none.
func (r *runner) failStage(d models.Deployment, stage models.Stage, failure string) (Outcome, error) {
	r.failure = failure
	atts, err := r.e.st.Read().Attempts(r.bg(), r.id)
	if err != nil {
		return Outcome{}, err
	}
	last := map[int]models.Attempt{}
	for _, a := range atts {
		last[a.Seq] = a
	}
	var ran, byHand []string
	for i, st := range r.rollback {
		if st.Stage != stage {
			continue
		}
		seq := len(r.steps) + i + 1
		a, tried := last[seq]
		switch {
		case tried && a.Status == models.StepDone:
			ran = append(ran, st.Name)
			continue
		case tried && a.Status == models.StepFailed:
			return r.end(models.StatusFailed, OnFailureFailedText(failure, st.Name, a.Detail))
		case tried && !r.opts.Resume:
			w := &Waiting{Kind: WaitInterrupted, Seq: seq, Step: st, OnFailure: true, Note: a.Detail}
			return r.result(r.e.describeWait(d, r.model, w))
		}
		if st.Kind != models.StepAutomated {
			byHand = append(byHand, st.Name)
			continue
		}
		ok, detail, err := r.runStep(seq, st, true)
		if err != nil {
			if cause := r.stopped(); cause != nil {
				return r.stoppedResult(cause)
			}
			return r.stoppedResult(err)
		}
		if !ok {
			return r.end(models.StatusFailed, OnFailureFailedText(failure, st.Name, detail))
		}
		ran = append(ran, st.Name)
	}
	switch {
	case len(byHand) > 0:
		return r.end(models.StatusFailed, ByHandText(failure, byHand...))
	case len(ran) == 0:
		return r.end(models.StatusFailed, NoOnFailureText(failure, stage))
	}
	return r.end(models.StatusRolledBack, RanText(failure, ran...))
}

// end moves the deployment to a final status with the story as the note.
func (r *runner) end(to models.Status, note string) (Outcome, error) {
	r.failure = note
	err := r.write(func(q store.Q, d *models.Deployment) error {
		if d.Status.Final() {
			return nil
		}
		return r.e.move(r.bg(), q, r.actor, d, to, note)
	})
	if err != nil {
		return Outcome{}, err
	}
	r.progress(Progress{Kind: ProgressStatus, Status: to, Detail: note})
	return r.result(nil)
}

// prepareRetry sets the automated steps of the current stage from step from on back
// to pending, inside the run's first transaction.
func (r *runner) prepareRetry(q store.Q, d *models.Deployment, from int) error {
	ctx := r.bg()
	stage := d.Status.Stage()
	if stage == "" {
		return models.Conflictf("deployment #%d %s; only a started deployment can be retried from a step", d.ID, d.Status.Phrase())
	}
	runs, err := q.StepRuns(ctx, *d)
	if err != nil {
		return err
	}
	if from < 1 || from > len(runs) {
		return models.NotFoundf("deployment #%d has no step %d (it has %d)", d.ID, from, len(runs))
	}
	sr := runs[from-1]
	if sr.Step.Stage != stage {
		return models.Conflictf("step %d %q belongs to %s; deployment #%d %s, and a stage it left is not run again",
			from, sr.Step.Name, sr.Step.Stage.Title(), d.ID, d.Status.Phrase())
	}
	if sr.Step.Kind != models.StepAutomated {
		return models.Invalidf("step %d %q is %s; only automated steps are retried (tick or approve it instead)",
			from, sr.Step.Name, kindWord(sr.Step.Kind))
	}
	atts, err := q.Attempts(ctx, d.ID)
	if err != nil {
		return err
	}
	for _, a := range atts {
		if i := a.Seq - len(r.steps) - 1; i >= 0 && i < len(r.rollback) && r.rollback[i].Stage == stage {
			return models.Conflictf("deployment #%d: the rollback of %s has begun; resume it or fail the deployment",
				d.ID, stage.Title())
		}
	}
	var seqs []int
	var names []string
	for _, x := range runs[from-1:] {
		if x.Step.Stage == stage && x.Step.Kind == models.StepAutomated && x.Status != models.StepPending {
			seqs = append(seqs, x.Seq)
			names = append(names, strconv.Itoa(x.Seq))
		}
	}
	if err := q.ResetStepRuns(ctx, d.ID, seqs, r.e.Now()); err != nil {
		return err
	}
	detail := fmt.Sprintf("retry from %d %q", from, sr.Step.Name)
	if len(names) > 0 {
		detail += ": steps " + strings.Join(names, ", ") + " set back to pending"
	}
	return q.AddEvent(ctx, r.e.event(r.bg(), d.ID, r.actor, EventStep, detail))
}

// kindWord is a step's kind as a refusal names it, with its article.
func kindWord(k models.StepKind) string {
	switch k {
	case models.StepManual:
		return "a checklist item"
	case models.StepGate:
		return "a gate"
	}
	return "an automated step"
}

// runStep runs an automated step with its retries: true when an attempt succeeded,
// else false and why the last attempt failed. An error means the run must stop (the
// step is then interrupted, or pending when it stopped between tries).
func (r *runner) runStep(seq int, st models.Step, onFailure bool) (bool, string, error) {
	tries := 1 + max(st.Retries, 0)
	var detail string
	for try := 1; try <= tries; try++ {
		var att int
		err := r.write(func(q store.Q, d *models.Deployment) error {
			if d.Status.Final() {
				return errCancelled
			}
			var err error
			att, err = q.StartAttempt(r.bg(), models.Attempt{DeploymentID: r.id, Seq: seq, Holder: r.h.id,
				Host: r.h.host, BootID: r.h.boot, StartedAt: time.Now()})
			if err != nil || onFailure {
				return err
			}
			sr, err := stepRun(r.bg(), q, *d, seq)
			if err != nil {
				return err
			}
			sr.Status, sr.Actor, sr.At, sr.Note, sr.ExitCode = models.StepRunning, r.actor.Name, r.e.Now(), "", nil
			return q.SetStepRun(r.bg(), sr, r.e.Now())
		})
		if err != nil {
			return false, "", err
		}
		base := Progress{Seq: seq, Step: st, OnFailure: onFailure, Attempt: att, Try: try, Tries: tries}
		began := time.Now()
		// Said before the command starts: its first line, read on another goroutine,
		// printed before the step's heading once.
		p := base
		p.Kind, p.At = ProgressStepStart, began
		r.progress(p)
		res := r.execute(seq, att, st, func(pgid int, _ time.Time) {
			if pgid > 0 {
				start := procStart(pgid)
				_ = r.e.st.Write(r.bg(), func(q store.Q) error {
					return q.SetAttemptPGID(r.bg(), r.id, seq, att, pgid, start)
				})
			}
		})
		elapsed := time.Since(began)
		end := base
		end.Kind, end.ExitCode, end.Elapsed, end.Detail = ProgressStepEnd, res.exit, elapsed, res.detail
		stopped := r.stopped()
		if res.err != nil && stopped == nil {
			stopped = res.err
		}
		switch {
		case res.ok && res.err == nil:
			end.Result = models.StepDone
			msg := fmt.Sprintf("done %d %q in %s", seq, st.Name, roundDuration(elapsed))
			if res.exit != nil {
				msg += fmt.Sprintf(" (exit %d)", *res.exit)
			}
			if tries > 1 {
				msg += fmt.Sprintf(", try %d of %d", try, tries)
			}
			if err := r.recordAttempt(seq, att, st, onFailure, models.StepDone, res, elapsed, msg, ""); err != nil {
				return false, "", err
			}
			r.progress(end)
			return true, "", nil
		case stopped != nil:
			end.Result = models.StepInterrupted
			why := r.stopWords(stopped)
			err := r.recordAttempt(seq, att, st, onFailure, models.StepInterrupted, res, elapsed,
				fmt.Sprintf("stopped %d %q in attempt %d: %s", seq, st.Name, att, why), "stopped: "+why)
			r.progress(end)
			if errors.Is(err, errLeaseLost) || err == nil {
				return false, "", stopped
			}
			return false, "", err
		case try < tries:
			end.Result = models.StepFailed
			wait := backoff(r.t.RetryBackoff, try)
			msg := fmt.Sprintf("step %d %q failed, try %d of %d: %s; retrying in %s", seq, st.Name, try, tries, res.detail, models.ShortDuration(wait))
			if err := r.recordAttempt(seq, att, st, onFailure, "", res, elapsed, msg, ""); err != nil {
				return false, "", err
			}
			r.progress(end)
			timer := time.NewTimer(wait)
			select {
			case <-timer.C:
			case <-r.ctx.Done():
				timer.Stop()
				cause := context.Cause(r.ctx)
				err := r.write(func(q store.Q, d *models.Deployment) error {
					if !onFailure {
						sr, err := stepRun(r.bg(), q, *d, seq)
						if err != nil {
							return err
						}
						sr.Status, sr.At, sr.Note = models.StepPending, r.e.Now(), "stopped before a retry: "+r.stopWords(cause)
						if err := q.SetStepRun(r.bg(), sr, r.e.Now()); err != nil {
							return err
						}
					}
					return q.AddEvent(r.bg(), r.e.event(r.bg(), r.id, r.actor, EventStep,
						fmt.Sprintf("stopped %d %q before try %d: %s", seq, st.Name, try+1, r.stopWords(cause))))
				})
				if err != nil && !errors.Is(err, errLeaseLost) {
					return false, "", err
				}
				return false, "", cause
			}
		default:
			end.Result = models.StepFailed
			detail = res.detail
			msg := fmt.Sprintf("failed %d %q: %s", seq, st.Name, res.detail)
			if tries > 1 {
				msg += fmt.Sprintf(" (%d tries)", tries)
			}
			if err := r.recordAttempt(seq, att, st, onFailure, models.StepFailed, res, elapsed, msg, res.detail); err != nil {
				return false, "", err
			}
			r.progress(end)
			return false, detail, nil
		}
	}
	return false, detail, nil
}

// recordAttempt writes how an attempt ended: the attempt row, the step run (unless it
// is an on-failure step, or stepStatus is "" for a try that will be retried) and an
// event, together.
func (r *runner) recordAttempt(seq, att int, st models.Step, onFailure bool, stepStatus models.StepStatus,
	res execResult, elapsed time.Duration, event, note string) error {
	return r.write(func(q store.Q, d *models.Deployment) error {
		ctx := r.bg()
		status := stepStatus
		if status == "" {
			status = models.StepFailed
		}
		detail := res.detail
		if status == models.StepInterrupted {
			detail = note
		}
		if _, err := q.FinishAttempt(ctx, models.Attempt{DeploymentID: r.id, Seq: seq, Attempt: att, Status: status,
			FinishedAt: time.Now(), ExitCode: res.exit, Detail: detail}); err != nil {
			return err
		}
		if !onFailure && stepStatus != "" {
			sr, err := stepRun(ctx, q, *d, seq)
			if err != nil {
				return err
			}
			sr.Status, sr.Actor, sr.At, sr.ExitCode, sr.Note = stepStatus, r.actor.Name, r.e.Now(), res.exit, note
			if err := q.SetStepRun(ctx, sr, r.e.Now()); err != nil {
				return err
			}
			if err := r.e.noticeWaiting(ctx, q, r.actor, *d); err != nil { // the step before a gate
				return err
			}
		}
		return q.AddEvent(ctx, r.e.event(r.bg(), r.id, r.actor, EventStep, event))
	})
}

// backoff is the wait before retry number n (from 1): base, doubling, at most 30s.
func backoff(base time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < 30*time.Second; i++ {
		d *= 2
	}
	return min(d, max(base, 30*time.Second))
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond)
	case d < time.Minute:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// expandVars replaces ${NAME} with the variable's value; unknown names stay as
// written, so a message shows what was missing.
func expandVars(s string, vars map[string]string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		name := s[i+2 : i+j]
		b.WriteString(s[:i])
		if v, ok := vars[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i : i+j+1])
		}
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}

// environ is the environment of a step's command: ferry's own, the environment's
// variables from config, and the FERRY_* facts of the deployment and the step.
func (r *runner) environ(seq, attempt int, st models.Step) []string {
	env := os.Environ()
	keys := make([]string, 0, len(r.vars))
	for k := range r.vars {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !strings.HasPrefix(k, "FERRY_") {
			env = append(env, k+"="+r.vars[k])
		}
	}
	for _, k := range keys {
		if strings.HasPrefix(k, "FERRY_") {
			env = append(env, k+"="+r.vars[k])
		}
	}
	return append(env, "FERRY_STEP="+st.Name, "FERRY_STEP_SEQ="+strconv.Itoa(seq), "FERRY_ATTEMPT="+strconv.Itoa(attempt))
}
