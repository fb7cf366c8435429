package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
)

// whereJSON is the environment matrix in --json output (documented in the README).
type whereJSON struct {
	Environments []string       `json:"environments"`
	Components   []whereRowJSON `json:"components"`
}

type whereRowJSON struct {
	Service   string          `json:"service"`
	Component string          `json:"component"`
	Kind      string          `json:"kind"`
	Cells     []whereCellJSON `json:"cells"`
}

type whereCellJSON struct {
	Environment  string         `json:"environment"`
	Version      string         `json:"version"`       // "" when nothing runs there
	DeploymentID int64          `json:"deployment_id"` // the last success there (a removal too), 0 if none
	Since        *time.Time     `json:"since"`         // when it finished
	By           string         `json:"by"`            // who carried it out
	Removed      bool           `json:"removed"`       // the last success was a removal
	Next         *whereNextJSON `json:"next"`
	Differs      bool           `json:"differs"`  // what comes next changes what runs there
	Blocked      string         `json:"blocked"`  // why the version there is blocked, "" if it is not
	OffPath      bool           `json:"off_path"` // nothing there, and no model takes the component there
}

type whereNextJSON struct {
	ID          int64     `json:"id"`
	Version     string    `json:"version"`
	Action      string    `json:"action"`
	Status      string    `json:"status"`
	Assignee    string    `json:"assignee"`
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
	Blocked     string    `json:"blocked"` // why its version is blocked, "" if it is not
}

func whereToJSON(w engine.Where) whereJSON {
	out := whereJSON{Environments: w.Environments, Components: []whereRowJSON{}}
	for _, r := range w.Rows {
		row := whereRowJSON{Service: r.Service, Component: r.Component, Kind: string(r.Kind), Cells: []whereCellJSON{}}
		for _, c := range r.Cells {
			row.Cells = append(row.Cells, cellToJSON(c))
		}
		out.Components = append(out.Components, row)
	}
	return out
}

func cellToJSON(c engine.WhereCell) whereCellJSON {
	out := whereCellJSON{Environment: c.Environment, Version: c.Version(), Differs: c.Differs, Blocked: c.Blocked, OffPath: c.OffPath}
	last := c.Current
	if last == nil {
		last, out.Removed = c.Removed, c.Removed != nil
	}
	if last != nil {
		out.DeploymentID, out.Since, out.By = last.ID, optTime(last.FinishedAt), last.DoneBy()
	}
	if n := c.Next; n != nil {
		out.Next = &whereNextJSON{ID: n.ID, Version: n.Version, Action: string(n.Action), Status: string(n.Status),
			Assignee: n.Assignee, WindowStart: n.ScheduledStart.UTC(), WindowEnd: n.ScheduledEnd.UTC(), Blocked: c.NextBlocked}
	}
	return out
}

func (a *app) whereCmd() *cobra.Command {
	var f engine.WhereFilter
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "where [--service S] [--component C] [--json]",
		Short: "Which version of each component runs in each environment, and what comes next",
		Long: "The environment matrix: for each component and environment, the version last deployed\n" +
			"successfully there (a removal empties it), when and by whom, and the deployment running\n" +
			"or planned there next. A next that would change the version is marked ≠.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			w, err := a.eng.Where(a.ctx, a.actor, f)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, whereToJSON(w))
			}
			return a.printWhere(w)
		},
	}
	cmd.Flags().StringVar(&f.Service, "service", "", "only this service's components")
	cmd.Flags().StringVar(&f.Component, "component", "", "only this component")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func (a *app) printWhere(w engine.Where) error {
	tw := table(a.stdout)
	fmt.Fprintln(tw, "COMPONENT\tENVIRONMENT\tVERSION\tSINCE\tBY\tNEXT")
	for _, r := range w.Rows {
		for _, c := range r.Cells {
			version, since, by := "—", "", ""
			switch {
			case c.OffPath:
				// short: it sizes the column, and "no model goes there" made it 23 wide
				version = "· off path"
			case c.Current != nil:
				version, since, by = c.Current.Version, a.local(c.Current.FinishedAt), c.Current.DoneBy()
			case c.Removed != nil:
				version, since, by = "— removed", a.local(c.Removed.FinishedAt), c.Removed.DoneBy()
			}
			if c.Blocked != "" {
				version += " ✗ blocked"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Component, c.Environment, version, since, by, a.nextText(c))
		}
	}
	return tw.Flush()
}

// nextText is what comes to a cell: "≠ 4.13.0 planned 2026-11-27 10:00 #12".
func (a *app) nextText(c engine.WhereCell) string {
	n := c.Next
	if n == nil {
		return ""
	}
	mark := "="
	if c.Differs {
		mark = "≠"
	}
	what := n.VersionWords()
	state := "planned " + a.local(n.ScheduledStart)
	if n.Status.Running() {
		state = n.Status.Words() // as deploy show says it, not the stored name
		if c.NextInterrupted {
			state += ", interrupted"
		}
	}
	if c.NextBlocked != "" {
		state += " ✗ blocked"
	}
	return fmt.Sprintf("%s %s %s #%d", mark, what, state, n.ID)
}
