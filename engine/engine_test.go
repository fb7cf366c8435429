package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"ferry/engine/config"
	"ferry/internal/testdb"
	"ferry/models"
	"ferry/store"
)

// emptyDB is a database that store.Open has just created: migrating costs a fifth
// of a second under the race detector, so it is done once and the file copied.
var emptyDB = testdb.New(func(path string) error {
	st, err := store.Open(context.Background(), path)
	if err != nil {
		return err
	}
	return st.Close()
})

const testConfig = `
[ferry]
timezone = "Europe/Berlin"
# The lifecycle tests start deployments planned days ahead of the fixture's clock.
# (The start window is tested in controls_test.go.)
start_tolerance = "168h"
` + testConfigBody

// testConfigBody is testConfig without its [ferry] table.
const testConfigBody = `

[[environment]]
name = "test"
order = 1
capacity = 2

[[environment]]
name = "production"
order = 2
capacity = 1

[[person]]
name = "ana"
roles = ["manager"]
unix_user = "ana"

[[person]]
name = "sam"
roles = ["practitioner"]
unix_user = "sam-unix"

[[person]]
name = "tom"
roles = ["technician"]

[[person]]
name = "tia"
roles = ["technician"]

[[person]]
name = "eve"
roles = ["analyst"]

[[service]]
name = "payments"
  [[service.component]]
  name = "payments-api"
  kind = "software"
  [[service.component]]
  name = "rack-b07"
  kind = "hardware"

[[model]]
name = "web"
kinds = ["software"]
path = ["test", "production"]
default_duration = "45m"
  [[model.step]]
  stage = "verify_components"
  name = "Release notes read"
  [[model.step]]
  stage = "execute"
  name = "Switch traffic"
  [[model.step]]
  stage = "execute"
  name = "Tell support"
  required = false

[[model]]
name = "rack"
kinds = ["hardware"]
path = ["production"]
default_duration = "4h"
  [[model.step]]
  stage = "verify_environment"
  name = "Power feeds present"
`

// fixture is an engine on a fresh SQLite file with a clock the test controls.
type fixture struct {
	e   *Engine
	now time.Time
	ctx context.Context
}

func newFixture(t *testing.T) *fixture { return newFixtureWith(t, testConfig) }

