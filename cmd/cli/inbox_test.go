package cli_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

type inboxItem struct {
	Kind       string     `json:"kind"`
	Deployment deployment `json:"deployment"`
	Step       int        `json:"step"`
	Message    string     `json:"message"`
	Next       string     `json:"next"`
}

func (f *fixture) inbox(who string) []inboxItem {
	f.t.Helper()
	var items []inboxItem
	r := f.ok("--as", who, "inbox", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil || items == nil {
		f.t.Fatalf("inbox --json must be an array: %v\n%s", err, r)
	}
	return items
}

func kinds(items []inboxItem) string {
	var out []string
	for _, it := range items {
		out = append(out, it.Kind)
	}
	return strings.Join(out, ",")
}

// A gate waits in the inbox of those who may approve it; rejected, its stage fails,
// the reason is on the record and found by search, and the failure waits in the
// managers' inbox whatever its planned window (planned years ahead here).
func TestInboxAndGateReject(t *testing.T) {
	t.Parallel()
	f := runFixture(t)
	hw := f.planModel("rack", "rack-1", "--assignee", "raj")
	f.ferry("--as", "raj", "deploy", "run", hw)
	f.ok("--as", "raj", "step", "tick", hw, "1", "--skip-optional")
	if got := kinds(f.inbox("marc")); got != "gate" {
		t.Fatalf("marc's inbox: %s", got)
	}
	if got := kinds(f.inbox("ana")); got != "" {
		t.Fatalf("ana requested it and may not approve it: her inbox is %s", got)
	}
	if got := kinds(f.inbox("raj")); got != "" {
		t.Fatalf("raj, a technician, approves no gate: %s", got)
	}
	r := f.ok("--as", "marc", "inbox")
	if !strings.Contains(r.stdout, "ferry gate approve "+hw) {
		t.Errorf("the inbox says how to go on:\n%s", r)
	}

	f.refused(2, []string{"--reason"}, "--as", "marc", "gate", "reject", hw)
	f.refused(1, []string{"only a manager"}, "--as", "sam", "gate", "reject", hw, "--reason", "no")
	f.refused(1, []string{"eve (analyst) may not reject gates of deployment"}, "--as", "eve", "gate", "reject", hw, "--reason", "no")
	r = f.ferry("--as", "marc", "gate", "reject", hw, "--reason", "the rack is in the wrong row")
	if r.code != 1 || !strings.Contains(r.stdout, `rejected 3 "Go-live approval": the rack is in the wrong row`) ||
		!strings.Contains(r.stdout, "failed") {
		t.Fatalf("gate reject: want exit 1 and the stage failed:\n%s", r)
	}
	d := f.show(mustID(t, hw))
	if d.Status != "failed" || f.steps(hw)[2].Status != "failed" {
		t.Fatalf("after the rejection: %s %+v", d.Status, f.steps(hw))
	}
	if found := f.list("--search", "wrong row"); len(found) != 1 || found[0].ID != d.ID {
		t.Errorf("the reason should be found by search: %+v", found)
	}
	// The failure also makes its model due for review (a manager's item, listed by
	// when the model was first stored: at or before the failure, often the same
	// second here, so the order of the two is not asserted).
	items := f.inbox("marc")
	var failure, model bool
	for _, it := range items {
		failure = failure || it.Kind == "failure" && it.Deployment.ID == d.ID
		model = model || it.Kind == "model" && strings.Contains(it.Message, "model rack is due for review: 1 failure")
	}
	if len(items) != 2 || !failure || !model {
		t.Fatalf("a failure of today, planned years ahead, waits in marc's inbox with its model's review: %+v", items)
	}
	// And in the inbox of raj, who carried it out; not of eve, an analyst, nor sam,
	// a planner who had no part in it.
	if got := kinds(f.inbox("raj")); got != "failure" {
		t.Errorf("raj's inbox: %s", got)
	}
	for _, who := range []string{"eve", "sam"} {
		if got := kinds(f.inbox(who)); strings.Contains(got, "failure") {
			t.Errorf("%s's inbox: %s", who, got)
		}
	}
	// The failure's line names its deployment once.
	id := fmt.Sprintf("#%d", d.ID)
	if r := f.ok("--as", "marc", "inbox"); !strings.Contains(r.stdout, "failure  "+id+" rack-1") || strings.Contains(r.stdout, id+" "+id) {
		t.Errorf("the failure's line:\n%s", r.stdout)
	}
}

// A conflict in the inbox names a way the reader may take: the planned deployment
// they may move, or, for a technician who moves nothing, whom to ask.
func TestInboxConflictWayIsTheReaders(t *testing.T) {
	t.Parallel()
	f := runFixture(t)
	start := "2031-03-03 10:00"
	a := f.plan("--model", "rack", "--component", "rack-1", "--version", "1.0", "--env", "dev", "--start", start, "--assignee", "raj")
	b := f.plan("--model", "rack", "--component", "rack-1", "--version", "1.1", "--env", "dev", "--start", start, "--assignee", "raj")
	var raj, ana []inboxItem
	for _, it := range f.inbox("raj") {
		if it.Kind == "conflict" {
			raj = append(raj, it)
		}
	}
	for _, it := range f.inbox("ana") {
		if it.Kind == "conflict" {
			ana = append(ana, it)
		}
	}
	if len(raj) == 0 || len(ana) == 0 {
		t.Fatalf("raj, booked twice, and ana, who planned both, see the conflict: %+v / %+v", raj, ana)
	}
	for _, it := range raj {
		if strings.Contains(it.Next, "suggest") || !strings.Contains(it.Next, "ask a manager") {
			t.Errorf("a technician moves nothing: %q", it.Next)
		}
	}
	for _, it := range ana {
		if !strings.Contains(it.Next, "ferry deploy suggest ") {
			t.Errorf("a manager may move the planned deployment: %q", it.Next)
		}
	}
	// Once one runs, the way is to move the other, the one still planned.
	f.ferry("--as", "raj", "deploy", "run", strconv.FormatInt(a.ID, 10), "--override-reason", "x")
	f.ferry("--as", "ana", "deploy", "run", strconv.FormatInt(a.ID, 10), "--override-reason", "on site now")
	for _, it := range f.inbox("ana") {
		if it.Kind == "conflict" && strings.Contains(it.Next, fmt.Sprintf("suggest %d", a.ID)) {
			t.Errorf("#%d runs and cannot move: %q", a.ID, it.Next)
		}
	}
	// A manager let both start against their conflicts, with reasons: settled, so
	// no longer asked of anyone.
	f.ferry("--as", "ana", "deploy", "run", strconv.FormatInt(b.ID, 10), "--override-reason", "both on site")
	for _, who := range []string{"ana", "raj"} {
		for _, it := range f.inbox(who) {
			if it.Kind == "conflict" {
				t.Errorf("%s is still asked about a conflict a manager started both against: %+v", who, it)
			}
		}
	}
	// A freeze declared while they run is a conflict nobody let them start against,
	// and nothing in it moves: a manager is shown the override, not told to ask one.
	frozen := strings.Replace(runConfig, "variables = { TIER = \"dev\" }\n", `variables = { TIER = "dev" }
  [[environment.freeze]]
  name = "audit"
  from = "2031-03-01 00:00"
  to   = "2031-03-10 00:00"
`, 1)
	if frozen == runConfig {
		t.Fatal("the test config has no dev variables line to add a freeze after")
	}
	writeFile(t, f.cfg, frozen)
	weighed := 0
	for _, it := range f.inbox("ana") {
		if it.Kind != "conflict" {
			continue
		}
		if weighed++; !strings.Contains(it.Next, "ferry conflicts override ") || strings.Contains(it.Next, "ask a manager") {
			t.Errorf("a manager weighs a conflict nothing in can move: %q", it.Next)
		}
	}
	if weighed == 0 {
		t.Error("the freeze over the two running deployments should be in ana's inbox")
	}
}
