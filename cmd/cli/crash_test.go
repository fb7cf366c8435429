//go:build linux

package cli_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startSlowRun starts 'deploy run' of a slow deployment and returns the running ferry
// and the pid of the sleep its step started, once the step's output says so.
func startSlowRun(t *testing.T, f *fixture, id string) (*exec.Cmd, int) {
	t.Helper()
	cmd := exec.Command(ferryBin, "--config", f.cfg, "--db", f.db, "--as", "sam", "deploy", "run", id)
	cmd.Dir = f.dir
	cmd.Env = cleanEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(time.Minute)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("the step never printed its child:\n%s", out.String())
		}
		r := f.ferry("--as", "ana", "deploy", "logs", id, "--step", "1")
		if m := childLine.FindStringSubmatch(r.stdout); m != nil {
			pid, _ := strconv.Atoi(m[1])
			return cmd, pid
		}
	}
}

// When a runner is killed, what its step started dies with it: no ferry command has
// to run for the sleep to go (it used to live on under init until a run command
// noticed). deploy show and deploy list then say the step was interrupted.
func TestAKilledRunnerLeavesNothingRunning(t *testing.T) {
	t.Parallel()
	f := runFixture(t)
	id := f.planModel("slow", "web-frontend")
	cmd, pid := startSlowRun(t, f, id)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if !goneWithin(pid, 10*time.Second) {
		t.Errorf("the sleep %d the killed runner's step started is still running", pid)
	}

	show := f.ok("--as", "eve", "deploy", "show", id).stdout
	if !strings.Contains(show, "executing, interrupted") || !strings.Contains(show, "[?]") {
		t.Errorf("deploy show should say the step was interrupted:\n%s", show)
	}
	list := f.ok("--as", "eve", "deploy", "list").stdout
	if !strings.Contains(list, "executing, interrupted") {
		t.Errorf("deploy list should say the deployment was interrupted:\n%s", list)
	}
	// The environment matrix says so too, in the same words (it said the stored name).
	if where := f.ok("--as", "eve", "where").stdout; !strings.Contains(where, "executing, interrupted #"+id) {
		t.Errorf("where should say the deployment was interrupted:\n%s", where)
	}
	// It waits in a manager's inbox, its way on under its text, not under its kind.
	inbox := f.ok("--as", "ana", "inbox").stdout
	if !strings.Contains(inbox, "interrupted #"+id+" step 1") || !strings.Contains(inbox, "\n            ferry deploy resume "+id) {
		t.Errorf("the inbox's interrupted item:\n%s", inbox)
	}
	// Each way on it names is a command that runs: its retry read "deploy retry ID 1",
	// which the command line refused. eve may not retry: refused for that, not for
	// its words.
	for _, way := range regexp.MustCompile(`deploy (?:retry|fail) [^,)]*`).FindAllString(inbox, -1) {
		args := append([]string{"--as", "eve"}, strings.Fields(strings.ReplaceAll(way, " R", " lost"))...)
		if r := f.ferry(args...); r.code != 1 || !strings.Contains(r.stderr, "eve (analyst) may not") {
			t.Errorf("the inbox's way on %q does not run:\n%s", way, r)
		}
	}
}

