//go:build unix

package cli_test

// Running deployments from the command line: the real binary (built in TestMain),
// real /bin/sh steps, a real SQLite file. The crash test kills a running ferry with
// SIGKILL and checks what the next ferry makes of it.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const runConfig = `
[ferry]
timezone = "UTC"
identity = "trust"
# These tests are about running: each plan has a day of its own years ahead, and is
# started now. (The start window is tested in controls_test.go.)
start_tolerance = "100000h"

[[environment]]
name = "dev"
order = 1
capacity = 10
variables = { TIER = "dev" }

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
name = "raj"
roles = ["technician"]

[[person]]
name = "eve"
roles = ["analyst"]

[[service]]
name = "web"
  [[service.component]]
  name = "web-frontend"
  kind = "software"
  [[service.component]]
  name = "rack-1"
  kind = "hardware"

[[model]]
name = "auto"
kinds = ["software"]
path = ["dev"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "echo rolling out $FERRY_COMPONENT $FERRY_VERSION to $FERRY_ENV tier $TIER; echo a warning >&2"

[[model]]
name = "broken"
kinds = ["software"]
path = ["dev"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "echo half way; exit 4"
  [[model.on_failure]]
  stage = "execute"
  name = "Roll back"
  run = "echo rolled back"

[[model]]
name = "slow"
kinds = ["software"]
path = ["dev"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Long roll out"
  run = "echo started; if [ -e resume-is-quick ]; then echo quick; exit 0; fi; sleep 60 & echo child $!; wait; echo finished"

[[model]]
name = "fifo"
kinds = ["software"]
path = ["dev"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Waits for the test"
  run = "echo ran >> ran.log; read line < gate.fifo"

[[model]]
name = "rack"
kinds = ["hardware"]
path = ["dev"]
default_duration = "4h"
  [[model.step]]
  stage = "verify_environment"
  name = "Power available"
  [[model.step]]
  stage = "verify_environment"
  name = "Photo of the empty slot"
  required = false
  [[model.step]]
  stage = "execute"
  name = "Go-live approval"
  gate = true
`

// runFixture is a fixture with runConfig.
func runFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	writeFile(t, f.cfg, runConfig)
	return f
}

// planDay gives every plan its own day, so plans never conflict.
var planDay atomic.Int64

// planModel plans component c with model m (as ana), each plan on its own day.
func (f *fixture) planModel(m, c string, more ...string) string {
	f.t.Helper()
	day := int(planDay.Add(1))
	start := time.Date(2031, 1, 1, 10, 0, 0, 0, time.UTC).AddDate(0, 0, day).Format("2006-01-02 15:04")
	d := f.plan(append([]string{"--model", m, "--component", c, "--version", "1.0", "--env", "dev", "--start", start}, more...)...)
	return strconv.FormatInt(d.ID, 10)
}

type runOut struct {
	Deployment deployment `json:"deployment"`
	Outcome    string     `json:"outcome"`
	Failure    string     `json:"failure"`
	Waiting    *struct {
		Kind      string   `json:"kind"`
		Seq       int      `json:"seq"`
		Step      string   `json:"step"`
		Approvers []string `json:"approvers"`
		Message   string   `json:"message"`
		Next      []string `json:"next"`
	} `json:"waiting"`
}

type stepOut struct {
	Seq      int    `json:"seq"`
	Status   string `json:"status"`
	Actor    string `json:"actor"`
	Note     string `json:"note"`
	ExitCode *int   `json:"exit_code"`
}

func (f *fixture) steps(id string) []stepOut {
	f.t.Helper()
	var d struct {
		Steps []stepOut `json:"steps"`
	}
	decode(f.t, f.ok("--as", "ana", "deploy", "show", id, "--json"), &d)
	return d.Steps
}

func TestRunExitCodesAndOutput(t *testing.T) {
	t.Parallel()
	f := runFixture(t)
	ok := f.planModel("auto", "web-frontend")
	r := f.ok("--as", "sam", "deploy", "run", ok, "--follow")
	for _, want := range []string{"→ executing", `▸ step 1 "Roll out"`, "rolling out web-frontend 1.0 to dev tier dev",
		"! a warning", `✓ 1 "Roll out" done`, "succeeded."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("want %q in the output:\n%s", want, r)
		}
	}
	if st := f.steps(ok)[0]; st.Status != "done" || st.ExitCode == nil || *st.ExitCode != 0 || st.Actor != "sam" {
		t.Errorf("step after the run: %+v", st)
	}
	logs := f.ok("--as", "eve", "deploy", "logs", ok) // analysts read logs
	if !strings.Contains(logs.stdout, `── step 1 "Roll out", attempt 1 ──`) || !strings.Contains(logs.stdout, "! a warning") {
		t.Errorf("logs:\n%s", logs)
	}
	// stdout and stderr are read side by side: their lines keep their own order.
	if r := f.ok("--as", "eve", "deploy", "logs", ok, "--step", "1"); len(strings.Split(r.stdout, "\n")) != 3 ||
		!strings.Contains(r.stdout, "rolling out web-frontend 1.0 to dev tier dev\n") || !strings.Contains(r.stdout, "a warning\n") {
		t.Errorf("logs of one step are the plain lines:\n%s", r)
	}
	f.refused(1, []string{"--attempt 2: step 1 of #" + ok + " has 1 attempt"}, "--as", "eve", "deploy", "logs", ok, "--step", "1", "--attempt", "2")
	f.refused(1, []string{"#" + ok + " has succeeded; there is nothing to run"}, "--as", "sam", "deploy", "run", ok)
	f.refused(1, []string{`step 1 "Roll out" is an automated step, not a checklist item`}, "--as", "sam", "step", "tick", ok, "1")
	f.refused(1, []string{"deployment #" + ok + " has succeeded; only planned deployments can be rescheduled"},
		"--as", "ana", "deploy", "reschedule", ok, "--start", "2030-12-01 10:00")
	// One who may move nothing is told so first, whatever the deployment's state.
	role := "eve (analyst) may not reschedule deployment #" + ok + ": analysts have read-only access"
	f.refused(1, []string{role}, "--as", "eve", "deploy", "reschedule", ok, "--start", "2030-12-01 10:00")
	f.refused(1, []string{role}, "--as", "eve", "deploy", "reschedule", ok, "--suggested")
	f.refused(1, []string{role}, "--as", "eve", "deploy", "suggest", ok)
	f.refused(1, []string{"deployment #" + ok + " has succeeded; only planned deployments can move"}, "--as", "ana", "deploy", "suggest", ok)

	bad := f.planModel("broken", "web-frontend")
	r = f.ferry("--as", "sam", "deploy", "run", bad, "--json")
	var out runOut
	decode(t, r, &out)
	if r.code != 1 || out.Outcome != "rolled_back" || !strings.Contains(out.Failure, "exit 4") || !strings.Contains(out.Failure, `ran "Roll back"`) {
		t.Errorf("a failed step with a rollback, want exit 1 and rolled_back:\n%s", r)
	}
	// Planning that version there again says how its last deployment there ended.
	r = f.ok("--as", "ana", "deploy", "plan", "--model", "broken", "--component", "web-frontend", "--version", "1.0",
		"--env", "dev", "--start", "2032-06-01 10:00", "--dry-run")
	if !strings.Contains(r.stdout, "Note: 1.0 was rolled back in dev on ") || !strings.Contains(r.stdout, "(#"+bad+")") {
		t.Errorf("a plan of a version rolled back there:\n%s", r)
	}
	if r := f.ok("--as", "ana", "deploy", "logs", bad, "--step", "2"); r.stdout != "rolled back\n" {
		t.Errorf("the on-failure step's output is step 2:\n%s", r)
	}
	// Its record shows the rollback that ran, as step 2, in text and as JSON.
	if r := f.ok("--as", "ana", "deploy", "show", bad); !regexp.MustCompile(`On failure.*\n  2  \[✓\]  after Execute  Roll back`).MatchString(r.stdout) {
		t.Errorf("deploy show lacks the on-failure step that ran:\n%s", r)
	} else if !regexp.MustCompile(`(?m)^  status +rolled back$`).MatchString(r.stdout) {
		t.Errorf("deploy show's status is in words:\n%s", r)
	}
	var shown struct {
		OnFailure []struct {
			Seq    int    `json:"seq"`
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"on_failure"`
	}
	decode(t, f.ok("--as", "ana", "deploy", "show", bad, "--json"), &shown)
	if len(shown.OnFailure) != 1 || shown.OnFailure[0].Seq != 2 || shown.OnFailure[0].Name != "Roll back" || shown.OnFailure[0].Status != "done" {
		t.Errorf("deploy show --json on_failure: %+v", shown.OnFailure)
	}

	hw := f.planModel("rack", "rack-1", "--assignee", "raj")
	r = f.ferry("--as", "raj", "deploy", "run", hw)
	if r.code != 3 || !strings.Contains(r.stdout, "waiting for a person") || !strings.Contains(r.stdout, "ferry step tick "+hw+" 1") {
		t.Fatalf("a checklist item, want exit 3 and what to do:\n%s", r)
	}
	f.refused(1, []string{"eve", "may not"}, "--as", "eve", "step", "tick", hw, "1")
	f.refused(1, []string{"not a checklist item"}, "--as", "raj", "step", "tick", hw, "3")
	f.ok("--as", "raj", "step", "block", hw, "1", "--reason", "PDU B dead")
	f.refused(1, []string{"is blocked (PDU B dead): unblock it first"}, "--as", "raj", "step", "tick", hw, "1")
	r = f.ferry("--as", "raj", "deploy", "resume", hw)
	if r.code != 3 || !strings.Contains(r.stdout, "is blocked: PDU B dead") || !strings.Contains(r.stdout, "ferry step unblock "+hw+" 1") {
		t.Errorf("a blocked item:\n%s", r)
	}
	f.ok("--as", "raj", "step", "unblock", hw, "1", "--note", "replaced")
	f.ok("--as", "raj", "step", "note", hw, "1", "photos in the ticket")
	// Ticking the last required item would leave the optional photo behind, skipped:
	// refused, naming it, until the technician says to leave it.
	f.refused(1, []string{`optional item 2 "Photo of the empty slot"`, "--skip-optional"},
		"--as", "raj", "step", "tick", hw, "1", "--note", "both feeds live")
	f.ok("--as", "raj", "step", "tick", hw, "1", "--note", "both feeds live", "--skip-optional")
	r = f.ferry("--as", "raj", "deploy", "resume", hw, "--json")
	decode(t, r, &out)
	if r.code != 3 || out.Waiting == nil || out.Waiting.Kind != "approval" || strings.Join(out.Waiting.Approvers, ",") != "marc" {
		t.Fatalf("a gate, want exit 3 and marc as the approver (ana requested it):\n%s", r)
	}
	f.refused(1, []string{"self-approval"}, "--as", "ana", "gate", "approve", hw)
	f.refused(1, []string{"sam", "only a manager"}, "--as", "sam", "gate", "approve", hw)
	// The approval carries the run on by itself, to the end.
	if r := f.ok("--as", "marc", "gate", "approve", hw, "--note", "go"); !strings.Contains(r.stdout, `approved 3 "Go-live approval": go`) ||
		!strings.Contains(r.stdout, "the run carries on") || !strings.Contains(r.stdout, "succeeded") {
		t.Errorf("approve:\n%s", r)
	}
	d := f.show(mustID(t, hw))
	if d.Status != "succeeded" {
		t.Errorf("status %s", d.Status)
	}
	// The photo left undone counts as done, and is said: it is not "all done".
	if show := f.ok("--as", "eve", "deploy", "show", hw).stdout; !regexp.MustCompile(`\nSteps \((\d+)/(\d+) incl. 1 skipped\)\n`).MatchString(show) {
		t.Errorf("deploy show should count the skipped item apart:\n%s", show)
	}
	var record []string
	for _, e := range d.Events {
		record = append(record, e.Actor+" "+e.Type+" "+e.Detail)
	}
	all := strings.Join(record, "\n")
	for _, want := range []string{`raj step blocked 1 "Power available": PDU B dead`, `raj step unblocked 1 "Power available": replaced`,
		`raj note note on 1 "Power available": photos in the ticket`, `raj step ticked 1 "Power available": both feeds live`,
		`marc step approved 3 "Go-live approval": go`} {
		if !strings.Contains(all, want) {
			t.Errorf("want %q in the record:\n%s", want, all)
		}
	}
}

func mustID(t *testing.T, s string) int64 {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Naming someone else as requester does not let the person who planned a deployment
// approve its gate: separation of duties is judged against both.
func TestPlannerMayNotApproveTheirGate(t *testing.T) {
	f := runFixture(t)
	writeFile(t, f.cfg, runConfig+`
[[model]]
name = "release"
kinds = ["software"]
path = ["dev"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Release approved"
  gate = true
  roles = ["manager", "practitioner"]
`)
	r := f.ok("--as", "sam", "deploy", "plan", "--json", "--model", "release", "--component", "web-frontend",
		"--version", "1.0", "--env", "dev", "--start", "2031-06-01 10:00", "--requester", "ana")
	var d deployment
	decode(t, r, &d)
	id := strconv.FormatInt(d.ID, 10)
	if r := f.ferry("--as", "sam", "deploy", "run", id); r.code != 3 {
		t.Fatalf("want a wait for the gate (exit 3):\n%s", r)
	}
	f.refused(1, []string{"sam planned deployment #" + id, "requested by ana", "self-approval"},
		"--as", "sam", "gate", "approve", id)
	if r := f.ok("--as", "ana", "deploy", "show", id); !regexp.MustCompile(`planned by\s+sam`).MatchString(r.stdout) {
		t.Errorf("deploy show should say who planned it:\n%s", r)
	}
	f.ok("--as", "marc", "gate", "approve", id)
}

func TestRunUsageErrors(t *testing.T) {
	t.Parallel()
	f := runFixture(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"deploy", "run"}, "needs one deployment ID"},
		{[]string{"deploy", "run", "x"}, "is not a deployment ID"},
		{[]string{"deploy", "retry", "1"}, "from-step"},
		{[]string{"deploy", "retry", "1", "--from-step", "0"}, "--from-step"},
		{[]string{"deploy", "fail", "1"}, "--reason"},
		{[]string{"deploy", "logs", "1", "--attempt", "2"}, "--attempt needs --step"},
		{[]string{"deploy", "logs", "1", "--step", "0"}, "--step: 0 is not a step number"},
		{[]string{"deploy", "logs", "1", "--step", "1", "--attempt", "0"}, "--attempt: 0 is not an attempt number"},
		{[]string{"step", "tick", "1"}, "a deployment ID and a step number"},
		{[]string{"step", "tick", "1", "first"}, `"first" is not a step number`},
		{[]string{"step", "block", "1", "1"}, "--reason"},
		{[]string{"step", "note", "1", "1", " "}, "the note is empty"},
		{[]string{"gate", "approve"}, "needs one deployment ID"},
		{[]string{"run-due", "now"}, "takes no arguments"},
	} {
		f.refused(2, []string{c.want}, c.args...)
	}
	f.refused(1, []string{"#99"}, "--as", "ana", "deploy", "run", "99")
}

var childLine = regexp.MustCompile(`child (\d+)`)

// TestCrashRecovery kills a running ferry with SIGKILL in the middle of a step. The
// next ferry marks the step interrupted, keeps its output, stops the process the step
// left, and waits for a person to decide; resume runs the step again.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	f := runFixture(t)
	id := f.planModel("slow", "web-frontend")
	cmd := exec.Command(ferryBin, "--config", f.cfg, "--db", f.db, "--as", "sam", "deploy", "run", id)
	cmd.Dir = f.dir
	cmd.Env = cleanEnv()
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the step's output is in the database: it runs.
	pid := 0
	deadline := time.Now().Add(time.Minute)
	for pid == 0 {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the step never printed its child:\n%s", stdout.String())
		}
		var d struct {
			Steps []stepOut `json:"steps"`
		}
		decode(t, f.ok("--as", "ana", "deploy", "show", id, "--json"), &d)
		if d.Steps[0].Status != "running" {
			continue
		}
		r := f.ferry("--as", "ana", "deploy", "logs", id, "--step", "1")
		if m := childLine.FindStringSubmatch(r.stdout); m != nil {
			pid, _ = strconv.Atoi(m[1])
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	// The next ferry finds the step without a runner.
	r := f.ferry("--as", "sam", "deploy", "run", id)
	if r.code != 3 || !strings.Contains(r.stderr, `step 1 "Long roll out" of #`+id+" was interrupted") ||
		!strings.Contains(r.stdout, "was interrupted") || !strings.Contains(r.stdout, "ferry deploy resume "+id) ||
		!strings.Contains(r.stdout, "ferry deploy retry "+id+" --from-step 1") {
		t.Fatalf("after the crash, want exit 3 and the choices:\n%s", r)
	}
	if !goneWithin(pid, 5*time.Second) {
		t.Errorf("the sleep %d the killed run left was not stopped", pid)
	}
	st := f.steps(id)[0]
	if st.Status != "interrupted" || !strings.Contains(st.Note, "is gone") {
		t.Errorf("step after recovery: %+v", st)
	}
	logs := f.ok("--as", "ana", "deploy", "logs", id, "--step", "1").stdout
	if !strings.HasPrefix(logs, "started\nchild ") || strings.Contains(logs, "finished") {
		t.Errorf("the partial output should be kept:\n%s", logs)
	}
	d := f.show(mustID(t, id))
	if d.Status != "executing" {
		t.Errorf("status %s", d.Status)
	}
	found := false
	for _, e := range d.Events {
		found = found || (e.Actor == "ferry" && strings.Contains(e.Detail, `interrupted 1 "Long roll out" in attempt 1`) &&
			strings.Contains(e.Detail, "lines of output kept"))
	}
	if !found {
		t.Errorf("the record should say the step was interrupted: %+v", d.Events)
	}
	// Nothing ran twice by itself: one attempt so far. Resume runs it again.
	writeFile(t, filepath.Join(f.dir, "resume-is-quick"), "")
	r = f.ok("--as", "sam", "deploy", "resume", id)
	if !strings.Contains(r.stdout, "succeeded.") {
		t.Errorf("resume:\n%s", r)
	}
	logs = f.ok("--as", "ana", "deploy", "logs", id).stdout
	if !strings.Contains(logs, `── step 1 "Long roll out", attempt 1 ──`) || !strings.Contains(logs, `── step 1 "Long roll out", attempt 2 ──`) ||
		!strings.Contains(logs, "quick") {
		t.Errorf("both attempts' output:\n%s", logs)
	}
	if r := f.ok("--as", "ana", "deploy", "logs", id, "--step", "1", "--attempt", "2"); r.stdout != "started\nquick\n" {
		t.Errorf("attempt 2:\n%s", r)
	}
}

// processGone reports whether pid has exited (a zombie nobody reaped has).
// goneWithin polls processGone until the deadline: a SIGKILL is delivered
// asynchronously, and on a loaded machine the process may still be there a moment
// after the signal was sent.
func goneWithin(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for !processGone(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond) // between polls of the condition
	}
	return true
}

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

