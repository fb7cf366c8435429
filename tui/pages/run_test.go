//go:build unix

package pages_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"ferry/engine"
	"ferry/engine/config"
	"ferry/internal/fixture"
	"ferry/models"
	"ferry/tui"
	"ferry/tui/common"
	"ferry/tui/internal/tuitest"
	"ferry/tui/pages"
)

// runConfig is a tiny organisation whose model runs real commands: "print" prints two
// lines; "stream" prints numbered lines until a file named stop appears.
const runConfig = `
[ferry]
timezone = "UTC"
# Deployments here start days before their window: these tests are about the console.
start_tolerance = "100000h"

[[environment]]
name = "dev"
order = 1
capacity = 20

[[person]]
name = "ana"
roles = ["manager"]

[[person]]
name = "sam"
roles = ["practitioner"]

[[service]]
name = "shop"
  [[service.component]]
  name = "api"
  kind = "software"

[[model]]
name = "print"
kinds = ["software"]
path = ["dev"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Print"
  run = "printf 'one\\ntwo\\n'"

[[model]]
name = "broken"
kinds = ["software"]
path = ["dev"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Break"
  run = "echo no space left >&2; exit 3"

[[model]]
name = "gated"
kinds = ["software"]
path = ["dev"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Go ahead"
  gate = true
  [[model.step]]
  stage = "execute"
  name = "Print"
  run = "echo rolled out"
  [[model.on_failure]]
  stage = "execute"
  name = "Put back"
  run = "echo put back"

[[model]]
name = "stream"
kinds = ["software"]
path = ["dev"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Stream"
  run = "i=0; while [ ! -e stop ]; do i=$((i+1)); echo line $i; sleep 0.01; done; echo finished"
`

// newRunCommon opens the tiny organisation in a temp directory (where commands run)
// and plans deployment #1 of model as ana, for actor.
func newRunCommon(t *testing.T, actor, model string) (*common.Common, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "ferry.toml")
	cfg, err := config.Parse(path, []byte(runConfig))
	if err != nil {
		t.Fatal(err)
	}
	eng := fixture.Open(t, filepath.Join(dir, "ferry.db"), cfg)
	ana, _ := eng.Person("ana")
	if _, _, err := eng.Plan(ctx, ana, engine.PlanRequest{Model: model, Component: "api", Version: "1.0",
		Environment: "dev", Start: time.Now().Add(time.Hour), Duration: time.Hour, Assignee: "sam"}); err != nil {
		t.Fatal(err)
	}
	p, err := eng.Person(actor)
	if err != nil {
		t.Fatal(err)
	}
	return common.New(ctx, eng, p), dir
}

func openRunView(t *testing.T, m *Model, id int64) {
	t.Helper()
	_, cmd := m.Update(common.PushMsg{Page: pages.NewDetail(m.c, id)})
	load(m, cmd)
	press(m, "r")
	if got := screenText(m); !strings.Contains(got, "run #") {
		t.Fatalf("r should open the run view of #%d:\n%s", id, got)
	}
}

func TestRunViewShowsOutputOfAFinishedRun(t *testing.T) {
	t.Parallel()
	c, _ := newRunCommon(t, "sam", "print")
	if _, err := c.Eng.Run(c.Ctx, c.Actor, 1, engine.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{120, 35}, {60, 20}} {
		m := New(c)
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		openRunView(t, m, 1)
		got := screenText(m)
		for _, want := range []string{"#1 api 1.0 → dev", "✓ succeeded", "▓▓▓▓▓ 1/1", "one", "two", "── output ──"} {
			if !strings.Contains(got, want) {
				t.Errorf("%dx%d: the run view lacks %q:\n%s", size[0], size[1], want, got)
			}
		}
		if strings.Contains(got, "following") { // nothing runs: there is nothing to follow
			t.Errorf("%dx%d: a finished run's output says it is followed:\n%s", size[0], size[1], got)
		}
		if strings.Contains(got, "g run") || strings.Contains(got, "c cancel") {
			t.Errorf("a finished run offers nothing to start or cancel:\n%s", got)
		}
		fits(t, m, "run view", size[0], size[1])
		press(m, "esc")
		if got := screenText(m); !strings.Contains(got, "Incidents") {
			t.Fatalf("esc returns to the detail:\n%s", got)
		}
	}
}

