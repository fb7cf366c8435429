package cli

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
	"ferry/engine/schedule"
	"ferry/models"
)

// conflictJSON is one conflict in --json output (documented in the README).
type conflictJSON struct {
	ID            string    `json:"id"`
	Kind          string    `json:"kind"`
	DeploymentIDs []int64   `json:"deployment_ids"`
	Environment   string    `json:"environment"`
	Person        string    `json:"person"`
	WindowStart   time.Time `json:"window_start"`
	WindowEnd     time.Time `json:"window_end"`
	Message       string    `json:"message"`
	Status        string    `json:"status"`
	Reason        string    `json:"reason,omitempty"`
	// StartedOver: a deployment of it started while it was open, by a manager's
	// override or as an emergency (on open and unresolved conflicts).
	StartedOver *startedOverJSON `json:"started_over,omitempty"`
}

type startedOverJSON struct {
	Deployment int64     `json:"deployment_id"`
	Kind       string    `json:"kind"` // override or emergency
	By         string    `json:"by"`
	Reason     string    `json:"reason"`
	At         time.Time `json:"at"`
}

type plannedJSON struct {
	deploymentJSON
	Conflicts []conflictJSON `json:"conflicts"`
}

type slotJSON struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

type skippedJSON struct {
	Start  time.Time `json:"start"`
	Reason string    `json:"reason"`
}

type suggestionJSON struct {
	ID      int64         `json:"id"`
	Slots   []slotJSON    `json:"slots"`
	Skipped []skippedJSON `json:"skipped"`
	Passed  int           `json:"passed"`                 // starts nearer than the first slot passed over
	Last    *skippedJSON  `json:"last_skipped,omitempty"` // the last of them, when skipped does not reach it
	Reasons []reasonJSON  `json:"reasons"`                // what the passed starts were in, by kind, most first
}

type reasonJSON struct {
	Kind  string      `json:"kind"`
	Count int         `json:"count"` // passed starts in a conflict of this kind (one may be in several kinds)
	First skippedJSON `json:"first"` // the nearest of them, and its conflict of this kind
}

type freezeHitJSON struct {
	Deployment deploymentJSON `json:"deployment"`
	Conflict   conflictJSON   `json:"conflict"`
	Suggested  *slotJSON      `json:"suggested"`
}

func conflictsToJSON(cs []models.Conflict) []conflictJSON {
	out := make([]conflictJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, conflictJSON{ID: c.ID, Kind: string(c.Kind), DeploymentIDs: c.IDs, Environment: c.Environment,
			Person: c.Person, WindowStart: c.Start.UTC(), WindowEnd: c.End.UTC(), Message: c.Message,
			Status: c.Status, Reason: c.Reason, StartedOver: startedOverToJSON(c.StartedOver)})
	}
	return out
}

func startedOverToJSON(f *models.Finding) *startedOverJSON {
	if f == nil {
		return nil
	}
	return &startedOverJSON{Deployment: f.DeploymentID, Kind: f.Kind, By: f.Actor, Reason: f.Reason, At: f.At.UTC()}
}

func suggestionToJSON(id int64, s schedule.Suggestion) suggestionJSON {
	out := suggestionJSON{ID: id, Slots: []slotJSON{}, Skipped: []skippedJSON{}, Reasons: []reasonJSON{}}
	for _, r := range s.Reasons {
		out.Reasons = append(out.Reasons, reasonJSON{string(r.Kind), r.Count, skippedJSON{r.First.Start.UTC(), r.First.Reason}})
	}
	for _, sl := range s.Slots {
		out.Slots = append(out.Slots, slotJSON{sl.Start.UTC(), sl.End.UTC()})
	}
	for _, sk := range s.Skipped {
		out.Skipped = append(out.Skipped, skippedJSON{sk.Start.UTC(), sk.Reason})
	}
	out.Passed = s.Passed
	if s.Last != nil {
		out.Last = &skippedJSON{s.Last.Start.UTC(), s.Last.Reason}
	}
	return out
}

