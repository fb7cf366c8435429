package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"ferry/models"
	"ferry/store"
)

// Period is the length of one report row.
type Period string

const (
	PeriodDay     Period = "day"
	PeriodWeek    Period = "week"
	PeriodMonth   Period = "month"
	PeriodQuarter Period = "quarter"
)

// Periods lists the report periods, shortest first.
var Periods = []Period{PeriodDay, PeriodWeek, PeriodMonth, PeriodQuarter}

// Grouping splits a report's rows; "" does not.
type Grouping string

const (
	ByNothing     Grouping = ""
	ByEnvironment Grouping = "environment"
	ByModel       Grouping = "model"
	ByService     Grouping = "service"
	// ByModelVersion puts the versions of each model side by side ("web-service v3"):
	// the measured effect of each change to a model.
	ByModelVersion Grouping = "model-version"
)

// Groupings lists the report groupings.
var Groupings = []Grouping{ByNothing, ByEnvironment, ByModel, ByModelVersion, ByService}

// ReportRequest asks for the metrics of [From, To) by Period and By. The range widens
// to whole periods of the organisation's calendar.
type ReportRequest struct {
	From, To time.Time
	Period   Period
	By       Grouping
	// DoraEnvs are the environments the DORA measures (deployment frequency, change
	// failure rate, time to restore) are taken in; none: the production ones.
	DoraEnvs []string
}

// Ratio is N out of D; with D zero there is nothing to rate.
type Ratio struct{ N, D int64 }

// Mean is a mean of Sum over N answers; with N zero nobody answered.
type Mean struct{ Sum, N int64 }

// Value is the mean (0 with no answers).
func (m Mean) Value() float64 {
	if m.N == 0 {
		return 0
	}
	return float64(m.Sum) / float64(m.N)
}

// Valid reports whether the ratio has a denominator.
func (r Ratio) Valid() bool { return r.D > 0 }

// Pct is the ratio as a percentage (0 when not Valid).
func (r Ratio) Pct() float64 {
	if r.D == 0 {
		return 0
	}
	return 100 * float64(r.N) / float64(r.D)
}

// Metrics are the practice's measures for one period and group. The README defines
// each; briefly: outcome, incident, adherence and model-version figures are about the
// deployments planned to start in the period; throughput, lead time, frequency and
// change failure rate about those that finished in it; backlog is at the period's end.
type Metrics struct {
	Deployments, Succeeded, Failed, RolledBack, Cancelled int64
	SuccessRate                                           Ratio // succeeded / finished
	Incidents                                             int64
	IncidentRate                                          Ratio // deployments with an incident / deployments
	Adherence                                             Ratio // on time and inside the window / finished
	OnTimeStart                                           Ratio // started within tolerance / started
	CurrentVersion                                        Ratio // followed their model's current version / deployments
	Throughput                                            int64 // finished (succeeded, failed, rolled back) in the period
	LeadP50, LeadP90                                      time.Duration
	Backlog                                               int64   // requested and not finished or cancelled at the period's end
	Frequency                                             float64 // successful deployments per day (DORA environments)
	ChangeFailure                                         Ratio   // failed, rolled back or with an incident / finished (DORA environments)
	Restores                                              int64   // outages ended and incidents resolved in the period (DORA environments)
	RestoreP50                                            time.Duration
	Overrides, FreezeOverrides                            int64
	Emergency                                             int64 // deployments planned as emergencies
	// Findings made in the period (see models.Finding): starts a manager allowed
	// against a control, of those outside their window, starts in the emergency lane,
	// and conflicts left unresolved when a deployment finished.
	StartOverrides, OutsideWindow, EmergencyStarts, Unresolved int64
	// Adoption of the agreed approach: finished without a start override or the
	// emergency lane / finished (see README).
	Adoption Ratio
	// Reviews of the deployments planned in the period, and the means of their scores
	// (guide table 2.4: satisfaction with deployments, with lead time, with quality).
	Reviewed                                    int64
	Satisfaction, LeadTimeSatisfaction, Quality Mean
	// Audit and compliance findings recorded in the period (ferry finding add).
	AuditFindings, ComplianceFindings int64
}

