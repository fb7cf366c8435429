package pages_test

import (
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/tui/internal/tuitest"
)

// The test history (newTestCommon): five deployments in November 2026, one failed
// in staging, one running in production, three planned.
func TestReportsScreenTableAndKeys(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 120, 35) // an analyst reads reports
	press(m, "5")
	got := screenText(m)
	for _, want := range []string{"5 Reports", "by month · not grouped · table", "1 Dec 2025 – 30 Nov 2026",
		"DEPLOYS", "FAILED", "SUCCESS", "2025-12", "2026-11", "total", "columns 1–"} {
		if !strings.Contains(got, want) {
			t.Fatalf("reports lack %q:\n%s", want, got)
		}
	}
	// On schedule is both halves of the column's definition, not the start alone.
	if flat := strings.Join(strings.Fields(got), " "); !strings.Contains(flat,
		"on schedule: started within 15m of the planned start and finished inside the window") {
		t.Fatalf("the legend's on schedule:\n%s", got)
	}
	if row := lineWith(got, "2026-11"); !strings.Contains(row, " 5 ") || !strings.Contains(row, "0.0%") {
		t.Fatalf("November: 5 planned, 1 failed of 1 finished: %q", row)
	}
	press(m, "b")
	got = screenText(m)
	if row := lineWith(got, "2026-11*   staging"); !strings.Contains(got, "per environment") || !strings.Contains(row, " 1 ") {
		t.Fatalf("grouped by environment, November in staging has its failure, the latest months in view:\n%s", got)
	}
	press(m, "t")
	if got = screenText(m); !strings.Contains(got, "by quarter") || !strings.Contains(got, "2026-Q4") {
		t.Fatalf("t cycles month → quarter:\n%s", got)
	}
	press(m, "t", "b", "b", "b", "b") // day, grouped by nothing again (after model, model version, service)
	if got = screenText(m); !strings.Contains(got, "by day") || !strings.Contains(got, "2026-11-26") {
		t.Fatalf("quarter → day:\n%s", got)
	}
	press(m, "[")
	if got = screenText(m); strings.Contains(got, "2026-11-26") || !strings.Contains(got, "2026-10-") {
		t.Fatalf("[ shows the 30 days before:\n%s", got)
	}
	press(m, "]")
	if got = screenText(m); !strings.Contains(got, "2026-11-26") {
		t.Fatalf("] comes back:\n%s", got)
	}
	before := lineWith(screenText(m), "Period")
	press(m, "l")
	if after := lineWith(screenText(m), "Period"); after == before || strings.Contains(after, "DEPLOYS") {
		t.Fatalf("→ scrolls the metric columns: %q then %q", before, after)
	}
}

func TestReportsScreenCharts(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	press(m, "5", "b", "v") // the table grouped by environment, then the trends
	if got := screenText(m); !strings.Contains(got, "Success rate") || !strings.Contains(got, "not enough data") {
		t.Fatalf("trends with one month of history say so instead of drawing a dot:\n%s", got)
	}
	// The trends are of everything together, and the heading says so, not the table's
	// grouping; b says why it does not group them.
	if got := screenText(m); !strings.Contains(got, "by month · not grouped · trends") {
		t.Fatalf("the trends' heading:\n%s", got)
	}
	press(m, "b")
	if got := screenText(m); !strings.Contains(got, "each chart has its own grouping") {
		t.Fatalf("b on a chart should say why it does nothing:\n%s", got)
	}
	press(m, "v")
	got := screenText(m)
	for _, want := range []string{"Deployments per month by environment", "staging", "production", "Nov"} {
		if !strings.Contains(got, want) {
			t.Fatalf("volume lacks %q:\n%s", want, got)
		}
	}
	press(m, "v")
	got = screenText(m)
	// Of the one finished, as the success rate counts, not of the 4 planned.
	if row := lineWith(got, "web-service"); !strings.Contains(row, "█") || !strings.Contains(row, "1 failed, 0 rolled back of 1 finished (100.0%)") {
		t.Fatalf("failures by model: %q\n%s", row, got)
	}
	press(m, "v")
	got = screenText(m)
	if row := lineWith(got, "web-service v1"); !strings.Contains(got, "Success rate by model version") ||
		!strings.Contains(row, "0.0% of 1") {
		t.Fatalf("success rate by model version: %q\n%s", row, got)
	}
	press(m, "v")
	if !strings.Contains(screenText(m), "DEPLOYS") {
		t.Fatal("v comes back round to the table")
	}
}

