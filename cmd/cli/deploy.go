package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
	"ferry/models"
)

func (a *app) deployCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Plan, list, show, move, assign and cancel deployments",
		Args:  noArgs,
	}
	cmd.AddCommand(a.planCmd(), a.listCmd(), a.showCmd(), a.cancelCmd(), a.suggestCmd(), a.rescheduleCmd(), a.assignCmd(),
		a.editCmd(), a.againCmd())
	cmd.AddCommand(a.runDeployCmds()...)
	return cmd
}

func (a *app) planCmd() *cobra.Command {
	var f struct {
		model, component, version, env, start, end, duration, assignee, change, requester, action string
		urgency, urgencyReason                                                                    string
		after                                                                                     int64
		json, strict, dryRun                                                                      bool
	}
	cmd := &cobra.Command{
		Use:   "plan --model M --component C --version V --env E --start T [--duration D | --end T]",
		Short: "Plan a deployment",
		Long: "Plan one movement of a component version into an environment.\n" +
			"Times are RFC 3339 or \"YYYY-MM-DD HH:MM\" in the organisation's time zone.\n" +
			"Conflicts the new deployment is in are listed (exit 0); with --strict they refuse it (exit 1).\n" +
			"With --dry-run nothing is stored: the checks run and the conflicts it would be in are listed\n" +
			"(exit 0), without waiting for anyone writing to the database.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Every flag is checked before the database is opened (or created).
			if _, err := a.loadConfig(); err != nil {
				return err
			}
			req := engine.PlanRequest{Model: f.model, Component: f.component, Version: f.version,
				Environment: f.env, Action: models.Action(f.action), Assignee: f.assignee,
				Requester: f.requester, ChangeRef: f.change, After: f.after, Strict: f.strict,
				Urgency: models.Urgency(f.urgency), UrgencyReason: f.urgencyReason}
			if !req.Urgency.Valid() {
				return usagef("--urgency: %q must be normal, expedited or emergency", f.urgency)
			}
			var err error
			if req.Start, req.End, req.Duration, err = a.window3(f.start, f.end, f.duration); err != nil {
				return err
			}
			if !req.Action.Valid() {
				return usagef("--action: %q must be deploy or remove", f.action)
			}
			// 0 was taken as no --after: one who typed it meant some deployment.
			if cmd.Flags().Changed("after") && f.after < 1 {
				return usagef("--after: %d is not a deployment ID (leave --after out when it waits for no deployment)", f.after)
			}
			for flag, v := range map[string]string{"--version": f.version, "--change": f.change} {
				if err := models.CheckLabel(flag, v); err != nil {
					return usagef("%v", err)
				}
			}
			if err := a.open(); err != nil {
				return err
			}
			if f.dryRun {
				return a.dryRun(req, f.json)
			}
			d, conflicts, err := a.eng.Plan(a.ctx, a.actor, req)
			if err != nil {
				return a.refusedByConflicts(err, f.json)
			}
			if f.json {
				return writeJSON(a.stdout, plannedJSON{toJSON(d), conflictsToJSON(conflicts)})
			}
			fmt.Fprintf(a.stdout, "Planned #%d %s, %s (%s v%d)\n", d.ID, d.Move(), a.window(d), d.Model, d.ModelVersion)
			a.printConflicts(conflicts, "It is in", d)
			return a.noteFailedThere(d)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "", "deployment model (required)")
	fl.StringVar(&f.component, "component", "", "component to move (required)")
	fl.StringVar(&f.version, "version", "", "component version (required)")
	fl.StringVar(&f.env, "env", "", "target environment (required)")
	fl.StringVar(&f.start, "start", "", "planned start (required)")
	fl.StringVar(&f.end, "end", "", "planned end")
	fl.StringVar(&f.duration, "duration", "", "planned duration, e.g. 45m (default: the model's)")
	fl.StringVar(&f.assignee, "assignee", "", "person who carries it out")
	fl.StringVar(&f.requester, "requester", "", "person who asked for it (default: --as)")
	fl.StringVar(&f.change, "change", "", "change or release reference")
	fl.StringVar(&f.action, "action", "deploy", "deploy or remove")
	fl.Int64Var(&f.after, "after", 0, "a deployment ID this one must wait for")
	fl.BoolVar(&f.strict, "strict", false, "refuse the plan if it would be in any conflict")
	fl.StringVar(&f.urgency, "urgency", "normal", "normal, expedited or emergency (managers, with --urgency-reason: "+
		"may start inside a freeze or outside maintenance windows)")
	fl.StringVar(&f.urgencyReason, "urgency-reason", "", "why it is urgent (kept on its record; required for an emergency)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "check the plan and list the conflicts it would be in; store nothing")
	fl.BoolVar(&f.json, "json", false, "print the new deployment and its conflicts as JSON")
	for _, req := range []string{"model", "component", "version", "env", "start"} {
		_ = cmd.MarkFlagRequired(req)
	}
	return cmd
}

// dryRun checks a plan and prints what it would be, storing nothing.
func (a *app) dryRun(req engine.PlanRequest, asJSON bool) error {
	d, conflicts, err := a.eng.PreviewPlan(a.ctx, a.actor, req)
	if err != nil {
		return err
	}
	if asJSON {
		j := toJSON(d)
		return writeJSON(a.stdout, dryRunJSON{DryRun: true, plannedJSON: plannedJSON{j, conflictsToJSON(conflicts)}})
	}
	fmt.Fprintf(a.stdout, "Would plan %s, %s (%s v%d); nothing was stored\n", d.Move(), a.window(d), d.Model, d.ModelVersion)
	a.printConflicts(conflicts, "It would be in", models.Deployment{})
	return a.noteFailedThere(d)
}

// noteFailedThere says when the version's last deployment to that environment
// failed: planning it there again is worth a second look.
func (a *app) noteFailedThere(d models.Deployment) error {
	last, failed, err := a.eng.FailedThere(a.ctx, a.actor, d.Component, d.Version, d.Environment)
	if err != nil || !failed {
		return err
	}
	fmt.Fprintf(a.stdout, "Note: %s; see 'ferry deploy show %d' (a manager may block the version: ferry version block).\n",
		engine.FailedThereText(last, a.cfg.Location), last.ID)
	return nil
}

// dryRunJSON is a plan that was only checked: its id is 0.
type dryRunJSON struct {
	DryRun bool `json:"dry_run"`
	plannedJSON
}

// window3 reads --start with --end or --duration (neither: the model's default).
func (a *app) window3(start, end, duration string) (s, e time.Time, d time.Duration, err error) {
	if s, err = a.flagTime("--start", start); err != nil {
		return
	}
	if end != "" && duration != "" {
		err = usagef("--end and --duration: give one or the other")
		return
	}
	if end != "" {
		if e, err = a.flagTime("--end", end); err != nil {
			return
		}
	}
	if duration != "" {
		d, err = windowLength(duration)
	}
	return
}

// windowLength reads --duration, a window's length: one that cannot be a window (0,
// 1s, 9999d) is a bad value of the flag, a usage error as one that is no duration
// is, not a refusal by the engine after the rest was read.
func windowLength(duration string) (time.Duration, error) {
	d, err := models.ParseDuration(duration)
	if err == nil {
		err = models.CheckWindowLength(d)
	}
	if err != nil {
		return 0, usagef("--duration: %v", err)
	}
	return d, nil
}

func (a *app) listCmd() *cobra.Command {
	var f struct {
		env, status, assignee, search string
		limit                         int
		json                          bool
	}
	cmd := &cobra.Command{
		Use:   "list [--env E] [--status S] [--limit N] [--json]",
		Short: "List deployments, newest first",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.limit < 1 {
				return usagef("--limit: must be at least 1, got %d", f.limit)
			}
			statuses, err := parseStatuses(f.status)
			if err != nil {
				return err
			}
			if err := a.open(); err != nil {
				return err
			}
			if err := a.filterEnv(f.env); err != nil {
				return err
			}
			list, err := a.eng.List(a.ctx, a.actor, models.Filter{Environment: f.env, Statuses: statuses,
				Assignee: f.assignee, Search: f.search, Limit: f.limit})
			if err != nil {
				return err
			}
			if f.json {
				out := make([]deploymentJSON, 0, len(list))
				for _, d := range list {
					out = append(out, toJSON(d))
				}
				return writeJSON(a.stdout, out)
			}
			if len(list) == 0 {
				a.notUnknown(filterNames{assignee: f.assignee})
				if f.env != "" || f.status != "" || f.assignee != "" || f.search != "" {
					fmt.Fprintln(a.stdout, "No deployments match.") // filtered: the database may be full
				} else {
					fmt.Fprintln(a.stdout, "No deployments yet. Plan one with 'ferry deploy plan', or fill a demo with 'ferry demo'.")
				}
				return nil
			}
			stopped, err := a.eng.Interrupted(a.ctx, list)
			if err != nil {
				return err
			}
			blocked, err := a.eng.Blocked(a.ctx, list)
			if err != nil {
				return err
			}
			tw := table(a.stdout)
			fmt.Fprintln(tw, "ID\tSTART\tEND\tENV\tCOMPONENT\tVERSION\tSTATUS\tASSIGNEE")
			for _, d := range list {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, a.twiceZone(d.ScheduledStart, a.local(d.ScheduledStart)),
					a.twiceZone(d.ScheduledEnd, models.EndText(d.ScheduledStart, d.ScheduledEnd, a.cfg.Location, "15:04", "2006-01-02 15:04")),
					d.Environment, d.Component, cell(d.VersionWords()),
					statusText(d, stopped[d.ID])+map[bool]string{true: ", blocked"}[blocked[d.ID]], dash(d.Assignee))
			}
			return tw.Flush()
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.env, "env", "", "only this environment")
	fl.StringVar(&f.status, "status", "", "only these statuses, comma-separated ("+statusNames()+")")
	fl.StringVar(&f.assignee, "assignee", "", "only deployments assigned to this person")
	fl.StringVar(&f.search, "search", "", "words in the component, service, version, change, notes, block reasons or incidents (all must match; the last may be a prefix)")
	fl.IntVar(&f.limit, "limit", 50, "at most this many")
	fl.BoolVar(&f.json, "json", false, "print as a JSON array")
	return cmd
}

