package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
	"ferry/models"
)

// runDeployCmds are the 'deploy' subcommands that run deployments and read their output.
func (a *app) runDeployCmds() []*cobra.Command {
	return []*cobra.Command{a.deployRunCmd(), a.deployResumeCmd(), a.deployRetryCmd(), a.deployFailCmd(), a.deployLogsCmd()}
}

// runCmds are the top-level commands for steps, gates and due deployments.
func (a *app) runCmds() []*cobra.Command {
	return []*cobra.Command{a.stepCmd(), a.gateCmd(), a.runDueCmd()}
}

// openRunner opens the engine and recovers steps whose runner died, saying so.
func (a *app) openRunner() error {
	if err := a.open(); err != nil {
		return err
	}
	if a.shared || a.st.ReadOnly() || a.recovered {
		// The server recovered at its start (its scheduler and runners go on); a
		// read-only database is shown as it stands, and its runs refused; opening
		// recovered already unless the database was too busy (then it waits here).
		return nil
	}
	rec, err := a.eng.RecoverInterrupted(a.ctx)
	a.sayRecovered(rec)
	return err
}

// sayRecovered tells on stderr which steps were found interrupted.
func (a *app) sayRecovered(rec []engine.Recovered) {
	for _, r := range rec {
		msg := fmt.Sprintf("ferry: step %d %q of #%d was interrupted (its runner stopped); %d line%s of output kept",
			r.Seq, r.Step, r.DeploymentID, r.Lines, models.Plural(int(r.Lines)))
		if r.Killed {
			msg += "; the processes it left were stopped"
		}
		fmt.Fprintln(a.stderr, msg)
	}
}

// runFlags are the flags every command that runs a deployment takes.
type runFlags struct {
	follow, json bool
}

func (f *runFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.follow, "follow", false, "print the steps' output as it arrives")
	cmd.Flags().BoolVar(&f.json, "json", false, "print the outcome as JSON (and no progress)")
}

func (a *app) deployRunCmd() *cobra.Command {
	var f runFlags
	var override string
	cmd := &cobra.Command{
		Use:   "run ID [--follow] [--json]",
		Short: "Run a deployment as far as it can go",
		Long: "Run a deployment from where it stands: start it if it is planned, run its automated\n" +
			"steps stage by stage, and stop when a person is needed (a checklist item, a gate,\n" +
			"a blocked item, an interrupted step). When a required step fails, the stage's\n" +
			"on-failure steps run (rollback).\n\n" +
			"A planned deployment starts only inside its window (from [ferry] start_tolerance before\n" +
			"it), outside its environment's freezes, inside a required maintenance window, and in\n" +
			"no open conflict; a manager may start it anyway with --override-reason, which is kept\n" +
			"on its record and counted in the reports.\n\n" +
			"Exit status: 0 succeeded; 1 failed, rolled back, cancelled or refused;\n" +
			"3 waiting for a person (the output says for what and the command to go on).",
		Args: exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("override-reason") && strings.TrimSpace(override) == "" {
				return usagef("--override-reason: say why it starts against its controls (kept on its record)")
			}
			return a.runDeployment(args[0], f, func(id int64, o engine.RunOptions) (engine.Outcome, error) {
				o.OverrideReason = override
				return a.eng.Run(a.ctx, a.actor, id, o)
			})
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&override, "override-reason", "", "a manager's reason to start it against its window, a freeze, "+
		"a maintenance window or its conflicts")
	return cmd
}

func (a *app) deployResumeCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "resume ID [--follow] [--json]",
		Short: "Go on with a deployment after a tick, an approval or an interruption",
		Long: "Resume a deployment that waited for a person or whose run was interrupted. An\n" +
			"interrupted step runs again (as a new attempt; the first attempt's output is kept).\n" +
			"Exit status as for 'deploy run'.",
		Args: exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runDeployment(args[0], f, func(id int64, o engine.RunOptions) (engine.Outcome, error) {
				return a.eng.Resume(a.ctx, a.actor, id, o)
			})
		},
	}
	f.add(cmd)
	return cmd
}

