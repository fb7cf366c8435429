package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ferry/engine"
	"ferry/models"
)

var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// sample is n deployments, newest first, an hour apart, the oddest cells a person
// could write among them: a pipe in a version, a comma and a quote in a change.
func sample(n int) []models.Deployment {
	start := time.Date(2026, 11, 26, 13, 0, 0, 0, time.UTC)
	var out []models.Deployment
	for i := n; i >= 1; i-- {
		d := models.Deployment{ID: int64(i), Model: "web-service", ModelVersion: 1, Service: "payments",
			Component: "payments-api", Kind: models.KindSoftware, Version: fmt.Sprintf("4.%d.0", i),
			Action: models.ActionDeploy, Environment: "staging", Status: models.StatusSucceeded, Assignee: "sam",
			ChangeRef: `CHG-1, "urgent"`, ScheduledStart: start.Add(time.Duration(i) * time.Hour)}
		d.ScheduledEnd = d.ScheduledStart.Add(45 * time.Minute)
		d.StartedAt, d.FinishedAt = d.ScheduledStart, d.ScheduledEnd
		if i%2 == 0 {
			d.Status, d.StartedAt, d.FinishedAt, d.Assignee, d.Version = models.StatusPlanned, time.Time{}, time.Time{}, "", "1|2"
		}
		out = append(out, d)
	}
	return out
}

func TestDeploymentsCSVParsesBack(t *testing.T) {
	list := sample(3)
	var b bytes.Buffer
	if err := WriteDeployments(&b, CSV, berlin, list); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(list) || !slices.Equal(rows[0], HistoryColumns) {
		t.Fatalf("a header and one row per deployment: %v", rows)
	}
	for i, d := range list {
		r := rows[i+1]
		if r[0] != strconv.FormatInt(d.ID, 10) || r[1] != d.ScheduledStart.UTC().Format(time.RFC3339) ||
			r[9] != d.Version || r[16] != d.ChangeRef || r[13] != string(d.Status) {
			t.Errorf("row %d: %v for %+v", i, r, d)
		}
		if d.StartedAt.IsZero() != (r[3] == "") {
			t.Errorf("row %d: started_at %q: empty exactly when it has not happened", i, r[3])
		}
	}
}

// A spreadsheet opening the file shows stored text; it never runs it as a formula,
// and a line break in a value never splits the row for a reader going by lines.
func TestDeploymentsCSVCellsAreNeverFormulas(t *testing.T) {
	list := sample(4)
	list[0].ChangeRef = `=HYPERLINK("http://evil","x")`
	list[1].Requester = "+1"
	list[2].Component = "-2+3"
	list[3].Version = "@SUM(A1)\nnext"
	var b bytes.Buffer
	if err := WriteDeployments(&b, CSV, berlin, list); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n != 1+len(list) {
		t.Errorf("%d lines for a header and %d rows:\n%s", n, len(list), b.String())
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		col  int
		cell string
	}{
		{16, `'=HYPERLINK("http://evil","x")`}, {15, "'+1"}, {7, "'-2+3"}, {9, "'@SUM(A1)⏎next"}} {
		if got := rows[i+1][want.col]; got != want.cell {
			t.Errorf("row %d column %s: %q, want %q", i+1, HistoryColumns[want.col], got, want.cell)
		}
	}
	if rows[2][0] != "3" || rows[2][14] != "sam" {
		t.Errorf("numbers and plain text stay as they are: %v", rows[2])
	}
}