// TestRunViewStartsAndRefuses: g runs a planned deployment (synchronously here) and
// the output shows; an analyst-less config has no read-only person, so a technician
// of the example organisation stands in: no g for someone else's deployment.
func TestRunViewStartsAndRefuses(t *testing.T) {
	t.Parallel()
	c, _ := newRunCommon(t, "sam", "print")
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	openRunView(t, m, 1)
	got := screenText(m)
	if !strings.Contains(got, "not started") || !strings.Contains(got, "g run") {
		t.Fatalf("a planned deployment offers g:\n%s", got)
	}
	press(m, "g")
	got = screenText(m)
	if !strings.Contains(got, "two") || !strings.Contains(got, "succeeded") {
		t.Fatalf("after g:\n%s", got)
	}
	fits(t, m, "run view after g", 60, 20)

	m = sized(t, "kim", 120, 35) // an analyst of the example organisation
	openRunView(t, m, 1)
	if got := screenText(m); strings.Contains(got, "g run") || strings.Contains(got, "c cancel") {
		t.Fatalf("an analyst may not run or cancel:\n%s", got)
	}
	press(m, "g")
	if got := screenText(m); !strings.Contains(got, "may not run") {
		t.Fatalf("g should be refused with the reason:\n%s", got)
	}
}

func TestRunViewCancelAsksWhy(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	openRunView(t, m, 1) // the rack server, in its first stage
	fits(t, m, "rack run view", 60, 20)
	press(m, "X")
	if got := screenText(m); !strings.Contains(got, "cancel, because:") {
		t.Fatalf("X should ask why:\n%s", got)
	}
	fits(t, m, "run view asking why", 60, 20)
	press(m, "esc")
	if d, _ := m.c.Eng.RunState(m.c.Ctx, m.c.Actor, 1); d.Deployment.Status.Final() {
		t.Fatal("esc must not cancel")
	}
	press(m, "X", "enter")
	if d, _ := m.c.Eng.RunState(m.c.Ctx, m.c.Actor, 1); d.Deployment.Status.Final() {
		t.Fatal("no reason, no cancel")
	}
	if got := screenText(m); !strings.Contains(got, engine.NeedCancelReason) {
		t.Fatalf("an empty reason should be refused with a word:\n%s", got)
	}
	typeText(m, "the rack arrived damaged")
	press(m, "enter")
	d, _ := m.c.Eng.RunState(m.c.Ctx, m.c.Actor, 1)
	if d.Deployment.Status != models.StatusCancelled {
		t.Fatalf("enter with a reason should cancel: %s", d.Deployment.Status)
	}
	if got := screenText(m); !strings.Contains(got, "#1: cancelled") {
		t.Fatalf("after the reason:\n%s", got)
	}
	v, err := m.c.Eng.View(m.c.Ctx, m.c.Actor, 1, engine.ViewRequest{Record: true})
	if err != nil || !hasEvent(v.Detail.Events, "the rack arrived damaged") {
		t.Fatalf("the reason belongs on the record: %v %+v", err, v.Detail.Events)
	}
}

// A run that fails is told as a failure in the footer, with its status's glyph, not
// confirmed with a ✓; and a finished deployment is named in plain words.
func TestRunViewTellsAFailureAsOne(t *testing.T) {
	t.Parallel()
	c, _ := newRunCommon(t, "sam", "broken")
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	openRunView(t, m, 1)
	press(m, "g")
	got := screenText(m)
	if !strings.Contains(got, "✗ #1 failed") || strings.Contains(got, "✓ #1") {
		t.Fatalf("the footer after a failed run:\n%s", got)
	}
	// The stage it failed in is marked, in a glyph that reads without colour: its
	// bar alone ("░░░░░ 0/1") read as a stage still to come.
	if !regexp.MustCompile(`(?m)^ ✗ Execute +░`).MatchString(got) {
		t.Fatalf("the stage that failed should be marked ✗:\n%s", got)
	}
	// What the step wrote to standard error is marked, colour or not.
	if !strings.Contains(got, "1!no space left") {
		t.Fatalf("the step's standard error should be marked with !:\n%s", got)
	}
	press(m, "?")
	if got := screenText(m); !strings.Contains(got, "#1 has failed") {
		t.Fatalf("the full help says why g is off, in words:\n%s", got)
	}
}

