package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ferry/models"
	"ferry/store"
)

// TestKeptConflictsEqualFullDetection: after every change of a random sequence (plans
// with and without dependencies, reschedules, reassignments, starts, successes,
// failures, cancellations), the stored conflicts that readers get are exactly what
// full detection finds.
func TestKeptConflictsEqualFullDetection(t *testing.T) {
	// The same size under the race detector: SQLite's own code is not instrumented
	// (Makefile), so it costs about 11 s there, and kept conflicts rest on this test.
	seeds, steps := uint64(4), 160
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { keptEqualsDetected(t, seed, steps) })
	}
}

func keptEqualsDetected(t *testing.T, seed uint64, steps int) {
	// api depends on db: moving both at once in one environment is a related conflict.
	related := strings.Replace(scheduleConfig, `  name = "api"
  kind = "software"`, `  name = "api"
  kind = "software"
  depends_on = ["db"]`, 1)
	if related == scheduleConfig {
		t.Fatal("the test's config has no api component to relate")
	}
	f := newFixtureWith(t, related)
	ana := f.person(t, "ana")
	rng := rand.New(rand.NewPCG(seed, 99))
	base := f.local("2026-11-27 08:00")
	comps, envs := []string{"api", "web", "db"}, []string{"staging", "production"}
	who := []string{"", "sam", "tom"}
	// Four days: crowded enough that capacity conflicts form, merge and split.
	at := func() time.Time { return base.Add(time.Duration(rng.IntN(4*24*4)) * 15 * time.Minute) }
	var ids []int64
	pick := func() int64 { return ids[rng.IntN(len(ids))] }
	kinds := map[models.ConflictKind]bool{}
	for step := range steps {
		var what string
		var err error
		switch op := rng.IntN(10); {
		case len(ids) < 5 || op < 4:
			r := PlanRequest{Model: "web", Component: comps[rng.IntN(3)], Version: fmt.Sprint(1 + rng.IntN(2)),
				Environment: envs[rng.IntN(2)], Start: at(), Duration: time.Duration(1+rng.IntN(6)) * time.Hour,
				Assignee: who[rng.IntN(3)]}
			if len(ids) > 0 && rng.IntN(4) == 0 {
				r.After = pick()
			}
			what = fmt.Sprintf("plan %+v", r)
			var d models.Deployment
			if d, _, err = f.e.Plan(f.ctx, ana, r); err == nil {
				ids = append(ids, d.ID)
			}
		case op == 4:
			id, start := pick(), at()
			what = fmt.Sprintf("reschedule #%d to %v", id, start)
			_, err = f.e.Reschedule(f.ctx, ana, id, start, start.Add(time.Duration(1+rng.IntN(6))*time.Hour))
		case op == 5:
			id, p := pick(), who[1+rng.IntN(2)]
			what = fmt.Sprintf("assign #%d to %s", id, p)
			_, err = f.e.Assign(f.ctx, ana, id, p)
		case op == 6 && rng.IntN(2) == 0:
			id := pick()
			what = fmt.Sprintf("cancel #%d", id)
			_, err = f.e.Cancel(f.ctx, ana, id, "not needed")
		case op == 6:
			comp, ver := comps[rng.IntN(3)], fmt.Sprint(1+rng.IntN(2))
			if rng.IntN(2) == 0 {
				// A block of a blocked version says why anew: its conflicts say the new reason.
				why := []string{"bad build", "corrupts the cache"}[rng.IntN(2)]
				what = fmt.Sprintf("block %s %s: %s", comp, ver, why)
				_, err = f.e.BlockVersion(f.ctx, ana, comp, ver, why)
			} else {
				what = fmt.Sprintf("unblock %s %s", comp, ver)
				err = f.e.UnblockVersion(f.ctx, ana, comp, ver, "fixed")
			}
		default:
			id, to := pick(), []models.Status{models.StatusVerifyingComponents, models.StatusExecuting, models.StatusSucceeded, models.StatusFailed}[rng.IntN(4)]
			what = fmt.Sprintf("move #%d to %s", id, to)
			_, err = f.e.Move(f.ctx, ana, id, to, "by the test")
		}
		_ = err // refusals are part of the sequence: they must change nothing
		kept := f.kept(t)
		_, full, derr := f.e.detect(f.ctx, f.e.st.Read())
		if derr != nil {
			t.Fatal(derr)
		}
		if a, b := conflictLines(kept), conflictLines(full); a != b {
			t.Fatalf("step %d, after %s (%v):\nkept:\n%s\ndetected:\n%s", step, what, err, a, b)
		}
		for _, c := range full {
			kinds[c.Kind] = true
		}
	}
	if len(kinds) < 6 {
		t.Fatalf("the sequence met only %v: too few kinds to say much", kinds)
	}
}

