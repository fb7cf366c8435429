package store

import (
	"context"
	"time"

	"ferry/models"
)

// Running lists deployments that have started and not finished, by scheduled start.
func (q Q) Running(ctx context.Context) ([]models.Deployment, error) {
	return q.Deployments(ctx, models.Filter{Oldest: true, Limit: 200, Statuses: []models.Status{
		models.StatusVerifyingComponents, models.StatusVerifyingEnvironment,
		models.StatusExecuting, models.StatusVerifyingDeployment}})
}

// FailedSince lists the deployments that failed or rolled back at or after since,
// newest failure first, at most limit.
func (q Q) FailedSince(ctx context.Context, since time.Time, limit int) ([]models.Deployment, error) {
	return q.queryDeployments(ctx, `SELECT `+deploymentCols+` FROM deployments INDEXED BY deployments_failed_finish
		WHERE status IN ('failed', 'rolled_back') AND finished_at >= ? ORDER BY finished_at DESC, id DESC LIMIT ?`,
		since.Unix(), limit)
}
