package store

import (
	"context"
	"database/sql"
	"iter"
	"time"

	"ferry/models"
)

// Events returns a deployment's record, oldest first.
func (q Q) Events(ctx context.Context, id int64) ([]models.Event, error) {
	rows, err := q.db.QueryContext(ctx,
		`SELECT id, deployment_id, at, actor, type, detail, principal, hash FROM events WHERE deployment_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.Event
	for rows.Next() {
		var e models.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.DeploymentID, &at, &e.Actor, &e.Type, &e.Detail, &e.Principal, &e.Hash); err != nil {
			return nil, mapErr(err)
		}
		e.At = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	return out, mapErr(rows.Err())
}

// StepRuns returns a deployment's steps with their state, in run order. The step
// definitions come from the model version the deployment was planned with.
func (q Q) StepRuns(ctx context.Context, d models.Deployment) ([]models.StepRun, error) {
	return q.collectStepRuns(ctx, d, nil)
}

// StepRunsOf is StepRuns for a caller that has d's model already (DeploymentModel):
// a checklist's reload read and copied the model of hundreds of steps twice.
func (q Q) StepRunsOf(ctx context.Context, d models.Deployment, m models.Model) ([]models.StepRun, error) {
	return q.collectStepRuns(ctx, d, &m)
}

func (q Q) collectStepRuns(ctx context.Context, d models.Deployment, m *models.Model) ([]models.StepRun, error) {
	out := make([]models.StepRun, 0, max(d.StepsTotal, 0)) // sized once: a checklist may have hundreds
	for r, err := range q.stepRuns(ctx, d, m, "") {
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// StepRun is the run of step seq of d.
func (q Q) StepRun(ctx context.Context, d models.Deployment, seq int) (models.StepRun, error) {
	for r, err := range q.stepRuns(ctx, d, nil, " AND seq = ?", seq) {
		return r, err
	}
	return models.StepRun{}, models.NotFoundf("deployment #%d has no step %d", d.ID, seq)
}

// OpenStepRuns yields d's runs that are neither done nor skipped, in order, read as
// the caller goes: one that looks for what comes next stops at the first that
// decides, however long the checklist.
func (q Q) OpenStepRuns(ctx context.Context, d models.Deployment) iter.Seq2[models.StepRun, error] {
	return q.stepRuns(ctx, d, nil, " AND status NOT IN ('done', 'skipped')")
}

// stepRuns yields d's runs that match where (an AND clause), in order, each with
// its step from d's model (m, or read when m is nil).
func (q Q) stepRuns(ctx context.Context, d models.Deployment, m *models.Model, where string, args ...any) iter.Seq2[models.StepRun, error] {
	return func(yield func(models.StepRun, error) bool) {
		if m == nil {
			dm, err := q.DeploymentModel(ctx, d.ID)
			if err != nil {
				yield(models.StepRun{}, err)
				return
			}
			m = &dm
		}
		order := m.StepOrderFor(d.Environment)
		rows, err := q.db.QueryContext(ctx, `SELECT seq, status, actor, at, note, block_reason, exit_code FROM step_runs
			WHERE deployment_id = ?`+where+` ORDER BY seq`, append([]any{d.ID}, args...)...)
		if err != nil {
			yield(models.StepRun{}, mapErr(err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			r := models.StepRun{DeploymentID: d.ID}
			var at, exit sql.NullInt64
			if err := rows.Scan(&r.Seq, &r.Status, &r.Actor, &at, &r.Note, &r.BlockReason, &exit); err != nil {
				yield(models.StepRun{}, mapErr(err))
				return
			}
			r.At = fromUnix(at)
			if exit.Valid {
				code := int(exit.Int64)
				r.ExitCode = &code
			}
			if r.Seq >= 1 && r.Seq <= len(order) {
				r.Step = m.Steps[order[r.Seq-1]]
			}
			if !yield(r, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(models.StepRun{}, mapErr(err))
		}
	}
}

// SetStepRun records a step's new state and keeps the deployment's progress count right.
func (q Q) SetStepRun(ctx context.Context, r models.StepRun, now time.Time) error {
	var exit sql.NullInt64
	if r.ExitCode != nil {
		exit = sql.NullInt64{Int64: int64(*r.ExitCode), Valid: true}
	}
	if err := q.exec1(ctx, `UPDATE step_runs SET status = ?, actor = ?, at = ?, note = ?, block_reason = ?, exit_code = ?
		WHERE deployment_id = ? AND seq = ?`, r.Status, r.Actor, unix(r.At), r.Note, r.BlockReason, exit, r.DeploymentID, r.Seq); err != nil {
		return err
	}
	return q.exec1(ctx, `UPDATE deployments SET updated_at = ?, steps_done =
		(SELECT count(*) FROM step_runs WHERE deployment_id = ? AND status IN ('done', 'skipped'))
		WHERE id = ?`, now.Unix(), r.DeploymentID, r.DeploymentID)
}

// Incidents lists the incidents linked to a deployment.
func (q Q) Incidents(ctx context.Context, id int64) ([]models.Incident, error) {
	rows, err := q.db.QueryContext(ctx,
		`SELECT id, deployment_id, opened_at, resolved_at, summary FROM incidents WHERE deployment_id = ? ORDER BY opened_at`, id)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.Incident
	for rows.Next() {
		var in models.Incident
		var opened int64
		var resolved sql.NullInt64
		if err := rows.Scan(&in.ID, &in.DeploymentID, &opened, &resolved, &in.Summary); err != nil {
			return nil, mapErr(err)
		}
		in.OpenedAt, in.ResolvedAt = time.Unix(opened, 0).UTC(), fromUnix(resolved)
		out = append(out, in)
	}
	return out, mapErr(rows.Err())
}

// ChangeMark moves with every entry of either record, a deployment's events or the
// organisation's audit log: every change Ferry makes writes one (a release or a
// block writes only the second), so a console that sees it move knows to reload.
// The sum of their newest ids: two primary-key look-ups.
func (q Q) ChangeMark(ctx context.Context) (int64, error) {
	var id int64
	err := q.db.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM events)
		+ (SELECT COALESCE(MAX(id), 0) FROM audit_log)`).Scan(&id)
	return id, mapErr(err)
}

