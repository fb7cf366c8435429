package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"ferry/engine/notify"
	"ferry/models"
	"ferry/store"
)

// A notice is something that happened that people may need to be told. The engine
// raises one inside the write transaction of the act that caused it; rules
// ([[notify.rule]]) decide which channels and people get it, and the messages go
// into the outbox in that same transaction. Nothing is sent here: the deliverer
// sends afterwards, so a slow or failing channel never holds up a deployment.
type notice struct {
	typ     string
	key     string // what happened, once: a second notice with the key adds nothing
	env     string
	d       *models.Deployment  // the deployment it is about: its requester and assignee
	others  []models.Deployment // more deployments whose requester and assignee count
	actor   string
	summary string
	text    string       // its own part of the text (Event.Detail)
	ev      notify.Event // the parts particular to the event (Step, Conflict, …)
}

// wantsNotice reports whether any rule takes event typ: without one, raising it
// costs nothing.
func (e *Engine) wantsNotice(typ string) bool { return e.notifyWants[typ] }

func (e *Engine) indexRules() {
	e.notifyWants = map[string]bool{}
	for _, r := range e.cfg.Notify.Rules {
		for _, ev := range r.Events {
			e.notifyWants[ev] = true
		}
	}
}

// mayRepeat are the events that can be raised again with the same key; the others
// are raised once by what they are (a status reached, an act at its time).
var mayRepeat = map[string]bool{models.NotifyConflictNew: true, models.NotifyGateWaiting: true,
	models.NotifyOverdue: true, models.NotifyOverrun: true, models.NotifyFreezeAhead: true, models.NotifyReviewDue: true}

// MessageKey is a message's idempotency key: the event's key, the channel and the
// recipient, hashed, so it is the same however often the message is tried.
func MessageKey(eventKey, channel, recipient string) string {
	sum := sha256.Sum256([]byte(eventKey + "\x00" + channel + "\x00" + recipient))
	return hex.EncodeToString(sum[:16])
}

// channelTargets is who one channel tells about one notice.
type channelTargets struct {
	ch     models.Channel
	people []models.Person
	seen   map[string]bool
}

// raise writes a notice's messages to the outbox through q (a write transaction).
func (e *Engine) raise(ctx context.Context, q store.Q, n notice) error {
	if !e.wantsNotice(n.typ) {
		return nil
	}
	var targets []*channelTargets
	byName := map[string]*channelTargets{}
	for _, r := range e.cfg.Notify.Rules {
		if !r.Matches(n.typ, n.env) {
			continue
		}
		t := byName[r.Channel]
		if t == nil {
			ch, ok := e.cfg.Notify.Channel(r.Channel)
			if !ok {
				continue
			}
			t = &channelTargets{ch: ch, seen: map[string]bool{}}
			byName[r.Channel] = t
			targets = append(targets, t)
		}
		for _, to := range r.To {
			for _, p := range e.recipients(to, n) {
				if !t.seen[p.Name] {
					t.seen[p.Name] = true
					t.people = append(t.people, p)
				}
			}
		}
	}
	if len(targets) == 0 {
		return nil
	}
	if mayRepeat[n.typ] {
		// The same thing may be seen again (a conflict at the next check, a gate after
		// another act, a rescan): told once, whoever its people are by then.
		stored, err := q.EventsStored(ctx, []string{n.key})
		if err != nil || stored[n.key] {
			return err
		}
	}
	payload, msgs, err := e.messages(n, targets)
	if err != nil || len(msgs) == 0 {
		return err
	}
	// A message that cannot be sent (no address) is stored dead at once, so that
	// managers see the channel failing; the rest are one row, however many: the
	// deliverer spreads it into the outbox in its own transaction (SpreadNotices).
	var pending, dead []store.OutboxMessage
	for _, m := range msgs {
		if m.Status == models.OutboxDead {
			dead = append(dead, m)
		} else {
			pending = append(pending, m)
		}
	}
	if len(dead) > 0 {
		if err := q.AddOutbox(ctx, dead...); err != nil {
			return err
		}
	}
	if len(pending) == 0 {
		return nil
	}
	return q.AddNotice(ctx, store.Notice{Key: n.key, Repeat: mayRepeat[n.typ], Event: n.typ, DeploymentID: n.deploymentID(),
		At: pending[0].At, Payload: payload, CreatedAt: pending[0].CreatedAt, Messages: pending})
}

