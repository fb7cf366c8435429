package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"ferry/models"
)

// bulkLoad inserts n deployments (ids from first) with three step runs and two events
// each, in one batch.
func bulkLoad(t *testing.T, s *Store, mvid int64, first, n int) {
	t.Helper()
	ctx := context.Background()
	err := s.Bulk(ctx, func(b *Bulk) error {
		for i := range n {
			id := int64(first + i)
			start := t0.Add(time.Duration(id) * time.Minute)
			d := models.Deployment{ID: id, Model: "web", ModelVersion: 1, Service: "svc", Component: "api",
				Kind: models.KindSoftware, Version: fmt.Sprintf("1.0.%d", id), Action: models.ActionDeploy,
				Environment: "prod", Status: models.StatusSucceeded, Assignee: "bo", Requester: "ana",
				ScheduledStart: start, ScheduledEnd: start.Add(time.Hour), StartedAt: start,
				FinishedAt: start.Add(30 * time.Minute), CreatedAt: t0, UpdatedAt: start.Add(30 * time.Minute),
				StepsDone: 3, StepsTotal: 3}
			got, err := b.Deployment(d, mvid)
			if err != nil {
				return err
			}
			if got != id {
				return fmt.Errorf("Deployment returned id %d, want %d", got, id)
			}
			for seq := 1; seq <= 3; seq++ {
				r := models.StepRun{DeploymentID: id, Seq: seq, Status: models.StepDone, Actor: "bo", At: start}
				if seq == 2 {
					code := 0
					r.ExitCode, r.Actor = &code, "ferry"
				}
				if err := b.StepRun(r); err != nil {
					return err
				}
			}
			for _, typ := range []string{"planned", "status"} {
				if err := b.Event(models.Event{DeploymentID: id, At: start, Actor: "ana", Type: typ, Detail: typ}); err != nil {
					return err
				}
			}
			if id%10 == 0 {
				if err := b.Incident(models.Incident{DeploymentID: id, OpenedAt: start.Add(time.Hour), Summary: "slow"}); err != nil {
					return err
				}
			}
		}
		if c := b.Counts(); c.Deployments != n || c.StepRuns != 3*n || c.Events != 2*n {
			return fmt.Errorf("counts %+v for %d deployments", c, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBulkInsertsRowsAsGiven(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	m, mvid := syncModel(t, s, testModel())
	_ = m
	// 101 is not a multiple of the multi-row size, so the last rows go in a short statement.
	bulkLoad(t, s, mvid, 1, 101)
	bulkLoad(t, s, mvid, 1001, 7)
	n, err := s.Read().CountDeployments(ctx)
	if err != nil || n != 108 {
		t.Fatalf("CountDeployments = %d, %v; want 108", n, err)
	}
	d, err := s.Read().Deployment(ctx, 1003)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != models.StatusSucceeded || d.StepsDone != 3 || d.StepsTotal != 3 || d.Version != "1.0.1003" ||
		d.FinishedAt.Sub(d.StartedAt) != 30*time.Minute {
		t.Fatalf("deployment stored differently: %+v", d)
	}
	runs, err := s.Read().StepRuns(ctx, d)
	if err != nil || len(runs) != 3 {
		t.Fatalf("step runs %+v, %v", runs, err)
	}
	if runs[1].Actor != "ferry" || runs[1].ExitCode == nil || *runs[1].ExitCode != 0 || runs[0].ExitCode != nil {
		t.Fatalf("step run 2 stored differently: %+v", runs[1])
	}
	ev, err := s.Read().Events(ctx, 100)
	if err != nil || len(ev) != 2 || ev[0].Type != "planned" || ev[1].Type != "status" {
		t.Fatalf("events %+v, %v", ev, err)
	}
	inc, err := s.Read().Incidents(ctx, 100)
	if err != nil || len(inc) != 1 || !inc[0].ResolvedAt.IsZero() {
		t.Fatalf("incidents %+v, %v", inc, err)
	}
}

func TestBulkFailureLeavesNothing(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	_, mvid := syncModel(t, s, testModel())
	bulkLoad(t, s, mvid, 1, 5)
	boom := errors.New("boom")
	err := s.Bulk(ctx, func(b *Bulk) error {
		d := models.Deployment{ID: 50, Model: "web", ModelVersion: 1, Service: "s", Component: "c", Kind: "software",
			Version: "1", Action: "deploy", Environment: "test", Status: "planned",
			ScheduledStart: t0, ScheduledEnd: t0.Add(time.Hour), CreatedAt: t0, UpdatedAt: t0, StepsTotal: 1}
		if _, err := b.Deployment(d, mvid); err != nil {
			return err
		}
		if err := b.StepRun(models.StepRun{DeploymentID: 50, Seq: 1}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("want boom, got %v", err)
	}
	if n, _ := s.Read().CountDeployments(ctx); n != 5 {
		t.Fatalf("failed batch left rows: %d deployments", n)
	}
	// A duplicate id is a conflict, and a step run of an unknown deployment is refused
	// when the buffered rows are written.
	err = s.Bulk(ctx, func(b *Bulk) error {
		d := models.Deployment{ID: 3, Model: "web", ModelVersion: 1, Service: "s", Component: "c", Kind: "software",
			Version: "1", Action: "deploy", Environment: "test", Status: "planned",
			ScheduledStart: t0, ScheduledEnd: t0.Add(time.Hour), CreatedAt: t0, UpdatedAt: t0}
		_, err := b.Deployment(d, mvid)
		return err
	})
	if !errors.Is(err, models.ErrConflict) {
		t.Fatalf("duplicate id: want ErrConflict, got %v", err)
	}
	err = s.Bulk(ctx, func(b *Bulk) error {
		return b.StepRun(models.StepRun{DeploymentID: 999, Seq: 1})
	})
	if !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("step run of a missing deployment: want ErrInvalid, got %v", err)
	}
	if n, _ := s.Read().CountDeployments(ctx); n != 5 {
		t.Fatalf("refused batches left rows: %d deployments", n)
	}
}

func BenchmarkBulk10k(b *testing.B) {
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		s, err := Open(ctx, fmt.Sprintf("%s/b%d.db", b.TempDir(), i))
		if err != nil {
			b.Fatal(err)
		}
		var mvid int64
		_ = s.Write(ctx, func(q Q) error {
			_, mvid, err = q.SyncModel(ctx, testModel(), t0)
			return err
		})
		err = s.Bulk(ctx, func(bk *Bulk) error {
			for id := int64(1); id <= 10000; id++ {
				start := t0.Add(time.Duration(id) * time.Minute)
				d := models.Deployment{ID: id, Model: "web", ModelVersion: 1, Service: "svc", Component: "api",
					Kind: models.KindSoftware, Version: "1.0", Action: models.ActionDeploy,
					Environment: "prod", Status: models.StatusSucceeded, Assignee: "bo", Requester: "ana",
					ScheduledStart: start, ScheduledEnd: start.Add(time.Hour), StartedAt: start,
					FinishedAt: start.Add(30 * time.Minute), CreatedAt: start, UpdatedAt: start, StepsDone: 5, StepsTotal: 5}
				if _, err := bk.Deployment(d, mvid); err != nil {
					return err
				}
				for seq := 1; seq <= 5; seq++ {
					if err := bk.StepRun(models.StepRun{DeploymentID: id, Seq: seq, Status: models.StepDone, Actor: "bo", At: start}); err != nil {
						return err
					}
				}
				for range 5 {
					if err := bk.Event(models.Event{DeploymentID: id, At: start, Actor: "bo", Type: "status", Detail: "planned → executing"}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "deployments/s")
}

// Events queued a batch at a time are linked beside the batch's other rows and land
// in the chain in order, between events appended one by one, across batches.
func TestBulkEventsKeepTheChain(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	_, mvid := syncModel(t, s, testModel())
	bulkLoad(t, s, mvid, 1, 3) // two events each, one by one: ids 1-6
	ev := func(id int64, detail string) models.Event {
		return models.Event{DeploymentID: id, At: t0, Actor: "ana", Type: "note", Detail: detail}
	}
	err := s.Bulk(ctx, func(b *Bulk) error {
		if err := b.Events([]models.Event{ev(1, "a"), ev(2, "b"), {ID: 9, DeploymentID: 3, At: t0, Actor: "ana", Type: "note"}}); err != nil {
			return err
		}
		if err := b.Event(ev(3, "c")); err != nil { // waits for the queued ones: id 10
			return err
		}
		if err := b.Events([]models.Event{ev(1, "d")}); err != nil {
			return err
		}
		if err := b.Events([]models.Event{{ID: 99, DeploymentID: 1}}); err == nil {
			return fmt.Errorf("an event with id 99 where 12 is next was queued")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Read().VerifyEvents(ctx)
	if err != nil || c.Rows != 11 {
		t.Fatalf("verify after queued events: %+v %v; want 11 linked events", c, err)
	}
	if got := one(t, s, `SELECT group_concat(id || detail, ' ') FROM (SELECT id, detail FROM events WHERE id > 6 ORDER BY id)`); got != "7a 8b 9 10c 11d" {
		t.Errorf("events after the one-by-one ones: %q", got)
	}
}

// A batch whose queued events cannot be written fails, whatever fn does with the
// error, and nothing waits for them again.
func TestBulkEventsThatFailFailTheBatch(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	_, mvid := syncModel(t, s, testModel())
	bulkLoad(t, s, mvid, 1, 1)
	list := make([]models.Event, bulkRows+1) // a full statement's worth, then one
	for i := range list {
		list[i] = models.Event{DeploymentID: 999, At: t0, Actor: "ana", Type: "note"} // no such deployment
	}
	err := s.Bulk(ctx, func(b *Bulk) error {
		if err := b.Events(list); err != nil {
			return err
		}
		_ = b.Flush() // fails; ignored
		_ = b.Event(models.Event{DeploymentID: 1, At: t0, Actor: "ana", Type: "note"})
		return nil
	})
	if err == nil {
		t.Fatal("a batch whose events refer to no deployment was committed")
	}
	if got := one(t, s, `SELECT count(*) FROM events`); got != "2" {
		t.Errorf("%s events after the failed batch, want the 2 before it", got)
	}
}
