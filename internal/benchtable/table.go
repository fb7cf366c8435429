package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// row is one line of the table: what a person waits for, the benchmark(s) that
// measure it (a path.Match pattern: several give a range), the unit of the figure in
// the benchmark's output, the baseline, and the target.
type row struct {
	what   string
	bench  string
	metric string // "ns/op" (shown in ms or s), "ferry-ms" (beside: base-ms and x-base are its baseline and ratio), "MB/s", "p99-ms", ...
	base   string // a pair's baseline: the benchmark whose ns/op the figure is divided by
	vs     string // the baseline in words
	target target
}

// target is a bound on the figure, or on the ratio to the baseline when ratio is set.
type target struct {
	op    string // "<", "<=" or ">="
	v     float64
	ratio bool
}

// text writes the target in the figure's unit (metric's).
func (t target) text(metric string) string {
	if t.op == "" {
		return ""
	}
	op := map[string]string{"<": "<", "<=": "≤", ">=": "≥"}[t.op]
	if t.ratio {
		return fmt.Sprintf("%s %g×", op, t.v)
	}
	unit, scale := unitOf(metric)
	v := t.v * scale
	if unit == "ms" && v >= 1000 {
		unit, v = "s", v/1000
	}
	return op + " " + strconv.FormatFloat(v, 'f', -1, 64) + " " + unit
}

func (t target) met(v float64) bool {
	switch t.op {
	case "<":
		return v < t.v
	case "<=":
		return v <= t.v
	case ">=":
		return v >= t.v
	}
	return true
}

// cell is one measured line: its figure, baseline and ratio (NaN when none).
type cell struct{ fig, base, ratio float64 }

func (r Run) cells(x row) []cell {
	var out []cell
	for _, name := range r.match(x.bench) {
		m := r.Metrics[name]
		c := cell{fig: math.NaN(), base: math.NaN(), ratio: math.NaN()}
		switch {
		case x.metric == "ferry-ms":
			var ok [3]bool
			c.fig, ok[0] = m["ferry-ms"]
			c.base, ok[1] = m["base-ms"]
			c.ratio, ok[2] = m["x-base"]
			if ok != [3]bool{true, true, true} {
				continue // a line without its figures (a benchmark that skipped) is no figure
			}
		case x.base != "":
			fig, ok := m[x.metric]
			base, okBase := r.Metrics[x.base][x.metric]
			if !ok || !okBase {
				continue
			}
			c.fig, c.base, c.ratio = fig, base, fig/base
		default:
			v, ok := m[x.metric]
			if !ok {
				continue
			}
			c.fig = v
		}
		out = append(out, c)
	}
	return out
}

// render writes the table; missing lists the rows whose benchmarks did not run.
func render(run Run, rows []row, now time.Time) (table string, missing []string) {
	var b strings.Builder
	start := "?"
	if cs := run.cells(row{bench: "Beside/version/shell-start", metric: "ferry-ms"}); len(cs) > 0 {
		start = fmt.Sprintf("%.1f ms", cs[0].fig)
	}
	fmt.Fprintf(&b, "Measured %s on %s (%d cores; `ferry version` as a whole process: %s). Made by `make bench-table`.\n\n",
		now.UTC().Format("2 Jan 2006"), orUnknown(run.CPU), run.Procs, start)
	b.WriteString("| what | benchmark | figure | baseline, same run | ratio | target | met |\n|---|---|---|---|---|---|---|\n")
	for _, x := range rows {
		cs := run.cells(x)
		if len(cs) == 0 {
			missing = append(missing, x.bench)
			fmt.Fprintf(&b, "| %s | `%s` | not run | | | %s | |\n", x.what, x.bench, x.target.text(x.metric))
			continue
		}
		figs, bases, ratios := pick(cs, func(c cell) float64 { return c.fig }), pick(cs, func(c cell) float64 { return c.base }), pick(cs, func(c cell) float64 { return c.ratio })
		met := "yes"
		for _, c := range cs {
			v := c.fig
			if x.target.ratio {
				v = c.ratio
			}
			if !x.target.met(v) {
				met = "**no**"
			}
		}
		if x.target.op == "" {
			met = ""
		}
		base := ""
		if !math.IsNaN(bases[0]) {
			base = span(bases, x.metric) + " " + x.vs
		}
		ratio := ""
		if !math.IsNaN(ratios[0]) {
			ratio = spanOf(ratios, func(v float64) string { return fmt.Sprintf("%.2f", v) }) + "×"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s | %s |\n", x.what, x.bench, span(figs, x.metric), base, ratio, x.target.text(x.metric), met)
	}
	return b.String(), missing
}

func orUnknown(s string) string {
	if s == "" {
		return "an unnamed CPU"
	}
	return s
}

func pick(cs []cell, f func(cell) float64) []float64 {
	out := make([]float64, len(cs))
	for i, c := range cs {
		out[i] = f(c)
	}
	return out
}

// units are the words for the benchmarks' own metrics.
var units = map[string]string{"ms-to-start": "ms", "peak-rss-MB": "MB", "µs-added": "µs", "µs-in-raise": "µs"}

// span is the figures' range in the metric's unit ("7.1–9.3 ms"), or the one figure.
// A time per operation (ns/op) reads in ms, or in s from a second; a target on one is
// written in ns too, so that both compare as they are.
func span(vs []float64, metric string) string {
	unit, scale := unitOf(metric)
	lo, hi := minMax(vs)
	lo, hi = lo*scale, hi*scale
	if unit == "ms" && lo >= 1000 {
		unit, lo, hi = "s", lo/1000, hi/1000
	}
	if lo == hi {
		return num(lo) + " " + unit
	}
	return num(lo) + "–" + num(hi) + " " + unit
}

// unitOf is the unit a metric's figures are written in, and the factor to it.
func unitOf(metric string) (unit string, scale float64) {
	switch {
	case metric == "ns/op":
		return "ms", 1e-6
	case units[metric] != "":
		return units[metric], 1
	case strings.HasSuffix(metric, "-ms"):
		return "ms", 1
	}
	return metric, 1
}

func spanOf(vs []float64, f func(float64) string) string {
	lo, hi := minMax(vs)
	if lo == hi {
		return f(lo)
	}
	return f(lo) + "–" + f(hi)
}

func minMax(vs []float64) (lo, hi float64) {
	lo, hi = vs[0], vs[0]
	for _, v := range vs[1:] {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}

// num writes a figure with three significant digits at most, as people read them.
func num(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}
