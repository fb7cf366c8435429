package engine

import (
	"strings"
	"testing"
	"time"

	"ferry/models"
)

// The times in what a lease makes people read (a run interrupted when its lease ran
// out, a run refused while another holds it) are in the organisation's zone, not the
// machine's nor UTC.
func TestLeaseMessagesAreInTheOrganisationsZone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 13, 5, 7, 0, time.UTC) // 14:05:07 in Berlin
	l := models.Lease{DeploymentID: 7, Actor: "sam", Host: "elsewhere", PID: 42, AcquiredAt: at, ExpiresAt: at}
	gone, why := leaseGone(l, at.Add(time.Second), berlin)
	if !gone || why != "its lease expired at 14:05:07 CET" {
		t.Errorf("an expired lease: %v %q", gone, why)
	}
	busy := (&BusyError{ID: 7, Lease: l, Loc: berlin}).Error()
	if !strings.Contains(busy, "since 14:05:07 CET") {
		t.Errorf("a busy run: %s", busy)
	}
}
