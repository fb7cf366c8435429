package pages

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

const (
	// pollEvery is how often a live run view asks for new output and progress.
	pollEvery = 250 * time.Millisecond
	// keepLines bounds the log a run view holds: the newest lines only.
	keepLines = 2000
)

// runView follows one deployment's run: progress per stage, the step under way with
// a spinner and its elapsed time, and a log that follows new output. It starts,
// resumes, retries, cancels and approves when the person may. Long work (a run, a
// resume) runs in a tea.Cmd; the view polls the engine while something is live.
type runView struct {
	c        *common.Common
	id       int64
	st       engine.RunState
	approve  error    // why the person may not approve the waiting gate; nil: may
	reject   error    // why the person may not reject it; nil: may
	starting starting // a planned deployment's start: what it would break, who may override
	input    textinput.Model
	asking   asking // what the text field asks for, while it has focus
	about    string // what the answer is for or leads to, wrapped above the field
	loaded   bool
	lines    []models.OutputLine // the newest keepLines lines, oldest first
	lastID   int64
	vp       viewport.Model
	follow   bool
	logW     int     // the width the log was laid out for
	polling  bool    // a poll tick is on its way
	asked    int     // Refreshes asked for
	shown    int     // the newest Refresh whose answer is shown
	running  bool    // a run, resume or retry started here is under way
	working  bool    // an action (cancel, approve) is under way
	confirm  confirm // a question y answers, while it is asked
	frame    int     // spinner frame
	w, h     int
	keys     struct{ Start, Cancel, Retry, Approve, Reject, Fail, Rollback, Checklist, Follow, Yes, No key.Binding }
	goOnLoad bool // opened by g on the deployment's page: start once loaded, as g here does
}

// runLoadedMsg carries what a run view loads: the run state and new output.
type runLoadedMsg struct {
	view engine.DeploymentView
	err  error
	seq  int // which Refresh asked: an older one's answer, come late, is not shown over a newer one's
}

// runPollMsg is a run view's poll tick.
type runPollMsg struct{}

// runDoneMsg says an act a view started ended: a run, resume or retry, or a tick,
// an approval, a cancel... (whose outcome may hold the run it carried on).
type runDoneMsg struct {
	what string
	res  engine.Outcome
	err  error
}

// actCmd does an act in the background and reports its outcome.
func actCmd(act func() (engine.Outcome, error)) tea.Cmd {
	return func() tea.Msg {
		res, err := act()
		return runDoneMsg{what: res.Did, res: res, err: err}
	}
}

func newRunView(c *common.Common, id int64) *runView {
	v := &runView{c: c, id: id, follow: true,
		vp: viewport.New(viewport.WithWidth(80), viewport.WithHeight(10))}
	v.keys.Start = key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "run"))
	v.keys.Cancel = key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "cancel"))
	v.keys.Retry = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry step"))
	v.keys.Approve = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "approve"))
	v.keys.Reject = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "reject"))
	v.keys.Fail = key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "fail"))
	v.keys.Rollback = key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "roll back"))
	// As on the deployment: c is its checklist, X cancels it.
	v.keys.Checklist = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "checklist"))
	v.input = components.NewInput(c.Styles, "", "")
	v.keys.Follow = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "follow"))
	v.keys.Yes = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes, run it again"))
	v.keys.No = key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "no"))
	return v
}

// stageShort shortens a stage's title to 11 cells, as the dashboard's states read.
var stageShort = strings.NewReplacer("components", "comp", "environment", "env", "deployment", "depl")

func (v *runView) Title() string   { return fmt.Sprintf("run #%d", v.id) }
func (v *runView) Capturing() bool { return v.input.Focused() || v.confirm.asking() }

// Restyle takes the session's styles again (the terminal said its background).
func (v *runView) Restyle() { v.input.SetStyles(components.InputStyles(v.c.Styles)) }

