package demo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"ferry/engine"
	"ferry/models"
)

// expander turns history records into rows, each from a random stream of its own.
type expander struct {
	g   *gen
	pcg *rand.PCG
	rnd *rand.Rand
	ts  []int64
}

func newExpander(g *gen) *expander {
	pcg := rand.NewPCG(0, 0)
	return &expander{g: g, pcg: pcg, rnd: rand.New(pcg)}
}

func (x *expander) pick(list []string) string { return list[x.rnd.IntN(len(list))] }

// pickOther picks someone from list who is not avoid, if there is such a person.
func (x *expander) pickOther(list []string, avoid string) string {
	p := x.pick(list)
	if p == avoid && len(list) > 1 {
		i := slices.Index(list, p)
		p = list[(i+1+x.rnd.IntN(len(list)-1))%len(list)]
	}
	return p
}

func (x *expander) between(a, b int64) int64 {
	if b <= a {
		return a
	}
	return a + x.rnd.Int64N(b-a+1)
}

// story is one history record while it becomes a row.
type story struct {
	x                   *expander
	r                   *rec
	c                   *compInfo
	mv                  *mvInfo
	steps               []models.Step
	out                 *row
	assignee, requester string
	mover               string // who moves it from stage to stage: "ferry" where it runs by itself
	doneN, fail         int    // how many steps are done; the failing step, or -1
}

// expand writes record r, with id, into out: the deployment, its step runs, its
// events and perhaps an incident. Each record has a random stream of its own, so
// the rows do not depend on the order they are made in.
func (x *expander) expand(r *rec, id int64, out *row) {
	g := x.g
	x.pcg.Seed(g.seed^0xd1b5_4a32_d192_ed03, uint64(r.order))
	mv := g.mvs[r.mv]
	s := story{x: x, r: r, c: g.comps[r.comp], mv: mv, steps: mv.steps[r.env], out: out}
	s.people()
	s.deployment(id)
	s.planned()
	if models.Statuses[r.status] == models.StatusCancelled && r.started == 0 {
		s.cancelledBeforeStart()
		return
	}
	s.howFar()
	s.stepRuns()
	cur := s.stages()
	s.end(cur)
	s.incident()
	s.review()
}

// people picks who carries it out and who asked for it.
func (s *story) people() {
	x, g := s.x, s.x.g
	s.assignee = x.pick(g.assigneeFor(s.c))
	if s.r.k == 0 && s.c.c.Kind == models.KindSoftware && x.rnd.Float64() < 0.8 {
		s.requester = x.pick(g.practs)
	} else if x.rnd.Float64() < 0.6 {
		s.requester = x.pick(g.managers)
	} else {
		s.requester = x.pick(g.reqs)
	}
	s.mover = s.assignee
	if s.mv.automated[s.r.env] {
		s.mover = "ferry"
	}
}

// deployment fills in the deployment row.
func (s *story) deployment(id int64) {
	g, r, c, mv := s.x.g, s.r, s.c, s.mv
	action := models.ActionDeploy
	if r.remove {
		action = models.ActionRemove
	}
	*s.out = row{mvID: mv.id, steps: s.out.steps[:0], events: s.out.events[:0], atts: s.out.atts[:0]}
	d := &s.out.d
	*d = models.Deployment{ID: id, Model: mv.m.Name, ModelVersion: mv.m.Version, Service: c.c.Service,
		Component: c.c.Name, Kind: c.c.Kind, Version: formatVer(r.ver, c.threePart), Action: action,
		Environment: g.envs[r.env].e.Name, Status: models.Statuses[r.status], Assignee: s.assignee, Requester: s.requester,
		PlannedBy: s.requester, // the planned event names the requester as its actor
		ChangeRef: changeRef(r.chgYear, r.chg), ScheduledStart: time.Unix(r.start, 0).UTC(),
		ScheduledEnd: time.Unix(r.end, 0).UTC(), CreatedAt: time.Unix(r.created, 0).UTC(),
		UpdatedAt: time.Unix(r.finished, 0).UTC(), StepsTotal: len(s.steps)}
	if r.started != 0 {
		d.StartedAt = time.Unix(r.started, 0).UTC()
	}
	d.FinishedAt = time.Unix(r.finished, 0).UTC()
}