func (a *app) showCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID [--json]",
		Short: "Show one deployment with its steps and record",
		Args:  exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := a.openForID(args[0])
			if err != nil {
				return err
			}
			det, err := a.eng.Deployment(a.ctx, a.actor, id)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, detailToJSON(det))
			}
			a.printDetail(det)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON, with steps, events and incidents")
	return cmd
}

func (a *app) cancelCmd() *cobra.Command {
	var reason string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "cancel ID --reason R",
		Short: "Cancel a deployment that has not finished",
		Args:  exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			if strings.TrimSpace(reason) == "" {
				return usagef("--reason: %s", engine.NeedCancelReason)
			}
			if err := a.open(); err != nil {
				return err
			}
			out, err := a.eng.Cancel(a.ctx, a.actor, id, reason)
			if err != nil {
				return err
			}
			d := out.Deployment
			if asJSON {
				return writeJSON(a.stdout, toJSON(d))
			}
			fmt.Fprintf(a.stdout, "Cancelled #%d %s\n", d.ID, d.Move())
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (required, kept in the record)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the cancelled deployment as JSON")
	return cmd
}

// statusText is a deployment's status, with ", interrupted" when a step's runner
// died and the deployment waits for a person to resume, retry or fail it.
func statusText(d models.Deployment, interrupted bool) string {
	if interrupted && !d.Status.Final() { // a finished one waits for nobody: its step stays as it was left
		return string(d.Status) + ", interrupted"
	}
	return string(d.Status)
}

