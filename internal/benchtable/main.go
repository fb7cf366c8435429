// Command benchtable turns `go test -bench` output into the README's table of
// figures: each measured beside its baseline from the same run where it has one, the
// ratio, the target and whether it is met. With -readme FILE it writes the table into
// FILE between the bench-table markers, refusing when a row's benchmark did not run
// (a narrowed run would drop rows).
//
//	go test -run '^$' -bench . -benchmem ./... > bench.out
//	go run ./internal/benchtable -readme README.md < bench.out
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

func main() {
	readme := flag.String("readme", "", "write the table into this file between its bench-table markers")
	flag.Parse()
	run, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	table, missing := render(run, rows, time.Now())
	fmt.Print(table)
	if len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "benchtable: no figure for %s\n", strings.Join(missing, ", "))
	}
	if *readme == "" {
		return
	}
	if len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "benchtable: %s not written: every row needs its figure (a benchmark that skipped, e.g. without the sqlite3 shell, leaves one out)\n", *readme)
		os.Exit(1)
	}
	if err := splice(*readme, table); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// Run is one `go test -bench` output: each benchmark's metrics by unit, the CPU and
// GOMAXPROCS (the names' -N suffix).
type Run struct {
	CPU     string
	Procs   int
	Metrics map[string]map[string]float64 // "Suggest100k/whole" → "ns/op" → value
	Order   []string                      // names in the order they ran
}

// parse reads benchmark lines: "BenchmarkName/sub-2  N  v unit  v unit ...".
func parse(r io.Reader) (Run, error) {
	run := Run{Metrics: map[string]map[string]float64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if cpu, ok := strings.CutPrefix(line, "cpu: "); ok && run.CPU == "" {
			run.CPU = strings.TrimSpace(cpu)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if n, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
				run.Procs = max(run.Procs, n)
			}
		}
		m := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return run, fmt.Errorf("%s: %q is not a number", f[0], f[i])
			}
			m[f[i+1]] = v
		}
		if _, seen := run.Metrics[name]; !seen {
			run.Order = append(run.Order, name)
		}
		run.Metrics[name] = m // with -count N, the last run stands
	}
	return run, sc.Err()
}

// splice replaces what lies between the markers in file with table.
func splice(file, table string) error {
	const begin, end = "<!-- bench-table:begin -->\n", "<!-- bench-table:end -->"
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	text := string(b)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		return errors.New(file + ": no bench-table markers (" + strings.TrimSpace(begin) + " … " + end + ")")
	}
	text = text[:i+len(begin)] + table + text[j:]
	return os.WriteFile(file, []byte(text), 0o644)
}

// match lists the run's benchmarks that pattern (path.Match syntax) names, in order.
func (r Run) match(pattern string) []string {
	var out []string
	for _, name := range r.Order {
		if ok, _ := path.Match(pattern, name); ok {
			out = append(out, name)
		}
	}
	return out
}
