package store

import (
	"context"

	"ferry/models"
)

// Running lists deployments that have started and not finished, by scheduled start.
func (q Q) Running(ctx context.Context) ([]models.Deployment, error) {
	return q.Deployments(ctx, models.Filter{Oldest: true, Limit: 200, Statuses: []models.Status{
		models.StatusVerifyingComponents, models.StatusVerifyingEnvironment,
		models.StatusExecuting, models.StatusVerifyingDeployment}})
}
