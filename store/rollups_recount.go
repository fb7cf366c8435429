package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"ferry/models"
)

// Outage is a stretch during which a component's last deployment in an environment
// had failed or been rolled back; RestoredAt is zero while it lasts.
type Outage struct {
	Component, Environment, Model, Service string
	ModelVersion                           int
	FailedID, RestoredID                   int64
	FailedAt, RestoredAt                   time.Time
}

// UseBasis makes every later write count rollups with b, first recounting them from
// the raw rows if they were counted with another basis or a bulk load left them stale.
func (s *Store) UseBasis(ctx context.Context, b Basis) error {
	if old := s.basis.Load(); old == nil || *old != b {
		s.basis.Store(&b)
	}
	var tz string
	var tol int64
	var stale bool
	err := s.r.QueryRowContext(ctx, `SELECT time_zone, tolerance, stale FROM rollup_basis`).Scan(&tz, &tol, &stale)
	if err != nil {
		return mapErr(err)
	}
	if s.readOnly || !stale && tz == b.Location.String() && time.Duration(tol)*time.Second == b.Tolerance {
		return nil
	}
	return s.Write(ctx, func(q Q) error { return q.recountRollups(ctx) })
}

// markStale records that rollups no longer match the raw rows.
func (q Q) markStale(ctx context.Context) error {
	_, err := q.db.ExecContext(ctx, `UPDATE rollup_basis SET stale = 1`)
	return mapErr(err)
}

// recountRollups replaces every rollup row and outage with ones counted afresh.
func (q Q) recountRollups(ctx context.Context) error {
	t, outages, err := q.recount(ctx, *q.basis)
	if err != nil {
		return err
	}
	return q.replaceRollups(ctx, *q.basis, t, outages)
}

// replaceRollups stores t and outages, counted with b, in place of every rollup row
// and outage.
func (q Q) replaceRollups(ctx context.Context, b Basis, t tally, outages []Outage) error {
	if err := execAll(ctx, q.db, `DELETE FROM rollup_days`, `DELETE FROM outages`); err != nil {
		return mapErr(err)
	}
	if err := q.insertTally(ctx, t); err != nil {
		return err
	}
	if err := q.insertOutages(ctx, outages); err != nil {
		return err
	}
	_, err := q.db.ExecContext(ctx, `UPDATE rollup_basis SET time_zone = ?, tolerance = ?, stale = 0`,
		b.Location.String(), int64(b.Tolerance/time.Second))
	return mapErr(err)
}

