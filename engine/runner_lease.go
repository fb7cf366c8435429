package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"ferry/models"
	"ferry/store"
)

// This process, as lease holders and attempts name it.
var (
	thisHost = func() string {
		h, err := os.Hostname()
		if err != nil || h == "" {
			return "unknown-host"
		}
		return h
	}()
	thisBoot = func() string {
		b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(b))
	}()
)

// holder identifies one runner: two runners in one process are two holders.
type holder struct {
	id   string
	host string
	boot string
	pid  int
}

func newHolder() holder {
	var b [4]byte
	_, _ = rand.Read(b[:])
	pid := os.Getpid()
	return holder{id: fmt.Sprintf("%s:%d:%s", thisHost, pid, hex.EncodeToString(b[:])), host: thisHost, boot: thisBoot, pid: pid}
}

// sameBoot reports whether a process id recorded on host during boot can be checked
// here: it is this machine, and it has not restarted since.
func sameBoot(host, boot string) bool {
	return host == thisHost && boot != "" && boot == thisBoot
}

// leaseGone reports whether a lease no longer protects a run, and why (with times in
// loc, the organisation's zone): it expired, or its holder was a process on this
// machine that has died.
func leaseGone(l models.Lease, now time.Time, loc *time.Location) (bool, string) {
	if !now.Before(l.ExpiresAt) {
		return true, fmt.Sprintf("its lease expired at %s", l.ExpiresAt.In(loc).Format("15:04:05 MST"))
	}
	if sameBoot(l.Host, l.BootID) && l.PID != os.Getpid() && !pidAlive(l.PID) {
		return true, fmt.Sprintf("process %d on %s is gone", l.PID, l.Host)
	}
	return false, ""
}

// BusyError refuses to run a deployment another runner is working on.
type BusyError struct {
	ID    int64
	Lease models.Lease
	Loc   *time.Location // the organisation's zone, for the message
}

func (e *BusyError) Error() string {
	loc := e.Loc
	if loc == nil {
		loc = time.UTC
	}
	return fmt.Sprintf("deployment #%d is already being run by %s on %s (process %d, since %s); "+
		"wait for it to finish or stop, or cancel the deployment",
		e.ID, e.Lease.Actor, e.Lease.Host, e.Lease.PID, e.Lease.AcquiredAt.In(loc).Format("15:04:05 MST"))
}

// Unwrap makes a BusyError a models.ErrConflict.
func (e *BusyError) Unwrap() error { return models.ErrConflict }

// Why a run stopped before it finished.
var (
	errCancelled = errors.New("the deployment was cancelled")
	errLeaseLost = errors.New("this run lost its lease to another runner")
)

// activeRuns are the runs this engine has going, so that Cancel stops them at once
// instead of at the runner's next look at the database.
type activeRuns struct {
	sync.Mutex
	m map[int64][]context.CancelCauseFunc
	// going counts the runs that have not yet written how they ended.
	going sync.WaitGroup
	// stopped is StopRuns' cause once it was called: a run that registers after it
	// (a console's act still in flight when a server stops; a console's runs outlive
	// its session) is stopped at once instead of going on unseen, and is not added to
	// going, which StopRuns may already be waiting on.
	stopped error
}

// registerRun counts a run going and lets Cancel and StopRuns stop it. It returns
// unregister, and done, to call once the run has written how it ended.
func (e *Engine) registerRun(id int64, cancel context.CancelCauseFunc) (unregister, done func()) {
	a := &e.active
	a.Lock()
	if a.stopped != nil {
		a.Unlock()
		cancel(a.stopped)
		return func() {}, func() {}
	}
	a.going.Add(1)
	if a.m == nil {
		a.m = map[int64][]context.CancelCauseFunc{}
	}
	a.m[id] = append(a.m[id], cancel)
	i := len(a.m[id]) - 1
	a.Unlock()
	return func() {
		a.Lock()
		defer a.Unlock()
		list := a.m[id]
		if i < len(list) {
			list[i] = nil
		}
		for _, c := range list {
			if c != nil {
				return
			}
		}
		delete(a.m, id)
	}, a.going.Done
}