func (v *runView) ShortHelp() []common.Key {
	on, off := common.On, common.OffFor
	if v.confirm.asking() {
		return []common.Key{on(v.keys.Yes), on(v.keys.No)}
	}
	if v.input.Focused() {
		return []common.Key{on(key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save"))),
			on(key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")))}
	}
	start := off(v.keys.Start, v.whyNot(engine.ActRun, v.startState()))
	start.SetHelp("g", v.startWord())
	follow := on(v.keys.Follow)
	if v.follow {
		follow.Off = "the log follows the output already"
	}
	return []common.Key{on(v.c.Keys.Back), start, off(v.keys.Approve, v.whyNot(engine.ActApprove, v.approveState())),
		off(v.keys.Reject, v.whyNot(engine.ActReject, v.rejectState())),
		off(v.keys.Retry, v.whyNot(engine.ActRun, v.retryState())),
		off(v.keys.Fail, v.whyNoFail(false, v.failState())),
		off(v.keys.Rollback, v.whyNoFail(true, v.rollbackState())), off(v.keys.Checklist, v.whyNoChecklist()),
		off(v.keys.Cancel, v.whyNoCancel()), follow,
		on(v.c.Keys.Up), on(v.c.Keys.Down)}
}

func (v *runView) FullHelp() [][]common.Key { return [][]common.Key{v.ShortHelp()} }

// whyNoChecklist: the checklist of the stage under way, as on the deployment.
func (v *runView) whyNoChecklist() string {
	if !v.loaded {
		return loading
	}
	runs := make([]models.StepRun, len(v.st.Steps))
	for i, s := range v.st.Steps {
		runs[i] = s.StepRun
	}
	return whyNoChecklist(v.id, v.st.Deployment.Status, runs)
}

// whyNot is why the person may not do a now: the view is loading, the engine does
// not let them, or a run is under way; else state, the reason the deployment's
// state gives ("" when there is none).
func (v *runView) whyNot(a engine.Action, state string) string {
	return v.whyRefused(engine.Can(v.c.Actor, a, &v.st.Deployment), state)
}

// whyNoFail is whyNot for failing the deployment (rollback: rolling it back), in the
// engine's words for that act (engine.MayFail).
func (v *runView) whyNoFail(rollback bool, state string) string {
	return v.whyRefused(engine.MayFail(v.c.Actor, v.st.Deployment, rollback), state)
}

// whyRefused is whyNot with the engine's answer on the person's act given.
func (v *runView) whyRefused(refused error, state string) string {
	switch {
	case !v.loaded:
		return loading
	case refused != nil:
		return refused.Error()
	case v.running || v.working || v.st.Runner != nil:
		return fmt.Sprintf("#%d is running", v.id)
	}
	return state
}

// startState: a run starts a planned deployment that is in no open conflict (the
// engine refuses the others), or resumes one that waits for nobody.
func (v *runView) startState() string {
	d := v.st.Deployment
	switch {
	case d.Status.Final():
		return fmt.Sprintf("#%d %s", d.ID, d.Status.Phrase())
	case d.Status == models.StatusPlanned:
		return v.starting.why(v.c.Actor, d.ID)
	case v.st.Waiting != nil && v.st.Waiting.Kind != engine.WaitInterrupted:
		return v.st.Waiting.Message // a run would stop again at once
	}
	return ""
}

func (v *runView) startWord() string {
	if v.st.Deployment.Status == models.StatusPlanned {
		if v.starting.needsReason() {
			return "run anyway"
		}
		return "run"
	}
	return "resume"
}

// approveState: a gate waits, and the engine says whether this person may approve it.
func (v *runView) approveState() string { return v.gateState(v.approve) }

// rejectState: a gate waits, and the engine says whether this person may reject it.
func (v *runView) rejectState() string { return v.gateState(v.reject) }

// gateState is why a gate act is off: no gate waits, or the engine's refusal (may).
func (v *runView) gateState(may error) string {
	if w := v.st.Waiting; w == nil || w.Kind != engine.WaitApproval {
		return fmt.Sprintf("#%d waits at no gate now", v.id)
	}
	return common.Why(may)
}

func (v *runView) retryState() string {
	if _, ok := v.retryStep(); !ok {
		return "no failed or interrupted step to retry in this stage"
	}
	return ""
}

func (v *runView) whyNoCancel() string {
	switch {
	case !v.loaded:
		return loading
	case v.working:
		return "a change is being saved"
	}
	return whyNoCancel(v.c, v.st.Deployment)
}

// failState: only a deployment under way fails; one not started is cancelled.
func (v *runView) failState() string {
	d := v.st.Deployment
	switch {
	case d.Status.Final():
		return fmt.Sprintf("#%d %s", d.ID, d.Status.Phrase())
	case d.Status == models.StatusPlanned:
		return fmt.Sprintf("#%d has not started: X cancels it", d.ID)
	}
	return ""
}

// rollbackState: failing runs the stage's on-failure steps first when it has some.
func (v *runView) rollbackState() string {
	if why := v.failState(); why != "" {
		return why
	}
	if len(v.rollbackSteps()) == 0 {
		return fmt.Sprintf("%s has no on-failure steps: F fails it", v.st.Deployment.Status.Stage().Title())
	}
	return ""
}

// rollbackSteps names the on-failure steps of the stage under way.
func (v *runView) rollbackSteps() []string {
	var names []string
	for _, s := range v.st.OnFailure {
		if s.Step.Stage == v.st.Deployment.Status.Stage() {
			names = append(names, strconv.Quote(s.Step.Name))
		}
	}
	return names
}

// retryStep is the failed or interrupted automated step of the current stage that r
// runs again.
func (v *runView) retryStep() (int, bool) {
	d := v.st.Deployment
	for _, s := range v.st.Steps {
		if d.Status.Stage() != "" && s.Step.Stage == d.Status.Stage() && s.Step.Kind == models.StepAutomated &&
			(s.Status == models.StepFailed || s.Status == models.StepInterrupted) {
			return s.Seq, true
		}
	}
	return 0, false
}

func (v *runView) SetSize(w, h int) {
	v.w, v.h = w, h
	v.layout()
}

// Refresh loads the run state and the output written since the last line it holds,
// and for a planned deployment what its start would break.
func (v *runView) Refresh() tea.Cmd {
	v.asked++
	c, id, after, ours, seq := v.c, v.id, v.lastID, v.running, v.asked
	return func() tea.Msg {
		if !ours { // a runner elsewhere that died shows as interrupted, not running forever
			if _, err := c.Eng.RecoverRun(c.Ctx, id); err != nil {
				return runLoadedMsg{err: err}
			}
		}
		f := models.OutputFilter{AfterID: after, Limit: keepLines, Tail: after == 0}
		dv, err := c.Eng.View(c.Ctx, c.Actor, id, engine.ViewRequest{Output: &f})
		common.Clean(&dv) // stored text is shown, never obeyed
		return runLoadedMsg{view: dv, err: err, seq: seq}
	}
}

// live: a runner works on the deployment, here or elsewhere: poll quickly.
func (v *runView) live() bool { return v.running || v.st.Runner != nil }

func (v *runView) poll() tea.Cmd {
	if v.polling || !v.live() {
		return nil
	}
	v.polling = true
	return tea.Tick(pollEvery, func(time.Time) tea.Msg { return runPollMsg{} })
}

// Update handles msg, then lays the view out again: a question or a text field may
// have come or gone above the log.
func (v *runView) Update(msg tea.Msg) tea.Cmd {
	cmd := v.update(msg)
	v.layout()
	return cmd
}

func (v *runView) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case runLoadedMsg:
		if msg.err != nil && !v.loaded {
			return tea.Batch(common.Back, common.Fail(msg.err))
		}
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		if msg.seq < v.shown { // a poll's answer overtaken by the one after the run ended
			return nil
		}
		v.shown = msg.seq
		v.st, v.approve, v.reject, v.loaded = msg.view.Run, msg.view.Approve, msg.view.Reject, true
		v.starting.load(msg.view)
		v.add(msg.view.Output)
		v.layout()
		if v.goOnLoad {
			v.goOnLoad = false
			// Refused, it says why, as g pressed here does: the run view opened on
			// "not started" and said nothing until g was pressed again.
			if why := v.whyNot(engine.ActRun, v.startState()); why != "" {
				return tea.Batch(v.poll(), common.Fail(errors.New(why)))
			}
			return tea.Batch(v.poll(), v.key(tea.KeyPressMsg{Code: 'g', Text: "g"}))
		}
		return v.poll()
	case runPollMsg:
		v.polling = false
		v.frame++
		return v.Refresh()
	case runDoneMsg:
		v.running, v.working = false, false
		return tea.Batch(runOutcome(v.c, v.id, msg), v.Refresh())
	case tea.KeyPressMsg:
		return v.key(msg)
	}
	return nil
}

func (v *runView) key(msg tea.KeyPressMsg) tea.Cmd {
	if v.input.Focused() {
		return v.inputKey(msg)
	}
	if v.confirm.asking() {
		return v.confirm.answer(msg, v.keys.Yes)
	}
	switch {
	case !v.loaded:
		return nil
	case key.Matches(msg, v.keys.Checklist):
		if v.whyNoChecklist() != "" {
			return nil
		}
		return common.Push(NewChecklist(v.c, v.id))
	case key.Matches(msg, v.keys.Follow):
		v.follow = true
		v.vp.GotoBottom()
		return nil
	case key.Matches(msg, v.keys.Start):
		if v.whyNot(engine.ActRun, v.startState()) != "" {
			return nil
		}
		if v.st.Deployment.Status == models.StatusPlanned {
			if v.starting.needsReason() {
				return v.ask(askOverride, "run anyway, because: ", "why it cannot wait (kept on the record)"+
					instead(v.c.Actor, v.starting.breaks))
			}
			return v.runPlanned("")
		}
		return v.askAgain(func() tea.Cmd {
			return v.start("resume", func(c *common.Common) (engine.Outcome, error) {
				return c.Eng.Resume(c.Runs(), c.Actor, v.id)
			})
		})
	case key.Matches(msg, v.keys.Retry):
		seq, ok := v.retryStep()
		if !ok || v.whyNot(engine.ActRun, "") != "" {
			return nil
		}
		return v.askAgain(func() tea.Cmd {
			return v.start(fmt.Sprintf("retry from step %d", seq), func(c *common.Common) (engine.Outcome, error) {
				return c.Eng.Retry(c.Runs(), c.Actor, v.id, seq)
			})
		})
	case key.Matches(msg, v.keys.Cancel):
		if v.whyNoCancel() != "" {
			return nil
		}
		return v.ask(askCancel, "cancel, because: ", "why it stops here (kept on the record; cancelling is final)")
	case key.Matches(msg, v.keys.Fail):
		if v.whyNoFail(false, v.failState()) != "" {
			return nil
		}
		about := "why it fails (kept on the record); it ends failed"
		if names := v.rollbackSteps(); len(names) > 0 {
			about += " without running " + strings.Join(names, ", ") + " (R does)"
		}
		return v.ask(askFail, "fail, because: ", about)
	case key.Matches(msg, v.keys.Rollback):
		if v.whyNoFail(true, v.rollbackState()) != "" {
			return nil
		}
		return v.ask(askRollback, "roll back, because: ", "why it fails (kept on the record); then "+
			strings.Join(v.rollbackSteps(), ", ")+" run, and it ends rolled back if they pass")
	case key.Matches(msg, v.keys.Approve):
		if v.whyNot(engine.ActApprove, v.approveState()) != "" {
			return nil
		}
		return v.ask(askApprove, "approve; note: ", approveAbout(v.st))
	case key.Matches(msg, v.keys.Reject):
		if v.whyNot(engine.ActReject, v.rejectState()) != "" {
			return nil
		}
		return v.ask(askReject, "reject, because: ", engine.RejectHint(v.st))
	}
	// Anything else scrolls the log; scrolling away from the end stops following.
	var cmd tea.Cmd
	v.vp, cmd = v.vp.Update(msg)
	v.follow = v.vp.AtBottom()
	return cmd
}

// runPlanned starts the planned deployment and runs it; override is a manager's
// reason to start against its controls ("" for none).
func (v *runView) runPlanned(override string) tea.Cmd {
	return v.start("run", func(c *common.Common) (engine.Outcome, error) {
		return c.Eng.Run(c.Runs(), c.Actor, v.id, engine.RunOptions{OverrideReason: override})
	})
}

// ask opens the text field for an override's or a rejection's reason.
func (v *runView) ask(what asking, prompt, about string) tea.Cmd {
	v.asking, v.about = what, about
	v.input.Prompt, v.input.Placeholder = prompt, ""
	v.input.SetValue("")
	v.input.SetWidth(max(10, v.w-len(prompt)-4))
	return v.input.Focus()
}

func (v *runView) inputKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		v.input.Blur()
		return nil
	case "enter":
		text := strings.TrimSpace(v.input.Value())
		if text == "" && v.asking != askApprove {
			return common.Fail(errors.New(v.asking.need()))
		}
		v.input.Blur()
		switch v.asking {
		case askApprove:
			v.working = true
			return approveCmd(v.c, v.id, text)
		case askOverride:
			return v.runPlanned(text)
		case askFail, askRollback:
			rollback := v.asking == askRollback
			what := map[bool]string{false: "fail", true: "roll back"}[rollback]
			return v.start(what, func(c *common.Common) (engine.Outcome, error) {
				return c.Eng.Fail(c.Runs(), c.Actor, v.id, text, rollback)
			})
		}
		v.working = true
		c, id := v.c, v.id
		if v.asking == askCancel {
			return actCmd(func() (engine.Outcome, error) { return c.Eng.Cancel(c.Ctx, c.Actor, id, text) })
		}
		return actCmd(func() (engine.Outcome, error) { return c.Eng.RejectGate(c.Runs(), c.Actor, id, text) })
	}
	var cmd tea.Cmd
	v.input, cmd = v.input.Update(msg)
	return cmd
}

