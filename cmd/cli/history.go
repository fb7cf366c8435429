package cli

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
	"ferry/engine/export"
	"ferry/models"
)

func (a *app) historyCmd() *cobra.Command {
	var f struct {
		from, to, env, status, model, service, component, kind, assignee, requester, change, search string
		after, format                                                                               string
		modelVersion, limit                                                                         int
		oldest                                                                                      bool
	}
	names := func() filterNames {
		return filterNames{service: f.service, component: f.component, assignee: f.assignee, requester: f.requester, model: f.model}
	}
	cmd := &cobra.Command{
		Use:   "history [filters] [--oldest-first] [--format table|csv|json|markdown] [--limit N] [--after CURSOR]",
		Short: "Every deployment ever, newest first, filtered; exports CSV, JSON and Markdown",
		Long: "Lists deployments newest first by scheduled start (--oldest-first: the other way).\n" +
			"Pages stay fast at any depth:\n" +
			"pass --after with the cursor printed at the end of a page (start/id of its last row).\n" +
			"--from and --to take a date (YYYY-MM-DD, the organisation's zone), a local time\n" +
			"or RFC 3339; --to is exclusive.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.limit < 1 {
				return usagef("--limit: must be at least 1, got %d", f.limit)
			}
			if !slices.Contains([]string{"table", "csv", "json", "markdown"}, f.format) {
				return usagef("--format: %q is not table, csv, json or markdown", f.format)
			}
			if f.kind != "" && !models.Kind(f.kind).Valid() {
				return usagef("--kind: unknown kind %q (software, hardware, documentation, licence, data)", f.kind)
			}
			if cmd.Flags().Changed("model-version") && f.modelVersion < 1 {
				return usagef("--model-version: versions count from 1, got %d", f.modelVersion)
			}
			if f.modelVersion != 0 && f.model == "" {
				return usagef("--model-version needs --model")
			}
			statuses, err := parseStatuses(f.status)
			if err != nil {
				return err
			}
			if _, err := a.loadConfig(); err != nil {
				return err
			}
			filter := models.Filter{Environment: f.env, Statuses: statuses, Model: f.model, ModelVersion: f.modelVersion,
				Service: f.service, Component: f.component, Kind: models.Kind(f.kind), Assignee: f.assignee,
				Requester: f.requester, ChangeRef: f.change, Search: f.search, Limit: f.limit, Oldest: f.oldest}
			if filter.From, err = a.flagDate("--from", f.from); err != nil {
				return err
			}
			if filter.To, err = a.flagDate("--to", f.to); err != nil {
				return err
			}
			if !filter.From.IsZero() && !filter.To.IsZero() && !filter.From.Before(filter.To) {
				return usagef("--to: %s is not after --from %s: nothing could match%s", f.to, f.from, a.dayAfterHint(f.to))
			}
			if f.after != "" {
				if filter.After, err = parseCursor(f.after); err != nil {
					return err
				}
			}
			if err := a.open(); err != nil {
				return err
			}
			if err := a.filterEnv(f.env); err != nil {
				return err
			}
			if f.format != "table" && !cmd.Flags().Changed("limit") {
				return a.exportHistory(export.Format(f.format), filter, names())
			}
			// One row past the page says whether there is another: a page that ended
			// the history exactly said "more" and led to an empty one.
			filter.Limit = min(f.limit, math.MaxInt-1) + 1
			list, err := a.eng.List(a.ctx, a.actor, filter)
			if err != nil {
				return err
			}
			more := len(list) > f.limit
			list = list[:min(len(list), f.limit)]
			if len(list) == 0 {
				a.notUnknown(names())
			}
			if f.format != "table" {
				err = export.WriteDeployments(a.stdout, export.Format(f.format), a.cfg.Location, list)
			} else {
				a.printHistory(list)
			}
			if err == nil && more {
				fmt.Fprintf(a.stderr, "ferry: more deployments match than these %d; to see the next page, "+
					"run the same command with --after %s\n", len(list), formatCursor(list[len(list)-1]))
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", "scheduled to start at or after this")
	fl.StringVar(&f.to, "to", "", "scheduled to start before this")
	fl.StringVar(&f.env, "env", "", "environment")
	fl.StringVar(&f.status, "status", "", "statuses, comma-separated")
	fl.StringVar(&f.model, "model", "", "deployment model")
	fl.IntVar(&f.modelVersion, "model-version", 0, "model version (with --model)")
	fl.StringVar(&f.service, "service", "", "service")
	fl.StringVar(&f.component, "component", "", "component")
	fl.StringVar(&f.kind, "kind", "", "component kind")
	fl.StringVar(&f.assignee, "assignee", "", "assignee")
	fl.StringVar(&f.requester, "requester", "", "requester")
	fl.StringVar(&f.change, "change", "", "change reference")
	fl.StringVar(&f.search, "search", "", "words in the component, service, version, change, notes, block reasons or incidents (all must match; the last may be a prefix)")
	fl.BoolVar(&f.oldest, "oldest-first", false, "oldest first by scheduled start, as the console's o")
	fl.StringVar(&f.after, "after", "", "continue after this cursor (printed at the end of a page)")
	fl.StringVar(&f.format, "format", "table", "table, csv, json or markdown")
	fl.IntVar(&f.limit, "limit", 50, "rows in this page (an export in csv, json or markdown without it has every row)")
	return cmd
}

// exportHistory writes every deployment filter matches in format, a page at a time:
// an export is the whole history asked for, not its first page (an analyst's CSV
// over SSH held 50 of 20,000 rows and said nothing).
func (a *app) exportHistory(format export.Format, filter models.Filter, names filterNames) error {
	list := func(ctx context.Context, f models.Filter) ([]models.Deployment, error) {
		return a.eng.List(ctx, a.actor, f)
	}
	n, err := export.History(a.ctx, a.stdout, format, a.cfg.Location, list, filter, nil)
	if err == nil && n == 0 {
		a.notUnknown(names)
	}
	return err
}

// filterNames are the names a listing was filtered by that config may not know.
type filterNames struct{ service, component, assignee, requester, model string }

// notUnknown says, when a filter matched nothing, which names it gave that config
// does not know: a typo read as "no deployments match" before. The record may hold
// names config has since dropped, so they filter rather than refuse.
func (a *app) notUnknown(n filterNames) {
	if _, ok := a.cfg.Service(n.service); n.service != "" && !ok {
		a.noteUnknown("--service", n.service, "service")
	}
	if _, ok := a.cfg.Component(n.component); n.component != "" && !ok {
		a.noteUnknown("--component", n.component, "component")
	}
	if _, ok := a.cfg.Model(n.model); n.model != "" && !ok {
		a.noteUnknown("--model", n.model, "model")
	}
	if _, ok := a.cfg.Person(n.assignee); n.assignee != "" && !ok {
		a.noteUnknown("--assignee", n.assignee, "person")
	}
	if _, ok := a.cfg.Person(n.requester); n.requester != "" && !ok {
		a.noteUnknown("--requester", n.requester, "person")
	}
}

// noteUnknown says on stderr that flag's name is no what config knows (listing the
// known ones when given): it still filtered, as the record may name ones since removed.
func (a *app) noteUnknown(flag, name, what string, known ...string) {
	also := "the record may still name ones since removed"
	if len(known) > 0 {
		also = strings.Join(known, ", ") + "; " + also
	}
	fmt.Fprintf(a.stderr, "ferry: note: %s %q is no %s in %s (%s)\n", flag, name, what, a.cfg.File, also)
}

func (a *app) printHistory(list []models.Deployment) {
	if len(list) == 0 {
		fmt.Fprintln(a.stdout, "No deployments match.")
		return
	}
	tw := table(a.stdout)
	fmt.Fprintln(tw, "ID\tSTART\tENV\tCOMPONENT\tVERSION\tMODEL\tSTATUS\tASSIGNEE\tCHANGE")
	for _, d := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s v%d\t%s\t%s\t%s\n", d.ID, a.local(d.ScheduledStart), d.Environment,
			d.Component, cell(d.VersionWords()), d.Model, d.ModelVersion, d.Status, dash(d.Assignee), cell(dash(d.ChangeRef)))
	}
	tw.Flush()
}

