package store

import (
	"context"
	"testing"
)

// Deployments planned before the planner was kept as a column take it from their
// record's first "planned" event, so separation of duties holds for them too.
func TestPlannedByMigrationReadsTheRecord(t *testing.T) {
	ctx := context.Background()
	s := migrated(t, 15,
		`INSERT INTO model_versions VALUES (1, 'web', 1, 'f', '{}', 0)`,
		`INSERT INTO deployments (id, model_version_id, model, model_version, service, component, kind, version, action,
			environment, status, requester, scheduled_start, scheduled_end, created_at, updated_at)
			VALUES (1, 1, 'web', 1, 'payments', 'payments-api', 'software', '4.12.0', 'deploy', 'test', 'planned', 'lea', 100, 200, 0, 0),
			       (2, 1, 'web', 1, 'payments', 'payments-api', 'software', '4.13.0', 'deploy', 'test', 'planned', 'lea', 300, 400, 0, 0)`,
		`INSERT INTO events (deployment_id, at, actor, type, detail) VALUES
			(1, 10, 'sam', 'planned', ''), (1, 20, 'ana', 'assigned', ''), (1, 30, 'kim', 'planned', '')`,
	)
	for id, want := range map[int64]string{1: "sam", 2: ""} {
		d, err := s.Read().Deployment(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if d.PlannedBy != want {
			t.Errorf("#%d planned by %q after the migration, want %q (its first planned event)", id, d.PlannedBy, want)
		}
	}
}