// event records an event of the deployment.
func (s *story) event(at int64, actor, typ, detail string) {
	s.out.events = append(s.out.events, models.Event{DeploymentID: s.out.d.ID, At: time.Unix(at, 0).UTC(),
		Actor: actor, Type: typ, Detail: detail})
}

// planned records the plan; now and then it was first assigned to someone else.
func (s *story) planned() {
	x, g, r := s.x, s.x.g, s.r
	first := s.assignee
	reassignAt := int64(0)
	if x.rnd.Float64() < 0.04 {
		first = x.pickOther(g.assigneeFor(s.c), s.assignee)
		end := r.finished
		if r.started != 0 {
			end = r.started
		}
		reassignAt = x.between(r.created+minute, end-minute)
	}
	s.event(r.created, s.requester, engine.EventPlanned, plannedText(s.out.d, first, g.loc))
	if first != s.assignee {
		s.event(reassignAt, x.pick(g.managers), engine.EventAssigned, engine.AssignedText(first, s.assignee))
	}
}

// cancelledBeforeStart ends a deployment that never started: every step pending.
func (s *story) cancelledBeforeStart() {
	x, g := s.x, s.x.g
	for i := range s.steps {
		s.out.steps = append(s.out.steps, stepRow{seq: i + 1, status: models.StepPending})
	}
	s.event(s.r.finished, x.pick(append([]string{s.requester}, g.managers...)), engine.EventCancelled,
		engine.StatusText(models.StatusPlanned, models.StatusCancelled, cancelReasons[x.rnd.IntN(len(cancelReasons))]))
}

// howFar decides how far it got: the steps done and the failing one; and spreads
// the times of the steps that ran evenly over the run.
func (s *story) howFar() {
	x, steps, n := s.x, s.steps, len(s.steps)
	s.doneN, s.fail = n, -1
	switch models.Statuses[s.r.status] {
	case models.StatusFailed:
		s.fail = x.failingStep(steps, nil)
	case models.StatusRolledBack:
		// It failed in a stage whose on-failure steps then ran.
		s.fail = x.failingStep(steps, func(st models.Stage) bool { return len(s.mv.onFailure[s.r.env][st]) > 0 })
	case models.StatusCancelled:
		// stopped during verification
		last := 0
		for last < n && (steps[last].Stage == models.StageVerifyComponents || steps[last].Stage == models.StageVerifyEnvironment) {
			last++
		}
		s.doneN = x.rnd.IntN(last + 1)
	}
	executed := s.doneN
	if s.fail >= 0 {
		s.doneN = s.fail
		executed = s.fail + 1
	}
	x.ts = x.ts[:0]
	span := s.r.finished - s.r.started
	for i := range executed {
		x.ts = append(x.ts, s.r.started+span*int64(i+1)/int64(executed+1))
	}
}

// stopStage is the last stage it entered.
func (s *story) stopStage() models.Stage {
	switch {
	case s.fail >= 0:
		return s.steps[s.fail].Stage
	case models.Statuses[s.r.status] != models.StatusCancelled:
		return models.StageVerifyDeployment
	}
	stop := models.StageVerifyComponents
	if s.doneN < len(s.steps) && s.doneN > 0 {
		stop = s.steps[s.doneN].Stage
	} else if s.doneN > 0 {
		stop = s.steps[s.doneN-1].Stage
	}
	if stop != models.StageVerifyComponents && stop != models.StageVerifyEnvironment {
		stop = models.StageVerifyEnvironment
	}
	return stop
}

// gateApprover is who approved gate st: not the requester unless the model allows it.
func (s *story) gateApprover(st models.Step) string {
	who := s.mv.approvers[st.Name]
	if s.mv.m.SelfApproval {
		return s.x.pick(who)
	}
	return s.x.pickOther(who, s.requester)
}

// stepRuns makes a step run per step: done, failed, or pending (those after a
// failure stay pending, as the runner leaves them).
func (s *story) stepRuns() {
	x, d := s.x, &s.out.d
	for i, st := range s.steps {
		sr := stepRow{seq: i + 1, status: models.StepPending}
		switch {
		case i < s.doneN:
			s.doneRun(&sr, st, x.ts[i])
		case i == s.fail:
			s.failedRun(&sr, st, x.ts[i])
		}
		s.out.steps = append(s.out.steps, sr)
		if sr.status == models.StepDone || sr.status == models.StepSkipped {
			d.StepsDone++
		}
	}
}