func (a *app) deployRetryCmd() *cobra.Command {
	var f runFlags
	var from int
	cmd := &cobra.Command{
		Use:   "retry ID --from-step N [--follow] [--json]",
		Short: "Run the current stage's automated steps again from step N",
		Long: "Set the automated steps of the current stage from step N on back to pending and run\n" +
			"the deployment again from there. Ticks and approvals stay. Exit status as for 'deploy run'.",
		Args: exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if from < 1 {
				return usagef("--from-step: a step number (1 or more) is needed")
			}
			return a.runDeployment(args[0], f, func(id int64, o engine.RunOptions) (engine.Outcome, error) {
				return a.eng.Retry(a.ctx, a.actor, id, from, o)
			})
		},
	}
	cmd.Flags().IntVar(&from, "from-step", 0, "the step to run again from (required)")
	_ = cmd.MarkFlagRequired("from-step")
	f.add(cmd)
	return cmd
}

func (a *app) deployFailCmd() *cobra.Command {
	var f runFlags
	var reason string
	var rollback bool
	cmd := &cobra.Command{
		Use:   "fail ID --reason R [--rollback]",
		Short: "End a started deployment as failed (e.g. after an interrupted step)",
		Long: "End a started deployment as failed, with the reason in its record. With --rollback\n" +
			"the current stage's on-failure steps run first, and it ends rolled_back when they succeed.\n" +
			"Exit status: 1 (it failed or rolled back), or 3 when an on-failure step needs a decision.",
		Args: exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return usagef("--reason: %s", engine.NeedFailReason)
			}
			return a.runDeployment(args[0], f, func(id int64, o engine.RunOptions) (engine.Outcome, error) {
				return a.eng.Fail(a.ctx, a.actor, id, reason, rollback, o)
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (required, kept in the record)")
	cmd.Flags().BoolVar(&rollback, "rollback", false, "run the current stage's on-failure steps first")
	f.add(cmd)
	return cmd
}

// runDeployment opens the engine, runs fn with progress printed, and ends with the
// outcome's exit status.
func (a *app) runDeployment(arg string, f runFlags, fn func(int64, engine.RunOptions) (engine.Outcome, error)) error {
	id, err := parseID(arg)
	if err != nil {
		return err
	}
	out, w, err := a.carry(id, f, func(o engine.RunOptions) (engine.Outcome, error) { return fn(id, o) })
	if err != nil {
		return err
	}
	return a.finishRun(w, out, f.json)
}

// carry opens the runner and calls fn with the run's progress (and with --follow its
// output) printed as it goes, and says how to go on when the runner was stopped.
func (a *app) carry(id int64, f runFlags, fn func(engine.RunOptions) (engine.Outcome, error)) (engine.Outcome, io.Writer, error) {
	if err := a.openRunner(); err != nil {
		return engine.Outcome{}, nil, err
	}
	w := &lockedWriter{w: a.stdout}
	var opts engine.RunOptions
	if !f.json {
		opts.OnProgress = func(p engine.Progress) { a.printProgress(w, p) }
		if f.follow {
			opts.OnOutput = func(l models.OutputLine) { printLine(w, l, "    ") }
		}
	}
	out, err := fn(opts)
	var stopped *engine.StoppedError
	if errors.As(err, &stopped) {
		err = fmt.Errorf("%w; 'ferry deploy resume %d' goes on (an interrupted step runs again)", err, id)
	}
	return out, w, err
}

// finishRun prints where a run left the deployment and picks the exit status.
func (a *app) finishRun(w io.Writer, res engine.Outcome, asJSON bool) error {
	d := res.Deployment
	code := ExitOK
	switch {
	case res.Waiting != nil || !d.Status.Final():
		code = ExitWaiting
	case d.Status != models.StatusSucceeded:
		code = ExitFailed
	}
	if asJSON {
		if err := writeJSON(a.stdout, runResultToJSON(res, a.nextCommands(d, res.Waiting))); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(w, a.outcomeLine(res))
		for _, c := range a.nextCommands(d, res.Waiting) {
			fmt.Fprintln(w, "  "+c)
		}
	}
	if code != ExitOK {
		return exitError{code}
	}
	return nil
}

func (a *app) outcomeLine(res engine.Outcome) string {
	d := res.Deployment
	head := fmt.Sprintf("#%d %s %s → %s", d.ID, d.Component, d.Version, d.Environment)
	switch d.Status {
	case models.StatusSucceeded:
		return head + ": succeeded."
	case models.StatusRolledBack:
		return head + ": rolled back: " + res.Failure
	case models.StatusFailed:
		return head + ": failed: " + res.Failure
	case models.StatusCancelled:
		return head + ": cancelled."
	}
	if res.Waiting != nil {
		return head + ": waiting for a person: " + res.Waiting.Message
	}
	return head + ": " + string(d.Status)
}

// nextCommands says how to go on from a wait.
func (a *app) nextCommands(d models.Deployment, w *engine.Waiting) []string {
	if w == nil {
		return nil
	}
	id := strconv.FormatInt(d.ID, 10)
	seq := strconv.Itoa(w.Seq)
	// A tick or an approval carries the run on by itself: no resume to remember.
	switch w.Kind {
	case engine.WaitTick:
		return []string{"tick it:  ferry step tick " + id + " " + seq + " [--note TEXT]"}
	case engine.WaitApproval:
		return []string{"approve:  ferry gate approve " + id + " [--note TEXT]"}
	case engine.WaitBlocked:
		return []string{"unblock:  ferry step unblock " + id + " " + seq + " [--note TEXT]"}
	case engine.WaitInterrupted:
		if w.OnFailure {
			return []string{"run it again:  ferry deploy resume " + id,
				"or give up:    ferry deploy fail " + id + " --reason TEXT"}
		}
		return []string{"run it again:  ferry deploy resume " + id,
			"or retry:      ferry deploy retry " + id + " --from-step " + seq,
			"or give up:    ferry deploy fail " + id + " --reason TEXT [--rollback]",
			"its output:    ferry deploy logs " + id + " --step " + seq}
	}
	return nil
}

func (a *app) printProgress(w io.Writer, p engine.Progress) {
	switch p.Kind {
	case engine.ProgressActed:
		fmt.Fprintf(w, "#%d: %s; the run carries on.\n", p.DeploymentID, p.Detail)
	case engine.ProgressStatus:
		fmt.Fprintf(w, "#%d → %s\n", p.DeploymentID, p.Status.Words())
	case engine.ProgressStepStart:
		label := "step"
		if p.OnFailure {
			label = "on-failure step"
		}
		try := ""
		if p.Tries > 1 {
			try = fmt.Sprintf(" (try %d of %d)", p.Try, p.Tries)
		}
		fmt.Fprintf(w, "  ▸ %s %d %q%s\n", label, p.Seq, p.Step.Name, try)
	case engine.ProgressStepEnd:
		glyph, what := "✓", "done"
		switch p.Result {
		case models.StepFailed:
			glyph, what = "✗", "failed: "+p.Detail
			if p.Try < p.Tries {
				what += ", will retry"
			}
		case models.StepInterrupted:
			glyph, what = "?", "interrupted"
		}
		fmt.Fprintf(w, "  %s %d %q %s (%s)\n", glyph, p.Seq, p.Step.Name, what, p.Elapsed.Round(time.Millisecond))
	}
}

// printLine prints one output line; stderr lines are marked with "!".
func printLine(w io.Writer, l models.OutputLine, indent string) {
	mark := "  "
	if l.Stream == models.StreamErr {
		mark = "! "
	}
	fmt.Fprintf(w, "%s%s%s\n", indent, mark, l.Text)
}

// lockedWriter serialises writes from the runner's goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// ---- deploy logs ------------------------------------------------------------------

func (a *app) deployLogsCmd() *cobra.Command {
	var step, attempt int
	var follow bool
	cmd := &cobra.Command{
		Use:   "logs ID [--step N [--attempt N]] [--follow]",
		Short: "Print the output of a deployment's automated steps",
		Long: "Print what the automated steps of a deployment wrote, in the order they wrote it.\n" +
			"Without --step every step's output is shown, each attempt under a heading. Lines\n" +
			"the commands wrote to stderr are marked with \"!\" (with --step they are printed as is).\n" +
			"With --follow new lines are printed as they arrive, until the deployment finishes.",
		Args: exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			// 0 is what an absent flag reads as (every step, every attempt): given, it
			// is no step, not all of them.
			if step < 1 && cmd.Flags().Changed("step") {
				return usagef("--step: %d is not a step number (they count from 1)", step)
			}
			if attempt < 1 && cmd.Flags().Changed("attempt") {
				return usagef("--attempt: %d is not an attempt number (they count from 1)", attempt)
			}
			if attempt > 0 && step == 0 {
				return usagef("--attempt needs --step")
			}
			if err := a.openRunner(); err != nil {
				return err
			}
			det, err := a.eng.Deployment(a.ctx, a.actor, id)
			if err != nil {
				return err
			}
			st, err := a.eng.RunState(a.ctx, a.actor, id)
			if err != nil {
				return err
			}
			if step > len(st.Steps)+len(st.OnFailure) {
				return models.NotFoundf("deployment #%d has no step %d (it has %d, and %d on-failure steps)",
					id, step, len(st.Steps), len(st.OnFailure))
			}
			names := map[int]string{}
			for _, s := range append(st.Steps, st.OnFailure...) {
				names[s.Seq] = s.Step.Name
				if s.Seq == step && attempt > len(s.Attempts) && !follow {
					return models.NotFoundf("--attempt %d: step %d of #%d has %d attempt%s", attempt, step, id, len(s.Attempts), models.Plural(len(s.Attempts)))
				}
			}
			if st.OutputNotKept() {
				fmt.Fprintf(a.stderr, "ferry: #%d kept no output of its automated steps: their results are in its record (deploy show)\n", id)
				return nil
			}
			return a.printLogs(det.Deployment, names, models.OutputFilter{Seq: step, Attempt: attempt}, follow)
		},
	}
	cmd.Flags().IntVar(&step, "step", 0, "only this step (on-failure steps are numbered after the steps)")
	cmd.Flags().IntVar(&attempt, "attempt", 0, "only this attempt of --step")
	cmd.Flags().BoolVar(&follow, "follow", false, "keep printing new lines until the deployment finishes")
	return cmd
}

func (a *app) printLogs(d models.Deployment, names map[int]string, f models.OutputFilter, follow bool) error {
	f.Limit = 2000
	type block struct{ seq, attempt int }
	var cur block
	printed := false
	poll := time.NewTicker(200 * time.Millisecond)
	defer poll.Stop()
	for {
		lines, err := a.eng.Output(a.ctx, a.actor, d.ID, f)
		if err != nil {
			return err
		}
		for _, l := range lines {
			printed = true
			if f.Seq == 0 {
				if b := (block{l.Seq, l.Attempt}); b != cur {
					cur = b
					fmt.Fprintf(a.stdout, "── step %d %q, attempt %d ──\n", l.Seq, names[l.Seq], l.Attempt)
				}
				printLine(a.stdout, l, "")
			} else {
				fmt.Fprintln(a.stdout, l.Text)
			}
			f.AfterID = l.ID
		}
		if len(lines) == f.Limit {
			continue // more right away
		}
		if !follow {
			break
		}
		if d.Status.Final() {
			break // everything written before it finished has been read
		}
		select {
		case <-a.ctx.Done():
			return nil
		case <-poll.C:
		}
		if d, err = a.eng.Get(a.ctx, a.actor, d.ID); err != nil {
			return err
		}
	}
	switch {
	case printed || follow:
	case d.Status.Final():
		fmt.Fprintf(a.stderr, "ferry: #%d has no output%s: nothing was printed\n", d.ID, stepSuffix(f.Seq))
	default:
		fmt.Fprintf(a.stderr, "ferry: #%d has no output%s yet\n", d.ID, stepSuffix(f.Seq))
	}
	return nil
}

func stepSuffix(seq int) string {
	if seq == 0 {
		return ""
	}
	return fmt.Sprintf(" for step %d", seq)
}

// ---- step and gate commands ---------------------------------------------------------

func (a *app) stepCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "step",
		Short: "Tick, block, unblock and annotate checklist items",
		Args:  noArgs,
	}
	cmd.AddCommand(a.stepTickCmd(), a.stepBlockCmd(), a.stepUnblockCmd(), a.stepNoteCmd())
	return cmd
}

