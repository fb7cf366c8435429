package store

import (
	"context"
	"database/sql"
	"time"

	"ferry/models"
)

// Outcome is the lean slice of a deployment that period statistics need.
type Outcome struct {
	ScheduledStart time.Time
	StartedAt      time.Time
	FinishedAt     time.Time
	ScheduledEnd   time.Time
	CreatedAt      time.Time
	Status         models.Status
}

// Outcomes returns every deployment scheduled to start in [from, to), oldest first.
// It is meant for short periods (the dashboard's 30 days); long-range reports use rollups.
func (q Q) Outcomes(ctx context.Context, from, to time.Time) ([]Outcome, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT scheduled_start, scheduled_end, started_at, finished_at, created_at, status
		FROM deployments WHERE scheduled_start >= ? AND scheduled_start < ? ORDER BY scheduled_start`, from.Unix(), to.Unix())
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []Outcome
	for rows.Next() {
		var o Outcome
		var start, end, created int64
		var started, finished sql.NullInt64
		if err := rows.Scan(&start, &end, &started, &finished, &created, &o.Status); err != nil {
			return nil, mapErr(err)
		}
		o.ScheduledStart, o.ScheduledEnd = time.Unix(start, 0).UTC(), time.Unix(end, 0).UTC()
		o.StartedAt, o.FinishedAt = fromUnix(started), fromUnix(finished)
		o.CreatedAt = time.Unix(created, 0).UTC()
		out = append(out, o)
	}
	return out, mapErr(rows.Err())
}

// Running lists deployments that have started and not finished, by scheduled start.
func (q Q) Running(ctx context.Context) ([]models.Deployment, error) {
	return q.Deployments(ctx, Filter{Oldest: true, Limit: 200, Statuses: []models.Status{
		models.StatusVerifyingComponents, models.StatusVerifyingEnvironment,
		models.StatusExecuting, models.StatusVerifyingDeployment}})
}