func TestReportsScreenFitsAPhone(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	press(m, "5")
	for view := range reportViews {
		got := screenText(m)
		for i, l := range strings.Split(got, "\n") {
			if w := lipgloss.Width(l); w > 60 {
				t.Fatalf("view %s line %d is %d wide:\n%s", reportViews[view], i, w, got)
			}
		}
		if n := strings.Count(got, "\n") + 1; n > 20 {
			t.Fatalf("view %s is %d lines tall", reportViews[view], n)
		}
		// Nothing that says what is shown is cut: the range and the chart's meaning.
		if strings.Contains(got, "…") {
			t.Errorf("view %s cuts a line on a phone:\n%s", reportViews[view], got)
		}
		if reportViews[view] == "versions" && !tuitest.Whole(got, "succeeded / finished, planned in this range") {
			t.Errorf("the versions chart should say what its bars count, whole:\n%s", got)
		}
		press(m, "v")
	}
}

func lineWith(s, part string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, part) {
			return l
		}
	}
	return ""
}

// The screen reloads every few seconds: a reload leaves the cursor where the person
// put it; a new question (another period) lands on its latest rows again.
func TestReportsReloadKeepsTheCursor(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	press(m, "5")
	r := m.Top().(*reports)
	bottom := r.Table().Cursor()
	press(m, "k", "k", "k")
	if r.Table().Cursor() != bottom-3 {
		t.Fatalf("cursor %d, want %d", r.Table().Cursor(), bottom-3)
	}
	load(m, m.Top().Refresh())
	if r.Table().Cursor() != bottom-3 {
		t.Fatalf("a reload moved the cursor from %d to %d", bottom-3, r.Table().Cursor())
	}
	press(m, "t") // quarter: 8 quarters and the total
	if got := r.Table().Cursor(); got != len(r.Table().Rows())-1 {
		t.Fatalf("a new period lands on the totals: cursor %d of %d rows", got, len(r.Table().Rows()))
	}
}

// demoReports is the Reports screen over a year of demo history, in a w×h terminal.
func demoReports(t *testing.T, w, h int) *Model {
	t.Helper()
	m := New(newDemoCommon(t, "ana", 3000))
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	press(m, "5")
	return m
}

// hoursPastADay is a duration written in hours though it is a day or more: the
// reports write those in days and hours.
var hoursPastADay = regexp.MustCompile(`\b(2[4-9]|[3-9][0-9]|[0-9]{3,})h[0-9]{2}m\b`)

// TestReportsTablePagesThroughTheColumns: on a phone ←/→ move a screenful of metric
// columns, each shown once, in order; the footer offers them first, the current
// month is marked partial, and no duration is written in hours past a day.
func TestReportsTablePagesThroughTheColumns(t *testing.T) {
	t.Parallel()
	m := demoReports(t, 60, 20)
	first := screenText(m)
	// Every period is in view: ↑/↓ gives way to the other keys (TestReportsFooterKeepsTheExport).
	if foot := lastLine(first); !strings.Contains(foot, "←/→ columns") || strings.Contains(foot, "↑/↓ periods") {
		t.Fatalf("the footer should offer the columns' scroll keys: %q", foot)
	}
	if !strings.Contains(lineWith(first, "2026-11"), "2026-11*") || !strings.Contains(first, "2026-11 is not over: partial") ||
		strings.Contains(lineWith(first, "2026-10"), "*") || strings.Contains(lineWith(first, "total"), "*") {
		t.Fatalf("November, the current month, is marked partial, and only it:\n%s", first)
	}
	var headers []string
	for range engine.ReportColumns {
		got := screenText(m)
		fits(t, m, "reports table", 60, 20)
		if bad := hoursPastADay.FindString(got); bad != "" {
			t.Errorf("%q is hours past a day:\n%s", bad, got)
		}
		headers = append(headers, columnHeaders(got)...)
		if len(headers) >= len(engine.ReportColumns) {
			break
		}
		press(m, "l")
	}
	var want []string
	for _, c := range engine.ReportColumns {
		want = append(want, strings.ReplaceAll(c.Header, " ", "_"))
	}
	if strings.Join(headers, " ") != strings.Join(want, " ") {
		t.Fatalf("→ should show each column once, in order:\n got %v\nwant %v", headers, want)
	}
	for range engine.ReportColumns {
		press(m, "h")
	}
	if got := screenText(m); got != first {
		t.Fatalf("← should come back a screenful at a time to the first columns:\n%s\nfirst:\n%s", got, first)
	}
}

