package cli_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// scheduleConfig adds to testConfig a production that needs its weekend window and
// has a year-end freeze, in 2030 so that the tests never plan into the past.
func scheduleFixture(t *testing.T) *fixture {
	f := newFixture(t)
	cfg := strings.Replace(testConfig, `[[environment]]
name = "production"
order = 3
capacity = 1
`, `[[environment]]
name = "production"
order = 3
capacity = 1
require_maintenance_window = true
  [[environment.maintenance]]
  name = "weekend night"
  weekly = "Sat 22:00 - Sun 04:00"
  [[environment.freeze]]
  name = "year end"
  from = "2030-12-19 00:00"
  to = "2031-01-04 00:00"
`, 1)
	if cfg == testConfig {
		t.Fatal("test config changed shape; update scheduleFixture")
	}
	writeFile(t, f.cfg, cfg)
	return f
}

type conflict struct {
	ID            string  `json:"id"`
	Kind          string  `json:"kind"`
	DeploymentIDs []int64 `json:"deployment_ids"`
	Environment   string  `json:"environment"`
	Person        string  `json:"person"`
	WindowStart   string  `json:"window_start"`
	WindowEnd     string  `json:"window_end"`
	Message       string  `json:"message"`
	Status        string  `json:"status"`
	Reason        string  `json:"reason"`
}

func (f *fixture) conflicts(args ...string) []conflict {
	f.t.Helper()
	var cs []conflict
	decode(f.t, f.ok(append([]string{"--as", "ana", "conflicts", "--json"}, args...)...), &cs)
	if cs == nil {
		f.t.Fatal("conflicts --json must print an array, never null")
	}
	return cs
}

func TestPlanListsConflictsAndStrictRefuses(t *testing.T) {
	t.Parallel()
	f := scheduleFixture(t)
	f.planIn("dev", "1.0", "2030-11-30 10:00") // 1.0 reached dev; test comes next
	f.planIn("test", "1.0", "2030-11-30 12:00")
	f.planIn("production", "1.0", "2030-11-30 22:00", "--assignee", "sam")
	// The same component again in production, at once: capacity and component.
	r := f.ok("--as", "ana", "deploy", "plan", "--json", "--model", "web-service", "--component", "web-frontend",
		"--version", "1.0", "--env", "production", "--start", "2030-11-30 22:30")
	var planned struct {
		ID        int64      `json:"id"`
		Conflicts []conflict `json:"conflicts"`
	}
	decode(t, r, &planned)
	kinds := map[string]bool{}
	for _, c := range planned.Conflicts {
		kinds[c.Kind] = true
		if c.ID == "" || c.Status != "open" || c.Message == "" || !strings.HasSuffix(c.WindowStart, "Z") {
			t.Errorf("conflict fields: %+v", c)
		}
	}
	if !kinds["capacity"] || !kinds["component"] || len(kinds) != 2 {
		t.Fatalf("plan --json conflicts: %+v", planned.Conflicts)
	}
	// Its record shows them too, in text with the ways on, and as JSON.
	id := strconv.FormatInt(planned.ID, 10)
	if r := f.ok("--as", "ana", "deploy", "show", id); !strings.Contains(r.stdout, "It is in 2 conflicts") ||
		!strings.Contains(r.stdout, planned.Conflicts[0].ID) || !strings.Contains(r.stdout, "ferry deploy suggest "+id) {
		t.Errorf("deploy show lacks its conflicts:\n%s", r)
	} else if regexp.MustCompile(`(?m) $`).MatchString(r.stdout) { // its steps have no actor or note yet
		t.Errorf("deploy show pads lines with spaces at their ends:\n%q", r.stdout)
	}
	if r := f.ok("--as", "eve", "deploy", "show", id); !strings.Contains(r.stdout, "It is in 2 conflicts") ||
		strings.Contains(r.stdout, "ferry deploy suggest") {
		t.Errorf("an analyst sees the conflicts, not ways she may not take:\n%s", r)
	}
	var shown struct {
		Conflicts []conflict `json:"conflicts"`
	}
	if decode(t, f.ok("--as", "ana", "deploy", "show", id, "--json"), &shown); len(shown.Conflicts) != 2 {
		t.Errorf("deploy show --json: %+v", shown.Conflicts)
	}
	// The text form says the same and how to resolve it.
	r = f.ok("--as", "ana", "deploy", "plan", "--model", "web-service", "--component", "web-frontend",
		"--version", "1.0", "--env", "production", "--start", "2030-11-30 22:40", "--assignee", "sam")
	if !regexp.MustCompile(`It is in \d+ conflicts?`).MatchString(r.stdout) || !strings.Contains(r.stdout, "ferry deploy suggest") {
		t.Errorf("plan text output lacks conflicts:\n%s", r)
	}
	before := len(f.list())
	f.refused(1, []string{"refused (strict)", "capacity"}, "--as", "ana", "deploy", "plan", "--strict",
		"--model", "web-service", "--component", "web-frontend", "--version", "1.0", "--env", "production",
		"--start", "2030-11-30 23:00")
	if after := len(f.list()); after != before {
		t.Fatalf("a strict refusal stored a deployment: %d → %d", before, after)
	}
	// The refusal names only deployments that exist: the plan it refused has no ID.
	next := "#" + strconv.Itoa(before+1)
	if r := f.ferry("--as", "ana", "deploy", "plan", "--strict", "--model", "web-service", "--component", "web-frontend",
		"--version", "1.0", "--env", "production", "--start", "2030-11-30 23:00"); strings.Contains(r.stderr, next) ||
		!strings.Contains(r.stderr, "this plan") {
		t.Errorf("a strict refusal should call the refused plan \"this plan\", not %s:\n%s", next, r)
	}
}

