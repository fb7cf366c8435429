package pages_test

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// exportTo presses x, puts path in the prompt and presses enter.
func exportTo(m *Model, path string) {
	press(m, "x")
	clearField(m)
	typeText(m, path)
	press(m, "enter")
}

// clearField empties the text field that has focus, as ctrl+u does.
func clearField(m *Model) {
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	load(m, cmd)
}

// fileIDs reads the deployment IDs of an exported history, whatever its format.
func fileIDs(t *testing.T, path string) []int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	switch filepath.Ext(path) {
	case ".csv":
		rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if err != nil || len(rows) == 0 || rows[0][0] != "id" {
			t.Fatalf("%s: %v\n%s", path, err, b)
		}
		for _, r := range rows[1:] {
			id, _ := strconv.ParseInt(r[0], 10, 64)
			ids = append(ids, id)
		}
	case ".json":
		var list []struct{ ID int64 }
		if err := json.Unmarshal(b, &list); err != nil {
			t.Fatalf("%s: %v\n%s", path, err, b)
		}
		for _, d := range list {
			ids = append(ids, d.ID)
		}
	case ".md":
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) < 2 || !strings.HasPrefix(lines[0], "| ID | start") {
			t.Fatalf("%s: no header row\n%s", path, b)
		}
		for _, l := range lines[2:] {
			id, err := strconv.ParseInt(strings.TrimSpace(strings.Split(l, "|")[1]), 10, 64)
			if err != nil {
				t.Fatalf("%s: %q is not a deployment's row", path, l)
			}
			ids = append(ids, id)
		}
	}
	return ids
}

// TestExportHistoryWritesWhatTheFilterShows: an analyst filters History and exports
// it in each format; each file holds exactly the rows the list shows, in its order,
// and the footer says where it went.
func TestExportHistoryWritesWhatTheFilterShows(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 120, 35)
	h := historyOf(t, m)
	apply(m, historyFilter{Component: "payments-api", Oldest: true})
	want := shownIDs(h)
	if !slices.Equal(want, []int64{2, 3}) {
		t.Fatalf("the filter: %v", want)
	}
	dir := t.TempDir()
	for _, name := range []string{"h.csv", "h.json", "h.md"} {
		press(m, "x")
		if got := screenText(m); !strings.Contains(got, "Export history: oldest first · component payments-api") ||
			!strings.Contains(got, "path: ./ferry-history-2026-11-26.csv") {
			t.Fatalf("x asks where, naming what it exports, with a path of today's:\n%s", got)
		}
		clearField(m)
		path := filepath.Join(dir, name)
		typeText(m, path)
		press(m, "enter")
		if got := screenText(m); !strings.Contains(got, "✓ wrote 2 deployments to "+path) {
			t.Fatalf("%s: the footer says where it wrote:\n%s", name, got)
		}
		if got := fileIDs(t, path); !slices.Equal(got, want) {
			t.Fatalf("%s holds %v, the list shows %v", name, got, want)
		}
	}
	if m.Top() != h {
		t.Fatalf("back on History after the export: %s", m.Top().Title())
	}
}

// TestExportHistoryPastOnePage exports a history bigger than a page of the export's
// listing: every deployment, once each, in the list's order.
func TestExportHistoryPastOnePage(t *testing.T) {
	t.Parallel()
	c := newDemoCommon(t, "kim", 2300)
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	historyOf(t, m)
	path := filepath.Join(t.TempDir(), "all.csv")
	exportTo(m, path)
	want := ids(listAll(t, c, false))
	if got := fileIDs(t, path); !slices.Equal(got, want) {
		t.Fatalf("%d rows exported, %d in the history; first difference at %d", len(got), len(want), firstDiff(got, want))
	}
	if got := screenText(m); !strings.Contains(got, "wrote 2,300 deployments to "+path) {
		t.Fatalf("the footer counts them:\n%s", got)
	}
}

// TestExportHistoryIsWhatThePersonMaySee: a technician's export holds only the
// deployments assigned to them, as their History does.
func TestExportHistoryIsWhatThePersonMaySee(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 120, 35)
	h := historyOf(t, m)
	path := filepath.Join(t.TempDir(), "mine.json")
	exportTo(m, path)
	if got := fileIDs(t, path); !slices.Equal(got, []int64{1}) || !slices.Equal(shownIDs(h), got) {
		t.Fatalf("tom carries out #1 only: exported %v, shown %v", got, shownIDs(h))
	}
}

func TestExportRefusesAMissingDirectoryAndAsksBeforeReplacing(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 60, 20)
	historyOf(t, m)
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such", "h.csv")
	exportTo(m, missing)
	got := screenText(m)
	if !strings.Contains(strings.Join(strings.Fields(got), ""), missing) || !strings.Contains(got, "does not exist") {
		t.Fatalf("a missing directory is refused, naming the path:\n%s", got)
	}
	fits(t, m, "refused", 60, 20)
	if _, err := os.Stat(filepath.Join(dir, "no")); err == nil {
		t.Fatal("nothing is created")
	}
	clearField(m)
	typeText(m, "h.xlsx")
	press(m, "enter")
	if got := screenText(m); !strings.Contains(strings.Join(strings.Fields(got), " "), "end it in .csv, .json or .md") {
		t.Fatalf("an unknown extension is refused, saying which there are:\n%s", got)
	}
	press(m, "esc")

	path := filepath.Join(dir, "h.csv")
	if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	exportTo(m, path)
	if got := screenText(m); !strings.Contains(got, "exists; enter again to replace it") {
		t.Fatalf("an existing file is not replaced at the first enter:\n%s", got)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Fatalf("the file is untouched: %q", b)
	}
	typeText(m, "x") // another path: enter must ask again
	clearField(m)
	typeText(m, path)
	press(m, "enter")
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Fatalf("a changed path asks again before replacing: %q", b)
	}
	press(m, "enter")
	if got := fileIDs(t, path); len(got) != 5 {
		t.Fatalf("the second enter replaces it with the export: %v", got)
	}
	fits(t, m, "written", 60, 20)
}