// doneRun is a step done at at: by ferry, an approver, or the assignee with a note
// now and then.
func (s *story) doneRun(sr *stepRow, st models.Step, at int64) {
	x := s.x
	sr.status, sr.at = models.StepDone, at
	switch st.Kind {
	case models.StepAutomated:
		sr.actor, sr.hasExit = "ferry", true
	case models.StepGate:
		sr.actor = s.gateApprover(st)
	default:
		sr.actor = s.assignee
		if x.rnd.Float64() < 0.05 {
			sr.note = tickNotes[x.rnd.IntN(len(tickNotes))]
		}
	}
}

// failedRun is the step that failed at at, and why.
func (s *story) failedRun(sr *stepRow, st models.Step, at int64) {
	x := s.x
	sr.status, sr.at = models.StepFailed, at
	sr.actor = s.assignee
	switch st.Kind {
	case models.StepAutomated:
		sr.actor, sr.hasExit = "ferry", true
		sr.exit, sr.note = x.failure(st)
	case models.StepGate:
		sr.actor = s.gateApprover(st)
		sr.note = "approval refused: " + refusals[x.rnd.IntN(len(refusals))]
	default:
		notes := manualFailures[s.c.c.Kind]
		if len(notes) == 0 {
			notes = manualFailures[models.KindSoftware]
		}
		sr.note = notes[x.rnd.IntN(len(notes))]
	}
}

// stages records every stage entered, with the ticks and approvals in it, up to the
// stage it stopped in, and returns the status it is in then.
func (s *story) stages() models.Status {
	x, steps, n := s.x, s.steps, len(s.steps)
	stop := s.stopStage()
	cur := models.StatusPlanned
	at := s.r.started
	i := 0
	for _, stage := range models.Stages {
		next := stageStatus(stage)
		actor := s.mover
		if cur == models.StatusPlanned {
			actor = s.assignee
		}
		s.event(min(at, s.r.finished), actor, engine.EventStatus, engine.StatusText(cur, next, ""))
		cur = next
		for ; i < n && steps[i].Stage == stage && i < s.doneN; i++ {
			at = x.ts[i]
			switch steps[i].Kind {
			case models.StepManual:
				s.event(at, s.assignee, engine.EventStep, engine.TickedText(i+1, steps[i].Name, s.out.steps[i].note))
			case models.StepGate:
				s.event(at, s.out.steps[i].actor, engine.EventStep, engine.ApprovedText(i+1, steps[i].Name, ""))
			}
		}
		if stage == stop {
			break
		}
		at += 20
	}
	return cur
}

// end records how it ended, from status cur.
func (s *story) end(cur models.Status) {
	x, r := s.x, s.r
	switch to := models.Statuses[r.status]; to {
	case models.StatusSucceeded:
		s.event(r.finished, s.mover, engine.EventStatus, engine.StatusText(cur, to, ""))
	case models.StatusFailed:
		note := ""
		if failed := s.rollback(false); failed != "" {
			note = engine.OnFailureFailedText(s.failure(), failed, rollbackFailure)
		} else {
			note = s.failedNote()
		}
		s.event(r.finished, s.failActor(), engine.EventStatus, engine.StatusText(cur, to, note))
	case models.StatusRolledBack:
		s.rollback(true)
		s.event(r.finished, s.assignee, engine.EventStatus, engine.StatusText(cur, to, s.rolledBackNote()))
	case models.StatusCancelled:
		s.event(r.finished, s.assignee, engine.EventCancelled,
			engine.StatusText(cur, to, cancelReasons[x.rnd.IntN(len(cancelReasons))]))
	}
}

// failure says what failed, as the runner does; without steps, the assignee aborted.
func (s *story) failure() string {
	if s.fail < 0 {
		return "aborted by " + s.assignee
	}
	return engine.StepFailedText(s.fail+1, s.steps[s.fail].Name, s.out.steps[s.fail].note)
}

// failActor is who failed it: ferry when an automated step failed.
func (s *story) failActor() string {
	if s.fail >= 0 && s.steps[s.fail].Kind == models.StepAutomated {
		return "ferry"
	}
	return s.assignee
}

// onFailure names the on-failure steps of the stage the failing step is in.
func (s *story) onFailure() (models.Stage, []string) {
	if s.fail < 0 {
		return "", nil
	}
	stage := s.steps[s.fail].Stage
	return stage, s.mv.onFailure[s.r.env][stage]
}

