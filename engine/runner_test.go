//go:build unix

package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ferry/engine/config"
	"ferry/internal/race"
	"ferry/models"
	"ferry/store"
)

// These tests run real commands through /bin/sh against a real SQLite file. Where a
// test must wait for something, it waits for the thing itself (a line of output, a
// step starting, a FIFO being read), never for a fixed time.

const runnerPeople = `
[ferry]
timezone = "UTC"
# These tests are about running: each deployment is planned days ahead, in a window of
# its own, and started now. (The start window is tested in controls_test.go.)
start_tolerance = "1000h"

[[environment]]
name = "test"
order = 1
capacity = 20
variables = { REGION = "eu-test", TIER = "test" }

[[environment]]
name = "production"
order = 2
capacity = 20

[[person]]
name = "ana"
roles = ["manager"]

[[person]]
name = "marc"
roles = ["manager"]

[[person]]
name = "sam"
roles = ["practitioner"]

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
name = "shop"
  [[service.component]]
  name = "api"
  kind = "software"
  artifact = "artifacts/api-${FERRY_VERSION}.tar"
  sha256 = "%s"
  [[service.component]]
  name = "web"
  kind = "software"
  [[service.component]]
  name = "rack"
  kind = "hardware"
`

// artifactContent is what artifacts/api-1.0.tar holds in every fixture.
const artifactContent = "the api, version 1.0\n"

func artifactSum() string {
	s := sha256.Sum256([]byte(artifactContent))
	return hex.EncodeToString(s[:])
}

// fastTiming keeps the tests quick: short retries, grace and polling.
var fastTiming = RunTiming{RetryBackoff: 10 * time.Millisecond, KillGrace: 300 * time.Millisecond,
	Poll: 20 * time.Millisecond, Flush: 20 * time.Millisecond}

type runFixture struct {
	t   testing.TB
	e   *Engine
	dir string
	ctx context.Context
	n   int // plans so far, to give each its own window
}

// newRunFixture writes a config with the given models into a fresh directory (the
// directory commands run in) and opens an engine on a fresh database there.
func newRunFixture(t testing.TB, modelsTOML string) *runFixture {
	t.Helper()
	dir := t.TempDir()
	text := fmt.Sprintf(runnerPeople, artifactSum()) + modelsTOML
	path := filepath.Join(dir, "ferry.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "artifacts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "artifacts", "api-1.0.tar"), []byte(artifactContent), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	emptyDB.CopyTo(t, filepath.Join(dir, "ferry.db"))
	f := &runFixture{t: t, dir: dir, ctx: context.Background()}
	f.e = f.open(cfg)
	return f
}

// open opens another engine on the fixture's database: another process, as far as
// the database can tell.
func (f *runFixture) open(cfg *config.Config) *Engine { return f.openWith(cfg) }

// openWith is open with options, such as a clock.
func (f *runFixture) openWith(cfg *config.Config, opts ...Option) *Engine {
	f.t.Helper()
	if cfg == nil {
		cfg = f.e.cfg
	}
	st, err := store.Open(context.Background(), filepath.Join(f.dir, "ferry.db"))
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { st.Close() })
	e, err := New(context.Background(), st, cfg, opts...)
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

func (f *runFixture) person(name string) models.Person {
	f.t.Helper()
	p, err := f.e.Person(name)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// plan plans version 1.0 of a component with a model, in its own window.
func (f *runFixture) plan(model, component, env string, edit ...func(*PlanRequest)) models.Deployment {
	f.t.Helper()
	f.n++
	r := PlanRequest{Model: model, Component: component, Version: "1.0", Environment: env,
		Start: time.Now().Add(time.Duration(f.n) * 24 * time.Hour), Duration: time.Hour, Assignee: "tom", Requester: "ana"}
	for _, fn := range edit {
		fn(&r)
	}
	e := f.e
	if r.Start.Before(time.Now()) {
		// The engine plans only what is still to come: a window that has begun was
		// planned before it, here by another engine whose clock says so.
		at := r.Start.Add(-time.Hour)
		e = f.openWith(nil, WithClock(func() time.Time { return at }))
	}
	d, _, err := e.Plan(f.ctx, f.person("ana"), r)
	if err != nil {
		f.t.Fatalf("plan %+v: %v", r, err)
	}
	return d
}

func (f *runFixture) opts() RunOptions { return RunOptions{Timing: fastTiming} }

// run runs a deployment as sam and fails the test on an error.
func (f *runFixture) run(id int64) Outcome {
	f.t.Helper()
	res, err := f.e.Run(f.ctx, f.person("sam"), id, f.opts())
	if err != nil {
		f.t.Fatalf("run #%d: %v", id, err)
	}
	return res
}

func (f *runFixture) state(id int64) RunState {
	f.t.Helper()
	s, err := f.e.RunState(f.ctx, f.person("ana"), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// output is the text of a step's stored output lines (seq 0: every step).
func (f *runFixture) output(id int64, seq int) []string {
	f.t.Helper()
	var out []string
	var after int64
	for {
		lines, err := f.e.Output(f.ctx, f.person("ana"), id, models.OutputFilter{Seq: seq, AfterID: after, Limit: 5000})
		if err != nil {
			f.t.Fatal(err)
		}
		if len(lines) == 0 {
			return out
		}
		for _, l := range lines {
			out = append(out, l.Text)
		}
		after = lines[len(lines)-1].ID
	}
}

func (f *runFixture) events(id int64) []string {
	f.t.Helper()
	evs, err := f.e.st.Read().Events(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Type+" "+e.Actor+": "+e.Detail)
	}
	return out
}

func wantEvent(t *testing.T, events []string, parts ...string) {
	t.Helper()
	for _, e := range events {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(e, p)
		}
		if all {
			return
		}
	}
	t.Errorf("no event with %q in:\n  %s", parts, strings.Join(events, "\n  "))
}

func hasLine(lines []string, part string) bool {
	for _, l := range lines {
		if strings.Contains(l, part) {
			return true
		}
	}
	return false
}

// processGone reports whether pid has exited (a zombie nobody reaped has exited).
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && len(s) > i+2 && s[i+2] == 'Z'
}

var childRe = regexp.MustCompile(`child (\d+)`)

// childPID finds "child PID" in output lines.
func childPID(t *testing.T, lines []string) int {
	t.Helper()
	for _, l := range lines {
		if m := childRe.FindStringSubmatch(l); m != nil {
			pid, _ := strconv.Atoi(m[1])
			return pid
		}
	}
	t.Fatalf("no child pid in output %q", lines)
	return 0
}

const fullModel = `
[[model]]
name = "full"
kinds = ["software"]
path = ["test", "production"]
default_duration = "1h"
  [[model.step]]
  stage = "verify_components"
  name = "Artifact checksum"
  check = "checksum"
  artifact = "artifacts/${FERRY_COMPONENT}-${FERRY_VERSION}.tar"
  sha256 = "${FERRY_ARTIFACT_SHA256}"

  [[model.step]]
  stage = "verify_environment"
  name = "Environment facts"
  run = "echo id=$FERRY_DEPLOYMENT_ID env=$FERRY_ENV comp=$FERRY_COMPONENT ver=$FERRY_VERSION model=$FERRY_MODEL action=$FERRY_ACTION region=$REGION; echo cwd=$(pwd); echo to-stderr >&2"

  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "printf 'one\ntwo\r\nthree'"
  timeout = "30s"

  [[model.step]]
  stage = "verify_deployment"
  name = "Health"
  check = "http"
  url = "${HEALTH_URL}/healthz?v=${FERRY_VERSION}"
  expect_status = 204
`

