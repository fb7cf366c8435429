package cli_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// demoTables are what `ferry demo` fills, in an order the shell can import them.
var demoTables = []string{"deployments", "step_runs", "events", "incidents", "outages", "rollup_days"}

// BenchmarkDemoBeside builds the demo history as a whole process beside its
// baseline measured in the same run: the sqlite3 shell importing the same rows from
// CSV files into the same schema, in one transaction (the demo's own rows, exported
// from a demo built once; the search documents go in as rows of the FTS5 table, as
// the demo writes them once per batch, so the shell runs without the search
// triggers). FERRY_BENCH_DEMO sets the size (default 100,000; the figure is
// for 1,000,000). The hash chain's 32-byte hashes travel as hex text, the one place
// the shell writes more than Ferry does.
func BenchmarkDemoBeside(b *testing.B) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		b.Skip("no sqlite3 shell on this machine: the baseline needs it")
	}
	n := 100_000
	if s := os.Getenv("FERRY_BENCH_DEMO"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("FERRY_BENCH_DEMO=%q: %v", s, err)
		}
	}
	dir := b.TempDir()
	demo := func(db string) []string {
		return []string{ferryBin, "--config", "../../config.toml", "--db", db, "--as", "ana", "demo",
			"--deployments", strconv.Itoa(n)}
	}
	src, empty := filepath.Join(dir, "src.db"), filepath.Join(dir, "empty.db")
	run(b, demo(src))
	run(b, []string{ferryBin, "--config", "../../config.toml", "--db", empty, "--as", "ana", "deploy", "list"})
	script := exportDemoCSV(b, src, dir)
	b.Run(fmt.Sprintf("demo-%d/csv-import", n), func(b *testing.B) { demoBeside(b, dir, script, empty, demo) })
}

// demoBeside alternates building the demo and importing its rows, b.N times each.
func demoBeside(b *testing.B, dir, script, empty string, demo func(string) []string) {
	var fs, bs []time.Duration
	for i := 0; b.Loop(); i++ {
		a, s := filepath.Join(dir, "a"+strconv.Itoa(i)+".db"), filepath.Join(dir, "s"+strconv.Itoa(i)+".db")
		fs = append(fs, timed(b, demo(a)))
		copyFile(b, empty, s)
		start := time.Now()
		importCSV(b, s, script)
		bs = append(bs, time.Since(start))
		os.Remove(a)
		os.Remove(s)
	}
	f, s := median(fs), median(bs)
	b.ReportMetric(ms(f), "ferry-ms")
	b.ReportMetric(ms(s), "base-ms")
	b.ReportMetric(float64(f)/float64(s), "x-base")
}

// exportDemoCSV writes the demo's rows in src to CSV files in dir and returns the
// shell script that imports them.
func exportDemoCSV(b testing.TB, src, dir string) string {
	var exp, imp strings.Builder
	exp.WriteString(".mode csv\n.headers off\n")
	imp.WriteString("DROP TRIGGER search_deployment_insert; DROP TRIGGER search_deployment_update;\n" +
		"DROP TRIGGER search_deployment_facets; DROP TRIGGER search_event_insert;\n" +
		"DROP TRIGGER search_step_insert; DROP TRIGGER search_step_note;\n" +
		"DROP TRIGGER search_incident_insert; DROP TRIGGER search_incident_update;\nBEGIN;\n")
	for _, t := range demoTables {
		file := filepath.Join(dir, t+".csv")
		sel := "SELECT * FROM " + t
		if t == "events" {
			sel = "SELECT id, deployment_id, at, actor, type, detail, principal, hex(hash) FROM events"
		}
		exp.WriteString(".once " + file + "\n" + sel + ";\n")
		imp.WriteString(".import --csv " + file + " " + t + "\n")
	}
	search := filepath.Join(dir, "search.csv")
	exp.WriteString(".once " + search + "\nSELECT rowid, what, notes, facets FROM search;\n")
	imp.WriteString("CREATE TEMP TABLE docs (key INTEGER, what TEXT, notes TEXT, facets TEXT);\n" +
		".import --csv " + search + " docs\n" +
		"INSERT INTO search (rowid, what, notes, facets) SELECT key, what, notes, facets FROM docs;\nCOMMIT;\n")
	cmd := exec.Command("sqlite3", src)
	cmd.Stdin = strings.NewReader(exp.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("sqlite3 export: %v\n%s", err, out)
	}
	return imp.String()
}

// importCSV runs the import script on db; any message from the shell fails.
func importCSV(b testing.TB, db, script string) {
	cmd := exec.Command("sqlite3", db)
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		b.Fatalf("sqlite3 import: %v\n%.800s", err, out)
	}
}

func run(b testing.TB, argv []string) {
	b.Helper()
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		b.Fatalf("%v: %v\n%.500s", argv, err, out)
	}
}

func copyFile(b testing.TB, from, to string) {
	data, err := os.ReadFile(from)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		b.Fatal(err)
	}
}

// TestDemoImportBaselineHoldsTheRows keeps the benchmark's baseline honest: the
// shell's import ends with every row the demo wrote, and its search index finds
// what the demo's does.
func TestDemoImportBaselineHoldsTheRows(t *testing.T) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		t.Skip("no sqlite3 shell on this machine")
	}
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.db"), filepath.Join(dir, "dst.db")
	base := []string{ferryBin, "--config", "../../config.toml", "--as", "ana", "--db"}
	run(t, append(base, src, "demo", "--deployments", "300"))
	run(t, append(base, dst, "deploy", "list"))
	importCSV(t, dst, exportDemoCSV(t, src, dir))
	count := func(db, sql string) string {
		out, err := exec.Command("sqlite3", db, sql).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v %s", sql, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	for _, q := range append(demoTables, "search WHERE search MATCH 'payments'") {
		sql := "SELECT count(*) FROM " + q
		if a, b := count(src, sql), count(dst, sql); a != b || a == "0" {
			t.Errorf("%s: the demo wrote %s, the shell imported %s", sql, a, b)
		}
	}
}