// StopRuns stops every run going on in this engine, as a stop of the process does
// in the CLI: each step's processes end (SIGTERM, then SIGKILL after the grace time)
// and its attempt is recorded stopped with cause. It returns once every run has
// written how it ended, or when ctx ends. A server calls it as it shuts down; a run
// that begins after it stops at once, with cause.
func (e *Engine) StopRuns(ctx context.Context, cause error) error {
	e.active.Lock()
	if e.active.stopped == nil {
		e.active.stopped = cause
	}
	for _, list := range e.active.m {
		for _, c := range list {
			if c != nil {
				c(cause)
			}
		}
	}
	e.active.Unlock()
	done := make(chan struct{})
	go func() { e.active.going.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// runsStopped is StopRuns' cause once it was called, else nil.
func (e *Engine) runsStopped() error {
	e.active.Lock()
	defer e.active.Unlock()
	return e.active.stopped
}

// stopRunsHere stops this engine's runs of deployment id, if any.
func (e *Engine) stopRunsHere(id int64, cause error) {
	e.active.Lock()
	list := slices.Clone(e.active.m[id])
	e.active.Unlock()
	for _, c := range list {
		if c != nil {
			c(cause)
		}
	}
}

// takeLease gives the runner the deployment's lease inside the caller's write
// transaction, recovering what a dead holder left running. It refuses with a
// BusyError while another runner's lease is valid.
func (e *Engine) takeLease(ctx context.Context, q store.Q, h holder, actor models.Person, id int64, ttl time.Duration) error {
	now := time.Now()
	why := RunnerStopped
	old, err := q.Lease(ctx, id)
	switch {
	case err == nil:
		gone, reason := leaseGone(old, now, e.Location())
		if !gone {
			return &BusyError{ID: id, Lease: old, Loc: e.Location()}
		}
		why = reason
	case !errors.Is(err, models.ErrNotFound):
		return err
	}
	// No lease, or a dead one: attempts still marked running have no runner.
	if err := e.recoverDeployment(ctx, q, id, why); err != nil {
		return err
	}
	return q.PutLease(ctx, models.Lease{DeploymentID: id, Holder: h.id, Host: h.host, BootID: h.boot, PID: h.pid,
		Actor: actor.Name, AcquiredAt: now, ExpiresAt: now.Add(ttl)})
}

// Recovered is a step attempt found running with no runner left, now interrupted.
type Recovered struct {
	DeploymentID int64
	Seq          int
	Attempt      int
	Step         string
	Lines        int64 // output lines kept
	Killed       bool  // processes it left behind were stopped
}

// RecoverInterrupted marks the step attempts whose runner died (its lease expired, or
// its process on this machine is gone) as interrupted, keeping their output, and
// stops what they left running on this machine. Every ferry command and the console
// call it when they start; it writes nothing when nothing was interrupted.
func (e *Engine) RecoverInterrupted(ctx context.Context) ([]Recovered, error) {
	running, err := e.st.Read().RunningAttempts(ctx, 0)
	if err != nil {
		return nil, err
	}
	var out []Recovered
	seen := map[int64]bool{}
	for _, a := range running {
		if seen[a.DeploymentID] {
			continue
		}
		seen[a.DeploymentID] = true
		rec, err := e.RecoverRun(ctx, a.DeploymentID)
		if err != nil {
			return out, err
		}
		out = append(out, rec...)
	}
	return out, nil
}

// RecoverRun marks deployment id's running step attempts interrupted if their runner
// died, as RecoverInterrupted does for all; a console watching a run calls it as it
// polls, so a dead runner shows within seconds, not as a step running forever. It
// writes nothing while the runner is alive, or when nothing runs.
func (e *Engine) RecoverRun(ctx context.Context, id int64) ([]Recovered, error) {
	if atts, err := e.st.Read().RunningAttempts(ctx, id); err != nil || len(atts) == 0 {
		return nil, err
	}
	// A live runner is told apart by reading, so that a command that only reads
	// (deploy list) takes no write lock while a deployment runs.
	if l, err := e.st.Read().Lease(ctx, id); err == nil {
		if gone, _ := leaseGone(l, time.Now(), e.Location()); !gone {
			return nil, nil
		}
	} else if !errors.Is(err, models.ErrNotFound) {
		return nil, err
	}
	var rec []Recovered
	err := e.st.Write(ctx, func(q store.Q) error {
		rec = nil
		l, err := q.Lease(ctx, id)
		why := RunnerStopped
		switch {
		case err == nil:
			gone, reason := leaseGone(l, time.Now(), e.Location())
			if !gone {
				return nil // its runner is alive
			}
			why = reason
			if err := q.ReleaseLease(ctx, id, l.Holder); err != nil {
				return err
			}
		case !errors.Is(err, models.ErrNotFound):
			return err
		}
		rec, err = e.recoverAttempts(ctx, q, id, why)
		return err
	})
	return rec, err
}

func (e *Engine) recoverDeployment(ctx context.Context, q store.Q, id int64, why string) error {
	_, err := e.recoverAttempts(ctx, q, id, why)
	return err
}

// recoverAttempts marks a deployment's running attempts interrupted, with their step
// runs and an event each, and stops their leftover processes on this machine.
func (e *Engine) recoverAttempts(ctx context.Context, q store.Q, id int64, why string) ([]Recovered, error) {
	atts, err := q.RunningAttempts(ctx, id)
	if err != nil || len(atts) == 0 {
		return nil, err
	}
	d, err := q.Deployment(ctx, id)
	if err != nil {
		return nil, err
	}
	steps, rollback, err := e.stepsOf(ctx, q, d)
	if err != nil {
		return nil, err
	}
	system := models.Person{Name: SystemActor}
	var out []Recovered
	for _, a := range atts {
		killed := false
		if a.PGID > 0 && sameBoot(a.Host, a.BootID) && groupExists(a.PGID) {
			// The leader may be gone (the kernel killed it with ferry); a process with
			// the group's id that started at another time is someone else's.
			if lead := procStart(a.PGID); lead == 0 || a.PGIDStart == 0 || lead == a.PGIDStart {
				signalGroup(a.PGID, syscall.SIGKILL)
				killed = true
			}
		}
		a.Status, a.FinishedAt = models.StepInterrupted, time.Now()
		a.Detail = InterruptedNote(why)
		if _, err := q.FinishAttempt(ctx, a); err != nil {
			return nil, err
		}
		name := stepName(steps, rollback, a.Seq)
		if a.Seq <= len(steps) {
			r, err := stepRun(ctx, q, d, a.Seq)
			if err != nil {
				return nil, err
			}
			if r.Status == models.StepRunning {
				r.Status, r.Actor, r.At, r.Note = models.StepInterrupted, SystemActor, e.Now(), InterruptedNote(why)
				if err := q.SetStepRun(ctx, r, e.Now()); err != nil {
					return nil, err
				}
			}
		}
		detail := InterruptedText(a.Seq, name, a.Attempt, why, a.Lines)
		if killed {
			detail += fmt.Sprintf("; stopped the processes it left (group %d)", a.PGID)
		}
		if err := q.AddEvent(ctx, e.event(ctx, id, system, EventStep, detail)); err != nil {
			return nil, err
		}
		out = append(out, Recovered{DeploymentID: id, Seq: a.Seq, Attempt: a.Attempt, Step: name, Lines: a.Lines, Killed: killed})
	}
	return out, nil
}

// SystemActor is the name Ferry records for what it does by itself.
const SystemActor = "ferry"
