package cli_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// controlsConfig: "dev" with no windows; "frozen" inside a freeze that covers every
// day these tests could run; "guarded" requiring a maintenance window that is never
// open now. Times are the real clock's: plans say --start now.
const controlsConfig = `
[ferry]
timezone = "Europe/Berlin"
identity = "trust"

[[environment]]
name = "dev"
order = 1
capacity = 5

[[environment]]
name = "frozen"
order = 2
capacity = 5
  [[environment.freeze]]
  name = "the long freeze"
  from = "2020-01-01 00:00"
  to = "2090-01-01 00:00"

[[environment]]
name = "guarded"
order = 3
capacity = 5
require_maintenance_window = true
  [[environment.maintenance]]
  name = "one night in 2091"
  from = "2091-01-01 00:00"
  to = "2091-01-01 04:00"

[[person]]
name = "ana"
roles = ["manager"]

[[person]]
name = "sam"
roles = ["practitioner"]

[[service]]
name = "web"
  [[service.component]]
  name = "web-frontend"
  kind = "software"

[[model]]
name = "auto"
kinds = ["software"]
path = ["dev", "frozen", "guarded"]
parallel_environments = true
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "true"

[[model]]
name = "by-hand"
kinds = ["software"]
path = ["dev", "frozen", "guarded"]
parallel_environments = true
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Look at it"
`

func controlsFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	writeFile(t, f.cfg, controlsConfig)
	return f
}

// planAuto plans web-frontend into env with the automated model, starting at start,
// and returns its ID.
func (f *fixture) planAuto(env, start string, more ...string) string {
	f.t.Helper()
	d := f.plan(append([]string{"--model", "auto", "--component", "web-frontend", "--version", "1.0", "--env", env,
		"--start", start}, more...)...)
	return strconv.FormatInt(d.ID, 10)
}

// Every way of starting from the command line is held to the controls: the window,
// a freeze, a required maintenance window. A manager may start anyway with a reason,
// which stays with the deployment; an emergency has its lane.
func TestStartsAreHeldToTheirControls(t *testing.T) {
	t.Parallel()
	f := controlsFixture(t)
	ways := []string{"ferry deploy reschedule", "--start now", "--override-reason"}

	ok := f.planAuto("dev", "now")
	f.ok("--as", "sam", "deploy", "run", ok)

	early := f.planAuto("dev", "2089-06-01 10:00")
	f.refused(1, append([]string{"cannot start now", "window:"}, ways...), "--as", "sam", "deploy", "run", early)

	frozen := f.planAuto("frozen", "now")
	f.refused(1, append([]string{`freeze: frozen is in freeze "the long freeze"`}, ways...), "--as", "sam", "deploy", "run", frozen)
	if r := f.ferry("--as", "sam", "run-due"); r.code != 1 || !strings.Contains(r.stdout, "#"+frozen+" not run") ||
		!strings.Contains(r.stdout, `frozen is in freeze "the long freeze"`) {
		t.Errorf("run-due is held to the freeze:\n%s", r)
	}
	f.refused(1, []string{"only managers override"}, "--as", "sam", "deploy", "run", frozen, "--override-reason", "hotfix")
	f.refused(2, []string{"--override-reason"}, "--as", "ana", "deploy", "run", frozen, "--override-reason", " ")
	f.ok("--as", "ana", "deploy", "run", frozen, "--override-reason", "the fix cannot wait")
	d := f.show(mustID(t, frozen))
	if d.Status != "succeeded" || !hasFinding(d.Findings, "override", "freeze", "the fix cannot wait") {
		t.Errorf("an override at start should stay with the deployment: %+v", d.Findings)
	}

	guarded := f.planAuto("guarded", "now")
	f.refused(1, []string{"maintenance: guarded requires a maintenance window"}, "--as", "sam", "deploy", "run", guarded)

	// The emergency lane: a manager with a reason; then anyone who may run starts it.
	f.refused(1, []string{"only managers may"}, "--as", "sam", "deploy", "plan", "--model", "auto", "--component",
		"web-frontend", "--version", "2.0", "--env", "frozen", "--start", "now", "--urgency", "emergency", "--urgency-reason", "down")
	f.refused(1, []string{"needs a reason"}, "--as", "ana", "deploy", "plan", "--model", "auto", "--component",
		"web-frontend", "--version", "2.0", "--env", "frozen", "--start", "now", "--urgency", "emergency")
	f.refused(2, []string{"--urgency"}, "--as", "ana", "deploy", "plan", "--model", "auto", "--component",
		"web-frontend", "--version", "2.0", "--env", "frozen", "--start", "now", "--urgency", "asap")
	f.refused(1, []string{"--urgency-reason: a normal deployment has no urgency to explain"}, "--as", "ana", "deploy", "plan",
		"--model", "auto", "--component", "web-frontend", "--version", "2.0", "--env", "frozen", "--start", "now", "--urgency-reason", "x")
	em := f.planAuto("frozen", "now", "--urgency", "emergency", "--urgency-reason", "payments down")
	f.ok("--as", "sam", "deploy", "run", em)
	if d := f.show(mustID(t, em)); d.Urgency != "emergency" || !hasFinding(d.Findings, "emergency", "freeze", "payments down") {
		t.Errorf("an emergency start: %+v", d)
	}
}

