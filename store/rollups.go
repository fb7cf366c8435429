package store

import (
	"context"
	"database/sql"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"ferry/models"
)

// Basis is what the report rollups are counted with: days are the organisation's
// local days, and a start within Tolerance of the planned start is on time.
type Basis struct {
	Location  *time.Location
	Tolerance time.Duration
}

// The rollup counters, in table column order. Each is counted on one of four days of
// a deployment (see migrations/00005_rollups.sql).
const (
	cDeployments = iota
	cSucceeded
	cFailed
	cRolledBack
	cCancelled
	cStarted
	cOnTime
	cAdherent
	cIncidents
	cWithIncident
	cRequested
	cClosed
	cDone
	cDoneOK
	cDoneBad
	cRestores
	cEmergency
	cReviewed
	cSatisfactionSum
	cSatisfactionN
	cLeadSatSum
	cLeadSatN
	cQualitySum
	cQualityN
	cAdopted
	nCounters
)

var counterCols = [nCounters]string{"deployments", "succeeded", "failed", "rolled_back", "cancelled", "started",
	"on_time", "adherent", "incidents", "with_incident", "requested", "closed", "done", "done_ok", "done_bad", "restores",
	"emergency", "reviewed", "satisfaction_sum", "satisfaction_n", "lead_sat_sum", "lead_sat_n", "quality_sum",
	"quality_n", "adopted"}

// rollKey is one row of rollup_days.
type rollKey struct {
	day          int // local YYYYMMDD
	environment  string
	model        string
	modelVersion int
	service      string
}

type rollRow struct {
	n       [nCounters]int64
	lead    map[int]int64 // lead-time bucket → count
	restore map[int]int64 // time-to-restore bucket → count
}

func (r *rollRow) zero() bool {
	if r.n != [nCounters]int64{} {
		return false
	}
	for _, h := range []map[int]int64{r.lead, r.restore} {
		for _, v := range h {
			if v != 0 {
				return false
			}
		}
	}
	return true
}

// histCols are the histogram columns of rollup_days and where a row keeps them.
var histCols = []struct {
	col string
	of  func(*rollRow) *map[int]int64
}{
	{"lead_hist", func(r *rollRow) *map[int]int64 { return &r.lead }},
	{"restore_hist", func(r *rollRow) *map[int]int64 { return &r.restore }},
}

// addTo adds n to bucket b of the histogram *h, making it if needed.
func addTo(h *map[int]int64, b int, n int64) {
	if *h == nil {
		*h = map[int]int64{}
	}
	(*h)[b] += n
}

// tally accumulates rollup rows; a deployment's contribution is added with sign +1,
// its old contribution removed with -1.
type tally map[rollKey]*rollRow

func (t tally) row(k rollKey) *rollRow {
	r := t[k]
	if r == nil {
		r = &rollRow{}
		t[k] = r
	}
	return r
}

// rollFacts is what the rollups read of one deployment.
type rollFacts struct {
	models.Deployment
	incidents int
	review    *models.Review // nil: not reviewed
	bypassed  bool           // a start override or the emergency lane on its record
	restored  []span         // its incidents that were resolved: opened to resolved
}

// span is a stretch of time: an incident from opened to resolved.
type span struct{ from, to time.Time }