func (a *app) printDetail(det engine.Detail) {
	d := det.Deployment
	w := a.stdout
	fmt.Fprintf(w, "#%d  %s %s %s → %s\n", d.ID, d.Action, d.Component, d.Version, d.Environment)
	tw := table(w)
	// In words, as the console says it; --json has the codes (status, stage).
	fmt.Fprintf(tw, "  status\t%s\n", strings.ReplaceAll(statusText(d, engine.StoppedIn(d, det.Steps)), "_", " "))
	fmt.Fprintf(tw, "  model\t%s v%d\n", d.Model, d.ModelVersion)
	fmt.Fprintf(tw, "  service\t%s (%s)\n", d.Service, d.Kind)
	fmt.Fprintf(tw, "  window\t%s\n", a.window(d))
	fmt.Fprintf(tw, "  started\t%s\n", a.local(d.StartedAt))
	fmt.Fprintf(tw, "  finished\t%s\n", a.local(d.FinishedAt))
	fmt.Fprintf(tw, "  assignee\t%s\n", dash(d.Assignee))
	fmt.Fprintf(tw, "  requester\t%s\n", dash(d.Requester))
	if d.PlannedBy != "" && d.PlannedBy != d.Requester {
		fmt.Fprintf(tw, "  planned by\t%s\n", d.PlannedBy)
	}
	fmt.Fprintf(tw, "  change\t%s\n", cell(dash(d.ChangeRef)))
	if d.Urgency != "" && d.Urgency != models.UrgencyNormal {
		fmt.Fprintf(tw, "  urgency\t%s: %s\n", d.Urgency, cell(d.UrgencyReason))
	}
	tw.Flush()
	if len(det.Conflicts) > 0 { // what stands in its way, before its steps
		fmt.Fprintln(w)
		a.printConflicts(det.Conflicts, "It is in", d)
	}
	fmt.Fprintf(w, "\nSteps (%s)\n", engine.CountSteps(det.Steps).Text())
	tw = table(w)
	for _, s := range det.Steps {
		a.printStep(tw, s, s.Step.Stage.Title())
	}
	tw.Flush()
	if len(det.OnFailure) > 0 {
		fmt.Fprintln(w, "\nOn failure (run when their stage fails)")
		tw = table(w)
		for _, s := range det.OnFailure {
			a.printStep(tw, s.StepRun, "after "+s.Step.Stage.Title())
		}
		tw.Flush()
	}
	if len(det.Incidents) > 0 {
		fmt.Fprintln(w, "\nIncidents")
		for _, in := range det.Incidents {
			fmt.Fprintf(w, "  %s  %s (resolved %s)\n", a.local(in.OpenedAt), cell(in.Summary), a.local(in.ResolvedAt))
		}
	}
	if r := det.Review; r != nil {
		fmt.Fprintf(w, "\nReview (%s, %s)\n  %s · satisfaction %s · lead time %s · quality %s · category %s\n  %s\n",
			r.Reviewer, a.local(r.ReviewedAt), engine.OutcomeText(r.Outcome), scoreText(r.Satisfaction),
			scoreText(r.LeadTimeSatisfaction), scoreText(r.Quality), orDash(r.Category),
			strings.Join(cellLines(r.Lessons), "\n  ")) // its lines, each indented
	}
	if len(det.Findings) > 0 {
		fmt.Fprintln(w, "\nFindings")
		tw = table(w)
		for _, f := range det.Findings {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.local(f.At), strings.ReplaceAll(f.Kind, "_", " "), f.Rule, cell(engine.FindingText(f)))
		}
		tw.Flush()
	}
	fmt.Fprintln(w, "\nRecord")
	tw = table(w)
	by := engine.ShownPrincipals(det.Events)
	for i, e := range det.Events {
		// Who beside who really acted, as the audit log has it: the detail, last, is
		// shown whole and pads no other line.
		who := strings.TrimSpace(e.Actor + " " + principalNote(by[i]))
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.local(e.At), who, e.Type, cell(engine.EventWords(e)))
	}
	tw.Flush()
}

