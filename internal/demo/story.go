package demo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

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

func (x *expander) expand(r *rec, id int64, out *row) {
	g := x.g
	x.pcg.Seed(g.seed^0xd1b5_4a32_d192_ed03, uint64(r.order))
	c := g.comps[r.comp]
	mv := g.mvs[r.mv]
	env := g.envs[r.env]
	status := models.Statuses[r.status]
	steps := mv.steps[r.env]

	assignee := x.pick(g.assigneeFor(c))
	var requester string
	if r.k == 0 && c.c.Kind == models.KindSoftware && x.rnd.Float64() < 0.8 {
		requester = x.pick(g.practs)
	} else if x.rnd.Float64() < 0.6 {
		requester = x.pick(g.managers)
	} else {
		requester = x.pick(g.reqs)
	}
	action := models.ActionDeploy
	if r.remove {
		action = models.ActionRemove
	}
	*out = row{mvID: mv.id, steps: out.steps[:0], events: out.events[:0]}
	d := &out.d
	*d = models.Deployment{ID: id, Model: mv.m.Name, ModelVersion: mv.m.Version, Service: c.c.Service,
		Component: c.c.Name, Kind: c.c.Kind, Version: formatVer(r.ver, c.threePart), Action: action,
		Environment: env.e.Name, Status: status, Assignee: assignee, Requester: requester,
		ChangeRef: changeRef(r.chgYear, r.chg), ScheduledStart: time.Unix(r.start, 0).UTC(),
		ScheduledEnd: time.Unix(r.end, 0).UTC(), CreatedAt: time.Unix(r.created, 0).UTC(),
		UpdatedAt: time.Unix(r.finished, 0).UTC(), StepsTotal: len(steps)}
	if r.started != 0 {
		d.StartedAt = time.Unix(r.started, 0).UTC()
	}
	d.FinishedAt = time.Unix(r.finished, 0).UTC()

	ev := func(at int64, actor, typ, detail string) {
		out.events = append(out.events, models.Event{DeploymentID: id, At: time.Unix(at, 0).UTC(), Actor: actor, Type: typ, Detail: detail})
	}
	first := assignee
	reassignAt := int64(0)
	if x.rnd.Float64() < 0.04 {
		first = x.pickOther(g.assigneeFor(c), assignee)
		end := r.finished
		if r.started != 0 {
			end = r.started
		}
		reassignAt = x.between(r.created+minute, end-minute)
	}
	ev(r.created, requester, "planned", g.plannedDetail(d, first))
	if first != assignee {
		ev(reassignAt, x.pick(g.managers), "assigned", first+" → "+assignee)
	}
	automatedHere := mv.automated[r.env]
	mover := assignee
	if automatedHere {
		mover = "ferry"
	}
	if status == models.StatusCancelled && r.started == 0 {
		for i := range steps {
			out.steps = append(out.steps, stepRow{seq: i + 1, status: models.StepPending})
		}
		ev(r.finished, x.pick(append([]string{requester}, g.managers...)), "cancelled",
			"planned → cancelled: "+cancelReasons[x.rnd.IntN(len(cancelReasons))])
		return
	}

	// How far it got: done steps, the failing one, and where it stopped.
	n := len(steps)
	doneN, fail := n, -1
	switch status {
	case models.StatusFailed:
		fail = x.failingStep(steps, false)
	case models.StatusRolledBack:
		fail = x.failingStep(steps, true)
	case models.StatusCancelled:
		// stopped during verification
		last := 0
		for last < n && (steps[last].Stage == models.StageVerifyComponents || steps[last].Stage == models.StageVerifyEnvironment) {
			last++
		}
		doneN = x.rnd.IntN(last + 1)
	}
	if fail >= 0 {
		doneN = fail
	}
	executed := doneN
	if fail >= 0 {
		executed++
	}
	// step times spread evenly over the run
	x.ts = x.ts[:0]
	span := r.finished - r.started
	for i := range executed {
		x.ts = append(x.ts, r.started+span*int64(i+1)/int64(executed+1))
	}
	stopStage := models.StageVerifyDeployment
	switch {
	case fail >= 0:
		stopStage = steps[fail].Stage
	case status == models.StatusCancelled:
		stopStage = models.StageVerifyComponents
		if doneN < n && doneN > 0 {
			stopStage = steps[doneN].Stage
		} else if doneN > 0 {
			stopStage = steps[doneN-1].Stage
		}
		if stopStage != models.StageVerifyComponents && stopStage != models.StageVerifyEnvironment {
			stopStage = models.StageVerifyEnvironment
		}
	}
	gateApprover := func(s models.Step) string {
		who := mv.approvers[s.Name]
		if mv.m.SelfApproval {
			return x.pick(who)
		}
		return x.pickOther(who, requester)
	}
	for i, s := range steps {
		sr := stepRow{seq: i + 1, status: models.StepPending}
		switch {
		case i < doneN:
			sr.status, sr.at = models.StepDone, x.ts[i]
			switch s.Kind {
			case models.StepAutomated:
				sr.actor, sr.hasExit = "ferry", true
			case models.StepGate:
				sr.actor = gateApprover(s)
			default:
				sr.actor = assignee
				if x.rnd.Float64() < 0.05 {
					sr.note = tickNotes[x.rnd.IntN(len(tickNotes))]
				}
			}
		case i == fail:
			sr.status, sr.at = models.StepFailed, x.ts[i]
			sr.actor = assignee
			if s.Kind == models.StepAutomated {
				sr.actor, sr.hasExit = "ferry", true
				sr.exit, sr.note = x.failure(s)
			} else if s.Kind == models.StepGate {
				sr.actor = gateApprover(s)
				sr.note = "approval refused: " + refusals[x.rnd.IntN(len(refusals))]
			} else {
				sr.note = manualFailures[x.rnd.IntN(len(manualFailures))]
			}
		case status == models.StatusRolledBack:
			sr.status = models.StepSkipped
		}
		out.steps = append(out.steps, sr)
		if sr.status == models.StepDone || sr.status == models.StepSkipped {
			d.StepsDone++
		}
	}

	// The record: every stage entered, ticks and approvals, the end.
	cur := models.StatusPlanned
	at := r.started
	i := 0
	for _, stage := range models.Stages {
		next := stageStatus(stage)
		actor := mover
		if cur == models.StatusPlanned {
			actor = assignee
		}
		ev(min(at, r.finished), actor, "status", string(cur)+" → "+string(next))
		cur = next
		for ; i < n && steps[i].Stage == stage && i < doneN; i++ {
			at = x.ts[i]
			switch steps[i].Kind {
			case models.StepManual:
				detail := "ticked " + strconv.Itoa(i+1) + " " + strconv.Quote(steps[i].Name)
				if note := out.steps[i].note; note != "" {
					detail += ": " + note
				}
				ev(at, assignee, "step", detail)
			case models.StepGate:
				ev(at, out.steps[i].actor, "step", "approved "+strconv.Itoa(i+1)+" "+strconv.Quote(steps[i].Name))
			}
		}
		if stage == stopStage {
			break
		}
		at += 20
	}
	what, failActor, how := "aborted by "+assignee, assignee, "rolled back by hand"
	if fail >= 0 {
		s := steps[fail]
		what = "step " + strconv.Itoa(fail+1) + " " + strconv.Quote(s.Name) + ": " + out.steps[fail].note
		if s.Kind == models.StepAutomated {
			failActor = "ferry"
		}
		if name, ok := mv.onFailure[s.Stage]; ok {
			how = "ran " + strconv.Quote(name)
		}
	}
	switch status {
	case models.StatusSucceeded:
		ev(r.finished, mover, "status", string(cur)+" → succeeded")
	case models.StatusFailed:
		ev(r.finished, failActor, "status", string(cur)+" → failed: "+what)
	case models.StatusRolledBack:
		ev(r.finished, assignee, "status", string(cur)+" → rolled_back: "+what+"; "+how)
	case models.StatusCancelled:
		ev(r.finished, assignee, "cancelled", string(cur)+" → cancelled: "+cancelReasons[x.rnd.IntN(len(cancelReasons))])
	}

	// An incident now and then, more often after failures and in later environments.
	p := 0.18
	if status == models.StatusSucceeded {
		p = 0.009
		if len(c.path) == 1 {
			p = 0.03
		} else {
			p += 0.026 * float64(r.k) / float64(len(c.path)-1)
		}
	}
	if status != models.StatusCancelled && x.rnd.Float64() < p {
		opened := r.finished + int64(5*60+x.rnd.ExpFloat64()*4*3600)
		if opened < g.now {
			summary := x.incidentSummary(c, d)
			in := &models.Incident{DeploymentID: id, OpenedAt: time.Unix(opened, 0).UTC(), Summary: summary}
			fix := int64(math.Exp(math.Log(2*3600)+x.rnd.NormFloat64()) + 600)
			if resolved := opened + min(fix, 5*day); resolved < g.now {
				in.ResolvedAt = time.Unix(resolved, 0).UTC()
			}
			out.inc = in
			ev(opened, x.pick(append(slices.Clone(g.managers), assignee)), "incident", "incident opened: "+summary)
		}
	}
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
// rarely refused; a rollback needs the failure in execution or verification.
func (x *expander) failingStep(steps []models.Step, late bool) int {
	total := 0.0
	w := func(s models.Step) float64 {
		if late && s.Stage != models.StageExecute && s.Stage != models.StageVerifyDeployment {
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
		return 124, "timed out after " + s.Timeout.String()
	case u < 0.25:
		return 137, "killed (out of memory)"
	case u < 0.45:
		return 2, "exit code 2"
	}
	if s.Retries > 0 {
		return 1, fmt.Sprintf("exit code 1 after %d retries", s.Retries)
	}
	return 1, "exit code 1"
}

func (x *expander) incidentSummary(c *compInfo, d *models.Deployment) string {
	list := incidentTexts[c.c.Kind]
	if len(list) == 0 {
		list = incidentTexts[models.KindSoftware]
	}
	return fmt.Sprintf(list[x.rnd.IntN(len(list))], d.Component, d.Version, d.Environment)
}

// plannedDetail is the "planned" event's text, as the engine writes it.
func (g *gen) plannedDetail(d *models.Deployment, assignee string) string {
	s := fmt.Sprintf("%s v%d: %s %s %s → %s, %s – %s", d.Model, d.ModelVersion, d.Action, d.Component,
		d.Version, d.Environment, d.ScheduledStart.In(g.loc).Format("2006-01-02 15:04 MST"),
		d.ScheduledEnd.In(g.loc).Format("15:04 MST"))
	if assignee != "" {
		s += ", assignee " + assignee
	}
	return s
}
