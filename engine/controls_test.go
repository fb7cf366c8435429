package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"ferry/models"
	"ferry/store"
)

// controlsConfig: staging without windows, production with a Friday-afternoon freeze
// and a Saturday-night maintenance window it requires; the default start tolerance.
const controlsConfig = `
[ferry]
timezone = "Europe/Berlin"

[[environment]]
name = "staging"
order = 1
capacity = 1

[[environment]]
name = "production"
order = 2
require_maintenance_window = true
  [[environment.maintenance]]
  name = "weekend night"
  weekly = "Sat 22:00 - Sun 04:00"
  [[environment.freeze]]
  name = "friday afternoons"
  weekly = "Fri 14:00 - Fri 23:59"

[[person]]
name = "ana"
roles = ["manager"]

[[person]]
name = "sam"
roles = ["practitioner"]

[[service]]
name = "payments"
  [[service.component]]
  name = "api"
  kind = "software"
  [[service.component]]
  name = "web"
  kind = "software"
  [[service.component]]
  name = "cache"
  kind = "software"

[[model]]
name = "web"
kinds = ["software"]
path = ["staging", "production"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Switch traffic"

[[model]]
name = "hotfix"
kinds = ["software"]
path = ["production"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Switch traffic"
`

// controlsFixture is a fixture on controlsConfig whose clock reads local time s.
func controlsFixture(t *testing.T, s string) *fixture {
	t.Helper()
	f := newFixtureWith(t, controlsConfig)
	f.now = f.local(s)
	return f
}

func (f *fixture) planIn(t *testing.T, comp, env, start string, edit ...func(*PlanRequest)) models.Deployment {
	t.Helper()
	r := PlanRequest{Model: "web", Component: comp, Version: "1", Environment: env, Start: f.local(start)}
	for _, fn := range edit {
		fn(&r)
	}
	return f.plan(t, r)
}

// refusedFor wants a start refused for exactly these rules.
func refusedFor(t *testing.T, err error, rules ...string) *StartRefusedError {
	t.Helper()
	var r *StartRefusedError
	if !errors.As(err, &r) {
		t.Fatalf("want a start refused for %v, got %v", rules, err)
	}
	var got []string
	for _, b := range r.Breaks {
		got = append(got, b.Rule)
	}
	if strings.Join(got, ",") != strings.Join(rules, ",") {
		t.Fatalf("refused for %v, want %v: %v", got, rules, err)
	}
	for _, way := range []string{"deploy reschedule", "--start now", "--override-reason"} {
		if !strings.Contains(err.Error(), way) {
			t.Errorf("the refusal should name the way on %q: %v", way, err)
		}
	}
	return r
}