// ReportRow is the metrics of one period (or the whole range) and one group.
type ReportRow struct {
	Period     string    // label: 2026-11-26, 2026-W48, 2026-11, 2026-Q4, or "total"
	Start, End time.Time // the period, [Start, End)
	Group      string
	Metrics
}

// Partial reports whether the row's period is not over at now: its figures are so
// far, and will still grow.
func (r ReportRow) Partial(now time.Time) bool { return now.Before(r.End) }

// Report is the metrics table for a range.
type Report struct {
	From, To  time.Time // whole periods
	Period    Period
	By        Grouping
	DoraEnvs  []string // the environments the DORA measures are taken in
	Tolerance time.Duration
	Rows      []ReportRow // by period, then group
	Totals    []ReportRow // the whole range, one per group (and one for all when grouped)
}

// span is one report period in local days.
type span struct {
	label      string
	first, end int // YYYYMMDD, end exclusive
	start, fin time.Time
}

// acc gathers one row's raw figures before they become Metrics.
type acc struct {
	s store.PeriodSums
	// A total's histograms, by bucket: totals merge many rows, which is cheaper
	// in dense arrays than in sorted lists.
	lead, restore []int64
	over          int64
	freeze        int64
	audit, compl  int64 // audit and compliance findings
	findings      [nFindingCounts]int64
	backlog       int64
	days          float64
}

// Report computes the metrics table from the rollups: it reads a few thousand rows
// whatever the history's size. It counts every deployment, so a person who sees only
// their own (a technician) may not read it.
func (e *Engine) Report(ctx context.Context, actor models.Person, r ReportRequest) (Report, error) {
	if SeesOnlyOwn(actor) {
		return Report{}, models.Forbiddenf("%s (%s) may not read reports: they count every deployment, and technicians see only those assigned to them",
			actor.Name, actor.MainRole())
	}
	if err := Can(actor, ActRead, nil); err != nil {
		return Report{}, err
	}
	if err := e.validReport(ctx, r); err != nil {
		return Report{}, err
	}
	if err := e.useBasis(ctx); err != nil {
		return Report{}, err
	}
	if len(r.DoraEnvs) == 0 {
		r.DoraEnvs = e.ProductionEnvironments()
	}
	var rep Report
	err := e.st.Snapshots(ctx, reportParts(r), func(qs []store.Q) error {
		var err error
		rep, err = e.report(ctx, qs, r)
		return err
	})
	return rep, err
}

// reportParts is how many readers a report's rollups are read with at once. A daily
// report over years reads some 200,000 rollup rows, and the query is then most of its
// time; split by period across the cores it takes about half as long on two. A short
// range is not worth the extra connections.
func reportParts(r ReportRequest) int {
	if r.To.Sub(r.From) < 180*24*time.Hour {
		return 1
	}
	return min(runtime.GOMAXPROCS(0), maxReportParts)
}

// maxReportParts stays within the store's reader connections (at least four).
const maxReportParts = 4

// ProductionEnvironments are the environments that say production = true (by
// default the last environment of each model's path): where DORA measures are taken.
func (e *Engine) ProductionEnvironments() []string {
	var out []string
	for _, env := range e.cfg.Environments {
		if env.Production {
			out = append(out, env.Name)
		}
	}
	return out
}

// useBasis makes sure the rollups are counted with this configuration's time zone
// and tolerance (a recount when they changed, or after a bulk load).
func (e *Engine) useBasis(ctx context.Context) error {
	return e.st.UseBasis(ctx, store.Basis{Location: e.cfg.Location, Tolerance: e.cfg.AdherenceTolerance})
}

