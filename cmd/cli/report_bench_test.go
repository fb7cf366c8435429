package cli_test

import (
	"os/exec"
	"testing"

	"ferry/internal/benchdb"
)

// BenchmarkReportProcess1M runs the whole `ferry report` process on the 1M-deployment
// demo: start, config, open, engine, rollup query, JSON out. Target < 150 ms.
func BenchmarkReportProcess1M(b *testing.B) {
	db := benchdb.Million(b)
	for _, c := range []struct{ name, period, by, from string }{
		{"month-all-time", "month", "none", "2023-01-01"},
		{"month-by-environment-all-time", "month", "environment", "2023-01-01"},
		{"quarter-by-model-all-time", "quarter", "model", "2023-01-01"},
		{"week-by-service-all-time", "week", "service", "2023-01-01"},
		{"day-by-model-all-time", "day", "model", "2023-01-01"},
		{"day-last-12", "day", "none", ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			args := []string{"--config", "../../config.toml", "--db", db, "--as", "ana", "report", "--period", c.period,
				"--by", c.by, "--format", "json"}
			if c.from != "" {
				args = append(args, "--from", c.from, "--to", "2026-12-01")
			}
			for b.Loop() {
				if out, err := exec.Command(ferryBin, args...).CombinedOutput(); err != nil {
					b.Fatalf("%v\n%s", err, out)
				}
			}
		})
	}
}

// BenchmarkReportSQLite3CLI1M asks the same questions of the same file with the
// sqlite3 command-line shell, for the ratio: live SQL over every deployment as a
// hand-written query would, and Ferry's own rollup query.
func BenchmarkReportSQLite3CLI1M(b *testing.B) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		b.Skip("no sqlite3 shell on this machine")
	}
	db := benchdb.Million(b)
	for _, c := range []struct{ name, sql string }{
		{"live-month-all-time", liveMonthly},
		{"rollup-month-all-time", rollupMonthly},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if out, err := exec.Command("sqlite3", "-readonly", db, c.sql).CombinedOutput(); err != nil {
					b.Fatalf("%v\n%s", err, out)
				}
			}
		})
	}
}

// liveMonthly is the monthly report as one would write it by hand over the raw rows
// (UTC months; SQLite has no time zones): outcomes, adherence, incidents, mean lead.
const liveMonthly = `SELECT strftime('%Y-%m', scheduled_start, 'unixepoch') AS month, count(*),
	sum(status = 'succeeded'), sum(status = 'failed'), sum(status = 'rolled_back'), sum(status = 'cancelled'),
	sum(started_at IS NOT NULL AND abs(started_at - scheduled_start) <= 900),
	sum(status IN ('succeeded', 'failed', 'rolled_back') AND abs(started_at - scheduled_start) <= 900
		AND finished_at <= scheduled_end),
	sum(EXISTS (SELECT 1 FROM incidents i WHERE i.deployment_id = d.id)),
	avg(CASE WHEN status IN ('succeeded', 'failed', 'rolled_back') THEN finished_at - created_at END)
	FROM deployments d GROUP BY month ORDER BY month;`

// rollupMonthly is the query Ferry runs for an all-time monthly report.
const rollupMonthly = `SELECT day / 100 * 100 + 1 AS p, '' AS g, SUM(deployments), SUM(succeeded), SUM(failed),
	SUM(rolled_back), SUM(cancelled), SUM(started), SUM(on_time), SUM(adherent), SUM(incidents), SUM(with_incident),
	SUM(requested), SUM(closed), SUM(done), SUM(done_ok), SUM(done_bad), SUM(restores),
	COALESCE(group_concat(NULLIF(lead_hist, ''), ' '), ''), COALESCE(group_concat(NULLIF(restore_hist, ''), ' '), '')
	FROM rollup_days WHERE day >= 20230101 AND day < 20261201 GROUP BY p, g ORDER BY p, g;`