// askAgain asks before an interrupted step runs again, since it may have done part
// of its work (a migration half applied); anything else goes on at once.
func (v *runView) askAgain(run func() tea.Cmd) tea.Cmd {
	w := v.st.Waiting
	if w == nil || w.Kind != engine.WaitInterrupted {
		return run()
	}
	v.confirm.ask(fmt.Sprintf("Step %d %q was interrupted and may have partly run. Run it again? y/n", w.Seq, w.Step.Name), run)
	return nil
}

// start runs the deployment in a Cmd and polls its progress meanwhile.
func (v *runView) start(what string, run func(*common.Common) (engine.Outcome, error)) tea.Cmd {
	v.running = true
	c := v.c
	return tea.Batch(common.NoteAs("▸", fmt.Sprintf("#%d: %s under way…", v.id, what)), func() tea.Msg {
		res, err := run(c)
		return runDoneMsg{what: what, res: res, err: err}
	}, v.poll())
}

// runOutcome tells what a run did, in the footer: someone else runs it (follow its
// output), conflicts refused the start (open the resolve panel), where it stopped.
func runOutcome(c *common.Common, id int64, msg runDoneMsg) tea.Cmd {
	var busy *engine.BusyError
	var refused *engine.StartRefusedError
	var stopped *engine.StoppedError
	switch {
	case errors.As(msg.err, &busy):
		return common.NoteAs("▸", fmt.Sprintf("#%d is run by %s on %s (process %d): following its output", id,
			busy.Lease.Actor, busy.Lease.Host, busy.Lease.PID))
	case errors.As(msg.err, &refused) && len(refused.Breaks) == len(refused.Conflicts):
		return tea.Batch(common.Push(NewResolve(c, id)), common.Fail(fmt.Errorf("#%d cannot start: %d open conflict%s", id,
			len(refused.Conflicts), common.Plural(len(refused.Conflicts)))))
	case errors.As(msg.err, &refused):
		return common.Fail(errors.New(refusedText(c.Actor, id, refused.Breaks)))
	case errors.As(msg.err, &stopped):
		return common.NoteAs("!", fmt.Sprintf("the run of #%d stopped: %v", id, stopped.Cause))
	case msg.err != nil:
		return common.Fail(msg.err)
	case msg.res.Did != "" && !msg.res.Carried:
		return common.Note(fmt.Sprintf("#%d: %s", id, msg.res.Did))
	case msg.res.Waiting != nil:
		return common.NoteAs("◷", fmt.Sprintf("#%d %swaits: %s", id, didThen(msg.res), msg.res.Waiting.Message))
	}
	// Marked with its status's glyph: a failure is not confirmed with a ✓.
	out := fmt.Sprintf("#%d %s%s", id, didThen(msg.res), strings.ReplaceAll(msg.res.Result(), "_", " "))
	if msg.res.Failure != "" {
		out += ": " + msg.res.Failure
	}
	return common.NoteAs(common.StatusMark(msg.res.Deployment.Status), out)
}