// spreadNotices moves the notices acts wrote into the outbox, one message a row (a
// write only when there are some). Whatever reads the outbox calls it first.
func (e *Engine) spreadNotices(ctx context.Context) error {
	has, err := e.st.Read().HasNotices(ctx)
	if err != nil || !has {
		return err
	}
	return e.st.Write(ctx, func(q store.Q) error {
		_, err := q.SpreadNotices(ctx)
		return err
	})
}

func (n notice) deploymentID() int64 {
	if n.d == nil {
		return 0
	}
	return n.d.ID
}

// enqueue stores the notice's messages straight in the outbox, where the caller can
// find them in the same transaction (a test message, sent at once).
func (e *Engine) enqueue(ctx context.Context, q store.Q, n notice, targets []*channelTargets) error {
	_, msgs, err := e.messages(n, targets)
	if err != nil {
		return err
	}
	return q.AddOutbox(ctx, msgs...)
}

// messages are the notice's messages, one per channel (per recipient for email): the
// event as it is now (its JSON, without the text, which the deliverer writes), the
// channel and who. A message whose key is stored already (event, channel, recipient)
// is not added again.
func (e *Engine) messages(n notice, targets []*channelTargets) ([]byte, []store.OutboxMessage, error) {
	ev := n.ev
	ev.Type, ev.Key, ev.At, ev.Summary, ev.Detail, ev.Actor, ev.Environment = n.typ, n.key, e.Now(), n.summary, n.text, n.actor, n.env
	if n.d != nil {
		ev.Deployment = eventDeployment(*n.d)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, nil, err
	}
	msg := store.OutboxMessage{EventKey: n.key, Event: n.typ, DeploymentID: n.deploymentID(), At: ev.At, Payload: payload, CreatedAt: time.Now()}
	var msgs []store.OutboxMessage
	for _, t := range targets {
		msg.Channel, msg.Address, msg.Status, msg.LastError = t.ch.Name, "", "", ""
		if t.ch.Type == models.ChannelEmail {
			for _, p := range t.people {
				// Each its own: one without an address marked those after it dead too.
				msg.Recipient, msg.Address, msg.Status, msg.LastError = p.Name, p.Email, "", ""
				if p.Email == "" {
					msg.Status, msg.LastError = models.OutboxDead, fmt.Sprintf("%s has no email in %s", p.Name, e.cfg.File)
				}
				msgs = append(msgs, msg)
			}
			continue
		}
		names := make([]string, len(t.people))
		for i, p := range t.people {
			names[i] = p.Name
		}
		msg.Recipient = strings.Join(names, ",")
		msgs = append(msgs, msg)
	}
	return payload, msgs, nil
}

// messageOf rebuilds the message to send from its outbox row: the event as stored,
// its text written now (the event's own part, then the deployment's facts), its
// recipients as config has them.
func (e *Engine) messageOf(m store.OutboxMessage) (notify.Message, error) {
	var ev notify.Event
	if err := json.Unmarshal(m.Payload, &ev); err != nil {
		return notify.Message{}, &notify.Error{Err: fmt.Errorf("event %s: %w", m.EventKey, err), Permanent: true}
	}
	ev.Text = ev.Detail
	if ev.Deployment != nil {
		if ev.Text != "" {
			ev.Text += "\n\n"
		}
		ev.Text += e.facts(*ev.Deployment)
	}
	var to []notify.Recipient
	if m.Recipient != "" {
		for _, name := range strings.Split(m.Recipient, ",") {
			r := notify.Recipient{Name: name}
			if p, ok := e.cfg.Person(name); ok {
				r = notify.Recipient{Name: p.Name, FullName: p.FullName, Email: p.Email, Slack: p.Slack}
			}
			if m.Address != "" {
				r.Email = m.Address
			}
			to = append(to, r)
		}
	}
	return notify.NewMessage(ev, MessageKey(m.EventKey, m.Channel, m.Recipient), m.Channel, to, m.Address)
}

