package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"ferry/engine"
	"ferry/engine/export"
	"ferry/models"
)

func (a *app) reportCmd() *cobra.Command {
	var from, to, period, by, format, out, envs string
	cmd := &cobra.Command{
		Use:   "report [--from D] [--to D] [--period month] [--by environment|model|model-version|service|none] [--env E[,E…]] [--format table|json|csv|markdown] [--out FILE]",
		Short: "The practice's metrics per period: outcomes, incidents, adherence, lead time, DORA",
		Long: "Reports the deployment management metrics (defined below) for each period\n" +
			"of the range, optionally grouped. The range widens to whole periods of the\n" +
			"organisation's calendar; without --from it is the last 30 days, 13 weeks, 12\n" +
			"months or 8 quarters, as the console shows them. --from and --to take a date\n" +
			"(YYYY-MM-DD) or a local time; --to is exclusive. The DORA measures (successes per\n" +
			"day, change failure rate, restores, time to restore) are taken in the production\n" +
			"environments, or in those --env names; a rate per day counts the days from the\n" +
			"first with a record on.\n\n" + reportDefinitions(),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p := engine.Period(period)
			if !slices.Contains(engine.Periods, p) {
				return usagef("--period: %q is not day, week, month or quarter", period)
			}
			g := engine.Grouping(by)
			if by == "none" {
				g = engine.ByNothing
			}
			if !slices.Contains(engine.Groupings, g) {
				return usagef("--by: %q is not environment, model, model-version, service or none", by)
			}
			if !slices.Contains([]string{"table", "json", "csv", "markdown"}, format) {
				return usagef("--format: %q is not table, json, csv or markdown", format)
			}
			if err := writable(out); err != nil { // before the report is counted
				return err
			}
			if _, err := a.loadConfig(); err != nil {
				return err
			}
			req := engine.ReportRequest{Period: p, By: g}
			for _, e := range strings.Split(envs, ",") {
				// Once each: "production,production" measured and named production twice.
				if e = strings.TrimSpace(e); e != "" && !slices.Contains(req.DoraEnvs, e) {
					req.DoraEnvs = append(req.DoraEnvs, e)
				}
			}
			var err error
			if req.From, err = a.flagDate("--from", from); err != nil {
				return err
			}
			if req.To, err = a.flagDate("--to", to); err != nil {
				return err
			}
			if err := a.open(); err != nil {
				return err
			}
			for _, e := range req.DoraEnvs {
				if err := a.filterEnv(e); err != nil {
					return err
				}
			}
			defFrom, defTo := a.eng.RecentReport(p, 0)
			if req.To.IsZero() {
				req.To = defTo
			}
			if req.From.IsZero() {
				req.From = defFrom
				if !req.From.Before(req.To) {
					return usagef("--to: %s is before the default start %s; give --from too", to, a.local(defFrom))
				}
			}
			if !req.From.Before(req.To) && to == "" {
				return usagef("--from: %s is after the default end %s (the end of the current %s); give --to too",
					from, a.local(defTo), p)
			}
			if !req.From.Before(req.To) {
				return usagef("--to: %s is not after --from %s%s", to, from, a.dayAfterHint(to))
			}
			rep, err := a.eng.Report(a.ctx, a.actor, req)
			if err != nil {
				return err
			}
			return a.writeReport(rep, format, out)
		},
	}
	cmd.AddCommand(a.reportCheckCmd())
	fl := cmd.Flags()
	fl.StringVar(&from, "from", "", "first day (default: the start of the last 30 days, 13 weeks, 12 months or 8 quarters)")
	fl.StringVar(&to, "to", "", "end, exclusive (default: the end of the current period)")
	fl.StringVar(&period, "period", "month", "day, week, month or quarter")
	fl.StringVar(&by, "by", "none", "group rows by environment, model, model-version, service or none")
	fl.StringVar(&envs, "env", "", "take the DORA measures in these environments, comma-separated, instead of production")
	fl.StringVar(&format, "format", "table", "table, json, csv or markdown")
	fl.StringVar(&out, "out", "", "write to this file instead of standard output")
	return cmd
}