func TestRunSucceeds(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" && r.URL.Query().Get("v") == "1.0" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		http.Error(w, "wrong", http.StatusNotFound)
	}))
	defer srv.Close()
	f := newRunFixture(t, strings.Replace(fullModel, "${HEALTH_URL}", srv.URL, 1))
	d := f.plan("full", "api", "test")
	var progress []string
	var mu sync.Mutex
	opts := f.opts()
	var order []string // step starts and output lines, as a --follow prints them
	opts.OnProgress = func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		progress = append(progress, fmt.Sprintf("%s %s %d %s", p.Kind, p.Status, p.Seq, p.Result))
		if p.Kind == ProgressStepStart {
			order = append(order, fmt.Sprintf("start %d", p.Seq))
		}
	}
	opts.OnOutput = func(l models.OutputLine) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, fmt.Sprintf("line %d", l.Seq))
	}
	res, err := f.e.Run(f.ctx, f.person("sam"), d.ID, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Result() != "succeeded" || res.Waiting != nil {
		t.Fatalf("outcome %s, waiting %+v", res.Result(), res.Waiting)
	}
	if res.Deployment.StepsDone != 4 || res.Deployment.StartedAt.IsZero() || res.Deployment.FinishedAt.IsZero() {
		t.Errorf("deployment after the run: %+v", res.Deployment)
	}
	s := f.state(d.ID)
	for _, st := range s.Steps {
		if st.Status != models.StepDone || st.Actor != "sam" || len(st.Attempts) != 1 {
			t.Errorf("step %d: %s by %q, %d attempts", st.Seq, st.Status, st.Actor, len(st.Attempts))
		}
	}
	if s.Runner != nil {
		t.Errorf("the lease should be released: %+v", s.Runner)
	}
	if code := s.Steps[1].ExitCode; code == nil || *code != 0 {
		t.Errorf("exit code of step 2: %v", code)
	}
	sum := f.output(d.ID, 1)
	if !hasLine(sum, "sha256 expected "+artifactSum()) || !hasLine(sum, "sha256 actual   "+artifactSum()) {
		t.Errorf("checksum output: %q", sum)
	}
	facts := f.output(d.ID, 2)
	want := fmt.Sprintf("id=%d env=test comp=api ver=1.0 model=full action=deploy region=eu-test", d.ID)
	if !hasLine(facts, want) || !hasLine(facts, "cwd="+f.dir) || !hasLine(facts, "to-stderr") {
		t.Errorf("environment facts: %q, want %q and cwd=%s", facts, want, f.dir)
	}
	if got := f.output(d.ID, 3); strings.Join(got, "|") != "one|two|three" {
		t.Errorf("lines of step 3: %q", got)
	}
	if got := f.output(d.ID, 4); !hasLine(got, "204 No Content") {
		t.Errorf("http check output: %q", got)
	}
	ev := f.events(d.ID)
	for _, move := range []string{"planned → verifying_components", "verifying_components → verifying_environment",
		"verifying_environment → executing", "executing → verifying_deployment", "verifying_deployment → succeeded"} {
		wantEvent(t, ev, "status sam", move)
	}
	for i, name := range []string{"Artifact checksum", "Environment facts", "Roll out", "Health"} {
		wantEvent(t, ev, "step sam", fmt.Sprintf("done %d %q", i+1, name))
	}
	wantEvent(t, ev, "run sam", "started on")
	mu.Lock()
	defer mu.Unlock()
	if len(progress) != 5+8 { // 5 moves, a start and an end per step
		t.Errorf("progress: %q", progress)
	}
	// A step's output comes after its start, never before its heading.
	started := map[string]bool{}
	for _, o := range order {
		if seq, ok := strings.CutPrefix(o, "line "); ok && !started[seq] {
			t.Fatalf("a line of step %s before its start: %q", seq, order)
		} else if seq, ok := strings.CutPrefix(o, "start "); ok {
			started[seq] = true
		}
	}
	if _, err := f.e.Run(f.ctx, f.person("sam"), d.ID, f.opts()); !errors.Is(err, models.ErrConflict) {
		t.Errorf("running a finished deployment: %v", err)
	}
}