// Two ferry processes run the same deployment at once: one runs it, the other is
// refused.
func TestTwoProcessesRace(t *testing.T) {
	t.Parallel()
	f := runFixture(t)
	id := f.planModel("fifo", "web-frontend")
	fifo := filepath.Join(f.dir, "gate.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	type exit struct {
		code   int
		output string
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	exits := make(chan exit, 2)
	for range 2 {
		cmd := exec.CommandContext(ctx, ferryBin, "--config", f.cfg, "--db", f.db, "--as", "sam", "deploy", "run", id)
		cmd.Dir, cmd.Env = f.dir, cleanEnv()
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			err := cmd.Wait()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			exits <- exit{code, out.String()}
		}()
	}
	first := <-exits // the winner waits on the FIFO until the test writes to it
	if first.code != 1 || !strings.Contains(first.output, "is already being run by sam") {
		t.Fatalf("the second runner should be refused (exit 1):\n%s", first.output)
	}
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(w, "go")
	w.Close()
	second := <-exits
	if second.code != 0 || !strings.Contains(second.output, "succeeded.") {
		t.Fatalf("the runner that won, want exit 0:\n%s", second.output)
	}
	if b, _ := os.ReadFile(filepath.Join(f.dir, "ran.log")); string(b) != "ran\n" {
		t.Errorf("the step ran %q", b)
	}
}