// TestExportReportWritesTheReportInView: the report's period, grouping and range as
// the screen shows them.
func TestExportReportWritesTheReportInView(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 120, 35)
	press(m, "5", "b") // by month, per environment
	if got := screenText(m); !strings.Contains(got, "by month · per environment · table") {
		t.Fatalf("the report grouped by environment:\n%s", got)
	}
	r, ok := m.Top().(*reports)
	if !ok {
		t.Fatalf("screen 5 is %T", m.Top())
	}
	var shown [][2]string
	for _, row := range r.Table().Rows() { // the screen marks the current period partial: 2026-11*
		shown = append(shown, [2]string{strings.TrimSuffix(row[0], "*"), row[1]})
	}
	path := filepath.Join(t.TempDir(), "report.csv")
	press(m, "x")
	// In the screen's words: it said "grouped by environment" under "per environment".
	if got := screenText(m); !strings.Contains(got, "Export the report: by month, per environment, 1 Dec 2025 – 30 Nov 2026") ||
		strings.Contains(got, "grouped by") {
		t.Fatalf("x names the report in view as the screen does:\n%s", got)
	}
	clearField(m)
	typeText(m, path)
	press(m, "enter")
	if got := screenText(m); !strings.Contains(got, "wrote the report to "+path) {
		t.Fatalf("the footer says where:\n%s", got)
	}
	f, _ := os.Open(path)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var written [][2]string
	for _, l := range rows[1:] {
		written = append(written, [2]string{l[0], l[3]})
		if l[0] == "2026-11" && l[3] == "staging" && (l[4] != "2" || l[6] != "1") {
			t.Errorf("November in staging: 2 deployments (#2 and #3), 1 failed: %v", l)
		}
	}
	if !slices.Equal(written, shown) || len(shown) < 2 {
		t.Fatalf("the file's periods and groups are the table's:\n%v\n%v", written, shown)
	}

	md := filepath.Join(filepath.Dir(path), "report.md")
	exportTo(m, md)
	b, _ := os.ReadFile(md)
	if !strings.HasPrefix(string(b), "# Deployment metrics by month, 2025-12-01 – 2026-11-30 (Europe/Berlin)") ||
		!strings.Contains(string(b), "## environment: staging") {
		t.Fatalf("markdown:\n%s", b)
	}
}

// TestExportReportNotGroupedSaysSo: the export names an ungrouped report as the
// screen does, "not grouped"; it said "grouped by nothing".
func TestExportReportNotGroupedSaysSo(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 60, 20)
	press(m, "5")
	if got := screenText(m); !strings.Contains(got, "not grouped") {
		t.Fatalf("the report opens not grouped:\n%s", got)
	}
	press(m, "x")
	got := screenText(m)
	if !strings.Contains(strings.Join(strings.Fields(got), " "), "by month, not grouped, 1 Dec 2025") ||
		strings.Contains(got, "nothing") {
		t.Fatalf("x names the report in the screen's words:\n%s", got)
	}
}

// TestExportIsOffOverSSH: a file would be written on the server, so x says why not.
func TestExportIsOffOverSSH(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "kim")
	c.Remote = true
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	h := historyOf(t, m)
	press(m, "x")
	if got := screenText(m); m.Top() != h || !strings.Contains(got, "over SSH a file would be written on the server") {
		t.Fatalf("x over SSH says why not, and opens nothing:\n%s", got)
	}
}

// TestExportOverSSHNamesTheCommand: x over SSH names the command that exports the
// same from the person's own machine, with this session's address and the filters
// in force (quoted to pass both shells), and on Reports the report in view.
func TestExportOverSSHNamesTheCommand(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "kim")
	c.Remote, c.SSH = true, "ssh -p 2222 kim@ferry-host"
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	historyOf(t, m)
	press(m, "/")
	typeText(m, "no power")
	press(m, "enter", "x")
	flat := func() string { return strings.Join(strings.Fields(screenText(m)), " ") }
	if got := flat(); !strings.Contains(got, `export from your own machine instead: ssh -p 2222 kim@ferry-host -- 'history --search "no power" --format csv' > FILE`) {
		t.Fatalf("x on a searched History over SSH should name the command:\n%s", screenText(m))
	}
	press(m, "o") // oldest first: the command exports in the list's order too
	press(m, "x")
	if got := flat(); !strings.Contains(got, `--search "no power" --oldest-first --format csv' > FILE`) {
		t.Fatalf("x on History oldest first should name the order:\n%s", screenText(m))
	}
	press(m, "5")
	press(m, "x")
	if got := flat(); !strings.Contains(got, "ssh -p 2222 kim@ferry-host -- report --period month --by none --from ") ||
		!strings.Contains(got, "--format csv > FILE") {
		t.Fatalf("x on Reports over SSH should name the report's command:\n%s", screenText(m))
	}
}