// didThen is what an act did before the run it carried on, for a footer note.
func didThen(res engine.Outcome) string {
	if res.Did == "" {
		return ""
	}
	return res.Did + ", then "
}

// approveCmd approves the gate deployment id waits at; the engine carries the run
// on after it. The prompt that asked for the note named the optional items it leaves
// (approveAbout), so enter there said to leave them.
func approveCmd(c *common.Common, id int64, note string) tea.Cmd {
	o := engine.RunOptions{SkipOptional: true}
	return actCmd(func() (engine.Outcome, error) { return c.Eng.ApproveGate(c.Runs(), c.Actor, id, note, o) })
}

// approveAbout says, above the note asked with an approval, what enter does: one key
// passed a production gate before, with no word on the record.
func approveAbout(st engine.RunState) string {
	what := "the gate"
	if w := st.Waiting; w != nil && w.Kind == engine.WaitApproval {
		what = fmt.Sprintf("gate %d %q", w.Seq, w.Step.Name)
	}
	about := fmt.Sprintf("enter approves %s of #%d, with the note if you write one (kept on the record); esc leaves it waiting",
		what, st.Deployment.ID)
	if w := st.Waiting; w != nil && w.Kind == engine.WaitApproval {
		if left := engine.SkippedByTick(st, w.Seq); len(left) > 0 {
			about += ". It moves the run on: " + engine.LeftBehindText(st, left)
		}
	}
	return about
}