// report reads a report through qs, transactions that see the same state (the
// rollups are read split across them, the rest through the first); the rollups must
// be current (useBasis).
func (e *Engine) report(ctx context.Context, qs []store.Q, r ReportRequest) (Report, error) {
	g := &grid{spans: e.spans(r), rows: map[string][]acc{}}
	rep := Report{Period: r.Period, By: r.By, DoraEnvs: r.DoraEnvs, Tolerance: e.cfg.AdherenceTolerance,
		From: g.spans[0].start, To: g.spans[len(g.spans)-1].fin}
	opening, err := e.fill(ctx, qs, g, rep)
	if err != nil {
		return rep, err
	}
	first, err := e.firstRecorded(ctx, qs[0])
	if err != nil {
		return rep, err
	}
	e.assemble(&rep, g, opening, first)
	return rep, nil
}

// firstRecorded is local midnight of the first day anything was recorded on, the
// zero time for an empty history.
func (e *Engine) firstRecorded(ctx context.Context, q store.Q) (time.Time, error) {
	day, err := q.FirstRecordedDay(ctx)
	if err != nil || day == 0 {
		return time.Time{}, err
	}
	return time.Date(day/10000, time.Month(day/100%100), day%100, 0, 0, 0, 0, e.cfg.Location).UTC(), nil
}

func (e *Engine) validReport(ctx context.Context, r ReportRequest) error {
	switch {
	case !slices.Contains(Periods, r.Period):
		return models.Invalidf("period %q: use day, week, month or quarter", r.Period)
	case !slices.Contains(Groupings, r.By):
		return models.Invalidf("grouping %q: use environment, model, model-version, service or none", r.By)
	case !r.To.After(r.From):
		return models.Invalidf("the report range ends (%s) before it starts (%s)", e.Local(r.To), e.Local(r.From))
	}
	for _, env := range r.DoraEnvs { // one config has since dropped still counts what the record holds
		if _, err := e.FilterEnvironment(ctx, "--env", env); err != nil {
			return err
		}
	}
	return nil
}

// grid is a report's figures before they become rows: per group, one acc a span.
type grid struct {
	spans []span
	rows  map[string][]acc
	mu    sync.Mutex // rows, while the rollups are read in parts at once
}

// row is group's acc of span i. A group's accs are made together: a daily report
// over years has thousands of them, of some 500 bytes each.
func (g *grid) row(group string, i int) *acc {
	if g.rows[group] == nil {
		g.rows[group] = make([]acc, len(g.spans))
	}
	return &g.rows[group][i]
}

// spanOf is the index of the span a local day (YYYYMMDD) is in, or -1.
func (g *grid) spanOf(day int) int {
	i, _ := slices.BinarySearchFunc(g.spans, day, func(s span, day int) int { return cmp.Compare(s.end-1, day) })
	if i == len(g.spans) || day < g.spans[i].first {
		return -1
	}
	return i
}

// fill reads the rollups, the backlog the range opens with (returned, by group)
// and the overrides into g.
func (e *Engine) fill(ctx context.Context, qs []store.Q, g *grid, rep Report) (map[string]int64, error) {
	if err := e.sumsInParts(ctx, qs, g, rep); err != nil {
		return nil, err
	}
	q := qs[0]
	opening, err := q.OpenBefore(ctx, g.spans[0].first, string(rep.By))
	if err != nil {
		return nil, err
	}
	for group := range opening {
		g.row(group, 0)
	}
	if rep.By == ByNothing {
		g.row("", 0) // empty periods still get their row
	}
	if err := e.addOverrides(ctx, q, rep, g); err != nil {
		return nil, err
	}
	if err := e.addAuditFindings(ctx, q, rep, g); err != nil {
		return nil, err
	}
	return opening, e.addFindings(ctx, q, rep, g)
}