// TestRunViewFollowsLiveOutput runs a real command through the program loop: the log
// follows its output; scrolling up stops following, f follows again.
func TestRunViewFollowsLiveOutput(t *testing.T) {
	t.Parallel()
	c, dir := newRunCommon(t, "sam", "stream")
	var mu sync.Mutex
	var shown string
	peek := func(m tea.Model, msg tea.Msg) tea.Msg {
		mu.Lock()
		shown = ansi.Strip(m.View().Content)
		mu.Unlock()
		return msg
	}
	// Built before the program runs: it restyles c from its own goroutine when the
	// colour profile arrives, and building a page from c meanwhile would race that.
	detail := pages.NewDetail(c, 1)
	tm := teatest.NewTestModel(t, tui.New(c), teatest.WithInitialTermSize(60, 20),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii), tea.WithFilter(peek),
			tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	screen := func() string {
		tm.Send(poke{})
		time.Sleep(10 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		return shown
	}
	waitFor := func(what string, ok func(string) bool) string {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			s := screen()
			if ok(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("the screen never showed %s; it shows:\n%s", what, s)
			}
		}
	}
	has := func(want string) string {
		t.Helper()
		return waitFor("“"+want+"”", func(s string) bool { return strings.Contains(s, want) })
	}
	press := func(k rune) { tm.Send(tea.KeyPressMsg{Code: k, Text: string(k)}) }
	has("Due today")
	tm.Send(common.PushMsg{Page: detail})
	has("Record")
	press('r')
	has("g run")
	press('g')
	// The log follows the command's output: its newest lines keep coming into view
	// (the command prints one every 10 ms, so any one number is on screen briefly).
	waitFor("line 40 or later", func(s string) bool {
		for _, m := range regexp.MustCompile(`line (\d+)`).FindAllStringSubmatch(s, -1) {
			if n, _ := strconv.Atoi(m[1]); n >= 40 {
				return true
			}
		}
		return false
	})
	has("output · following")
	press('k') // scrolling up stops following
	has("paused (f follows)")
	if err := os.WriteFile(filepath.Join(dir, "stop"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := has("succeeded")
	if strings.Contains(s, "finished") {
		t.Fatalf("a paused log must not jump to the end:\n%s", s)
	}
	press('f')
	s = has("finished")
	if strings.Contains(s, "paused") {
		t.Fatalf("f should follow again:\n%s", s)
	}
	for i, l := range strings.Split(s, "\n") {
		if w := ansi.StringWidth(l); w > 60 {
			t.Errorf("line %d is %d cells wide: %q", i, w, l)
		}
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestHelperRunner is not a test: TestRunViewShowsADeadRunnerAndAsksBeforeAgain runs
// the test binary as a separate ferry process with FERRY_HELPER_DIR set, to run #1
// there and be killed mid-step.
func TestHelperRunner(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("FERRY_HELPER_DIR")
	if dir == "" {
		t.Skip("a helper process for another test")
	}
	ctx := context.Background()
	cfg, err := config.Parse(filepath.Join(dir, "ferry.toml"), []byte(runConfig))
	if err != nil {
		t.Fatal(err)
	}
	eng := fixture.OpenDB(t, filepath.Join(dir, "ferry.db")).Engine(t, cfg)
	sam, _ := eng.Person("sam")
	_, err = eng.Run(ctx, sam, 1, engine.RunOptions{})
	t.Fatalf("the run should have been killed before it ended: %v", err)
}

// A runner that dies mid-step (another process, killed) shows as interrupted within
// a poll, not as a step running forever; g then asks before the step runs again,
// since it may have partly run.
func TestRunViewShowsADeadRunnerAndAsksBeforeAgain(t *testing.T) {
	t.Parallel()
	c, dir := newRunCommon(t, "sam", "stream")
	helper := exec.Command(os.Args[0], "-test.run=^TestHelperRunner$")
	helper.Dir, helper.Env = dir, append(os.Environ(), "FERRY_HELPER_DIR="+dir)
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	defer helper.Process.Kill()
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, err := c.Eng.View(c.Ctx, c.Actor, 1, engine.ViewRequest{})
		if err == nil && len(v.Run.Steps) > 0 && v.Run.Steps[0].Status == models.StepRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the helper never got the step running: %+v %v", v.Run.Steps, err)
		}
		time.Sleep(20 * time.Millisecond) // polling another process, not waiting for work here
	}
	if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()

	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	openRunView(t, m, 1)
	got := screenText(m)
	if !strings.Contains(got, "interrupted") || !strings.Contains(got, "g resume") {
		t.Fatalf("the dead runner's step should show interrupted, with g to resume:\n%s", got)
	}
	press(m, "g")
	if got := screenText(m); !strings.Contains(got, `"Stream" was interrupted and may have partly run`) {
		t.Fatalf("g on an interrupted step asks first:\n%s", got)
	}
	fits(t, m, "asking before running again", 60, 20)
	press(m, "n")
	if v, _ := c.Eng.View(c.Ctx, c.Actor, 1, engine.ViewRequest{}); len(v.Run.Steps[0].Attempts) != 1 {
		t.Fatalf("n must not run it again: %d attempts", len(v.Run.Steps[0].Attempts))
	}
	if err := os.WriteFile(filepath.Join(dir, "stop"), nil, 0o644); err != nil { // the next attempt ends at once
		t.Fatal(err)
	}
	press(m, "g", "y")
	v, _ := c.Eng.View(c.Ctx, c.Actor, 1, engine.ViewRequest{})
	if n := len(v.Run.Steps[0].Attempts); n != 2 || v.Run.Deployment.Status != models.StatusSucceeded {
		t.Fatalf("y runs it again: %d attempts, %s", n, v.Run.Deployment.Status)
	}
}

// At a gate the run view says once who may approve it, and offers the keys only to
// them.
func TestRunViewSaysOnceWhoMayApprove(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "marc")
	tom, _ := c.Eng.Person("tom")
	st, err := c.Eng.RunState(c.Ctx, tom, 1)
	if err != nil {
		t.Fatal(err)
	}
	for w := st.Waiting; w != nil && w.Kind == engine.WaitTick; {
		out, err := c.Eng.TickStep(c.Ctx, tom, 1, w.Seq, "")
		if err != nil {
			t.Fatal(err)
		}
		w = out.Waiting
	}
	for _, who := range []string{"marc", "sam"} {
		m := New(tuitest.Session(t, c.Eng, who))
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
		openRunView(t, m, 1)
		got := screenText(m)
		if n := strings.Count(got, "may approve") + strings.Count(got, "may be approved"); n != 1 ||
			!strings.Contains(got, "needs an approval by a manager; it may be approved by marc") {
			t.Errorf("%s: who may approve should be said once (%d mentions):\n%s", who, n, got)
		}
		if offered := strings.Contains(got, "a approve"); offered != (who == "marc") {
			t.Errorf("%s: a approves offered: %v\n%s", who, offered, got)
		}
	}
}

// c in the run view opens the checklist, as on the deployment; cancelling is X on both.
func TestRunViewOpensTheChecklist(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	openRunView(t, m, 1) // the rack server, its first stage a checklist
	if got := screenText(m); !strings.Contains(got, "c checklist") || !strings.Contains(got, "X cancel") {
		t.Fatalf("the run view should offer c checklist and X cancel:\n%s", got)
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'c', Text: "c"})
	load(m, cmd)
	if got := screenText(m); !strings.Contains(got, "checklist #1") || strings.Contains(got, "cancel, because") {
		t.Fatalf("c should open the checklist:\n%s", got)
	}
}