// add appends new output lines, dropping the oldest beyond keepLines.
func (v *runView) add(lines []models.OutputLine) {
	n := 0
	for _, l := range lines {
		if l.ID > v.lastID {
			v.lines = append(v.lines, l)
			v.lastID = l.ID
			n++
		}
	}
	if extra := len(v.lines) - keepLines; extra > 0 {
		copy(v.lines, v.lines[extra:])
		v.lines = v.lines[:keepLines]
	}
	if n > 0 || v.vp.TotalLineCount() == 0 {
		v.setLog()
	}
}

func (v *runView) setLog() {
	st := v.c.Styles
	v.logW = v.w
	if len(v.lines) == 0 { // wrapped, not cut: a phone lost "…are in the rec"
		var out []string
		for _, l := range common.Wrap(strings.TrimSpace(v.noOutput()), max(10, v.w-2)) {
			out = append(out, st.Dim.Render(" "+l))
		}
		v.vp.SetContentLines(out)
		return
	}
	out := make([]string, 0, len(v.lines))
	width := max(10, v.w-5)
	tried := triedAgain(v.lines)
	for i, l := range v.lines {
		// Each attempt of a step tried again starts under a rule, the first too: its
		// attempts do not run together.
		if tried[l.Seq] && (i == 0 || l.Seq != v.lines[i-1].Seq || l.Attempt != v.lines[i-1].Attempt) {
			rule := fmt.Sprintf("    ── step %d, attempt %d%s ", l.Seq, l.Attempt, v.attemptNote(l.Seq, l.Attempt))
			out = append(out, st.Dim.Render(rule+strings.Repeat("─", max(0, width+5-lipgloss.Width(rule)))))
		}
		mark := st.Dim.Render(fmt.Sprintf("%3d ", l.Seq))
		style := lipgloss.NewStyle()
		if l.Stream == models.StreamErr {
			// Marked as deploy logs and the step's output mark it, so that it reads as
			// an error without colour too (NO_COLOR).
			mark, style = st.Warn.Render(fmt.Sprintf("%3d!", l.Seq)), st.Warn
		}
		// Wrapped, not cut: the end of a failing command's line is often its reason.
		for j, part := range common.Wrap(strings.ReplaceAll(l.Text, "\t", "    "), width) {
			if j > 0 {
				mark = "    "
			}
			out = append(out, mark+style.Render(part))
		}
	}
	v.vp.SetContentLines(out)
	if v.follow {
		v.vp.GotoBottom()
	}
}

