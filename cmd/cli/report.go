package cli

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
	"ferry/models"
)

// reportPeriods is how many periods a report covers when --from is not given.
const reportPeriods = 12

func (a *app) reportCmd() *cobra.Command {
	var from, to, period, by, format, out string
	cmd := &cobra.Command{
		Use:   "report [--from D] [--to D] [--period month] [--by environment] [--format table|json|csv|markdown] [--out FILE]",
		Short: "The practice's metrics per period: outcomes, incidents, adherence, lead time, DORA",
		Long: "Reports the deployment management metrics (defined in the README) for each period\n" +
			"of the range, optionally grouped. The range widens to whole periods of the\n" +
			"organisation's calendar; without --from it is the last 12 periods. --from and --to\n" +
			"take a date (YYYY-MM-DD) or a local time; --to is exclusive.",
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
				return usagef("--by: %q is not environment, model, service or none", by)
			}
			if !slices.Contains([]string{"table", "json", "csv", "markdown"}, format) {
				return usagef("--format: %q is not table, json, csv or markdown", format)
			}
			if _, err := a.loadConfig(); err != nil {
				return err
			}
			req := engine.ReportRequest{Period: p, By: g}
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
			defFrom, defTo := a.eng.RecentPeriods(p, reportPeriods, 0)
			if req.To.IsZero() {
				req.To = defTo
			}
			if req.From.IsZero() {
				req.From = defFrom
				if !req.From.Before(req.To) {
					return usagef("--to: %s is before the default start %s; give --from too", to, a.local(defFrom))
				}
			}
			if !req.From.Before(req.To) {
				return usagef("--to: %s is not after --from %s", to, from)
			}
			rep, err := a.eng.Report(a.ctx, req)
			if err != nil {
				return err
			}
			return a.writeReport(rep, format, out)
		},
	}
	cmd.AddCommand(a.reportCheckCmd())
	fl := cmd.Flags()
	fl.StringVar(&from, "from", "", "first day (default: the start of the last 12 periods)")
	fl.StringVar(&to, "to", "", "end, exclusive (default: the end of the current period)")
	fl.StringVar(&period, "period", "month", "day, week, month or quarter")
	fl.StringVar(&by, "by", "none", "group rows by environment, model, service or none")
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
			fmt.Fprintf(a.stderr, "%d rollup rows differ from a recount of the raw rows:\n", len(res.Diffs))
			for _, d := range res.Diffs[:min(len(res.Diffs), 10)] {
				fmt.Fprintln(a.stderr, "  "+d)
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
	write := func(w io.Writer) error {
		switch format {
		case "json":
			return a.writeReportJSON(w, rep)
		case "csv":
			return a.reportCSV(w, rep)
		case "markdown":
			return a.reportText(w, rep, true)
		}
		return a.reportText(w, rep, false)
	}
	if out == "" {
		return write(a.stdout)
	}
	f, err := os.CreateTemp(filepath.Dir(out), ".ferry-report-*")
	if err != nil {
		return usagef("--out: %v", err)
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), out); err != nil {
		return usagef("--out: %v", err)
	}
	fmt.Fprintf(a.stderr, "ferry: wrote %s\n", out)
	return nil
}

// reportGroups is the groups in the order rows come, with "total" rows last.
func reportGroups(rep engine.Report) []string {
	var out []string
	for _, r := range rep.Totals {
		out = append(out, r.Group)
	}
	return out
}

// reportText writes one block per group: metrics down, periods across, then the
// total; plain (aligned) or as Markdown tables.
func (a *app) reportText(w io.Writer, rep engine.Report, markdown bool) error {
	title := fmt.Sprintf("Deployment metrics by %s, %s – %s (%s)", rep.Period, a.localDay(rep.From),
		a.localDay(rep.To.Add(-1)), a.cfg.TimezoneName)
	if markdown {
		fmt.Fprintf(w, "# %s\n", title)
	} else {
		fmt.Fprintln(w, title)
	}
	for _, g := range reportGroups(rep) {
		if rep.By != engine.ByNothing {
			if markdown {
				fmt.Fprintf(w, "\n## %s: %s\n", rep.By, g)
			} else {
				fmt.Fprintf(w, "\n%s: %s\n", rep.By, g)
			}
		}
		var cols []engine.ReportRow
		for _, r := range rep.Rows {
			if r.Group == g {
				cols = append(cols, r)
			}
		}
		for _, t := range rep.Totals {
			if t.Group == g {
				cols = append(cols, t)
			}
		}
		lines := transposed(cols, markdown)
		if len(cols) > maxAcross {
			lines = periodsDown(cols)
		}
		if markdown {
			writeMarkdownTable(w, lines)
		} else {
			writeAligned(w, lines)
		}
	}
	if !markdown {
		fmt.Fprintf(w, "\nOn schedule: started within %s of the planned start and finished inside the window. Definitions: README.\n",
			models.HumanDuration(rep.Tolerance))
	}
	return nil
}

// maxAcross is how many periods a text report lays side by side (a year of months
// and its total); longer reports list periods down the page instead.
const maxAcross = 14