// idAndStep reads "ID STEP".
func idAndStep(args []string) (int64, int, error) {
	id, err := parseID(args[0])
	if err != nil {
		return 0, 0, err
	}
	seq, err := strconv.Atoi(args[1])
	if err != nil || seq < 1 {
		return 0, 0, usagef("%q is not a step number (1, 2, ... as 'ferry deploy show' lists them)", args[1])
	}
	return id, seq, nil
}

// stepAction is a command that does one thing to one step: ID STEP, and a text flag.
type stepAction struct {
	use, short     string
	flag, flagHelp string
	required       string // the usage message when the flag is empty; "" when optional
	do             func(a *app, id int64, seq int, text string, o engine.RunOptions) (engine.Outcome, error)
}

func (a *app) stepActionCmd(s stepAction) *cobra.Command {
	var text string
	var f runFlags
	cmd := &cobra.Command{
		Use:   s.use,
		Short: s.short,
		Args:  exactArgs(2, "a deployment ID and a step number"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, seq, err := idAndStep(args)
			if err != nil {
				return err
			}
			if s.required != "" && strings.TrimSpace(text) == "" {
				return usagef("--%s: %s", s.flag, s.required)
			}
			return a.act(id, f, func(o engine.RunOptions) (engine.Outcome, error) { return s.do(a, id, seq, text, o) })
		},
	}
	cmd.Flags().StringVar(&text, s.flag, "", s.flagHelp)
	f.add(cmd)
	return cmd
}

