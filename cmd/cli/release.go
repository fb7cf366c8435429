package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
	"ferry/models"
)

// releaseJSON is a release in --json output (documented in the README).
type releaseJSON struct {
	Name        string              `json:"name"`
	ChangeRef   string              `json:"change_ref"`
	Notes       string              `json:"notes"`
	CreatedBy   string              `json:"created_by"`
	CreatedAt   time.Time           `json:"created_at"`
	Components  []releaseCompJSON   `json:"components"`
	Status      []releaseStatusJSON `json:"status"`
	Deployments []deploymentJSON    `json:"deployments"`
	Conflicts   []conflictJSON      `json:"conflicts,omitempty"`
	Skipped     []string            `json:"skipped,omitempty"`
}

type releaseCompJSON struct {
	Component string `json:"component"`
	Version   string `json:"version"`
}

type releaseStatusJSON struct {
	Environment   string  `json:"environment"`
	Status        string  `json:"status"` // "" (not there), planned, running, partly failed, done, cancelled
	DeploymentIDs []int64 `json:"deployment_ids"`
}

func releaseToJSON(v engine.ReleaseView) releaseJSON {
	out := releaseJSON{Name: v.Name, ChangeRef: v.ChangeRef, Notes: v.Notes, CreatedBy: v.CreatedBy,
		CreatedAt: v.CreatedAt.UTC(), Components: []releaseCompJSON{}, Status: []releaseStatusJSON{}, Deployments: []deploymentJSON{}}
	for _, c := range v.Components {
		out.Components = append(out.Components, releaseCompJSON{c.Component, c.Version})
	}
	for _, s := range v.Status {
		ids := s.IDs
		if ids == nil {
			ids = []int64{}
		}
		out.Status = append(out.Status, releaseStatusJSON{s.Environment, string(s.Status), ids})
	}
	for _, d := range v.Deployments {
		out.Deployments = append(out.Deployments, toJSON(d))
	}
	return out
}

func (a *app) releaseCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "release",
		Short: "Releases: sets of component versions that move through the environments together",
		Args:  noArgs,
	}
	cmd.AddCommand(a.releaseCreateCmd(), a.releaseListCmd(), a.releaseShowCmd(), a.releasePlanCmd(false), a.releasePlanCmd(true))
	return cmd
}

func (a *app) releaseCreateCmd() *cobra.Command {
	var comps []string
	var r engine.NewRelease
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "create NAME --component C=V ... [--change REF] [--notes TEXT] [--json]",
		Short: "Create a release: one version of each of several components",
		Args:  exactArgs(1, "the release's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r.Name = args[0]
			if len(comps) == 0 {
				return usagef("--component: a release needs at least one component version (--component C=V)")
			}
			for _, c := range comps {
				parsed, err := engine.ParseReleaseComponents(c)
				if err != nil {
					return usagef("--component: %v", err)
				}
				r.Components = append(r.Components, parsed...)
			}
			if err := a.open(); err != nil {
				return err
			}
			rel, err := a.eng.CreateRelease(a.ctx, a.actor, r)
			if err != nil {
				return err
			}
			return a.printRelease(rel.Name, asJSON, "Created release")
		},
	}
	cmd.Flags().StringArrayVar(&comps, "component", nil, "COMPONENT=VERSION (repeat for each component)")
	cmd.Flags().StringVar(&r.ChangeRef, "change", "", "the change it belongs to (its deployments' change reference; default the release's name)")
	cmd.Flags().StringVar(&r.Notes, "notes", "", "release notes")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the release as JSON")
	return cmd
}

func (a *app) releaseListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "Every release, newest first, with its status in each environment",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			vs, err := a.eng.Releases(a.ctx, a.actor)
			if err != nil {
				return err
			}
			return writeList(a.stdout, asJSON, vs, releaseToJSON,
				"No releases yet: create one with 'ferry release create NAME --component C=V ...'.",
				"RELEASE\tCOMPONENTS\t"+strings.ToUpper(strings.Join(a.cfg.EnvironmentNames(), "\t")),
				func(v engine.ReleaseView) string {
					return fmt.Sprintf("%s\t%d\t%s", v.Name, len(v.Components), strings.Join(statusWords(v), "\t"))
				})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as a JSON array")
	return cmd
}

// statusWords is the release's status in each environment, "—" where it never went.
func statusWords(v engine.ReleaseView) []string {
	out := make([]string, len(v.Status))
	for i, s := range v.Status {
		out[i] = string(s.Status)
		if s.Status == models.ReleaseNone {
			out[i] = "—"
		}
	}
	return out
}

