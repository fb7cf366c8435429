package cli_test

import (
	"fmt"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	"ferry/internal/benchdb"
)

// BenchmarkBeside runs Ferry commands as whole processes beside a baseline measured
// in the same run, alternating the two so that a machine busy for a moment slows
// both: the sqlite3 shell asking the same question of the same file, or for process
// start ferry version beside sqlite3 -version (ferry where beside both: the
// environment matrix should cost little more than starting). Each reports the medians (ferry-ms,
// base-ms) and their ratio (x-base), the figure targets are written in, since
// absolute times move between machines. scripts/bench-table turns the output into
// the README's table.
func BenchmarkBeside(b *testing.B) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		b.Skip("no sqlite3 shell on this machine: the baselines need it")
	}
	// Built on first use, so that a filter (-bench Beside/conflicts) builds only what
	// it needs: the million takes minutes.
	million := sync.OnceValue(func() string { return benchdb.Million(b) }) // a copy each call
	planned := sync.OnceValue(func() string { return benchdb.Planned100k(b) })
	ferry := func(db string, args ...string) []string {
		return append([]string{ferryBin, "--config", "../../config.toml", "--db", db, "--as", "ana"}, args...)
	}
	shell := func(db, sql string) []string { return []string{"sqlite3", "-readonly", db, sql} }
	b.Run("version/shell-start", func(b *testing.B) {
		pair(b, []string{ferryBin, "version"}, []string{"sqlite3", "-version"})
	})
	for _, period := range []string{"day", "week", "month", "quarter"} {
		for _, by := range []string{"none", "environment", "model", "model-version", "service"} {
			b.Run(fmt.Sprintf("report-%s-by-%s/rollup-query", period, by), func(b *testing.B) {
				pair(b, ferry(million(), "report", "--period", period, "--by", by, "--from", "2023-01-01",
					"--to", "2026-12-01", "--format", "json"), shell(million(), rollupSQL(period, by)))
			})
		}
	}
	b.Run("history-page/same-query", func(b *testing.B) {
		pair(b, ferry(million(), "history", "--limit", "50", "--format", "json"), shell(million(),
			`SELECT * FROM deployments ORDER BY scheduled_start DESC, id DESC LIMIT 50;`))
	})
	b.Run("where-1m/version-start", func(b *testing.B) {
		pair(b, ferry(million(), "where"), []string{ferryBin, "version"})
	})
	b.Run("where-1m/state-rows", func(b *testing.B) {
		pair(b, ferry(million(), "where", "--json"), shell(million(),
			`SELECT s.component, s.environment, c.*, n.* FROM env_state s LEFT JOIN deployments c ON c.id = s.current_id
			LEFT JOIN deployments n ON n.id = s.next_id ORDER BY s.component, s.environment;`))
	})
	b.Run("conflicts-100k/open-rows", func(b *testing.B) {
		pair(b, ferry(planned(), "conflicts", "--json"), shell(planned(),
			`SELECT id, model, component, version, action, environment, assignee, scheduled_start, scheduled_end,
			after_id FROM deployments WHERE status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled')
			ORDER BY scheduled_start, id;`))
	})
}

// pair runs ferry and base alternately b.N times each and reports their medians and
// the ratio of the medians.
func pair(b *testing.B, ferry, base []string) {
	var fs, bs []time.Duration
	for b.Loop() {
		fs = append(fs, timed(b, ferry))
		bs = append(bs, timed(b, base))
	}
	f, s := median(fs), median(bs)
	b.ReportMetric(ms(f), "ferry-ms")
	b.ReportMetric(ms(s), "base-ms")
	b.ReportMetric(float64(f)/float64(s), "x-base")
}

func timed(b *testing.B, argv []string) time.Duration {
	start := time.Now()
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		b.Fatalf("%v: %v\n%.500s", argv, err, out)
	}
	return time.Since(start)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rollupSQL is the query Ferry's report runs for period and grouping over the same
// days (store.ReportSums, with no model's current version to count, and the DORA
// measures in the example's production environment).
func rollupSQL(period, by string) string {
	pe := map[string]string{"day": "day", "week": "week", "month": "day / 100 * 100 + 1",
		"quarter": "day / 10000 * 10000 + ((day / 100 % 100 - 1) / 3 * 3 + 1) * 100 + 1"}[period]
	ge := map[string]string{"none": "''", "environment": "environment", "model": "model", "service": "service",
		"model-version": "model || ' v' || model_version"}[by]
	prod := "environment IN ('production')"
	groupBy := "p, g"
	if by == "none" { // as ReportSums: ungrouped, by the period alone
		groupBy = "p"
	}
	return `SELECT ` + pe + ` AS p, ` + ge + ` AS g, SUM(deployments), SUM(succeeded), SUM(failed), SUM(rolled_back),
		SUM(cancelled), SUM(started), SUM(on_time), SUM(adherent), SUM(incidents), SUM(with_incident), 0,
		SUM(requested), SUM(closed), SUM(done), SUM(done_ok), SUM(done_bad), SUM(restores), SUM(emergency),
		SUM(adopted), SUM(reviewed), SUM(satisfaction_sum), SUM(satisfaction_n), SUM(lead_sat_sum), SUM(lead_sat_n),
		SUM(quality_sum), SUM(quality_n),
		SUM(CASE WHEN ` + prod + ` THEN done ELSE 0 END), SUM(CASE WHEN ` + prod + ` THEN done_ok ELSE 0 END),
		SUM(CASE WHEN ` + prod + ` THEN done_bad ELSE 0 END), SUM(CASE WHEN ` + prod + ` THEN restores ELSE 0 END),
		COALESCE(group_concat(NULLIF(lead_hist, ''), ' '), ''),
		COALESCE(group_concat(CASE WHEN ` + prod + ` THEN NULLIF(restore_hist, '') END, ' '), '')
		FROM rollup_days WHERE day >= 20230101 AND day < 20261201 GROUP BY ` + groupBy + ` ORDER BY ` + groupBy + `;`
}