// act does one act on a deployment and says what it did and where that left the
// deployment: when the act let the run carry on, its progress and outcome too.
// Exit status 0, or 1 when the run it carried on ended failed or rolled back.
func (a *app) act(id int64, f runFlags, fn func(engine.RunOptions) (engine.Outcome, error)) error {
	out, w, err := a.carry(id, f, fn)
	if err != nil {
		return err
	}
	d := out.Deployment
	if f.json {
		if err := writeJSON(a.stdout, actToJSON(out, a.nextCommands(d, out.Waiting))); err != nil {
			return err
		}
	} else {
		if !out.Carried { // else the run's progress said it first
			fmt.Fprintf(w, "#%d: %s (%d/%d steps done).\n", d.ID, out.Did, d.StepsDone, d.StepsTotal)
		}
		a.printWhereItStands(w, out)
	}
	if out.Carried && (d.Status == models.StatusFailed || d.Status == models.StatusRolledBack) {
		return exitError{ExitFailed}
	}
	return nil
}

// printWhereItStands says what an act left: the run's outcome if it carried on, what
// waits for a person, or that the runner at work goes on.
func (a *app) printWhereItStands(w io.Writer, out engine.Outcome) {
	d := out.Deployment
	switch {
	case out.Carried || d.Status.Final() || out.Waiting != nil:
		fmt.Fprintln(w, a.outcomeLine(out))
		for _, c := range a.nextCommands(d, out.Waiting) {
			fmt.Fprintln(w, "  "+c)
		}
	case d.Status.Running():
		fmt.Fprintf(w, "#%d is being run; it goes on by itself.\n", d.ID)
	}
}

