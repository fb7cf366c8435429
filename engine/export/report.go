package export

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"ferry/engine"
	"ferry/models"
)

// WriteReport writes rep in format; its days are the organisation's (loc): aligned
// text (Table) or Markdown with one block per group, metrics down and periods across;
// CSV with one line per period and group, totals last; or JSON.
func WriteReport(w io.Writer, format Format, rep engine.Report, loc *time.Location) error {
	switch format {
	case JSON:
		return reportJSON(w, rep, loc)
	case CSV:
		return reportCSV(w, rep, loc)
	case Markdown:
		return reportText(w, rep, loc, true)
	case Table:
		return reportText(w, rep, loc, false)
	}
	return fmt.Errorf("a report is written as table, markdown, csv or json, not %q", format)
}

// day is t's date in loc.
func day(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02") }

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
func reportText(w io.Writer, rep engine.Report, loc *time.Location, markdown bool) error {
	title := fmt.Sprintf("Deployment metrics by %s, %s – %s (%s)", rep.Period, day(rep.From, loc),
		day(rep.To.Add(-1), loc), loc)
	dora := "DORA measures in " + strings.Join(rep.DoraEnvs, ", ")
	if len(rep.DoraEnvs) == 0 {
		dora = "no production environment: no DORA measures"
	}
	if markdown {
		fmt.Fprintf(w, "# %s\n\n%s\n", title, dora)
	} else {
		fmt.Fprintf(w, "%s\n%s\n", title, dora)
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
		_, err := fmt.Fprintf(w, "\nOn schedule: started within %s of the planned start and finished inside the window. Definitions: ferry report --help.\n",
			models.HumanDuration(rep.Tolerance))
		return err
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
			line = append(line, c.Text(&r.Metrics))
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
			line = append(line, c.Text(&r.Metrics))
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
func reportCSV(w io.Writer, rep engine.Report, loc *time.Location) error {
	cw := csv.NewWriter(w)
	head := []string{"period", "period_start", "period_end", "group"}
	for _, c := range engine.ReportColumns {
		head = append(head, c.Key)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range slices.Concat(rep.Rows, rep.Totals) {
		line := []string{r.Period, day(r.Start, loc), day(r.End, loc), textCell(r.Group)}
		for _, c := range engine.ReportColumns {
			line = append(line, c.Cell(&r.Metrics))
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// reportJSONHead is the report's header; rows and totals follow, written by
// reportJSON one row a line (a daily report over years has thousands: going
// through encoding/json's compact-and-indent pass doubled the time of the whole
// command).
type reportJSONHead struct {
	From                  string   `json:"from"`
	To                    string   `json:"to"`
	TimeZone              string   `json:"time_zone"`
	Period                string   `json:"period"`
	By                    string   `json:"by"`
	AdherenceToleranceMin float64  `json:"adherence_tolerance_min"`
	DoraEnvironments      []string `json:"dora_environments"`
}

// reportJSON writes {from, to, time_zone, period, by, adherence_tolerance_min,
// rows: [...], totals: [...]}; each row is {period, start, end, group, metrics} with
// the metrics keyed as the CSV columns, null where there is nothing to measure.
func reportJSON(w io.Writer, rep engine.Report, loc *time.Location) error {
	head := reportJSONHead{From: day(rep.From, loc), To: day(rep.To, loc), TimeZone: loc.String(),
		Period: string(rep.Period), By: cmp.Or(string(rep.By), "none"), AdherenceToleranceMin: rep.Tolerance.Minutes(),
		DoraEnvironments: append([]string{}, rep.DoraEnvs...)}
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
		if b, err = writeRows(w, b, part.rows, loc); err != nil {
			return err
		}
		b = append(b, "\n]"...)
	}
	b = append(b, "}\n"...)
	_, err = w.Write(b)
	return err
}

// writeRows appends rows to b as the items of a JSON array, writing b out as it
// grows, and returns what is left of it. A daily report over years by model version
// is 10,000 rows (8 MB): the later rows are encoded at once on the other cores while
// the first ones are written.
func writeRows(w io.Writer, b []byte, rows []engine.ReportRow, loc *time.Location) ([]byte, error) {
	n := 1
	if len(rows) >= 2000 {
		n = min(runtime.GOMAXPROCS(0), 4)
	}
	later := make([][]byte, n)
	var wg sync.WaitGroup
	for i := 1; i < n; i++ {
		lo, hi := i*len(rows)/n, (i+1)*len(rows)/n
		// Sized from the first row, the part is rarely copied to grow.
		size := (hi - lo) * (len(appendReportRow(nil, rows[lo], loc)) + 8)
		wg.Go(func() { later[i] = appendRows(make([]byte, 0, size), rows, lo, hi, loc, nil) })
	}
	var err error
	b = appendRows(b, rows, 0, len(rows)/n, loc, func(b []byte) []byte {
		// Written as it grows: one buffer for all spent a quarter of the time
		// growing and copying itself.
		if err == nil && len(b) >= 64<<10 {
			_, err = w.Write(b)
			return b[:0]
		}
		return b
	})
	wg.Wait()
	for _, part := range later[1:] {
		if err == nil {
			_, err = w.Write(b)
			b = part
		}
	}
	return b, err
}

// appendRows appends rows[lo:hi] to b, each after a comma but the very first, and
// hands b to flush after each row when flush is set.
func appendRows(b []byte, rows []engine.ReportRow, lo, hi int, loc *time.Location, flush func([]byte) []byte) []byte {
	for i := lo; i < hi; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendReportRow(append(b, "\n  "...), rows[i], loc)
		if flush != nil {
			b = flush(b)
		}
	}
	return b
}

// quotedKeys are the metric columns' keys as JSON strings, quoted once.
var quotedKeys = func() []string {
	out := make([]string, len(engine.ReportColumns))
	for i, c := range engine.ReportColumns {
		q, _ := json.Marshal(c.Key) // a string always marshals
		out[i] = string(q) + ":"
	}
	return out
}()

func appendReportRow(b []byte, r engine.ReportRow, loc *time.Location) []byte {
	str := func(b []byte, s string) []byte {
		q, _ := json.Marshal(s) // a string always marshals
		return append(b, q...)
	}
	b = str(append(b, `{"period":`...), r.Period)
	b = str(append(b, `,"start":`...), day(r.Start, loc))
	b = str(append(b, `,"end":`...), day(r.End, loc))
	b = str(append(b, `,"group":`...), r.Group)
	b = append(b, `,"metrics":{`...)
	for i, c := range engine.ReportColumns {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, quotedKeys[i]...)
		if v := c.Cell(&r.Metrics); v != "" {
			b = append(b, v...)
		} else {
			b = append(b, "null"...)
		}
	}
	return append(b, "}}"...)
}