func (q Q) insertTally(ctx context.Context, t tally) error {
	st, err := q.db.PrepareContext(ctx, `INSERT INTO rollup_days (day, week, environment, model, model_version,
		service, `+strings.Join(counterCols[:], ", ")+`, lead_hist, restore_hist) VALUES (?, ?, ?, ?, ?, ?`+
		strings.Repeat(", ?", nCounters)+`, ?, ?)`)
	if err != nil {
		return mapErr(err)
	}
	defer st.Close()
	args := make([]any, 0, 7+nCounters)
	for k, r := range t {
		if r.zero() {
			continue
		}
		args = append(args[:0], k.day, isoWeekStart(k.day), k.environment, k.model, k.modelVersion, k.service)
		for _, n := range r.n {
			args = append(args, n)
		}
		if _, err := st.ExecContext(ctx, append(args, encodeLead(r.lead), encodeLead(r.restore))...); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

func (q Q) insertOutages(ctx context.Context, list []Outage) error {
	st, err := q.db.PrepareContext(ctx, `INSERT INTO outages (component, environment, model, model_version,
		service, failed_id, failed_at, restored_id, restored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return mapErr(err)
	}
	defer st.Close()
	for _, o := range list {
		restoredID := sql.NullInt64{Int64: o.RestoredID, Valid: o.RestoredID != 0}
		if _, err := st.ExecContext(ctx, o.Component, o.Environment, o.Model, o.ModelVersion, o.Service, o.FailedID,
			o.FailedAt.Unix(), restoredID, unix(o.RestoredAt)); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// recount counts every rollup row and outage from the raw rows, in memory.
func (q Q) recount(ctx context.Context, b Basis) (tally, []Outage, error) {
	incidents := map[int64]int{}
	restored := map[int64][]span{}
	rows, err := q.db.QueryContext(ctx, `SELECT deployment_id, opened_at, resolved_at FROM incidents`)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	for rows.Next() {
		var id, opened int64
		var resolved sql.NullInt64
		if err := rows.Scan(&id, &opened, &resolved); err != nil {
			rows.Close()
			return nil, nil, mapErr(err)
		}
		incidents[id]++
		if resolved.Valid {
			restored[id] = append(restored[id], span{time.Unix(opened, 0).UTC(), fromUnix(resolved)})
		}
	}
	rows.Close()
	reviews, bypassed, err := q.recountReviews(ctx)
	if err != nil {
		return nil, nil, err
	}
	rows, err = q.db.QueryContext(ctx, `SELECT id, model, model_version, service, component, environment, status,
		scheduled_start, scheduled_end, started_at, finished_at, created_at, urgency = 'emergency' FROM deployments`)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	defer rows.Close()
	t := tally{}
	var finished []finish
	// A million rows hold a few dozen distinct names: scan them as raw bytes and keep
	// one copy of each (a copy per row took a gigabyte).
	names := map[string]string{}
	intern := func(b sql.RawBytes) string {
		if s, ok := names[string(b)]; ok {
			return s
		}
		s := string(b)
		names[s] = s
		return s
	}
	var model, service, component, env, status sql.RawBytes
	for rows.Next() {
		var d models.Deployment
		var start, end, created int64
		var started, fin sql.NullInt64
		var emergency bool
		if err := rows.Scan(&d.ID, &model, &d.ModelVersion, &service, &component, &env,
			&status, &start, &end, &started, &fin, &created, &emergency); err != nil {
			return nil, nil, mapErr(err)
		}
		if emergency {
			d.Urgency = models.UrgencyEmergency
		}
		d.Model, d.Service, d.Component, d.Environment = intern(model), intern(service), intern(component), intern(env)
		d.Status = models.Status(intern(status))
		d.ScheduledStart, d.ScheduledEnd = time.Unix(start, 0).UTC(), time.Unix(end, 0).UTC()
		d.StartedAt, d.FinishedAt, d.CreatedAt = fromUnix(started), fromUnix(fin), time.Unix(created, 0).UTC()
		f := rollFacts{Deployment: d, incidents: incidents[d.ID], bypassed: bypassed[d.ID], restored: restored[d.ID]}
		if r, ok := reviews[d.ID]; ok {
			f.review = &r
		}
		t.count(f, b, +1)
		if d.Status.Final() && d.Status != models.StatusCancelled {
			finished = append(finished, finish{d.Component, d.Environment, d.Model, d.Service, d.ModelVersion,
				d.ID, fin.Int64, d.Status == models.StatusSucceeded})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, mapErr(err)
	}
	outages := sweepOutages(finished)
	for _, o := range outages {
		if !o.RestoredAt.IsZero() {
			t.countRestore(o, b, +1)
		}
	}
	return t, outages, nil
}

// recountReviews loads every review, and the deployments started against a control
// or in the emergency lane, for a recount.
func (q Q) recountReviews(ctx context.Context) (map[int64]models.Review, map[int64]bool, error) {
	reviews := map[int64]models.Review{}
	list, err := q.Reviews(ctx, ReviewFilter{})
	if err != nil {
		return nil, nil, err
	}
	for _, r := range list {
		reviews[r.DeploymentID] = r
	}
	bypassed := map[int64]bool{}
	rows, err := q.db.QueryContext(ctx, `SELECT DISTINCT deployment_id FROM findings WHERE kind IN ('override', 'emergency')`)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, nil, mapErr(err)
		}
		bypassed[id] = true
	}
	return reviews, bypassed, mapErr(rows.Err())
}

// finish is what the outage sweep needs of a finished deployment.
type finish struct {
	component, environment, model, service string
	modelVersion                           int
	id, at                                 int64
	ok                                     bool
}

// sweepOutages replays finished deployments of each component and environment in
// the order they finished, as noteOutcome saw them happen.
func sweepOutages(finished []finish) []Outage {
	slices.SortFunc(finished, func(a, b finish) int {
		return cmp.Or(cmp.Compare(a.component, b.component), cmp.Compare(a.environment, b.environment),
			cmp.Compare(a.at, b.at), cmp.Compare(a.id, b.id))
	})
	var out []Outage
	open := -1 // index in out of the open outage of the current component and environment
	for i, f := range finished {
		if i > 0 && (f.component != finished[i-1].component || f.environment != finished[i-1].environment) {
			open = -1
		}
		switch {
		case !f.ok && open < 0:
			out = append(out, Outage{Component: f.component, Environment: f.environment, Model: f.model,
				ModelVersion: f.modelVersion, Service: f.service, FailedID: f.id, FailedAt: time.Unix(f.at, 0).UTC()})
			open = len(out) - 1
		case f.ok && open >= 0:
			out[open].RestoredID, out[open].RestoredAt = f.id, time.Unix(f.at, 0).UTC()
			open = -1
		}
	}
	return out
}

// RollupDiffs recounts the rollups from the raw rows and lists every way the stored
// ones differ; none means the reports are exact.
func (q Q) RollupDiffs(ctx context.Context) ([]string, error) {
	if q.basis == nil {
		return nil, fmt.Errorf("rollups: no basis set (Store.UseBasis)")
	}
	want, wantOutages, err := q.recount(ctx, *q.basis)
	if err != nil {
		return nil, err
	}
	got, err := q.storedTally(ctx)
	if err != nil {
		return nil, err
	}
	var diffs []string
	for k, w := range want {
		if w.zero() {
			delete(want, k)
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(union(want, got)), compareKeys) {
		w, g := want[k], got[k]
		if w == nil {
			w = &rollRow{}
		}
		if g == nil {
			g = &rollRow{}
		}
		if d := describeDiff(w, g); d != "" {
			y, m, day := DayDate(k.day)
			diffs = append(diffs, fmt.Sprintf("%d-%02d-%02d %s %s v%d %s: %s", y, m, day, k.environment, k.model,
				k.modelVersion, k.service, d))
		}
	}
	gotOutages, err := q.Outages(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(sortOutages(gotOutages), sortOutages(wantOutages)) {
		diffs = append(diffs, fmt.Sprintf("outages: %d stored, %d recounted, or they differ", len(gotOutages), len(wantOutages)))
	}
	return diffs, nil
}

// describeDiff names each counter and histogram where stored differs from want.
func describeDiff(want, stored *rollRow) string {
	var parts []string
	for i, c := range counterCols {
		if want.n[i] != stored.n[i] {
			parts = append(parts, fmt.Sprintf("%s stored %d, recounted %d", c, stored.n[i], want.n[i]))
		}
	}
	for _, hc := range histCols {
		if w, g := encodeLead(*hc.of(want)), encodeLead(*hc.of(stored)); w != g {
			parts = append(parts, fmt.Sprintf("%s stored %q, recounted %q", hc.col, g, w))
		}
	}
	return strings.Join(parts, "; ")
}

func union(a, b tally) tally {
	u := tally{}
	maps.Copy(u, a)
	maps.Copy(u, b)
	return u
}

func compareKeys(a, b rollKey) int {
	return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.environment, b.environment), cmp.Compare(a.model, b.model),
		cmp.Compare(a.modelVersion, b.modelVersion), cmp.Compare(a.service, b.service))
}

func sortOutages(list []Outage) []Outage {
	for i := range list { // compare times as instants
		list[i].FailedAt, list[i].RestoredAt = list[i].FailedAt.UTC(), list[i].RestoredAt.UTC()
	}
	slices.SortFunc(list, func(a, b Outage) int { return cmp.Compare(a.FailedID, b.FailedID) })
	return list
}

func (q Q) storedTally(ctx context.Context) (tally, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT day, environment, model, model_version, service, `+
		strings.Join(counterCols[:], ", ")+`, lead_hist, restore_hist FROM rollup_days`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	t := tally{}
	for rows.Next() {
		var k rollKey
		r := &rollRow{lead: map[int]int64{}, restore: map[int]int64{}}
		var lead, restore string
		dest := []any{&k.day, &k.environment, &k.model, &k.modelVersion, &k.service}
		for i := range r.n {
			dest = append(dest, &r.n[i])
		}
		if err := rows.Scan(append(dest, &lead, &restore)...); err != nil {
			return nil, mapErr(err)
		}
		if err := errors.Join(decodeHist(lead, r.lead), decodeHist(restore, r.restore)); err != nil {
			return nil, err
		}
		t[k] = r
	}
	return t, mapErr(rows.Err())
}

// Outages lists every outage, ended or not.
func (q Q) Outages(ctx context.Context) ([]Outage, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT component, environment, model, model_version, service, failed_id,
		failed_at, restored_id, restored_at FROM outages`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []Outage
	for rows.Next() {
		var o Outage
		var failedAt int64
		var restoredID, restoredAt sql.NullInt64
		if err := rows.Scan(&o.Component, &o.Environment, &o.Model, &o.ModelVersion, &o.Service, &o.FailedID, &failedAt,
			&restoredID, &restoredAt); err != nil {
			return nil, mapErr(err)
		}
		o.FailedAt, o.RestoredID, o.RestoredAt = time.Unix(failedAt, 0).UTC(), restoredID.Int64, fromUnix(restoredAt)
		out = append(out, o)
	}
	return out, mapErr(rows.Err())
}

// RecountRollups replaces every rollup row and outage with ones counted afresh from
// the raw rows, in one transaction.
func (s *Store) RecountRollups(ctx context.Context) error {
	if s.basis.Load() == nil {
		return fmt.Errorf("rollups: no basis set (Store.UseBasis)")
	}
	return s.Write(ctx, func(q Q) error { return q.recountRollups(ctx) })
}
