package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"ferry/models"
)

// AddAuditFinding keeps an audit or compliance finding (append-only).
func (q Q) AddAuditFinding(ctx context.Context, f models.AuditFinding) (int64, error) {
	res, err := q.db.ExecContext(ctx, `INSERT INTO audit_findings (deployment_id, model, kind, summary, actor, at)
		VALUES (?, ?, ?, ?, ?, ?)`, sql.NullInt64{Int64: f.DeploymentID, Valid: f.DeploymentID != 0}, f.Model, f.Kind,
		f.Summary, f.Actor, f.At.Unix())
	if err != nil {
		return 0, mapErr(err)
	}
	return res.LastInsertId()
}

// AuditFindingFilter narrows a listing of audit findings; zero fields do not filter.
type AuditFindingFilter struct {
	Kind     string
	From, To time.Time // when it was recorded, [From, To)
}

// AuditFindings lists audit and compliance findings, oldest first.
func (q Q) AuditFindings(ctx context.Context, f AuditFindingFilter) ([]models.AuditFinding, error) {
	var where []string
	var args []any
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.From.Unix())
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.To.Unix())
	}
	query := `SELECT id, deployment_id, model, kind, summary, actor, at FROM audit_findings`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := q.db.QueryContext(ctx, query+" ORDER BY at, id", args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.AuditFinding
	for rows.Next() {
		var a models.AuditFinding
		var dep sql.NullInt64
		var at int64
		if err := rows.Scan(&a.ID, &dep, &a.Model, &a.Kind, &a.Summary, &a.Actor, &at); err != nil {
			return nil, mapErr(err)
		}
		a.DeploymentID, a.At = dep.Int64, time.Unix(at, 0).UTC()
		out = append(out, a)
	}
	return out, mapErr(rows.Err())
}
