package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"ferry/models"
)

const deploymentCols = `id, model, model_version, service, component, kind, version, action, environment,
	status, assignee, requester, change_ref, scheduled_start, scheduled_end, started_at, finished_at,
	created_at, updated_at, steps_done, steps_total, after_id, urgency, urgency_reason, planned_by`

type scanner interface{ Scan(dest ...any) error }

func scanDeployment(r scanner) (models.Deployment, error) {
	var d models.Deployment
	var start, end, created, updated int64
	var started, finished, after sql.NullInt64
	err := r.Scan(&d.ID, &d.Model, &d.ModelVersion, &d.Service, &d.Component, &d.Kind, &d.Version,
		&d.Action, &d.Environment, &d.Status, &d.Assignee, &d.Requester, &d.ChangeRef,
		&start, &end, &started, &finished, &created, &updated, &d.StepsDone, &d.StepsTotal, &after,
		&d.Urgency, &d.UrgencyReason, &d.PlannedBy)
	if err != nil {
		return d, mapErr(err)
	}
	d.ScheduledStart, d.ScheduledEnd = time.Unix(start, 0).UTC(), time.Unix(end, 0).UTC()
	d.StartedAt, d.FinishedAt = fromUnix(started), fromUnix(finished)
	d.CreatedAt, d.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	d.After = after.Int64
	return d, nil
}

