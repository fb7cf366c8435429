package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"ferry/internal/testdb"
	"ferry/models"
)

// emptyDB is a database that Open has just created: migrating costs a fifth of a
// second under the race detector, so it is done once and the file copied.
var emptyDB = testdb.New(func(path string) error {
	s, err := Open(context.Background(), path)
	if err != nil {
		return err
	}
	return s.Close()
})

// openTemp opens a new, empty database in t.TempDir().
func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), emptyDB.Copy(t, "ferry.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func testModel() models.Model {
	return models.Model{Name: "web", Kinds: []models.Kind{models.KindSoftware}, Path: []string{"test", "prod"},
		DefaultDuration: time.Hour, Steps: []models.Step{
			{Stage: models.StageExecute, Name: "Roll out", Kind: models.StepAutomated, Run: "true"},
			{Stage: models.StageVerifyComponents, Name: "Check", Kind: models.StepManual},
			{Stage: models.StageExecute, Name: "Only prod", Kind: models.StepGate, Environments: []string{"prod"}},
		}}
}

func plannedDeployment(m models.Model, env string, start time.Time) models.Deployment {
	return models.Deployment{Model: m.Name, ModelVersion: m.Version, Service: "svc", Component: "api",
		Kind: models.KindSoftware, Version: "1.0", Action: models.ActionDeploy, Environment: env,
		Status: models.StatusPlanned, ScheduledStart: start, ScheduledEnd: start.Add(time.Hour),
		CreatedAt: t0, UpdatedAt: t0}
}