// SIGTERM stops a server as it stops the CLI: the step its scheduler was running is
// recorded stopped (not left running for the next ferry to find), and what the step
// started is ended.
func TestStoppingServeStopsItsRuns(t *testing.T) {
	t.Parallel()
	f := runFixture(t)
	d := f.plan("--model", "slow", "--component", "web-frontend", "--version", "1.0", "--env", "dev", "--start", "now")
	id := strconv.FormatInt(d.ID, 10)
	s := f.serve("--schedule-every", "1s")
	pid := 0
	deadline := time.Now().Add(time.Minute)
	for pid == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the scheduler did not start #%s:\n%s", id, s.stderr())
		}
		if m := childLine.FindStringSubmatch(f.ferry("--as", "ana", "deploy", "logs", id, "--step", "1").stdout); m != nil {
			pid, _ = strconv.Atoi(m[1])
		}
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.exited:
		if err != nil {
			t.Fatalf("ferry serve after SIGTERM: %v\n%s", err, s.stderr())
		}
	case <-time.After(time.Minute):
		t.Fatalf("ferry serve did not stop:\n%s", s.stderr())
	}
	if !goneWithin(pid, 10*time.Second) {
		t.Errorf("the sleep %d of the server's run is still running", pid)
	}
	// Recorded stopped by the server itself, not found interrupted by the next ferry.
	st := f.steps(id)[0]
	if st.Status != "interrupted" || !strings.HasPrefix(st.Note, "stopped") {
		t.Errorf("step after the server stopped: %+v, want it recorded stopped\n%s", st, s.stderr())
	}
}

// A demo killed half way leaves no database that passes for a demo history (it
// used to leave part of one, which the next demo refused as "already has N
// deployments"); the next demo starts again and finishes.
func TestAKilledDemoLeavesNoHalfHistory(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.cfg = repoConfig
	f.db = filepath.Join(f.dir, "demo.db")
	cmd := exec.Command(ferryBin, "--config", f.cfg, "--db", f.db, "demo", "--deployments", "400000")
	cmd.Dir = f.dir
	cmd.Env = cleanEnv()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	// Kill it once some batches are written, wherever it writes them.
	written := func() int64 {
		var n int64
		for _, p := range []string{f.db, f.db + "-wal", f.db + ".demo-partial", f.db + ".demo-partial-wal"} {
			if st, err := os.Stat(p); err == nil {
				n += st.Size()
			}
		}
		return n
	}
	deadline := time.Now().Add(2 * time.Minute)
	for written() < 8<<20 {
		if time.Now().After(deadline) {
			t.Fatal("the demo wrote nothing in two minutes")
		}
		time.Sleep(20 * time.Millisecond) // between looks at the files
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if _, err := os.Stat(f.db); err == nil {
		t.Errorf("a killed demo left %s, a half history", f.db)
	}
	r := f.ok("demo", "--deployments", "300")
	if !strings.Contains(r.stdout, "300 deployments") {
		t.Errorf("the demo after the killed one:\n%s", r)
	}
	if n := len(f.list("--limit", "1000")); n != 300 {
		t.Errorf("after the rerun there are %d deployments, want 300", n)
	}
	if left, _ := filepath.Glob(f.db + ".demo-partial*"); len(left) != 0 {
		t.Errorf("files left by the killed demo: %v", left)
	}
}

// SIGTERM (what timeout sends) stops a demo while it calibrates its history: ferry
// exits of itself, as a refusal, and leaves neither a database nor the partial file
// (a big demo used to calibrate on, for an hour once, before it looked at the signal).
func TestATerminatedDemoStopsAndLeavesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.cfg = repoConfig
	f.db = filepath.Join(f.dir, "demo.db")
	cmd := exec.Command(ferryBin, "--config", f.cfg, "--db", f.db, "demo", "--deployments", "2000000")
	cmd.Dir = f.dir
	cmd.Env = cleanEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// The partial file is there once the demo stored its models; the calibration follows.
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := os.Stat(f.db + ".demo-partial"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the demo made no partial file in a minute")
		}
		time.Sleep(10 * time.Millisecond) // between looks at the files
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("a terminated demo should exit 1 of itself, got %v\n%s", err, stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatalf("the demo did not stop in a minute after SIGTERM\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "demo stopped (") || !strings.Contains(stderr.String(), "nothing was kept") {
		t.Errorf("stderr of the terminated demo:\n%s", stderr.String())
	}
	if left, _ := filepath.Glob(f.db + "*"); len(left) != 0 {
		t.Errorf("files left by the terminated demo: %v", left)
	}
}
