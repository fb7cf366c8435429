package cli_test

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"ferry/engine"
)

type reportOut struct {
	From, To, Period, By string
	Rows, Totals         []struct {
		Period, Start, End, Group string
		Metrics                   map[string]*float64
	}
}

func TestReportFormatsParseBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Month one: a ran (it started now, and had an incident), b was planned in the
	// same minute; month two: c was planned and cancelled. The months are the
	// organisation's (Europe/Berlin), from a's planned start.
	aID, started := f.startedIn("dev", "1.0")
	a := f.show(mustID(t, aID))
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.Parse(time.RFC3339, a.ScheduledStart)
	if err != nil {
		t.Fatal(err)
	}
	at = at.In(berlin)
	m1 := time.Date(at.Year(), at.Month(), 1, 0, 0, 0, 0, berlin)
	m2, m3 := m1.AddDate(0, 1, 0), m1.AddDate(0, 2, 0)
	f.planIn("test", "1.0", at.Format(time.RFC3339))
	c := f.planIn("dev", "2.0", m2.AddDate(0, 0, 1).Add(10*time.Hour).Format("2006-01-02 15:04"))
	f.ok("--as", "ana", "deploy", "cancel", fmt.Sprint(c.ID), "--reason", "not needed")
	f.ok("--as", "ana", "incident", "add", aID, "--opened", started.Format(time.RFC3339), "--summary", "errors")
	month, day := func(t time.Time) string { return t.Format("2006-01") }, func(t time.Time) string { return t.Format("2006-01-02") }
	base := []string{"--as", "eve", "report", "--from", day(m1), "--to", day(m3)}

	var rep reportOut
	if err := json.Unmarshal([]byte(f.ok(append(base, "--format", "json")...).stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Period != "month" || rep.By != "none" || len(rep.Rows) != 2 || len(rep.Totals) != 1 {
		t.Fatalf("report: %+v", rep)
	}
	nov, dec := rep.Rows[0], rep.Rows[1]
	num := func(m map[string]*float64, k string) float64 {
		t.Helper()
		v, ok := m[k]
		if !ok || v == nil {
			t.Fatalf("%s missing or null in %v", k, m)
		}
		return *v
	}
	if nov.Period != month(m1) || nov.Start != day(m1) || nov.End != day(m2) ||
		num(nov.Metrics, "deployments") != 2 || num(nov.Metrics, "incidents") != 1 || num(nov.Metrics, "incident_rate_pct") != 50 {
		t.Fatalf("November: %+v", nov)
	}
	if num(dec.Metrics, "cancelled") != 1 || dec.Metrics["success_rate_pct"] != nil {
		t.Fatalf("December: one cancelled, no success rate to give: %+v", dec.Metrics)
	}
	if num(rep.Totals[0].Metrics, "backlog") != 2 {
		t.Fatalf("two planned and not done at the end: %+v", rep.Totals[0].Metrics)
	}

	r := f.ok(append(base, "--format", "csv", "--by", "environment")...)
	lines, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if lines[0][0] != "period" || lines[0][4] != "deployments" || len(lines) != 1+2*2+3 {
		t.Fatalf("csv: a header, 2 months × 2 environments, 3 totals:\n%s", r.stdout)
	}
	for _, l := range lines[1:] {
		if l[3] == "dev" && l[0] == month(m1) && l[4] != "1" {
			t.Fatalf("dev in November: %v", l)
		}
	}

	md := f.ok(append(base, "--format", "markdown")...).stdout
	if !strings.HasPrefix(md, "# Deployment metrics by month") || !strings.Contains(md, "| deployments | 2 | 1 | 3 |") {
		t.Fatalf("markdown:\n%s", md)
	}
	table := f.ok(base...).stdout
	if !strings.Contains(table, month(m1)) || !strings.Contains(table, "lead time p50") {
		t.Fatalf("table:\n%s", table)
	}

	out := filepath.Join(f.dir, "report.csv")
	r = f.ok(append(base, "--format", "csv", "--out", out)...)
	if r.stdout != "" || !strings.Contains(r.stderr, "wrote "+out) {
		t.Fatalf("--out: %s", r)
	}
	if b, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(b), "period,period_start") {
		t.Fatalf("report.csv: %q %v", b, err)
	}
}

