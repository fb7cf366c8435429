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
	Help   string // one line for legends and report --help, so no key or heading of the console
	Text   func(*Metrics) string
	Cell   func(*Metrics) string // spreadsheet value: a plain number, or empty for none
}

// named is what every column has besides its values: key, label, heading, help.
type named struct{ key, label, header, help string }

func (n named) column(text, cell func(*Metrics) string) ReportColumn {
	return ReportColumn{Key: n.key, Label: n.label, Header: n.header, Help: n.help, Text: text, Cell: cell}
}

func countCol(n named, f func(*Metrics) int64) ReportColumn {
	return n.column(func(m *Metrics) string { return models.Thousands(f(m)) },
		func(m *Metrics) string { return strconv.FormatInt(f(m), 10) })
}

// pctCol shows a ratio as 96.1% ("—" with nothing to rate); its cell is 96.1.
func pctCol(n named, f func(*Metrics) Ratio) ReportColumn {
	return n.column(func(m *Metrics) string {
		if r := f(m); r.Valid() {
			return fmt.Sprintf("%.1f%%", r.Pct())
		}
		return "—"
	}, func(m *Metrics) string {
		if r := f(m); r.Valid() {
			return strconv.FormatFloat(r.Pct(), 'f', 1, 64)
		}
		return ""
	})
}

// durCol shows a duration as 3h12m ("—" when has says there is none); its cell is
// whole minutes.
func durCol(n named, f func(*Metrics) time.Duration, has func(*Metrics) bool) ReportColumn {
	return n.column(func(m *Metrics) string {
		if !has(m) {
			return "—"
		}
		return models.HumanDuration(f(m))
	}, func(m *Metrics) string {
		if !has(m) {
			return ""
		}
		return strconv.FormatFloat(f(m).Minutes(), 'f', 0, 64)
	})
}

// meanCol shows a mean score as 4.2 (12 answered: "4.2 (12)"), "—" with no answers;
// its cell is the mean, and a column of its own (key_n) says how many answered.
func meanCol(n named, f func(*Metrics) Mean) ReportColumn {
	return n.column(func(m *Metrics) string {
		if v := f(m); v.N > 0 { // how many answered is the next column
			return fmt.Sprintf("%.1f", v.Value())
		}
		return "—"
	}, func(m *Metrics) string {
		if v := f(m); v.N > 0 {
			return strconv.FormatFloat(v.Value(), 'f', 2, 64)
		}
		return ""
	})
}

func hasLead(m *Metrics) bool    { return m.Throughput > 0 }
func hasRestore(m *Metrics) bool { return m.Restores > 0 }