func hasFinding(fs []finding, kind, rule, reason string) bool {
	for _, f := range fs {
		if f.Kind == kind && f.Rule == rule && f.Reason == reason {
			return true
		}
	}
	return false
}

// A manager's start against a conflict leaves it open while the deployment runs (it
// becomes unresolved if the finish finds it still there), and ferry conflicts says
// who started against it and why, in words and in JSON.
func TestConflictsSayWhoStartedAgainstThem(t *testing.T) {
	f := controlsFixture(t)
	d := f.plan("--model", "by-hand", "--component", "web-frontend", "--version", "1.0", "--env", "frozen", "--start", "now")
	id := strconv.FormatInt(d.ID, 10)
	if r := f.ferry("--as", "ana", "deploy", "run", id, "--override-reason", "the fix cannot wait"); r.code != 3 {
		t.Fatalf("want exit 3, waiting for its checklist item:\n%s", r) // it runs on
	}
	r := f.ok("--as", "sam", "conflicts")
	if !strings.Contains(r.stdout, "open") || !strings.Contains(r.stdout, "started anyway by ana: the fix cannot wait — ") {
		t.Errorf("ferry conflicts:\n%s", r.stdout)
	}
	var cs []struct {
		Status      string
		StartedOver *struct{ By, Kind, Reason string } `json:"started_over"`
	}
	decode(t, f.ok("--as", "sam", "conflicts", "--json"), &cs)
	if len(cs) == 0 {
		t.Fatal("ferry conflicts --json lists none")
	}
	for _, c := range cs { // each conflict it started in
		if c.Status != "open" || c.StartedOver == nil ||
			*c.StartedOver != (struct{ By, Kind, Reason string }{"ana", "override", "the fix cannot wait"}) {
			t.Errorf("ferry conflicts --json: %+v", c)
		}
	}
	// Under way, what it was started against asks nothing more of it: ✓, none open, no
	// ways; as deploy assign says it too.
	for _, args := range [][]string{{"deploy", "show", id}, {"deploy", "assign", id, "sam"}} {
		r := f.ok(append([]string{"--as", "ana"}, args...)...)
		if !regexp.MustCompile(`\d+ conflicts?, 0 open:`).MatchString(r.stdout) || strings.Contains(r.stdout, "  ✗ ") ||
			strings.Contains(r.stdout, "may move") || strings.Contains(r.stdout, "Resolve with") {
			t.Errorf("%v of one started anyway:\n%s", args, r.stdout)
		}
	}
	// Planned in words, the ways on name the deployment, not a placeholder.
	r = f.ok("--as", "ana", "deploy", "plan", "--model", "by-hand", "--component", "web-frontend", "--version", "1.1",
		"--env", "frozen", "--start", "now")
	// Another person is offered only for a person booked twice: for a freeze it could not help.
	if !strings.Contains(r.stdout, "Resolve with 'ferry deploy suggest 2', "+
		"'ferry deploy reschedule 2 --suggested',\nor a manager's 'ferry conflicts override") || strings.Contains(r.stdout, "assign") {
		t.Errorf("deploy plan into conflicts:\n%s", r.stdout)
	}
	// The plan left in the component conflict with the one under way must still move:
	// for it the conflict is open, though the other was started against it.
	if r := f.ok("--as", "ana", "deploy", "show", "2"); !strings.Contains(r.stdout, "  ✗ ") || !strings.Contains(r.stdout, "Resolve with") {
		t.Errorf("the plan in a conflict the other started against:\n%s", r.stdout)
	}
}