// printConflicts lists conflicts for people, or nothing when there are none; id is
// the deployment the ways on are about (0: several, or none stored yet).
func (a *app) printConflicts(cs []models.Conflict, lead string, d models.Deployment) {
	if len(cs) == 0 {
		return
	}
	if a.listConflicts(cs, lead, d) == 0 {
		return
	}
	switch {
	case d.ID == 0: // a plan not stored
		fmt.Fprintln(a.stdout, "Plan it at another start, or plan it and resolve them then ('ferry deploy suggest ID').")
	case !engine.MayMove(a.actor, d):
		// Under way it no longer moves, nor for one who may not move it: what is left.
		if ways := a.otherWays(cs, d); ways != "" {
			fmt.Fprintln(a.stdout, ways)
		}
	default:
		fmt.Fprintln(a.stdout, resolveWays(cs, d))
	}
}

// resolveWays are the commands that may settle the conflicts cs of d, a plan that may
// move: a new time, unless a blocked version is all that is open (no move settles
// it: a manager lifts the block); another person only for a person booked twice
// (offered for a freeze, it could not help); a manager's override unless only a
// blocked version is open.
func resolveWays(cs []models.Conflict, d models.Deployment) string {
	ref := strconv.FormatInt(d.ID, 10)
	person, overridable, blocked := false, false, false
	for _, c := range cs {
		if !engine.SettledFor(c, d) {
			person = person || c.Kind == models.ConflictPerson
			overridable = overridable || c.Kind != models.ConflictBlocked
			blocked = blocked || c.Kind == models.ConflictBlocked
		}
	}
	unblock := fmt.Sprintf("a manager's 'ferry version unblock %s %s' once it is fixed", d.Component, d.Version)
	if !overridable {
		return "Only lifting the block settles it: " + unblock + "."
	}
	ways := []string{"'ferry deploy suggest " + ref + "'", "'ferry deploy reschedule " + ref + " --suggested'"}
	if person {
		ways = append(ways, "'ferry deploy assign "+ref+" PERSON'")
	}
	ways = append(ways, "a manager's 'ferry conflicts override CONFLICT_ID --reason R'")
	if blocked {
		ways = append(ways, unblock)
	}
	rest := ways[2:] // on a line of their own: the first line is long already
	tail := "or " + rest[len(rest)-1]
	if len(rest) > 1 {
		tail = strings.Join(rest[:len(rest)-1], ", ") + ", " + tail
	}
	return "Resolve with " + ways[0] + ", " + ways[1] + ",\n" + tail + "."
}

// otherWays are the ways left when d itself does not move: the others in a conflict
// with them may, and a manager may accept one (not a blocked version, which only
// unblocking settles).
func (a *app) otherWays(cs []models.Conflict, d models.Deployment) string {
	others, overridable := false, false
	for _, c := range cs {
		if engine.SettledFor(c, d) {
			continue
		}
		others = others || len(c.IDs) > 1
		overridable = overridable || c.Kind != models.ConflictBlocked
	}
	const override = "a manager accepts one with 'ferry conflicts override CONFLICT_ID --reason R'"
	switch {
	case others && overridable:
		return "The others in them may move, or " + override + "."
	case others:
		return "The others in them may move."
	case overridable:
		return strings.ToUpper(override[:1]) + override[1:] + "."
	}
	return ""
}