// recipients resolves one "to" of a rule for a notice.
func (e *Engine) recipients(to string, n notice) []models.Person {
	var names []string
	deps := n.others
	if n.d != nil {
		deps = append([]models.Deployment{*n.d}, n.others...)
	}
	switch {
	case to == models.ToRequester:
		for _, d := range deps {
			names = append(names, d.Requester)
		}
	case to == models.ToAssignee:
		for _, d := range deps {
			names = append(names, d.Assignee)
		}
	case strings.HasPrefix(to, models.ToRole):
		return e.cfg.PeopleWithRole(models.Role(strings.TrimPrefix(to, models.ToRole)))
	case strings.HasPrefix(to, models.ToPerson):
		names = append(names, strings.TrimPrefix(to, models.ToPerson))
	}
	var out []models.Person
	for _, name := range names {
		if p, ok := e.cfg.Person(name); ok && name != "" {
			out = append(out, p)
		}
	}
	return out
}

func eventDeployment(d models.Deployment) *notify.Deployment {
	out := &notify.Deployment{ID: d.ID, Model: d.Model, ModelVersion: d.ModelVersion, Service: d.Service,
		Component: d.Component, Kind: string(d.Kind), Version: d.Version, Action: string(d.Action),
		Environment: d.Environment, Status: string(d.Status), Stage: stageName(d.Status), Assignee: d.Assignee,
		Requester: d.Requester, ChangeRef: d.ChangeRef, ScheduledStart: d.ScheduledStart, ScheduledEnd: d.ScheduledEnd,
		Urgency: string(d.Urgency)}
	if !d.StartedAt.IsZero() {
		t := d.StartedAt
		out.StartedAt = &t
	}
	if !d.FinishedAt.IsZero() {
		t := d.FinishedAt
		out.FinishedAt = &t
	}
	return out
}

// stageName is the stage as --json says it: planning … done.
func stageName(s models.Status) string {
	switch {
	case s == models.StatusPlanned:
		return "planning"
	case s.Final():
		return "done"
	}
	return string(s.Stage())
}

// ---- the notices, one per event --------------------------------------------------

// what is "#12 payments-api 4.12.0 → production".
func what(d models.Deployment) string {
	s := fmt.Sprintf("#%d %s %s → %s", d.ID, d.Component, d.Version, d.Environment)
	if d.Action == models.ActionRemove {
		s = fmt.Sprintf("#%d remove %s %s from %s", d.ID, d.Component, d.Version, d.Environment)
	}
	return s
}

// facts is a deployment in a few lines, in the organisation's zone.
func (e *Engine) facts(d notify.Deployment) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Deployment #%d: %s %s %s (%s) → %s, model %s v%d\n", d.ID, d.Action, d.Component, d.Version,
		d.Service, d.Environment, d.Model, d.ModelVersion)
	fmt.Fprintf(&b, "Window: %s\n", e.window(d.ScheduledStart, d.ScheduledEnd))
	fmt.Fprintf(&b, "Status: %s\n", models.Status(d.Status).Words())
	who := "Requester: " + orNobody(d.Requester) + " · assignee: " + orNobody(d.Assignee)
	if d.ChangeRef != "" {
		who += " · change " + d.ChangeRef
	}
	b.WriteString(who + "\n")
	fmt.Fprintf(&b, "More: ferry deploy show %d", d.ID)
	return b.String()
}

func orNobody(s string) string {
	if s == "" {
		return "nobody"
	}
	return s
}

