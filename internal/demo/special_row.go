package demo

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"ferry/models"
)

// specialRow builds a deployment around Now: planned (steps pending) or running
// (earlier stages done, the current one partly ticked, perhaps blocked).
func (g *gen) specialRow(w *want) *row {
	c := w.c
	env := c.path[w.k]
	mvi := c.mvCur
	mv := g.mvs[mvi]
	steps := mv.steps[env]
	d := models.Deployment{Model: mv.m.Name, ModelVersion: mv.m.Version, Service: c.c.Service, Component: c.c.Name,
		Kind: c.c.Kind, Version: formatVer(w.ver, c.threePart), Action: models.ActionDeploy,
		Environment: g.envs[env].e.Name, Status: w.status, Assignee: w.assignee, Requester: w.requester,
		ChangeRef: changeRef(w.chgYear, w.chg), ScheduledStart: time.Unix(w.start, 0).UTC(),
		ScheduledEnd: time.Unix(w.end, 0).UTC(), CreatedAt: time.Unix(w.created, 0).UTC(),
		UpdatedAt: time.Unix(w.created, 0).UTC(), StepsTotal: len(steps)}
	r := &row{mvID: mv.id}
	ev := func(at int64, actor, typ, detail string) {
		r.events = append(r.events, models.Event{At: time.Unix(at, 0).UTC(), Actor: actor, Type: typ, Detail: detail})
		d.UpdatedAt = time.Unix(at, 0).UTC()
	}
	first := w.assignee
	if w.reassigned {
		first = g.pick(g.assigneeFor(c))
	}
	ev(w.created, w.requester, "planned", g.plannedDetail(&d, first))
	if first != w.assignee {
		ev(min(w.created+int64(1+g.rng.IntN(20))*hour, g.now-minute), g.pick(g.managers), "assigned", first+" → "+w.assignee)
	}
	if w.status == models.StatusPlanned {
		for i := range steps {
			r.steps = append(r.steps, stepRow{seq: i + 1, status: models.StepPending})
		}
		r.d = d
		return r
	}

	// Running: everything before the current stage is done, part of it too.
	started := w.start + int64(g.rng.IntN(8))*minute
	started = min(started, g.now-10*minute)
	d.StartedAt = time.Unix(started, 0).UTC()
	stage := w.status.Stage()
	curIdx := slices.Index(models.Stages, stage)
	type state struct {
		status models.StepStatus
		note   string
	}
	states := make([]state, len(steps))
	inStage := 0
	for i, s := range steps {
		si := slices.Index(models.Stages, s.Stage)
		switch {
		case si < curIdx:
			states[i].status = models.StepDone
		case si == curIdx:
			if inStage < w.done {
				states[i].status = models.StepDone
			} else if inStage == w.done {
				switch {
				case w.blocked:
					states[i] = state{models.StepBlocked, "no power on PDU B"}
				case s.Kind == models.StepAutomated:
					states[i].status = models.StepRunning
				default:
					states[i].status = models.StepPending
				}
			} else {
				states[i].status = models.StepPending
			}
			inStage++
		default:
			states[i].status = models.StepPending
		}
	}
	// times: the steps that are done (and the blocked one) spread until a few minutes ago
	var active []int
	for i := range steps {
		if states[i].status != models.StepPending {
			active = append(active, i)
		}
	}
	times := make([]int64, len(steps))
	span := g.now - 3*minute - started
	for j, i := range active {
		times[i] = started + span*int64(j+1)/int64(len(active)+1)
	}
	mover := w.assignee
	if mv.automated[env] {
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
			actor = w.assignee
		}
		ev(at, actor, "status", string(cur)+" → "+string(next))
		cur = next
		for i, s := range steps {
			if s.Stage != st || states[i].status == models.StepPending {
				continue
			}
			at = max(at, times[i])
			sr := stepRow{seq: i + 1, status: states[i].status, at: times[i], note: states[i].note}
			switch {
			case s.Kind == models.StepAutomated:
				sr.actor = "ferry"
				if sr.status == models.StepDone {
					sr.hasExit = true
				}
			case s.Kind == models.StepGate:
				who := mv.approvers[s.Name]
				sr.actor = g.pick(who)
				if sr.actor == w.requester && !mv.m.SelfApproval && len(who) > 1 {
					sr.actor = who[(slices.Index(who, sr.actor)+1)%len(who)]
				}
				ev(times[i], sr.actor, "step", "approved "+strconv.Itoa(i+1)+" "+strconv.Quote(s.Name))
			case sr.status == models.StepBlocked:
				sr.actor = w.assignee
				ev(times[i], w.assignee, "step", "blocked "+strconv.Itoa(i+1)+" "+strconv.Quote(s.Name)+": "+sr.note)
			default:
				sr.actor = w.assignee
				if c.c.Kind == models.KindHardware || g.rng.Float64() < 0.3 {
					sr.note = tickNotes[g.rng.IntN(len(tickNotes))]
				}
				detail := "ticked " + strconv.Itoa(i+1) + " " + strconv.Quote(s.Name)
				if sr.note != "" {
					detail += ": " + sr.note
				}
				ev(times[i], w.assignee, "step", detail)
			}
			states[i].note = sr.note
		}
		at += 20
	}
	for i := range steps {
		sr := stepRow{seq: i + 1, status: states[i].status, note: states[i].note}
		if sr.status != models.StepPending {
			sr.at = times[i]
			switch steps[i].Kind {
			case models.StepAutomated:
				sr.actor = "ferry"
				sr.hasExit = sr.status == models.StepDone
			case models.StepGate:
				sr.actor = lastActor(r.events, i+1, g.managers[0])
			default:
				sr.actor = w.assignee
			}
		}
		if sr.status == models.StepDone || sr.status == models.StepSkipped {
			d.StepsDone++
		}
		r.steps = append(r.steps, sr)
	}
	r.d = d
	return r
}

// lastActor is who approved step seq according to the events, else def.
func lastActor(events []models.Event, seq int, def string) string {
	prefix := "approved " + strconv.Itoa(seq) + " "
	for _, e := range slices.Backward(events) {
		if strings.HasPrefix(e.Detail, prefix) {
			return e.Actor
		}
	}
	return def
}