// listConflicts lists conflicts under lead, without the ways to resolve them: each
// open one marked ✗, one settled for d (overridden, or started anyway against while
// d is no longer a plan: engine.SettledFor) ✓ with who settled it and why under it.
// A zero d stands for a plan not stored. It returns how many are open for d.
func (a *app) listConflicts(cs []models.Conflict, lead string, d models.Deployment) (open int) {
	if open = engine.CountOpenFor(cs, d); open < len(cs) {
		fmt.Fprintf(a.stdout, "%s %d conflict%s, %d open:\n", lead, len(cs), models.Plural(len(cs)), open)
	} else {
		fmt.Fprintf(a.stdout, "%s %d conflict%s:\n", lead, len(cs), models.Plural(len(cs)))
	}
	for _, c := range cs {
		mark := "✗"
		if engine.SettledFor(c, d) {
			mark = "✓"
		}
		if c.ID == "" { // a plan not stored: nothing to override yet
			fmt.Fprintf(a.stdout, "  %s %-11s %s\n", mark, c.Kind, c.Message)
			continue
		}
		fmt.Fprintf(a.stdout, "  %s %s %-11s %s\n", mark, c.ID, c.Kind, c.Message)
		if settled := cmp.Or(c.StartedText(), c.OverrideText()); settled != "" {
			fmt.Fprintf(a.stdout, "    %s\n", settled)
		}
	}
	return open
}

// refusedByConflicts prints a strict refusal's conflicts (as JSON when asked) and
// returns the error for exit code 1.
func (a *app) refusedByConflicts(err error, asJSON bool) error {
	var ce *engine.ConflictsError
	if !errors.As(err, &ce) || !asJSON {
		return err
	}
	_ = writeJSON(a.stdout, map[string]any{"refused": true, "conflicts": conflictsToJSON(ce.Conflicts)})
	return err
}

func (a *app) conflictsCmd() *cobra.Command {
	var env string
	var asJSON, openOnly, all bool
	cmd := &cobra.Command{
		Use:   "conflicts [--env E] [--open] [--json]",
		Short: "List conflicts between unfinished deployments",
		Long: "Detects every conflict among unfinished deployments: capacity, component, person,\n" +
			"freeze, maintenance, promotion, dependency, blocked_version and related. Overridden ones are\n" +
			"listed as such.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			if err := a.filterEnv(env); err != nil {
				return err
			}
			if all && openOnly {
				return usagef("--open and --all: give one or the other")
			}
			cs, err := a.eng.Conflicts(a.ctx, a.actor, engine.ConflictFilter{Environment: env, OpenOnly: !all, All: all})
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, conflictsToJSON(cs))
			}
			if len(cs) == 0 {
				fmt.Fprintln(a.stdout, "No conflicts.")
				return nil
			}
			tw := table(a.stdout)
			fmt.Fprintln(tw, "ID\tKIND\tSTATUS\tWHEN\tDEPLOYMENTS\tWHAT")
			for _, c := range cs {
				ids := make([]string, len(c.IDs))
				for i, id := range c.IDs {
					ids[i] = fmt.Sprintf("#%d", id)
				}
				// Who settled it and why lead the message, not the status column: a
				// reason may be a paragraph, and the table would be as wide.
				status, what := c.Status, c.Message
				if settled := cmp.Or(c.StartedText(), c.OverrideText()); settled != "" {
					what = settled + " — " + what
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Kind, status, a.local(c.Start),
					strings.Join(ids, " "), what)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%d conflict%s, %d open.\n", len(cs), models.Plural(len(cs)), engine.CountOpen(cs))
			return nil
		},
	}
	cmd.Flags().StringVar(&env, "env", "", "only conflicts in this environment")
	cmd.Flags().BoolVar(&openOnly, "open", false, "only conflicts nobody overrode (the default)")
	cmd.Flags().BoolVar(&all, "all", false, "also the overridden ones, and those left unresolved when a deployment finished")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as a JSON array")
	cmd.AddCommand(a.overrideCmd())
	return cmd
}

func (a *app) overrideCmd() *cobra.Command {
	var reason string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "override CONFLICT_ID --reason R",
		Short: "Accept a conflict with a written reason (managers only)",
		Args:  exactArgs(1, "one conflict ID (from 'ferry conflicts')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return usagef("--reason: %s", engine.NeedOverrideReason)
			}
			if err := a.open(); err != nil {
				return err
			}
			c, err := a.eng.Override(a.ctx, a.actor, args[0], reason)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, conflictsToJSON([]models.Conflict{c})[0])
			}
			fmt.Fprintf(a.stdout, "Overridden %s (%s): %s\n", c.ID, c.Kind, c.Message)
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the conflict is accepted (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the overridden conflict as JSON")
	return cmd
}