// deploymentNotice is a notice about d; detail is its own part of the text (the
// deliverer adds d's facts).
func (e *Engine) deploymentNotice(typ, key string, d models.Deployment, actor, summary, detail string) notice {
	return notice{typ: typ, key: key, env: d.Environment, d: &d, actor: actor, summary: summary, text: detail}
}

// noticePlanned: a deployment was planned.
func (e *Engine) noticePlanned(ctx context.Context, q store.Q, actor models.Person, d models.Deployment) error {
	if !e.wantsNotice(models.NotifyPlanned) {
		return nil
	}
	sum := fmt.Sprintf("%s planned for %s by %s", what(d), e.Local(d.ScheduledStart), actor.Name)
	return e.raise(ctx, q, e.deploymentNotice(models.NotifyPlanned, fmt.Sprintf("planned:d%d", d.ID), d, actor.Name, sum, ""))
}

// noticeRescheduled: a planned deployment's window moved.
func (e *Engine) noticeRescheduled(ctx context.Context, q store.Q, actor models.Person, before, after models.Deployment) error {
	if !e.wantsNotice(models.NotifyRescheduled) {
		return nil
	}
	key := fmt.Sprintf("rescheduled:d%d:%d-%d:%d", after.ID, after.ScheduledStart.Unix(), after.ScheduledEnd.Unix(), e.Now().Unix())
	sum := fmt.Sprintf("%s moved to %s by %s", what(after), e.Local(after.ScheduledStart), actor.Name)
	detail := "Was: " + e.window(before.ScheduledStart, before.ScheduledEnd) + "\nNow: " + e.window(after.ScheduledStart, after.ScheduledEnd)
	return e.raise(ctx, q, e.deploymentNotice(models.NotifyRescheduled, key, after, actor.Name, sum, detail))
}

// noticeConflicts: the open conflicts d is in after a plan, reschedule or assignment;
// each is told once (by its ID), to the people of every deployment in it.
func (e *Engine) noticeConflicts(ctx context.Context, q store.Q, actor models.Person, d models.Deployment, cs []models.Conflict) error {
	if !e.wantsNotice(models.NotifyConflictNew) {
		return nil
	}
	for _, c := range cs {
		if !c.Open() || c.ID == "" {
			continue
		}
		var others []models.Deployment
		for _, id := range c.IDs {
			if id == d.ID || id == 0 {
				continue
			}
			o, err := q.Deployment(ctx, id)
			if err != nil {
				return err
			}
			others = append(others, o)
		}
		env := c.Environment
		if env == "" {
			env = d.Environment
		}
		n := e.deploymentNotice(models.NotifyConflictNew, "conflict_new:"+c.ID, d, actor.Name,
			fmt.Sprintf("%s is in a new %s conflict %s", what(d), c.Kind, c.ID),
			c.Message+"\nResolve: ferry deploy suggest "+fmt.Sprint(d.ID)+", or ferry conflicts override "+c.ID+" --reason R (managers)")
		n.env, n.others = env, others
		n.ev.Conflict = &notify.Conflict{ID: c.ID, Kind: string(c.Kind), DeploymentIDs: c.IDs, Environment: c.Environment,
			Person: c.Person, WindowStart: c.Start, WindowEnd: c.End, Message: c.Message}
		if err := e.raise(ctx, q, n); err != nil {
			return err
		}
	}
	return nil
}

// noticeStatus: a deployment started or finished (moveTo).
func (e *Engine) noticeStatus(ctx context.Context, q store.Q, actor models.Person, d models.Deployment, from models.Status, note string) error {
	var typ string
	switch {
	case from == models.StatusPlanned && d.Status.Running():
		typ = models.NotifyStarted
	case d.Status.Final():
		typ = string(d.Status) // succeeded, failed, rolled_back, cancelled
	default:
		return nil
	}
	if !e.wantsNotice(typ) {
		return nil
	}
	verb := map[string]string{models.NotifyStarted: "started", models.NotifySucceeded: "succeeded",
		models.NotifyFailed: "failed", models.NotifyRolledBack: "was rolled back", models.NotifyCancelled: "was cancelled"}[typ]
	sum := fmt.Sprintf("%s %s", what(d), verb)
	if typ == models.NotifyStarted || typ == models.NotifyCancelled {
		sum += " by " + actor.Name
	}
	detail := ""
	if note = strings.TrimSpace(note); note != "" {
		detail = note
		if typ == models.NotifyCancelled {
			detail = "Reason: " + note
		}
	}
	return e.raise(ctx, q, e.deploymentNotice(typ, fmt.Sprintf("%s:d%d", typ, d.ID), d, actor.Name, sum, detail))
}