// formatCursor names the position after d: its scheduled start and id.
func formatCursor(d models.Deployment) string {
	return d.ScheduledStart.UTC().Format(time.RFC3339) + "/" + strconv.FormatInt(d.ID, 10)
}

func parseCursor(s string) (*models.Cursor, error) {
	at, id, ok := strings.Cut(s, "/")
	t, err1 := time.Parse(time.RFC3339, at)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n < 1 { // a page ends at a deployment, whose IDs start at 1
		return nil, usagef("--after: %q is not a cursor (START/ID, as printed at the end of a page)", s)
	}
	return &models.Cursor{Start: t, ID: n}, nil
}

// flagDate reads a date (local midnight), a local time or RFC 3339; "" is no bound.
func (a *app) flagDate(flag, v string) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		return time.Time{}, nil
	}
	t, _, err := models.ParseDate(v, a.cfg.Location)
	if err != nil {
		return t, usagef("%s: %v", flag, err)
	}
	a.noteTwice(flag, v)
	return t, nil
}

// dayAfterHint says, for a --to that is a date, how to include that day: --to is
// exclusive, so --from D --to D matches nothing.
func (a *app) dayAfterHint(to string) string {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(to), a.cfg.Location)
	if err != nil {
		return ""
	}
	return fmt.Sprintf(" (--to is exclusive: --to %s includes %s)", t.AddDate(0, 0, 1).Format(time.DateOnly), to)
}

