package store

import (
	"context"
	"path/filepath"
	"testing"
)

// A database from before the state table gets it filled when it is migrated: the
// last success of each component and environment (a removal too), and its running,
// else earliest planned, deployment.
func TestWhereMigrationFillsTheStateTable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db := oldDatabase(t, path, 15)
	ins := `INSERT INTO deployments (id, model_version_id, model, model_version, service, component, kind, version, action,
		environment, status, scheduled_start, scheduled_end, finished_at, created_at, updated_at)
		VALUES (?, 1, 'web', 1, 'shop', ?, 'software', ?, ?, ?, ?, ?, ?, ?, 0, 0)`
	if _, err := db.Exec(`INSERT INTO model_versions VALUES (1, 'web', 1, 'f', '{}', 0)`); err != nil {
		t.Fatal(err)
	}
	for _, r := range [][]any{
		{1, "api", "1", "deploy", "test", "succeeded", 100, 200, 200},
		{2, "api", "2", "deploy", "test", "succeeded", 300, 400, 400}, // the last success
		{3, "api", "3", "deploy", "test", "failed", 500, 600, 600},
		{4, "api", "4", "deploy", "test", "planned", 900, 1000, nil},
		{5, "api", "5", "deploy", "test", "executing", 950, 1050, nil}, // running: next, though planned later
		{6, "web", "1", "deploy", "prod", "succeeded", 100, 200, 200},
		{7, "web", "1", "remove", "prod", "succeeded", 300, 400, 400}, // removed
		{8, "db", "1", "deploy", "prod", "cancelled", 100, 200, 200},  // nothing
	} {
		if _, err := db.Exec(ins, r...); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if diffs, err := s.Read().WhereDiffs(ctx); err != nil || len(diffs) > 0 {
		t.Fatalf("after the migration the table should equal a recount: %v %v", diffs, err)
	}
	cells, err := s.Read().EnvState(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int64{}
	for _, c := range cells {
		var v [2]int64
		if c.Current != nil {
			v[0] = c.Current.ID
		}
		if c.Next != nil {
			v[1] = c.Next.ID
		}
		got[c.Component+"/"+c.Environment] = v
	}
	want := map[string][2]int64{"api/test": {2, 5}, "web/prod": {7, 0}}
	if len(got) != len(want) || got["api/test"] != want["api/test"] || got["web/prod"] != want["web/prod"] {
		t.Fatalf("state after the migration: got %v, want %v", got, want)
	}
}