func (a *app) releaseShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show NAME [--json]",
		Short: "A release: its components, its status in each environment, its deployments",
		Args:  exactArgs(1, "the release's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.open(); err != nil {
				return err
			}
			return a.printRelease(args[0], asJSON, "Release")
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func (a *app) printRelease(name string, asJSON bool, lead string) error {
	v, err := a.eng.Release(a.ctx, a.actor, name)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(a.stdout, releaseToJSON(v))
	}
	fmt.Fprintf(a.stdout, "%s %s (by %s, %s)\n", lead, v.Name, v.CreatedBy, a.local(v.CreatedAt))
	if v.ChangeRef != "" {
		fmt.Fprintf(a.stdout, "  change: %s\n", v.ChangeRef)
	}
	if v.Notes != "" {
		fmt.Fprintf(a.stdout, "  notes:  %s\n", v.Notes)
	}
	for _, c := range v.Components {
		fmt.Fprintf(a.stdout, "  %s %s\n", c.Component, c.Version)
	}
	words := statusWords(v)
	for i, s := range v.Status {
		ids := make([]string, len(s.IDs))
		for j, id := range s.IDs {
			ids[j] = fmt.Sprintf("#%d", id)
		}
		line := fmt.Sprintf("  %-12s %-14s %s", s.Environment, words[i], strings.Join(ids, " "))
		fmt.Fprintln(a.stdout, strings.TrimRight(line, " "))
	}
	return nil
}

// releasePlanCmd is release plan, or release promote (the next environment of the path).
func (a *app) releasePlanCmd(promote bool) *cobra.Command {
	var rp engine.ReleasePlan
	var start string
	var sequential, parallel, asJSON bool
	use, short := "plan NAME --env E --start T [--sequential | --parallel] [--assignee P] [--strict] [--json]",
		"Plan one deployment per component of a release into an environment, all or none"
	if promote {
		use, short = "promote NAME --env NEXT --start T [--sequential | --parallel] [--assignee P] [--strict] [--json]",
			"Plan a release into the next environment of the path, once it is done in the one before"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  exactArgs(1, "the release's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if sequential && parallel {
				return usagef("--sequential and --parallel: give one or the other")
			}
			if rp.Environment == "" {
				return usagef("--env: the environment is needed")
			}
			if err := a.open(); err != nil {
				return err
			}
			t, err := a.flagTime("--start", start)
			if err != nil {
				return err
			}
			rp.Name, rp.Start, rp.Sequential = args[0], t, sequential
			plan := a.eng.PlanRelease
			if promote {
				plan = a.eng.PromoteRelease
			}
			out, err := plan(a.ctx, a.actor, rp)
			if err != nil {
				return a.refusedByConflicts(err, asJSON)
			}
			return a.printPlanned(out, asJSON)
		},
	}
	f := cmd.Flags()
	f.StringVar(&rp.Environment, "env", "", "the environment")
	f.StringVar(&start, "start", "", "when the first deployment starts")
	f.BoolVar(&sequential, "sequential", false, "one after the other, each waiting for the one before (--after)")
	f.BoolVar(&parallel, "parallel", false, "all at the start time (the default)")
	f.StringVar(&rp.Assignee, "assignee", "", "who carries them out")
	f.BoolVar(&rp.Strict, "strict", false, "plan none if any would be in conflict")
	f.BoolVar(&asJSON, "json", false, "print the release with its deployments and conflicts as JSON")
	return cmd
}

func (a *app) printPlanned(out engine.PlannedRelease, asJSON bool) error {
	v, err := a.eng.Release(a.ctx, a.actor, out.Release.Name)
	if err != nil {
		return err
	}
	if asJSON {
		j := releaseToJSON(v)
		j.Conflicts, j.Skipped = conflictsToJSON(out.Conflicts), out.Skipped
		return writeJSON(a.stdout, j)
	}
	for _, d := range out.Deployments {
		after := ""
		if d.After != 0 {
			after = fmt.Sprintf(", after #%d", d.After)
		}
		fmt.Fprintf(a.stdout, "Planned #%d: %s, %s%s\n", d.ID, d.Move(), a.window(d), after)
	}
	for _, s := range out.Skipped {
		fmt.Fprintf(a.stdout, "Skipped %s: no model takes it there\n", s)
	}
	if len(out.Conflicts) > 0 { // none: nothing to list ("is in 0 conflicts:" and nothing under it)
		a.listConflicts(out.Conflicts, "Release "+out.Release.Name+" is in", models.Deployment{})
	}
	return nil
}