func (a *app) stepTickCmd() *cobra.Command {
	var skip bool
	cmd := a.stepActionCmd(stepAction{use: "tick ID STEP [--note TEXT] [--skip-optional]",
		short: "Tick a checklist item of the deployment's current stage (an optional one of a later stage ahead of it)",
		flag:  "note", flagHelp: "a note kept with the tick",
		do: func(a *app, id int64, seq int, note string, o engine.RunOptions) (engine.Outcome, error) {
			o.SkipOptional = skip
			return a.eng.TickStep(a.ctx, a.actor, id, seq, note, o)
		}})
	cmd.Long = "Tick a checklist item of the deployment's current stage. When that moves the run on\n" +
		"past optional items nobody ticked, they are skipped, not done: the tick is refused,\n" +
		"naming them, unless --skip-optional says to leave them. An optional item of a later\n" +
		"stage may be ticked ahead of it (the run does not stop for it); the record says so."
	cmd.Flags().BoolVar(&skip, "skip-optional", false, "move on even past optional items nobody ticked (skipped)")
	return cmd
}

func (a *app) stepBlockCmd() *cobra.Command {
	return a.stepActionCmd(stepAction{use: "block ID STEP --reason TEXT", short: "Report a checklist item blocked, with the reason",
		flag: "reason", flagHelp: "what blocks it (required, kept in the record)", required: engine.NeedBlockReason,
		do: func(a *app, id int64, seq int, reason string, _ engine.RunOptions) (engine.Outcome, error) {
			return a.eng.BlockStep(a.ctx, a.actor, id, seq, reason)
		}})
}