// TestRunViewFailsWithAReason: a deployment under way that will not go on (a rack
// that arrived broken, an interrupted step not to run again) is failed from the
// console, with its reason on the record; R, which would roll back first, says why
// it is off when the stage has no on-failure steps.
func TestRunViewFailsWithAReason(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	openRunView(t, m, 1) // the rack server, in its first stage
	press(m, "R")
	if got := screenText(m); strings.Contains(got, "roll back, because:") || !strings.Contains(got, "no on-failure steps") {
		t.Fatalf("R should say the stage has no rollback, not ask for one:\n%s", got)
	}
	press(m, "F")
	if got := screenText(m); !strings.Contains(got, "fail, because:") {
		t.Fatalf("F should ask why:\n%s", got)
	}
	fits(t, m, "run view asking why it fails", 60, 20)
	press(m, "enter")
	if d, _ := m.c.Eng.RunState(m.c.Ctx, m.c.Actor, 1); d.Deployment.Status.Final() {
		t.Fatal("no reason, no failure")
	}
	typeText(m, "rack arrived with a bent rail")
	press(m, "enter")
	d, _ := m.c.Eng.RunState(m.c.Ctx, m.c.Actor, 1)
	if d.Deployment.Status != models.StatusFailed {
		t.Fatalf("enter with a reason should fail it: %s", d.Deployment.Status)
	}
	if got := screenText(m); !strings.Contains(got, "✗ #1") {
		t.Fatalf("the footer after failing:\n%s", got)
	}
	v, err := m.c.Eng.View(m.c.Ctx, m.c.Actor, 1, engine.ViewRequest{Record: true})
	if err != nil || !hasEvent(v.Detail.Events, "rack arrived with a bent rail") {
		t.Fatalf("the reason belongs on the record: %v %+v", err, v.Detail.Events)
	}
	press(m, "F")
	if got := screenText(m); strings.Contains(got, "fail, because:") {
		t.Fatalf("a failed deployment does not fail again:\n%s", got)
	}
}