func (a *app) reportCheckCmd() *cobra.Command {
	var repair bool
	cmd := &cobra.Command{
		Use:   "check [--repair]",
		Short: "Recount the report rollups from the raw rows and say whether they match",
		Long: "Reports read rollups kept in the same transaction as every change. check recounts\n" +
			"them from the deployments themselves and compares; --repair (managers) replaces them\n" +
			"with the recount. Exit 1 when they differ and were not repaired.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			began := time.Now()
			res, err := a.eng.CheckRollups(a.ctx)
			if err != nil {
				return err
			}
			if len(res.Diffs) == 0 {
				fmt.Fprintf(a.stdout, "The report rollups match the raw rows (checked in %s).\n", time.Since(began).Round(time.Millisecond))
				return nil
			}
			fmt.Fprintf(a.stderr, "%d rollup row%s differ%s from a recount of the raw rows:\n", len(res.Diffs),
				models.Plural(len(res.Diffs)), map[bool]string{true: "s"}[len(res.Diffs) == 1])
			for _, d := range res.Diffs[:min(len(res.Diffs), 10)] {
				fmt.Fprintln(a.stderr, "  "+d)
			}
			if more := len(res.Diffs) - 10; more > 0 { // ten tell what is wrong; the count says how much
				fmt.Fprintf(a.stderr, "  … and %d more\n", more)
			}
			if !repair {
				return fmt.Errorf("the report rollups differ from the raw rows; 'ferry report check --repair' recounts them")
			}
			if err := a.eng.RepairRollups(a.ctx, a.actor); err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, "Recounted: the report rollups now match the raw rows.")
			return nil
		},
	}
	cmd.Flags().BoolVar(&repair, "repair", false, "replace the rollups with the recount (managers)")
	return cmd
}

// writeReport writes rep in format to out, or to standard output. A file is written
// whole or not at all.
func (a *app) writeReport(rep engine.Report, format, out string) error {
	write := func(w io.Writer) error { return export.WriteReport(w, export.Format(format), rep, a.cfg.Location) }
	return a.writeOut(out, write)
}

// writeOut writes with write to the file out, whole or not at all, or to standard
// output when out is "".
func (a *app) writeOut(out string, write func(io.Writer) error) error {
	if out == "" {
		return write(a.stdout)
	}
	// Whole or not at all, keeping a replaced file's mode, never through a link.
	if _, err := export.File(out, true, write); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	fmt.Fprintf(a.stderr, "ferry: wrote %s\n", out)
	return nil
}

// writable refuses an --out file that cannot be written where it is asked for: its
// directory is missing or is not one, or the path is a directory ("" is stdout).
func writable(out string) error {
	if out == "" {
		return nil
	}
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return fmt.Errorf("--out %s: is a directory; name a file in it", out)
	}
	dir := filepath.Dir(out)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("--out %s: directory %s does not exist", out, dir)
	case err != nil:
		return outError(out, err)
	case !st.IsDir():
		return fmt.Errorf("--out %s: %s is not a directory", out, dir)
	}
	return nil
}

// outError names the --out path the person gave, not the temporary file beside it.
func outError(out string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	return fmt.Errorf("--out %s: %v", out, err)
}

// reportDefinitions defines each of the report's metrics, one line each, in the words
// the console's Reports legends use (engine.ReportColumns): over SSH only the binary
// is at hand, not the README the text report pointed to.
func reportDefinitions() string {
	width := 0
	for _, c := range engine.ReportColumns {
		width = max(width, utf8.RuneCountInString(c.Label))
	}
	var b strings.Builder
	b.WriteString("Metrics (a deployment counts in the period of its planned start; a finish,\n" +
		"restore, override or finding in the period it happens):\n")
	for _, c := range engine.ReportColumns {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, c.Label, c.Help)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