func TestReportRefusesBadFlags(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--period", "year"}, "--period"},
		{[]string{"--by", "team"}, "--by"},
		{[]string{"--format", "xml"}, "--format"},
		{[]string{"--from", "2030-12-01", "--to", "2030-11-01"}, "--to"},
		{[]string{"--from", "next tuesday"}, "--from"},
		// --to left to its default (the end of this month): the message says so.
		{[]string{"--from", "2199-01-01"}, "--from: 2199-01-01 is after the default end"},
	} {
		f.refused(2, []string{c.want}, append([]string{"--as", "eve", "report"}, c.args...)...)
	}
	// A file that cannot be written where it is asked for is refused (exit 1), by the
	// path the person gave; nothing is left behind.
	missing := filepath.Join(f.dir, "no", "such", "dir", "r.csv")
	f.refused(1, []string{"--out " + missing + ": directory " + filepath.Dir(missing) + " does not exist"},
		"--as", "eve", "report", "--out", missing)
	f.refused(1, []string{"--out " + f.dir + ": is a directory"}, "--as", "eve", "report", "--out", f.dir)
	// A report counts every deployment: a technician sees only their own.
	f.refused(1, []string{"raj (technician) may not read reports"}, "--as", "raj", "report")
	if left, _ := filepath.Glob(filepath.Join(f.dir, ".ferry-report-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestReportCheckFindsAndRepairsDrift(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.planIn("dev", "1.0", "2030-11-04 10:00")
	if r := f.ok("--as", "eve", "report", "check"); !strings.Contains(r.stdout, "match the raw rows") {
		t.Fatalf("check: %s", r)
	}
	db, err := sql.Open("sqlite", f.db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE rollup_days SET deployments = deployments + 5`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// A refusal prints nothing on stdout, so the differences go with the error.
	f.refused(1, []string{"--repair"}, "--as", "eve", "report", "check")
	f.refused(1, []string{"only managers"}, "--as", "eve", "report", "check", "--repair")
	if r := f.ok("--as", "ana", "report", "check", "--repair"); !strings.Contains(r.stdout, "Recounted") {
		t.Fatalf("repair: %s", r)
	}
	f.ok("--as", "eve", "report", "check")
}

// report --out replaces a file keeping its mode (a report kept private stays so), and
// refuses to replace a symbolic link, leaving the link and what it points to alone.
func TestReportOutKeepsModeAndRefusesLinks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	private := filepath.Join(f.dir, "private.csv")
	if err := os.WriteFile(private, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.ok("--as", "eve", "report", "--format", "csv", "--out", private)
	if st, err := os.Stat(private); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("replaced report: mode %v (%v), want -rw-------", st.Mode().Perm(), err)
	}

	target := filepath.Join(f.dir, "elsewhere.txt")
	writeFile(t, target, "keep me\n")
	link := filepath.Join(f.dir, "link.csv")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	f.refused(1, []string{link + " is a symbolic link"}, "--as", "eve", "report", "--format", "csv", "--out", link)
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", st.Mode(), err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep me\n" {
		t.Errorf("the link's target was written: %q", b)
	}
}

// The text report and report --help define the report's metrics where the binary
// is, not in a README that is not there over SSH: the report ended "Definitions:
// README." and its help said "defined in the README".
func TestReportDefinesItsMetricsInItsHelp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	help := f.ok("report", "--help").stdout
	for _, c := range engine.ReportColumns {
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(c.Label) + ` +` + regexp.QuoteMeta(c.Help) + `$`).MatchString(help) {
			t.Errorf("report --help should define %q on a line of its own as %q:\n%s", c.Label, c.Help, help)
		}
	}
	out := f.ok("--as", "ana", "report").stdout
	if strings.Contains(help+out, "README") || !strings.Contains(out, "Definitions: ferry report --help.") {
		t.Errorf("the report should point to report --help, not the README:\n%s\n%s", out, help)
	}
}
