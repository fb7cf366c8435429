package models

import (
	"strings"
	"testing"
	"time"
)

// A duration the edit form offers is read back as the same length, days included,
// and people may write days themselves.
func TestDurationsRoundTrip(t *testing.T) {
	for _, d := range []time.Duration{45 * time.Minute, 25 * time.Hour, 25*time.Hour + 30*time.Minute, 48 * time.Hour, 9999 * time.Hour} {
		got, err := ParseDuration(ExactDuration(d))
		if err != nil || got != d {
			t.Errorf("%v written %q read back as %v (%v)", d, ExactDuration(d), got, err)
		}
	}
	for s, want := range map[string]time.Duration{"2d": 48 * time.Hour, "1d4h30m": 28*time.Hour + 30*time.Minute, "90m": 90 * time.Minute} {
		if got, err := ParseDuration(s); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", s, got, err, want)
		}
	}
	for _, bad := range []string{"d", "xd", "1d-5m", "1dabc", "-1d", "0", "abc", "-5m"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("%q read as a duration", bad)
		}
	}
}

// A tolerance may be zero, never negative.
func TestTolerances(t *testing.T) {
	for s, want := range map[string]time.Duration{"0": 0, "0m": 0, "0d": 0, "15m": 15 * time.Minute, "1d": 24 * time.Hour} {
		if got, err := ParseTolerance(s); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", s, got, err, want)
		}
	}
	for _, bad := range []string{"-5m", "-1d", "soon", ""} {
		if _, err := ParseTolerance(bad); err == nil {
			t.Errorf("%q read as a tolerance", bad)
		}
	}
}

// Days may be zero (the caller says whether zero means anything), never negative,
// and a negative value is said to be negative, not to be no duration.
func TestDays(t *testing.T) {
	for s, want := range map[string]time.Duration{"0d": 0, "3d": 72 * time.Hour, "36h": 36 * time.Hour, "1d12h": 36 * time.Hour} {
		if got, err := ParseDays(s); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", s, got, err, want)
		}
	}
	for s, want := range map[string]string{"-1d": "must not be negative", "-36h": "must not be negative", "three days": "is not a duration", "--1d": "is not a duration"} {
		if _, err := ParseDays(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", s, err, want)
		}
	}
}

// Where one name says who did a deployment, an automated run with nobody assigned
// is put to its requester, not left blank.
func TestDoneByFallsBackToTheRequester(t *testing.T) {
	if got := (Deployment{Assignee: "tom", Requester: "ana"}).DoneBy(); got != "tom" {
		t.Errorf("assigned: %q", got)
	}
	if got := (Deployment{Requester: "ana"}).DoneBy(); got != "ana" {
		t.Errorf("nobody assigned: %q, want the requester", got)
	}
}
