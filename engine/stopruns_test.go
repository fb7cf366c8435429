package engine

import (
	"context"
	"errors"
	"testing"

	"ferry/models"
)

var errStopping = errors.New("the server is stopping")

// A server's stop ends every run it has going, including one whose context nothing
// cancels (a console's over SSH outlives its connection), and a run asked for after
// the stop (a console's act still in flight) starts nothing: it once went on unseen
// while the process exited under it, its step left running.
func TestStopRunsStopsRunsAndThoseAfter(t *testing.T) {
	f := newRunFixture(t, blockingModel)
	ctx := context.WithoutCancel(f.ctx)
	d, pid, done := startBlocked(t, f, f.e, ctx, f.opts())
	if err := f.e.StopRuns(f.ctx, errStopping); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if !errors.Is(r.err, errStopping) || !processGone(pid) {
		t.Fatalf("the run going on: %v, its sleep gone: %v", r.err, processGone(pid))
	}
	if s := f.state(d.ID); s.Steps[0].Status != models.StepInterrupted {
		t.Errorf("its step after the stop: %s", s.Steps[0].Status)
	}
	later := f.plan("block", "api", "test")
	_, err := f.e.Run(ctx, f.person("sam"), later.ID, f.opts())
	var stopped *StoppedError
	if !errors.As(err, &stopped) || !errors.Is(err, errStopping) {
		t.Fatalf("a run asked for after the stop: %v", err)
	}
	if s := f.state(later.ID); s.Deployment.Status != models.StatusPlanned || s.Steps[0].Status != models.StepPending {
		t.Errorf("it should not have started: %s, step %s", s.Deployment.Status, s.Steps[0].Status)
	}
}
