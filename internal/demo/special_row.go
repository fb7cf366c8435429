package demo

import (
	"cmp"
	"slices"
	"time"

	"ferry/engine"
	"ferry/engine/schedule"
	"ferry/models"
)

// special is a deployment around Now while it becomes a row.
type special struct {
	g     *gen
	w     *want
	mv    *mvInfo
	env   int
	steps []models.Step
	r     *row
}

// stepState is where a running deployment's step stands, and who did it.
type stepState struct {
	status models.StepStatus
	note   string
	actor  string // a gate's approver
}

// specialRow builds a deployment around Now: planned (steps pending) or running
// (earlier stages done, the current one partly ticked, perhaps blocked).
func (g *gen) specialRow(w *want) *row {
	mv := g.mvs[w.c.mvCur]
	env := w.c.path[w.k]
	sp := &special{g: g, w: w, mv: mv, env: env, steps: mv.steps[env], r: &row{mvID: mv.id}}
	sp.deployment()
	sp.planned()
	if w.status == models.StatusPlanned {
		for i := range sp.steps {
			sp.r.steps = append(sp.r.steps, stepRow{seq: i + 1, status: models.StepPending})
		}
		return sp.r
	}
	sp.running()
	return sp.r
}

func (sp *special) deployment() {
	g, w, c, mv := sp.g, sp.w, sp.w.c, sp.mv
	sp.r.d = models.Deployment{Model: mv.m.Name, ModelVersion: mv.m.Version, Service: c.c.Service, Component: c.c.Name,
		Kind: c.c.Kind, Version: formatVer(w.ver, c.threePart), Action: models.ActionDeploy,
		Environment: g.envs[sp.env].e.Name, Status: w.status, Assignee: w.assignee, Requester: w.requester, PlannedBy: w.requester,
		ChangeRef: changeRef(w.chgYear, w.chg), ScheduledStart: time.Unix(w.start, 0).UTC(),
		ScheduledEnd: time.Unix(w.end, 0).UTC(), CreatedAt: time.Unix(w.created, 0).UTC(),
		UpdatedAt: time.Unix(w.created, 0).UTC(), StepsTotal: len(sp.steps)}
}

// event records an event; the deployment was last updated then.
func (sp *special) event(at int64, actor, typ, detail string) {
	sp.r.events = append(sp.r.events, models.Event{At: time.Unix(at, 0).UTC(), Actor: actor, Type: typ, Detail: detail})
	sp.r.d.UpdatedAt = time.Unix(at, 0).UTC()
}

// planned records the plan; some were first assigned to someone else.
func (sp *special) planned() {
	g, w := sp.g, sp.w
	first := w.assignee
	if w.reassigned {
		first = g.pick(g.assigneeFor(w.c))
	}
	sp.event(w.created, w.requester, engine.EventPlanned, plannedText(sp.r.d, first, g.loc))
	if first != w.assignee {
		sp.event(min(w.created+int64(1+g.rng.IntN(20))*hour, g.now-minute), g.pick(g.managers), engine.EventAssigned,
			engine.AssignedText(first, w.assignee))
	}
}

// running starts the deployment a little after its start: everything before the
// current stage is done, part of it too.
func (sp *special) running() {
	g, w := sp.g, sp.w
	started := w.start + int64(g.rng.IntN(8))*minute
	started = min(started, g.now-10*minute)
	sp.r.d.StartedAt = time.Unix(started, 0).UTC()
	curIdx := slices.Index(models.Stages, w.status.Stage())
	states := sp.stepStates(curIdx)
	times := sp.stepTimes(states, started)
	sp.record(states, times, started, curIdx)
	sp.stepRuns(states, times)
}

// stepStates says which steps are done: those of earlier stages, and w.done of the
// current one; the next one there is running (automated), blocked or pending.
func (sp *special) stepStates(curIdx int) []stepState {
	w := sp.w
	states := make([]stepState, len(sp.steps))
	inStage := 0
	for i, s := range sp.steps {
		si := slices.Index(models.Stages, s.Stage)
		switch {
		case si < curIdx:
			states[i].status = models.StepDone
		case si == curIdx:
			states[i].status = models.StepPending
			switch {
			case inStage < w.done:
				states[i].status = models.StepDone
			case inStage > w.done: // not reached yet: pending
			case w.blocked:
				states[i] = stepState{status: models.StepBlocked, note: "no power on PDU B"}
			case s.Kind == models.StepAutomated:
				// Its runner is gone: a demo has none, and a step shown running
				// with nothing running it could never end.
				states[i] = stepState{status: models.StepInterrupted, note: engine.InterruptedNote(engine.RunnerStopped)}
			}
			inStage++
		default:
			states[i].status = models.StepPending
		}
	}
	return states
}

// stepTimes spreads the steps that are done (and the blocked one) from started until
// a few minutes ago.
func (sp *special) stepTimes(states []stepState, started int64) []int64 {
	var active []int
	for i := range states {
		if states[i].status != models.StepPending {
			active = append(active, i)
		}
	}
	times := make([]int64, len(states))
	span := sp.g.now - 3*minute - started
	for j, i := range active {
		times[i] = started + span*int64(j+1)/int64(len(active)+1)
	}
	return times
}