// kept is what readers get, and must come from the stored rows.
func (f *fixture) kept(t *testing.T) []models.Conflict {
	t.Helper()
	q := f.e.st.Read()
	if basis, err := q.ConflictBasis(f.ctx); err != nil || basis != f.e.rules {
		t.Fatalf("stored conflicts are not current: basis %q, want %q (%v)", basis, f.e.rules, err)
	}
	cs, err := f.e.storedOrDetected(f.ctx, q, false)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func conflictLines(cs []models.Conflict) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s %s %v %s %s %s–%s %s\n", c.Key, c.Kind, c.IDs, c.Environment, c.Person,
			c.Start.Format(time.RFC3339), c.End.Format(time.RFC3339), c.Message)
	}
	return b.String()
}

// TestKeptConflictsFollowTheConfiguration: a configuration that changes the rules
// (the year-end freeze lifted) finds the stored conflicts computed under the old
// ones and recomputes them as it opens; a reader whose rules differ from the stored
// ones is never shown them, and a bulk load leaves them to the next engine to open.
func TestKeptConflictsFollowTheConfiguration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.db")
	emptyDB.CopyTo(t, path)
	withFreeze := openWith(t, path, scheduleConfig)
	ana, _ := withFreeze.Person("ana")
	ctx := context.Background()
	// Inside the year-end freeze, in the weekend window that production requires.
	d, cs, err := withFreeze.Plan(ctx, ana, PlanRequest{Model: "web", Component: "api", Version: "1",
		Environment: "production", Start: time.Date(2026, 12, 19, 21, 0, 0, 0, time.UTC)})
	if err != nil || !slices.Contains(conflictKinds(cs), "freeze") {
		t.Fatalf("plan in the freeze: %+v %v", cs, err)
	}
	lifted := strings.Replace(scheduleConfig, `  [[environment.freeze]]
  name = "year end"
  from = "2026-12-19 00:00"
  to = "2027-01-04 00:00"`, "", 1)
	if lifted == scheduleConfig {
		t.Fatal("the test's config has no year-end freeze to lift")
	}
	// An engine under the old rules still reads from the database until another opens.
	before, _ := withFreeze.Conflicts(ctx, ana, ConflictFilter{Deployment: d.ID})
	if !slices.Contains(conflictKinds(before), "freeze") {
		t.Fatalf("before the freeze was lifted: %+v", before)
	}
	noFreeze := openWith(t, path, lifted)
	if basis, _ := noFreeze.st.Read().ConflictBasis(ctx); basis != noFreeze.rules {
		t.Fatalf("opening under new rules left the stored conflicts under %q", basis)
	}
	stored, _ := noFreeze.st.Read().StoredConflicts(ctx)
	if slices.Contains(conflictKinds(stored), "freeze") {
		t.Fatalf("the lifted freeze is still stored: %+v", stored)
	}
	// The engine still under the old rules detects for itself rather than read rules
	// it does not hold.
	if again, _ := withFreeze.Conflicts(ctx, ana, ConflictFilter{Deployment: d.ID}); !slices.Contains(conflictKinds(again), "freeze") {
		t.Fatalf("an engine under the freeze was shown conflicts computed without it: %+v", again)
	}
	// A bulk load marks them stale; readers detect; the next engine recomputes.
	if err := noFreeze.st.Bulk(ctx, func(*store.Bulk) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if basis, _ := noFreeze.st.Read().ConflictBasis(ctx); basis != "" {
		t.Fatalf("after a bulk load the stored conflicts still claim to be current (%q)", basis)
	}
	reopened := openWith(t, path, lifted)
	if basis, _ := reopened.st.Read().ConflictBasis(ctx); basis != reopened.rules {
		t.Fatalf("the next engine left them stale (%q)", basis)
	}
}
