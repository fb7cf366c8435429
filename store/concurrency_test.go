package store

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestTwentyWritersAllGetThrough: twenty writers, each with its own pools as if it
// were its own ferry process, plan deployments as fast as they can; not one write
// fails. Each holds the lock as long as a heavy act does, so waits of several
// seconds happen: with SQLite's busy handler and a 5 s timeout, 16 of 67 failed.
// FERRY_WRITERS_FOR=1m runs it for a minute.
func TestTwentyWritersAllGetThrough(t *testing.T) {
	if testing.Short() {
		t.Skip("takes seconds")
	}
	run := 6 * time.Second
	if v := os.Getenv("FERRY_WRITERS_FOR"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("FERRY_WRITERS_FOR: %v", err)
		}
		run = d
	}
	first := openTemp(t)
	m, mvid := syncModel(t, first, testModel())
	ctx := context.Background()
	const writers = 20
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(run)
	var wg sync.WaitGroup
	for w := range writers {
		s, err := Open(ctx, first.Path())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				err := s.Write(ctx, func(q Q) error {
					d := plannedDeployment(m, "test", t0.Add(time.Duration(w*100000+i)*time.Minute))
					_, err := q.InsertDeployment(ctx, d, mvid, len(m.StepsFor("test")))
					time.Sleep(heavyAct) // the work of a heavy act, lock held
					return err
				})
				time.Sleep(startUp) // a new process starts before its next write
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				} else {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d writes in %s by %d writers, %d failed", ok.Load(), run, writers, failed.Load())
	if failed.Load() > 0 {
		t.Fatalf("%d of %d writes failed; the first: %v", failed.Load(), ok.Load()+failed.Load(), firstErr.Load())
	}
}

// heavyAct is how long a write of the concurrency test holds the lock.
const heavyAct = 100 * time.Millisecond

// startUp is the time between two writes of one writer: a ferry process starting.
const startUp = 20 * time.Millisecond