// TestDeploymentsJSONPagesAreOneArray: written a page at a time, the JSON is the
// bytes encoding/json gives for the whole list, which the CLI has always printed.
func TestDeploymentsJSONPagesAreOneArray(t *testing.T) {
	for _, n := range []int{0, 1, 5} {
		list := sample(n)
		var b bytes.Buffer
		d, err := NewDeployments(&b, JSON, berlin)
		if err != nil {
			t.Fatal(err)
		}
		for page := range slices.Chunk(list, 2) {
			if err := d.Write(page); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		all := make([]DeploymentJSON, 0, n)
		for _, dep := range list {
			all = append(all, JSONOf(dep))
		}
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(all); err != nil {
			t.Fatal(err)
		}
		if b.String() != want.String() {
			t.Fatalf("%d deployments in pages of 2:\n%s\nwant:\n%s", n, b.String(), want.String())
		}
		var back []DeploymentJSON
		if err := json.Unmarshal(b.Bytes(), &back); err != nil || len(back) != n {
			t.Fatalf("%d deployments parse back as %d: %v", n, len(back), err)
		}
	}
}

func TestDeploymentsMarkdownIsATable(t *testing.T) {
	list := sample(4)
	list[1].Component = "evil\x1b]2;owned\a\x1b[2J" // stored before labels were checked
	var b bytes.Buffer
	if err := WriteDeployments(&b, Markdown, berlin, list); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2+len(list) {
		t.Fatalf("a header, its rule and one row per deployment:\n%s", b.String())
	}
	if lines[0] != "| ID | start (Europe/Berlin) | environment | component | version | status | assignee |" ||
		!strings.HasPrefix(lines[1], "|---") {
		t.Fatalf("header:\n%s", b.String())
	}
	for i, d := range list {
		cells := mdCells(lines[i+2])
		if len(cells) != 7 || cells[0] != strconv.FormatInt(d.ID, 10) ||
			cells[1] != d.ScheduledStart.In(berlin).Format("2006-01-02 15:04") {
			t.Errorf("row %d: %q", i, lines[i+2])
		}
	}
	// #4 is planned: version "1|2" stays one cell, no assignee is a dash.
	if cells := mdCells(lines[2]); cells[4] != `1\|2` || cells[6] != "—" {
		t.Errorf("#4: %q", lines[2])
	}
	if cells := mdCells(lines[3]); cells[3] != "evil␛]2;owned␇␛[2J" {
		t.Errorf("#3: escape sequences are shown, not obeyed: %q", lines[3])
	}
}

// mdCells splits a Markdown table row at the pipes that are not escaped.
func mdCells(line string) []string {
	line = strings.ReplaceAll(strings.Trim(line, "|"), `\|`, "\x00")
	var out []string
	for _, c := range strings.Split(line, "|") {
		out = append(out, strings.ReplaceAll(strings.TrimSpace(c), "\x00", `\|`))
	}
	return out
}

// pager serves list (newest first) as the engine does: f.Limit rows after f.After.
// It counts the calls and the largest page asked for.
type pager struct {
	list       []models.Deployment
	calls, max int
	failAt     int // fail on this call (0: never)
}

func (p *pager) page(ctx context.Context, f models.Filter) ([]models.Deployment, error) {
	p.calls++
	p.max = max(p.max, f.Limit)
	if p.calls == p.failAt {
		return nil, errors.New("disk on fire")
	}
	i := 0
	if f.After != nil {
		i = slices.IndexFunc(p.list, func(d models.Deployment) bool { return d.ID == f.After.ID }) + 1
	}
	return p.list[i:min(len(p.list), i+f.Limit)], nil
}

func TestHistoryStreamsPageByPage(t *testing.T) {
	for _, n := range []int{0, 7, 10, 23} {
		p := &pager{list: sample(n)}
		var b bytes.Buffer
		var told []int
		got, err := history(context.Background(), &b, CSV, berlin, p.page, models.Filter{}, func(n int) { told = append(told, n) }, 5)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := csv.NewReader(&b).ReadAll()
		var ids []string
		for _, r := range rows[1:] {
			ids = append(ids, r[0])
		}
		var want []string
		for _, d := range p.list {
			want = append(want, strconv.FormatInt(d.ID, 10))
		}
		if got != n || !slices.Equal(ids, want) {
			t.Fatalf("%d deployments: wrote %d, ids %v", n, got, ids)
		}
		if p.max != 5 || p.calls != n/5+1 || len(told) != p.calls || told[len(told)-1] != n {
			t.Fatalf("%d deployments: %d calls of at most %d rows, progress %v", n, p.calls, p.max, told)
		}
	}
}

func TestHistoryFileIsWholeOrNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history.json")
	p := &pager{list: sample(1500), failAt: 2} // the second page fails, after the first was written
	if _, _, err := HistoryFile(context.Background(), path, false, berlin, p.page, models.Filter{}, nil); err == nil {
		t.Fatal("a failing page fails the export")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a failed export leaves nothing behind: %v", entries)
	}

	ctx, cancel := context.WithCancel(context.Background())
	p = &pager{list: sample(12000)}
	_, _, err := HistoryFile(ctx, path, false, berlin, p.page, models.Filter{}, func(n int) { cancel() })
	if !errors.Is(err, context.Canceled) || p.calls != 1 {
		t.Fatalf("a cancelled export stops after the page under way: %v after %d pages", err, p.calls)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a cancelled export leaves nothing behind: %v", entries)
	}

	p = &pager{list: sample(2500)}
	n, abs, err := HistoryFile(context.Background(), path, false, berlin, p.page, models.Filter{}, nil)
	if err != nil || n != 2500 || abs != path || p.calls != 3 {
		t.Fatalf("wrote %d to %s in %d pages: %v", n, abs, p.calls, err)
	}
	var back []DeploymentJSON
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &back); err != nil || len(back) != 2500 || back[0].ID != 2500 {
		t.Fatalf("the file parses back: %d rows, %v", len(back), err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("a new export is readable by others, as files usually are: %v", st.Mode())
	}
}