func (f *fixture) findings(t *testing.T, id int64) []models.Finding {
	t.Helper()
	fs, err := f.e.st.Read().Findings(f.ctx, store.FindingFilter{Deployment: id})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestAStartIsHeldToItsWindow(t *testing.T) {
	f := controlsFixture(t, "2026-11-24 09:00") // a Tuesday
	sam := f.person(t, "sam")
	d := f.planIn(t, "api", "staging", "2026-11-24 10:00")
	for _, way := range []struct {
		name string
		try  func() error
	}{
		{"Start", func() error { _, err := f.e.Start(f.ctx, sam, d.ID, ""); return err }},
		{"Run", func() error { _, err := f.e.Run(f.ctx, sam, d.ID, RunOptions{}); return err }},
		{"Advance", func() error { _, err := f.e.Advance(f.ctx, sam, d.ID, ""); return err }},
	} {
		refusedFor(t, way.try(), models.RuleWindow)
	}
	// sam may not override: the command is said as the manager's to run, not his.
	if _, err := f.e.Start(f.ctx, sam, d.ID, ""); err == nil || !strings.Contains(err.Error(), "ask a manager to start it anyway (a manager runs 'ferry deploy run") {
		t.Errorf("a practitioner's ways on: %v", err)
	}
	f.now = f.local("2026-11-24 09:45") // within the 15 minutes before
	if out, err := f.e.Start(f.ctx, sam, d.ID, ""); err != nil || out.Deployment.Status != models.StatusVerifyingComponents {
		t.Fatalf("a start 15 minutes early: %+v %v", out.Deployment.Status, err)
	}
	late := f.planIn(t, "web", "staging", "2026-11-24 06:00")
	if _, err := f.e.Start(f.ctx, sam, late.ID, ""); !strings.Contains(err.Error(), "has ended") {
		t.Fatalf("a start after the window ended: %v", err)
	}
	refusedFor(t, func() error { _, err := f.e.Start(f.ctx, sam, late.ID, ""); return err }(), models.RuleWindow)
	if fs := f.findings(t, late.ID); len(fs) != 0 {
		t.Fatalf("a refused start left findings: %+v", fs)
	}
}

func TestAStartIsHeldToFreezesAndMaintenanceWindows(t *testing.T) {
	f := controlsFixture(t, "2026-11-27 15:00") // Friday afternoon: the freeze
	sam, ana := f.person(t, "sam"), f.person(t, "ana")
	d := f.planIn(t, "api", "production", "2026-11-27 15:00", func(r *PlanRequest) { r.Model = "hotfix" })
	// Each rule is said once: the plan's freeze and maintenance conflicts are the
	// controls that break now, which a move settles too.
	refusedFor(t, func() error { _, err := f.e.Run(f.ctx, sam, d.ID, RunOptions{}); return err }(),
		string(models.ConflictFreeze), string(models.ConflictMaintenance))
	if v, err := f.e.View(f.ctx, sam, d.ID, ViewRequest{}); err != nil || BreaksBrief(v.StartBreaks) != "freeze, maintenance" {
		t.Errorf("the view's breaks: %q %v", BreaksBrief(v.StartBreaks), err)
	}

	// Overriding its maintenance conflict accepted the plan, not a start outside the
	// windows: the refusal says so, rather than seem to ignore the manager.
	cs, err := f.e.Conflicts(f.ctx, ana, ConflictFilter{OpenOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Kind == models.ConflictMaintenance && c.Involves(d.ID) {
			if _, err := f.e.Override(f.ctx, ana, c.ID, "the CAB accepted it"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := f.e.Run(f.ctx, sam, d.ID, RunOptions{}); err == nil ||
		!strings.Contains(err.Error(), "(ana's override of its maintenance conflict accepted the plan, not a start now)") {
		t.Fatalf("a start after the maintenance conflict was overridden: %v", err)
	}

	// A practitioner may not override; a manager may, with a reason, and it is kept.
	if _, err := f.e.Run(f.ctx, sam, d.ID, RunOptions{OverrideReason: "customer outage"}); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("a practitioner overriding: %v", err)
	}
	out, err := f.e.Run(f.ctx, ana, d.ID, RunOptions{OverrideReason: "customer outage"})
	if err != nil || out.Deployment.Status == models.StatusPlanned {
		t.Fatalf("a manager's override: %+v %v", out, err)
	}
	kinds := map[string]int{}
	for _, fd := range f.findings(t, d.ID) {
		kinds[fd.Kind+" "+fd.Rule]++
		if fd.Kind == models.FindingOverride && (fd.Reason != "customer outage" || fd.Actor != "ana") {
			t.Errorf("override finding: %+v", fd)
		}
	}
	// Two rules each (the control and the conflict), but the maintenance conflict was
	// overridden before, so the start went against its control alone.
	if kinds["override freeze"] != 2 || kinds["override maintenance"] != 1 || kinds["at_start freeze"] != 1 ||
		kinds["at_start maintenance"] != 1 {
		t.Fatalf("findings: %v", kinds)
	}
	det, _ := f.e.Deployment(f.ctx, ana, d.ID)
	if !hasEvent(det.Events, EventOverride, "started against freeze, maintenance: customer outage") {
		t.Fatalf("the record should say so: %+v", det.Events)
	}
}

func hasEvent(es []models.Event, typ, detail string) bool {
	for _, e := range es {
		if e.Type == typ && strings.Contains(e.Detail, detail) {
			return true
		}
	}
	return false
}

// An emergency has a lane: it needs a manager and a reason to plan, and may then start
// inside a freeze or outside the maintenance windows, which its record keeps.
func TestEmergencyLane(t *testing.T) {
	f := controlsFixture(t, "2026-11-27 15:00")
	sam, ana := f.person(t, "sam"), f.person(t, "ana")
	req := PlanRequest{Model: "hotfix", Component: "api", Version: "1", Environment: "production",
		Start: f.now, Urgency: models.UrgencyEmergency}
	if _, _, err := f.e.Plan(f.ctx, sam, req); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("a practitioner planning an emergency: %v", err)
	}
	if _, _, err := f.e.Plan(f.ctx, ana, req); !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("an emergency without a reason: %v", err)
	}
	req.UrgencyReason = "payments down"
	d, _, err := f.e.Plan(f.ctx, ana, req)
	if err != nil || d.Urgency != models.UrgencyEmergency {
		t.Fatalf("an emergency: %+v %v", d, err)
	}
	if out, err := f.e.Run(f.ctx, sam, d.ID, RunOptions{}); err != nil || out.Deployment.Status == models.StatusPlanned {
		t.Fatalf("an emergency start inside the freeze: %+v %v", out.Deployment.Status, err)
	}
	n := 0
	for _, fd := range f.findings(t, d.ID) {
		if fd.Kind == models.FindingEmergency {
			n++
			if fd.Reason != "payments down" {
				t.Errorf("emergency finding: %+v", fd)
			}
		}
	}
	det, _ := f.e.Deployment(f.ctx, ana, d.ID)
	if n != 4 || !hasEvent(det.Events, EventUrgency, "emergency, declared by ana: payments down") ||
		!hasEvent(det.Events, EventEmergency, "emergency start against freeze, maintenance: payments down") {
		t.Fatalf("%d emergency findings; record %+v", n, det.Events)
	}
	// The lane does not open a window that has not begun.
	later := req
	later.Component, later.Start = "web", f.now.Add(5*time.Hour)
	d2, _, err := f.e.Plan(f.ctx, ana, later)
	if err != nil {
		t.Fatal(err)
	}
	refusedFor(t, func() error { _, err := f.e.Start(f.ctx, sam, d2.ID, ""); return err }(), models.RuleWindow)
}

// Evidence lasts: the conflicts a deployment was in when it started stay with it,
// those still open when it finishes that nobody settled become unresolved (one it
// was let start against was settled then), and running past the end of its window
// is an overrun.
func TestEvidenceLasts(t *testing.T) {
	f := controlsFixture(t, "2026-11-24 10:00")
	ana := f.person(t, "ana")
	d := f.planIn(t, "api", "staging", "2026-11-24 10:00")
	other := f.planIn(t, "web", "staging", "2026-11-24 10:30") // capacity 1: a conflict
	if _, err := f.e.Run(f.ctx, ana, d.ID, RunOptions{OverrideReason: "both are small"}); err != nil {
		t.Fatal(err)
	}
	// While it runs, the conflict is open and says who started against it and why,
	// in the list and on the deployment's page.
	running, err := f.e.Conflicts(f.ctx, ana, ConflictFilter{OpenOnly: true, Deployment: d.ID})
	if err != nil || len(running) != 1 || running[0].StartedText() != "started anyway by ana: both are small" {
		t.Fatalf("the open conflict of the running deployment: %+v, %v", running, err)
	}
	det, err := f.e.Deployment(f.ctx, ana, d.ID)
	if err != nil || len(det.Conflicts) != 1 || det.Conflicts[0].StartedOver == nil || !det.Conflicts[0].Open() {
		t.Fatalf("its page's conflicts: %+v, %v", det.Conflicts, err)
	}
	// A third planned into it while it runs makes a crowd nobody let it start against.
	late := f.planIn(t, "cache", "staging", "2026-11-24 10:45")
	f.now = f.local("2026-11-24 11:20") // 20 minutes past its end
	out, err := f.e.TickStep(f.ctx, ana, d.ID, 1, "")
	if err != nil || out.Deployment.Status != models.StatusSucceeded {
		t.Fatalf("finishing: %+v %v", out.Deployment.Status, err)
	}
	kinds := map[string]int{}
	for _, fd := range f.findings(t, d.ID) {
		kinds[fd.Kind]++
		if fd.Kind == models.FindingUnresolved && (fd.Rule != "capacity" || len(fd.DeploymentIDs) != 3 || fd.ConflictID == "") {
			t.Errorf("unresolved finding: %+v", fd)
		}
		if fd.Kind == models.FindingOverrun && !strings.Contains(fd.Message, "ran 20m past") {
			t.Errorf("overrun finding: %+v", fd)
		}
		if text := FindingText(fd); fd.Kind == models.FindingAtStart &&
			!strings.HasPrefix(text, "in capacity conflict "+fd.ConflictID+" at the start: 2 deployments at once") {
			t.Errorf("the conflict it started in, as people read it: %q", text)
		}
		if text := FindingText(fd); fd.Kind == models.FindingOverride &&
			(!strings.Contains(text, " by ana: ") || strings.Count(text, fd.ConflictID) != 1) {
			t.Errorf("the override as people read it: %q", text)
		}
	}
	if kinds[models.FindingOverride] != 1 || kinds[models.FindingAtStart] != 1 || kinds[models.FindingUnresolved] != 1 ||
		kinds[models.FindingOverrun] != 1 {
		t.Fatalf("findings: %v", kinds)
	}
	// Once finished, the conflict no longer shows among the open ones, but stays.
	open, _ := f.e.Conflicts(f.ctx, ana, ConflictFilter{OpenOnly: true})
	for _, c := range open {
		if c.Involves(d.ID) {
			t.Fatalf("a finished deployment's conflict still open: %+v", c)
		}
	}
	all, err := f.e.Conflicts(f.ctx, ana, ConflictFilter{All: true})
	if err != nil {
		t.Fatal(err)
	}
	unresolved, settled := false, false
	for _, c := range all {
		switch {
		case c.Status == models.ConflictUnresolved && c.Involves(late.ID):
			unresolved = true
		case c.Status == models.ConflictOverridden && c.Involves(d.ID) && c.Involves(other.ID) && !c.Involves(late.ID):
			settled = true
			// who went ahead, and why, stays with it
			if c.StartedText() != "started anyway by ana: both are small" || strings.HasPrefix(c.Message, c.ID) {
				t.Errorf("the conflict it was started against: %+v", c)
			}
		case c.Involves(d.ID):
			t.Errorf("a conflict of the finished deployment as neither: %+v", c)
		}
	}
	if !unresolved || !settled {
		t.Fatalf("--all should list the crowd left unresolved and the pair started against: %+v", all)
	}
	// Kept, they are still in their environment: --env finds them, and the settled
	// one carries the reason it was started with.
	inStaging, err := f.e.Conflicts(f.ctx, ana, ConflictFilter{All: true, Environment: "staging"})
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, c := range inStaging {
		if c.Involves(d.ID) {
			kept++
			if c.Status == models.ConflictOverridden && c.Reason != "both are small" {
				t.Errorf("the settled conflict's reason: %q", c.Reason)
			}
		}
	}
	if kept != 2 {
		t.Fatalf("--all --env staging should list both kept conflicts of #%d: %+v", d.ID, inStaging)
	}
	// The reports count them in the period they were found.
	rep, err := f.e.Report(f.ctx, reportReader, ReportRequest{From: f.local("2026-11-24 00:00"), To: f.local("2026-11-25 00:00"), Period: PeriodDay})
	if err != nil {
		t.Fatal(err)
	}
	if m := rep.Totals[0].Metrics; m.StartOverrides != 1 || m.OutsideWindow != 0 || m.Unresolved != 1 || m.EmergencyStarts != 0 {
		t.Fatalf("the audit columns: %+v", m)
	}
}

// A refused start names the ways on that can help: a move only where time is what
// breaks, the conflicts' resolution where a conflict does, and always the override.
func TestStartWaysFitWhatBreaks(t *testing.T) {
	promotion := &models.Conflict{Kind: models.ConflictPromotion}
	for _, tc := range []struct {
		name   string
		breaks []Break
		want   []Way
	}{
		{"a promotion", []Break{{Rule: string(models.ConflictPromotion), Conflict: promotion}}, []Way{WayResolve, WayOverride}},
		{"the window", []Break{{Rule: models.RuleWindow}}, []Way{WayMove, WayOverride}},
		{"a freeze and a promotion", []Break{{Rule: string(models.ConflictFreeze)},
			{Rule: string(models.ConflictPromotion), Conflict: promotion}}, []Way{WayMove, WayResolve, WayOverride}},
	} {
		if got := StartWays(tc.breaks); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	mgr := models.Person{Name: "ana", Roles: []models.Role{models.RoleManager}}
	err := &StartRefusedError{ID: 2, Breaks: []Break{{Rule: "promotion", Message: "2.4.0 goes to staging first", Conflict: promotion}},
		Actor: mgr}
	if msg := err.Error(); strings.Contains(msg, "reschedule") || !strings.Contains(msg, "ferry deploy suggest 2") ||
		!strings.Contains(msg, "--override-reason") || strings.Contains(msg, "ask a manager") {
		t.Errorf("a promotion's refusal: %s", msg)
	}
	// A technician is told whom to ask, not commands he may not run.
	err.Actor = models.Person{Name: "tom", Roles: []models.Role{models.RoleTechnician}}
	if msg := err.Error(); strings.Contains(msg, "deploy suggest") || !strings.Contains(msg, "ask a manager to resolve its conflicts") {
		t.Errorf("a technician's refusal: %s", msg)
	}
}

// TestBreaksInWords: a technician's screen words what a start would break without
// the conflicts' IDs (BreaksWords), and briefly by kind (BreaksBrief); the CLI's
// refusal keeps the IDs a manager overrides by.
func TestBreaksInWords(t *testing.T) {
	cs := []models.Conflict{
		{ID: "c8ccb10b", Kind: models.ConflictCapacity, Message: "2 deployments at once in production", Status: models.ConflictOpen},
		{ID: "c1e2c772", Kind: models.ConflictPerson, Message: "tom is booked on #1 and #2 at once", Status: models.ConflictOpen},
		{ID: "c0574b84", Kind: models.ConflictCapacity, Message: "3 deployments at once in production", Status: models.ConflictOpen},
	}
	bs := append([]Break{{Rule: models.RuleWindow, Message: "its window has ended"}}, ConflictBreaks(cs)...)
	words := BreaksWords(bs)
	if strings.Contains(words, "c8ccb10b") || strings.Contains(words, "c1e2c772") ||
		!strings.Contains(words, "window: its window has ended; capacity: 2 deployments at once in production; person: tom is booked") {
		t.Errorf("BreaksWords: %s", words)
	}
	if got := BreaksText(bs); !strings.Contains(got, "capacity: c8ccb10b 2 deployments") {
		t.Errorf("BreaksText keeps the IDs: %s", got)
	}
	tom := models.Person{Name: "tom", Roles: []models.Role{models.RoleTechnician}}
	if got := (&StartRefusedError{ID: 2, Breaks: bs, Actor: tom}).Error(); !strings.Contains(got, "c8ccb10b") {
		t.Errorf("the CLI's refusal keeps the IDs: %s", got)
	}
	if got := BreaksBrief(bs); got != "window, capacity ×2, person" {
		t.Errorf("BreaksBrief: %q", got)
	}
}

// A run past its end and a plan whose start passed wait in the inbox of whom they
// concern (a manager's, the requester's), as on the dashboard, with the way on.
func TestInboxHasOverrunsAndOverduePlans(t *testing.T) {
	f := controlsFixture(t, "2026-11-24 10:00")
	ana, sam := f.person(t, "ana"), f.person(t, "sam")
	runs := f.planIn(t, "api", "staging", "2026-11-24 10:00")
	late := f.planIn(t, "web", "staging", "2026-11-24 12:00", func(r *PlanRequest) { r.Requester = "sam" })
	other := f.planIn(t, "cache", "staging", "2026-11-24 14:00")
	if _, err := f.e.Run(f.ctx, ana, runs.ID, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	f.now = f.local("2026-11-24 16:00") // runs' window ended at 11:00; late and other did not start
	kinds := func(who models.Person) map[string][]int64 {
		items, err := f.e.Inbox(f.ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]int64{}
		for _, it := range items {
			out[it.Kind] = append(out[it.Kind], it.Deployment.ID)
			if it.Kind == InboxOverdue && it.Deployment.ID == late.ID && !strings.Contains(it.Message, "was to start 2026-11-24 12:00") {
				t.Errorf("the overdue item: %q", it.Message)
			}
		}
		return out
	}
	got := kinds(ana)
	if !slices.Equal(got[InboxOverrun], []int64{runs.ID}) || !slices.Equal(got[InboxOverdue], []int64{late.ID, other.ID}) {
		t.Fatalf("a manager's inbox: %v", got)
	}
	got = kinds(sam) // requested late only
	if len(got[InboxOverrun]) != 0 || !slices.Equal(got[InboxOverdue], []int64{late.ID}) {
		t.Fatalf("the requester's inbox: %v", got)
	}
	// The dashboard's Needs you is the same list: not everyone's lateness.
	db, err := f.e.Dashboard(f.ctx, sam)
	if err != nil {
		t.Fatal(err)
	}
	var onDashboard []int64
	for _, it := range db.Inbox {
		if it.Kind == InboxOverdue || it.Kind == InboxOverrun {
			onDashboard = append(onDashboard, it.Deployment.ID)
		}
	}
	if !slices.Equal(onDashboard, []int64{late.ID}) || len(db.Watched) != 0 {
		t.Fatalf("the requester's dashboard: late %v, watched %d", onDashboard, len(db.Watched))
	}
}

// A conflict a manager let one deployment start against is settled for all of it:
// the other, started before without a conflict, finishes first and leaves nothing
// unresolved.
func TestStartedAgainstByTheOtherIsSettledAtTheFinish(t *testing.T) {
	f := controlsFixture(t, "2026-11-24 10:00")
	ana := f.person(t, "ana")
	first := f.planIn(t, "api", "staging", "2026-11-24 10:00")
	if _, err := f.e.Run(f.ctx, ana, first.ID, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	f.now = f.local("2026-11-24 10:30")
	second := f.planIn(t, "web", "staging", "2026-11-24 10:30") // capacity 1: a conflict
	if _, err := f.e.Run(f.ctx, ana, second.ID, RunOptions{OverrideReason: "both are small"}); err != nil {
		t.Fatal(err)
	}
	f.now = f.local("2026-11-24 10:50")
	if out, err := f.e.TickStep(f.ctx, ana, first.ID, 1, ""); err != nil || out.Deployment.Status != models.StatusSucceeded {
		t.Fatalf("finishing the first: %+v %v", out.Deployment.Status, err)
	}
	for _, fd := range f.findings(t, first.ID) {
		if fd.Kind == models.FindingUnresolved {
			t.Errorf("the first left unresolved what a manager let the second start against: %+v", fd)
		}
	}
}

// A conflict a manager let one deployment start against stays in the inbox of those
// of a plan still in it: that plan's start is refused for it until it moves.
func TestStartedAgainstStaysForThePlanLeftInIt(t *testing.T) {
	f := controlsFixture(t, "2026-11-24 10:00")
	ana, sam := f.person(t, "ana"), f.person(t, "sam")
	first := f.planIn(t, "api", "staging", "2026-11-24 10:00")
	second := f.planIn(t, "web", "staging", "2026-11-24 10:30", func(r *PlanRequest) { r.Requester = "sam" })
	if _, err := f.e.Run(f.ctx, ana, first.ID, RunOptions{OverrideReason: "the api cannot wait"}); err != nil {
		t.Fatal(err)
	}
	items, err := f.e.Inbox(f.ctx, sam)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range items {
		found = found || (it.Kind == InboxConflict && it.Movable == second.ID)
	}
	if !found {
		t.Fatalf("sam's plan is still in the conflict ana started the first against: %+v", items)
	}
}

// An approval moves the run on as a tick does: one that would leave an optional item
// of its stage behind is refused, naming it, until the person says to leave it.
func TestApprovalLeavingOptionalItemsIsRefused(t *testing.T) {
	cfg := strings.Replace(testConfig, `  [[model.step]]
  stage = "execute"
  name = "Tell support"
  required = false
`, `  [[model.step]]
  stage = "execute"
  name = "Tell support"
  required = false
  [[model.step]]
  stage = "execute"
  name = "Go"
  gate = true
  roles = ["practitioner"]
`, 1)
	if cfg == testConfig {
		t.Fatal("the test config has no optional Tell support step to add a gate after")
	}
	f := newFixtureWith(t, cfg)
	ana, sam := f.person(t, "ana"), f.person(t, "sam")
	d := f.plan(t, webReq())
	if _, err := f.e.Advance(f.ctx, ana, d.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.TickStep(f.ctx, ana, d.ID, 1, ""); err != nil {
		t.Fatal(err)
	}
	out, err := f.e.TickStep(f.ctx, ana, d.ID, 2, "") // the gate still waits: nothing is left yet
	if err != nil || out.Waiting == nil || out.Waiting.Kind != WaitApproval {
		t.Fatalf("tick 2: %+v %v; want the gate to wait", out.Waiting, err)
	}
	_, err = f.e.ApproveGate(f.ctx, sam, d.ID, "")
	if !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), `optional item 3 "Tell support"`) {
		t.Fatalf("approving past the optional item: %v, want a refusal naming it", err)
	}
	out, err = f.e.ApproveGate(f.ctx, sam, d.ID, "", RunOptions{SkipOptional: true})
	if err != nil || out.Deployment.Status != models.StatusSucceeded {
		t.Fatalf("approving, leaving it: %+v %v", out.Deployment.Status, err)
	}
}

// Planning a version into an environment where its last deployment failed is worth a
// second look: FailedThere says so, until one there succeeds.
func TestFailedThere(t *testing.T) {
	f := controlsFixture(t, "2026-11-24 10:00")
	ana := f.person(t, "ana")
	if _, ok, err := f.e.FailedThere(f.ctx, ana, "api", "1", "staging"); err != nil || ok {
		t.Fatalf("never there: %v %v", ok, err)
	}
	bad := f.planIn(t, "api", "staging", "2026-11-24 10:00")
	if _, err := f.e.Start(f.ctx, ana, bad.ID, ""); err != nil {
		t.Fatal(err)
	}
	f.now = f.local("2026-11-24 10:20")
	if _, err := f.e.Fail(f.ctx, ana, bad.ID, "smoke test failed", false); err != nil {
		t.Fatal(err)
	}
	last, ok, err := f.e.FailedThere(f.ctx, ana, "api", "1", "staging")
	if err != nil || !ok || last.ID != bad.ID || FailedThereText(last, f.e.Location()) != "1 failed in staging on 2026-11-24 10:20 CET (#1)" {
		t.Fatalf("after the failure: %+v %v %v", last.ID, ok, err)
	}
	if _, ok, _ := f.e.FailedThere(f.ctx, ana, "api", "1", "production"); ok {
		t.Fatal("another environment is not where it failed")
	}
	good := f.planIn(t, "api", "staging", "2026-11-24 10:30")
	if _, err := f.e.Run(f.ctx, ana, good.ID, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	f.now = f.local("2026-11-24 10:40")
	if out, err := f.e.TickStep(f.ctx, ana, good.ID, 1, ""); err != nil || out.Deployment.Status != models.StatusSucceeded {
		t.Fatalf("the second: %v %v", out.Deployment.Status, err)
	}
	if _, ok, _ := f.e.FailedThere(f.ctx, ana, "api", "1", "staging"); ok {
		t.Fatal("its last deployment there succeeded")
	}
}

// A conflict that would have begun after the deployment finished never happened: it
// is not kept as unresolved (the first finished at 10:20; the second, planned into
// its window from 10:40, would have clashed only then). One that had begun is kept.
func TestAClashThatNeverBeganIsNotUnresolved(t *testing.T) {
	for _, c := range []struct {
		second string
		kept   bool
	}{{"2026-11-24 10:40", false}, {"2026-11-24 10:10", true}} {
		f := controlsFixture(t, "2026-11-24 09:00")
		ana := f.person(t, "ana")
		first := f.planIn(t, "api", "staging", "2026-11-24 10:00") // until 11:00; capacity 1
		f.now = f.local("2026-11-24 10:00")
		if _, err := f.e.Run(f.ctx, ana, first.ID, RunOptions{}); err != nil {
			t.Fatal(err)
		}
		f.now = f.local("2026-11-24 10:05") // planned into its window after it started: settled by nobody
		f.planIn(t, "web", "staging", c.second)
		f.now = f.local("2026-11-24 10:20")
		if out, err := f.e.TickStep(f.ctx, ana, first.ID, 1, ""); err != nil || out.Deployment.Status != models.StatusSucceeded {
			t.Fatalf("finishing the first: %+v %v", out.Deployment.Status, err)
		}
		kept := false
		for _, fd := range f.findings(t, first.ID) {
			kept = kept || fd.Kind == models.FindingUnresolved
		}
		if kept != c.kept {
			t.Errorf("second from %s: unresolved kept %v, want %v: %+v", c.second, kept, c.kept, f.findings(t, first.ID))
		}
	}
	// A conflict of its own did happen, even when it started early and finished before
	// its planned start: a version blocked while it ran.
	f := controlsFixture(t, "2026-11-24 09:00")
	ana := f.person(t, "ana")
	d := f.planIn(t, "api", "staging", "2026-11-24 10:00")
	f.now = f.local("2026-11-24 09:50") // within the start tolerance
	if _, err := f.e.Run(f.ctx, ana, d.ID, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	f.now = f.local("2026-11-24 09:52")
	if _, err := f.e.BlockVersion(f.ctx, ana, "api", "1", "it corrupts the cache"); err != nil {
		t.Fatal(err)
	}
	f.now = f.local("2026-11-24 09:55")
	if _, err := f.e.TickStep(f.ctx, ana, d.ID, 1, ""); err != nil {
		t.Fatal(err)
	}
	kept := false
	for _, fd := range f.findings(t, d.ID) {
		kept = kept || fd.Kind == models.FindingUnresolved && fd.Rule == string(models.ConflictBlocked)
	}
	if !kept {
		t.Errorf("a version blocked while it ran, finished before its planned start: not kept: %+v", f.findings(t, d.ID))
	}
}

// A deployment still under way past its window holds its environment: stored
// conflicts compare windows and no longer see it, so nothing of its component, and
// nothing beyond the capacity, starts there until it ends. Two versions of one
// component ran at once, and the one that finished last was taken for what ran.
func TestAnOverrunHoldsItsEnvironment(t *testing.T) {
	f := controlsFixture(t, "2026-11-24 10:00") // staging holds one at once
	ana, sam := f.person(t, "ana"), f.person(t, "sam")
	first := f.planIn(t, "api", "staging", "2026-11-24 10:00")
	if _, err := f.e.Run(f.ctx, ana, first.ID, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	f.now = f.local("2026-11-24 11:30") // first's window ended at 11:00; it is still under way
	next := f.planIn(t, "api", "staging", "2026-11-24 11:30", func(r *PlanRequest) { r.Version = "2" })
	other := f.planIn(t, "cache", "staging", "2026-11-24 13:00")
	if cs := f.kept(t); len(cs) != 0 {
		t.Fatalf("no windows overlap, so no conflict is stored: %+v", cs)
	}
	// The way on is the other one's end, not a move: moved to now, it is held the same.
	overrun := func(err error, rules ...string) *StartRefusedError {
		t.Helper()
		var r *StartRefusedError
		if !errors.As(err, &r) || len(r.Breaks) != len(rules) {
			t.Fatalf("want a start refused for %v: %v", rules, err)
		}
		for i, b := range r.Breaks {
			if b.Rule != rules[i] {
				t.Fatalf("refused for %s, want %v: %v", b.Rule, rules, err)
			}
		}
		if msg := err.Error(); !strings.Contains(msg, "ways on: let what is still under way there end first") || strings.Contains(msg, "reschedule") {
			t.Errorf("the ways on: %v", err)
		}
		return r
	}
	// The plan form says so before the plan is saved, for a plan its window lets
	// start now; of one for tomorrow, nothing.
	if bs, err := f.e.OverrunHolds(f.ctx, next); err != nil || len(bs) != 2 || bs[0].Rule != models.RuleOverrun {
		t.Fatalf("a plan for now is held: %+v %v", bs, err)
	}
	later := next
	later.ScheduledStart, later.ScheduledEnd = next.ScheduledStart.Add(24*time.Hour), next.ScheduledEnd.Add(24*time.Hour)
	if bs, err := f.e.OverrunHolds(f.ctx, later); err != nil || len(bs) != 0 {
		t.Fatalf("a plan for tomorrow is not held now: %+v %v", bs, err)
	}
	_, err := f.e.Start(f.ctx, sam, next.ID, "")
	r := overrun(err, models.RuleOverrun, models.RuleOverrun)
	if msg := r.Breaks[0].Message; !strings.Contains(msg, fmt.Sprintf("#%d api 1 → staging is still under way (executing), past its window", first.ID)) {
		t.Errorf("the same component's break: %q", msg)
	}
	if msg := r.Breaks[1].Message; !strings.Contains(msg, fmt.Sprintf("staging takes 1 at once, and 1 is still under way: #%d (executing, past", first.ID)) {
		t.Errorf("the capacity's break: %q", msg)
	}
	f.now = f.local("2026-11-24 13:00")
	overrun(func() error { _, err := f.e.Run(f.ctx, sam, other.ID, RunOptions{}); return err }(), models.RuleOverrun)
	// What the console shows before a start says the same.
	if bs, err := f.e.startBreaks(f.ctx, f.e.st.Read(), other); err != nil || len(bs) != 1 || bs[0].Rule != models.RuleOverrun {
		t.Fatalf("breaks before the start: %+v %v", bs, err)
	}
	// A manager may start against it, and the override is kept as evidence.
	if _, err := f.e.Start(f.ctx, ana, other.ID, "cache warm-up cannot wait"); err != nil {
		t.Fatal(err)
	}
	if fs := f.findings(t, other.ID); !slices.ContainsFunc(fs, func(x models.Finding) bool {
		return x.Kind == models.FindingOverride && x.Rule == models.RuleOverrun
	}) {
		t.Errorf("the override's findings: %+v", fs)
	}
	// Once the first ends, nothing overruns: other is under way in its own window,
	// which the stored conflicts compare.
	if _, err := f.e.Fail(f.ctx, ana, first.ID, "stuck", false); err != nil {
		t.Fatal(err)
	}
	if bs, err := f.e.overrunBreaks(f.ctx, f.e.st.Read(), next, f.now); err != nil || len(bs) != 0 {
		t.Fatalf("after the overrun ended: %+v %v", bs, err)
	}
}

// A conflict another member was started against reads so on the page of the one
// already under way too: #1 ran first, #2 was planned beside it in staging (capacity
// 1) and started anyway. #1's page marked the conflict still to settle while the
// Conflicts screen said it was started against.
func TestStartedAgainstReadsSoOnEveryMember(t *testing.T) {
	f := controlsFixture(t, "2026-11-24 10:00")
	ana := f.person(t, "ana")
	first := f.planIn(t, "api", "staging", "2026-11-24 10:00")
	if _, err := f.e.Start(f.ctx, ana, first.ID, ""); err != nil {
		t.Fatal(err)
	}
	second := f.planIn(t, "cache", "staging", "2026-11-24 10:00")
	if _, err := f.e.Start(f.ctx, ana, second.ID, "the cache cannot wait"); err != nil {
		t.Fatal(err)
	}
	det, err := f.e.Deployment(f.ctx, ana, first.ID)
	if err != nil || len(det.Conflicts) == 0 {
		t.Fatalf("#%d's conflicts: %+v %v", first.ID, det.Conflicts, err)
	}
	for _, c := range det.Conflicts {
		if c.StartedOver == nil || !SettledFor(c, det.Deployment) {
			t.Errorf("#%d's %s conflict is not marked started against: %+v", first.ID, c.Kind, c)
		}
	}
}