// TestRunViewRollsBack: R fails the stage under way with a reason and runs its
// on-failure steps, and the deployment ends rolled back.
func TestRunViewRollsBack(t *testing.T) {
	t.Parallel()
	c, _ := newRunCommon(t, "ana", "gated")
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	openRunView(t, m, 1)
	press(m, "g")
	if st, _ := c.Eng.RunState(c.Ctx, c.Actor, 1); st.Waiting == nil || st.Waiting.Kind != engine.WaitApproval {
		t.Fatalf("the run should wait at its gate: %+v", st.Waiting)
	}
	press(m, "R")
	if got := screenText(m); !strings.Contains(got, "roll back, because:") || !strings.Contains(got, `"Put back"`) {
		t.Fatalf("R should ask why, naming the steps it runs:\n%s", got)
	}
	typeText(m, "the supplier recalled this version")
	press(m, "enter")
	st, err := c.Eng.RunState(c.Ctx, c.Actor, 1)
	if err != nil || st.Deployment.Status != models.StatusRolledBack || st.OnFailure[0].Status != models.StepDone {
		t.Fatalf("R with a reason should roll back: %v %s %+v", err, st.Deployment.Status, st.OnFailure)
	}
}

// TestRunViewSaysWhyNoOutputWhole: a run with no output says why in words that wrap
// on a phone, not cut at its edge.
func TestRunViewSaysWhyNoOutputWhole(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	openRunView(t, m, 1) // tom's rack: checklist items and a gate, no command
	if got := screenText(m); !tuitest.Whole(got, "no output: its steps are all people's (checklist items and gates)") {
		t.Fatalf("the run view should say whole why it has no output:\n%s", got)
	}
}

// An analyst's F and R name the act they are refused, as the engine's refusal of
// 'deploy fail' does: "may not run deployment #1" answered a key that fails it.
func TestRunViewRefusesFailInItsWords(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 120, 35)
	openRunView(t, m, 1)
	for key, want := range map[string]string{"F": "kim (analyst) may not fail deployment #1", "R": "kim (analyst) may not roll back deployment #1"} {
		press(m, key)
		if got := strings.Join(strings.Fields(screenText(m)), " "); !strings.Contains(got, want) {
			t.Errorf("%s should say %q:\n%s", key, want, screenText(m))
		}
	}
	kim, _ := m.c.Eng.Person("kim")
	if _, err := m.c.Eng.Fail(m.c.Ctx, kim, 1, "broken", false); err == nil || !strings.Contains(err.Error(), "may not fail deployment #1") {
		t.Errorf("the engine's refusal: %v", err)
	}
}

// g on the page of a plan that may not start now opens its run view saying why, as
// g pressed there does: it said "not started", and nothing until g was pressed again.
func TestStartFromThePageSaysWhyNot(t *testing.T) {
	t.Parallel()
	m := sized(t, "sam", 120, 35)
	_, cmd := m.Update(common.PushMsg{Page: pages.NewDetail(m.c, 3)}) // planned, today 16:05
	load(m, cmd)
	press(m, "g")
	if got := strings.Join(strings.Fields(screenText(m)), " "); !strings.Contains(got, "run #3") ||
		!strings.Contains(got, "#3 cannot start now: window: it is planned for") {
		t.Fatalf("g should open the run view and say why it does not start:\n%s", screenText(m))
	}
}

// On a phone, why a plan may not start is in the run view whole, to one who may not
// start it anyway: the footer cut it before its ways on.
func TestRunViewSaysWhyNotWholeOnAPhone(t *testing.T) {
	t.Parallel()
	m := sized(t, "sam", 60, 20)
	openRunView(t, m, 3) // planned, today 16:05: its window has not opened
	got := strings.Join(strings.Fields(screenText(m)), " ")
	if !strings.Contains(got, "not started #3 cannot start now: window: it is planned for") || !strings.Contains(got, "ways on: move it (m on its page)") {
		t.Fatalf("the run view should say why, whole:\n%s", screenText(m))
	}
	fits(t, m, "run view of a plan that may not start", 60, 20)
}
