package engine

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"ferry/models"
	"ferry/store"
)

// PlanRequest is what a person asks for when planning a deployment.
type PlanRequest struct {
	Model       string
	Component   string
	Version     string
	Environment string
	Action      models.Action // default deploy
	Start       time.Time
	End         time.Time     // or Duration; neither: the model's default duration
	Duration    time.Duration // ignored when End is set
	Assignee    string
	Requester   string // default: the actor
	ChangeRef   string
	After       int64 // a deployment this one must wait for
	Strict      bool  // refuse the plan if it would be in any conflict
	// Urgency is normal (the default), expedited or emergency. An emergency needs a
	// manager and a reason: it may then start inside a freeze or outside the
	// maintenance windows, with the reason on its record.
	Urgency       models.Urgency
	UrgencyReason string
}

// Plan validates and stores a new deployment with its steps and a "planned" event,
// and returns the conflicts it is in. With r.Strict a plan in conflict is refused
// and nothing is stored.
func (e *Engine) Plan(ctx context.Context, actor models.Person, r PlanRequest) (models.Deployment, []models.Conflict, error) {
	var d models.Deployment
	var cs []models.Conflict
	err := e.st.Write(ctx, func(q store.Q) error {
		var err error
		d, cs, err = e.plan(ctx, q, actor, r)
		return err
	})
	return d, cs, err
}

func (e *Engine) plan(ctx context.Context, q store.Q, actor models.Person, r PlanRequest) (models.Deployment, []models.Conflict, error) {
	d, cm, err := e.candidate(ctx, q, actor, r)
	if err != nil {
		return d, nil, err
	}
	if r.Strict {
		// Checked before anything is written, so that the refusal names only
		// deployments that exist.
		cs, err := e.checkCandidate(ctx, q, d)
		if err != nil {
			return d, nil, err
		}
		if open := openOnly(cs); len(open) > 0 {
			return d, nil, &ConflictsError{open}
		}
	}
	steps := len(cm.model.StepsFor(d.Environment))
	if d.ID, err = q.InsertDeployment(ctx, d, cm.id, steps); err != nil {
		return d, nil, err
	}
	d.StepsTotal = steps
	if err := q.AddEvent(ctx, e.event(ctx, d.ID, actor, EventPlanned, PlannedText(d, e.Location()))); err != nil {
		return d, nil, err
	}
	if d.Urgency != models.UrgencyNormal {
		detail := UrgencyText(d.Urgency, actor.Name, d.UrgencyReason)
		if err := q.AddEvent(ctx, e.event(ctx, d.ID, actor, EventUrgency, detail)); err != nil {
			return d, nil, err
		}
	}
	if err := e.noticePlanned(ctx, q, actor, d); err != nil {
		return d, nil, err
	}
	conflicts, err := e.check(ctx, q, d)
	if err != nil {
		return d, nil, err
	}
	return d, conflicts, e.noticeConflicts(ctx, q, actor, d, conflicts)
}

// candidate is the deployment a request would plan, checked against config and the
// record (the deployment it waits for must exist), not yet stored: its ID is 0.
func (e *Engine) candidate(ctx context.Context, q store.Q, actor models.Person, r PlanRequest) (models.Deployment, currentModel, error) {
	if err := Can(actor, ActPlan, nil); err != nil {
		return models.Deployment{}, currentModel{}, err
	}
	d, cm, err := e.buildDeployment(actor, r)
	if err != nil {
		return d, cm, err
	}
	if err := e.notBlocked(ctx, q, d); err != nil {
		return d, cm, err
	}
	if d.After != 0 {
		if _, err := q.Deployment(ctx, d.After); err != nil {
			return d, cm, models.Invalidf("--after: deployment #%d does not exist", d.After)
		}
	}
	if err := models.CheckText("--urgency-reason", d.UrgencyReason); err != nil {
		return d, cm, err
	}
	if d.UrgencyReason != "" && (d.Urgency == "" || d.Urgency == models.UrgencyNormal) {
		return d, cm, models.Invalidf("--urgency-reason: a normal deployment has no urgency to explain: give --urgency expedited or emergency with it")
	}
	if d.Urgency == models.UrgencyEmergency {
		if err := Can(actor, ActOverride, nil); err != nil {
			return d, cm, mayNot(actor, "plan an emergency deployment", "only managers may, with a reason")
		}
		if d.UrgencyReason == "" {
			return d, cm, models.Invalidf("an emergency deployment needs a reason (--urgency-reason): it is kept on its record")
		}
	}
	d.StepsTotal = len(cm.model.StepsFor(d.Environment))
	return d, cm, nil
}