// transposed is metrics down, periods across: the usual shape of a KPI report.
func transposed(cols []engine.ReportRow, markdown bool) [][]string {
	width := 0
	for _, c := range engine.ReportColumns {
		width = max(width, len(c.Label))
	}
	pad := func(s string) string { return s + strings.Repeat(" ", width-len(s)) }
	if markdown {
		pad = func(s string) string { return s }
	}
	lines := [][]string{append([]string{pad("")}, periodLabels(cols)...)}
	for _, c := range engine.ReportColumns {
		line := []string{pad(c.Label)}
		for _, r := range cols {
			line = append(line, c.Text(r.Metrics))
		}
		lines = append(lines, line)
	}
	return lines
}

// periodsDown is one line per period under short metric headings.
func periodsDown(rows []engine.ReportRow) [][]string {
	head := []string{"PERIOD    "}
	for _, c := range engine.ReportColumns {
		head = append(head, c.Header)
	}
	lines := [][]string{head}
	for _, r := range rows {
		line := []string{r.Period + strings.Repeat(" ", max(0, 10-len(r.Period)))}
		for _, c := range engine.ReportColumns {
			line = append(line, c.Text(r.Metrics))
		}
		lines = append(lines, line)
	}
	return lines
}

func periodLabels(rows []engine.ReportRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Period
	}
	return out
}

func writeAligned(w io.Writer, lines [][]string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, l := range lines {
		fmt.Fprintln(tw, strings.Join(l, "\t")+"\t")
	}
	tw.Flush()
}

func writeMarkdownTable(w io.Writer, lines [][]string) {
	fmt.Fprintln(w)
	for i, l := range lines {
		fmt.Fprintln(w, "| "+strings.Join(l, " | ")+" |")
		if i == 0 {
			seps := make([]string, len(l))
			for j := range seps {
				seps[j] = "---:"
			}
			seps[0] = "---"
			fmt.Fprintln(w, "|"+strings.Join(seps, "|")+"|")
		}
	}
}

// reportCSV writes one line per period and group, totals last, for spreadsheets:
// plain numbers, percentages without the sign, durations in minutes, empty for none.
func (a *app) reportCSV(w io.Writer, rep engine.Report) error {
	cw := csv.NewWriter(w)
	head := []string{"period", "period_start", "period_end", "group"}
	for _, c := range engine.ReportColumns {
		head = append(head, c.Key)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range slices.Concat(rep.Rows, rep.Totals) {
		line := []string{r.Period, a.localDay(r.Start), a.localDay(r.End), r.Group}
		for _, c := range engine.ReportColumns {
			line = append(line, c.Cell(r.Metrics))
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// reportJSONHead is the report's header; rows and totals follow, written by
// writeReportJSON one row a line (a daily report over years has thousands: going
// through encoding/json's compact-and-indent pass doubled the time of the whole
// command).
type reportJSONHead struct {
	From                  string  `json:"from"`
	To                    string  `json:"to"`
	TimeZone              string  `json:"time_zone"`
	Period                string  `json:"period"`
	By                    string  `json:"by"`
	AdherenceToleranceMin float64 `json:"adherence_tolerance_min"`
}

// writeReportJSON writes {from, to, time_zone, period, by, adherence_tolerance_min,
// rows: [...], totals: [...]}; each row is {period, start, end, group, metrics} with
// the metrics keyed as the CSV columns, null where there is nothing to measure.
func (a *app) writeReportJSON(w io.Writer, rep engine.Report) error {
	head := reportJSONHead{From: a.localDay(rep.From), To: a.localDay(rep.To), TimeZone: a.cfg.TimezoneName,
		Period: string(rep.Period), By: cmp.Or(string(rep.By), "none"), AdherenceToleranceMin: rep.Tolerance.Minutes()}
	b, err := json.Marshal(head)
	if err != nil {
		return err
	}
	b = b[:len(b)-1] // reopen the object
	for _, part := range []struct {
		name string
		rows []engine.ReportRow
	}{{"rows", rep.Rows}, {"totals", rep.Totals}} {
		b = append(b, ",\n\""+part.name+"\": ["...)
		for i, r := range part.rows {
			if i > 0 {
				b = append(b, ',')
			}
			b = a.appendReportRow(append(b, "\n  "...), r)
		}
		b = append(b, "\n]"...)
	}
	b = append(b, "}\n"...)
	_, err = w.Write(b)
	return err
}

func (a *app) appendReportRow(b []byte, r engine.ReportRow) []byte {
	str := func(b []byte, s string) []byte {
		q, _ := json.Marshal(s) // a string always marshals
		return append(b, q...)
	}
	b = str(append(b, `{"period":`...), r.Period)
	b = str(append(b, `,"start":`...), a.localDay(r.Start))
	b = str(append(b, `,"end":`...), a.localDay(r.End))
	b = str(append(b, `,"group":`...), r.Group)
	b = append(b, `,"metrics":{`...)
	for i, c := range engine.ReportColumns {
		if i > 0 {
			b = append(b, ',')
		}
		b = str(b, c.Key)
		b = append(b, ':')
		if v := c.Cell(r.Metrics); v != "" {
			b = append(b, v...)
		} else {
			b = append(b, "null"...)
		}
	}
	return append(b, "}}"...)
}

// localDay is t's date in the organisation's zone.
func (a *app) localDay(t time.Time) string { return t.In(a.cfg.Location).Format("2006-01-02") }
