package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"ferry/models"
)

func TestLeases(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	m, mvid := syncModel(t, s, testModel())
	id := plan(t, s, m, mvid, "test", t0)
	if _, err := s.Read().Lease(ctx, id); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("no lease yet: %v", err)
	}
	now := time.Now().Truncate(time.Millisecond)
	l := models.Lease{DeploymentID: id, Holder: "h1", Host: "box", BootID: "b", PID: 7, Actor: "sam",
		AcquiredAt: now, ExpiresAt: now.Add(30 * time.Second)}
	write := func(fn func(q Q) error) {
		t.Helper()
		if err := s.Write(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	write(func(q Q) error { return q.PutLease(ctx, l) })
	got, err := s.Read().Lease(ctx, id)
	if err != nil || got.Holder != "h1" || got.PID != 7 || !got.ExpiresAt.Equal(l.ExpiresAt) || !got.AcquiredAt.Equal(now) {
		t.Fatalf("lease %+v %v", got, err)
	}
	var ok bool
	write(func(q Q) (err error) { ok, err = q.RenewLease(ctx, id, "h2", now.Add(time.Hour)); return })
	if ok {
		t.Error("another holder renewed the lease")
	}
	write(func(q Q) (err error) { ok, err = q.RenewLease(ctx, id, "h1", now.Add(time.Hour)); return })
	if got, _ := s.Read().Lease(ctx, id); !ok || !got.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Errorf("renewed: %v %+v", ok, got)
	}
	write(func(q Q) error { return q.ReleaseLease(ctx, id, "h2") })
	if ls, _ := s.Read().Leases(ctx); len(ls) != 1 {
		t.Errorf("another holder released the lease: %+v", ls)
	}
	l.Holder = "h2"
	write(func(q Q) error { return q.PutLease(ctx, l) }) // replaces
	write(func(q Q) error { return q.ReleaseLease(ctx, id, "h2") })
	if ls, _ := s.Read().Leases(ctx); len(ls) != 0 {
		t.Errorf("after release: %+v", ls)
	}
}

