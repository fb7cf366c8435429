package store

import (
	"context"
	"testing"
)

// An item blocked before the block's reason had a column of its own kept the reason
// in its note: the migration moves it out, and leaves other notes where they are.
func TestBlockReasonMigrationMovesTheReason(t *testing.T) {
	ctx := context.Background()
	s := migrated(t, 24,
		`INSERT INTO model_versions VALUES (1, 'rack', 1, 'f', '{}', 0)`,
		`INSERT INTO deployments (id, model_version_id, model, model_version, service, component, kind, version, action,
			environment, status, requester, scheduled_start, scheduled_end, created_at, updated_at)
			VALUES (1, 1, 'rack', 1, 'dc', 'rack-1', 'hardware', '1', 'deploy', 'test', 'executing', 'lea', 100, 200, 0, 0)`,
		`INSERT INTO step_runs (deployment_id, seq, status, actor, at, note) VALUES
			(1, 1, 'done', 'raj', 150, 'both feeds live'), (1, 2, 'blocked', 'raj', 160, 'no power on PDU B')`,
	)
	d, err := s.Read().Deployment(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := s.Read().StepRuns(ctx, d)
	if err != nil || len(runs) != 2 {
		t.Fatalf("step runs: %+v %v", runs, err)
	}
	if runs[0].Note != "both feeds live" || runs[0].BlockReason != "" {
		t.Errorf("a ticked item: note %q, reason %q", runs[0].Note, runs[0].BlockReason)
	}
	if runs[1].Note != "" || runs[1].BlockReason != "no power on PDU B" {
		t.Errorf("the blocked item: note %q, reason %q", runs[1].Note, runs[1].BlockReason)
	}
}