// triedAgain says which steps have lines of more than one attempt.
func triedAgain(lines []models.OutputLine) map[int]bool {
	first := map[int]int{}
	out := map[int]bool{}
	for _, l := range lines {
		if a, ok := first[l.Seq]; !ok {
			first[l.Seq] = l.Attempt
		} else if a != l.Attempt {
			out[l.Seq] = true
		}
	}
	return out
}

// noOutput is what the log says before it has a line: a step that runs may yet
// print; a deployment of people's steps alone has none; otherwise nothing printed.
func (v *runView) noOutput() string {
	if v.stepRunning() {
		return " no output yet"
	}
	if v.st.OutputNotKept() {
		return " no output kept: its automated steps' results are in the record"
	}
	for _, s := range slices.Concat(v.st.Steps, v.st.OnFailure) {
		if s.Step.Kind == models.StepAutomated {
			return " no output: no automated step printed anything"
		}
	}
	return " no output: its steps are all people's (checklist items and gates)"
}

// stepRunning reports whether one of its steps runs now.
func (v *runView) stepRunning() bool {
	return slices.ContainsFunc(slices.Concat(v.st.Steps, v.st.OnFailure),
		func(s engine.StepState) bool { return s.Status == models.StepRunning })
}

// attemptNote is how attempt n of step seq ended, for its rule: "interrupted",
// "failed"; "" while it runs or when it succeeded.
func (v *runView) attemptNote(seq, n int) string {
	for _, s := range slices.Concat(v.st.Steps, v.st.OnFailure) {
		if s.Seq != seq {
			continue
		}
		for _, a := range s.Attempts {
			if a.Attempt == n && a.Status != models.StepDone && a.Status != models.StepRunning {
				return " (" + string(a.Status) + ")"
			}
		}
	}
	return ""
}