// record writes every stage entered up to the current one, with what was done in it.
func (sp *special) record(states []stepState, times []int64, started int64, curIdx int) {
	mover := sp.w.assignee
	if sp.mv.automated[sp.env] {
		mover = "ferry"
	}
	cur := models.StatusPlanned
	at := started
	for si, st := range models.Stages {
		if si > curIdx {
			break
		}
		next := stageStatus(st)
		actor := mover
		if cur == models.StatusPlanned {
			actor = sp.starter(started)
		}
		sp.event(at, actor, engine.EventStatus, engine.StatusText(cur, next, ""))
		cur = next
		for i, s := range sp.steps {
			if s.Stage != st || states[i].status == models.StepPending {
				continue
			}
			at = max(at, times[i])
			sp.recordStep(i, &states[i], times[i])
		}
		at += 20
	}
}

// starter is who started it: its assignee, or outside the maintenance windows its
// environment requires, a manager who overrode that control (a technician may not),
// with the reason on the record and among its findings, as the engine keeps them.
func (sp *special) starter(started int64) string {
	g, env := sp.g, sp.g.envs[sp.env].e
	if !engine.NoWindowOpen(env, time.Unix(started, 0), g.loc) { // the engine's rule at the start
		return sp.w.assignee
	}
	who, rule := g.managers[0], string(models.ConflictMaintenance)
	reason := "urgent: the requester accepts the risk"
	if sp.r.d.Kind == models.KindHardware {
		reason = "racking touches no running service; it goes live in the next window"
	}
	sp.event(started, who, engine.EventOverride, engine.OverrideText(rule, reason))
	sp.r.over = &startOver{env: env, who: who, reason: reason, at: started}
	return who
}

// startOver is a manager's override of the maintenance rule at a start.
type startOver struct {
	env         models.Environment
	who, reason string
	at          int64
}

// overFindings is what the engine keeps of r's override at its start, once r has
// its ID: the rule broken at that moment and the conflicts its plan was in with its
// environment's windows, each overridden and each kept as one it started in.
func (g *gen) overFindings(r *row) []models.Finding {
	o := r.over
	it := schedule.Item{ID: r.d.ID, Environment: o.env.Name, Start: r.d.ScheduledStart, End: r.d.ScheduledEnd}
	cs := schedule.WindowRules(it, schedule.World{Loc: g.loc, Envs: map[string]models.Environment{o.env.Name: o.env}})
	for i := range cs {
		cs[i].ID, cs[i].Status = engine.ConflictID(cs[i].Key), models.ConflictOpen
	}
	broken := append([]engine.Break{{Rule: string(models.ConflictMaintenance), Message: engine.NoWindowOpenText(o.env.Name)}},
		engine.ConflictBreaks(cs)...)
	return engine.StartFindings(r.d, cs, nil, broken, o.reason, models.Person{Name: o.who}, time.Unix(o.at, 0).UTC())
}

// recordStep writes the event of a step that is not pending: an approval, the block,
// or a tick, some with a note (every one on hardware). Automated steps have none.
func (sp *special) recordStep(i int, state *stepState, at int64) {
	g, w, s := sp.g, sp.w, sp.steps[i]
	switch {
	case s.Kind == models.StepAutomated && state.status == models.StepInterrupted:
		sp.event(at, engine.SystemActor, engine.EventStep, engine.InterruptedText(i+1, s.Name, 1, engine.RunnerStopped, 0))
	case s.Kind == models.StepAutomated:
	case s.Kind == models.StepGate:
		who := sp.mv.approvers[s.Name]
		state.actor = g.pick(who)
		if state.actor == w.requester && !sp.mv.m.SelfApproval && len(who) > 1 {
			state.actor = who[(slices.Index(who, state.actor)+1)%len(who)]
		}
		sp.event(at, state.actor, engine.EventStep, engine.ApprovedText(i+1, s.Name, ""))
	case state.status == models.StepBlocked:
		sp.event(at, w.assignee, engine.EventStep, engine.BlockedText(i+1, s.Name, state.note))
	default:
		if w.c.c.Kind == models.KindHardware || g.rng.Float64() < 0.3 {
			state.note = tickNotes[g.rng.IntN(len(tickNotes))]
		}
		sp.event(at, w.assignee, engine.EventStep, engine.TickedText(i+1, s.Name, state.note))
	}
}

// stepRuns makes the step runs from the states.
func (sp *special) stepRuns(states []stepState, times []int64) {
	for i, s := range sp.steps {
		sr := stepRow{seq: i + 1, status: states[i].status, note: states[i].note}
		if sr.status != models.StepPending {
			sr.at = times[i]
			switch s.Kind {
			case models.StepAutomated:
				sr.actor = "ferry"
				sr.hasExit = sr.status == models.StepDone
			case models.StepGate:
				sr.actor = cmp.Or(states[i].actor, sp.g.managers[0])
			default:
				sr.actor = sp.w.assignee
			}
		}
		if sr.status == models.StepDone || sr.status == models.StepSkipped {
			sp.r.d.StepsDone++
		}
		sp.r.steps = append(sp.r.steps, sr)
	}
}
