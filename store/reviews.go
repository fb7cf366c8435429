package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"ferry/models"
)

// score stores a 1-5 score; 0 (not answered) is NULL.
func score(n int) sql.NullInt64 { return sql.NullInt64{Int64: int64(n), Valid: n != 0} }

// SetReview writes deployment r.DeploymentID's review, replacing the one it had, and
// moves its rollups (the satisfaction means) in the same transaction.
func (q Q) SetReview(ctx context.Context, r models.Review) error {
	return q.reroll(ctx, r.DeploymentID, func() error {
		_, err := q.db.ExecContext(ctx, `INSERT INTO reviews (deployment_id, outcome, satisfaction,
			lead_time_satisfaction, quality, category, lessons, reviewer, reviewed_at, model, model_version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (deployment_id) DO UPDATE SET outcome = excluded.outcome, satisfaction = excluded.satisfaction,
				lead_time_satisfaction = excluded.lead_time_satisfaction, quality = excluded.quality,
				category = excluded.category, lessons = excluded.lessons, reviewer = excluded.reviewer,
				reviewed_at = excluded.reviewed_at`,
			r.DeploymentID, r.Outcome, score(r.Satisfaction), score(r.LeadTimeSatisfaction), score(r.Quality),
			r.Category, r.Lessons, r.Reviewer, r.ReviewedAt.Unix(), r.Model, r.ModelVersion)
		return mapErr(err)
	})
}

const reviewCols = `deployment_id, outcome, satisfaction, lead_time_satisfaction, quality, category, lessons,
	reviewer, reviewed_at, model, model_version`

func scanReview(sc interface{ Scan(...any) error }) (models.Review, error) {
	var r models.Review
	var sat, lead, quality sql.NullInt64
	var at int64
	err := sc.Scan(&r.DeploymentID, &r.Outcome, &sat, &lead, &quality, &r.Category, &r.Lessons, &r.Reviewer, &at,
		&r.Model, &r.ModelVersion)
	r.Satisfaction, r.LeadTimeSatisfaction, r.Quality = int(sat.Int64), int(lead.Int64), int(quality.Int64)
	r.ReviewedAt = time.Unix(at, 0).UTC()
	return r, mapErr(err)
}

// Review loads a deployment's review; ErrNotFound when it has none.
func (q Q) Review(ctx context.Context, id int64) (models.Review, error) {
	return scanReview(q.db.QueryRowContext(ctx, `SELECT `+reviewCols+` FROM reviews WHERE deployment_id = ?`, id))
}

// ReviewFilter narrows a listing of reviews; zero fields do not filter.
type ReviewFilter struct {
	Model    string
	Category string
	Limit    int
}

// Reviews lists reviews, the latest written first.
func (q Q) Reviews(ctx context.Context, f ReviewFilter) ([]models.Review, error) {
	var where []string
	var args []any
	if f.Model != "" {
		where, args = append(where, "model = ?"), append(args, f.Model)
	}
	if f.Category != "" {
		where, args = append(where, "category = ?"), append(args, f.Category)
	}
	query := `SELECT ` + reviewCols + ` FROM reviews`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY reviewed_at DESC, deployment_id DESC"
	if f.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.Review
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, mapErr(rows.Err())
}

// UnreviewedFailures lists deployments that failed or rolled back, or succeeded with
// an incident, finished in [from, to) and have no review, oldest first, at most
// limit; requester, when not "", keeps theirs. Triggers keep those waiting in
// reviews_due (migration 27), so this reads only them. It also counts them all,
// beyond limit, in the same look into the index (the dashboard lists three).
func (q Q) UnreviewedFailures(ctx context.Context, from, to time.Time, requester string, limit int) ([]models.Deployment, int, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT deployment_id, count(*) OVER () FROM reviews_due INDEXED BY reviews_due_finish
		WHERE finished_at >= ?1 AND finished_at < ?2 AND (?3 = '' OR requester = ?3)
		ORDER BY finished_at, deployment_id LIMIT ?4`, from.Unix(), to.Unix(), requester, limit)
	if err != nil {
		return nil, 0, mapErr(err)
	}
	var ids []int64
	total := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &total); err != nil {
			rows.Close()
			return nil, 0, mapErr(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, mapErr(err)
	}
	list, err := q.DeploymentsByID(ctx, ids)
	return list, total, err
}

// LastReviews is when each of the models named was last reviewed (models never
// reviewed are left out): one look into the reviews_model index per model, not a
// pass over every review (51,000 in the 1M demo: 3 ms a dashboard).
func (q Q) LastReviews(ctx context.Context, names []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	for _, m := range names {
		var at sql.NullInt64
		if err := q.db.QueryRowContext(ctx, `SELECT MAX(reviewed_at) FROM reviews WHERE model = ?`, m).Scan(&at); err != nil {
			return nil, mapErr(err)
		}
		if at.Valid {
			out[m] = time.Unix(at.Int64, 0).UTC()
		}
	}
	return out, nil
}

// FailuresSince counts, per model, deployments that failed or rolled back on or after
// the local day (YYYYMMDD) given for that model and up to today, from the rollups: one
// pass over a few thousand rows whatever the history's size. Today bounds it because
// the rollups hold the days planned ahead too, where nothing has finished (100,000
// plans made it 14,000 rows).
func (q Q) FailuresSince(ctx context.Context, since map[string]int, today int) (map[string]int64, error) {
	out := map[string]int64{}
	if len(since) == 0 {
		return out, nil
	}
	first := 99999999 // the earliest day asked: the rollups' key starts with the day
	var args []any
	for m, day := range since {
		args, first = append(args, m, day), min(first, day)
	}
	rows, err := q.db.QueryContext(ctx, `SELECT model, SUM(done - done_ok) FROM rollup_days
		WHERE day >= ? AND day <= ? AND day >= CASE model`+strings.Repeat(" WHEN ? THEN ?", len(since))+` ELSE 99999999 END
		GROUP BY model`, append([]any{first, today}, args...)...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var m string
		var n int64
		if err := rows.Scan(&m, &n); err != nil {
			return nil, mapErr(err)
		}
		out[m] = n
	}
	return out, mapErr(rows.Err())
}

// ModelFailuresBetween counts model's deployments that failed or rolled back with a
// finish in (from, to): a short range, read from the failures' index.
func (q Q) ModelFailuresBetween(ctx context.Context, model string, from, to time.Time) (int64, error) {
	var n int64
	err := q.db.QueryRowContext(ctx, `SELECT count(*) FROM deployments INDEXED BY deployments_failed_finish
		WHERE status IN ('failed', 'rolled_back') AND finished_at > ? AND finished_at < ? AND model = ?`,
		from.Unix(), to.Unix(), model).Scan(&n)
	return n, mapErr(err)
}