// InsertDeployment stores a new deployment and one pending step run per step; it
// returns the new id. d.ModelVersion must already name a stored version.
func (q Q) InsertDeployment(ctx context.Context, d models.Deployment, modelVersionID int64, steps int) (int64, error) {
	res, err := q.db.ExecContext(ctx, `INSERT INTO deployments (model_version_id, model, model_version,
		service, component, kind, version, action, environment, status, assignee, requester, change_ref,
		scheduled_start, scheduled_end, started_at, finished_at, created_at, updated_at, steps_done, steps_total, after_id,
		urgency, urgency_reason, planned_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)`,
		modelVersionID, d.Model, d.ModelVersion, d.Service, d.Component, d.Kind, d.Version, d.Action,
		d.Environment, d.Status, d.Assignee, d.Requester, d.ChangeRef, d.ScheduledStart.Unix(),
		d.ScheduledEnd.Unix(), unix(d.StartedAt), unix(d.FinishedAt), d.CreatedAt.Unix(), d.UpdatedAt.Unix(), steps,
		sql.NullInt64{Int64: d.After, Valid: d.After != 0}, urgencyOf(d), d.UrgencyReason, d.PlannedBy)
	if err != nil {
		return 0, mapErr(err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	for seq := 1; seq <= steps; seq++ {
		if _, err := q.db.ExecContext(ctx, `INSERT INTO step_runs (deployment_id, seq) VALUES (?, ?)`, id, seq); err != nil {
			return 0, mapErr(err)
		}
	}
	return id, q.rollNew(ctx, id)
}

// Deployment loads one deployment.
func (q Q) Deployment(ctx context.Context, id int64) (models.Deployment, error) {
	d, err := scanDeployment(q.db.QueryRowContext(ctx, `SELECT `+deploymentCols+` FROM deployments WHERE id = ?`, id))
	if isNotFound(err) {
		return d, models.NotFoundf("deployment #%d does not exist", id)
	}
	return d, err
}

// EnvironmentInRecord reports whether any deployment names env (one index probe).
func (q Q) EnvironmentInRecord(ctx context.Context, env string) (bool, error) {
	var one int
	err := q.db.QueryRowContext(ctx, `SELECT 1 FROM deployments WHERE environment = ? LIMIT 1`, env).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// queryDeployments runs query, which selects deploymentCols, and scans its rows.
func (q Q) queryDeployments(ctx context.Context, query string, args ...any) ([]models.Deployment, error) {
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.Deployment
	for rows.Next() {
		d, err := scanDeployment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, mapErr(rows.Err())
}

// DeploymentsByID loads the deployments of ids in one statement, in the order of ids
// (a deployment that does not exist is left out).
func (q Q) DeploymentsByID(ctx context.Context, ids []int64) ([]models.Deployment, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	found, err := q.queryDeployments(ctx, `SELECT `+deploymentCols+` FROM deployments
		WHERE id IN (SELECT value FROM json_each('[' || ? || ']'))`, joinIDs(ids))
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]models.Deployment, len(found))
	for _, d := range found {
		byID[d.ID] = d
	}
	out := make([]models.Deployment, 0, len(ids))
	for _, id := range ids {
		if d, ok := byID[id]; ok {
			out = append(out, d)
		}
	}
	return out, nil
}

// DeploymentModel loads the model version a deployment was planned with.
func (q Q) DeploymentModel(ctx context.Context, id int64) (models.Model, error) {
	var mv int64
	if err := q.db.QueryRowContext(ctx, `SELECT model_version_id FROM deployments WHERE id = ?`, id).Scan(&mv); err != nil {
		if err := mapErr(err); isNotFound(err) {
			return models.Model{}, models.NotFoundf("deployment #%d does not exist", id)
		}
		return models.Model{}, mapErr(err)
	}
	return q.modelVersionByID(ctx, mv)
}

// SetSchedule changes a deployment's window.
func (q Q) SetSchedule(ctx context.Context, id int64, start, end, now time.Time) error {
	return q.reroll(ctx, id, func() error {
		return q.exec1(ctx, `UPDATE deployments SET scheduled_start = ?, scheduled_end = ?, updated_at = ? WHERE id = ?`,
			start.Unix(), end.Unix(), now.Unix(), id)
	})
}

// SetAssignee changes who carries a deployment out.
func (q Q) SetAssignee(ctx context.Context, id int64, person string, now time.Time) error {
	return q.exec1(ctx, `UPDATE deployments SET assignee = ?, updated_at = ? WHERE id = ?`, person, now.Unix(), id)
}

// SetStatus records a lifecycle move, with the start and finish times it implies.
func (q Q) SetStatus(ctx context.Context, id int64, s models.Status, startedAt, finishedAt, now time.Time) error {
	return q.reroll(ctx, id, func() error {
		return q.exec1(ctx, `UPDATE deployments SET status = ?, started_at = ?, finished_at = ?, updated_at = ? WHERE id = ?`,
			s, unix(startedAt), unix(finishedAt), now.Unix(), id)
	})
}

// exec1 runs an update that must touch exactly one row.
func (q Q) exec1(ctx context.Context, query string, args ...any) error {
	res, err := q.db.ExecContext(ctx, query, args...)
	if err != nil {
		return mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return models.NotFoundf("no such record")
	}
	return nil
}

// Deployments lists deployments newest first (by scheduled start, then id), one page.
// Paging is keyset: pass the last row's Cursor as After for the next page.
func (q Q) Deployments(ctx context.Context, f models.Filter) ([]models.Deployment, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if f.Environment != "" {
		add("environment = ?", f.Environment)
	}
	if len(f.Statuses) > 0 {
		marks := strings.Repeat(",?", len(f.Statuses))[1:]
		where = append(where, "status IN ("+marks+")")
		for _, s := range f.Statuses {
			args = append(args, s)
		}
		// Said again in the partial indexes' words, so that SQLite may use them: a
		// person's overdue plans were found by walking all of their 330,000
		// deployments on the 1M demo (0.6 s for each practitioner's inbox).
		if !slices.ContainsFunc(f.Statuses, models.Status.Final) {
			where = append(where, notFinished)
		}
	}
	if f.Assignee != "" {
		add("assignee = ?", f.Assignee)
	}
	if f.Component != "" {
		add("component = ?", f.Component)
	}
	if f.Model != "" {
		add("model = ?", f.Model)
	}
	if f.ModelVersion != 0 {
		add("model_version = ?", f.ModelVersion)
	}
	if f.Service != "" {
		add("service = ?", f.Service)
	}
	if f.Kind != "" {
		add("kind = ?", f.Kind)
	}
	if f.Requester != "" {
		add("requester = ?", f.Requester)
	}
	if f.ChangeRef != "" {
		add("change_ref = ?", f.ChangeRef)
	}
	if !f.From.IsZero() {
		add("scheduled_start >= ?", f.From.Unix())
	}
	if !f.To.IsZero() {
		add("scheduled_start < ?", f.To.Unix())
	}
	order, cmp := "DESC", "<"
	if f.Oldest {
		order, cmp = "ASC", ">"
	}
	from, orderBy := "deployments", "scheduled_start "+order+", id "+order
	if strings.TrimSpace(f.Search) != "" {
		match, ok := matchQuery(f.Search)
		if !ok {
			return nil, nil // no word to look for: nothing matches
		}
		var w []string
		var a []any
		from, w, a, orderBy = searchListing(f, match)
		where, args = append(w, where...), append(a, args...)
	}
	if f.After != nil {
		add("(scheduled_start, id) "+cmp+" (?, ?)", f.After.Start.Unix(), f.After.ID)
	}
	query := `SELECT ` + deploymentCols + ` FROM ` + from
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	query += " ORDER BY " + orderBy + " LIMIT ?"
	args = append(args, limit)
	return q.queryDeployments(ctx, query, args...)
}

// urgencyOf is d's urgency, normal when unset.
func urgencyOf(d models.Deployment) models.Urgency {
	if d.Urgency == "" {
		return models.UrgencyNormal
	}
	return d.Urgency
}

// SetChangeRef changes a deployment's change or release reference.
func (q Q) SetChangeRef(ctx context.Context, id int64, ref string, now time.Time) error {
	return q.exec1(ctx, `UPDATE deployments SET change_ref = ?, updated_at = ? WHERE id = ?`, ref, now.Unix(), id)
}

// SetAfter changes the deployment a deployment waits for (0: none).
func (q Q) SetAfter(ctx context.Context, id, after int64, now time.Time) error {
	return q.exec1(ctx, `UPDATE deployments SET after_id = ?, updated_at = ? WHERE id = ?`,
		sql.NullInt64{Int64: after, Valid: after != 0}, now.Unix(), id)
}
