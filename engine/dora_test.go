package engine

import (
	"testing"
	"time"

	"ferry/models"
)

// DORA measures are taken in production unless the report names other environments:
// a failure in test is no production failure; time to restore runs from a production
// failure to the next success there, or from an incident to its resolution.
func TestDoraOnProduction(t *testing.T) {
	h := history{t, newFixture(t)}
	ana := h.f.person(t, "ana")
	if got := h.f.e.ProductionEnvironments(); len(got) != 1 || got[0] != "production" {
		t.Fatalf("production by default is the last of each path: %v", got)
	}
	tf := h.add("test", "2026-11-01 09:00", "2026-11-02 10:00")
	h.end(tf, models.StatusFailed, "2026-11-02 10:00", "2026-11-02 10:30")
	ts := h.add("test", "2026-11-01 09:00", "2026-11-03 10:00")
	h.end(ts, models.StatusSucceeded, "2026-11-03 10:00", "2026-11-03 10:30")
	pf := h.add("production", "2026-11-01 09:00", "2026-11-04 10:00")
	h.end(pf, models.StatusRolledBack, "2026-11-04 10:00", "2026-11-04 11:00")
	ps := h.add("production", "2026-11-01 09:00", "2026-11-04 13:00")
	h.end(ps, models.StatusSucceeded, "2026-11-04 13:00", "2026-11-04 14:00") // restores after 3h
	h.incident(ps, "2026-11-05 09:00")
	h.f.now = h.f.local("2026-11-05 10:30")
	if _, err := h.f.e.UpdateIncident(h.f.ctx, ana, 1, IncidentChange{Resolved: &h.f.now}); err != nil { // 1h30m
		t.Fatal(err)
	}
	h.exact()
	h.f.now = h.f.local("2026-12-10 12:00")
	ask := func(envs ...string) Metrics {
		t.Helper()
		rep, err := h.f.e.Report(h.f.ctx, reportReader, ReportRequest{From: h.f.local("2026-11-01 00:00"), To: h.f.local("2026-12-01 00:00"),
			Period: PeriodMonth, DoraEnvs: envs})
		if err != nil {
			t.Fatal(err)
		}
		return rep.Rows[0].Metrics
	}
	prod := ask()
	if prod.Frequency != 1.0/30 || prod.ChangeFailure != (Ratio{2, 2}) || prod.Restores != 2 {
		t.Errorf("production: frequency %v, change failure %v (the rollback, the success with an incident), restores %d; want 1/30, 2/2, 2",
			prod.Frequency, prod.ChangeFailure, prod.Restores)
	}
	// Nearest rank of {1h30m, 3h}: the median is the first.
	if prod.RestoreP50 != 90*time.Minute {
		t.Errorf("time to restore p50 %s, want 1h30m (the incident; the outage took 3h)", prod.RestoreP50)
	}
	if prod.Throughput != 4 || prod.SuccessRate != (Ratio{2, 4}) {
		t.Errorf("the practice's measures keep every environment: %+v", prod)
	}
	// A range that begins before anything was recorded counts its rate per day from
	// the first record: October, before the history, is no month without deployments.
	wide, err := h.f.e.Report(h.f.ctx, reportReader, ReportRequest{From: h.f.local("2026-10-01 00:00"), To: h.f.local("2026-12-01 00:00"),
		Period: PeriodMonth})
	if err != nil {
		t.Fatal(err)
	}
	if got := wide.Totals[0].Metrics.Frequency; got != 1.0/30 || wide.Rows[0].Metrics.Frequency != 0 {
		t.Errorf("from October: total frequency %v, October's %v; want 1/30 (the days since the first record) and 0",
			got, wide.Rows[0].Metrics.Frequency)
	}
	test := ask("test")
	if test.Frequency != 1.0/30 || test.ChangeFailure != (Ratio{1, 2}) || test.Restores != 1 || !within(test.RestoreP50, 24*time.Hour, 0.01) {
		t.Errorf("--env test: %+v", test)
	}
	if _, err := h.f.e.Report(h.f.ctx, reportReader, ReportRequest{From: h.f.now.Add(-time.Hour), To: h.f.now, Period: PeriodDay,
		DoraEnvs: []string{"prod"}}); err == nil {
		t.Errorf("an unknown environment is refused")
	}
}

