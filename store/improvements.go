package store

import (
	"context"
	"database/sql"
	"time"

	"ferry/models"
)

// AddImprovement registers an improvement and the deployments it came from.
func (q Q) AddImprovement(ctx context.Context, im models.Improvement) (int64, error) {
	res, err := q.db.ExecContext(ctx, `INSERT INTO improvements (model, title, owner, status, in_version, created_by,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, im.Model, im.Title, im.Owner, im.Status,
		sql.NullInt64{Int64: int64(im.InVersion), Valid: im.InVersion != 0}, im.CreatedBy, im.CreatedAt.Unix(), im.CreatedAt.Unix())
	if err != nil {
		return 0, mapErr(err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	for _, d := range im.From {
		if _, err := q.db.ExecContext(ctx, `INSERT OR IGNORE INTO improvement_sources (improvement_id, deployment_id)
			VALUES (?, ?)`, id, d); err != nil {
			return 0, mapErr(err)
		}
	}
	return id, nil
}

// SetImprovement writes an improvement's status and version.
func (q Q) SetImprovement(ctx context.Context, im models.Improvement) error {
	return q.exec1(ctx, `UPDATE improvements SET status = ?, in_version = ?, updated_at = ? WHERE id = ?`, im.Status,
		sql.NullInt64{Int64: int64(im.InVersion), Valid: im.InVersion != 0}, im.UpdatedAt.Unix(), im.ID)
}

const improvementCols = `id, model, title, owner, status, in_version, created_by, created_at, updated_at`

func (q Q) scanImprovements(ctx context.Context, rows *sql.Rows) ([]models.Improvement, error) {
	var out []models.Improvement
	for rows.Next() {
		var im models.Improvement
		var ver sql.NullInt64
		var created, updated int64
		if err := rows.Scan(&im.ID, &im.Model, &im.Title, &im.Owner, &im.Status, &ver, &im.CreatedBy, &created,
			&updated); err != nil {
			rows.Close()
			return nil, mapErr(err)
		}
		im.InVersion, im.CreatedAt, im.UpdatedAt = int(ver.Int64), time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
		out = append(out, im)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	for i := range out {
		src, err := q.db.QueryContext(ctx, `SELECT deployment_id FROM improvement_sources WHERE improvement_id = ?
			ORDER BY deployment_id`, out[i].ID)
		if err != nil {
			return nil, mapErr(err)
		}
		for src.Next() {
			var id int64
			if err := src.Scan(&id); err != nil {
				src.Close()
				return nil, mapErr(err)
			}
			out[i].From = append(out[i].From, id)
		}
		src.Close()
	}
	return out, nil
}

// Improvement loads one improvement; ErrNotFound when there is none.
func (q Q) Improvement(ctx context.Context, id int64) (models.Improvement, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+improvementCols+` FROM improvements WHERE id = ?`, id)
	if err != nil {
		return models.Improvement{}, mapErr(err)
	}
	list, err := q.scanImprovements(ctx, rows)
	if err != nil {
		return models.Improvement{}, err
	}
	if len(list) == 0 {
		return models.Improvement{}, models.NotFoundf("no improvement %d (ferry improvement list shows them)", id)
	}
	return list[0], nil
}

// Improvements lists the register, oldest first; model, when not "", keeps its.
func (q Q) Improvements(ctx context.Context, model string) ([]models.Improvement, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+improvementCols+` FROM improvements
		WHERE ?1 = '' OR model = ?1 ORDER BY id`, model)
	if err != nil {
		return nil, mapErr(err)
	}
	return q.scanImprovements(ctx, rows)
}

// VersionEffect is what the rollups measured of one model version: its deployments
// that finished (succeeded, failed or rolled back), and of those the successes.
type VersionEffect struct {
	Version        int
	Finished, OK   int64
	Reviewed       int64
	SatSum, SatN   int64
	Incidents      int64
	Deployments    int64
	RolledBack     int64
	FailedOrRolled int64
}

// VersionEffects measures every version of model from the rollups, by version.
func (q Q) VersionEffects(ctx context.Context, model string) ([]VersionEffect, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT model_version, SUM(succeeded + failed + rolled_back), SUM(succeeded),
		SUM(reviewed), SUM(satisfaction_sum), SUM(satisfaction_n), SUM(incidents), SUM(deployments), SUM(rolled_back),
		SUM(failed + rolled_back)
		FROM rollup_days WHERE model = ? GROUP BY model_version ORDER BY model_version`, model)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []VersionEffect
	for rows.Next() {
		var v VersionEffect
		if err := rows.Scan(&v.Version, &v.Finished, &v.OK, &v.Reviewed, &v.SatSum, &v.SatN, &v.Incidents,
			&v.Deployments, &v.RolledBack, &v.FailedOrRolled); err != nil {
			return nil, mapErr(err)
		}
		out = append(out, v)
	}
	return out, mapErr(rows.Err())
}
