package pages_test

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

// The test history (newTestCommon): five deployments in November 2026, one failed
// in staging, one running in production, three planned.
func TestReportsScreenTableAndKeys(t *testing.T) {
	m := sized(t, "kim", 120, 35) // an analyst reads reports
	press(m, "5")
	got := screenText(m)
	for _, want := range []string{"5 Reports", "by month · group nothing · table", "1 Dec 2025 – 30 Nov 2026",
		"DEPLOYS", "FAILED", "SUCCESS", "2025-12", "2026-11", "total", "columns 1–"} {
		if !strings.Contains(got, want) {
			t.Fatalf("reports lack %q:\n%s", want, got)
		}
	}
	if row := lineWith(got, "2026-11"); !strings.Contains(row, " 5 ") || !strings.Contains(row, "0.0%") {
		t.Fatalf("November: 5 planned, 1 failed of 1 finished: %q", row)
	}
	press(m, "b")
	got = screenText(m)
	if row := lineWith(got, "2026-11   staging"); !strings.Contains(got, "group environment") || !strings.Contains(row, " 1 ") {
		t.Fatalf("grouped by environment, November in staging has its failure, the latest months in view:\n%s", got)
	}
	press(m, "t")
	if got = screenText(m); !strings.Contains(got, "by quarter") || !strings.Contains(got, "2026-Q4") {
		t.Fatalf("t cycles month → quarter:\n%s", got)
	}
	press(m, "t", "b", "b", "b") // day, grouped by nothing again
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
	m := sized(t, "ana", 120, 35)
	press(m, "5", "v")
	if got := screenText(m); !strings.Contains(got, "Success rate") || !strings.Contains(got, "not enough data") {
		t.Fatalf("trends with one month of history say so instead of drawing a dot:\n%s", got)
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
	if row := lineWith(got, "web-service"); !strings.Contains(row, "█") || !strings.Contains(row, "1 failed, 0 rolled back of 4") {
		t.Fatalf("failures by model: %q\n%s", row, got)
	}
	press(m, "v")
	if !strings.Contains(screenText(m), "DEPLOYS") {
		t.Fatal("v comes back round to the table")
	}
}

func TestReportsScreenFitsAPhone(t *testing.T) {
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