// checkCandidate finds the conflicts a deployment not yet stored (ID 0) would be in.
// Their messages call it "this plan", their IDs name only stored deployments, and
// they have no conflict ID yet (one to override exists once the plan is stored).
func (e *Engine) checkCandidate(ctx context.Context, q store.Q, d models.Deployment) ([]models.Conflict, error) {
	cs, err := e.check(ctx, q, d)
	for i := range cs {
		unstoredIn(&cs[i], map[int64]string{0: "this plan"})
	}
	return cs, err
}

// unstoredIn words a conflict found for deployments not stored (or no longer: a
// preview rolled back) as such: no conflict ID, their IDs out of its list, and its
// message naming them as names says ("this plan") where it said "#0" or "#30009",
// which a later plan may take.
func unstoredIn(c *models.Conflict, names map[int64]string) {
	c.ID = ""
	c.IDs = slices.DeleteFunc(slices.Clone(c.IDs), func(id int64) bool { _, ok := names[id]; return ok })
	c.Message = deploymentRef.ReplaceAllStringFunc(c.Message, func(ref string) string {
		id, _ := strconv.ParseInt(ref[1:], 10, 64)
		if name, ok := names[id]; ok {
			return name
		}
		return ref
	})
}

// deploymentRef is how a message names a deployment: "#123".
var deploymentRef = regexp.MustCompile(`#\d+\b`)

// PreviewPlan validates a request and finds the conflicts the deployment would be in,
// without storing anything and without a write transaction: it reads one snapshot,
// so it answers at once even while another process holds the database's write lock.
func (e *Engine) PreviewPlan(ctx context.Context, actor models.Person, r PlanRequest) (models.Deployment, []models.Conflict, error) {
	var d models.Deployment
	var cs []models.Conflict
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		var err error
		if d, _, err = e.candidate(ctx, q, actor, r); err != nil {
			return err
		}
		cs, err = e.checkCandidate(ctx, q, d)
		return err
	})
	return d, cs, err
}

// buildDeployment checks a request against config and fills in defaults.
func (e *Engine) buildDeployment(actor models.Person, r PlanRequest) (models.Deployment, currentModel, error) {
	var d models.Deployment
	cm, ok := e.current[r.Model]
	if !ok {
		return d, cm, models.Invalidf("--model: unknown model %q (known: %s)", r.Model, strings.Join(e.modelNames(), ", "))
	}
	m := cm.model
	comp, ok := e.cfg.Component(r.Component)
	if !ok {
		return d, cm, models.Invalidf("--component: unknown component %q: declare it under a [[service]] in %s", r.Component, e.cfg.File)
	}
	if !m.AppliesToKind(comp.Kind) {
		return d, cm, models.Invalidf("--model: %q is for %s components; %s is %s",
			m.Name, joinKinds(m.Kinds), comp.Name, comp.Kind)
	}
	if err := e.cfg.CheckEnvironment("--env", r.Environment); err != nil {
		return d, cm, err
	}
	if !m.OnPath(r.Environment) {
		return d, cm, models.Invalidf("--env: environment %q is not on model %q's path (%s)",
			r.Environment, m.Name, strings.Join(m.Path, " → "))
	}
	if strings.TrimSpace(r.Version) == "" {
		return d, cm, models.Invalidf("--version: a version is needed")
	}
	if r.Action == "" {
		r.Action = models.ActionDeploy
	}
	if r.Urgency == "" {
		r.Urgency = models.UrgencyNormal
	}
	if !r.Urgency.Valid() {
		return d, cm, models.Invalidf("urgency %q: use normal, expedited or emergency", r.Urgency)
	}
	end, err := e.planEnd(r, m.DefaultDuration)
	if err != nil {
		return d, cm, err
	}
	if err := e.ahead(r.Start, end, time.Time{}); err != nil {
		return d, cm, err
	}
	requester := r.Requester
	if requester == "" {
		requester = actor.Name
	}
	if _, err := e.Person(requester); err != nil {
		return d, cm, models.Invalidf("--requester: %v", err)
	}
	if r.Assignee != "" {
		if err := e.checkAssignee("--assignee", r.Assignee); err != nil {
			return d, cm, err
		}
	}
	now := e.Now()
	d = models.Deployment{
		Model: m.Name, ModelVersion: m.Version, Service: comp.Service, Component: comp.Name,
		Kind: comp.Kind, Version: strings.TrimSpace(r.Version), Action: r.Action, Environment: r.Environment,
		Status: models.StatusPlanned, Assignee: r.Assignee, Requester: requester, PlannedBy: actor.Name,
		ChangeRef: strings.TrimSpace(r.ChangeRef), After: r.After, ScheduledStart: r.Start.UTC().Truncate(time.Second),
		ScheduledEnd: end.UTC().Truncate(time.Second), CreatedAt: now, UpdatedAt: now,
		Urgency: r.Urgency, UrgencyReason: strings.TrimSpace(r.UrgencyReason),
	}
	return d, cm, d.Validate()
}

