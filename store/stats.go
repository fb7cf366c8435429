package store

import (
	"context"
	"time"

	"ferry/models"
)

// Running lists deployments that have started and not finished, by scheduled start.
func (q Q) Running(ctx context.Context) ([]models.Deployment, error) {
	return q.Deployments(ctx, models.Filter{Oldest: true, Limit: 200, Statuses: models.UnderWay})
}

// FailedSince lists the deployments that failed or rolled back at or after since,
// newest failure first, at most limit.
// LastFinished is the deployment of component's version to env that finished last
// (succeeded, failed or rolled back); false when none did.
func (q Q) LastFinished(ctx context.Context, component, version, env string) (models.Deployment, bool, error) {
	list, err := q.queryDeployments(ctx, `SELECT `+deploymentCols+` FROM deployments
		WHERE component = ? AND version = ? AND environment = ? AND status IN ('succeeded', 'failed', 'rolled_back')
		ORDER BY finished_at DESC, id DESC LIMIT 1`, component, version, env)
	if err != nil || len(list) == 0 {
		return models.Deployment{}, false, err
	}
	return list[0], true, nil
}

func (q Q) FailedSince(ctx context.Context, since time.Time, limit int) ([]models.Deployment, error) {
	return q.queryDeployments(ctx, `SELECT `+deploymentCols+` FROM deployments INDEXED BY deployments_failed_finish
		WHERE status IN ('failed', 'rolled_back') AND finished_at >= ? ORDER BY finished_at DESC, id DESC LIMIT ?`,
		since.Unix(), limit)
}