// failedNote is the failure; the runner adds when the stage has no on-failure steps.
func (s *story) failedNote() string {
	if stage, names := s.onFailure(); stage != "" && len(names) == 0 {
		return engine.NoOnFailureText(s.failure(), stage)
	}
	return s.failure()
}

// rolledBackNote is the failure and the on-failure steps that ran, as the runner
// writes it.
func (s *story) rolledBackNote() string {
	_, names := s.onFailure()
	return engine.RanText(s.failure(), names...)
}

// rollbackFailure is how a demo's rollback that failed ended, in the runner's words.
const rollbackFailure = "exit 1"

// rollback records the on-failure steps of the failing stage as the runner does: an
// attempt each, one after the other between the failure and the finish, all passed
// when it rolled back; when it failed even so, the last of them failed, and its name
// is returned (a stage with on-failure steps runs them; only their failure leaves
// the deployment failed rather than rolled back).
func (s *story) rollback(passed bool) (failed string) {
	stage, names := s.onFailure()
	if len(names) == 0 {
		return ""
	}
	from := s.x.ts[s.fail]
	span := (s.r.finished - from) / int64(len(names)+1)
	ok, bad := 0, 1
	ran := 0
	for i, st := range s.mv.rollback[s.r.env] {
		if st.Stage != stage {
			continue
		}
		ran++
		start := from + span*int64(len(s.out.atts)) + span/4
		a := models.Attempt{Seq: len(s.steps) + i + 1, Attempt: 1, Status: models.StepDone,
			Holder: "demo", Host: "demo", StartedAt: time.Unix(start, 0).UTC(),
			FinishedAt: time.Unix(start+span*3/4, 0).UTC(), ExitCode: &ok}
		if !passed && ran == len(names) {
			a.Status, a.ExitCode, a.Detail, failed = models.StepFailed, &bad, rollbackFailure, st.Name
		}
		s.out.atts = append(s.out.atts, a)
	}
	return failed
}

// lessons are what a review of it may say was learned: nothing about a gate the
// model does not have, a rollback that did not happen or tests of another kind.
func (s *story) lessons(failed bool) []string {
	if failed {
		out := slices.Clone(failureLessons[s.c.c.Kind])
		if len(out) == 0 {
			out = slices.Clone(failureLessons[models.KindSoftware])
		}
		if models.Statuses[s.r.status] == models.StatusRolledBack {
			out = append(out, lessonRollback)
		}
		return out
	}
	out := reviewLessons
	if slices.ContainsFunc(s.steps, func(st models.Step) bool { return st.Kind == models.StepGate }) {
		out = append(slices.Clone(out), lessonGate)
	}
	return out
}

// incident opens an incident now and then, more often after failures and in later
// environments; one opened before Now, and resolved before Now if it was.
func (s *story) incident() {
	x, g, r, c := s.x, s.x.g, s.r, s.c
	status := models.Statuses[r.status]
	p := 0.18
	if status == models.StatusSucceeded {
		p = 0.009
		if len(c.path) == 1 {
			p = 0.03
		} else {
			p += 0.026 * float64(r.k) / float64(len(c.path)-1)
		}
	}
	if status == models.StatusCancelled || x.rnd.Float64() >= p {
		return
	}
	opened := r.finished + int64(5*60+x.rnd.ExpFloat64()*4*3600)
	if opened >= g.now {
		return
	}
	summary := x.incidentSummary(c, &s.out.d)
	in := &models.Incident{DeploymentID: s.out.d.ID, OpenedAt: time.Unix(opened, 0).UTC(), Summary: summary}
	fix := int64(math.Exp(math.Log(2*3600)+x.rnd.NormFloat64()) + 600)
	if resolved := opened + min(fix, 5*day); resolved < g.now {
		in.ResolvedAt = time.Unix(resolved, 0).UTC()
	}
	s.out.inc = in
	// recorded when it was opened: not resolved yet
	opening := models.Incident{OpenedAt: in.OpenedAt, Summary: summary}
	s.event(opened, x.pick(append(slices.Clone(g.managers), s.assignee)), engine.EventIncident,
		engine.IncidentText(opening, g.loc))
}

