package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"ferry/models"
)

// A failure that its run again made good leaves the manager's inbox: the same
// version succeeded in that environment since. Its review, due still, stays.
func TestAFailureMadeGoodLeavesTheInbox(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	ana := f.person(t, "ana")
	d := f.planWhere(t, "api", "2.0", "test", f.now, models.ActionDeploy)
	if _, err := f.e.Start(f.ctx, ana, d.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Fail(f.ctx, ana, d.ID, "the smoke test failed", false); err != nil {
		t.Fatal(err)
	}
	items := func(kind string) []int64 {
		t.Helper()
		in, err := f.e.Inbox(f.ctx, ana)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, it := range in {
			if it.Kind == kind {
				ids = append(ids, it.Deployment.ID)
			}
		}
		return ids
	}
	if got := items(InboxFailure); !slices.Contains(got, d.ID) {
		t.Fatalf("the failure of #%d should need the manager: %v", d.ID, got)
	}
	f.now = f.now.Add(time.Hour)
	out, err := f.e.Again(f.ctx, ana, d.ID, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if got := items(InboxFailure); !slices.Contains(got, d.ID) {
		t.Fatalf("run again but not yet run, #%d still needs the manager: %v", d.ID, got)
	}
	// Run again once is enough while that one is not finished: a second made two plans
	// of the same version in the same place, and nothing said so.
	if _, err := f.e.Again(f.ctx, ana, d.ID, f.now.Add(time.Hour)); !errors.Is(err, models.ErrConflict) ||
		!strings.Contains(err.Error(), fmt.Sprintf("#%d %s %s → %s is planned already", out.Deployment.ID, d.Component, d.Version, d.Environment)) {
		t.Fatalf("a second run again of #%d: %v", d.ID, err)
	}
	// The page says so before anyone is asked for a start.
	if det, err := f.e.Deployment(f.ctx, ana, d.ID); err != nil || det.AgainOpen == nil || det.AgainOpen.ID != out.Deployment.ID ||
		WhyNoAgain(ana, det) == nil {
		t.Fatalf("the failure's record names its open run again: %+v %v", det.AgainOpen, err)
	}
	if evs, _ := f.e.st.Read().Events(f.ctx, out.Deployment.ID); !slices.ContainsFunc(evs, func(e models.Event) bool {
		return e.Detail == fmt.Sprintf("run again of #%d, which failed", d.ID)
	}) {
		t.Errorf("the new one's record says what it runs again: %+v", evs)
	}
	f.finish(t, out.Deployment.ID)
	if got := items(InboxFailure); slices.Contains(got, d.ID) {
		t.Errorf("#%d made good by #%d should leave the inbox: %v", d.ID, out.Deployment.ID, got)
	}
	f.now = f.now.Add(f.e.cfg.ReviewAfter) // the review falls due
	if got := items(InboxReview); !slices.Contains(got, d.ID) {
		t.Errorf("the review of #%d is due still: %v", d.ID, got)
	}
}

// A run again of a run again holds the first failure too: #1 failed, run again as
// #2, which failed, run again as #3, still planned. Running #1 again made #4, a
// second plan of the same version in the same place.
func TestARunAgainOfARunAgainHoldsTheFirst(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	ana := f.person(t, "ana")
	first := f.planWhere(t, "api", "2.0", "test", f.now, models.ActionDeploy)
	fail := func(id int64) {
		t.Helper()
		if _, err := f.e.Start(f.ctx, ana, id, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.e.Fail(f.ctx, ana, id, "smoke failed", false); err != nil {
			t.Fatal(err)
		}
	}
	fail(first.ID)
	second, err := f.e.Again(f.ctx, ana, first.ID, f.now)
	if err != nil {
		t.Fatal(err)
	}
	fail(second.Deployment.ID)
	third, err := f.e.Again(f.ctx, ana, second.Deployment.ID, f.now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Again(f.ctx, ana, first.ID, f.now.Add(2*time.Hour)); !errors.Is(err, models.ErrConflict) ||
		!strings.Contains(err.Error(), fmt.Sprintf("#%d api 2.0 → test is planned already", third.Deployment.ID)) {
		t.Fatalf("running #%d again beside #%d: %v", first.ID, third.Deployment.ID, err)
	}
}