// ReportColumns lists the metrics in the order reports show them.
var ReportColumns = []ReportColumn{
	countCol(named{"deployments", "deployments", "DEPLOYS", "deployments planned to start in the period"},
		func(m *Metrics) int64 { return m.Deployments }),
	countCol(named{"succeeded", "succeeded", "OK", "of those, succeeded"},
		func(m *Metrics) int64 { return m.Succeeded }),
	countCol(named{"failed", "failed", "FAILED", "of those, failed"},
		func(m *Metrics) int64 { return m.Failed }),
	countCol(named{"rolled_back", "rolled back", "ROLLED", "of those, rolled back"},
		func(m *Metrics) int64 { return m.RolledBack }),
	countCol(named{"cancelled", "cancelled", "CANCEL", "of those, cancelled"},
		func(m *Metrics) int64 { return m.Cancelled }),
	pctCol(named{"success_rate_pct", "success rate", "SUCCESS", "succeeded / (succeeded + failed + rolled back)"},
		func(m *Metrics) Ratio { return m.SuccessRate }),
	countCol(named{"incidents", "incidents", "INCID", "incidents linked to those deployments"},
		func(m *Metrics) int64 { return m.Incidents }),
	pctCol(named{"incident_rate_pct", "with incident", "INCID%", "deployments with an incident / deployments"},
		func(m *Metrics) Ratio { return m.IncidentRate }),
	pctCol(named{"adherence_pct", "on schedule", "ON SCHED", "started within the tolerance and finished inside the window / finished"},
		func(m *Metrics) Ratio { return m.Adherence }),
	countCol(named{"throughput", "throughput", "DONE", "finished (succeeded, failed, rolled back) in the period"},
		func(m *Metrics) int64 { return m.Throughput }),
	durCol(named{"lead_time_p50_min", "lead time p50", "LEAD P50", "request to finish, median, of those finished in the period"},
		func(m *Metrics) time.Duration { return m.LeadP50 }, hasLead),
	durCol(named{"lead_time_p90_min", "lead time p90", "LEAD P90", "request to finish, 90th percentile"},
		func(m *Metrics) time.Duration { return m.LeadP90 }, hasLead),
	countCol(named{"backlog", "backlog at end", "BACKLOG", "requested and not finished or cancelled at the period's end"},
		func(m *Metrics) int64 { return m.Backlog }),
	named{"frequency_per_day", "successes per day", "PER DAY", "successful deployments per day, in production (DORA)"}.column(
		func(m *Metrics) string { return strconv.FormatFloat(m.Frequency, 'f', 1, 64) },
		func(m *Metrics) string { return strconv.FormatFloat(m.Frequency, 'f', 2, 64) }),
	pctCol(named{"change_failure_rate_pct", "change failure rate", "CFR", "finished in production in the period that failed, rolled back or caused an incident (DORA)"},
		func(m *Metrics) Ratio { return m.ChangeFailure }),
	countCol(named{"restores", "restores", "RESTORES", "production outages ended and incidents resolved in the period (DORA)"},
		func(m *Metrics) int64 { return m.Restores }),
	durCol(named{"time_to_restore_p50_min", "time to restore p50", "RESTORE", "production failure to the next success of the component there, or incident to its resolution, median (DORA)"},
		func(m *Metrics) time.Duration { return m.RestoreP50 }, hasRestore),
	pctCol(named{"current_model_pct", "current model", "CUR MODEL", "deployments that followed their model's current version"},
		func(m *Metrics) Ratio { return m.CurrentVersion }),
	countCol(named{"overrides", "conflicts accepted", "ACCEPTED", "conflicts a manager accepted with a reason in the period (a start against one is a start override)"},
		func(m *Metrics) int64 { return m.Overrides }),
	countCol(named{"freeze_overrides", "freezes accepted", "FREEZE ACC", "of those, freeze conflicts"},
		func(m *Metrics) int64 { return m.FreezeOverrides }),
	countCol(named{"emergency", "emergency deployments", "EMERG", "deployments planned as emergencies"},
		func(m *Metrics) int64 { return m.Emergency }),
	countCol(named{"start_overrides", "start overrides", "START OVR", "starts a manager allowed against a control (window, freeze, maintenance, conflict)"},
		func(m *Metrics) int64 { return m.StartOverrides }),
	countCol(named{"outside_window", "started outside window", "OUT WIN", "of those, started outside their window"},
		func(m *Metrics) int64 { return m.OutsideWindow }),
	countCol(named{"emergency_starts", "emergency starts", "EMERG START", "starts in the emergency lane inside a freeze or outside maintenance"},
		func(m *Metrics) int64 { return m.EmergencyStarts }),
	countCol(named{"unresolved_conflicts", "unresolved conflicts", "UNRESOLVED", "conflicts still open when a deployment they involve finished"},
		func(m *Metrics) int64 { return m.Unresolved }),
	pctCol(named{"adoption_pct", "adoption", "ADOPTION", "finished with no start override and not in the emergency lane / finished (the agreed approach followed)"},
		func(m *Metrics) Ratio { return m.Adoption }),
	countCol(named{"reviewed", "reviewed", "REVIEWED", "deployments planned in the period that have a review"},
		func(m *Metrics) int64 { return m.Reviewed }),
	meanCol(named{"satisfaction", "satisfaction", "SAT", "satisfaction with the deployments, 1-5: the mean of the reviews that scored it"},
		func(m *Metrics) Mean { return m.Satisfaction }),
	countCol(named{"satisfaction_n", "satisfaction answered", "SAT N", "reviews that scored satisfaction"},
		func(m *Metrics) int64 { return m.Satisfaction.N }),
	meanCol(named{"lead_time_satisfaction", "lead time satisfaction", "LEAD SAT", "satisfaction with the lead time, 1-5: the mean of the reviews that scored it"},
		func(m *Metrics) Mean { return m.LeadTimeSatisfaction }),
	countCol(named{"lead_time_satisfaction_n", "lead time satisfaction answered", "LEAD SAT N", "reviews that scored the lead time"},
		func(m *Metrics) int64 { return m.LeadTimeSatisfaction.N }),
	meanCol(named{"quality", "quality", "QUALITY", "quality of what was deployed, 1-5: the mean of the reviews that scored it"},
		func(m *Metrics) Mean { return m.Quality }),
	countCol(named{"quality_n", "quality answered", "QUALITY N", "reviews that scored quality"},
		func(m *Metrics) int64 { return m.Quality.N }),
	countCol(named{"audit_findings", "audit findings", "AUDIT", "audit findings recorded in the period (ferry finding add)"},
		func(m *Metrics) int64 { return m.AuditFindings }),
	countCol(named{"compliance_findings", "compliance findings", "COMPLIANCE", "compliance findings recorded in the period"},
		func(m *Metrics) int64 { return m.ComplianceFindings }),
}