// columnHeaders are the metric headings of the table on screen (spaces inside a
// heading as _), after Period.
func columnHeaders(screen string) []string {
	line := lineWith(screen, "Period")
	for _, c := range engine.ReportColumns {
		if strings.Contains(c.Header, " ") {
			line = strings.ReplaceAll(line, c.Header, strings.ReplaceAll(c.Header, " ", "_"))
		}
	}
	return strings.Fields(line)[1:]
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestReportsChartsReadRight: the success rate's axis ends at 100; lead times are
// labelled in the reports' duration format; the partial month is said; the volume
// chart puts every environment on the one scale.
func TestReportsChartsReadRight(t *testing.T) {
	t.Parallel()
	m := demoReports(t, 60, 20)
	press(m, "v")
	got := screenText(m)
	fits(t, m, "trends", 60, 20)
	if top := lineWith(got, "│"); !strings.HasPrefix(strings.TrimLeft(top, " "), "100│") { // padded as the lead times
		t.Errorf("the success rate's axis should end at 100, its first line is %q:\n%s", top, got)
	}
	if !strings.Contains(got, "the last point, 2026-11, is partial") {
		t.Errorf("the partial month is not said:\n%s", got)
	}
	lead := regexp.MustCompile(`(?m)^\s*(\S+)[│└]`)
	var labels []string
	for _, l := range strings.Split(got[strings.Index(got, "Lead time"):], "\n") {
		if mm := lead.FindStringSubmatch(l); mm != nil {
			labels = append(labels, mm[1])
		}
	}
	for _, l := range labels {
		if !regexp.MustCompile(`^([0-9]+m|[0-9]+h[0-9]{2}m|[0-9]+d[0-9]+h)$`).MatchString(l) || hoursPastADay.MatchString(l) {
			t.Errorf("lead time label %q is not a duration as the table writes it:\n%s", l, got)
		}
	}
	if len(labels) < 2 {
		t.Errorf("the lead time axis has labels %v:\n%s", labels, got)
	}
	press(m, "v")
	got = screenText(m)
	fits(t, m, "volume", 60, 20)
	ticks := regexp.MustCompile(`([0-9,]+)┤`).FindAllStringSubmatch(got, -1)
	if len(ticks) != 4 {
		t.Fatalf("each of the 4 environments has its axis:\n%s", got)
	}
	for _, tk := range ticks {
		if tk[1] != ticks[0][1] {
			t.Errorf("the environments are on scales %v, not one:\n%s", ticks, got)
		}
	}
	if !strings.Contains(got, "Nov* so far") {
		t.Errorf("the partial month is not said:\n%s", got)
	}
}

// A group's name is shown whole where the width allows (versions of one model told
// apart), and cut only as far as one metric column needs at a phone's width.
func TestReportsGroupNamesFit(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{120, 35}, {60, 20}} {
		m := sized(t, "kim", size[0], size[1])
		press(m, "5", "b", "b", "b") // grouped by model version
		got := screenText(m)
		if !strings.Contains(got, "per model version") || !strings.Contains(lineWith(got, "Period"), "Model version") ||
			strings.Contains(strings.ToLower(got), "model-version") {
			t.Fatalf("b three times groups by model version, in words:\n%s", got)
		}
		press(m, "x")
		if got := screenText(m); !tuitest.Whole(got, "Export the report: by month, per model version,") {
			t.Fatalf("x names the grouping as the screen does:\n%s", got)
		}
		press(m, "esc")
		rep, err := m.c.Eng.Report(m.c.Ctx, m.c.Actor, engine.ReportRequest{From: m.c.Eng.Now().AddDate(-1, 0, 0),
			To: m.c.Eng.Now(), Period: engine.PeriodMonth, By: engine.ByModelVersion})
		if err != nil {
			t.Fatal(err)
		}
		longest := ""
		for _, r := range rep.Totals {
			if len(r.Group) > len(longest) {
				longest = r.Group
			}
		}
		if !strings.Contains(got, " "+longest+" ") || !strings.Contains(lineWith(got, "Period"), "DEPLOYS") {
			t.Errorf("%dx%d: the group %q whole, and a metric beside it:\n%s", size[0], size[1], longest, got)
		}
		fits(t, m, "reports by model version", size[0], size[1])
	}
}

