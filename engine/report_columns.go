package engine

import (
	"fmt"
	"strconv"
	"time"

	"ferry/models"
)

// ReportColumn is one metric as every report shows it: the CLI's table, CSV and
// Markdown and the console's Reports screen share these, so they cannot disagree.
type ReportColumn struct {
	Key    string // CSV header and JSON field
	Label  string // name in a row of its own
	Header string // short heading over a column
	Help   string // one line for legends
	Text   func(Metrics) string
	Cell   func(Metrics) string // spreadsheet value: a plain number, or empty for none
}

func count(f func(Metrics) int64) (func(Metrics) string, func(Metrics) string) {
	s := func(m Metrics) string { return strconv.FormatInt(f(m), 10) }
	return s, s
}

func pct(f func(Metrics) Ratio) (func(Metrics) string, func(Metrics) string) {
	return func(m Metrics) string {
			if r := f(m); r.Valid() {
				return fmt.Sprintf("%.1f%%", r.Pct())
			}
			return "—"
		}, func(m Metrics) string {
			if r := f(m); r.Valid() {
				return strconv.FormatFloat(r.Pct(), 'f', 1, 64)
			}
			return ""
		}
}

func dur(f func(Metrics) time.Duration, has func(Metrics) bool) (func(Metrics) string, func(Metrics) string) {
	return func(m Metrics) string {
			if !has(m) {
				return "—"
			}
			return models.HumanDuration(f(m))
		}, func(m Metrics) string {
			if !has(m) {
				return ""
			}
			return strconv.FormatFloat(f(m).Minutes(), 'f', 0, 64)
		}
}

// ReportColumns lists the metrics in the order reports show them.
var ReportColumns = func() []ReportColumn {
	hasLead := func(m Metrics) bool { return m.Throughput > 0 }
	hasRestore := func(m Metrics) bool { return m.Restores > 0 }
	var cols []ReportColumn
	add := func(key, label, header, help string, text, cell func(Metrics) string) {
		cols = append(cols, ReportColumn{Key: key, Label: label, Header: header, Help: help, Text: text, Cell: cell})
	}
	t, v := count(func(m Metrics) int64 { return m.Deployments })
	add("deployments", "deployments", "DEPLOYS", "deployments planned to start in the period", t, v)
	t, v = count(func(m Metrics) int64 { return m.Succeeded })
	add("succeeded", "succeeded", "OK", "of those, succeeded", t, v)
	t, v = count(func(m Metrics) int64 { return m.Failed })
	add("failed", "failed", "FAILED", "of those, failed", t, v)
	t, v = count(func(m Metrics) int64 { return m.RolledBack })
	add("rolled_back", "rolled back", "ROLLED", "of those, rolled back", t, v)
	t, v = count(func(m Metrics) int64 { return m.Cancelled })
	add("cancelled", "cancelled", "CANCEL", "of those, cancelled", t, v)
	t, v = pct(func(m Metrics) Ratio { return m.SuccessRate })
	add("success_rate_pct", "success rate", "SUCCESS", "succeeded / (succeeded + failed + rolled back)", t, v)
	t, v = count(func(m Metrics) int64 { return m.Incidents })
	add("incidents", "incidents", "INCID", "incidents linked to those deployments", t, v)
	t, v = pct(func(m Metrics) Ratio { return m.IncidentRate })
	add("incident_rate_pct", "with incident", "INCID%", "deployments with an incident / deployments", t, v)
	t, v = pct(func(m Metrics) Ratio { return m.Adherence })
	add("adherence_pct", "on schedule", "ON SCHED", "started within the tolerance and finished inside the window / finished", t, v)
	t, v = count(func(m Metrics) int64 { return m.Throughput })
	add("throughput", "throughput", "DONE", "finished (succeeded, failed, rolled back) in the period", t, v)
	t, v = dur(func(m Metrics) time.Duration { return m.LeadP50 }, hasLead)
	add("lead_time_p50_min", "lead time p50", "LEAD P50", "request to finish, median, of those finished in the period", t, v)
	t, v = dur(func(m Metrics) time.Duration { return m.LeadP90 }, hasLead)
	add("lead_time_p90_min", "lead time p90", "LEAD P90", "request to finish, 90th percentile", t, v)
	t, v = count(func(m Metrics) int64 { return m.Backlog })
	add("backlog", "backlog at end", "BACKLOG", "requested and not finished or cancelled at the period's end", t, v)
	add("frequency_per_day", "successes per day", "PER DAY", "successful deployments per day",
		func(m Metrics) string { return strconv.FormatFloat(m.Frequency, 'f', 1, 64) },
		func(m Metrics) string { return strconv.FormatFloat(m.Frequency, 'f', 2, 64) })
	t, v = pct(func(m Metrics) Ratio { return m.ChangeFailure })
	add("change_failure_rate_pct", "change failure rate", "CFR", "finished in the period that failed, rolled back or caused an incident", t, v)
	t, v = count(func(m Metrics) int64 { return m.Restores })
	add("restores", "restores", "RESTORES", "outages ended in the period", t, v)
	t, v = dur(func(m Metrics) time.Duration { return m.RestoreP50 }, hasRestore)
	add("time_to_restore_p50_min", "time to restore p50", "RESTORE", "failure to the next success of the component there, median", t, v)
	t, v = pct(func(m Metrics) Ratio { return m.CurrentVersion })
	add("current_model_pct", "current model", "CUR MODEL", "deployments that followed their model's current version", t, v)
	t, v = count(func(m Metrics) int64 { return m.Overrides })
	add("overrides", "overrides", "OVERRIDES", "conflicts accepted by a manager in the period (audit findings)", t, v)
	t, v = count(func(m Metrics) int64 { return m.FreezeOverrides })
	add("freeze_overrides", "freeze overrides", "FREEZE OVR", "of those, freeze conflicts", t, v)
	return cols
}()