// printStep is one line of a deployment's steps.
func (a *app) printStep(tw io.Writer, s models.StepRun, stage string) {
	who := ""
	if s.Actor != "" {
		who = s.Actor + " " + a.local(s.At)
	} else if !s.At.IsZero() { // an on-failure step: its attempt's time
		who = a.local(s.At)
	}
	note := s.Note
	if s.BlockReason != "" {
		note = strings.TrimSuffix("blocked: "+s.BlockReason+" · "+note, " · ")
	}
	fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Seq, stepGlyph(s.Status), stage, s.Step.Name, s.Step.Kind, who, cell(note))
}

// principalNote says who really acted (see engine.ShownPrincipals), "" for nothing.
func principalNote(principal string) string {
	if principal == "" {
		return ""
	}
	return "(" + principal + ")"
}

// stepGlyph gives every step status a glyph, so state reads without colour.
func stepGlyph(s models.StepStatus) string {
	switch s {
	case models.StepDone:
		return "[✓]"
	case models.StepFailed:
		return "[✗]"
	case models.StepBlocked:
		return "[!]"
	case models.StepRunning:
		return "[▸]"
	case models.StepSkipped:
		return "[-]"
	case models.StepInterrupted:
		return "[?]"
	}
	return "[ ]"
}

func (a *app) flagTime(flag, v string) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		return time.Time{}, usagef("%s: a time is needed", flag)
	}
	t, err := models.ParseTime(v, a.cfg.Location)
	if err != nil {
		return t, usagef("%s: %v", flag, err)
	}
	a.noteTwice(flag, v)
	return t, nil
}

