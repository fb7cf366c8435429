package engine

import (
	"strings"
	"testing"
	"time"

	"ferry/models"
)

// TestAnIncidentIsRecordedAgainstADeploymentThatRan: an incident counts in its
// deployment's failure rate and time to restore, so one on a plan that never started,
// or opened before the deployment started, is refused with the reason; from the
// start's minute on it is kept.
func TestAnIncidentIsRecordedAgainstADeploymentThatRan(t *testing.T) {
	f := newFixture(t)
	ana := f.person(t, "ana")
	d := f.plan(t, webReq())
	if _, err := f.e.AddIncident(f.ctx, ana, d.ID, f.now, time.Time{}, "checkout errors"); err == nil ||
		!strings.Contains(err.Error(), "has not started (it is planned)") {
		t.Fatalf("an incident on a plan: %v", err)
	}
	f.now = d.ScheduledStart.Add(30 * time.Second)
	if _, err := f.e.Move(f.ctx, ana, d.ID, models.StatusVerifyingComponents, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.AddIncident(f.ctx, ana, d.ID, d.ScheduledStart.Add(-time.Hour), time.Time{}, "checkout errors"); err == nil ||
		!strings.Contains(err.Error(), "is before #") {
		t.Fatalf("an incident opened before the start: %v", err)
	}
	f.now = f.now.Add(time.Hour)
	// The start's own minute is accepted: a person writes minutes.
	in, err := f.e.AddIncident(f.ctx, ana, d.ID, d.ScheduledStart, time.Time{}, "checkout errors")
	if err != nil || in.ID == 0 {
		t.Fatalf("an incident at the start's minute: %+v %v", in, err)
	}
}
