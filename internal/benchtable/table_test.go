package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const sample = `goos: linux
cpu: Some CPU @ 2GHz
BenchmarkFirstFrame/1m-demo/ferry-version-2   10   1 ns/op   5.0 base-ms   16.0 ferry-ms   3.2 x-base
BenchmarkBeside/version/shell-start-2   10   1 ns/op   2.0 base-ms   4.5 ferry-ms   2.25 x-base
BenchmarkSuggest100k/whole-2   100   2000000 ns/op   1.000 slots
BenchmarkSuggest100k/sweep-2   100   8000000 ns/op   1.000 slots
BenchmarkHistory1M/none-first-2   100   400000 ns/op
BenchmarkHistory1M/none-deep-2   100   6000000 ns/op
BenchmarkStepOutput100MB-2   1   900000000 ns/op   110.5 MB/s   70.1 peak-rss-MB
BenchmarkBeside/where-1m/state-rows-2   1   1 ns/op
`

var sampleRows = []row{
	{what: "first frame", bench: "FirstFrame/1m-demo/ferry-version", metric: "ferry-ms", vs: "`ferry version`", target: target{"<=", 3, true}},
	{what: "suggestion", bench: "Suggest100k/whole", metric: "ns/op", base: "Suggest100k/sweep", vs: "the sweep", target: target{"<", 10e6, false}},
	{what: "history pages", bench: "History1M/*", metric: "ns/op", target: target{"<", 5e6, false}},
	{what: "output", bench: "StepOutput100MB", metric: "MB/s", target: target{">=", 100, false}},
	{what: "not run here", bench: "Detect100k", metric: "ns/op"},
	{what: "skipped, without its figures", bench: "Beside/where-1m/state-rows", metric: "ferry-ms", target: target{"<=", 2, true}},
}

// The table gives each figure beside its baseline and their ratio, judges the target
// on the ratio or the figure as the row says (a range on its worst), and names the
// rows whose benchmark did not run.
func TestRenderJudgesEachRow(t *testing.T) {
	run, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	table, missing := render(run, sampleRows, time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	for _, want := range []string{
		"Measured 7 Dec 2026 on Some CPU @ 2GHz (2 cores; `ferry version` as a whole process: 4.5 ms)",
		"| first frame | `FirstFrame/1m-demo/ferry-version` | 16.0 ms | 5.00 ms `ferry version` | 3.20× | ≤ 3× | **no** |",
		"| suggestion | `Suggest100k/whole` | 2.00 ms | 8.00 ms the sweep | 0.25× | < 10 ms | yes |",
		"| history pages | `History1M/*` | 0.400–6.00 ms |  |  | < 5 ms | **no** |",
		"| output | `StepOutput100MB` | 110 MB/s |  |  | ≥ 100 MB/s | yes |",
		"| not run here | `Detect100k` | not run |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("the table lacks\n%s\nin\n%s", want, table)
		}
	}
	if len(missing) != 2 || missing[0] != "Detect100k" || missing[1] != "Beside/where-1m/state-rows" {
		t.Errorf("missing %v, want [Detect100k Beside/where-1m/state-rows]", missing)
	}
}

// Splicing replaces only what lies between the markers, and refuses a file without them.
func TestSpliceKeepsTheRestOfTheFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "README.md")
	before := "# Ferry\n\n<!-- bench-table:begin -->\nold table\n<!-- bench-table:end -->\n\nAfter.\n"
	if err := os.WriteFile(file, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := splice(file, "new table\n"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(file)
	if want := "# Ferry\n\n<!-- bench-table:begin -->\nnew table\n<!-- bench-table:end -->\n\nAfter.\n"; string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if err := os.WriteFile(file, []byte("no markers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := splice(file, "new table\n"); err == nil || !strings.Contains(err.Error(), "no bench-table markers") {
		t.Fatalf("a file without markers: %v", err)
	}
}