// A table longer than the screen says so, and which row the cursor is on: it opens
// on the latest rows, with the earlier ones above.
func TestReportsSayRowsLieAbove(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 60, 20)
	press(m, "5", "t", "t") // month, quarter, day: 30 rows and the total
	got := screenText(m)
	if !strings.Contains(got, "by day") || !regexp.MustCompile(`row \d+ of \d+ \(↑/↓\)`).MatchString(strings.Join(strings.Fields(got), " ")) {
		t.Fatalf("a long table says where its rows are:\n%s", got)
	}
	fits(t, m, "reports by day", 60, 20)
}

// With room under the table, the headings in view are explained there; a phone
// keeps its rows for the table.
func TestReportsExplainTheirHeadings(t *testing.T) {
	t.Parallel()
	got := screenText(demoReports(t, 120, 35))
	for _, want := range []string{"ROLLED: of those, rolled back", "INCID%: deployments with an incident / deployments"} {
		if !strings.Contains(got, want) {
			t.Errorf("the reports at 120×35 lack %q:\n%s", want, got)
		}
	}
	if got := screenText(demoReports(t, 60, 20)); strings.Contains(got, "DEPLOYS: ") {
		t.Errorf("a phone's report gives its rows to the table:\n%s", got)
	}
}

// Paging the columns keeps the cursor's row in sight: on the grand total of a
// grouped report, → showed the rows above it and not the total, while the footer
// said the cursor was on its last row; ← back the same.
func TestReportsColumnsKeepTheTotalInSight(t *testing.T) {
	t.Parallel()
	grand := func(screen string) bool {
		for _, l := range strings.Split(screen, "\n") {
			if f := strings.Fields(l); len(f) > 1 && f[0] == "total" && f[1] == "all" {
				return true
			}
		}
		return false
	}
	for _, size := range [][2]int{{120, 35}, {60, 20}} {
		m := demoReports(t, size[0], size[1])
		press(m, "b", "b") // per model: many rows, the grand total last
		if got := screenText(m); !grand(got) {
			t.Fatalf("%dx%d: the grand total is in sight at first:\n%s", size[0], size[1], got)
		}
		for _, k := range []string{"right", "left"} {
			press(m, k)
			if got := screenText(m); !grand(got) {
				t.Fatalf("%dx%d: after %s the grand total should stay in sight:\n%s", size[0], size[1], k, got)
			}
		}
	}
}

// ← goes back to the columns → came from, and paging keeps the rows in view where
// they were: → → ← showed columns 10–19 after 11–19, and → moved the rows.
func TestReportsColumnsPageBackAndKeepTheRows(t *testing.T) {
	t.Parallel()
	m := demoReports(t, 120, 35)
	press(m, "b", "b")
	for range 25 {
		press(m, "up")
	}
	footer := func() string { return lineWith(screenText(m), "columns ") }
	firstRow := func() string { // the first row of the table, under its head
		lines := strings.Split(screenText(m), "\n")
		return strings.Join(strings.Fields(lines[3])[:2], " ")
	}
	top := firstRow()
	press(m, "right")
	afterOne, topAfter := footer(), firstRow()
	if topAfter != top {
		t.Fatalf("→ moved the rows: the first was %q, now %q", top, topAfter)
	}
	press(m, "right", "left")
	if got := footer(); !strings.Contains(got, columnsIn(afterOne)) {
		t.Fatalf("→ → ← should show the columns of the first →: %q, then %q", afterOne, got)
	}
}

// columnsIn is the "columns 10–19 of 35" part of a legend line.
func columnsIn(line string) string {
	i := strings.Index(line, "columns ")
	j := strings.Index(line[i:], " of ")
	return line[i : i+j]
}

// An analyst's footer on the Reports table keeps x export at 120 columns: ↑/↓ comes
// first only when some periods are out of sight (else it only moves the highlight,
// and is the first key left out), and the export comes before the register, the
// register before the audit log (which ? lists).
func TestReportsFooterKeepsTheExport(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 120, 35)
	press(m, "5")
	load(m, m.Top().Refresh())
	foot := lastLine(screenText(m))
	if !strings.Contains(foot, "x export • i improvements • ? help") || strings.Contains(foot, "↑/↓ periods") {
		t.Fatalf("every period in view: the footer should offer x export and i improvements, not ↑/↓: %q", foot)
	}
	if help := fullHelp(m); !regexp.MustCompile(`\bu +audit log`).MatchString(help) {
		t.Fatalf("? lists the audit log:\n%s", help)
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 8})
	if foot := lastLine(screenText(m)); !strings.Contains(foot, "↑/↓ periods") {
		t.Fatalf("periods out of sight: the footer should offer ↑/↓: %q", foot)
	}
}
