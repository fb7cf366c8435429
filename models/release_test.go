package models

import "testing"

// A release's status in an environment from its parts' latest deployments there:
// one part done and the other cancelled, with nothing planned, is cancelled there,
// not planned.
func TestStatusOfRelease(t *testing.T) {
	for _, c := range []struct {
		latest []Status
		want   ReleaseStatus
	}{
		{nil, ReleaseNone},
		{[]Status{StatusSucceeded, StatusSucceeded}, ReleaseDone},
		{[]Status{StatusSucceeded, StatusPlanned}, ReleasePlanned},
		{[]Status{StatusSucceeded, StatusExecuting}, ReleaseRunning},
		{[]Status{StatusSucceeded, StatusFailed}, ReleasePartlyFailed},
		{[]Status{StatusSucceeded, StatusCancelled}, ReleaseCancelled},
		{[]Status{StatusCancelled, StatusCancelled}, ReleaseCancelled},
	} {
		if got := StatusOfRelease(2, c.latest); got != c.want {
			t.Errorf("%v: %q, want %q", c.latest, got, c.want)
		}
	}
}