// count adds (sign +1) or removes (-1) one deployment's contribution.
func (t tally) count(f rollFacts, b Basis, sign int64) {
	d := f.Deployment
	key := func(at time.Time) rollKey {
		return rollKey{LocalDay(at, b.Location), d.Environment, d.Model, d.ModelVersion, d.Service}
	}
	s := t.row(key(d.ScheduledStart))
	s.n[cDeployments] += sign
	if d.Urgency == models.UrgencyEmergency {
		s.n[cEmergency] += sign
	}
	switch d.Status {
	case models.StatusSucceeded:
		s.n[cSucceeded] += sign
	case models.StatusFailed:
		s.n[cFailed] += sign
	case models.StatusRolledBack:
		s.n[cRolledBack] += sign
	case models.StatusCancelled:
		s.n[cCancelled] += sign
	}
	onTime := false
	if !d.StartedAt.IsZero() {
		s.n[cStarted] += sign
		if onTime = absDur(d.StartedAt.Sub(d.ScheduledStart)) <= b.Tolerance; onTime {
			s.n[cOnTime] += sign
		}
	}
	done := d.Status.Final() && d.Status != models.StatusCancelled
	if done && onTime && !d.FinishedAt.After(d.ScheduledEnd) {
		s.n[cAdherent] += sign
	}
	// The agreed approach adopted: finished as its model says, no override, no
	// emergency lane (a required step is never skipped: a stage cannot be left so).
	if done && !f.bypassed && d.Urgency != models.UrgencyEmergency {
		s.n[cAdopted] += sign
	}
	if r := f.review; r != nil {
		s.n[cReviewed] += sign
		for _, sc := range []struct{ v, sum, n int }{{r.Satisfaction, cSatisfactionSum, cSatisfactionN},
			{r.LeadTimeSatisfaction, cLeadSatSum, cLeadSatN}, {r.Quality, cQualitySum, cQualityN}} {
			if sc.v != 0 {
				s.n[sc.sum] += sign * int64(sc.v)
				s.n[sc.n] += sign
			}
		}
	}
	// An incident resolved is a restore (time to restore), counted on the day it was
	// resolved, as the end of an outage is.
	for _, sp := range f.restored {
		r := t.row(key(sp.to))
		r.n[cRestores] += sign
		addTo(&r.restore, LeadBucket(sp.to.Sub(sp.from)), sign)
	}
	s.n[cIncidents] += sign * int64(f.incidents)
	if f.incidents > 0 {
		s.n[cWithIncident] += sign
	}
	t.row(key(d.CreatedAt)).n[cRequested] += sign
	if !d.Status.Final() {
		return
	}
	c := t.row(key(d.FinishedAt))
	c.n[cClosed] += sign
	if !done {
		return
	}
	c.n[cDone] += sign
	if d.Status == models.StatusSucceeded {
		c.n[cDoneOK] += sign
	}
	if d.Status != models.StatusSucceeded || f.incidents > 0 {
		c.n[cDoneBad] += sign
	}
	addTo(&c.lead, LeadBucket(d.FinishedAt.Sub(d.CreatedAt)), sign)
}

// countRestore adds (or removes) the end of an outage.
func (t tally) countRestore(o Outage, b Basis, sign int64) {
	r := t.row(rollKey{LocalDay(o.RestoredAt, b.Location), o.Environment, o.Model, o.ModelVersion, o.Service})
	r.n[cRestores] += sign
	addTo(&r.restore, LeadBucket(o.RestoredAt.Sub(o.FailedAt)), sign)
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// FirstRecordedDay is the first local day (YYYYMMDD) the rollups count anything
// on, 0 when they are empty: one step into their key.
func (q Q) FirstRecordedDay(ctx context.Context) (int, error) {
	var day sql.NullInt64
	err := q.db.QueryRowContext(ctx, `SELECT min(day) FROM rollup_days`).Scan(&day)
	return int(day.Int64), mapErr(err)
}

// LocalDay is the local calendar date of t in loc, as YYYYMMDD.
func LocalDay(t time.Time, loc *time.Location) int {
	y, m, d := t.In(loc).Date()
	return y*10000 + int(m)*100 + d
}

// DayDate is the date of a YYYYMMDD day.
func DayDate(day int) (year int, month time.Month, d int) {
	return day / 10000, time.Month(day / 100 % 100), day % 100
}

// isoWeekStart is the Monday of day's ISO week, as YYYYMMDD.
func isoWeekStart(day int) int {
	y, m, d := DayDate(day)
	t := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	t = t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
	return t.Year()*10000 + int(t.Month())*100 + t.Day()
}

// Duration buckets (lead times, times to restore): whole minutes up to a day, then buckets 1% wide, so a
// percentile read from them is exact to the minute below a day and within 0.5% above.
const (
	leadExact = 24 * 60
	leadRatio = 1.01
)

// LeadBucket is the histogram bucket of a duration.
func LeadBucket(d time.Duration) int {
	m := int(d / time.Minute)
	if m < leadExact {
		return max(m, 0)
	}
	return leadExact + int(math.Log(float64(m)/leadExact)/math.Log(leadRatio))
}

// LeadValue is the lead time a bucket stands for: its minute below leadExact, its
// geometric middle above.
func LeadValue(bucket int) time.Duration {
	if bucket < leadExact {
		return time.Duration(bucket) * time.Minute
	}
	m := leadExact * math.Pow(leadRatio, float64(bucket-leadExact)+0.5)
	return time.Duration(m * float64(time.Minute)).Round(time.Second)
}

// encodeLead writes a histogram as "bucket:count ..." in bucket order, without zeros.
func encodeLead(h map[int]int64) string {
	keys := make([]int, 0, len(h))
	for k, v := range h {
		if v != 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(k))
		b.WriteByte(':')
		b.WriteString(strconv.FormatInt(h[k], 10))
	}
	return b.String()
}