// AddIncident records an incident linked to a deployment and returns its id.
func (q Q) AddIncident(ctx context.Context, in models.Incident) (int64, error) {
	var id int64
	err := q.reroll(ctx, in.DeploymentID, func() error {
		res, err := q.db.ExecContext(ctx, `INSERT INTO incidents (deployment_id, opened_at, resolved_at, summary)
			VALUES (?, ?, ?, ?)`, in.DeploymentID, in.OpenedAt.Unix(), unix(in.ResolvedAt), in.Summary)
		if err != nil {
			return mapErr(err)
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// Incident loads one incident.
func (q Q) Incident(ctx context.Context, id int64) (models.Incident, error) {
	var in models.Incident
	var opened int64
	var resolved sql.NullInt64
	err := q.db.QueryRowContext(ctx, `SELECT id, deployment_id, opened_at, resolved_at, summary FROM incidents WHERE id = ?`, id).
		Scan(&in.ID, &in.DeploymentID, &opened, &resolved, &in.Summary)
	if err := mapErr(err); err != nil {
		if isNotFound(err) {
			return in, models.NotFoundf("no incident %d", id)
		}
		return in, err
	}
	in.OpenedAt, in.ResolvedAt = time.Unix(opened, 0).UTC(), fromUnix(resolved)
	return in, nil
}

// SetIncident changes an incident's summary and resolution (its rollups move with it).
func (q Q) SetIncident(ctx context.Context, in models.Incident) error {
	return q.reroll(ctx, in.DeploymentID, func() error {
		return q.exec1(ctx, `UPDATE incidents SET summary = ?, resolved_at = ? WHERE id = ?`,
			in.Summary, unix(in.ResolvedAt), in.ID)
	})
}

// AllIncidents lists incidents across deployments, newest opened first; openOnly
// keeps those not resolved.
func (q Q) AllIncidents(ctx context.Context, openOnly bool, limit int) ([]models.Incident, error) {
	where := ""
	if openOnly {
		where = "WHERE resolved_at IS NULL"
	}
	rows, err := q.db.QueryContext(ctx, `SELECT id, deployment_id, opened_at, resolved_at, summary FROM incidents `+where+`
		ORDER BY opened_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.Incident
	for rows.Next() {
		var in models.Incident
		var opened int64
		var resolved sql.NullInt64
		if err := rows.Scan(&in.ID, &in.DeploymentID, &opened, &resolved, &in.Summary); err != nil {
			return nil, mapErr(err)
		}
		in.OpenedAt, in.ResolvedAt = time.Unix(opened, 0).UTC(), fromUnix(resolved)
		out = append(out, in)
	}
	return out, mapErr(rows.Err())
}