// sumsInParts reads the rollups of g's spans into it, in runs of whole spans, one run
// per transaction in qs, all at once. Runs end at a span's end, so each period's sums
// come from one run, and no two runs write one acc. The runs split the spans that
// hold rollups evenly: a range often begins long before the history does.
func (e *Engine) sumsInParts(ctx context.Context, qs []store.Q, g *grid, rep Report) error {
	runs, err := e.runsOf(ctx, qs, g.spans)
	if err != nil {
		return err
	}
	errs := make([]error, len(runs))
	current := e.currentVersions()
	var wg sync.WaitGroup
	for i, run := range runs {
		wg.Go(func() {
			errs[i] = qs[i].ReportSums(ctx, run[0].first, run[len(run)-1].end, string(rep.Period),
				string(rep.By), current, rep.DoraEnvs, func(s *store.PeriodSums) {
					g.mu.Lock()
					a := g.row(s.Group, g.spanOf(s.Period))
					g.mu.Unlock()
					a.s = *s
				})
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// runsOf splits spans into at most len(qs) runs, the spans holding rollups spread
// evenly over them.
func (e *Engine) runsOf(ctx context.Context, qs []store.Q, spans []span) ([][]span, error) {
	if len(qs) == 1 {
		return [][]span{spans}, nil
	}
	lo, hi, err := qs[0].RollupDays(ctx, spans[0].first, spans[len(spans)-1].end)
	if err != nil || lo == 0 {
		return [][]span{spans}, err
	}
	a := slices.IndexFunc(spans, func(s span) bool { return s.end > lo })
	b := slices.IndexFunc(spans, func(s span) bool { return s.end > hi })
	n := min(len(qs), b-a+1)
	runs := make([][]span, n)
	for i := range n {
		from, to := a+i*(b-a+1)/n, a+(i+1)*(b-a+1)/n
		if i == 0 {
			from = 0
		}
		if i == n-1 {
			to = len(spans)
		}
		runs[i] = spans[from:to]
	}
	return runs, nil
}

// assemble turns the grid into rows by period and group, and the totals. The days a
// rate per day divides by are those from the first recorded (first) on: days before
// the organisation kept any record are not days without a deployment.
func (e *Engine) assemble(rep *Report, g *grid, opening map[string]int64, first time.Time) {
	now := e.Now()
	groups := e.groupOrder(rep.By, g.rows)
	recorded := func(from, to time.Time) float64 {
		if first.After(from) {
			from = first
		}
		if !from.Before(to) {
			return 0
		}
		return e.daysBegun(from, to, now)
	}
	rangeDays := recorded(rep.From, rep.To)
	for _, group := range groups {
		bl := opening[group]
		for i := range g.rows[group] {
			a, sp := &g.rows[group][i], g.spans[i]
			bl += a.s.Requested - a.s.Closed
			a.backlog, a.days = bl, recorded(sp.start, sp.fin)
		}
		rep.Totals = append(rep.Totals, total(*rep, group, rangeDays, g.rows[group]))
	}
	// Rows by period, then group, written in that order into their place: a daily
	// report by model version over years has ten thousand rows of ~50 fields, and
	// sorting them afterwards moved them about more than making them.
	rep.Rows = make([]ReportRow, len(g.spans)*len(groups))
	row := rep.Rows
	for i, sp := range g.spans {
		for _, group := range groups {
			r := &row[0]
			r.Period, r.Start, r.End, r.Group = sp.label, sp.start, sp.fin, group
			g.rows[group][i].metricsInto(&r.Metrics)
			row = row[1:]
		}
	}
	if rep.By != ByNothing {
		all := make([][]acc, len(groups))
		var bl int64
		for i, group := range groups {
			all[i] = g.rows[group]
			bl += rep.Totals[i].Backlog
		}
		t := total(*rep, "all", rangeDays, all...)
		t.Backlog = bl
		rep.Totals = append(rep.Totals, t)
	}
}

// total folds one group's rows, or several groups' (the backlog then is the last
// group's, for the caller to set), into the row for the whole range.
func total(rep Report, group string, days float64, rows ...[]acc) ReportRow {
	t := &acc{}
	for _, r := range rows {
		for i := range r {
			t.add(&r[i])
		}
		if len(r) > 0 {
			t.backlog = r[len(r)-1].backlog
		}
	}
	t.s.Lead, t.s.DoraRestore = sparse(t.lead), sparse(t.restore)
	t.days = days
	r := ReportRow{Period: "total", Start: rep.From, End: rep.To, Group: group}
	t.metricsInto(&r.Metrics)
	return r
}

func (t *acc) add(a *acc) {
	s := &t.s
	s.Deployments += a.s.Deployments
	s.Succeeded += a.s.Succeeded
	s.Failed += a.s.Failed
	s.RolledBack += a.s.RolledBack
	s.Cancelled += a.s.Cancelled
	s.Started += a.s.Started
	s.OnTime += a.s.OnTime
	s.Adherent += a.s.Adherent
	s.Incidents += a.s.Incidents
	s.WithIncident += a.s.WithIncident
	s.Current += a.s.Current
	s.Requested += a.s.Requested
	s.Closed += a.s.Closed
	s.Done += a.s.Done
	s.DoneOK += a.s.DoneOK
	s.DoneBad += a.s.DoneBad
	s.Restores += a.s.Restores
	s.Emergency += a.s.Emergency
	s.Adopted += a.s.Adopted
	s.Reviewed += a.s.Reviewed
	s.SatSum, s.SatN = s.SatSum+a.s.SatSum, s.SatN+a.s.SatN
	s.LeadSatSum, s.LeadSatN = s.LeadSatSum+a.s.LeadSatSum, s.LeadSatN+a.s.LeadSatN
	s.QualitySum, s.QualityN = s.QualitySum+a.s.QualitySum, s.QualityN+a.s.QualityN
	s.DoraDone += a.s.DoraDone
	s.DoraOK += a.s.DoraOK
	s.DoraBad += a.s.DoraBad
	s.DoraRestores += a.s.DoraRestores
	for i := range t.findings {
		t.findings[i] += a.findings[i]
	}
	t.lead = addDense(t.lead, a.s.Lead)
	t.restore = addDense(t.restore, a.s.DoraRestore)
	t.over += a.over
	t.freeze += a.freeze
	t.audit += a.audit
	t.compl += a.compl
}

// metricsInto writes a's figures into m, in its place: a daily report over years has
// ten thousand rows of ~50 fields, each made once where it stays.
func (a *acc) metricsInto(m *Metrics) {
	s := &a.s
	finished := s.Succeeded + s.Failed + s.RolledBack
	*m = Metrics{Deployments: s.Deployments, Succeeded: s.Succeeded, Failed: s.Failed, RolledBack: s.RolledBack,
		Cancelled: s.Cancelled, SuccessRate: Ratio{s.Succeeded, finished}, Incidents: s.Incidents,
		IncidentRate: Ratio{s.WithIncident, s.Deployments}, Adherence: Ratio{s.Adherent, finished},
		OnTimeStart: Ratio{s.OnTime, s.Started}, CurrentVersion: Ratio{s.Current, s.Deployments},
		Throughput: s.Done, Backlog: a.backlog, ChangeFailure: Ratio{s.DoraBad, s.DoraDone},
		Restores: s.DoraRestores, Overrides: a.over, FreezeOverrides: a.freeze, Emergency: s.Emergency,
		StartOverrides: a.findings[fStartOverride], OutsideWindow: a.findings[fOutsideWindow],
		EmergencyStarts: a.findings[fEmergencyStart], Unresolved: a.findings[fUnresolved],
		Adoption: Ratio{s.Adopted, finished}, Reviewed: s.Reviewed, Satisfaction: Mean{s.SatSum, s.SatN},
		LeadTimeSatisfaction: Mean{s.LeadSatSum, s.LeadSatN}, Quality: Mean{s.QualitySum, s.QualityN},
		AuditFindings: a.audit, ComplianceFindings: a.compl}
	m.LeadP50, m.LeadP90 = percentile(s.Lead, 0.5), percentile(s.Lead, 0.9)
	m.RestoreP50 = percentile(s.DoraRestore, 0.5)
	if a.days > 0 {
		m.Frequency = float64(s.DoraOK) / a.days
	}
}

// rank is the nearest-rank index of the p-quantile among n sorted values.
func rank(n int, p float64) int {
	k := int(float64(n)*p+0.999999999) - 1
	return min(max(k, 0), n-1)
}

// percentile reads the p-quantile (nearest rank) from a duration histogram.
func percentile(h store.Hist, p float64) time.Duration {
	var n int64
	for _, b := range h {
		n += b.N
	}
	if n == 0 {
		return 0
	}
	want := int64(rank(int(n), p)) + 1
	var seen int64
	for _, b := range h {
		if seen += b.N; seen >= want {
			return store.LeadValue(b.Bucket)
		}
	}
	return store.LeadValue(h[len(h)-1].Bucket)
}

// addDense adds histogram h to the dense histogram d, growing it as needed.
func addDense(d []int64, h store.Hist) []int64 {
	if len(h) > 0 && h[len(h)-1].Bucket >= len(d) {
		d = append(d, make([]int64, h[len(h)-1].Bucket+1-len(d))...)
	}
	for _, b := range h {
		d[b.Bucket] += b.N
	}
	return d
}

func sparse(d []int64) store.Hist {
	var h store.Hist
	for b, n := range d {
		if n != 0 {
			h = append(h, store.HistBucket{Bucket: b, N: n})
		}
	}
	return h
}

// daysBegun counts the local calendar days of [from, to) that have begun by now:
// a whole period once it is over, the days so far for the current one.
func (e *Engine) daysBegun(from, to, now time.Time) float64 {
	if !now.Before(to) {
		return float64(calendarDays(from, to, e.cfg.Location))
	}
	if now.Before(from) {
		return 0
	}
	return float64(calendarDays(from, now, e.cfg.Location) + 1)
}

// calendarDays is how many local dates lie from a's to b's, whatever DST does.
func calendarDays(a, b time.Time, loc *time.Location) int {
	noon := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	}
	return int(noon(b).Sub(noon(a)).Hours()/24 + 0.5)
}

// spans cuts the request into whole local periods.
func (e *Engine) spans(r ReportRequest) []span {
	loc := e.cfg.Location
	start := periodStart(r.From.In(loc), r.Period)
	var out []span
	for t := start; t.Before(r.To); {
		next := nextPeriod(t, r.Period)
		out = append(out, span{label: periodLabel(t, r.Period), first: store.LocalDay(t, loc),
			end: store.LocalDay(next, loc), start: t.UTC(), fin: next.UTC()})
		t = next
	}
	return out
}

// periodStart is local midnight at the start of t's period.
func periodStart(t time.Time, p Period) time.Time {
	y, m, d := t.Date()
	switch p {
	case PeriodWeek:
		d -= (int(t.Weekday()) + 6) % 7
	case PeriodMonth:
		d = 1
	case PeriodQuarter:
		m, d = (m-1)/3*3+1, 1
	}
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// nextPeriod steps by calendar dates, never by 24-hour days, so DST cannot shift it.
func nextPeriod(t time.Time, p Period) time.Time {
	y, m, d := t.Date()
	switch p {
	case PeriodDay:
		d++
	case PeriodWeek:
		d += 7
	case PeriodMonth:
		m++
	case PeriodQuarter:
		m += 3
	}
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

func periodLabel(t time.Time, p Period) string {
	switch p {
	case PeriodWeek:
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	case PeriodMonth:
		return t.Format("2006-01")
	case PeriodQuarter:
		return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
	}
	return t.Format("2006-01-02")
}

// currentVersions names each configured model's current version.
func (e *Engine) currentVersions() map[string]int {
	out := map[string]int{}
	for name, c := range e.current {
		out[name] = c.model.Version
	}
	return out
}

// groupOf is the value of a grouping for a deployment.
func groupOf(by Grouping, d models.Deployment) string {
	switch by {
	case ByEnvironment:
		return d.Environment
	case ByModel:
		return d.Model
	case ByModelVersion:
		return VersionGroup(d.Model, d.ModelVersion)
	case ByService:
		return d.Service
	}
	return ""
}

// VersionGroup is how a report names a model version: "web-service v3".
func VersionGroup(model string, version int) string { return fmt.Sprintf("%s v%d", model, version) }

// addAuditFindings counts audit and compliance findings in the period they were
// recorded: one about a deployment under its group, one about a model under that
// model when the report is not grouped or grouped by model (it has no environment,
// service or version).
func (e *Engine) addAuditFindings(ctx context.Context, q store.Q, rep Report, g *grid) error {
	list, err := q.AuditFindings(ctx, store.AuditFindingFilter{From: rep.From, To: rep.To})
	if err != nil {
		return err
	}
	for _, f := range list {
		i := g.spanOf(store.LocalDay(f.At, e.cfg.Location))
		if i < 0 {
			continue
		}
		group := ""
		switch {
		case f.DeploymentID != 0 && rep.By != ByNothing:
			d, err := q.Deployment(ctx, f.DeploymentID)
			if err != nil {
				return err
			}
			group = groupOf(rep.By, d)
		case f.DeploymentID == 0 && rep.By == ByModel:
			group = f.Model
		case f.DeploymentID == 0 && rep.By != ByNothing:
			continue
		}
		a := g.row(group, i)
		if f.Kind == models.FindingCompliance {
			a.compl++
		} else {
			a.audit++
		}
	}
	return nil
}

// The findings a report counts, by what they are.
const (
	fStartOverride = iota
	fOutsideWindow
	fEmergencyStart
	fUnresolved
	nFindingCounts
)

// addFindings counts findings in the period they were made, under their deployment's
// group: a start overridden counts once (whatever it broke), and once more if it was
// outside its window; an emergency start once; each unresolved conflict once.
func (e *Engine) addFindings(ctx context.Context, q store.Q, rep Report, g *grid) error {
	list, err := q.Findings(ctx, store.FindingFilter{From: rep.From, To: rep.To,
		Kinds: []string{models.FindingOverride, models.FindingEmergency, models.FindingUnresolved}})
	if err != nil {
		return err
	}
	type seen struct {
		id   int64
		kind string
	}
	counted := map[seen]bool{}
	for _, f := range list {
		i := g.spanOf(store.LocalDay(f.At, e.cfg.Location))
		if i < 0 {
			continue
		}
		group := ""
		if rep.By != ByNothing {
			d, err := q.Deployment(ctx, f.DeploymentID)
			if err != nil {
				return err
			}
			group = groupOf(rep.By, d)
		}
		a := g.row(group, i)
		first := !counted[seen{f.DeploymentID, f.Kind}]
		counted[seen{f.DeploymentID, f.Kind}] = true
		switch {
		case f.Kind == models.FindingUnresolved:
			a.findings[fUnresolved]++
		case f.Kind == models.FindingEmergency && first:
			a.findings[fEmergencyStart]++
		case f.Kind == models.FindingOverride && f.Rule == models.RuleWindow:
			a.findings[fOutsideWindow]++
			if first {
				a.findings[fStartOverride]++
			}
		case f.Kind == models.FindingOverride && first:
			a.findings[fStartOverride]++
		}
	}
	return nil
}

// addOverrides counts overrides in the period they were made, under the group of
// the first deployment they involve.
func (e *Engine) addOverrides(ctx context.Context, q store.Q, rep Report, g *grid) error {
	list, err := q.OverridesBetween(ctx, rep.From, rep.To)
	if err != nil {
		return err
	}
	for _, o := range list {
		i := g.spanOf(store.LocalDay(o.At, e.cfg.Location))
		if i < 0 {
			continue
		}
		group := ""
		if rep.By != ByNothing && len(o.IDs) > 0 {
			d, err := q.Deployment(ctx, o.IDs[0])
			if err != nil {
				return err
			}
			group = groupOf(rep.By, d)
		}
		a := g.row(group, i)
		a.over++
		if models.ConflictKind(o.Kind) == models.ConflictFreeze {
			a.freeze++
		}
	}
	return nil
}

// groupOrder lists the groups in config's order (environments along the path),
// then any no longer in config by name.
func (e *Engine) groupOrder(by Grouping, rows map[string][]acc) []string {
	var names []string
	switch by {
	case ByEnvironment:
		for _, env := range e.cfg.Environments {
			names = append(names, env.Name)
		}
	case ByModel, ByModelVersion:
		for _, m := range e.cfg.Models {
			names = append(names, m.Name)
		}
	case ByService:
		for _, s := range e.cfg.Services {
			names = append(names, s.Name)
		}
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		if by == ByModelVersion {
			k, _ = splitVersionGroup(k)
		}
		if i := slices.Index(names, k); i >= 0 {
			return i
		}
		return len(names)
	}
	// Versions of a model in their order (v2 before v10).
	version := func(k string) int { _, v := splitVersionGroup(k); return v }
	slices.SortFunc(keys, func(a, b string) int {
		if by == ByModelVersion {
			ma, _ := splitVersionGroup(a)
			mb, _ := splitVersionGroup(b)
			return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(ma, mb), cmp.Compare(version(a), version(b)))
		}
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a, b))
	})
	return keys
}

// splitVersionGroup reads "web-service v3" back as its model and version.
func splitVersionGroup(k string) (string, int) {
	i := strings.LastIndex(k, " v")
	if i < 0 {
		return k, 0
	}
	v, _ := strconv.Atoi(k[i+2:])
	return k[:i], v
}

// RecentSpan is how many periods a report covers when no range is asked for, the
// console's and the CLI's alike: a month of days, a quarter of weeks, a year of
// months, two years of quarters.
func RecentSpan(p Period) int {
	switch p {
	case PeriodDay:
		return 30
	case PeriodWeek:
		return 13
	case PeriodQuarter:
		return 8
	}
	return 12
}

// RecentReport is the range a report of period p covers when no range is asked for:
// RecentSpan(p) periods ending with the current one, or pages of them back.
func (e *Engine) RecentReport(p Period, back int) (from, to time.Time) {
	n := RecentSpan(p)
	return e.RecentPeriods(p, n, back*n)
}

// RecentPeriods is the range of n whole periods ending with the current one, or
// with the one back periods before it.
func (e *Engine) RecentPeriods(p Period, n, back int) (from, to time.Time) {
	last := periodStart(e.Now().In(e.cfg.Location), p)
	for range back {
		last = periodStart(last.Add(-time.Hour), p)
	}
	from = last
	for range n - 1 {
		from = periodStart(from.Add(-time.Hour), p)
	}
	return from.UTC(), nextPeriod(last, p).UTC()
}

// RollupCheck is what CheckRollups found.
type RollupCheck struct {
	Diffs []string // empty: the reports are exact
}

// CheckRollups recounts the report rollups from the raw rows and compares them with
// the stored ones. It reads the whole history (seconds on a million deployments).
func (e *Engine) CheckRollups(ctx context.Context) (RollupCheck, error) {
	diffs, err := e.st.Read().RollupDiffs(ctx)
	return RollupCheck{Diffs: diffs}, err
}

// RepairRollups recounts the report rollups from the raw rows (managers only).
func (e *Engine) RepairRollups(ctx context.Context, actor models.Person) error {
	if err := Can(actor, ActAdmin, nil); err != nil {
		return mayNot(actor, "recount the report rollups", "only managers may")
	}
	return e.st.RecountRollups(ctx)
}