func TestRunDueCommand(t *testing.T) {
	t.Parallel()
	f := runFixture(t)
	due := f.plan("--model", "auto", "--component", "web-frontend", "--version", "1.0", "--env", "dev", "--start", "now")
	hw := f.plan("--model", "rack", "--component", "rack-1", "--version", "1.0", "--env", "dev", "--start", "now")
	// An analyst may run nothing: refused, though something is due, and it stays due.
	f.refused(1, []string{"eve (analyst) may not run deployments"}, "--as", "eve", "run-due")
	r := f.ok("--as", "sam", "run-due")
	if !strings.Contains(r.stdout, fmt.Sprintf("#%d web-frontend 1.0 → dev: succeeded.", due.ID)) ||
		!strings.Contains(r.stdout, fmt.Sprintf("#%d skipped", hw.ID)) {
		t.Errorf("run-due:\n%s", r)
	}
	if r := f.ok("--as", "sam", "run-due"); !strings.Contains(r.stdout, fmt.Sprintf("#%d skipped", hw.ID)) {
		t.Errorf("run-due again:\n%s", r)
	}
	f.refused(1, []string{"eve"}, "--as", "eve", "deploy", "run", strconv.FormatInt(hw.ID, 10))
}

// deploy show's record says a status event in words, as the console's deployment
// page does ("planned → verifying components"); --json keeps the stored text.
func TestDeployShowSaysStatusesInWords(t *testing.T) {
	t.Parallel()
	f := runFixture(t)
	id := f.planModel("auto", "web-frontend")
	f.ok("--as", "sam", "deploy", "run", id)
	_, record, _ := strings.Cut(f.ok("--as", "sam", "deploy", "show", id).stdout, "\nRecord\n")
	if !strings.Contains(record, "planned → verifying components") || strings.Contains(record, "verifying_components") {
		t.Fatalf("the record should say the statuses in words:\n%s", record)
	}
	if js := f.ok("--as", "sam", "deploy", "show", id, "--json").stdout; !strings.Contains(js, "planned → verifying_components") {
		t.Errorf("the JSON should keep the stored text:\n%s", js)
	}
}
