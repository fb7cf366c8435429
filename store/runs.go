package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"ferry/models"
)

// Times in leases, step_attempts and step_output are unix milliseconds: runs are
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

// ---- output ---------------------------------------------------------------------

// Output streams.

// rowsPerInsert is how many lines one INSERT statement carries (7 parameters each,
// far below SQLite's limit of 32766).
const rowsPerInsert = 128

var insertOutputSQL = func() string {
	var b strings.Builder
	b.WriteString(`INSERT INTO step_output (deployment_id, seq, attempt, line_no, stream, at, text) VALUES `)
	for i := range rowsPerInsert {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?)")
	}
	return b.String()
}()

// AppendOutput stores lines (in the order given) and adds them to their attempts'
// line and byte counts. Call it inside a write transaction with a batch of lines.
func (q Q) AppendOutput(ctx context.Context, lines []models.OutputLine) error {
	if len(lines) == 0 {
		return nil
	}
	args := make([]any, 0, 7*rowsPerInsert)
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for start := 0; start < len(lines); start += rowsPerInsert {
		chunk := lines[start:min(start+rowsPerInsert, len(lines))]
		args = args[:0]
		for _, l := range chunk {
			args = append(args, l.DeploymentID, l.Seq, l.Attempt, l.LineNo, l.Stream, l.At.UnixMilli(), l.Text)
		}
		var err error
		if len(chunk) == rowsPerInsert {
			if full == nil {
				if full, err = q.db.PrepareContext(ctx, insertOutputSQL); err != nil {
					return mapErr(err)
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			n := len(`INSERT INTO step_output (deployment_id, seq, attempt, line_no, stream, at, text) VALUES `) +
				len(chunk)*len("(?,?,?,?,?,?,?),") - 1
			_, err = q.db.ExecContext(ctx, insertOutputSQL[:n], args...)
		}
		if err != nil {
			return mapErr(err)
		}
	}
	// Count per attempt; a batch almost always belongs to one.
	type key struct {
		id           int64
		seq, attempt int
	}
	type count struct{ lines, bytes int64 }
	counts := map[key]*count{}
	var order []key
	for _, l := range lines {
		k := key{l.DeploymentID, l.Seq, l.Attempt}
		c, ok := counts[k]
		if !ok {
			c = &count{}
			counts[k] = c
			order = append(order, k)
		}
		c.lines++
		c.bytes += int64(len(l.Text))
	}
	for _, k := range order {
		c := counts[k]
		if _, err := q.db.ExecContext(ctx, `UPDATE step_attempts SET lines = lines + ?, bytes = bytes + ?
			WHERE deployment_id = ? AND seq = ? AND attempt = ?`, c.lines, c.bytes, k.id, k.seq, k.attempt); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// Output returns output lines in the order they were written.
func (q Q) Output(ctx context.Context, f models.OutputFilter) ([]models.OutputLine, error) {
	where := []string{"deployment_id = ?"}
	args := []any{f.DeploymentID}
	if f.Seq != 0 {
		where, args = append(where, "seq = ?"), append(args, f.Seq)
		if f.Attempt != 0 {
			where, args = append(where, "attempt = ?"), append(args, f.Attempt)
		}
	}
	if f.AfterID > 0 {
		where, args = append(where, "id > ?"), append(args, f.AfterID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	order := "ASC"
	if f.Tail {
		order = "DESC"
	}
	args = append(args, limit)
	rows, err := q.db.QueryContext(ctx, `SELECT id, deployment_id, seq, attempt, line_no, stream, at, text
		FROM step_output WHERE `+strings.Join(where, " AND ")+` ORDER BY id `+order+` LIMIT ?`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.OutputLine
	for rows.Next() {
		var l models.OutputLine
		var at int64
		if err := rows.Scan(&l.ID, &l.DeploymentID, &l.Seq, &l.Attempt, &l.LineNo, &l.Stream, &at, &l.Text); err != nil {
			return nil, mapErr(err)
		}
		l.At = time.UnixMilli(at).UTC()
		out = append(out, l)
	}
	if f.Tail {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, mapErr(rows.Err())
}

// ResetStepRuns sets steps back to pending (for a retry), keeping nothing of their
// last state but the record in events; it keeps the deployment's progress count right.
func (q Q) ResetStepRuns(ctx context.Context, id int64, seqs []int, now time.Time) error {
	for _, seq := range seqs {
		if err := q.exec1(ctx, `UPDATE step_runs SET status = 'pending', actor = '', at = NULL, note = '', exit_code = NULL
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
	rows, err := q.db.QueryContext(ctx, `SELECT `+deploymentCols+` FROM deployments
		WHERE status = 'planned' AND scheduled_start <= ? AND scheduled_end > ?
		ORDER BY scheduled_start, id LIMIT ?`, now.Unix(), now.Unix(), limit)
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