func (a *app) incidentCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "incident", Short: "Record incidents linked to deployments", Args: noArgs}
	var opened, resolved, summary string
	var asJSON bool
	add := &cobra.Command{
		Use:   "add ID --opened T --summary S [--resolved T]",
		Short: "Record an incident caused by (or linked to) a deployment",
		Args:  exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			if strings.TrimSpace(summary) == "" {
				return usagef("--summary: %s", engine.NeedIncidentSummary)
			}
			if _, err := a.loadConfig(); err != nil {
				return err
			}
			o, err := a.flagTime("--opened", opened)
			if err != nil {
				return err
			}
			var r time.Time
			if resolved != "" {
				if r, err = a.flagTime("--resolved", resolved); err != nil {
					return err
				}
			}
			if err := a.open(); err != nil {
				return err
			}
			in, err := a.eng.AddIncident(a.ctx, a.actor, id, o, r, summary)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, incidentToJSON(in)) // as list, resolve and update print it
			}
			fmt.Fprintf(a.stdout, "Recorded incident %d on #%d, opened %s.\n", in.ID, id, a.local(in.OpenedAt))
			return nil
		},
	}
	add.Flags().StringVar(&opened, "opened", "", "when it began (required)")
	add.Flags().StringVar(&resolved, "resolved", "", "when it was resolved")
	add.Flags().StringVar(&summary, "summary", "", "what happened (required)")
	add.Flags().BoolVar(&asJSON, "json", false, "print the incident as JSON")
	_ = add.MarkFlagRequired("opened")
	cmd.AddCommand(add, a.incidentResolveCmd(), a.incidentUpdateCmd(), a.incidentListCmd())
	return cmd
}

func incidentToJSON(in models.Incident) incidentJSON {
	return incidentJSON{ID: in.ID, DeploymentID: in.DeploymentID, OpenedAt: in.OpenedAt.UTC(), ResolvedAt: optTime(in.ResolvedAt),
		Summary: in.Summary}
}