func TestChecksumMismatchAndHTTPStatusFail(t *testing.T) {
	var calls int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		http.Error(w, "database down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	f := newRunFixture(t, `
[[model]]
name = "sum"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "verify_components"
  name = "Artifact checksum"
  check = "checksum"
  artifact = "artifacts/api-1.0.tar"
  sha256 = "0000000000000000000000000000000000000000000000000000000000000000"

[[model]]
name = "web"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "verify_deployment"
  name = "Health"
  check = "http"
  url = "`+srv.URL+`"
  retries = 1
`)
	d := f.plan("sum", "api", "test")
	res := f.run(d.ID)
	if res.Result() != "failed" || !strings.Contains(res.Failure, "checksum mismatch") {
		t.Fatalf("outcome %s: %s", res.Result(), res.Failure)
	}
	out := f.output(d.ID, 1)
	if !hasLine(out, "sha256 expected 0000") || !hasLine(out, "sha256 actual   "+artifactSum()) {
		t.Errorf("both values should be in the output: %q", out)
	}

	web := f.plan("web", "api", "test")
	res = f.run(web.ID)
	mu.Lock()
	defer mu.Unlock()
	if res.Result() != "failed" || !strings.Contains(res.Failure, "HTTP 503, want 200") || calls != 2 {
		t.Errorf("outcome %s: %s, %d calls", res.Result(), res.Failure, calls)
	}
	if out := f.output(web.ID, 1); !hasLine(out, "body: database down") {
		t.Errorf("http output: %q", out)
	}
}

const rollbackModels = `
[[model]]
name = "rb"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "echo rolling out; exit 3"
  [[model.step]]
  stage = "verify_deployment"
  name = "Never reached"
  run = "echo unreachable"
  [[model.on_failure]]
  stage = "execute"
  name = "Roll back"
  run = "echo rolled back to $FERRY_VERSION"
  [[model.on_failure]]
  stage = "verify_deployment"
  name = "Other stage's rollback"
  run = "echo wrong stage; exit 1"

[[model]]
name = "rbfail"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "exit 1"
  [[model.on_failure]]
  stage = "execute"
  name = "Roll back"
  run = "echo cannot; exit 2"

[[model]]
name = "norb"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "exit 1"
  [[model.step]]
  stage = "execute"
  name = "Optional and failing"
  run = "exit 1"
  required = false
`

func TestFailureRollsBack(t *testing.T) {
	f := newRunFixture(t, rollbackModels)
	d := f.plan("rb", "api", "test")
	res := f.run(d.ID)
	if res.Result() != "rolled_back" {
		t.Fatalf("outcome %s: %s", res.Result(), res.Failure)
	}
	if !strings.Contains(res.Failure, `step 1 "Roll out" failed: exit 3`) || !strings.Contains(res.Failure, `ran "Roll back"`) {
		t.Errorf("failure: %s", res.Failure)
	}
	s := f.state(d.ID)
	if st := s.Steps[0]; st.Status != models.StepFailed || st.ExitCode == nil || *st.ExitCode != 3 {
		t.Errorf("failed step: %+v", st.StepRun)
	}
	if s.Steps[1].Status != models.StepPending {
		t.Errorf("a later stage must not run: %s", s.Steps[1].Status)
	}
	// The one that ran says by whom and when, as the stages' automated steps do.
	if len(s.OnFailure) != 2 || s.OnFailure[0].Seq != 3 || s.OnFailure[0].Status != models.StepDone ||
		s.OnFailure[0].Actor != SystemActor || s.OnFailure[0].At.IsZero() || s.OnFailure[1].Status != models.StepPending {
		t.Errorf("on-failure steps: %+v", s.OnFailure)
	}
	if out := f.output(d.ID, 3); !hasLine(out, "rolled back to 1.0") {
		t.Errorf("rollback output: %q", out)
	}
	ev := f.events(d.ID)
	wantEvent(t, ev, "failed 1 \"Roll out\": exit 3")
	wantEvent(t, ev, "done 3 \"Roll back\"")
	wantEvent(t, ev, "status sam", "executing → rolled_back", "ran \"Roll back\"")

	d = f.plan("rbfail", "api", "test")
	res = f.run(d.ID)
	if res.Result() != "failed" || !strings.Contains(res.Failure, `on-failure step "Roll back" failed: exit 2`) {
		t.Errorf("failing rollback: %s: %s", res.Result(), res.Failure)
	}
	wantEvent(t, f.events(d.ID), "executing → failed")

	d = f.plan("norb", "api", "test")
	res = f.run(d.ID)
	if res.Result() != "failed" || !strings.Contains(res.Failure, "no on-failure steps") {
		t.Errorf("without on-failure steps: %s: %s", res.Result(), res.Failure)
	}
	// The runner's status changes keep the report rollups exact.
	if diffs, err := f.e.st.Read().RollupDiffs(f.ctx); err != nil || len(diffs) > 0 {
		t.Fatalf("rollups after runs: %v %v", diffs, err)
	}
	from, to := f.e.RecentPeriods(PeriodQuarter, 8, 0)
	rep, err := f.e.Report(f.ctx, reportReader, ReportRequest{From: from, To: to.AddDate(1, 0, 0), Period: PeriodQuarter})
	if err != nil {
		t.Fatal(err)
	}
	if tot := rep.Totals[0]; tot.Failed != 2 || tot.RolledBack != 1 || tot.Throughput != 3 || tot.ChangeFailure != (Ratio{3, 3}) {
		t.Errorf("report of one rollback and two failures: %+v", tot.Metrics)
	}
}

func TestOptionalFailingStepDoesNotFailTheStage(t *testing.T) {
	f := newRunFixture(t, `
[[model]]
name = "opt"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Nice to have"
  run = "exit 1"
  required = false
  [[model.step]]
  stage = "execute"
  name = "Optional checklist item"
  required = false
  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "true"
`)
	d := f.plan("opt", "api", "test")
	res := f.run(d.ID)
	if res.Result() != "succeeded" {
		t.Fatalf("outcome %s: %s %+v", res.Result(), res.Failure, res.Waiting)
	}
	s := f.state(d.ID)
	if s.Steps[0].Status != models.StepFailed || s.Steps[1].Status != models.StepSkipped || s.Steps[2].Status != models.StepDone {
		t.Errorf("steps: %s %s %s", s.Steps[0].Status, s.Steps[1].Status, s.Steps[2].Status)
	}
}

func TestTimeoutKillsTheWholeProcessGroup(t *testing.T) {
	f := newRunFixture(t, `
[[model]]
name = "slow"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Hangs"
  run = "sh -c 'sleep 60 & echo child $!; wait'"
  timeout = "300ms"
`)
	d := f.plan("slow", "api", "test")
	began := time.Now()
	res := f.run(d.ID)
	if res.Result() != "failed" || !strings.Contains(res.Failure, "timed out after 300ms") {
		t.Fatalf("outcome %s: %s", res.Result(), res.Failure)
	}
	if took := time.Since(began); took > 20*time.Second {
		t.Errorf("the run took %s", took)
	}
	out := f.output(d.ID, 1)
	pid := childPID(t, out)
	if !processGone(pid) {
		t.Errorf("the sleep grandchild %d still runs", pid)
	}
	st := f.state(d.ID).Steps[0]
	if st.ExitCode == nil || (*st.ExitCode != 143 && *st.ExitCode != 137) {
		t.Errorf("exit code of a stopped command: %v", st.ExitCode)
	}
	if !hasLine(out, "[ferry] timed out after 300ms") {
		t.Errorf("output should say it timed out: %q", out)
	}
}

func TestLeftoverProcessesAreStopped(t *testing.T) {
	f := newRunFixture(t, `
[[model]]
name = "bg"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Leaves a process"
  run = "sleep 60 & echo child $!"
`)
	d := f.plan("bg", "api", "test")
	if res := f.run(d.ID); res.Result() != "succeeded" {
		t.Fatalf("outcome %s: %s", res.Result(), res.Failure)
	}
	if pid := childPID(t, f.output(d.ID, 1)); !processGone(pid) {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		t.Errorf("the background sleep %d outlived its step: %s", pid, b)
	}
}

func TestRetries(t *testing.T) {
	f := newRunFixture(t, `
[[model]]
name = "flaky"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Flaky"
  run = "n=$(cat count-$FERRY_DEPLOYMENT_ID 2>/dev/null || echo 0); n=$((n+1)); echo $n > count-$FERRY_DEPLOYMENT_ID; echo try $n; [ $n -ge 3 ]"
  retries = 2

[[model]]
name = "broken"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Broken"
  run = "echo attempt $FERRY_ATTEMPT; exit 7"
  retries = 1
`)
	d := f.plan("flaky", "api", "test")
	if res := f.run(d.ID); res.Result() != "succeeded" {
		t.Fatalf("outcome %s: %s", res.Result(), res.Failure)
	}
	st := f.state(d.ID).Steps[0]
	if len(st.Attempts) != 3 || st.Attempts[0].Status != models.StepFailed || st.Attempts[2].Status != models.StepDone {
		t.Errorf("attempts: %+v", st.Attempts)
	}
	if got := f.output(d.ID, 1); strings.Join(got, ",") != "try 1,[ferry] exit 1,try 2,[ferry] exit 1,try 3" {
		t.Errorf("output of the tries: %q", got)
	}
	ev := f.events(d.ID)
	wantEvent(t, ev, `step 1 "Flaky" failed, try 1 of 3: exit 1; retrying in 10ms`)
	wantEvent(t, ev, `step 1 "Flaky" failed, try 2 of 3: exit 1; retrying in 20ms`)
	wantEvent(t, ev, `done 1 "Flaky"`, "try 3 of 3")

	d = f.plan("broken", "api", "test")
	res := f.run(d.ID)
	if res.Result() != "failed" || !strings.Contains(res.Failure, "exit 7") {
		t.Fatalf("outcome %s: %s", res.Result(), res.Failure)
	}
	if got := f.output(d.ID, 1); !hasLine(got, "attempt 1") || !hasLine(got, "attempt 2") {
		t.Errorf("FERRY_ATTEMPT in the output: %q", got)
	}
	wantEvent(t, f.events(d.ID), `failed 1 "Broken": exit 7 (2 tries)`)
}

const blockingModel = `
[[model]]
name = "block"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Waits"
  run = "sh -c 'sleep 60 & echo child $!; wait'"
  [[model.step]]
  stage = "execute"
  name = "After"
  run = "echo after"
`

// startBlocked runs a deployment of the blocking model in the background and returns
// once its step printed the child's pid.
func startBlocked(t *testing.T, f *runFixture, e *Engine, ctx context.Context, opts RunOptions) (models.Deployment, int, chan runReturn) {
	t.Helper()
	d := f.plan("block", "api", "test")
	started := make(chan int, 1)
	opts.OnOutput = func(l models.OutputLine) {
		if m := childRe.FindStringSubmatch(l.Text); m != nil {
			pid, _ := strconv.Atoi(m[1])
			started <- pid
		}
	}
	done := make(chan runReturn, 1)
	go func() {
		res, err := e.Run(ctx, f.person("sam"), d.ID, opts)
		done <- runReturn{res, err}
	}()
	select {
	case pid := <-started:
		return d, pid, done
	case r := <-done:
		t.Fatalf("the run ended before its step started: %+v %v", r.res, r.err)
	}
	return d, 0, nil
}

type runReturn struct {
	res Outcome
	err error
}

func TestCancelStopsTheRunningStep(t *testing.T) {
	f := newRunFixture(t, blockingModel)
	d, pid, done := startBlocked(t, f, f.e, f.ctx, f.opts())
	if _, err := f.e.Cancel(f.ctx, f.person("ana"), d.ID, "wrong version"); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.res.Result() != "cancelled" {
		t.Fatalf("after cancel: %s, %v", r.res.Result(), r.err)
	}
	if !processGone(pid) {
		t.Errorf("the step's sleep %d still runs", pid)
	}
	s := f.state(d.ID)
	if s.Steps[0].Status != models.StepInterrupted || s.Steps[1].Status != models.StepPending {
		t.Errorf("steps after cancel: %s %s", s.Steps[0].Status, s.Steps[1].Status)
	}
	wantEvent(t, f.events(d.ID), `stopped 1 "Waits" in attempt 1: the deployment was cancelled`)
}

// A cancel made by another process reaches the runner through the database.
func TestCancelFromAnotherProcess(t *testing.T) {
	f := newRunFixture(t, blockingModel)
	other := f.open(nil)
	d, pid, done := startBlocked(t, f, f.e, f.ctx, f.opts())
	if _, err := other.Cancel(f.ctx, f.person("ana"), d.ID, "from elsewhere"); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.res.Result() != "cancelled" || !processGone(pid) {
		t.Fatalf("after cancel: %s, %v, sleep gone: %v", r.res.Result(), r.err, processGone(pid))
	}
}

// Stopping the caller's context interrupts the step; Run then waits for a decision,
// Resume runs the step again as a new attempt and keeps the first attempt's output.
func TestInterruptThenResume(t *testing.T) {
	f := newRunFixture(t, blockingModel)
	ctx, cancel := context.WithCancel(f.ctx)
	d, pid, done := startBlocked(t, f, f.e, ctx, f.opts())
	cancel()
	r := <-done
	var stopped *StoppedError
	if !errors.As(r.err, &stopped) || !errors.Is(r.err, context.Canceled) {
		t.Fatalf("want a StoppedError for context.Canceled, got %v", r.err)
	}
	if !processGone(pid) {
		t.Errorf("sleep %d still runs", pid)
	}
	s := f.state(d.ID)
	if s.Steps[0].Status != models.StepInterrupted || s.Runner != nil || s.Waiting == nil || s.Waiting.Kind != WaitInterrupted {
		t.Fatalf("after the interrupt: %s, runner %+v, waiting %+v", s.Steps[0].Status, s.Runner, s.Waiting)
	}
	// A plain run does not run it again by itself.
	res := f.run(d.ID)
	if res.Waiting == nil || res.Waiting.Kind != WaitInterrupted || res.Waiting.Seq != 1 {
		t.Fatalf("run after an interrupt: %+v", res.Waiting)
	}
	if !strings.Contains(res.Waiting.Message, "was interrupted") {
		t.Errorf("message: %s", res.Waiting.Message)
	}
	// It waits in the inbox of the managers and of its requester, not of others.
	for who, want := range map[string]bool{"marc": true, d.Requester: true, "eve": false, "tia": false} {
		items, err := f.e.Inbox(f.ctx, f.person(who))
		if err != nil {
			t.Fatal(err)
		}
		found := slices.ContainsFunc(items, func(it InboxItem) bool {
			return it.Kind == InboxInterrupted && it.Deployment.ID == d.ID && it.Seq == 1
		})
		if found != want {
			t.Errorf("%s's inbox has the interrupted #%d: %v, want %v (%+v)", who, d.ID, found, want, items)
		}
	}
	// The dashboard's running deployments say it, to an analyst too.
	for _, who := range []string{"marc", "eve"} {
		db, err := f.e.Dashboard(f.ctx, f.person(who))
		if err != nil {
			t.Fatal(err)
		}
		if db.Waits[d.ID] != WaitInterrupted {
			t.Errorf("%s's dashboard: #%d waits for %q, want interrupted", who, d.ID, db.Waits[d.ID])
		}
	}
	// Resume does, as attempt 2; the step blocks again, and a cancel ends it.
	started := make(chan struct{}, 1)
	opts := f.opts()
	opts.OnOutput = func(l models.OutputLine) {
		if strings.HasPrefix(l.Text, "child") {
			started <- struct{}{}
		}
	}
	go func() {
		res, err := f.e.Resume(f.ctx, f.person("sam"), d.ID, opts)
		done <- runReturn{res, err}
	}()
	<-started
	if _, err := f.e.Cancel(f.ctx, f.person("ana"), d.ID, "enough"); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r.err != nil || r.res.Result() != "cancelled" {
		t.Fatalf("resume: %s %v", r.res.Result(), r.err)
	}
	s = f.state(d.ID)
	if n := len(s.Steps[0].Attempts); n != 2 {
		t.Fatalf("attempts: %d", n)
	}
	lines, err := f.e.Output(f.ctx, f.person("ana"), d.ID, models.OutputFilter{Seq: 1, Attempt: 1})
	if err != nil || len(lines) == 0 || !strings.HasPrefix(lines[0].Text, "child") {
		t.Errorf("attempt 1's output should be kept: %+v %v", lines, err)
	}
	wantEvent(t, f.events(d.ID), "run sam", "resumed on")
}

func TestRetryFromStep(t *testing.T) {
	f := newRunFixture(t, `
[[model]]
name = "two"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "verify_components"
  name = "Checked"
  run = "echo checked"
  [[model.step]]
  stage = "execute"
  name = "First"
  run = "echo first $FERRY_ATTEMPT"
  [[model.step]]
  stage = "execute"
  name = "Person"
  [[model.step]]
  stage = "execute"
  name = "Second"
  run = "echo second $FERRY_ATTEMPT"
`)
	d := f.plan("two", "api", "test")
	res := f.run(d.ID)
	if res.Waiting == nil || res.Waiting.Kind != WaitTick || res.Waiting.Seq != 3 {
		t.Fatalf("want a wait for item 3: %+v", res.Waiting)
	}
	sam := f.person("sam")
	if _, err := f.e.Retry(f.ctx, sam, d.ID, 1, f.opts()); !errors.Is(err, models.ErrConflict) {
		t.Errorf("retrying a step of a finished stage: %v", err)
	}
	if _, err := f.e.Retry(f.ctx, sam, d.ID, 3, f.opts()); !errors.Is(err, models.ErrInvalid) {
		t.Errorf("retrying a checklist item: %v", err)
	}
	res, err := f.e.Retry(f.ctx, sam, d.ID, 2, f.opts())
	if err != nil || res.Waiting == nil || res.Waiting.Seq != 3 {
		t.Fatalf("retry from 2: %+v %v", res.Waiting, err)
	}
	if got := f.output(d.ID, 2); strings.Join(got, ",") != "first 1,first 2" {
		t.Errorf("step 2 ran twice: %q", got)
	}
	// The tick leaves nothing for a person: the run carries on to the end.
	if res, err := f.e.TickStep(f.ctx, f.person("tom"), d.ID, 3, "done by hand", f.opts()); err != nil ||
		!res.Carried || res.Result() != "succeeded" {
		t.Fatalf("the run after the tick: %s %v", res.Result(), err)
	}
	wantEvent(t, f.events(d.ID), `retry from 2 "First": steps 2 set back to pending`)
}

const peopleModels = `
[[model]]
name = "hw"
kinds = ["hardware"]
path = ["production"]
default_duration = "4h"
  [[model.step]]
  stage = "verify_environment"
  name = "Rack space free"
  [[model.step]]
  stage = "verify_environment"
  name = "Power available"
  [[model.step]]
  stage = "execute"
  name = "Go-live approval"
  gate = true
  [[model.step]]
  stage = "verify_deployment"
  name = "Smoke"
  run = "echo ok"

[[model]]
name = "docs"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
self_approval = true
  [[model.step]]
  stage = "execute"
  name = "Publication approved"
  gate = true
  roles = ["manager", "practitioner"]
`

func TestChecklistAndGates(t *testing.T) {
	f := newRunFixture(t, peopleModels)
	d := f.plan("hw", "rack", "production") // assigned to tom, requested by ana
	res := f.run(d.ID)
	if res.Waiting == nil || res.Waiting.Kind != WaitTick || res.Waiting.Seq != 1 {
		t.Fatalf("want a wait for item 1: %+v", res.Waiting)
	}
	if res.Deployment.Status != models.StatusVerifyingEnvironment {
		t.Errorf("status %s", res.Deployment.Status)
	}
	// Wrong people may not tick.
	for _, who := range []string{"eve", "tia"} {
		if _, err := f.e.TickStep(f.ctx, f.person(who), d.ID, 1, ""); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("%s ticking: %v", who, err)
		}
		if _, err := f.e.BlockStep(f.ctx, f.person(who), d.ID, 2, "no power"); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("%s blocking: %v", who, err)
		}
	}
	if _, err := f.e.Run(f.ctx, f.person("eve"), d.ID, f.opts()); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("an analyst running: %v", err)
	}
	tom := f.person("tom")
	if _, err := f.e.TickStep(f.ctx, tom, d.ID, 1, "U12-U14 free"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.NoteStep(f.ctx, tom, d.ID, 2, "cold aisle 24C"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.BlockStep(f.ctx, tom, d.ID, 2, "PDU B has no free outlet"); err != nil {
		t.Fatal(err)
	}
	// The block's reason is kept apart: what was noted on the item stays.
	if st, _ := f.e.RunState(f.ctx, tom, d.ID); st.Steps[1].Note != "cold aisle 24C" || st.Steps[1].BlockReason != "PDU B has no free outlet" {
		t.Errorf("the blocked item: note %q, reason %q", st.Steps[1].Note, st.Steps[1].BlockReason)
	}
	if _, err := f.e.BlockStep(f.ctx, tom, d.ID, 2, "again"); !errors.Is(err, models.ErrConflict) {
		t.Errorf("blocking twice: %v", err)
	}
	// A tick does not clear a block: it is refused, and the item stays blocked.
	if _, err := f.e.TickStep(f.ctx, tom, d.ID, 2, ""); !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), "unblock it first") {
		t.Errorf("ticking a blocked item: %v", err)
	}
	if st, _ := f.e.RunState(f.ctx, tom, d.ID); st.Steps[1].Status != models.StepBlocked {
		t.Errorf("a refused tick changed the item: %+v", st.Steps[1].StepRun)
	}
	// Nor is a ticked item blocked.
	if _, err := f.e.BlockStep(f.ctx, tom, d.ID, 1, "late doubt"); !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), "already ticked") {
		t.Errorf("blocking a ticked item: %v", err)
	}
	if _, err := f.e.BlockStep(f.ctx, tom, d.ID, 4, "x"); !errors.Is(err, models.ErrInvalid) {
		t.Errorf("blocking an automated step: %v", err)
	}
	// The console asks these before it offers a key: they are the acts' own refusals.
	st, err := f.e.RunState(f.ctx, tom, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		why  error
		want string
	}{
		{f.e.WhyNoTick(st.Deployment, st.Steps[1].StepRun), "unblock it first"},
		{f.e.WhyNoBlock(st.Deployment, st.Steps[0].StepRun), "already ticked"},
		{f.e.WhyNoTick(st.Deployment, st.Steps[3].StepRun), "only checklist items can be ticked"},
		{f.e.WhyNoUnblock(st.Deployment, st.Steps[0].StepRun), "not blocked"},
	} {
		if c.why == nil || !strings.Contains(c.why.Error(), c.want) {
			t.Errorf("why not: %v, want %q", c.why, c.want)
		}
	}
	if err := f.e.WhyNoUnblock(st.Deployment, st.Steps[1].StepRun); err != nil {
		t.Errorf("a blocked item is unblocked: %v", err)
	}
	res, err = f.e.Resume(f.ctx, tom, d.ID, f.opts())
	if err != nil || res.Waiting == nil || res.Waiting.Kind != WaitBlocked || res.Waiting.Note != "PDU B has no free outlet" {
		t.Fatalf("want a wait for the blocked item: %+v %v", res.Waiting, err)
	}
	if db, _ := f.e.Dashboard(f.ctx, f.person("ana")); len(db.Blocked) != 1 {
		t.Errorf("the dashboard should show the blocked item: %+v", db.Blocked)
	}
	if _, err := f.e.UnblockStep(f.ctx, tom, d.ID, 2, "electrician fixed it"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.NoteStep(f.ctx, tom, d.ID, 2, "used the spare PDU port"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.TickStep(f.ctx, tom, d.ID, 2, "plugged in"); err != nil {
		t.Fatal(err)
	}
	// What cleared the block and the note written before the tick stay on the item,
	// beside the tick's own; the block's reason is gone with the block.
	if st, _ := f.e.RunState(f.ctx, tom, d.ID); st.Steps[1].Note != "cold aisle 24C · electrician fixed it · used the spare PDU port · plugged in" ||
		st.Steps[1].BlockReason != "" {
		t.Errorf("the item's note after the tick: %q", st.Steps[1].Note)
	}
	res, err = f.e.Resume(f.ctx, tom, d.ID, f.opts())
	if err != nil || res.Waiting == nil || res.Waiting.Kind != WaitApproval || res.Waiting.Seq != 3 {
		t.Fatalf("want a wait for the gate: %+v %v", res.Waiting, err)
	}
	if got := strings.Join(res.Waiting.Approvers, ","); got != "marc" {
		t.Errorf("approvers %q, want marc (ana requested it)", got)
	}
	if !strings.Contains(res.Waiting.Message, "manager") || !strings.Contains(res.Waiting.Message, "marc") {
		t.Errorf("message: %s", res.Waiting.Message)
	}
	// The gate's roles decide, and the requester may not approve their own.
	for who, want := range map[string]error{"sam": models.ErrForbidden, "tom": models.ErrForbidden,
		"eve": models.ErrForbidden, "ana": models.ErrForbidden} {
		if _, err := f.e.ApproveGate(f.ctx, f.person(who), d.ID, ""); !errors.Is(err, want) {
			t.Errorf("%s approving: %v", who, err)
		}
	}
	if _, err := f.e.ApproveGate(f.ctx, f.person("ana"), d.ID, ""); err == nil || !strings.Contains(err.Error(), "self-approval") {
		t.Errorf("self-approval refusal should say so: %v", err)
	}
	if err := f.e.MayApprove(f.ctx, f.person("marc"), d.ID); err != nil {
		t.Errorf("marc may approve: %v", err)
	}
	// The approval carries the run on, to the end.
	res, err = f.e.ApproveGate(f.ctx, f.person("marc"), d.ID, "change board said yes", f.opts())
	if err != nil || !res.Carried || res.Result() != "succeeded" {
		t.Fatalf("after the approval: %s %+v %v", res.Result(), res.Waiting, err)
	}
	if _, err := f.e.ApproveGate(f.ctx, f.person("marc"), d.ID, ""); !errors.Is(err, models.ErrConflict) {
		t.Errorf("approving twice: %v", err)
	}
	ev := f.events(d.ID)
	wantEvent(t, ev, "step tom", `ticked 1 "Rack space free": U12-U14 free`)
	wantEvent(t, ev, "step tom", `blocked 2 "Power available": PDU B has no free outlet`)
	wantEvent(t, ev, "step tom", `unblocked 2 "Power available": electrician fixed it`)
	wantEvent(t, ev, "note tom", `note on 2 "Power available": used the spare PDU port`)
	wantEvent(t, ev, "step marc", `approved 3 "Go-live approval": change board said yes`)

	// A gate naming practitioners, in a model allowing self-approval.
	doc := f.plan("docs", "api", "test", func(r *PlanRequest) { r.Requester = "sam" })
	if res := f.run(doc.ID); res.Waiting == nil || res.Waiting.Kind != WaitApproval {
		t.Fatalf("docs: %+v", res.Waiting)
	}
	if _, err := f.e.ApproveGate(f.ctx, f.person("sam"), doc.ID, "mine, allowed"); err != nil {
		t.Errorf("a practitioner approving a gate naming practitioners, self-approval allowed: %v", err)
	}
}

// TestSecondTickSaysWhoTicked: two sessions tick the last item of a stage at once;
// the one saved second is refused with who ticked it and when, not with the stage
// the run has left meanwhile. A block typed meanwhile is refused the same way.
func TestSecondTickSaysWhoTicked(t *testing.T) {
	f := newRunFixture(t, peopleModels)
	d := f.plan("hw", "rack", "production") // assigned to tom
	f.run(d.ID)
	tom := f.person("tom")
	if _, err := f.e.TickStep(f.ctx, tom, d.ID, 1, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.TickStep(f.ctx, tom, d.ID, 2, "", f.opts()); err != nil { // the stage is done: the run moves on
		t.Fatal(err)
	}
	st, err := f.e.RunState(f.ctx, tom, d.ID)
	if err != nil || st.Deployment.Status == models.StatusVerifyingEnvironment {
		t.Fatalf("the run should have left verifying environment: %s %v", st.Deployment.Status, err)
	}
	at := f.e.Local(st.Steps[1].At)
	want := `step 2 "Power available" was already ticked by tom at ` + at
	_, tick := f.e.TickStep(f.ctx, tom, d.ID, 2, "")
	_, block := f.e.BlockStep(f.ctx, tom, d.ID, 2, "PDU B dead")
	for what, err := range map[string]error{"a second tick": tick, "a block": block} {
		if !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "belongs to") {
			t.Errorf("%s of a ticked item: %v, want %q", what, err, want)
		}
	}
}

// A deployment cancelled mid-stage keeps its items as they were left: nothing on it
// is ticked or blocked any more, and the refusal says why in those words (not "step 2
// belongs to Verify environment"). A note is still taken, from whoever works on it,
// on the record with who and when: what a technician left on site when the work was
// called off is worth keeping. One rule (WhyNoNote) for the CLI, the console and SSH.
func TestNoteOnACancelledDeploymentIsKept(t *testing.T) {
	f := newRunFixture(t, peopleModels)
	d := f.plan("hw", "rack", "production") // assigned to tom
	f.run(d.ID)
	tom := f.person("tom")
	if _, err := f.e.TickStep(f.ctx, tom, d.ID, 1, "U12-U14 free"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Cancel(f.ctx, f.person("ana"), d.ID, "postponed: PDU B needs an electrician"); err != nil {
		t.Fatal(err)
	}
	st := f.state(d.ID)
	if err := WhyNoNote(tom, st.Deployment); err != nil {
		t.Fatalf("tom may note his cancelled deployment: %v", err)
	}
	if _, err := f.e.NoteStep(f.ctx, tom, d.ID, 2, "left the rails mounted"); err != nil {
		t.Fatal(err)
	}
	if got := f.state(d.ID).Steps[1]; got.Note != "left the rails mounted" || got.Status != models.StepPending {
		t.Errorf("the note should be kept, the item left as it was: %+v", got.StepRun)
	}
	if evs := strings.Join(f.events(d.ID), "\n"); !strings.Contains(evs, "note tom: ") || !strings.Contains(evs, "left the rails mounted") {
		t.Errorf("the note should be on the record:\n%s", evs)
	}
	const want = "was cancelled: its items stay as they were left"
	_, tick := f.e.TickStep(f.ctx, tom, d.ID, 2, "")
	_, block := f.e.BlockStep(f.ctx, tom, d.ID, 2, "no power")
	for what, err := range map[string]error{"a tick": tick, "a block": block, "why no tick": f.e.WhyNoTick(st.Deployment, st.Steps[1].StepRun)} {
		if !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s on a cancelled deployment: %v, want %q", what, err, want)
		}
	}
	// Who may not work on it may not note it either, finished or not.
	eve := f.person("eve")
	if _, err := f.e.NoteStep(f.ctx, eve, d.ID, 2, "x"); !errors.Is(err, models.ErrForbidden) || WhyNoNote(eve, st.Deployment) == nil {
		t.Errorf("an analyst's note: %v", err)
	}
}

// Separation of duties is judged against the person who planned a deployment as well
// as its requester: naming someone else as requester does not let the planner approve
// the gate of their own work.
func TestPlannerMayNotApproveTheirGate(t *testing.T) {
	f := newRunFixture(t, peopleModels+`
[[model]]
name = "strict"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Release approved"
  gate = true
  roles = ["manager", "practitioner"]
`)
	plan := func(model string) models.Deployment {
		t.Helper()
		f.n++
		d, _, err := f.e.Plan(f.ctx, f.person("sam"), PlanRequest{Model: model, Component: "api", Version: "1.0",
			Environment: "test", Start: time.Now().Add(time.Duration(f.n) * 24 * time.Hour), Duration: time.Hour,
			Requester: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		if d.PlannedBy != "sam" || d.Requester != "ana" {
			t.Fatalf("planned by %q, requested by %q; want sam and ana", d.PlannedBy, d.Requester)
		}
		return d
	}
	d := plan("strict")
	res := f.run(d.ID)
	if res.Waiting == nil || res.Waiting.Kind != WaitApproval {
		t.Fatalf("want a wait for the gate: %+v", res.Waiting)
	}
	if got := strings.Join(res.Waiting.Approvers, ","); got != "marc" {
		t.Errorf("approvers %q, want marc alone (sam planned it, ana requested it)", got)
	}
	_, err := f.e.ApproveGate(f.ctx, f.person("sam"), d.ID, "")
	if !errors.Is(err, models.ErrForbidden) || !strings.Contains(err.Error(), "sam planned deployment #") ||
		!strings.Contains(err.Error(), "requested by ana") {
		t.Errorf("the planner approving, want a refusal that says sam planned it: %v", err)
	}
	if err := f.e.MayApprove(f.ctx, f.person("sam"), d.ID); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("the console would offer sam the approval: %v", err)
	}
	if got := f.state(d.ID); got.Waiting == nil || slices.Contains(got.Waiting.Approvers, "sam") {
		t.Errorf("run state names sam as an approver: %+v", got.Waiting)
	}
	if _, err := f.e.ApproveGate(f.ctx, f.person("marc"), d.ID, "", f.opts()); err != nil {
		t.Errorf("marc neither planned nor requested it: %v", err)
	}
	// A model that allows self-approval allows the planner too.
	own := plan("docs")
	f.run(own.ID)
	if _, err := f.e.ApproveGate(f.ctx, f.person("sam"), own.ID, "", f.opts()); err != nil {
		t.Errorf("self-approval allowed, the planner approving: %v", err)
	}
}

func TestApproveOnlyTheWaitingGate(t *testing.T) {
	f := newRunFixture(t, peopleModels)
	d := f.plan("hw", "rack", "production")
	if _, err := f.e.ApproveGate(f.ctx, f.person("marc"), d.ID, ""); !errors.Is(err, models.ErrConflict) {
		t.Errorf("approving a planned deployment: %v", err)
	}
	f.run(d.ID)
	if _, err := f.e.ApproveGate(f.ctx, f.person("marc"), d.ID, ""); !errors.Is(err, models.ErrConflict) {
		t.Errorf("approving while no gate is in the stage: %v", err)
	}
}

// Two runners (two engines on one database, as two processes would be) race for
// one deployment: exactly one runs it.
func TestTwoRunnersRace(t *testing.T) {
	f := newRunFixture(t, `
[[model]]
name = "fifo"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Waits for the test"
  run = "echo ran >> ran.log; read line < gate.fifo; echo $line"
`)
	if err := syscall.Mkfifo(filepath.Join(f.dir, "gate.fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := f.plan("fifo", "api", "test")
	engines := []*Engine{f.e, f.open(nil)}
	results := make(chan runReturn, 2)
	started := make(chan struct{}, 2)
	var ready sync.WaitGroup
	ready.Add(2)
	for _, e := range engines {
		go func(e *Engine) {
			opts := f.opts()
			opts.OnProgress = func(p Progress) {
				if p.Kind == ProgressStepStart {
					started <- struct{}{}
				}
			}
			ready.Done()
			ready.Wait()
			res, err := e.Run(f.ctx, f.person("sam"), d.ID, opts)
			results <- runReturn{res, err}
		}(e)
	}
	<-started
	loser := <-results // the winner blocks on the FIFO until the test writes to it
	var busy *BusyError
	if !errors.As(loser.err, &busy) || !errors.Is(loser.err, models.ErrConflict) {
		t.Fatalf("the second runner should be refused as busy, got %v", loser.err)
	}
	if !strings.Contains(busy.Error(), "already being run by sam") {
		t.Errorf("message: %v", busy)
	}
	fifo, err := os.OpenFile(filepath.Join(f.dir, "gate.fifo"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(fifo, "released")
	fifo.Close()
	winner := <-results
	if winner.err != nil || winner.res.Result() != "succeeded" {
		t.Fatalf("winner: %s %v", winner.res.Result(), winner.err)
	}
	log, _ := os.ReadFile(filepath.Join(f.dir, "ran.log"))
	if string(log) != "ran\n" {
		t.Errorf("the step ran %q", log)
	}
	if n := len(f.state(d.ID).Steps[0].Attempts); n != 1 {
		t.Errorf("%d attempts", n)
	}
}

// A lease held by a runner on another machine is respected until it expires; then
// the attempt it left running is recovered as interrupted, its output kept.
func TestRecoverAfterLeaseExpiry(t *testing.T) {
	f := newRunFixture(t, blockingModel)
	d := f.plan("block", "api", "test")
	if _, err := f.e.Move(f.ctx, f.person("sam"), d.ID, models.StatusVerifyingComponents, ""); err != nil {
		t.Fatal(err)
	}
	for _, to := range []models.Status{models.StatusVerifyingEnvironment, models.StatusExecuting} {
		if _, err := f.e.Move(f.ctx, f.person("sam"), d.ID, to, ""); err != nil {
			t.Fatal(err)
		}
	}
	// Another machine's runner: it took the lease, started step 1 and wrote a line.
	far := models.Lease{DeploymentID: d.ID, Holder: "elsewhere:42:beef", Host: "elsewhere", BootID: "other-boot",
		PID: 42, Actor: "sam", AcquiredAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	err := f.e.st.Write(f.ctx, func(q store.Q) error {
		if err := q.PutLease(f.ctx, far); err != nil {
			return err
		}
		n, err := q.StartAttempt(f.ctx, models.Attempt{DeploymentID: d.ID, Seq: 1, Holder: far.Holder, Host: far.Host,
			BootID: far.BootID, PGID: 4242, StartedAt: time.Now()})
		if err != nil {
			return err
		}
		sr, err := stepRun(f.ctx, q, d, 1)
		if err != nil {
			return err
		}
		sr.Status, sr.Actor = models.StepRunning, "sam"
		if err := q.SetStepRun(f.ctx, sr, time.Now()); err != nil {
			return err
		}
		return q.AppendOutput(f.ctx, []models.OutputLine{{DeploymentID: d.ID, Seq: 1, Attempt: n, LineNo: 1,
			Stream: "out", At: time.Now(), Text: "half done"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := f.e.RecoverInterrupted(f.ctx)
	if err != nil || len(rec) != 0 {
		t.Fatalf("a live lease elsewhere must be left alone: %+v %v", rec, err)
	}
	_, err = f.e.Run(f.ctx, f.person("sam"), d.ID, f.opts())
	var busy *BusyError
	if !errors.As(err, &busy) || busy.Lease.Host != "elsewhere" {
		t.Fatalf("want busy, got %v", err)
	}
	// The other machine stops renewing: the lease runs out.
	err = f.e.st.Write(f.ctx, func(q store.Q) error {
		_, err := q.RenewLease(f.ctx, d.ID, far.Holder, time.Now().Add(-time.Second))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, err = f.e.RecoverInterrupted(f.ctx)
	if err != nil || len(rec) != 1 || rec[0].Seq != 1 || rec[0].Lines != 1 || rec[0].Killed {
		t.Fatalf("recovered %+v %v", rec, err)
	}
	s := f.state(d.ID)
	if s.Steps[0].Status != models.StepInterrupted || s.Runner != nil || s.Waiting == nil || s.Waiting.Kind != WaitInterrupted {
		t.Fatalf("after recovery: %s %+v %+v", s.Steps[0].Status, s.Runner, s.Waiting)
	}
	if a, _ := s.Steps[0].Last(); a.Status != models.StepInterrupted || !strings.Contains(a.Detail, "lease expired") {
		t.Errorf("attempt: %+v", a)
	}
	if got := f.output(d.ID, 1); strings.Join(got, "|") != "half done" {
		t.Errorf("kept output: %q", got)
	}
	wantEvent(t, f.events(d.ID), "step ferry", `interrupted 1 "Waits" in attempt 1`, "1 line of output kept")
	if rec, _ := f.e.RecoverInterrupted(f.ctx); len(rec) != 0 {
		t.Errorf("recovering twice: %+v", rec)
	}
	// Failing it by hand ends it, with the reason.
	res, err := f.e.Fail(f.ctx, f.person("sam"), d.ID, "done by hand on the console", false, f.opts())
	if err != nil || res.Result() != "failed" {
		t.Fatalf("fail: %s %v", res.Result(), err)
	}
	wantEvent(t, f.events(d.ID), "executing → failed: done by hand on the console")
}

func TestStartRefusedInOpenConflicts(t *testing.T) {
	f := newRunFixture(t, `
[[model]]
name = "any"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "true"
`)
	start := time.Now().Add(time.Hour)
	a := f.plan("any", "api", "test", func(r *PlanRequest) { r.Start = start })
	f.plan("any", "api", "test", func(r *PlanRequest) { r.Start = start.Add(30 * time.Minute) })
	_, err := f.e.Run(f.ctx, f.person("sam"), a.ID, f.opts())
	var refused *StartRefusedError
	if !errors.As(err, &refused) || !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), "component") {
		t.Fatalf("want a refusal naming the component conflict, got %v", err)
	}
	if d, _ := f.e.st.Read().Deployment(f.ctx, a.ID); d.Status != models.StatusPlanned {
		t.Errorf("status %s", d.Status)
	}
	if l, err := f.e.st.Read().Lease(f.ctx, a.ID); err == nil {
		t.Errorf("the lease should be released: %+v", l)
	}
}

func TestRunDue(t *testing.T) {
	f := newRunFixture(t, peopleModels+`
[[model]]
name = "auto"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "echo due"
`)
	now := time.Now()
	due := f.plan("auto", "api", "test", func(r *PlanRequest) { r.Start = now.Add(-time.Minute) })
	manual := f.plan("docs", "web", "test", func(r *PlanRequest) {
		r.Start, r.Duration, r.Assignee = now.Add(-2*time.Hour), 3*time.Hour, ""
	})
	later := f.plan("auto", "api", "test", func(r *PlanRequest) { r.Start = now.Add(48 * time.Hour) })
	over := f.plan("auto", "api", "test", func(r *PlanRequest) { r.Start = now.Add(-5 * time.Hour) })
	runs, err := f.e.RunDue(f.ctx, f.person("sam"), f.opts())
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]DueRun{}
	for _, r := range runs {
		got[r.Deployment.ID] = r
	}
	if len(runs) != 2 {
		t.Errorf("due: %+v", runs)
	}
	if r := got[due.ID]; r.Err != nil || r.Result.Result() != "succeeded" {
		t.Errorf("the due automated deployment: %+v", r)
	}
	if r := got[manual.ID]; !strings.Contains(r.Skipped, "a person runs it") {
		t.Errorf("the manual one: %+v", r)
	}
	for _, id := range []int64{later.ID, over.ID} {
		if d, _ := f.e.st.Read().Deployment(f.ctx, id); d.Status != models.StatusPlanned {
			t.Errorf("#%d should not start: %s", id, d.Status)
		}
	}
}

// A large output is stored completely, line by line, while the heap stays small.
func TestHugeOutputIsStoredWithBoundedMemory(t *testing.T) {
	lines, width := 200_000, 100 // 20 MB
	if race.Enabled {
		// Each stored line costs some fifteen times more under the race detector;
		// there the output is 2 MB, which the heap bound cannot tell from holding it
		// all: plain go test keeps the 20 MB that it can.
		lines = 20_000
	}
	f := newRunFixture(t, fmt.Sprintf(`
[[model]]
name = "loud"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Loud"
  run = "yes \"$(printf '%%0%dd' 7)\" | head -n %d; printf 'x%%.0s' $(seq 40000); echo; echo end >&2"
`, width-1, lines))
	d := f.plan("loud", "api", "test")
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var m runtime.MemStats
		var top uint64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				peak <- top
				return
			case <-tick.C:
				runtime.ReadMemStats(&m)
				top = max(top, m.HeapInuse)
			}
		}
	}()
	res := f.run(d.ID)
	close(stop)
	top := <-peak
	if res.Result() != "succeeded" {
		t.Fatalf("outcome %s: %s", res.Result(), res.Failure)
	}
	grew := int64(top) - int64(before.HeapInuse)
	t.Logf("heap in use: %d MB before, peak %d MB during a %d MB output", before.HeapInuse>>20, top>>20, lines*width>>20)
	if grew > 48<<20 {
		t.Errorf("the heap grew by %d MB while storing the output", grew>>20)
	}
	a, _ := f.state(d.ID).Steps[0].Last()
	wantLines := int64(lines + 3 + 1) // the lines, the long line in 3 pieces, "end"
	wantBytes := int64(lines*(width-1) + 40000 + 3)
	if a.Lines != wantLines || a.Bytes != wantBytes {
		t.Errorf("attempt counted %d lines, %d bytes; want %d, %d", a.Lines, a.Bytes, wantLines, wantBytes)
	}
	// Read it all back: every line, numbered without gaps, in order.
	var n, bytes, yes int64
	var after int64
	lineNo := 0
	for {
		page, err := f.e.Output(f.ctx, f.person("ana"), d.ID, models.OutputFilter{Seq: 1, AfterID: after, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, l := range page {
			lineNo++
			if l.LineNo != lineNo {
				t.Fatalf("line %d numbered %d", lineNo, l.LineNo)
			}
			switch {
			case l.Text == fmt.Sprintf("%0*d", width-1, 7):
				yes++
			case l.Text == "end" || strings.Trim(l.Text, "x") == "":
			default:
				t.Fatalf("line %d: %q", lineNo, l.Text)
			}
			if len(l.Text) > MaxLineBytes {
				t.Fatalf("line %d is %d bytes", lineNo, len(l.Text))
			}
			n++
			bytes += int64(len(l.Text))
		}
		after = page[len(page)-1].ID
	}
	if n != wantLines || bytes != wantBytes || yes != int64(lines) {
		t.Errorf("read back %d lines (%d of them from yes), %d bytes; want %d, %d", n, yes, bytes, wantLines, wantBytes)
	}
}

func TestExpandVars(t *testing.T) {
	vars := map[string]string{"FERRY_VERSION": "1.2", "A": "x"}
	for in, want := range map[string]string{
		"":                             "",
		"plain":                        "plain",
		"a-${FERRY_VERSION}.tar":       "a-1.2.tar",
		"${A}${A}":                     "xx",
		"${MISSING}/${FERRY_VERSION}":  "${MISSING}/1.2",
		"${unclosed":                   "${unclosed",
		"$A stays, $${A}":              "$A stays, $x",
		"${FERRY_VERSION}${FERRY_VER}": "1.2${FERRY_VER}",
	} {
		if got := expandVars(in, vars); got != want {
			t.Errorf("expandVars(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 6: 30 * time.Second, 20: 30 * time.Second} {
		if got := backoff(time.Second, n); got != want {
			t.Errorf("backoff(1s, %d) = %s, want %s", n, got, want)
		}
	}
}

// A run stopped because the console that ran it closed says so on its step, and how
// it goes on, in place of "context canceled".
func TestInterruptByAClosedConsoleSaysWhy(t *testing.T) {
	f := newRunFixture(t, blockingModel)
	ctx, cancel := context.WithCancelCause(f.ctx)
	d, _, done := startBlocked(t, f, f.e, ctx, f.opts())
	cancel(Closed{What: "the console that ran it"})
	r := <-done
	var stopped *StoppedError
	if !errors.As(r.err, &stopped) {
		t.Fatalf("want a StoppedError, got %v", r.err)
	}
	want := fmt.Sprintf("the console that ran it was closed; ferry deploy resume %d goes on", d.ID)
	if note := f.state(d.ID).Steps[0].Note; note != "stopped: "+want {
		t.Errorf("the step's note: %q, want %q", note, "stopped: "+want)
	}
	wantEvent(t, f.events(d.ID), `stopped 1 "Waits" in attempt 1: `+want)
}
