package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"ferry/models"
)

// Times in leases, step_attempts and step_output_chunks are unix milliseconds: runs are
// measured in seconds and less.

func unixMilli(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromUnixMilli(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMilli(n.Int64).UTC()
}

// ---- leases ---------------------------------------------------------------------

const leaseCols = `deployment_id, holder, host, boot_id, pid, actor, acquired_at, expires_at`

func scanLease(r scanner) (models.Lease, error) {
	var l models.Lease
	var acquired, expires sql.NullInt64
	if err := r.Scan(&l.DeploymentID, &l.Holder, &l.Host, &l.BootID, &l.PID, &l.Actor, &acquired, &expires); err != nil {
		return l, mapErr(err)
	}
	l.AcquiredAt, l.ExpiresAt = fromUnixMilli(acquired), fromUnixMilli(expires)
	return l, nil
}

// Lease returns the lease on a deployment; ErrNotFound when nobody holds one.
func (q Q) Lease(ctx context.Context, id int64) (models.Lease, error) {
	return scanLease(q.db.QueryRowContext(ctx, `SELECT `+leaseCols+` FROM leases WHERE deployment_id = ?`, id))
}

// Leases returns every lease, expired or not, by deployment.
func (q Q) Leases(ctx context.Context) ([]models.Lease, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+leaseCols+` FROM leases ORDER BY deployment_id`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.Lease
	for rows.Next() {
		l, err := scanLease(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, mapErr(rows.Err())
}

// PutLease stores l, replacing any lease on the deployment. The caller decides, in
// the same transaction, that the old lease may be replaced.
func (q Q) PutLease(ctx context.Context, l models.Lease) error {
	_, err := q.db.ExecContext(ctx, `INSERT OR REPLACE INTO leases (`+leaseCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		l.DeploymentID, l.Holder, l.Host, l.BootID, l.PID, l.Actor, unixMilli(l.AcquiredAt), unixMilli(l.ExpiresAt))
	return mapErr(err)
}

// RenewLease moves the expiry of holder's lease; false when holder no longer holds it.
func (q Q) RenewLease(ctx context.Context, id int64, holder string, expires time.Time) (bool, error) {
	res, err := q.db.ExecContext(ctx, `UPDATE leases SET expires_at = ? WHERE deployment_id = ? AND holder = ?`,
		expires.UnixMilli(), id, holder)
	if err != nil {
		return false, mapErr(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseLease drops holder's lease; a lease someone else holds is left alone.
func (q Q) ReleaseLease(ctx context.Context, id int64, holder string) error {
	_, err := q.db.ExecContext(ctx, `DELETE FROM leases WHERE deployment_id = ? AND holder = ?`, id, holder)
	return mapErr(err)
}

// ---- attempts -------------------------------------------------------------------

const attemptCols = `deployment_id, seq, attempt, status, holder, host, boot_id, pgid, pgid_start, started_at,
	finished_at, exit_code, lines, bytes, detail`

func scanAttempt(r scanner) (models.Attempt, error) {
	var a models.Attempt
	var started, finished, exit sql.NullInt64
	if err := r.Scan(&a.DeploymentID, &a.Seq, &a.Attempt, &a.Status, &a.Holder, &a.Host, &a.BootID, &a.PGID,
		&a.PGIDStart, &started, &finished, &exit, &a.Lines, &a.Bytes, &a.Detail); err != nil {
		return a, mapErr(err)
	}
	a.StartedAt, a.FinishedAt = fromUnixMilli(started), fromUnixMilli(finished)
	if exit.Valid {
		code := int(exit.Int64)
		a.ExitCode = &code
	}
	return a, nil
}

func (q Q) attempts(ctx context.Context, query string, args ...any) ([]models.Attempt, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+attemptCols+` FROM step_attempts `+query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.Attempt
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, mapErr(rows.Err())
}

// StartAttempt records a new attempt of a step as running and returns its number,
// one more than the step's last attempt.
func (q Q) StartAttempt(ctx context.Context, a models.Attempt) (int, error) {
	if err := q.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(attempt), 0) + 1 FROM step_attempts
		WHERE deployment_id = ? AND seq = ?`, a.DeploymentID, a.Seq).Scan(&a.Attempt); err != nil {
		return 0, mapErr(err)
	}
	_, err := q.db.ExecContext(ctx, `INSERT INTO step_attempts (deployment_id, seq, attempt, status, holder, host,
		boot_id, pgid, started_at) VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?)`,
		a.DeploymentID, a.Seq, a.Attempt, a.Holder, a.Host, a.BootID, a.PGID, a.StartedAt.UnixMilli())
	return a.Attempt, mapErr(err)
}

// SetAttemptPGID records the process group an attempt's command runs in and when its
// leader started.
func (q Q) SetAttemptPGID(ctx context.Context, id int64, seq, attempt, pgid int, leaderStart int64) error {
	return q.exec1(ctx, `UPDATE step_attempts SET pgid = ?, pgid_start = ? WHERE deployment_id = ? AND seq = ? AND attempt = ?`,
		pgid, leaderStart, id, seq, attempt)
}

// FinishAttempt records how a running attempt ended: its status, exit code, end
// time and detail. An attempt that is no longer running is left as it is, and
// FinishAttempt reports false.
func (q Q) FinishAttempt(ctx context.Context, a models.Attempt) (bool, error) {
	var exit sql.NullInt64
	if a.ExitCode != nil {
		exit = sql.NullInt64{Int64: int64(*a.ExitCode), Valid: true}
	}
	res, err := q.db.ExecContext(ctx, `UPDATE step_attempts SET status = ?, finished_at = ?, exit_code = ?, detail = ?
		WHERE deployment_id = ? AND seq = ? AND attempt = ? AND status = 'running'`,
		a.Status, unixMilli(a.FinishedAt), exit, a.Detail, a.DeploymentID, a.Seq, a.Attempt)
	if err != nil {
		return false, mapErr(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Attempts returns every attempt of a deployment's steps, by step then attempt.
func (q Q) Attempts(ctx context.Context, id int64) ([]models.Attempt, error) {
	return q.attempts(ctx, `WHERE deployment_id = ? ORDER BY seq, attempt`, id)
}

// RunningAttempts returns the attempts still marked running, of every deployment
// (id 0) or of one.
func (q Q) RunningAttempts(ctx context.Context, id int64) ([]models.Attempt, error) {
	if id == 0 {
		return q.attempts(ctx, `WHERE status = 'running' ORDER BY deployment_id, seq, attempt`)
	}
	return q.attempts(ctx, `WHERE status = 'running' AND deployment_id = ? ORDER BY seq, attempt`, id)
}

// ResetStepRuns sets steps back to pending (for a retry), keeping nothing of their
// last state but the record in events; it keeps the deployment's progress count right.
func (q Q) ResetStepRuns(ctx context.Context, id int64, seqs []int, now time.Time) error {
	for _, seq := range seqs {
		if err := q.exec1(ctx, `UPDATE step_runs SET status = 'pending', actor = '', at = NULL, note = '', block_reason = '', exit_code = NULL
			WHERE deployment_id = ? AND seq = ?`, id, seq); err != nil {
			return err
		}
	}
	return q.exec1(ctx, `UPDATE deployments SET updated_at = ?, steps_done =
		(SELECT count(*) FROM step_runs WHERE deployment_id = ? AND status IN ('done', 'skipped'))
		WHERE id = ?`, now.Unix(), id, id)
}

// Due lists planned deployments whose window has begun and not yet ended at now,
// oldest first.
func (q Q) Due(ctx context.Context, now time.Time, limit int) ([]models.Deployment, error) {
	if limit <= 0 {
		limit = 200
	}
	return q.queryDeployments(ctx, `SELECT `+deploymentCols+` FROM deployments
		WHERE status = 'planned' AND scheduled_start <= ? AND scheduled_end > ?
		ORDER BY scheduled_start, id LIMIT ?`, now.Unix(), now.Unix(), limit)
}

// Interrupted is which of ids have a step interrupted (its runner died) that nobody
// has resumed, retried or failed yet.
func (q Q) Interrupted(ctx context.Context, ids []int64) (map[int64]bool, error) {
	return q.WithStep(ctx, ids, models.StepInterrupted)
}

// WithStep is which of ids have a step in status s (interrupted, blocked).
func (q Q) WithStep(ctx context.Context, ids []int64, s models.StepStatus) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	return q.idSet(ctx, `SELECT DISTINCT deployment_id FROM step_runs
		WHERE deployment_id IN (SELECT value FROM json_each(?)) AND status = ?`, string(list), string(s))
}