func plan(t *testing.T, s *Store, m models.Model, mvid int64, env string, start time.Time) int64 {
	t.Helper()
	d := plannedDeployment(m, env, start)
	var id int64
	err := s.Write(context.Background(), func(q Q) error {
		var err error
		id, err = q.InsertDeployment(context.Background(), d, mvid, len(m.StepsFor(env)))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func syncModel(t *testing.T, s *Store, m models.Model) (models.Model, int64) {
	t.Helper()
	var id int64
	err := s.Write(context.Background(), func(q Q) error {
		var err error
		m, id, err = q.SyncModel(context.Background(), m, t0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, id
}

func TestReopenKeepsSchemaAndData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	m, mvid := syncModel(t, s, testModel())
	id := plan(t, s, m, mvid, "test", t0)
	s.Close()
	s, err = Open(context.Background(), path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	d, err := s.Read().Deployment(context.Background(), id)
	if err != nil || d.Component != "api" || !d.ScheduledStart.Equal(t0) {
		t.Fatalf("after reopen got %+v, %v", d, err)
	}
}

func TestModelVersionsStoredOnceAndBumpedOnChange(t *testing.T) {
	s := openTemp(t)
	m1, id1 := syncModel(t, s, testModel())
	again, id2 := syncModel(t, s, testModel())
	if m1.Version != 1 || again.Version != 1 || id1 != id2 {
		t.Fatalf("same content must stay version 1 (got %d, %d; ids %d, %d)", m1.Version, again.Version, id1, id2)
	}
	changed := testModel()
	changed.Steps[0].Run = "./deploy.sh"
	m2, id3 := syncModel(t, s, changed)
	if m2.Version != 2 || id3 == id1 {
		t.Fatalf("changed model must become version 2, got %d", m2.Version)
	}
	old := plan(t, s, m1, id1, "test", t0)
	got, err := s.Read().DeploymentModel(context.Background(), old)
	if err != nil || got.Steps[0].Run != "true" {
		t.Fatalf("old deployment must keep version 1's steps, got %+v %v", got.Steps, err)
	}
}

func TestStepRunsFollowEnvironmentFilter(t *testing.T) {
	s := openTemp(t)
	m, mvid := syncModel(t, s, testModel())
	ctx := context.Background()
	for env, want := range map[string][]string{"test": {"Check", "Roll out"}, "prod": {"Check", "Roll out", "Only prod"}} {
		id := plan(t, s, m, mvid, env, t0)
		d, _ := s.Read().Deployment(ctx, id)
		runs, err := s.Read().StepRuns(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range runs {
			names = append(names, r.Step.Name)
		}
		if len(names) != len(want) || d.StepsTotal != len(want) {
			t.Fatalf("%s: steps %v (total %d), want %v", env, names, d.StepsTotal, want)
		}
		for i := range want {
			if names[i] != want[i] {
				t.Fatalf("%s: steps %v, want %v", env, names, want)
			}
		}
	}
}

func TestEventsAreAppendOnly(t *testing.T) {
	s := openTemp(t)
	m, mvid := syncModel(t, s, testModel())
	id := plan(t, s, m, mvid, "test", t0)
	ctx := context.Background()
	err := s.Write(ctx, func(q Q) error {
		return q.AddEvent(ctx, models.Event{DeploymentID: id, At: t0, Actor: "ana", Type: "planned"})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{`UPDATE events SET actor = 'eve'`, `DELETE FROM events`} {
		err := s.Write(ctx, func(q Q) error { _, err := q.db.ExecContext(ctx, stmt); return mapErr(err) })
		if !errors.Is(err, models.ErrInvalid) {
			t.Fatalf("%s: want ErrInvalid, got %v", stmt, err)
		}
	}
	ev, _ := s.Read().Events(ctx, id)
	if len(ev) != 1 || ev[0].Actor != "ana" {
		t.Fatalf("record changed: %+v", ev)
	}
}

func TestFailedTransactionLeavesNothing(t *testing.T) {
	s := openTemp(t)
	m, mvid := syncModel(t, s, testModel())
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.Write(ctx, func(q Q) error {
		d := models.Deployment{Model: m.Name, ModelVersion: 1, Service: "s", Component: "c", Kind: "software",
			Version: "1", Action: "deploy", Environment: "test", Status: "planned",
			ScheduledStart: t0, ScheduledEnd: t0.Add(time.Hour), CreatedAt: t0, UpdatedAt: t0}
		if _, err := q.InsertDeployment(ctx, d, mvid, 2); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("want boom, got %v", err)
	}
	list, _ := s.Read().Deployments(ctx, models.Filter{})
	if len(list) != 0 {
		t.Fatalf("rolled-back insert is visible: %v", list)
	}
}

func TestConstraintErrorsAreDomainErrors(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	_, err := s.Read().Deployment(ctx, 42)
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("missing deployment: want ErrNotFound, got %v", err)
	}
	err = s.Write(ctx, func(q Q) error {
		d := models.Deployment{Model: "x", Service: "s", Component: "c", Kind: "software", Version: "1",
			Action: "deploy", Environment: "test", Status: "planned",
			ScheduledStart: t0, ScheduledEnd: t0.Add(time.Hour), CreatedAt: t0, UpdatedAt: t0}
		_, err := q.InsertDeployment(ctx, d, 999, 0)
		return err
	})
	if !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("unknown model version: want ErrInvalid, got %v", err)
	}
}

func TestKeysetPagingNeverSkipsOrRepeats(t *testing.T) {
	s := openTemp(t)
	m, mvid := syncModel(t, s, testModel())
	// Several rows share a start time, so the id must break ties.
	for i := 0; i < 23; i++ {
		plan(t, s, m, mvid, "test", t0.Add(time.Duration(i/3)*time.Hour))
	}
	ctx := context.Background()
	seen := map[int64]bool{}
	var after *models.Cursor
	var prev *models.Deployment
	for {
		page, err := s.Read().Deployments(ctx, models.Filter{Limit: 5, After: after})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, d := range page {
			if seen[d.ID] {
				t.Fatalf("row %d repeated", d.ID)
			}
			if prev != nil && (d.ScheduledStart.After(prev.ScheduledStart) ||
				d.ScheduledStart.Equal(prev.ScheduledStart) && d.ID > prev.ID) {
				t.Fatalf("row %d out of order after %d", d.ID, prev.ID)
			}
			seen[d.ID] = true
			prev = &d
		}
		after = models.CursorOf(page[len(page)-1])
	}
	if len(seen) != 23 {
		t.Fatalf("saw %d rows, want 23", len(seen))
	}
}

// A snapshot sees the database as it was at its first read, whatever a writer commits
// meanwhile; a read outside it sees the new row.
func TestSnapshotIsOneMomentInTime(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	m, mvid := syncModel(t, s, testModel())
	count := func(q Q) int {
		n, err := q.CountDeployments(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	plan(t, s, m, mvid, "test", t0)
	err := s.Snapshot(ctx, func(q Q) error {
		before := count(q)
		plan(t, s, m, mvid, "test", t0.Add(time.Hour))
		if after := count(q); after != before {
			t.Errorf("inside one snapshot the count moved from %d to %d", before, after)
		}
		if now := count(s.Read()); now != before+1 {
			t.Errorf("outside the snapshot: %d rows, want %d", now, before+1)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