// noteTwice says on stderr which instant a local time the clocks repeat (when summer
// time ends) was taken as, and how to give the other: every time flag is read through
// flagTime or flagDate, so every command says it alike.
func (a *app) noteTwice(flag, v string) {
	if note := models.TwiceNote(v, a.cfg.Location); note != "" {
		fmt.Fprintf(a.stderr, "ferry: note: %s: %s\n", flag, note)
	}
}

func (a *app) local(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(a.cfg.Location).Format("2006-01-02 15:04")
}

// twiceZone adds the zone to shown, t as a table writes it, when t falls in an hour
// the clocks repeat: two rows there would otherwise read alike. Other rows keep the
// table as narrow as it was.
func (a *app) twiceZone(t time.Time, shown string) string {
	if _, twice := models.Twin(t, a.cfg.Location); !twice || t.IsZero() {
		return shown
	}
	return shown + t.In(a.cfg.Location).Format(" MST")
}

func (a *app) window(d models.Deployment) string {
	return engine.WindowText(d.ScheduledStart, d.ScheduledEnd, a.cfg.Location)
}

// filterEnv checks the --env of a listing: an environment config has since dropped
// still filters the record, with a note on stderr.
func (a *app) filterEnv(env string) error {
	note, err := a.eng.FilterEnvironment(a.ctx, "--env", env)
	if note != "" {
		fmt.Fprintln(a.stderr, "ferry: note:", note)
	}
	return err
}

// openForID reads a deployment ID argument (a usage error when it is not one) and
// only then opens the database.
func (a *app) openForID(arg string) (int64, error) {
	id, err := parseID(arg)
	if err != nil {
		return 0, err
	}
	return id, a.open()
}

func parseID(s string) (int64, error) { return parseNumbered(s, "a deployment") }

// personArg reads who a deployment is given to: a person, or "none" for nobody. An
// empty one is refused: an unset shell variable unassigned it without a word.
func personArg(what, s string) (string, error) {
	switch s = strings.TrimSpace(s); s {
	case "":
		return "", usagef("%s: give a person, or none for nobody", what)
	case "none":
		return "", nil
	}
	return s, nil
}

// parseNumbered reads the ID of what ("a deployment", "an incident"): a positive
// number, "#" before it allowed.
func parseNumbered(s, what string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id < 1 {
		return 0, usagef("%q is not %s ID (a positive number such as 48213)", s, what)
	}
	return id, nil
}

func parseStatuses(s string) ([]models.Status, error) {
	if s == "" {
		return nil, nil
	}
	var out []models.Status
	for _, part := range strings.Split(s, ",") {
		st := models.Status(strings.TrimSpace(part))
		if !st.Valid() {
			return nil, usagef("--status: unknown status %q (one of %s)", st, statusNames())
		}
		out = append(out, st)
	}
	return out, nil
}