// head is everything above the log, as lines.
func (v *runView) head() []string {
	st, d := v.c.Styles, v.st.Deployment
	title := fmt.Sprintf(" %s %s %s → %s", st.Bold.Render(fmt.Sprintf("#%d", d.ID)), d.Component, d.Version,
		st.Bold.Render(d.Environment))
	status := st.RunStatus(d.Status, v.st.Waiting != nil && v.st.Waiting.Kind == engine.WaitInterrupted)
	out := []string{title + "  " + status}
	if lipgloss.Width(out[0]) > v.w { // the status gets a line of its own
		out = []string{common.Fit(title, v.w), " " + status}
	}
	narrow := v.w < 90
	var row []string
	for i, p := range v.st.Stages {
		name, wname := p.Stage.Title(), 19
		if narrow { // one way for all four: "Verify comp" beside "Execute", not "components"
			name, wname = stageShort.Replace(name), 11
		}
		mark := "  "
		switch {
		case p.Current:
			mark = st.Warn.Render("▸ ")
			name = st.Bold.Render(common.Fit(name, wname))
		case p.Failed > 0: // where the run ended: its bar alone read as work still to do
			mark = st.Bad.Render("✗ ")
			name = st.Bad.Render(common.Fit(name, wname))
		default:
			name = common.Fit(name, wname)
		}
		bar := common.Progress(p.Done, p.Total)
		switch {
		case p.Total == 0:
			bar = st.Dim.Render(common.Fit("no steps", lipgloss.Width(bar)))
		case p.Failed > 0:
			bar = st.Bad.Render(bar)
		case p.Done == p.Total:
			bar = st.Good.Render(bar)
		}
		row = append(row, mark+name+" "+bar)
		if !narrow || i%2 == 1 || i == len(v.st.Stages)-1 {
			out = append(out, common.Fit(" "+strings.Join(row, "  "), v.w))
			row = nil
		}
	}
	out = append(out, v.now()...)
	if v.confirm.asking() {
		out = append(out, v.confirm.lines(st, v.w)...)
	}
	if v.input.Focused() {
		if v.asking == askOverride { // what is being overridden, whole: it is what the reason answers
			for _, l := range common.Hanging(" against ", engine.BreaksFor(v.c.Actor, v.starting.breaks), v.w) {
				out = append(out, st.Warn.Render(l))
			}
		}
		if v.about != "" { // what the answer is for or leads to, whole
			for _, l := range common.Hanging(" ", v.about, v.w) {
				out = append(out, st.Dim.Render(l))
			}
		}
		for _, l := range components.InputLines(st, v.input) {
			out = append(out, " "+l)
		}
	}
	label := " output "
	switch {
	case !v.follow:
		label = " output · paused (f follows) "
	case v.stepRunning():
		label = " output · following "
	}
	if len(v.lines) >= keepLines {
		label += fmt.Sprintf("· last %d lines ", keepLines)
	}
	out = append(out, st.Border.Render("──")+st.Dim.Render(label)+st.Border.Render(strings.Repeat("─", max(0, v.w-2-lipgloss.Width(label)))))
	return out
}

