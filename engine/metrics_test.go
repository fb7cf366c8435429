package engine

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"ferry/models"
	"ferry/store"
)

// history builds deployments with exact times on the fixture: planned when the
// clock says, then moved through the store so every time is the test's choice.
type history struct {
	t *testing.T
	f *fixture
}

// add plans a web deployment of payments-api to env starting at start (local), with
// the fixture clock at requested (local).
func (h history) add(env, requested, start string) models.Deployment {
	h.t.Helper()
	h.f.now = h.f.local(requested)
	r := webReq()
	r.Environment, r.Start, r.Assignee = env, h.f.local(start), ""
	d, _, err := h.f.e.Plan(h.f.ctx, h.f.person(h.t, "ana"), r)
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

// end records that d started at started and ended in status at finished (local
// times; started may be "" for a cancellation before the start).
func (h history) end(d models.Deployment, status models.Status, started, finished string) {
	h.t.Helper()
	var s time.Time
	if started != "" {
		s = h.f.local(started)
	}
	fin := h.f.local(finished)
	err := h.f.e.st.Write(h.f.ctx, func(q store.Q) error { return q.SetStatus(h.f.ctx, d.ID, status, s, fin, fin) })
	if err != nil {
		h.t.Fatal(err)
	}
}

func (h history) incident(d models.Deployment, opened string) {
	h.t.Helper()
	h.f.now = h.f.local(opened)
	if _, err := h.f.e.AddIncident(h.f.ctx, h.f.person(h.t, "ana"), d.ID, h.f.now, time.Time{}, "customers saw errors"); err != nil {
		h.t.Fatal(err)
	}
}

// report asks for a report with the DORA measures over every environment of the
// test config (test and production), so that the hand-built histories in test count;
// TestDoraOnProduction asks with the default, production.
func (h history) report(from, to string, p Period, by Grouping) Report {
	h.t.Helper()
	rep, err := h.f.e.Report(h.f.ctx, reportReader, ReportRequest{From: h.f.local(from), To: h.f.local(to), Period: p, By: by,
		DoraEnvs: []string{"test", "production"}})
	if err != nil {
		h.t.Fatal(err)
	}
	h.exact()
	return rep
}

// exact checks the stored rollups against a recount from the raw rows.
func (h history) exact() {
	h.t.Helper()
	diffs, err := h.f.e.st.Read().RollupDiffs(h.f.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	if len(diffs) > 0 {
		h.t.Fatalf("rollups differ from a recount:\n%v", diffs)
	}
}

func rowOf(t *testing.T, rep Report, period, group string) ReportRow {
	t.Helper()
	for _, r := range append(slices.Clone(rep.Rows), rep.Totals...) {
		if r.Period == period && r.Group == group {
			return r
		}
	}
	t.Fatalf("no row %s/%q in %+v", period, group, rep.Rows)
	return ReportRow{}
}

// novemberHistory is a small month with known answers (Europe/Berlin, tolerance 15m):
//
//	#1 test, planned 2 Nov 10:00, on time, succeeded inside its window; lead 23h30m
//	#2 test, planned 3 Nov 10:00, started 40 min late, failed at 11:00; lead 2h
//	#3 test, planned 5 Nov 10:00, on time, succeeded 10:40, then an incident; lead 4h40m
//	#4 production, planned 6 Nov 10:00, cancelled on 4 Nov
//	#5 production, planned 20 Nov, still planned at the end of November
//	#6 test, planned 1 Dec, requested in November
func novemberHistory(t *testing.T) (history, []models.Deployment) {
	h := history{t, newFixture(t)}
	d := []models.Deployment{
		h.add("test", "2026-11-01 11:00", "2026-11-02 10:00"),
		h.add("test", "2026-11-03 09:00", "2026-11-03 10:00"),
		h.add("test", "2026-11-05 06:00", "2026-11-05 10:00"),
		h.add("production", "2026-11-01 12:00", "2026-11-06 10:00"),
		h.add("production", "2026-11-10 12:00", "2026-11-20 10:00"),
		h.add("test", "2026-11-25 12:00", "2026-12-01 10:00"),
	}
	h.end(d[0], models.StatusSucceeded, "2026-11-02 10:05", "2026-11-02 10:30")
	h.end(d[1], models.StatusFailed, "2026-11-03 10:40", "2026-11-03 11:00")
	h.end(d[2], models.StatusSucceeded, "2026-11-05 10:00", "2026-11-05 10:40")
	h.end(d[3], models.StatusCancelled, "", "2026-11-04 09:00")
	h.incident(d[2], "2026-11-05 12:00")
	h.f.now = h.f.local("2026-12-15 12:00")
	return h, d
}

func TestReportOfAHandBuiltMonth(t *testing.T) {
	h, _ := novemberHistory(t)
	rep := h.report("2026-11-01 00:00", "2026-12-01 00:00", PeriodMonth, ByNothing)
	if len(rep.Rows) != 1 {
		t.Fatalf("one month asked, got %d rows", len(rep.Rows))
	}
	m := rowOf(t, rep, "2026-11", "").Metrics
	want := Metrics{Deployments: 5, Succeeded: 2, Failed: 1, Cancelled: 1,
		SuccessRate: Ratio{2, 3}, Incidents: 1, IncidentRate: Ratio{1, 5},
		Adherence: Ratio{2, 3}, OnTimeStart: Ratio{2, 3}, CurrentVersion: Ratio{5, 5},
		Throughput: 3, LeadP50: 4*time.Hour + 40*time.Minute, LeadP90: 23*time.Hour + 30*time.Minute,
		Backlog: 2, Frequency: 2.0 / 30, ChangeFailure: Ratio{2, 3}, Restores: 1, Adoption: Ratio{3, 3}}
	// Durations over a day are read from 1%-wide buckets.
	if restore := 2*24*time.Hour - 20*time.Minute; !within(m.RestoreP50, restore, 0.01) {
		t.Errorf("time to restore %s, want %s within 1%%", m.RestoreP50, restore)
	}
	m.RestoreP50 = 0
	if m != want {
		t.Fatalf("November:\n got %+v\nwant %+v", m, want)
	}
}

func TestReportEmptyPeriodsAndBacklogCarry(t *testing.T) {
	h, _ := novemberHistory(t)
	rep := h.report("2026-09-10 00:00", "2026-12-31 00:00", PeriodMonth, ByNothing)
	var labels []string
	for _, r := range rep.Rows {
		labels = append(labels, r.Period)
	}
	if !slices.Equal(labels, []string{"2026-09", "2026-10", "2026-11", "2026-12"}) {
		t.Fatalf("months: %v (the range widens to whole months, empty ones included)", labels)
	}
	if sep := rowOf(t, rep, "2026-09", "").Metrics; sep != (Metrics{}) {
		t.Fatalf("an empty month must be all zero, got %+v", sep)
	}
	dec := rowOf(t, rep, "2026-12", "")
	if dec.Deployments != 1 || dec.Backlog != 2 || dec.SuccessRate.Valid() {
		t.Fatalf("December: 1 planned, backlog still 2 (#5 and #6), no success rate: %+v", dec.Metrics)
	}
	if !rep.From.Equal(h.f.local("2026-09-01 00:00")) || !rep.To.Equal(h.f.local("2027-01-01 00:00")) {
		t.Fatalf("range %s – %s, want whole months", rep.From, rep.To)
	}
	tot := rowOf(t, rep, "total", "")
	if tot.Deployments != 6 || tot.Backlog != 2 || tot.Throughput != 3 {
		t.Fatalf("total %+v", tot.Metrics)
	}
}

func TestReportGroupsByEnvironment(t *testing.T) {
	h, _ := novemberHistory(t)
	rep := h.report("2026-11-01 00:00", "2026-12-01 00:00", PeriodMonth, ByEnvironment)
	test, prod := rowOf(t, rep, "2026-11", "test"), rowOf(t, rep, "2026-11", "production")
	if test.Deployments != 3 || prod.Deployments != 2 || prod.Cancelled != 1 || prod.Backlog != 1 || test.Backlog != 1 {
		t.Fatalf("test %+v\nproduction %+v", test.Metrics, prod.Metrics)
	}
	all := rowOf(t, rep, "total", "all")
	if all.Deployments != 5 || all.Backlog != 2 || all.Restores != 1 {
		t.Fatalf("all %+v", all.Metrics)
	}
}

// A deployment belongs to the period its planned start is in; its finish counts in
// the period it finished.
func TestReportDeploymentSpanningTwoPeriods(t *testing.T) {
	h := history{t, newFixture(t)}
	d := h.add("test", "2026-11-30 12:00", "2026-11-30 23:30")
	h.end(d, models.StatusSucceeded, "2026-11-30 23:30", "2026-12-01 00:10")
	h.f.now = h.f.local("2026-12-10 00:00")
	rep := h.report("2026-11-01 00:00", "2026-12-10 00:00", PeriodMonth, ByNothing)
	nov, dec := rowOf(t, rep, "2026-11", ""), rowOf(t, rep, "2026-12", "")
	if nov.Deployments != 1 || nov.Succeeded != 1 || nov.Throughput != 0 || nov.Backlog != 1 {
		t.Fatalf("November holds the deployment, not its finish: %+v", nov.Metrics)
	}
	if dec.Deployments != 0 || dec.Throughput != 1 || dec.Backlog != 0 || dec.LeadP50 != 12*time.Hour+10*time.Minute {
		t.Fatalf("December holds the finish: %+v", dec.Metrics)
	}
}

// Days are the organisation's: 00:30 on 26 Oct in Berlin (23:30 UTC on the 25th, the
// night the clocks went back) is the 26th, and the 25th is one day of 25 hours.
func TestReportDaysAcrossDST(t *testing.T) {
	h := history{t, newFixture(t)}
	a := h.add("test", "2026-10-20 12:00", "2026-10-25 23:30")
	b := h.add("test", "2026-10-20 12:00", "2026-10-26 00:30")
	h.end(a, models.StatusSucceeded, "2026-10-25 23:30", "2026-10-25 23:50")
	h.end(b, models.StatusSucceeded, "2026-10-26 00:30", "2026-10-26 00:50")
	h.f.now = h.f.local("2026-11-02 00:00")
	rep := h.report("2026-10-25 00:00", "2026-10-27 00:00", PeriodDay, ByNothing)
	d25, d26 := rowOf(t, rep, "2026-10-25", ""), rowOf(t, rep, "2026-10-26", "")
	if d25.Deployments != 1 || d26.Deployments != 1 || d25.Throughput != 1 || d26.Throughput != 1 {
		t.Fatalf("25th %+v\n26th %+v", d25.Metrics, d26.Metrics)
	}
	if got := d25.End.Sub(d25.Start); got != 25*time.Hour {
		t.Fatalf("25 Oct lasts %s in Berlin, want 25h", got)
	}
	if d25.Frequency != 1 || d26.Frequency != 1 {
		t.Fatalf("one success a day is a frequency of 1, got %v and %v", d25.Frequency, d26.Frequency)
	}
	wk := h.report("2026-10-25 00:00", "2026-10-26 00:00", PeriodWeek, ByNothing)
	if r := wk.Rows[0]; r.Period != "2026-W43" || r.Deployments != 1 || !r.Start.Equal(h.f.local("2026-10-19 00:00")) {
		t.Fatalf("week of 25 Oct: %+v", r)
	}
}

// Above a day lead times are read from 1%-wide buckets: within 1% of exact.
func TestReportLeadTimePercentilesAreClose(t *testing.T) {
	h := history{t, newFixture(t)}
	rng := rand.New(rand.NewPCG(1, 2))
	var leads []time.Duration
	for i := range 40 {
		start := time.Date(2026, 11, 2+i%20, 10, 0, 0, 0, h.f.e.Location())
		h.f.now = start.Add(-time.Duration(1+rng.IntN(200)) * time.Hour)
		r := webReq()
		r.Start, r.Assignee = start, ""
		d, _, err := h.f.e.Plan(h.f.ctx, h.f.person(t, "ana"), r)
		if err != nil {
			t.Fatal(err)
		}
		fin := start.Add(time.Duration(10+rng.IntN(30)) * time.Minute)
		leads = append(leads, fin.Sub(h.f.now))
		if err := h.f.e.st.Write(h.f.ctx, func(q store.Q) error {
			return q.SetStatus(h.f.ctx, d.ID, models.StatusSucceeded, start, fin, fin)
		}); err != nil {
			t.Fatal(err)
		}
	}
	h.f.now = h.f.local("2026-12-15 00:00")
	rep := h.report("2026-11-01 00:00", "2026-12-01 00:00", PeriodMonth, ByNothing)
	slices.Sort(leads)
	m := rep.Rows[0].Metrics
	for _, c := range []struct {
		got, want time.Duration
	}{{m.LeadP50, leads[19]}, {m.LeadP90, leads[35]}} {
		if !within(c.got, c.want, 0.01) {
			t.Errorf("percentile %s, exact %s: more than 1%% off", c.got, c.want)
		}
	}
}

func within(got, want time.Duration, frac float64) bool {
	d := float64(got - want)
	return d <= frac*float64(want) && -d <= frac*float64(want)
}

func TestReportCountsOverridesAndModelVersions(t *testing.T) {
	h, d := novemberHistory(t)
	// #5 and a new deployment in the same production window: capacity 1.
	h.f.now = h.f.local("2026-11-12 12:00")
	clash := h.add("production", "2026-11-12 12:00", "2026-11-20 10:00")
	cs, err := h.f.e.Conflicts(h.f.ctx, h.f.person(t, "ana"), ConflictFilter{OpenOnly: true})
	if err != nil || len(cs) == 0 {
		t.Fatalf("want a capacity conflict between #%d and #%d: %v %v", d[4].ID, clash.ID, cs, err)
	}
	if _, err := h.f.e.Override(h.f.ctx, h.f.person(t, "ana"), cs[0].ID, "accepted by the CAB"); err != nil {
		t.Fatal(err)
	}
	h.f.now = h.f.local("2026-12-15 12:00")
	rep := h.report("2026-11-01 00:00", "2026-12-01 00:00", PeriodMonth, ByNothing)
	if m := rep.Rows[0].Metrics; m.Overrides != 1 || m.FreezeOverrides != 0 || m.CurrentVersion != (Ratio{6, 6}) {
		t.Fatalf("one capacity override and all on the current version: %+v", m)
	}
}

// Whatever happens to deployments, the rollups equal a recount from the raw rows.
func TestRollupsStayExactThroughChanges(t *testing.T) {
	h, d := novemberHistory(t)
	ana := h.f.person(t, "ana")
	h.f.now = h.f.local("2026-11-15 09:00")
	if _, err := h.f.e.Reschedule(h.f.ctx, ana, d[4].ID, h.f.local("2026-12-03 10:00"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	h.exact()
	if _, err := h.f.e.Cancel(h.f.ctx, ana, d[5].ID, "not needed"); err != nil {
		t.Fatal(err)
	}
	h.exact()
	h.incident(d[1], "2026-11-15 10:00")
	h.incident(d[1], "2026-11-15 11:00")
	h.exact()
	// A later success of the component in test restores nothing new; a failure in
	// production opens an outage there.
	p := h.add("production", "2026-11-16 09:00", "2026-11-17 10:00")
	h.end(p, models.StatusRolledBack, "2026-11-17 10:00", "2026-11-17 10:30")
	h.exact()
	// An emergency counts apart, in the rollups as in the recount.
	em, _, err := h.f.e.Plan(h.f.ctx, ana, PlanRequest{Model: "web", Component: "payments-api", Version: "9",
		Environment: "test", Start: h.f.local("2026-11-20 10:00"), Urgency: models.UrgencyEmergency, UrgencyReason: "outage"})
	if err != nil {
		t.Fatal(err)
	}
	h.exact()
	if _, err := h.f.e.Reschedule(h.f.ctx, ana, em.ID, h.f.local("2026-11-21 10:00"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	h.exact()
	if m := h.report("2026-11-01 00:00", "2026-12-01 00:00", PeriodMonth, ByNothing).Rows[0].Metrics; m.Emergency != 1 {
		t.Fatalf("one emergency in November: %+v", m.Emergency)
	}
	// A review, its amendment and an incident's resolution (a restore) move the
	// rollups as a recount counts them.
	for _, sat := range []int{2, 4} {
		if _, _, err := h.f.e.AddReview(h.f.ctx, ana, models.Review{DeploymentID: d[1].ID, Outcome: models.OutcomeUnsuccessful,
			Satisfaction: sat, Quality: sat, Lessons: "x"}); err != nil {
			t.Fatal(err)
		}
		h.exact()
	}
	h.f.now = h.f.local("2026-11-16 12:00")
	for _, at := range []time.Time{h.f.now, {}, h.f.now.Add(-time.Hour)} { // resolved, open again, resolved
		if _, err := h.f.e.UpdateIncident(h.f.ctx, ana, 2, IncidentChange{Resolved: &at}); err != nil {
			t.Fatal(err)
		}
		h.exact()
	}
	if m := h.report("2026-11-01 00:00", "2026-12-01 00:00", PeriodMonth, ByNothing).Rows[0].Metrics; m.Satisfaction != (Mean{4, 1}) ||
		m.Restores != 2 {
		t.Fatalf("the amended score, and the incident's restore beside the outage's: %+v", m)
	}
	// A changed tolerance recounts everything.
	h.f.e.cfg.AdherenceTolerance = time.Hour
	rep := h.report("2026-11-01 00:00", "2026-12-01 00:00", PeriodMonth, ByNothing)
	if m := rep.Rows[0].Metrics; m.OnTimeStart != (Ratio{4, 4}) {
		t.Fatalf("with an hour's tolerance every start is on time: %+v", m.OnTimeStart)
	}
}

func TestReportRefusesBadRequests(t *testing.T) {
	f := newFixture(t)
	for _, r := range []ReportRequest{
		{From: f.now, To: f.now.Add(time.Hour), Period: "year"},
		{From: f.now, To: f.now.Add(time.Hour), Period: PeriodDay, By: "team"},
		{From: f.now, To: f.now, Period: PeriodDay},
	} {
		if _, err := f.e.Report(f.ctx, reportReader, r); err == nil {
			t.Errorf("%+v: want an error", r)
		}
	}
}

// A long report reads its rollups in parts at once, one per core: what it says is
// what one read says, for every period and grouping, the range starting long before
// the history does.
func TestLongReportInPartsIsOneRead(t *testing.T) {
	h := history{t, newFixture(t)}
	at := time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC)
	for i := range 40 {
		start := at.AddDate(0, 0, i*17)
		d := h.add([]string{"test", "production"}[i%2], start.AddDate(0, 0, -2).Format("2006-01-02 15:04"),
			start.Format("2006-01-02 15:04"))
		fin := start.Add(30 * time.Minute).Format("2006-01-02 15:04")
		switch i % 4 {
		case 0, 1:
			h.end(d, models.StatusSucceeded, start.Format("2006-01-02 15:04"), fin)
		case 2:
			h.end(d, models.StatusFailed, start.Format("2006-01-02 15:04"), fin)
		}
	}
	h.f.now = h.f.local("2026-12-15 12:00")
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, p := range Periods {
		for _, by := range Groupings {
			r := ReportRequest{From: h.f.local("2023-01-01 00:00"), To: h.f.local("2026-12-01 00:00"), Period: p, By: by,
				DoraEnvs: []string{"production"}}
			if reportParts(r) < 2 {
				t.Fatalf("a report over years is read in parts: %d", reportParts(r))
			}
			parts, err := h.f.e.Report(h.f.ctx, reportReader, r)
			if err != nil {
				t.Fatal(err)
			}
			var one Report
			err = h.f.e.st.Snapshot(h.f.ctx, func(q store.Q) error {
				one, err = h.f.e.report(h.f.ctx, []store.Q{q}, r)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(parts, one) {
				t.Fatalf("by %s %q: read in parts, the report differs from one read", p, by)
			}
			if one.Totals[len(one.Totals)-1].Deployments != 40 {
				t.Fatalf("by %s %q: the totals count all 40: %+v", p, by, one.Totals)
			}
		}
	}
}

// reportReader is a manager, who may read every report.
var reportReader = models.Person{Name: "ana", Roles: []models.Role{models.RoleManager}}

// A report counts every deployment: a technician, who sees only their own, may not
// read one; an analyst may.
func TestReportIsReadByThoseWhoSeeEverything(t *testing.T) {
	f := newFixture(t)
	r := ReportRequest{From: f.now.AddDate(0, -1, 0), To: f.now, Period: PeriodMonth}
	_, err := f.e.Report(f.ctx, f.person(t, "tom"), r)
	if !errors.Is(err, models.ErrForbidden) || !strings.Contains(err.Error(), "tom (technician) may not read reports") {
		t.Fatalf("a technician's report: %v", err)
	}
	if _, err := f.e.Report(f.ctx, f.person(t, "eve"), r); err != nil {
		t.Fatalf("an analyst's report: %v", err)
	}
}