func statusNames() string {
	var s []string
	for _, st := range models.Statuses {
		s = append(s, string(st))
	}
	return strings.Join(s, ", ")
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (a *app) editCmd() *cobra.Command {
	var start, duration, assignee, change, after string
	var asJSON, dryRun bool
	cmd := &cobra.Command{
		Use:   "edit ID [--start T] [--duration D] [--assignee P] [--change REF] [--after ID|none] [--dry-run]",
		Short: "Change an unfinished deployment: its window, assignee, change reference, what it waits for",
		Long: "Change a deployment that has not finished, in one act. A new start or length moves its\n" +
			"window (planned deployments only, like a reschedule); each change is checked as its own act\n" +
			"would be and recorded. The conflicts it is in afterwards are listed; --dry-run lists them\n" +
			"without changing anything.",
		Args: exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := a.loadConfig(); err != nil {
				return err
			}
			ed, err := a.editFlags(cmd, start, duration, assignee, change, after)
			if err != nil {
				return err
			}
			id, err := a.openForID(args[0])
			if err != nil {
				return err
			}
			if dryRun {
				d, cs, err := a.eng.PreviewEdit(a.ctx, a.actor, id, ed)
				if err != nil {
					return err
				}
				if asJSON {
					return a.printChanged("", d, cs, true)
				}
				fmt.Fprintf(a.stdout, "Nothing changed (dry run). After this edit: #%d %s, %s, %s\n", d.ID, d.Move(),
					a.window(d), assigneeText(d.Assignee))
				if len(cs) == 0 {
					fmt.Fprintln(a.stdout, "It would be in no conflict.")
				}
				a.printConflicts(cs, "It would be in", d)
				return nil
			}
			out, err := a.eng.EditDeployment(a.ctx, a.actor, id, ed)
			if err != nil {
				return err
			}
			return a.printChanged("Changed", out.Deployment, out.Conflicts, asJSON)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&start, "start", "", "a new start (planned only): YYYY-MM-DD HH:MM in the organisation's zone, or now")
	fl.StringVar(&duration, "duration", "", "a new length, e.g. 45m (planned only)")
	fl.StringVar(&assignee, "assignee", "", "who carries it out (\"none\": nobody yet)")
	fl.StringVar(&change, "change", "", "the change or release reference (\"\": none)")
	fl.StringVar(&after, "after", "", "the deployment it waits for (none: nothing)")
	fl.BoolVar(&dryRun, "dry-run", false, "show the conflicts it would be in, change nothing")
	fl.BoolVar(&asJSON, "json", false, "print the deployment and its conflicts as JSON")
	return cmd
}

// editFlags turns the edit flags that were given into an edit.
func (a *app) editFlags(cmd *cobra.Command, start, duration, assignee, change, after string) (engine.Edit, error) {
	var ed engine.Edit
	set := cmd.Flags().Changed
	if set("start") {
		t, err := a.flagTime("--start", start)
		if err != nil {
			return ed, err
		}
		ed.Start = &t
	}
	if set("duration") {
		d, err := windowLength(duration) // says what plan says
		if err != nil {
			return ed, err
		}
		ed.Duration = &d
	}
	if set("assignee") {
		who, err := personArg("--assignee", assignee)
		if err != nil {
			return ed, err
		}
		ed.Assignee = &who
	}
	if set("change") {
		if err := models.CheckLabel("--change", change); err != nil {
			return ed, usagef("%v", err)
		}
		ed.ChangeRef = &change
	}
	if set("after") {
		var n int64
		if after != "none" { // 0 is no deployment: refused as plan refuses it
			v, err := parseID(strings.TrimPrefix(after, "#"))
			if err != nil {
				return ed, usagef("--after: %q is not a deployment ID (none: waits for nothing)", after)
			}
			n = v
		}
		ed.After = &n
	}
	if ed.Empty() {
		return ed, usagef("say what changes: --start, --duration, --assignee, --change or --after")
	}
	return ed, nil
}

func (a *app) againCmd() *cobra.Command {
	var start string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "again ID [--start T]",
		Short: "Plan a failed or rolled-back deployment anew, with the same content",
		Long: "Plan a new deployment with the failed one's model, component, version, environment,\n" +
			"people, change and length, starting at --start (default now). The failure stays final\n" +
			"for the first; each record shows the link.",
		Args: exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := a.loadConfig(); err != nil {
				return err
			}
			t, err := a.flagTime("--start", start)
			if err != nil {
				return err
			}
			id, err := a.openForID(args[0])
			if err != nil {
				return err
			}
			out, err := a.eng.Again(a.ctx, a.actor, id, t)
			if err != nil {
				return err
			}
			return a.printChanged("Planned again as", out.Deployment, out.Conflicts, asJSON)
		},
	}
	cmd.Flags().StringVar(&start, "start", "now", "when the new deployment starts")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the new deployment and its conflicts as JSON")
	return cmd
}
