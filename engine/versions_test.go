package engine

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ferry/models"
)

// A blocked version goes nowhere: planning it is refused with the reason, its
// planned deployments are in a blocked_version conflict (found by the full detection
// and by the one-plan check alike) that no override lifts, starting one is refused,
// and where marks it. A removal of it may go ahead. Unblocking lets it go again.
func TestBlockedVersionGoesNowhere(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	ana, sam := f.person(t, "ana"), f.person(t, "sam")
	start := f.now.Add(time.Hour)
	running := f.planWhere(t, "api", "2.0", "test", f.now.Add(-30*time.Minute), models.ActionDeploy)
	f.finish(t, running.ID)
	planned := f.planWhere(t, "api", "2.0", "production", start, models.ActionDeploy)
	if _, err := f.e.BlockVersion(f.ctx, sam, "api", "2.0", "corrupts the ledger"); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("a practitioner may not block: %v", err)
	}
	if _, err := f.e.BlockVersion(f.ctx, ana, "api", "2.0", ""); err == nil {
		t.Fatal("a block needs a reason")
	}
	if _, err := f.e.BlockVersion(f.ctx, ana, "api", "2.0", "corrupts the ledger"); err != nil {
		t.Fatal(err)
	}
	_, _, err := f.e.Plan(f.ctx, ana, PlanRequest{Model: "plain", Component: "api", Version: "2.0", Environment: "test", Start: start})
	if !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), "corrupts the ledger") {
		t.Fatalf("planning a blocked version is refused with the reason: %v", err)
	}
	all, err := f.e.Conflicts(f.ctx, ana, ConflictFilter{})
	if err != nil || len(all) != 1 || all[0].Kind != models.ConflictBlocked || !all[0].Involves(planned.ID) {
		t.Fatalf("the planned deployment is in a blocked_version conflict: %+v %v", all, err)
	}
	det, err := f.e.Deployment(f.ctx, ana, planned.ID)
	if err != nil || len(det.Conflicts) != 1 || det.Conflicts[0].Key != all[0].Key {
		t.Fatalf("the one-plan check finds the same conflict: %+v %v", det.Conflicts, err)
	}
	if _, err := f.e.Override(f.ctx, ana, all[0].ID, "we know"); err == nil || !strings.Contains(err.Error(), "unblock") {
		t.Fatalf("a blocked version is not overridden: %v", err)
	}
	if _, err := f.e.Start(f.ctx, ana, planned.ID, "anyway"); !errors.Is(err, models.ErrConflict) ||
		!strings.Contains(err.Error(), "corrupts the ledger") {
		t.Fatalf("starting a blocked version is refused, even by a manager with a reason: %v", err)
	}
	w := f.where(t, WhereFilter{Component: "api"})
	if c := cellAt(t, w, "api", "test"); c.Blocked != "by ana: corrupts the ledger" {
		t.Fatalf("where marks the blocked version in test: %+v", c)
	}
	if c := cellAt(t, w, "api", "production"); c.NextBlocked == "" {
		t.Fatalf("where marks the blocked version coming to production: %+v", c)
	}
	// Taking it out is what a block is for.
	f.planWhere(t, "api", "2.0", "test", start.Add(2*time.Hour), models.ActionRemove)
	if err := f.e.UnblockVersion(f.ctx, ana, "api", "2.0", "fixed upstream"); err != nil {
		t.Fatal(err)
	}
	if cs, _ := f.e.Conflicts(f.ctx, ana, ConflictFilter{}); len(cs) != 0 {
		t.Fatalf("unblocked, no conflict is left: %+v", cs)
	}
	if _, err := f.e.Start(f.ctx, ana, planned.ID, ""); err != nil {
		t.Fatalf("unblocked, it starts: %v", err)
	}
	log, err := f.e.AuditLog(f.ctx, ana, AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	for _, l := range log {
		said = append(said, l.Detail)
	}
	if got := strings.Join(said, "\n"); !strings.Contains(got, "blocked api 2.0: corrupts the ledger") ||
		!strings.Contains(got, "unblocked api 2.0: fixed upstream") {
		t.Fatalf("the audit log keeps the block and the unblock:\n%s", got)
	}
}

// TestViewSaysTheVersionIsBlocked: a deployment's page says its version is blocked,
// by whom and why, whatever its status (a finished one too: a failure is where a bad
// version shows), so the person reads it there and a manager may lift it there.
func TestViewSaysTheVersionIsBlocked(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	ana := f.person(t, "ana")
	done := f.planWhere(t, "api", "2.0", "test", f.now.Add(-30*time.Minute), models.ActionDeploy)
	f.finish(t, done.ID)
	other := f.planWhere(t, "api", "2.1", "test", f.now.Add(time.Hour), models.ActionDeploy)
	if _, err := f.e.BlockVersion(f.ctx, ana, "api", "2.0", "corrupts the ledger"); err != nil {
		t.Fatal(err)
	}
	v, err := f.e.View(f.ctx, ana, done.ID, ViewRequest{Record: true})
	if err != nil || v.Block == nil || v.Block.Actor != "ana" || v.Block.Reason != "corrupts the ledger" {
		t.Fatalf("the finished deployment's version is blocked: %+v %v", v.Block, err)
	}
	if v, err := f.e.View(f.ctx, ana, other.ID, ViewRequest{Record: true}); err != nil || v.Block != nil {
		t.Fatalf("another version of it is not: %+v %v", v.Block, err)
	}
	if err := f.e.UnblockVersion(f.ctx, ana, "api", "2.0", ""); err != nil {
		t.Fatal(err)
	}
	if v, err := f.e.View(f.ctx, ana, done.ID, ViewRequest{Record: true}); err != nil || v.Block != nil {
		t.Fatalf("unblocked, the page says no block: %+v %v", v.Block, err)
	}
}