func TestFileRefusals(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) func(w io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	missing := filepath.Join(dir, "no", "such", "h.csv")
	if _, err := File(missing, true, write("x")); err == nil || !strings.Contains(err.Error(), missing) ||
		!strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("a missing directory is refused, naming the path: %v", err)
	}
	path := filepath.Join(dir, "h.csv")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := File(path, false, write("new"))
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), path) {
		t.Fatalf("an existing file is not replaced unasked: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("the file is as it was: %q", b)
	}
	if _, err := File(path, true, write("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Fatalf("replaced when asked: %q", b)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("a replaced file keeps its mode: %v", st.Mode())
	}
	if _, err := File(dir, true, write("x")); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("a directory is not a file: %v", err)
	}
	// A directory that is there but takes no files (procfs answers "no such file"):
	// said so, not as missing.
	if _, err := os.Stat("/proc/self"); err == nil {
		if _, err := File("/proc/x.csv", true, write("x")); err == nil || !strings.Contains(err.Error(), "cannot write in /proc") ||
			strings.Contains(err.Error(), "no such file") {
			t.Errorf("/proc: %v", err)
		}
	}
	for _, bad := range []string{"h.xlsx", "history"} {
		if _, err := FormatOf(bad); err == nil || !strings.Contains(err.Error(), ".csv, .json or .md") {
			t.Errorf("%s: the refusal says which formats there are: %v", bad, err)
		}
	}
}

// report is two months of one group, and their total.
func report() engine.Report {
	nov := time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC) // 1 Nov in Berlin
	dec := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
	end := time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)
	m := engine.Metrics{Deployments: 4, Succeeded: 3, Failed: 1, SuccessRate: engine.Ratio{N: 3, D: 4}}
	return engine.Report{From: nov, To: end, Period: engine.PeriodMonth, By: engine.ByNothing, Tolerance: 15 * time.Minute,
		Rows: []engine.ReportRow{{Period: "2026-11", Start: nov, End: dec, Group: "all", Metrics: m},
			{Period: "2026-12", Start: dec, End: end, Group: "all"}},
		Totals: []engine.ReportRow{{Period: "total", Start: nov, End: end, Group: "all", Metrics: m}}}
}

func TestReportFormatsParseBack(t *testing.T) {
	rep := report()
	var b bytes.Buffer
	if err := WriteReport(&b, CSV, rep, berlin); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(rows) != 4 || rows[0][0] != "period" || rows[1][1] != "2026-11-01" || rows[1][4] != "4" ||
		rows[3][0] != "total" {
		t.Fatalf("csv: a header, two months, the total, days in Berlin: %v %v", rows, err)
	}
	b.Reset()
	if err := WriteReport(&b, JSON, rep, berlin); err != nil {
		t.Fatal(err)
	}
	var js struct {
		TimeZone     string `json:"time_zone"`
		Rows, Totals []struct {
			Period  string
			Metrics map[string]*float64
		}
	}
	if err := json.Unmarshal(b.Bytes(), &js); err != nil || js.TimeZone != "Europe/Berlin" || len(js.Rows) != 2 ||
		*js.Rows[0].Metrics["success_rate_pct"] != 75 || js.Rows[1].Metrics["success_rate_pct"] != nil {
		t.Fatalf("json: %+v %v\n%s", js, err, b.String())
	}
	b.Reset()
	if err := WriteReport(&b, Markdown, rep, berlin); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if !strings.HasPrefix(md, "# Deployment metrics by month, 2026-11-01 – 2026-12-31 (Europe/Berlin)") ||
		!strings.Contains(md, "|  | 2026-11 | 2026-12 | total |") || !strings.Contains(md, "| deployments | 4 | 0 | 4 |") {
		t.Fatalf("markdown:\n%s", md)
	}
	if err := WriteReport(&b, Format("xlsx"), rep, berlin); err == nil {
		t.Fatal("an unknown format is refused")
	}
}

// A long report is encoded in parts on several cores: it still reads as one array,
// each row once, in order, whatever the number of cores and the writes' sizes.
func TestLongReportJSONKeepsItsRows(t *testing.T) {
	rep := report()
	rows := make([]engine.ReportRow, 5003)
	for i := range rows {
		rows[i] = rep.Rows[0]
		rows[i].Period = fmt.Sprintf("p%05d", i)
		rows[i].Deployments = int64(i)
	}
	rep.Rows = rows
	for _, procs := range []int{1, 2, 3, 4} {
		old := runtime.GOMAXPROCS(procs)
		var b bytes.Buffer
		err := WriteReport(&b, JSON, rep, berlin)
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		var js struct {
			Rows []struct {
				Period  string
				Metrics struct{ Deployments int64 }
			}
		}
		if err := json.Unmarshal(b.Bytes(), &js); err != nil || len(js.Rows) != len(rows) {
			t.Fatalf("%d cores: %d rows of %d: %v", procs, len(js.Rows), len(rows), err)
		}
		for i, r := range js.Rows {
			if r.Period != rows[i].Period || r.Metrics.Deployments != int64(i) {
				t.Fatalf("%d cores: row %d is %+v", procs, i, r)
			}
		}
	}
}