// now says what is happening: the step under way, what it waits for, or the end.
func (v *runView) now() []string {
	st, d := v.c.Styles, v.st.Deployment
	line := func(s string) string { return common.Fit(" "+s, v.w) }
	for i, list := range [][]engine.StepState{v.st.Steps, v.st.OnFailure} {
		for _, s := range list {
			if s.Status != models.StepRunning {
				continue
			}
			spin := spinner.MiniDot.Frames[v.frame%len(spinner.MiniDot.Frames)]
			elapsed := ""
			if a, ok := s.Last(); ok && !a.StartedAt.IsZero() {
				elapsed = st.Dim.Render("  " + time.Since(a.StartedAt).Round(time.Second).String())
			}
			rb := ""
			if i == 1 {
				rb = st.Bad.Render(" rollback")
			}
			return []string{line(st.Warn.Render(spin) + fmt.Sprintf(" %d %s", s.Seq, s.Step.Name) + rb + elapsed)}
		}
	}
	var who string
	if r := v.st.Runner; r != nil {
		who = st.Dim.Render(fmt.Sprintf("run by %s on %s (pid %d)", r.Actor, r.Host, r.PID))
	}
	switch {
	case v.running || v.st.Runner != nil:
		spin := spinner.MiniDot.Frames[v.frame%len(spinner.MiniDot.Frames)]
		return []string{line(st.Warn.Render(spin) + " running " + who)}
	case d.Status == models.StatusPlanned:
		out := []string{line(st.Dim.Render("not started"))}
		// Why it may not start, whole, to one who may not start it anyway: the
		// footer cut it on a phone before its ways on.
		if why := v.starting.why(v.c.Actor, d.ID); why != "" {
			for _, l := range common.Hanging(" ", why, v.w) {
				out = append(out, st.Warn.Render(l))
			}
		}
		return out
	case d.Status.Final():
		return []string{line(st.StatusWord(d.Status) + st.Dim.Render("  "+v.c.At(d.FinishedAt)))}
	case v.st.Waiting != nil:
		w := v.st.Waiting
		// The message says who may approve a gate, once; the footer offers a and x
		// to those who may.
		return common.Hanging(" "+st.Warn.Render("⏸ "), w.Message, v.w)
	}
	return []string{line(st.Dim.Render("idle · nobody runs it"))}
}

// layout gives the log what the head leaves.
func (v *runView) layout() {
	if !v.loaded {
		return
	}
	v.vp.SetWidth(v.w)
	v.vp.SetHeight(max(1, v.h-len(v.head())))
	if v.logW != v.w {
		v.setLog()
	}
	if v.follow {
		v.vp.GotoBottom()
	}
}

func (v *runView) View() string {
	if !v.loaded {
		return v.c.Styles.Dim.Render(fmt.Sprintf(" loading #%d…", v.id))
	}
	lines := v.head()
	for i, l := range lines {
		lines[i] = common.Fit(l, v.w)
	}
	return strings.Join(lines, "\n") + "\n" + v.vp.View()
}

// Unmoved: a character for a full field changes nothing (see common.Unmoved).
func (v *runView) Unmoved(msg tea.Msg) bool { return components.InputFull(v.input, msg) }