// Versions of a model side by side: each its deployments, success rate and the mean
// satisfaction of its reviews, with how many answered; audit findings counted apart.
func TestReportByModelVersion(t *testing.T) {
	h := history{t, newFixture(t)}
	ana := h.f.person(t, "ana")
	a := h.add("test", "2026-11-01 09:00", "2026-11-02 10:00")
	h.end(a, models.StatusFailed, "2026-11-02 10:00", "2026-11-02 10:30")
	b := h.add("test", "2026-11-01 09:00", "2026-11-03 10:00")
	h.end(b, models.StatusSucceeded, "2026-11-03 10:00", "2026-11-03 10:30")
	for _, r := range []models.Review{
		{DeploymentID: a.ID, Outcome: models.OutcomeUnsuccessful, Satisfaction: 2, Quality: 1, Lessons: "x"},
		{DeploymentID: b.ID, Outcome: models.OutcomeSuccessful, Satisfaction: 5, LeadTimeSatisfaction: 4, Lessons: "y"},
	} {
		if _, _, err := h.f.e.AddReview(h.f.ctx, ana, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.f.e.AddAuditFinding(h.f.ctx, ana, models.AuditFinding{DeploymentID: a.ID, Kind: models.FindingAudit,
		Summary: "no change record"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.f.e.AddAuditFinding(h.f.ctx, ana, models.AuditFinding{Model: "web", Kind: models.FindingCompliance,
		Summary: "no segregation of duties"}); err != nil {
		t.Fatal(err)
	}
	h.exact()
	rep := h.report("2026-11-01 00:00", "2026-12-01 00:00", PeriodMonth, ByModelVersion)
	v1 := rowOf(t, rep, "2026-11", "web v1").Metrics
	if v1.Deployments != 2 || v1.SuccessRate != (Ratio{1, 2}) || v1.Reviewed != 2 || v1.Satisfaction != (Mean{7, 2}) ||
		v1.LeadTimeSatisfaction != (Mean{4, 1}) || v1.Quality != (Mean{1, 1}) || v1.AuditFindings != 1 || v1.ComplianceFindings != 0 {
		t.Errorf("web v1: %+v", v1)
	}
	all := rowOf(t, h.report("2026-11-01 00:00", "2026-12-01 00:00", PeriodMonth, ByNothing), "2026-11", "").Metrics
	if all.AuditFindings != 1 || all.ComplianceFindings != 1 || all.Overrides != 0 {
		t.Errorf("not grouped, the model's finding counts too, apart from overrides: %+v", all)
	}
}

// Adoption of the agreed approach: a deployment started against a control (a
// manager's override) did not follow it, whatever its outcome; the rollups say so as
// a recount does.
func TestAdoptionLeavesOutOverriddenStarts(t *testing.T) {
	f := controlsFixture(t, "2026-11-24 09:00")
	ana := f.person(t, "ana")
	h := history{t, f}
	late := f.planIn(t, "web", "staging", "2026-11-24 06:00")
	if _, err := f.e.Start(f.ctx, ana, late.ID, "the release cannot wait"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Move(f.ctx, ana, late.ID, models.StatusFailed, "smoke test failed"); err != nil {
		t.Fatal(err)
	}
	h.exact()
	rep, err := f.e.Report(f.ctx, reportReader, ReportRequest{From: f.local("2026-11-24 00:00"), To: f.local("2026-11-25 00:00"), Period: PeriodDay})
	if err != nil {
		t.Fatal(err)
	}
	if m := rep.Rows[0].Metrics; m.Adoption != (Ratio{0, 1}) || m.StartOverrides != 1 {
		t.Errorf("an overridden start is not the agreed approach: adoption %v, start overrides %d", m.Adoption, m.StartOverrides)
	}
}