func TestAttemptsAndOutput(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	m, mvid := syncModel(t, s, testModel())
	id := plan(t, s, m, mvid, "test", t0)
	other := plan(t, s, m, mvid, "test", t0.Add(2*time.Hour))
	start := func(dep int64, seq int) int {
		t.Helper()
		var n int
		err := s.Write(ctx, func(q Q) (err error) {
			n, err = q.StartAttempt(ctx, models.Attempt{DeploymentID: dep, Seq: seq, Holder: "h", Host: "box", StartedAt: time.Now()})
			return
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if a, b, c := start(id, 1), start(id, 1), start(id, 2); a != 1 || b != 2 || c != 1 {
		t.Errorf("attempt numbers %d %d %d, want 1 2 1", a, b, c)
	}
	start(other, 1)
	var lines []models.OutputLine
	for i := 1; i <= 300; i++ { // more than one INSERT's worth, and an odd remainder
		seq, att := 1, 1
		if i > 200 {
			att = 2
		}
		lines = append(lines, models.OutputLine{DeploymentID: id, Seq: seq, Attempt: att, LineNo: i, Stream: models.StreamOut,
			At: time.Now(), Text: fmt.Sprintf("line %d", i)})
	}
	lines = append(lines, models.OutputLine{DeploymentID: other, Seq: 1, Attempt: 1, LineNo: 1, Stream: models.StreamErr, At: time.Now(), Text: "other"})
	lines = append(lines, models.OutputLine{DeploymentID: id, Seq: 2, Attempt: 1, LineNo: 1, Stream: models.StreamErr, At: time.Now(), Text: "step two"})
	if err := s.Write(ctx, func(q Q) error { return q.AppendOutput(ctx, lines) }); err != nil {
		t.Fatal(err)
	}
	atts, err := s.Read().Attempts(ctx, id)
	if err != nil || len(atts) != 3 {
		t.Fatalf("attempts %+v %v", atts, err)
	}
	if atts[0].Lines != 200 || atts[1].Lines != 100 || atts[2].Lines != 1 || atts[2].Bytes != int64(len("step two")) {
		t.Errorf("counts: %+v", atts)
	}
	q := s.Read()
	all, _ := q.Output(ctx, models.OutputFilter{DeploymentID: id, Limit: 1000})
	if len(all) != 301 || all[0].Text != "line 1" || all[300].Text != "step two" || all[300].Stream != models.StreamErr {
		t.Fatalf("all output: %d lines", len(all))
	}
	one, _ := q.Output(ctx, models.OutputFilter{DeploymentID: id, Seq: 1, Attempt: 2, Limit: 1000})
	if len(one) != 100 || one[0].Text != "line 201" || one[0].LineNo != 201 {
		t.Errorf("attempt 2 of step 1: %d lines, first %+v", len(one), one[0])
	}
	page, _ := q.Output(ctx, models.OutputFilter{DeploymentID: id, Seq: 1, AfterID: all[9].ID, Limit: 5})
	if len(page) != 5 || page[0].Text != "line 11" {
		t.Errorf("page after line 10: %+v", page)
	}
	tail, _ := q.Output(ctx, models.OutputFilter{DeploymentID: id, Seq: 1, Tail: true, Limit: 3})
	if len(tail) != 3 || tail[0].Text != "line 298" || tail[2].Text != "line 300" {
		t.Errorf("tail: %+v", tail)
	}
	// Output is append-only, like the record.
	err = s.Write(ctx, func(q Q) error {
		_, err := q.db.ExecContext(ctx, `UPDATE step_output_chunks SET text = 'x' WHERE deployment_id = ?`, id)
		return mapErr(err)
	})
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("updating output: %v", err)
	}
	err = s.Write(ctx, func(q Q) error {
		_, err := q.db.ExecContext(ctx, `DELETE FROM step_output_chunks WHERE deployment_id = ?`, id)
		return mapErr(err)
	})
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("deleting output: %v", err)
	}
	// Finishing an attempt only once; the running ones are found.
	running, _ := q.RunningAttempts(ctx, 0)
	if len(running) != 4 {
		t.Errorf("running attempts: %+v", running)
	}
	code := 3
	var done bool
	err = s.Write(ctx, func(q Q) (err error) {
		done, err = q.FinishAttempt(ctx, models.Attempt{DeploymentID: id, Seq: 1, Attempt: 1, Status: models.StepFailed,
			FinishedAt: time.Now(), ExitCode: &code, Detail: "exit 3"})
		return
	})
	if err != nil || !done {
		t.Fatalf("finish: %v %v", done, err)
	}
	err = s.Write(ctx, func(q Q) (err error) {
		done, err = q.FinishAttempt(ctx, models.Attempt{DeploymentID: id, Seq: 1, Attempt: 1, Status: models.StepDone, FinishedAt: time.Now()})
		return
	})
	if err != nil || done {
		t.Errorf("finishing twice: %v %v", done, err)
	}
	running, _ = q.RunningAttempts(ctx, id)
	if len(running) != 2 {
		t.Errorf("running attempts of #%d: %+v", id, running)
	}
	atts, _ = q.Attempts(ctx, id)
	if a := atts[0]; a.Status != models.StepFailed || a.ExitCode == nil || *a.ExitCode != 3 || a.Detail != "exit 3" || a.FinishedAt.IsZero() {
		t.Errorf("finished attempt: %+v", a)
	}
}

func TestDue(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	m, mvid := syncModel(t, s, testModel())
	past := plan(t, s, m, mvid, "test", t0.Add(-3*time.Hour)) // ended an hour before t0
	now := plan(t, s, m, mvid, "test", t0.Add(-30*time.Minute))
	plan(t, s, m, mvid, "test", t0.Add(time.Hour))
	due, err := s.Read().Due(ctx, t0, 0)
	if err != nil || len(due) != 1 || due[0].ID != now {
		t.Errorf("due at t0: %+v %v (past one is #%d)", due, err, past)
	}
}

func TestResetStepRuns(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	m, mvid := syncModel(t, s, testModel())
	id := plan(t, s, m, mvid, "test", t0)
	err := s.Write(ctx, func(q Q) error {
		code := 0
		for _, seq := range []int{1, 2} {
			if err := q.SetStepRun(ctx, models.StepRun{DeploymentID: id, Seq: seq, Status: models.StepDone, Actor: "sam",
				At: t0, ExitCode: &code}, t0); err != nil {
				return err
			}
		}
		return q.ResetStepRuns(ctx, id, []int{2}, t0)
	})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := s.Read().Deployment(ctx, id)
	runs, _ := s.Read().StepRuns(ctx, d)
	if d.StepsDone != 1 || runs[1].Status != models.StepPending || runs[1].Actor != "" || runs[1].ExitCode != nil || runs[0].Status != models.StepDone {
		t.Errorf("after reset: done %d, %+v", d.StepsDone, runs)
	}
}