// decodeHist adds the stored histogram s to h, read by the same parser reports use.
func decodeHist(s string, h map[int]int64) error {
	var p histParser
	hist, err := p.parse([]byte(s))
	for _, b := range hist {
		h[b.Bucket] += b.N
	}
	return err
}

// rollFactsOf loads what the rollups read of one deployment.
func (q Q) rollFactsOf(ctx context.Context, id int64) (rollFacts, error) {
	d, err := q.Deployment(ctx, id)
	if err != nil {
		return rollFacts{}, err
	}
	f := rollFacts{Deployment: d}
	err = q.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM incidents WHERE deployment_id = ?1),
		EXISTS (SELECT 1 FROM findings WHERE deployment_id = ?1 AND kind IN ('override', 'emergency'))`, id).
		Scan(&f.incidents, &f.bypassed)
	if err != nil {
		return f, mapErr(err)
	}
	ins, err := q.Incidents(ctx, id)
	if err != nil {
		return f, err
	}
	for _, in := range ins {
		if !in.ResolvedAt.IsZero() {
			f.restored = append(f.restored, span{in.OpenedAt, in.ResolvedAt})
		}
	}
	if r, err := q.Review(ctx, id); err == nil {
		f.review = &r
	} else if !isNotFound(err) {
		return f, err
	}
	return f, nil
}

// reroll runs change, which alters deployment id, and moves the deployment's
// contribution to the rollups from what it was to what it is, and its place in the
// state table (where.go), in the same transaction.
func (q Q) reroll(ctx context.Context, id int64, alter func() error) error {
	change := func() error {
		if err := alter(); err != nil {
			return err
		}
		return q.refreshOf(ctx, id)
	}
	if q.basis == nil { // no basis yet: the next UseBasis recounts everything
		if err := change(); err != nil {
			return err
		}
		return q.markStale(ctx)
	}
	before, err := q.rollFactsOf(ctx, id)
	if err != nil {
		return err
	}
	if err := change(); err != nil {
		return err
	}
	return q.moveRollups(ctx, &before, id)
}

// rollNew counts a deployment just inserted, and puts it in the state table.
func (q Q) rollNew(ctx context.Context, id int64) error {
	if err := q.refreshOf(ctx, id); err != nil {
		return err
	}
	if q.basis == nil {
		return q.markStale(ctx)
	}
	return q.moveRollups(ctx, nil, id)
}

// moveRollups takes away what deployment id counted for as before (nil: nothing
// yet), adds what it counts for now, and opens or ends an outage when it finished.
func (q Q) moveRollups(ctx context.Context, before *rollFacts, id int64) error {
	after, err := q.rollFactsOf(ctx, id)
	if err != nil {
		return err
	}
	t := tally{}
	if before != nil {
		t.count(*before, *q.basis, -1)
	}
	t.count(after, *q.basis, +1)
	if err := q.applyTally(ctx, t); err != nil {
		return err
	}
	if (before == nil || !before.Status.Final()) && after.Status.Final() {
		return q.noteOutcome(ctx, after.Deployment)
	}
	return nil
}

var upsertRollup = func() string {
	cols := strings.Join(counterCols[:], ", ")
	var set []string
	for _, c := range counterCols {
		set = append(set, c+" = "+c+" + excluded."+c)
	}
	return `INSERT INTO rollup_days (day, week, environment, model, model_version, service, ` + cols + `)
		VALUES (?, ?, ?, ?, ?, ?` + strings.Repeat(", ?", nCounters) + `)
		ON CONFLICT (day, environment, model, model_version, service) DO UPDATE SET ` + strings.Join(set, ", ")
}()

const rollKeyWhere = `day = ? AND environment = ? AND model = ? AND model_version = ? AND service = ?`

// applyTally adds t's rows to rollup_days and drops rows left with nothing counted.
func (q Q) applyTally(ctx context.Context, t tally) error {
	for k, r := range t {
		if r.zero() {
			continue
		}
		keyArgs := []any{k.day, k.environment, k.model, k.modelVersion, k.service}
		args := append([]any{k.day, isoWeekStart(k.day)}, keyArgs[1:]...)
		for _, n := range r.n {
			args = append(args, n)
		}
		if _, err := q.db.ExecContext(ctx, upsertRollup, args...); err != nil {
			return mapErr(err)
		}
		for _, hc := range histCols {
			if h := *hc.of(r); len(h) > 0 {
				if err := q.addHist(ctx, hc.col, keyArgs, h); err != nil {
					return err
				}
			}
		}
		if _, err := q.db.ExecContext(ctx, `DELETE FROM rollup_days WHERE `+rollKeyWhere+`
			AND deployments = 0 AND requested = 0 AND closed = 0 AND done = 0 AND restores = 0`, keyArgs...); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

func (q Q) addHist(ctx context.Context, col string, keyArgs []any, delta map[int]int64) error {
	var s string
	if err := q.db.QueryRowContext(ctx, `SELECT `+col+` FROM rollup_days WHERE `+rollKeyWhere, keyArgs...).Scan(&s); err != nil {
		return mapErr(err)
	}
	h := map[int]int64{}
	if err := decodeHist(s, h); err != nil {
		return err
	}
	for k, v := range delta {
		h[k] += v
	}
	_, err := q.db.ExecContext(ctx, `UPDATE rollup_days SET `+col+` = ? WHERE `+rollKeyWhere,
		append([]any{encodeLead(h)}, keyArgs...)...)
	return mapErr(err)
}

// noteOutcome opens an outage when a component fails in an environment that had
// none open, and ends the open one when it next succeeds there.
func (q Q) noteOutcome(ctx context.Context, d models.Deployment) error {
	switch d.Status {
	case models.StatusFailed, models.StatusRolledBack:
		_, err := q.db.ExecContext(ctx, `INSERT OR IGNORE INTO outages (component, environment, model,
			model_version, service, failed_id, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			d.Component, d.Environment, d.Model, d.ModelVersion, d.Service, d.ID, d.FinishedAt.Unix())
		return mapErr(err)
	case models.StatusSucceeded:
		o := Outage{Component: d.Component, Environment: d.Environment, RestoredID: d.ID, RestoredAt: d.FinishedAt}
		var failedAt int64
		err := q.db.QueryRowContext(ctx, `UPDATE outages SET restored_id = ?, restored_at = ?
			WHERE component = ? AND environment = ? AND restored_at IS NULL
			RETURNING model, model_version, service, failed_at`,
			d.ID, d.FinishedAt.Unix(), d.Component, d.Environment).Scan(&o.Model, &o.ModelVersion, &o.Service, &failedAt)
		if err := mapErr(err); isNotFound(err) {
			return nil // nothing was out
		} else if err != nil {
			return err
		}
		o.FailedAt = time.Unix(failedAt, 0).UTC()
		t := tally{}
		t.countRestore(o, *q.basis, +1)
		return q.applyTally(ctx, t)
	}
	return nil
}
