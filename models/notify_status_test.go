package models

import (
	"testing"
	"time"
)

// A channel whose messages wait and whose last try since its last send failed is
// retrying, not working: the channels screen said "✓ working" of one that had never
// delivered a message, its "connection refused" under it.
func TestChannelRetryingIsNotWorking(t *testing.T) {
	at := time.Date(2026, 12, 8, 4, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		s    ChannelStatus
		want bool
	}{
		{"never delivered, an error", ChannelStatus{Pending: 1, LastError: "connection refused", LastErrorAt: at}, true},
		{"delivered since the error", ChannelStatus{Pending: 1, LastErrorAt: at, LastSentAt: at.Add(time.Minute)}, false},
		{"nothing waits", ChannelStatus{LastErrorAt: at}, false},
		{"failing says more", ChannelStatus{Pending: 1, LastErrorAt: at, Failing: true}, false},
	} {
		if got := c.s.Retrying(); got != c.want {
			t.Errorf("%s: Retrying() = %v, want %v", c.name, got, c.want)
		}
	}
}