func (a *app) incidentResolveCmd() *cobra.Command {
	var at, note string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "resolve INCIDENT --at T [--note N]",
		Short: "Record when an incident was resolved (its time to restore ends there)",
		Args:  exactArgs(1, "one incident ID (ferry incident list shows them)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseNumbered(args[0], "an incident")
			if err != nil {
				return err
			}
			if _, err := a.loadConfig(); err != nil {
				return err
			}
			t, err := a.flagTime("--at", at)
			if err != nil {
				return err
			}
			return a.changeIncident(id, engine.IncidentChange{Resolved: &t, Resolve: true, Note: note}, asJSON)
		},
	}
	cmd.Flags().StringVar(&at, "at", "now", "when it was resolved")
	cmd.Flags().StringVar(&note, "note", "", "how, for the record")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the incident as JSON")
	return cmd
}

func (a *app) incidentUpdateCmd() *cobra.Command {
	var summary, note, resolved string
	var reopen, asJSON bool
	cmd := &cobra.Command{
		Use:   "update INCIDENT [--summary S] [--resolved T | --reopen] [--note N]",
		Short: "Change an incident's summary or resolution, or open a resolved one again",
		Args:  exactArgs(1, "one incident ID (ferry incident list shows them)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseNumbered(args[0], "an incident")
			if err != nil {
				return err
			}
			var ch engine.IncidentChange
			if cmd.Flags().Changed("summary") {
				ch.Summary = &summary
			}
			switch {
			case reopen && cmd.Flags().Changed("resolved"):
				return usagef("--resolved and --reopen: give one")
			case reopen:
				ch.Resolved = &time.Time{}
			case cmd.Flags().Changed("resolved"):
				if _, err := a.loadConfig(); err != nil {
					return err
				}
				at, err := a.flagTime("--resolved", resolved)
				if err != nil {
					return err
				}
				ch.Resolved = &at
			}
			if ch.Summary == nil && ch.Resolved == nil {
				return usagef("say what changes: --summary S, --resolved T or --reopen")
			}
			ch.Note = note
			return a.changeIncident(id, ch, asJSON)
		},
	}
	cmd.Flags().StringVar(&summary, "summary", "", "what happened, in other words")
	cmd.Flags().BoolVar(&reopen, "reopen", false, "the incident is not resolved after all")
	cmd.Flags().StringVar(&resolved, "resolved", "", "when it was resolved (a time, or now)")
	cmd.Flags().StringVar(&note, "note", "", "why, for the record")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the incident as JSON")
	return cmd
}

func (a *app) changeIncident(id int64, ch engine.IncidentChange, asJSON bool) error {
	if err := a.open(); err != nil {
		return err
	}
	in, err := a.eng.UpdateIncident(a.ctx, a.actor, id, ch)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(a.stdout, incidentToJSON(in))
	}
	state := "open"
	if !in.ResolvedAt.IsZero() {
		state = "resolved " + a.local(in.ResolvedAt)
	}
	fmt.Fprintf(a.stdout, "Incident %d on #%d: %s, %s.\n", in.ID, in.DeploymentID, in.Summary, state)
	return nil
}

func (a *app) incidentListCmd() *cobra.Command {
	var open, asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--open] [--json]",
		Short: "Incidents, newest first",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			list, err := a.eng.Incidents(a.ctx, a.actor, open)
			if err != nil {
				return err
			}
			return writeList(a.stdout, asJSON, list, incidentToJSON, "No incidents.", "ID\tDEPLOYMENT\tOPENED\tRESOLVED\tSUMMARY",
				func(in models.Incident) string {
					resolved := "open"
					if !in.ResolvedAt.IsZero() {
						resolved = a.local(in.ResolvedAt)
					}
					return fmt.Sprintf("%d\t#%d\t%s\t%s\t%s", in.ID, in.DeploymentID, a.local(in.OpenedAt), resolved, cell(in.Summary))
				})
		},
	}
	cmd.Flags().BoolVar(&open, "open", false, "only incidents not resolved")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as a JSON array")
	return cmd
}