// review writes what was learned from most failures and a few successes, a few
// hours to days after the finish (before Now: the latest failures wait for theirs).
func (s *story) review() {
	x, g, r := s.x, s.x.g, s.r
	status := models.Statuses[r.status]
	failed := status == models.StatusFailed || status == models.StatusRolledBack
	p := 0.02
	switch {
	case failed:
		p = 0.6
	case s.out.inc != nil:
		p = 0.5
	}
	if status == models.StatusCancelled || !status.Final() || x.rnd.Float64() >= p {
		return
	}
	after := r.finished // after the finish and the last event (an incident opened)
	if n := len(s.out.events); n > 0 {
		after = max(after, s.out.events[n-1].At.Unix())
	}
	at := after + int64(3600+x.rnd.ExpFloat64()*24*3600)
	if at >= g.now {
		return
	}
	score := func(lo, hi int) int {
		if x.rnd.Float64() < 0.2 {
			return 0 // not answered
		}
		return lo + x.rnd.IntN(hi-lo+1)
	}
	rv := &models.Review{Outcome: models.OutcomeSuccessful, Satisfaction: score(3, 5), LeadTimeSatisfaction: score(2, 5),
		Quality: score(3, 5), Reviewer: s.requester, ReviewedAt: time.Unix(at, 0).UTC(), Model: s.out.d.Model,
		ModelVersion: s.out.d.ModelVersion, Lessons: x.pick(s.lessons(failed))}
	if s.out.inc != nil {
		rv.Outcome = models.OutcomeWithIssues
	}
	if failed {
		rv.Outcome, rv.Satisfaction, rv.Quality = models.OutcomeUnsuccessful, score(1, 3), score(1, 3)
		if cats := g.cfg.FailureCategories; len(cats) > 0 {
			rv.Category = x.pick(cats)
		}
	}
	if rv.Reviewer == "" {
		rv.Reviewer = x.pick(g.managers)
	}
	s.out.rev = rv
	s.event(at, rv.Reviewer, engine.EventReview, engine.ReviewText(*rv, false))
}

func stageStatus(s models.Stage) models.Status {
	switch s {
	case models.StageVerifyComponents:
		return models.StatusVerifyingComponents
	case models.StageVerifyEnvironment:
		return models.StatusVerifyingEnvironment
	case models.StageExecute:
		return models.StatusExecuting
	}
	return models.StatusVerifyingDeployment
}

// failingStep picks the step that failed: automated steps fail most, approvals are
// rarely refused; only in the stages in accepts, when it is set.
func (x *expander) failingStep(steps []models.Step, accepts func(models.Stage) bool) int {
	total := 0.0
	w := func(s models.Step) float64 {
		if accepts != nil && !accepts(s.Stage) {
			return 0
		}
		switch s.Kind {
		case models.StepAutomated:
			return 3
		case models.StepGate:
			return 0.3
		}
		return 1
	}
	for _, s := range steps {
		total += w(s)
	}
	if total == 0 {
		return len(steps) - 1
	}
	u := x.rnd.Float64() * total
	for i, s := range steps {
		if u -= w(s); u < 0 && w(s) > 0 {
			return i
		}
	}
	return len(steps) - 1
}

// failure is an automated step's exit code and note.
func (x *expander) failure(s models.Step) (int, string) {
	switch s.Check {
	case "http":
		code := []int{500, 502, 503, 503, 404}[x.rnd.IntN(5)]
		return 1, fmt.Sprintf("%s answered %d, expected %d", s.URL, code, cmp.Or(s.ExpectStatus, 200))
	case "checksum":
		return 1, "checksum mismatch: artifact differs from the declared sha256"
	}
	switch u := x.rnd.Float64(); {
	case u < 0.15 && s.Timeout > 0:
		return 124, "timed out after " + models.ShortDuration(s.Timeout)
	case u < 0.25:
		return 137, "killed (out of memory)"
	case u < 0.45:
		return 2, "exit 2"
	}
	return 1, "exit 1" // as the runner says it: the record's page shows the exit code once
}

func (x *expander) incidentSummary(c *compInfo, d *models.Deployment) string {
	list := incidentTexts[c.c.Kind]
	if len(list) == 0 {
		list = incidentTexts[models.KindSoftware]
	}
	return fmt.Sprintf(list[x.rnd.IntN(len(list))], d.Component, d.Version, d.Environment)
}

// plannedText is the "planned" event's detail of d, planned for assignee.
func plannedText(d models.Deployment, assignee string, loc *time.Location) string {
	d.Assignee = assignee
	return engine.PlannedText(d, loc)
}