// A dry run checks a plan and stores nothing, and answers while another process
// holds the database's write lock: it never asks for it.
func TestPlanDryRunStoresNothingAndNeedsNoWriteLock(t *testing.T) {
	t.Parallel()
	f := scheduleFixture(t)
	f.planIn("dev", "1.0", "2030-11-30 10:00", "--assignee", "sam")
	before := len(f.list())

	db, err := sql.Open("sqlite", f.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	lock, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	probe, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := probe.ExecContext(ctx, "BEGIN IMMEDIATE"); err == nil {
		t.Fatal("the write lock is not held: a second writer got it")
	}
	probe.Close()

	r := f.ok("--as", "ana", "deploy", "plan", "--dry-run", "--model", "web-service", "--component", "web-frontend",
		"--version", "1.0", "--env", "dev", "--start", "2030-11-30 10:15", "--assignee", "sam")
	if !strings.Contains(r.stdout, "Would plan web-frontend 1.0 → dev") || !strings.Contains(r.stdout, "nothing was stored") ||
		!strings.Contains(r.stdout, "person") || !strings.Contains(r.stdout, "this plan") {
		t.Errorf("dry run:\n%s", r)
	}
	r = f.ok("--as", "ana", "deploy", "plan", "--dry-run", "--json", "--model", "web-service", "--component", "web-frontend",
		"--version", "1.0", "--env", "dev", "--start", "2030-11-30 10:15", "--assignee", "sam")
	var dry struct {
		DryRun    bool       `json:"dry_run"`
		ID        int64      `json:"id"`
		Conflicts []conflict `json:"conflicts"`
	}
	decode(t, r, &dry)
	if !dry.DryRun || dry.ID != 0 || len(dry.Conflicts) != 2 || dry.Conflicts[0].Kind != "component" ||
		dry.Conflicts[1].Kind != "person" || dry.Conflicts[0].ID != "" {
		t.Errorf("dry run --json: %+v\n%s", dry, r)
	}
	f.refused(1, []string{"unknown environment"}, "--as", "ana", "deploy", "plan", "--dry-run", "--model", "web-service",
		"--component", "web-frontend", "--version", "1.0", "--env", "moon", "--start", "2030-11-30 10:15")
	if _, err := lock.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	lock.Close()
	if after := len(f.list()); after != before {
		t.Fatalf("a dry run stored a deployment: %d → %d", before, after)
	}
}

func TestConflictsOverride(t *testing.T) {
	t.Parallel()
	f := scheduleFixture(t)
	f.planIn("dev", "1.0", "2030-11-30 10:00", "--assignee", "sam")
	f.planIn("dev", "2.0", "2030-11-30 10:30", "--assignee", "sam")
	cs := f.conflicts()
	if len(cs) != 2 {
		t.Fatalf("want component and person conflicts, got %+v", cs)
	}
	var person conflict
	for _, c := range cs {
		if c.Kind == "person" {
			person = c
		}
	}
	if person.Person != "sam" || len(person.DeploymentIDs) != 2 || person.Environment != "" {
		t.Fatalf("person conflict: %+v", person)
	}
	f.refused(2, []string{"--reason"}, "--as", "ana", "conflicts", "override", person.ID)
	f.refused(1, []string{"may not override", "only managers"}, "--as", "sam", "conflicts", "override", person.ID, "--reason", "ok")
	f.refused(1, []string{"may not override"}, "--as", "raj", "conflicts", "override", person.ID, "--reason", "ok")
	f.refused(1, []string{"no current conflict cffffff"}, "--as", "ana", "conflicts", "override", "cffffff", "--reason", "ok")
	f.ok("--as", "ana", "conflicts", "override", person.ID, "--reason", "sam pairs with jon on both")
	overridden := 0
	for _, c := range f.conflicts("--all") {
		if c.ID == person.ID {
			overridden++
			if c.Status != "overridden" || c.Reason != "sam pairs with jon on both" {
				t.Fatalf("after override: %+v", c)
			}
		}
	}
	if overridden != 1 {
		t.Fatalf("--all should list the overridden conflict once, listed %d times", overridden)
	}
	// The listing is of the open ones, as --open says; --all adds the rest.
	for _, args := range [][]string{nil, {"--open"}} {
		if open := f.conflicts(args...); len(open) != 1 || open[0].Kind != "component" {
			t.Fatalf("conflicts %v: %+v", args, open)
		}
	}
	f.refused(1, []string{"already overridden"}, "--as", "ana", "conflicts", "override", person.ID, "--reason", "again")
	r := f.ok("--as", "ana", "conflicts", "--all")
	// The reason leads the message, not the status column, which a paragraph would widen.
	if !strings.Contains(r.stdout, "overridden  2030-11-30 10:30  #1 #2        overridden by ana: sam pairs with jon on both — sam is booked") ||
		!strings.Contains(r.stdout, "2 conflicts, 1 open") {
		t.Errorf("conflicts table:\n%s", r)
	}
	if r := f.ferry("--as", "ana", "conflicts", "--all", "--open"); r.code != 2 {
		t.Errorf("--all with --open: want exit 2:\n%s", r)
	}
}

// A suggestion ends with the way to move there only for one whom reschedule lets:
// an analyst reads it (and a technician their own deployment's) without being sent
// to a command that refuses them.
func TestSuggestOffersTheMoveOnlyToWhoMayMove(t *testing.T) {
	t.Parallel()
	f := scheduleFixture(t)
	f.planIn("dev", "1.0", "2030-11-30 10:00")
	f.planIn("test", "1.0", "2030-11-30 12:00")
	d := f.planIn("production", "1.0", "2030-12-21 22:00") // inside the year-end freeze
	id := strconv.FormatInt(d.ID, 10)
	hint := "Move it there: ferry deploy reschedule " + id + " --suggested"
	for _, who := range []string{"ana", "sam"} {
		if r := f.ok("--as", who, "deploy", "suggest", id); !strings.Contains(r.stdout, hint) {
			t.Errorf("suggest as %s should end with the way to move there:\n%s", who, r)
		}
	}
	f.ok("--as", "ana", "deploy", "assign", id, "raj")
	for _, who := range []string{"eve", "raj"} {
		r := f.ok("--as", who, "deploy", "suggest", id)
		if !strings.Contains(r.stdout, "nearest ") {
			t.Errorf("suggest as %s should show the slot:\n%s", who, r)
		}
		if strings.Contains(r.stdout, "reschedule") {
			t.Errorf("suggest as %s offers a move reschedule refuses them:\n%s", who, r)
		}
		f.refused(1, []string{"may not reschedule"}, "--as", who, "deploy", "reschedule", id, "--suggested")
	}
}

// A plan in no conflict is told so: its own window is the nearest free one, and a
// reschedule there would move it nowhere.
func TestSuggestSaysAPlanInNoConflictStays(t *testing.T) {
	t.Parallel()
	f := scheduleFixture(t)
	d := f.planIn("dev", "1.0", "2030-11-30 10:00")
	id := strconv.FormatInt(d.ID, 10)
	r := f.ok("--as", "ana", "deploy", "suggest", id)
	if !strings.Contains(r.stdout, "#"+id+" is in no conflict where it is") || strings.Contains(r.stdout, "reschedule") {
		t.Errorf("suggest for a plan in no conflict:\n%s", r)
	}
}

func TestSuggestRescheduleAssign(t *testing.T) {
	t.Parallel()
	f := scheduleFixture(t)
	f.planIn("dev", "1.0", "2030-11-30 10:00")
	f.planIn("test", "1.0", "2030-11-30 12:00")
	d := f.planIn("production", "1.0", "2030-12-21 22:00") // inside the year-end freeze
	id := strconv.FormatInt(d.ID, 10)
	var sug struct {
		Slots   []struct{ Start, End string }
		Skipped []struct{ Start, Reason string }
		Passed  int
		Reasons []struct {
			Kind  string
			Count int
			First struct{ Start, Reason string }
		}
	}
	decode(t, f.ok("--as", "ana", "deploy", "suggest", id, "--json"), &sug)
	// The nearest free start is before the freeze (19 Dec), not after it: the last 45
	// minutes of the weekend window of 14/15 Dec (Sun 03:15 Berlin, 02:15Z), nearer 21 Dec
	// than the first window after the freeze (Sat 4 Jan 22:00).
	if len(sug.Slots) == 0 || sug.Slots[0].Start != "2030-12-15T02:15:00Z" || sug.Slots[0].End != "2030-12-15T03:00:00Z" {
		t.Fatalf("suggest: %+v", sug)
	}
	if len(sug.Skipped) == 0 || !strings.Contains(sug.Skipped[0].Reason, `freeze "year end"`) {
		t.Fatalf("skipped: %+v", sug.Skipped)
	}
	// Why nearer starts would not do, by kind: the wanted start itself is the nearest
	// the freeze took.
	if len(sug.Reasons) == 0 || sug.Passed == 0 || !slices.ContainsFunc(sug.Reasons, func(r struct {
		Kind  string
		Count int
		First struct{ Start, Reason string }
	}) bool {
		return r.Kind == "freeze" && r.Count > 0 && r.Count <= sug.Passed && r.First.Start == "2030-12-21T21:00:00Z"
	}) {
		t.Fatalf("reasons: %+v (passed %d)", sug.Reasons, sug.Passed)
	}
	if r := f.ok("--as", "ana", "deploy", "suggest", id); !strings.Contains(r.stdout, "nearest      2030-12-15 03:15 CET – 04:00 CET\n") ||
		!regexp.MustCompile(fmt.Sprintf(`Passed over %d nearer starts, each in one kind of conflict or more:\n(.*\n)* +\d+ in a freeze conflict, the nearest at 2030-12-21 22:00 CET: #%s touches freeze "year end"`, sug.Passed, id)).MatchString(r.stdout) {
		t.Errorf("suggest text:\n%s", r)
	}
	f.refused(2, []string{"--start or --suggested"}, "--as", "ana", "deploy", "reschedule", id)
	f.refused(1, []string{"#999"}, "--as", "ana", "deploy", "reschedule", "999", "--suggested")
	f.refused(1, []string{"is not after start"}, "--as", "ana", "deploy", "reschedule", id,
		"--start", "2031-01-11 23:00", "--end", "2031-01-11 22:00")
	f.refused(1, []string{"may not reschedule"}, "--as", "raj", "deploy", "reschedule", id, "--suggested")
	var moved struct {
		ScheduledStart string     `json:"scheduled_start"`
		Conflicts      []conflict `json:"conflicts"`
	}
	decode(t, f.ok("--as", "ana", "deploy", "reschedule", id, "--suggested", "--json"), &moved)
	if moved.ScheduledStart != "2030-12-15T02:15:00Z" || len(moved.Conflicts) != 0 {
		t.Fatalf("reschedule --suggested: %+v", moved)
	}
	// The person is the command's own argument, not a flag: no "--assignee:".
	if r := f.refused(1, []string{"ferry: no person \"zed\""}, "--as", "ana", "deploy", "assign", id, "zed"); strings.Contains(r.stderr, "--assignee") {
		t.Errorf("assign names no flag it was not given:\n%s", r)
	}
	f.refused(1, []string{"only an analyst"}, "--as", "ana", "deploy", "assign", id, "eve")
	// none gives it to nobody, as edit --assignee none does; an empty name is refused.
	f.refused(2, []string{"PERSON: give a person, or none for nobody"}, "--as", "ana", "deploy", "assign", id, "")
	f.refused(2, []string{"--assignee: give a person, or none for nobody"}, "--as", "ana", "deploy", "edit", id, "--assignee", " ")
	f.ok("--as", "ana", "deploy", "assign", id, "sam")
	if r := f.ok("--as", "ana", "deploy", "assign", id, "none"); !strings.Contains(r.stdout, "nobody assigned") {
		t.Errorf("assign none:\n%s", r)
	}
	f.refused(1, []string{"is already assigned to nobody"}, "--as", "ana", "deploy", "assign", id, "none")
	f.refused(1, []string{"may not assign"}, "--as", "raj", "deploy", "assign", id, "raj")
	f.refused(2, []string{"a deployment ID and a person"}, "--as", "ana", "deploy", "assign", id)
	if r := f.ok("--as", "ana", "deploy", "assign", id, "raj"); !strings.Contains(r.stdout, "Assigned #"+id) {
		t.Errorf("assign:\n%s", r)
	}
	if got := f.show(d.ID); got.Assignee != "raj" {
		t.Fatalf("assignee %q", got.Assignee)
	}
}

func TestFreezeImpactAndApply(t *testing.T) {
	t.Parallel()
	f := scheduleFixture(t)
	f.planIn("dev", "1.0", "2030-11-30 10:00")
	f.planIn("test", "1.0", "2030-11-30 12:00")
	a := f.planIn("production", "1.0", "2030-12-21 22:00")
	b := f.planIn("production", "1.0", "2030-12-28 22:00")
	var hits []struct {
		Deployment struct{ ID int64 }
		Conflict   conflict
		Suggested  *struct{ Start string }
	}
	decode(t, f.ok("--as", "ana", "freeze", "impact", "--json"), &hits)
	if len(hits) != 2 || hits[0].Deployment.ID != a.ID || hits[1].Deployment.ID != b.ID ||
		hits[0].Conflict.Kind != "freeze" || hits[0].Suggested == nil {
		t.Fatalf("impact: %+v", hits)
	}
	f.refused(1, []string{"may not reschedule"}, "--as", "eve", "freeze", "apply")
	r := f.ok("--as", "ana", "freeze", "apply")
	if !strings.Contains(r.stdout, "2 deployments moved") {
		t.Fatalf("apply:\n%s", r)
	}
	decode(t, f.ok("--as", "ana", "freeze", "impact", "--json"), &hits)
	if len(hits) != 0 {
		t.Fatalf("after apply: %+v", hits)
	}
	// Each landed nearest its start: the one of 21 Dec before the freeze (Sun 15 Dec
	// 03:15), the one of 28 Dec in the first window after it (Sat 4 Jan 22:00).
	if s1, s2 := f.show(a.ID).ScheduledStart, f.show(b.ID).ScheduledStart; s1 != "2030-12-15T02:15:00Z" || s2 != "2031-01-04T21:00:00Z" {
		t.Fatalf("moved to %s and %s", s1, s2)
	}
}

// A plan no move can help (its version has not been through the environment before)
// is told so by suggest and by reschedule --suggested, with the conflict that holds it.
func TestSuggestSaysWhatNoMoveSettles(t *testing.T) {
	t.Parallel()
	f := scheduleFixture(t)
	d := f.planIn("production", "7.7", "2030-11-30 22:00")
	id := strconv.FormatInt(d.ID, 10)
	r := f.ok("--as", "ana", "deploy", "suggest", id)
	if !strings.Contains(r.stdout, "No conflict-free slot") || !strings.Contains(r.stdout, "is in a promotion conflict, which no move found settles") {
		t.Fatalf("suggest:\n%s", r)
	}
	f.refused(1, []string{"is in a promotion conflict"}, "--as", "ana", "deploy", "reschedule", id, "--suggested")
}

// A conflict a manager overrode shows so in an edit's dry run while the edit leaves
// it as it was: "✓", then by whom and why under it, counted apart from the open ones,
// in the column the open ones' IDs take; and no ways to resolve it.
func TestEditDryRunShowsTheOverride(t *testing.T) {
	t.Parallel()
	f := scheduleFixture(t)
	d := f.planIn("dev", "1.0", "2030-11-30 10:00")
	f.planIn("dev", "1.0", "2030-11-30 10:30") // the same component twice
	cs := f.conflicts()
	if len(cs) != 1 {
		t.Fatalf("conflicts: %+v", cs)
	}
	f.ok("--as", "ana", "conflicts", "override", cs[0].ID, "--reason", "agreed with ops")
	r := f.ok("--as", "ana", "deploy", "edit", strconv.FormatInt(d.ID, 10), "--change", "CHG-9", "--dry-run")
	for _, want := range []string{"It would be in 1 conflict, 0 open:", "\n  ✓ " + cs[0].ID + " component", "\n    overridden by ana: agreed with ops"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, r)
		}
	}
	if strings.Contains(r.stdout, "✗") || strings.Contains(r.stdout, "Resolve with") {
		t.Errorf("an overridden conflict is not to be resolved again:\n%s", r)
	}
}

// The ways to resolve a conflict are offered only where they work: a deployment under
// way no longer moves (the others in it may), and a plan a dry run did not store has
// no ID to suggest for.
func TestWaysOnFitWhatCanMove(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, _ := f.startedIn("dev", "2.0")
	r := f.ok("--as", "ana", "deploy", "plan", "--model", "web-service", "--component", "web-frontend",
		"--version", "2.1", "--env", "dev", "--start", "now", "--dry-run")
	if !strings.Contains(r.stdout, "Plan it at another start, or plan it and resolve them then") || strings.Contains(r.stdout, "reschedule ID") {
		t.Errorf("a dry run's ways on:\n%s", r)
	}
	f.planIn("dev", "2.1", "now") // the same component at once: a conflict with the one under way
	r = f.ok("--as", "ana", "deploy", "assign", id, "sam")
	if !strings.Contains(r.stdout, "The others in them may move") || strings.Contains(r.stdout, "Resolve with") {
		t.Errorf("assigning one under way offers moves that fail:\n%s", r)
	}
}