func newFixtureWith(t *testing.T, text string) *fixture {
	t.Helper()
	cfg, err := config.Parse("test.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), emptyDB.Copy(t, "ferry.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{now: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), ctx: context.Background()}
	f.e, err = New(f.ctx, st, cfg, WithClock(func() time.Time { return f.now }))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) person(t *testing.T, name string) models.Person {
	t.Helper()
	p, err := f.e.Person(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// plan plans r as ana. A window that has begun by the fixture's now is planned as of
// a day before it, as it would have been: the engine plans only what is still to
// come, and many tests need deployments that are overdue, running or over.
func (f *fixture) plan(t *testing.T, r PlanRequest) models.Deployment {
	t.Helper()
	if now := f.now; r.Start.Before(now) {
		f.now = r.Start.Add(-24 * time.Hour)
		defer func() { f.now = now }()
	}
	d, _, err := f.e.Plan(f.ctx, f.person(t, "ana"), r)
	if err != nil {
		t.Fatalf("plan %+v: %v", r, err)
	}
	return d
}

// local is a wall-clock time in the fixture's zone (Europe/Berlin).
func (f *fixture) local(s string) time.Time {
	t, err := models.ParseTime(s, f.e.Location())
	if err != nil {
		panic(err)
	}
	return t
}

func webReq() PlanRequest {
	return PlanRequest{Model: "web", Component: "payments-api", Version: "4.12.0", Environment: "test",
		Start: time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC), Assignee: "sam", ChangeRef: "CHG-1"}
}

func TestPlanFillsDefaultsAndRecordsIt(t *testing.T) {
	f := newFixture(t)
	d := f.plan(t, webReq())
	if d.ID == 0 || d.Status != models.StatusPlanned || d.Service != "payments" || d.Kind != models.KindSoftware {
		t.Fatalf("unexpected deployment %+v", d)
	}
	if got := d.ScheduledEnd.Sub(d.ScheduledStart); got != 45*time.Minute {
		t.Fatalf("default duration: got %s, want the model's 45m", got)
	}
	if d.Requester != "ana" || d.ModelVersion != 1 || d.StepsTotal != 3 {
		t.Fatalf("requester %q, model version %d, steps %d", d.Requester, d.ModelVersion, d.StepsTotal)
	}
	det, err := f.e.Deployment(f.ctx, f.person(t, "ana"), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(det.Events) != 1 || det.Events[0].Type != "planned" || det.Events[0].Actor != "ana" ||
		!strings.Contains(det.Events[0].Detail, "15:00") {
		t.Fatalf("record should hold one 'planned' event by ana with the local window: %+v", det.Events)
	}
}

func TestPlanRefusesWhatTheModelDoesNotAllow(t *testing.T) {
	f := newFixture(t)
	base := webReq()
	cases := map[string]struct {
		mod  func(*PlanRequest)
		want string
	}{
		"unknown model":       {func(r *PlanRequest) { r.Model = "nope" }, `unknown model "nope"`},
		"unknown component":   {func(r *PlanRequest) { r.Component = "nope" }, `unknown component "nope"`},
		"kind not in model":   {func(r *PlanRequest) { r.Component = "rack-b07" }, `--model: "web" is for software components; rack-b07 is hardware`},
		"env not on path":     {func(r *PlanRequest) { r.Model, r.Component = "rack", "rack-b07" }, `environment "test" is not on model "rack"'s path (production)`},
		"unknown env":         {func(r *PlanRequest) { r.Environment = "moon" }, `unknown environment "moon"`},
		"no version":          {func(r *PlanRequest) { r.Version = " " }, "a version is needed"},
		"end before start":    {func(r *PlanRequest) { r.End = r.Start.Add(-time.Hour) }, "is not after the start"},
		"no start":            {func(r *PlanRequest) { r.Start = time.Time{} }, "a start time is needed"},
		"unknown assignee":    {func(r *PlanRequest) { r.Assignee = "zed" }, `no person "zed"`},
		"analyst as assignee": {func(r *PlanRequest) { r.Assignee = "eve" }, "only an analyst"},
		"unknown requester":   {func(r *PlanRequest) { r.Requester = "zed" }, `requester: no person "zed"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := base
			c.mod(&r)
			_, _, err := f.e.Plan(f.ctx, f.person(t, "ana"), r)
			if !errors.Is(err, models.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want invalid %q, got %v", c.want, err)
			}
		})
	}
	list, _ := f.e.List(f.ctx, f.person(t, "ana"), models.Filter{})
	if len(list) != 0 {
		t.Fatalf("refused plans must store nothing, found %d", len(list))
	}
}

// A window in the past is not planned: one that has ended would change the counts of
// periods already closed, and one that started before now is late before it exists.
// "now" itself, read a moment before the engine sees it, is a start.
func TestPlanAndRescheduleRefuseThePast(t *testing.T) {
	f := newFixture(t) // now: Thu 26 Nov 2026 10:00 in Berlin
	ana := f.person(t, "ana")
	past := webReq()
	past.Start = f.local("2026-11-25 10:00")
	_, _, err := f.e.Plan(f.ctx, ana, past)
	if !errors.Is(err, models.ErrInvalid) ||
		!strings.Contains(err.Error(), "the window 2026-11-25 10:00 CET – 10:45 CET has ended (it is 2026-11-26 10:00 CET now)") {
		t.Fatalf("a window that ended: %v", err)
	}
	if _, _, err := f.e.PreviewPlan(f.ctx, ana, past); !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("the preview says the same: %v", err)
	}
	begun := webReq()
	begun.Start, begun.Duration = f.local("2026-11-26 09:30"), time.Hour
	_, _, err = f.e.Plan(f.ctx, ana, begun)
	if !errors.Is(err, models.ErrInvalid) ||
		!strings.Contains(err.Error(), `--start: 2026-11-26 09:30 CET is in the past (it is 2026-11-26 10:00 CET now): give a later start, or "now"`) {
		t.Fatalf("a start in the past: %v", err)
	}
	if list, _ := f.e.List(f.ctx, ana, models.Filter{}); len(list) != 0 {
		t.Fatalf("refused plans must store nothing, found %d", len(list))
	}
	now := webReq()
	now.Start = f.now.Add(-20 * time.Second) // "now", as the CLI read it before opening the database
	d, _, err := f.e.Plan(f.ctx, ana, now)
	if err != nil {
		t.Fatalf("a start now: %v", err)
	}
	// A reschedule is held to the same rule, unless only the length changes.
	if _, err := f.e.Reschedule(f.ctx, ana, d.ID, f.local("2026-11-26 08:00"), time.Time{}); !errors.Is(err, models.ErrInvalid) ||
		!strings.Contains(err.Error(), "has ended") {
		t.Fatalf("a reschedule into the past: %v", err)
	}
	// An edit's preview says so before it is saved, as plan's preview does.
	ended := f.local("2026-11-26 08:00")
	if _, _, err := f.e.PreviewEdit(f.ctx, ana, d.ID, Edit{Start: &ended}); !errors.Is(err, models.ErrInvalid) ||
		!strings.Contains(err.Error(), "has ended") {
		t.Fatalf("an edit's preview into the past: %v", err)
	}
	// Nor does a preview invent the conflict of waiting for itself: it is refused as the edit is.
	self, none := d.ID, d.ID+1000
	for _, after := range []*int64{&self, &none} {
		if _, cs, err := f.e.PreviewEdit(f.ctx, ana, d.ID, Edit{After: after}); !errors.Is(err, models.ErrInvalid) || len(cs) > 0 {
			t.Fatalf("a preview of waiting for #%d: %v %+v", *after, err, cs)
		}
	}
	f.now = f.now.Add(10 * time.Minute)
	longer := 2 * time.Hour
	if _, err := f.e.EditDeployment(f.ctx, ana, d.ID, Edit{Duration: &longer}); err != nil {
		t.Fatalf("a longer window for one that has begun: %v", err)
	}
	if _, err := f.e.Reschedule(f.ctx, ana, d.ID, f.now, time.Time{}); err != nil {
		t.Fatalf("a reschedule to now: %v", err)
	}
}

func TestLifecycleHappyPathRecordsEveryMove(t *testing.T) {
	f := newFixture(t)
	ana := f.person(t, "ana")
	d := f.plan(t, webReq())
	if _, err := f.e.Advance(f.ctx, ana, d.ID, ""); err != nil { // → verifying components
		t.Fatal(err)
	}
	// A required checklist item holds the stage until it is ticked.
	_, err := f.e.Advance(f.ctx, ana, d.ID, "")
	if !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), "Release notes read") {
		t.Fatalf("leaving a stage with an open required step: got %v", err)
	}
	// Ticking it leaves nothing for a person in the stage: the run carries on by
	// itself, through the empty stage, to the next item that needs a person.
	f.now = f.now.Add(time.Minute)
	out, err := f.e.TickStep(f.ctx, ana, d.ID, 1, "read them")
	if err != nil || !out.Carried || out.Deployment.Status != models.StatusExecuting ||
		out.Waiting == nil || out.Waiting.Kind != WaitTick || out.Waiting.Seq != 2 {
		t.Fatalf("tick 1: %+v %v; want the run carried on to step 2 of execute", out, err)
	}
	// The optional step may stay open (the run skips it); the required one may not.
	// A tick that would leave it is refused, naming it, until the person says so.
	f.now = f.now.Add(time.Minute)
	if _, err = f.e.TickStep(f.ctx, ana, d.ID, 2, ""); !errors.Is(err, models.ErrConflict) ||
		!strings.Contains(err.Error(), `optional item 3 "Tell support"`) || !strings.Contains(err.Error(), "--skip-optional") {
		t.Fatalf("tick 2 leaving optional step 3: got %v, want a refusal naming it", err)
	}
	if out, err = f.e.TickStep(f.ctx, ana, d.ID, 2, "", RunOptions{SkipOptional: true}); err != nil || !out.Carried || out.Deployment.Status != models.StatusSucceeded {
		t.Fatalf("tick 2: %+v %v; want succeeded", out, err)
	}
	det, _ := f.e.Deployment(f.ctx, ana, d.ID)
	if det.StartedAt.IsZero() || !det.FinishedAt.Equal(f.now) || det.StepsDone != 3 || det.Steps[2].Status != models.StepSkipped {
		t.Fatalf("started %v finished %v done %d steps %+v", det.StartedAt, det.FinishedAt, det.StepsDone, det.Steps)
	}
	// Ferry skipped it, not ana, whose tick of another item left the stage.
	if det.Steps[2].Actor != SystemActor {
		t.Errorf("the skipped item's actor is %q, want %q", det.Steps[2].Actor, SystemActor)
	}
	for _, e := range det.Events {
		if strings.HasPrefix(e.Detail, "skipped ") && e.Actor != SystemActor {
			t.Errorf("the skip is recorded as %s's: %+v", e.Actor, e)
		}
	}
	var types []string
	for _, e := range det.Events {
		types = append(types, e.Type)
	}
	want := "planned status step run status status step run step status status"
	if strings.Join(types, " ") != want {
		t.Fatalf("record: %v, want %s", types, want)
	}
	if _, err := f.e.Advance(f.ctx, ana, d.ID, ""); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("advancing a finished deployment: got %v", err)
	}
}

func TestIllegalTransitionsAreRefused(t *testing.T) {
	f := newFixture(t)
	ana := f.person(t, "ana")
	d := f.plan(t, webReq())
	for _, to := range []models.Status{models.StatusExecuting, models.StatusSucceeded, models.StatusFailed, models.StatusRolledBack} {
		_, err := f.e.Move(f.ctx, ana, d.ID, to, "")
		want := "deployment #1 is planned; it cannot move to " + to.Words() + " (from planned it can move to verifying components or cancelled)"
		if !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "_") {
			t.Fatalf("planned → %s: got %v", to, err)
		}
	}
	if _, err := f.e.Cancel(f.ctx, ana, d.ID, ""); !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("cancel without reason: got %v", err)
	}
	out, err := f.e.Cancel(f.ctx, ana, d.ID, "supplier late")
	c := out.Deployment
	if err != nil || c.Status != models.StatusCancelled || c.FinishedAt.IsZero() {
		t.Fatalf("cancel: %+v %v", c, err)
	}
	if _, err := f.e.Cancel(f.ctx, ana, d.ID, "again"); !errors.Is(err, models.ErrConflict) ||
		!strings.Contains(err.Error(), "deployment #1 was cancelled; it cannot move to cancelled (it has finished)") {
		t.Fatalf("cancelling twice: got %v", err)
	}
	if _, err := f.e.Reschedule(f.ctx, ana, d.ID, f.now, time.Time{}); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("rescheduling a cancelled deployment: got %v", err)
	}
}

func TestStatusMachineTable(t *testing.T) {
	for _, from := range models.Statuses {
		for _, to := range models.Statuses {
			want := false
			switch {
			case from.Final():
			case to == models.StatusCancelled:
				want = true
			case to == models.StatusFailed || to == models.StatusRolledBack:
				want = from != models.StatusPlanned
			default:
				want = from.Next() == to
			}
			if got := from.CanMove(to); got != want {
				t.Errorf("%s → %s: got %v, want %v", from, to, got, want)
			}
		}
	}
}

func TestPermissions(t *testing.T) {
	f := newFixture(t)
	hw := f.plan(t, PlanRequest{Model: "rack", Component: "rack-b07", Version: "1", Environment: "production",
		Start: f.now.Add(time.Hour), Assignee: "tom"})
	sw := f.plan(t, webReq())
	try := func(who string, fn func(p models.Person) error) error { return fn(f.person(t, who)) }
	plan := func(p models.Person) error {
		r := webReq()
		r.Start = r.Start.Add(3 * time.Hour) // clear of sw: a conflict would hold sw's start
		_, _, err := f.e.Plan(f.ctx, p, r)
		return err
	}
	cancel := func(id int64) func(models.Person) error {
		return func(p models.Person) error { _, err := f.e.Cancel(f.ctx, p, id, "why"); return err }
	}
	advance := func(id int64) func(models.Person) error {
		return func(p models.Person) error { _, err := f.e.Advance(f.ctx, p, id, ""); return err }
	}
	read := func(id int64) func(models.Person) error {
		return func(p models.Person) error { _, err := f.e.Deployment(f.ctx, p, id); return err }
	}
	incident := func(id int64) func(models.Person) error {
		return func(p models.Person) error {
			_, err := f.e.AddIncident(f.ctx, p, id, f.now, time.Time{}, "checkout errors")
			return err
		}
	}
	cases := []struct {
		who  string
		what string
		fn   func(models.Person) error
		ok   bool
	}{
		{"eve", "analyst plans", plan, false},
		{"eve", "analyst reads", read(sw.ID), true},
		{"eve", "analyst advances", advance(sw.ID), false},
		{"tia", "technician reads another's", read(hw.ID), false},
		{"tom", "technician reads own", read(hw.ID), true},
		{"tom", "technician plans", plan, false},
		{"tom", "technician cancels own", cancel(hw.ID), false},
		{"tia", "technician advances another's", advance(hw.ID), false},
		{"tom", "technician advances own", advance(hw.ID), true},
		{"sam", "practitioner plans", plan, true},
		{"sam", "practitioner advances", advance(sw.ID), true},
		{"eve", "analyst records an incident", incident(sw.ID), false},
		{"tom", "technician records an incident on own", incident(hw.ID), false},
		{"sam", "practitioner records an incident", incident(sw.ID), true},
	}
	for _, c := range cases {
		err := try(c.who, c.fn)
		if c.ok && err != nil {
			t.Errorf("%s: want allowed, got %v", c.what, err)
		}
		if !c.ok && !errors.Is(err, models.ErrForbidden) {
			t.Errorf("%s: want ErrForbidden, got %v", c.what, err)
		}
	}
	// A technician's listing holds only their own deployments, whatever they ask for.
	list, err := f.e.List(f.ctx, f.person(t, "tia"), models.Filter{Assignee: "tom"})
	if err != nil || len(list) != 0 {
		t.Fatalf("tia listing tom's work: %d rows, %v", len(list), err)
	}
	list, _ = f.e.List(f.ctx, f.person(t, "tom"), models.Filter{})
	if len(list) != 1 || list[0].ID != hw.ID {
		t.Fatalf("tom's listing: %+v", list)
	}
	// One who is a technician and an analyst reads as an analyst: everything, the
	// reports too, as the screens (SeesOnlyOwn) offer; and ticks only their own.
	both := f.person(t, "tia")
	both.Roles = append(both.Roles, models.RoleAnalyst)
	if SeesOnlyOwn(both) {
		t.Fatal("a technician and analyst should not see only their own")
	}
	if list, err := f.e.List(f.ctx, both, models.Filter{}); err != nil || !slices.ContainsFunc(list, func(d models.Deployment) bool { return d.ID == sw.ID }) {
		t.Fatalf("a technician and analyst's listing: %d rows, %v", len(list), err)
	}
	if _, err := f.e.Report(f.ctx, both, ReportRequest{From: f.now.AddDate(0, -1, 0), To: f.now, Period: PeriodMonth}); err != nil {
		t.Fatalf("a technician and analyst's report: %v", err)
	}
	if _, err := f.e.Advance(f.ctx, both, hw.ID, ""); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("a technician and analyst advancing another's: %v", err)
	}
}

// TestMoveRefusalNamesTheRoleFirst: one who may move nothing (an analyst) is told so
// for a deployment under way too, by the reschedule, the suggestion and WhyNoMove
// alike; "only planned deployments can move" sent them to try a planned one, to be
// refused again. One who may move is told the state.
func TestMoveRefusalNamesTheRoleFirst(t *testing.T) {
	f := newFixture(t)
	sw := f.plan(t, webReq())
	ana, eve := f.person(t, "ana"), f.person(t, "eve")
	if _, err := f.e.Advance(f.ctx, ana, sw.ID, ""); err != nil {
		t.Fatal(err)
	}
	d, err := f.e.Deployment(f.ctx, ana, sw.ID)
	if err != nil || !d.Status.Running() {
		t.Fatalf("#%d should run: %v %v", sw.ID, d.Status, err)
	}
	role := fmt.Sprintf("eve (analyst) may not reschedule deployment #%d: analysts have read-only access", sw.ID)
	state := fmt.Sprintf("deployment #%d %s; only planned deployments can", sw.ID, d.Status.Phrase())
	_, suggest := f.e.Suggest(f.ctx, eve, sw.ID)
	_, moveTo := f.e.Reschedule(f.ctx, eve, sw.ID, f.now.Add(48*time.Hour), time.Time{})
	_, moveSug := f.e.RescheduleSuggested(f.ctx, eve, sw.ID)
	for what, err := range map[string]error{"WhyNoMove": WhyNoMove(eve, d.Deployment), "Suggest": suggest,
		"Reschedule": moveTo, "RescheduleSuggested": moveSug} {
		if !errors.Is(err, models.ErrForbidden) || err.Error() != role {
			t.Errorf("%s as an analyst on a running deployment: %v, want %q", what, err, role)
		}
	}
	_, suggest = f.e.Suggest(f.ctx, ana, sw.ID)
	_, moveTo = f.e.Reschedule(f.ctx, ana, sw.ID, f.now.Add(48*time.Hour), time.Time{})
	for what, err := range map[string]error{"WhyNoMove": WhyNoMove(ana, d.Deployment), "Suggest": suggest, "Reschedule": moveTo} {
		if !errors.Is(err, models.ErrConflict) || !strings.HasPrefix(err.Error(), state) {
			t.Errorf("%s as a manager on a running deployment: %v, want %q…", what, err, state)
		}
	}
	if MayMove(ana, d.Deployment) || MayMove(eve, d.Deployment) {
		t.Error("a running deployment does not move")
	}
}

func TestRescheduleAndAssignRecordTheChange(t *testing.T) {
	f := newFixture(t)
	ana := f.person(t, "ana")
	d := f.plan(t, webReq())
	start := d.ScheduledStart.Add(24 * time.Hour)
	out, err := f.e.Reschedule(f.ctx, ana, d.ID, start, time.Time{})
	got := out.Deployment
	if err != nil || !got.ScheduledStart.Equal(start) || got.ScheduledEnd.Sub(got.ScheduledStart) != 45*time.Minute {
		t.Fatalf("reschedule keeps duration: %+v %v", got, err)
	}
	if _, err := f.e.Reschedule(f.ctx, ana, d.ID, start, start); !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("empty window: got %v", err)
	}
	// To the window it has is no move, and none is recorded; nor by an edit, which
	// says it changed nothing.
	if _, err := f.e.Reschedule(f.ctx, ana, d.ID, start, time.Time{}); !errors.Is(err, models.ErrInvalid) ||
		!strings.Contains(err.Error(), "nothing changed") {
		t.Fatalf("a reschedule to the same window: got %v", err)
	}
	if _, err := f.e.EditDeployment(f.ctx, ana, d.ID, Edit{Start: &start}); !errors.Is(err, models.ErrInvalid) ||
		!strings.Contains(err.Error(), "nothing changed") {
		t.Fatalf("an edit to the same start: got %v", err)
	}
	if _, err := f.e.Assign(f.ctx, ana, d.ID, "eve"); !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("assigning an analyst: got %v", err)
	}
	if out, err = f.e.Assign(f.ctx, ana, d.ID, "tom"); err != nil || out.Deployment.Assignee != "tom" {
		t.Fatalf("assign: %+v %v", got, err)
	}
	det, _ := f.e.Deployment(f.ctx, ana, d.ID)
	last := det.Events[len(det.Events)-1]
	if last.Type != "assigned" || last.Detail != "sam → tom" || det.Events[1].Type != "rescheduled" || len(det.Events) != 3 {
		t.Fatalf("record: %+v", det.Events)
	}
}

func TestUnknownDeploymentIsNotFound(t *testing.T) {
	f := newFixture(t)
	ana := f.person(t, "ana")
	if _, err := f.e.Deployment(f.ctx, ana, 999); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("show: %v", err)
	}
	if _, err := f.e.Cancel(f.ctx, ana, 999, "x"); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("cancel: %v", err)
	}
}

// With identity "trust" (a laptop, a demo), --as is believed and a login that maps to
// nobody acts as the first manager, as the note says.
func TestIdentifyTrust(t *testing.T) {
	f := newFixtureWith(t, strings.Replace(testConfig, "[ferry]\n", "[ferry]\nidentity = \"trust\"\n", 1))
	host := func(u string) Login { return Login{User: u, Host: "laptop"} }
	id, err := f.e.Identify(host("ana"), "")
	if err != nil || id.Actor.Name != "ana" || !strings.Contains(id.Note, "unix user ana") || id.Principal != "ana@laptop" {
		t.Fatalf("by unix user: %+v %v", id, err)
	}
	id, err = f.e.Identify(host("root"), "")
	if err != nil || id.Actor.Name != "ana" || !strings.Contains(id.Note, "first manager") || id.Principal != "root@laptop as ana" {
		t.Fatalf("fallback: %+v %v", id, err)
	}
	id, err = f.e.Identify(host("sam-unix"), "tom")
	if err != nil || id.Actor.Name != "tom" || id.Principal != "sam (sam-unix@laptop) as tom" {
		t.Fatalf("--as in trust: %+v %v", id, err)
	}
}

// With identity "login" (a shared host), the OS login is the person: a login that maps
// to nobody may read but change nothing, and only a manager may act as someone else,
// which the principal records.
func TestIdentifyLogin(t *testing.T) {
	f := newFixture(t)
	host := func(u string) Login { return Login{User: u, Host: "shared"} }
	id, err := f.e.Identify(host("root"), "")
	if err != nil || !id.Actor.Unmapped || !strings.Contains(id.Note, `add unix_user = "root"`) {
		t.Fatalf("an unmapped login: %+v %v", id, err)
	}
	if _, _, err := f.e.Plan(f.ctx, id.Actor, webReq()); !errors.Is(err, models.ErrForbidden) ||
		!strings.Contains(err.Error(), "maps to no person") {
		t.Fatalf("an unmapped login planning: %v", err)
	}
	if _, err := f.e.List(f.ctx, id.Actor, models.Filter{}); err != nil {
		t.Fatalf("an unmapped login may read: %v", err)
	}
	if _, err := f.e.Identify(host("root"), "ana"); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("an unmapped login naming someone: %v", err)
	}
	if _, err := f.e.Identify(host("sam-unix"), "tom"); !errors.Is(err, models.ErrForbidden) ||
		!strings.Contains(err.Error(), "only a manager") {
		t.Fatalf("a practitioner acting as someone else: %v", err)
	}
	id, err = f.e.Identify(host("ana"), "tom")
	if err != nil || id.Actor.Name != "tom" || id.Principal != "ana (ana@shared) as tom" {
		t.Fatalf("a manager acting as someone else: %+v %v", id, err)
	}
	// The principal is on every event written under it.
	ctx := WithPrincipal(f.ctx, id.Principal)
	d, _, err := f.e.Plan(ctx, f.person(t, "ana"), webReq())
	if err != nil {
		t.Fatal(err)
	}
	det, _ := f.e.Deployment(f.ctx, f.person(t, "ana"), d.ID)
	if got := det.Events[0].Principal; got != "ana (ana@shared) as tom" {
		t.Fatalf("principal on the record: %q", got)
	}
}

func TestDashboardShowsRunningDueAndOverdue(t *testing.T) {
	f := newFixture(t)
	ana := f.person(t, "ana")
	late := webReq()
	late.Start = f.now.Add(-2 * time.Hour)
	overdue := f.plan(t, late)
	due := webReq()
	due.Start = f.now.Add(3 * time.Hour)
	dueToday := f.plan(t, due)
	// Planned for a few minutes ago: due now, not late, within the adherence
	// tolerance (a plan for "now" is not overdue the minute it is made).
	justNow := webReq()
	justNow.Version, justNow.Start = "4.13.0", f.now.Add(-5*time.Minute)
	dueNow := f.plan(t, justNow)
	running := f.plan(t, PlanRequest{Model: "rack", Component: "rack-b07", Version: "1", Environment: "production",
		Start: f.now, Assignee: "tom"})
	if _, err := f.e.Advance(f.ctx, ana, running.ID, ""); err != nil {
		t.Fatal(err)
	}
	db, err := f.e.Dashboard(f.ctx, ana)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ds []models.Deployment) []int64 {
		var out []int64
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	if got := ids(db.Overdue); len(got) != 1 || got[0] != overdue.ID {
		t.Errorf("overdue %v, want [%d]", got, overdue.ID)
	}
	if got := ids(db.DueToday); len(got) != 2 || got[0] != dueNow.ID || got[1] != dueToday.ID {
		t.Errorf("due today %v, want [%d %d]", got, dueNow.ID, dueToday.ID)
	}
	if got := ids(db.Running); len(got) != 1 || got[0] != running.ID {
		t.Errorf("running %v, want [%d]", got, running.ID)
	}
	tom, _ := f.e.Dashboard(f.ctx, f.person(t, "tom"))
	if len(tom.Overdue)+len(tom.DueToday) != 0 || len(tom.Running) != 1 {
		t.Errorf("tom's dashboard shows others' work: %+v", tom)
	}
	// A failure counts from when it failed, even when its planned start is still ahead
	// (a manager started it early): it is a recent failure.
	early := webReq()
	early.Start = f.now.Add(48 * time.Hour)
	d := f.plan(t, early)
	if _, err := f.e.Start(f.ctx, ana, d.ID, "the change board moved it up"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Fail(f.ctx, ana, d.ID, "the smoke test failed", false); err != nil {
		t.Fatal(err)
	}
	db, _ = f.e.Dashboard(f.ctx, ana)
	var failed []int64
	for _, it := range db.Inbox {
		if it.Kind == InboxFailure {
			failed = append(failed, it.Deployment.ID)
		}
	}
	if len(failed) != 1 || failed[0] != d.ID {
		t.Errorf("recent failures %v, want [%d], which failed now and was planned for later", failed, d.ID)
	}
}

// An optional item of a stage the run has not reached may be ticked ahead of it:
// the run does not stop for an optional item, so one alone in its stage could only
// ever be skipped. A required one still waits for its stage.
func TestAnOptionalItemIsTickedAheadOfItsStage(t *testing.T) {
	f := newFixture(t)
	ana := f.person(t, "ana")
	d := f.plan(t, webReq())
	if _, err := f.e.Advance(f.ctx, ana, d.ID, ""); err != nil { // → verifying components
		t.Fatal(err)
	}
	if _, err := f.e.TickStep(f.ctx, ana, d.ID, 2, ""); !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), "belongs to Execute") {
		t.Fatalf("a required item of a later stage: got %v, want it refused", err)
	}
	out, err := f.e.TickStep(f.ctx, ana, d.ID, 3, "told them early")
	if err != nil || out.Deployment.Status != models.StatusVerifyingComponents {
		t.Fatalf("optional item 3 ahead of Execute: %+v %v", out, err)
	}
	if _, err := f.e.TickStep(f.ctx, ana, d.ID, 1, ""); err != nil {
		t.Fatal(err)
	}
	// Nothing is left behind now: the last required item ends the run with no question.
	if out, err = f.e.TickStep(f.ctx, ana, d.ID, 2, ""); err != nil || out.Deployment.Status != models.StatusSucceeded {
		t.Fatalf("tick 2: %+v %v; want succeeded", out, err)
	}
	det, _ := f.e.Deployment(f.ctx, ana, d.ID)
	if s := det.Steps[2]; s.Status != models.StepDone || s.Actor != "ana" || !strings.Contains(s.Note, "told them early") {
		t.Fatalf("item 3 is done by ana, not skipped: %+v", s)
	}
}

// Two optional items alone in a later stage: ticking one ahead leaves the other as it
// is (the run is still in its first stage, waiting), and the record says it was
// ticked ahead. Begun at the item's own stage, the check took the run to be there
// and refused the tick for skipping the other.
func TestTwoOptionalItemsAheadAreTickedOneByOne(t *testing.T) {
	cfg := strings.Replace(testConfig, `  [[model.step]]
  stage = "execute"
  name = "Tell support"
  required = false
`, `  [[model.step]]
  stage = "execute"
  name = "Tell support"
  required = false
  [[model.step]]
  stage = "verify_deployment"
  name = "Status page updated"
  required = false
  [[model.step]]
  stage = "verify_deployment"
  name = "Changelog posted"
  required = false
`, 1)
	f := newFixtureWith(t, cfg)
	ana := f.person(t, "ana")
	d := f.plan(t, webReq())
	if _, err := f.e.Advance(f.ctx, ana, d.ID, ""); err != nil { // → verifying components
		t.Fatal(err)
	}
	st, err := f.e.RunState(f.ctx, ana, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if left := SkippedByTick(st, 4); len(left) != 0 {
		t.Fatalf("ticking 4 ahead skips %+v", left)
	}
	for _, seq := range []int{4, 5} {
		if _, err := f.e.TickStep(f.ctx, ana, d.ID, seq, ""); err != nil {
			t.Fatalf("tick %d ahead: %v", seq, err)
		}
	}
	det, _ := f.e.Deployment(f.ctx, ana, d.ID)
	if !slices.ContainsFunc(det.Events, func(e models.Event) bool {
		return strings.Contains(e.Detail, `ticked 4 "Status page updated" ahead of Verify deployment`)
	}) {
		t.Errorf("the record should say 4 was ticked ahead of its stage: %+v", det.Events)
	}
}

// An edit of a deployment under way that keeps its window (the form sends the start
// it has) and changes the assignee is previewed as it is saved: the preview refused
// it ("only planned deployments can be rescheduled") while the edit went through.
func TestPreviewEditOfAKeptWindowUnderWay(t *testing.T) {
	f := newFixture(t)
	ana := f.person(t, "ana")
	d := f.plan(t, webReq())
	if _, err := f.e.Advance(f.ctx, ana, d.ID, ""); err != nil {
		t.Fatal(err)
	}
	tom := "tom"
	ed := Edit{Start: &d.ScheduledStart, Assignee: &tom}
	if got, _, err := f.e.PreviewEdit(f.ctx, ana, d.ID, ed); err != nil || got.Assignee != "tom" {
		t.Fatalf("preview: %+v %v", got, err)
	}
	if out, err := f.e.EditDeployment(f.ctx, ana, d.ID, ed); err != nil || out.Deployment.Assignee != "tom" {
		t.Fatalf("edit: %+v %v", out.Deployment, err)
	}
}
