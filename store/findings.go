package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"ferry/models"
)

// AddFindings keeps findings with their deployments.
func (q Q) AddFindings(ctx context.Context, fs []models.Finding) error {
	for _, f := range fs {
		ids := make([]string, len(f.DeploymentIDs))
		for i, id := range f.DeploymentIDs {
			ids[i] = itoa(id)
		}
		if _, err := q.db.ExecContext(ctx, `INSERT INTO findings (deployment_id, kind, rule, conflict_key, conflict_id,
			deployment_ids, message, reason, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.DeploymentID, f.Kind, f.Rule, f.ConflictKey, f.ConflictID, strings.Join(ids, ","), f.Message, f.Reason,
			f.Actor, f.At.Unix()); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// FindingFilter narrows a listing of findings. Zero fields do not filter.
type FindingFilter struct {
	Deployment int64
	Kinds      []string
	From, To   time.Time // when it was found, [From, To)
}

// Findings lists findings, oldest first.
func (q Q) Findings(ctx context.Context, f FindingFilter) ([]models.Finding, error) {
	var where []string
	var args []any
	if f.Deployment != 0 {
		where, args = append(where, "deployment_id = ?"), append(args, f.Deployment)
	}
	if len(f.Kinds) > 0 {
		where = append(where, "kind IN ("+placeholders(len(f.Kinds))+")")
		for _, k := range f.Kinds {
			args = append(args, k)
		}
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.From.Unix())
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.To.Unix())
	}
	query := `SELECT id, deployment_id, kind, rule, conflict_key, conflict_id, deployment_ids, message, reason, actor, at
		FROM findings`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := q.db.QueryContext(ctx, query+" ORDER BY id", args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.Finding
	for rows.Next() {
		var fd models.Finding
		var ids string
		var at int64
		if err := rows.Scan(&fd.ID, &fd.DeploymentID, &fd.Kind, &fd.Rule, &fd.ConflictKey, &fd.ConflictID, &ids,
			&fd.Message, &fd.Reason, &fd.Actor, &at); err != nil {
			return nil, mapErr(err)
		}
		for _, s := range strings.Split(ids, ",") {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil {
				fd.DeploymentIDs = append(fd.DeploymentIDs, id)
			}
		}
		fd.At = time.Unix(at, 0).UTC()
		out = append(out, fd)
	}
	return out, mapErr(rows.Err())
}