// noticeWaiting: d now waits at a gate (its stage began, or the step before the gate
// finished): gate_waiting, once per gate.
func (e *Engine) noticeWaiting(ctx context.Context, q store.Q, actor models.Person, d models.Deployment) error {
	stage := d.Status.Stage()
	if stage == "" || !e.wantsNotice(models.NotifyGateWaiting) {
		return nil
	}
	runs, err := q.StepRuns(ctx, d)
	if err != nil {
		return err
	}
	nx := nextInStage(stage, runs, false)
	if nx.wait == nil || nx.wait.Kind != WaitApproval {
		return nil
	}
	m, err := q.DeploymentModel(ctx, d.ID)
	if err != nil {
		return err
	}
	w := e.describeWait(d, m, nx.wait)
	n := e.deploymentNotice(models.NotifyGateWaiting, fmt.Sprintf("gate_waiting:d%d:s%d", d.ID, w.Seq), d, actor.Name,
		fmt.Sprintf("%s waits for approval of %q", what(d), w.Step.Name),
		fmt.Sprintf("The %s (%s).\nApprove: ferry gate approve %d · reject: ferry gate reject %d --reason R",
			strings.TrimPrefix(w.Message, "gate "), "step "+fmt.Sprint(w.Seq), d.ID, d.ID))
	n.ev.Step = &notify.Step{Seq: w.Seq, Name: w.Step.Name, Stage: string(w.Step.Stage), Approvers: w.Approvers}
	return e.raise(ctx, q, n)
}

// noticeBlocked: a checklist item was blocked.
func (e *Engine) noticeBlocked(ctx context.Context, q store.Q, actor models.Person, d models.Deployment, r models.StepRun) error {
	if !e.wantsNotice(models.NotifyBlocked) {
		return nil
	}
	n := e.deploymentNotice(models.NotifyBlocked, fmt.Sprintf("blocked:d%d:s%d:%d", d.ID, r.Seq, e.Now().Unix()), d, actor.Name,
		fmt.Sprintf("%s is blocked at %q by %s", what(d), r.Step.Name, actor.Name),
		fmt.Sprintf("Blocked: %s\nUnblock: ferry step unblock %d %d", r.BlockReason, d.ID, r.Seq))
	n.ev.Step = &notify.Step{Seq: r.Seq, Name: r.Step.Name, Stage: string(r.Step.Stage), Note: r.BlockReason}
	return e.raise(ctx, q, n)
}

// noticeIncident: an incident was linked to a deployment.
func (e *Engine) noticeIncident(ctx context.Context, q store.Q, actor models.Person, d models.Deployment, in models.Incident) error {
	if !e.wantsNotice(models.NotifyIncidentOpened) {
		return nil
	}
	n := e.deploymentNotice(models.NotifyIncidentOpened, fmt.Sprintf("incident_opened:i%d", in.ID), d, actor.Name,
		fmt.Sprintf("Incident on %s: %s", what(d), in.Summary), IncidentText(in, e.Location()))
	n.ev.Incident = &notify.Incident{ID: in.ID, OpenedAt: in.OpenedAt, Summary: in.Summary}
	if !in.ResolvedAt.IsZero() {
		t := in.ResolvedAt
		n.ev.Incident.ResolvedAt = &t
	}
	return e.raise(ctx, q, n)
}