func (a *app) suggestCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "suggest ID [--json]",
		Short: "Find the conflict-free slot nearest a planned deployment's start, earlier or later",
		Args:  exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := a.openForID(args[0])
			if err != nil {
				return err
			}
			sug, err := a.eng.Suggest(a.ctx, a.actor, id)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, suggestionToJSON(id, sug))
			}
			if len(sug.Slots) == 0 {
				msg := engine.NoSlotText(id, sug)
				fmt.Fprintf(a.stdout, "%s%s.\n", strings.ToUpper(msg[:1]), msg[1:])
			}
			for i, s := range sug.Slots {
				label := "alternative"
				if i == 0 {
					label = "nearest"
				}
				fmt.Fprintf(a.stdout, "%-11s  %s\n", label, engine.WindowText(s.Start, s.End, a.cfg.Location))
			}
			a.printPassed(sug)
			if len(sug.Slots) == 0 {
				return nil
			}
			// The way there only to one the engine lets move it: an analyst reads the
			// suggestion, and reschedule would refuse them. A plan already in the
			// nearest free slot has nowhere to go.
			d, err := a.eng.Get(a.ctx, a.actor, id)
			if err != nil {
				return err
			}
			if sug.Slots[0].Start.Equal(d.ScheduledStart) && sug.Slots[0].End.Equal(d.ScheduledEnd) {
				fmt.Fprintf(a.stdout, "\n#%d is in no conflict where it is: its own window is the nearest free one.\n", id)
				return nil
			}
			if engine.MayMove(a.actor, d) {
				fmt.Fprintf(a.stdout, "\nMove it there: ferry deploy reschedule %d --suggested\n", id)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

// printPassed says why the starts nearer than the first slot were passed over: how
// many were in each kind of conflict, most first, each with the nearest of them.
func (a *app) printPassed(sug schedule.Suggestion) {
	if sug.Passed == 0 || len(sug.Reasons) == 0 {
		return
	}
	fmt.Fprintf(a.stdout, "\nPassed over %d nearer start%s, each in one kind of conflict or more:\n", sug.Passed, models.Plural(sug.Passed))
	width := len(fmt.Sprint(sug.Reasons[0].Count))
	for _, r := range sug.Reasons {
		fmt.Fprintf(a.stdout, "  %*d in a %s conflict, the nearest at %s: %s\n", width, r.Count, r.Kind.Words(),
			a.eng.Local(r.First.Start), r.First.Reason)
	}
}

func (a *app) rescheduleCmd() *cobra.Command {
	var start, end, duration string
	var suggested, asJSON bool
	cmd := &cobra.Command{
		Use:   "reschedule ID (--start T [--end T | --duration D] | --suggested)",
		Short: "Move a planned deployment to another window",
		Args:  exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			if suggested == (start != "") {
				return usagef("give either --start or --suggested")
			}
			if suggested && (end != "" || duration != "") {
				return usagef("--suggested keeps the duration; drop --end and --duration")
			}
			if _, err := a.loadConfig(); err != nil {
				return err
			}
			var s, e time.Time
			var d time.Duration
			if !suggested {
				if s, e, d, err = a.window3(start, end, duration); err != nil {
					return err
				}
				if d > 0 {
					e = s.Add(d)
				}
			}
			if err := a.open(); err != nil {
				return err
			}
			var out engine.Outcome
			if suggested {
				out, err = a.eng.RescheduleSuggested(a.ctx, a.actor, id)
			} else {
				out, err = a.eng.Reschedule(a.ctx, a.actor, id, s, e)
			}
			if err != nil {
				return err
			}
			return a.printChanged("Rescheduled", out.Deployment, out.Conflicts, asJSON)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&start, "start", "", "new start")
	fl.StringVar(&end, "end", "", "new end")
	fl.StringVar(&duration, "duration", "", "new duration (default: keep it)")
	fl.BoolVar(&suggested, "suggested", false, "move to the conflict-free slot nearest its start (as deploy suggest)")
	fl.BoolVar(&asJSON, "json", false, "print the deployment and its conflicts as JSON")
	return cmd
}

func (a *app) assignCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "assign ID PERSON|none",
		Short: "Give a deployment to another person, or to nobody (none)",
		Args:  exactArgs(2, "a deployment ID and a person"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := a.openForID(args[0])
			if err != nil {
				return err
			}
			who, err := personArg("PERSON", args[1])
			if err != nil {
				return err
			}
			out, err := a.eng.Assign(a.ctx, a.actor, id, who)
			if err != nil {
				return err
			}
			return a.printChanged("Assigned", out.Deployment, out.Conflicts, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the deployment and its conflicts as JSON")
	return cmd
}

// assigneeText is who carries it out, in a sentence: "nobody assigned" rather than a
// dash at its end.
func assigneeText(name string) string {
	if name == "" {
		return "nobody assigned"
	}
	return name
}

func (a *app) printChanged(verb string, d models.Deployment, cs []models.Conflict, asJSON bool) error {
	if asJSON {
		return writeJSON(a.stdout, plannedJSON{toJSON(d), conflictsToJSON(cs)})
	}
	fmt.Fprintf(a.stdout, "%s #%d %s, %s, %s\n", verb, d.ID, d.Move(), a.window(d), assigneeText(d.Assignee))
	a.printConflicts(cs, "It is in", d)
	return nil
}

func (a *app) freezeCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "freeze", Short: "See and resolve what freeze windows break", Args: noArgs}
	var asJSON bool
	impact := &cobra.Command{
		Use:   "impact [--json]",
		Short: "List planned deployments inside a freeze window, with suggested slots",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			hits, err := a.eng.FreezeImpact(a.ctx, a.actor)
			if err != nil {
				return err
			}
			if asJSON {
				out := make([]freezeHitJSON, 0, len(hits))
				for _, h := range hits {
					j := freezeHitJSON{Deployment: toJSON(h.Deployment), Conflict: conflictsToJSON([]models.Conflict{h.Conflict})[0]}
					if len(h.Suggestion.Slots) > 0 {
						s := h.Suggestion.Slots[0]
						j.Suggested = &slotJSON{s.Start.UTC(), s.End.UTC()}
					}
					out = append(out, j)
				}
				return writeJSON(a.stdout, out)
			}
			if len(hits) == 0 {
				fmt.Fprintln(a.stdout, "No planned deployment is inside a freeze window.")
				return nil
			}
			for _, h := range hits {
				to := "nowhere to go: " + engine.NoSlot + engine.NoSlotWhy(h.Deployment.ID, h.Suggestion)
				if len(h.Suggestion.Slots) > 0 {
					sl := h.Suggestion.Slots[0]
					to = "suggested → " + engine.WindowText(sl.Start, sl.End, a.cfg.Location)
				}
				fmt.Fprintf(a.stdout, "#%d %s, %s\n    %s\n    %s\n", h.Deployment.ID, h.Deployment.Move(),
					a.window(h.Deployment), h.Conflict.Message, to)
			}
			fmt.Fprintf(a.stdout, "%d deployment%s broken by freezes. Move them all: ferry freeze apply\n", len(hits), models.Plural(len(hits)))
			return nil
		},
	}
	impact.Flags().BoolVar(&asJSON, "json", false, "print as a JSON array")
	apply := &cobra.Command{
		Use:   "apply",
		Short: "Move every planned deployment inside a freeze window to its suggested slot",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			moved, err := a.eng.FreezeApply(a.ctx, a.actor)
			if err != nil {
				return err
			}
			for _, d := range moved {
				fmt.Fprintf(a.stdout, "Moved #%d %s to %s\n", d.ID, d.Move(), a.window(d))
			}
			fmt.Fprintf(a.stdout, "%d deployment%s moved.\n", len(moved), models.Plural(len(moved)))
			return nil
		},
	}
	cmd.AddCommand(impact, apply)
	return cmd
}