func (a *app) stepUnblockCmd() *cobra.Command {
	return a.stepActionCmd(stepAction{use: "unblock ID STEP [--note TEXT]", short: "Set a blocked checklist item back to open",
		flag: "note", flagHelp: "what resolved it",
		do: func(a *app, id int64, seq int, note string, _ engine.RunOptions) (engine.Outcome, error) {
			return a.eng.UnblockStep(a.ctx, a.actor, id, seq, note)
		}})
}

func (a *app) stepNoteCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "note ID STEP TEXT",
		Short: "Add a note to a step",
		Args:  exactArgs(3, "a deployment ID, a step number and the note"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, seq, err := idAndStep(args)
			if err != nil {
				return err
			}
			if strings.TrimSpace(args[2]) == "" {
				return usagef("the note is empty")
			}
			if err := models.CheckText("the note", args[2]); err != nil { // as a --note flag is refused
				return usageError{err}
			}
			return a.act(id, f, func(engine.RunOptions) (engine.Outcome, error) {
				return a.eng.NoteStep(a.ctx, a.actor, id, seq, args[2])
			})
		},
	}
	cmd.Flags().BoolVar(&f.json, "json", false, "print the outcome as JSON")
	return cmd
}

func (a *app) gateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gate",
		Short: "Approve or reject gates",
		Args:  noArgs,
	}
	var note string
	var skip bool
	var f runFlags
	approve := &cobra.Command{
		Use:   "approve ID [--note TEXT] [--skip-optional]",
		Short: "Approve the gate the deployment waits at",
		Long: "Approve the gate of the deployment's current stage. Only the roles the gate names\n" +
			"may (default: manager), and not the deployment's requester unless its model allows\n" +
			"self-approval. The run then carries on by itself as far as it can go; when that\n" +
			"passes optional items nobody ticked, which are then skipped, the approval is\n" +
			"refused, naming them, unless --skip-optional says to leave them.",
		Args: exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			return a.act(id, f, func(o engine.RunOptions) (engine.Outcome, error) {
				o.SkipOptional = skip
				return a.eng.ApproveGate(a.ctx, a.actor, id, note, o)
			})
		},
	}
	approve.Flags().StringVar(&note, "note", "", "a note kept with the approval")
	approve.Flags().BoolVar(&skip, "skip-optional", false, "move on even past optional items nobody ticked (skipped)")
	f.add(approve)
	var reason string
	var rf runFlags
	reject := &cobra.Command{
		Use:   "reject ID --reason R",
		Short: "Refuse the gate the deployment waits at: its stage fails and rolls back",
		Long: "Refuse the gate of the deployment's current stage, with the reason (kept on the record\n" +
			"and found by search). The gate's roles may; the stage fails and its on-failure steps run.\n" +
			"Exit status 1: the deployment failed or rolled back.",
		Args: exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			if strings.TrimSpace(reason) == "" {
				return usagef("--reason: %s", engine.NeedRejectReason)
			}
			return a.act(id, rf, func(o engine.RunOptions) (engine.Outcome, error) {
				return a.eng.RejectGate(a.ctx, a.actor, id, reason, o)
			})
		},
	}
	reject.Flags().StringVar(&reason, "reason", "", "why (required, kept on the record)")
	rf.add(reject)
	cmd.AddCommand(approve, reject)
	return cmd
}

// ---- run-due ------------------------------------------------------------------------