func (e *Engine) planEnd(r PlanRequest, def time.Duration) (time.Time, error) {
	if r.Start.IsZero() {
		return time.Time{}, models.Invalidf("--start: a start time is needed")
	}
	end := r.End
	switch {
	case !end.IsZero():
	case r.Duration > 0:
		end = r.Start.Add(r.Duration)
	case r.Duration < 0:
		return end, models.Invalidf("--duration: %s must be positive", r.Duration)
	default:
		end = r.Start.Add(def)
	}
	if !end.After(r.Start) {
		return end, models.Invalidf("--end: %s is not after the start %s", e.Local(end), e.Local(r.Start))
	}
	if err := models.CheckWindowLength(end.Sub(r.Start)); err != nil {
		flag := "--end"
		if r.End.IsZero() {
			flag = "--duration"
		}
		return end, models.Invalidf("%s: %v", flag, err)
	}
	return end, nil
}

// nowSlack is how long before the engine's now a start may lie and still be "now":
// a start typed as now is read a moment before the act reaches the engine (the CLI
// reads its flags before it opens the database; a form, when it is sent).
const nowSlack = time.Minute

// ahead refuses a window for work still to come that lies in the past: one that has
// ended (planned silently, it would change the counts of periods already closed),
// and one that starts before now unless it starts now. kept is a start that is not
// new (only the length changes), which is not held to the second rule.
func (e *Engine) ahead(start, end, kept time.Time) error {
	now := e.Now()
	switch {
	case !end.After(now):
		return models.Invalidf("--start: the window %s has ended (it is %s now): a deployment is planned for time still to come",
			e.window(start, end), e.Local(now))
	case start.Before(now.Add(-nowSlack)) && !start.Equal(kept):
		return models.Invalidf("--start: %s is in the past (it is %s now): give a later start, or %q",
			e.Local(start), e.Local(now), models.NowWord)
	}
	return nil
}

// checkAssignee refuses people who cannot carry the deployment out, under the flag
// that named them (--assignee), or none where the person is the act's own argument
// (deploy assign ID PERSON).
func (e *Engine) checkAssignee(flag, name string) error {
	lead := ""
	if flag != "" {
		lead = flag + ": "
	}
	p, err := e.Person(name)
	if err != nil {
		return models.Invalidf("%s%v", lead, err)
	}
	if !CarriesOut(p) {
		return models.Invalidf("%s%s is only an %s and cannot carry out deployments", lead, p.Name, p.MainRole())
	}
	return nil
}

// Assignable lists the people who may be assigned deployments, in config order.
func (e *Engine) Assignable() []models.Person {
	var out []models.Person
	for _, p := range e.cfg.People {
		if CarriesOut(p) {
			out = append(out, p)
		}
	}
	return out
}

func (e *Engine) modelNames() []string {
	var out []string
	for _, m := range e.cfg.Models {
		out = append(out, m.Name)
	}
	return out
}

func joinKinds(ks []models.Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, "/")
}

// FailedThere is the deployment of r's version to r's environment that failed or
// rolled back there last, when that is how its last one there ended: a plan to move
// it there again is worth a second look (a fix, or a block of the version). False
// when it never went there or last succeeded.
func (e *Engine) FailedThere(ctx context.Context, actor models.Person, component, version, env string) (models.Deployment, bool, error) {
	if err := Can(actor, ActRead, nil); err != nil && !onlyOwn(actor) {
		return models.Deployment{}, false, err
	}
	d, ok, err := e.st.Read().LastFinished(ctx, component, version, env)
	if err != nil || !ok || d.Status == models.StatusSucceeded {
		return models.Deployment{}, false, err
	}
	return d, true, nil
}

// FailedThereText says so: "4.12.0 rolled back in production on 2026-12-06 09:12 CET
// (#19784)".
func FailedThereText(d models.Deployment, loc *time.Location) string {
	how := "failed"
	if d.Status == models.StatusRolledBack {
		how = "was rolled back"
	}
	return fmt.Sprintf("%s %s in %s on %s (#%d)", d.Version, how, d.Environment, LocalText(d.FinishedAt, loc), d.ID)
}