func (a *app) runDueCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run-due [--follow] [--json]",
		Short: "Start the fully automated deployments whose window has begun",
		Long: "Start every planned deployment whose scheduled window has begun (and not ended) and\n" +
			"whose model has only automated steps in its environment; run each as far as it goes.\n" +
			"Deployments in open conflicts are refused. Meant for cron or a systemd timer.\n\n" +
			"Exit status: 0 all succeeded (or nothing was due); 1 one failed, rolled back or could\n" +
			"not start; 3 one waits for a person.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.openRunner(); err != nil {
				return err
			}
			out := &lockedWriter{w: a.stdout}
			var opts engine.RunOptions
			if !f.json {
				opts.OnProgress = func(p engine.Progress) { a.printProgress(out, p) }
				if f.follow {
					opts.OnOutput = func(l models.OutputLine) {
						printLine(out, l, fmt.Sprintf("    #%d ", l.DeploymentID))
					}
				}
			}
			runs, err := a.eng.RunDue(a.ctx, a.actor, opts)
			if err != nil {
				return err
			}
			code := ExitOK
			worse := func(c int) {
				if c == ExitFailed || code == ExitOK {
					code = c
				}
			}
			var js []dueJSON
			for _, r := range runs {
				j := dueJSON{Deployment: toJSON(r.Deployment), Skipped: r.Skipped}
				switch {
				case r.Skipped != "":
					j.Outcome = "skipped"
					if !f.json {
						fmt.Fprintf(out, "#%d skipped: %s\n", r.Deployment.ID, r.Skipped)
					}
				case r.Err != nil:
					j.Outcome, j.Error = "error", r.Err.Error()
					worse(ExitFailed)
					if !f.json {
						fmt.Fprintf(out, "#%d not run: %v\n", r.Deployment.ID, r.Err)
					}
				default:
					rj := runResultToJSON(r.Result, a.nextCommands(r.Result.Deployment, r.Result.Waiting))
					j.Outcome, j.Run = rj.Outcome, &rj
					switch {
					case r.Result.Result() == "waiting":
						worse(ExitWaiting)
					case r.Result.Result() != "succeeded":
						worse(ExitFailed)
					}
					if !f.json {
						fmt.Fprintln(out, a.outcomeLine(r.Result))
					}
				}
				js = append(js, j)
			}
			if f.json {
				if js == nil {
					js = []dueJSON{}
				}
				if err := writeJSON(a.stdout, js); err != nil {
					return err
				}
			} else if len(runs) == 0 {
				fmt.Fprintln(out, "Nothing is due.")
			}
			if code != ExitOK {
				return exitError{code}
			}
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

// ---- JSON -----------------------------------------------------------------------------

type waitingJSON struct {
	Kind      string   `json:"kind"` // tick, approval, blocked, interrupted
	Seq       int      `json:"seq"`
	Step      string   `json:"step"`
	Stage     string   `json:"stage"`
	OnFailure bool     `json:"on_failure"`
	Approvers []string `json:"approvers"`
	Note      string   `json:"note"`
	Message   string   `json:"message"`
	Next      []string `json:"next"`
}

// actJSON is an act's outcome: what it did, and where the deployment stands.
type actJSON struct {
	Did     string `json:"did"`
	Carried bool   `json:"carried"`
	runJSON
}

func actToJSON(o engine.Outcome, next []string) actJSON {
	return actJSON{Did: o.Did, Carried: o.Carried, runJSON: runResultToJSON(o, next)}
}

type runJSON struct {
	Deployment deploymentJSON `json:"deployment"`
	Outcome    string         `json:"outcome"` // succeeded, failed, rolled_back, cancelled, waiting
	Failure    string         `json:"failure"`
	Waiting    *waitingJSON   `json:"waiting"`
}

type dueJSON struct {
	Deployment deploymentJSON `json:"deployment"`
	Outcome    string         `json:"outcome"` // skipped, error, or the run's outcome
	Skipped    string         `json:"skipped,omitempty"`
	Error      string         `json:"error,omitempty"`
	Run        *runJSON       `json:"run,omitempty"`
}

func runResultToJSON(res engine.Outcome, next []string) runJSON {
	out := runJSON{Deployment: toJSON(res.Deployment), Outcome: res.Result(), Failure: res.Failure}
	if w := res.Waiting; w != nil {
		out.Waiting = &waitingJSON{Kind: string(w.Kind), Seq: w.Seq, Step: w.Step.Name, Stage: string(w.Step.Stage),
			OnFailure: w.OnFailure, Approvers: w.Approvers, Note: w.Note, Message: w.Message, Next: next}
		if out.Waiting.Approvers == nil {
			out.Waiting.Approvers = []string{}
		}
		if out.Waiting.Next == nil {
			out.Waiting.Next = []string{}
		}
	}
	return out
}
