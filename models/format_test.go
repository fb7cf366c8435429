package models

import (
	"testing"
	"time"
)

// TestHumanDurationOneFormat: under a day, hours and minutes; from a day on, days and
// hours, whichever side of two days (reports showed 46h31m beside 2d22h).
func TestHumanDurationOneFormat(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{45 * time.Minute, "45m"},
		{time.Hour + 8*time.Minute, "1h08m"},
		{23*time.Hour + 59*time.Minute + 20*time.Second, "23h59m"},
		{23*time.Hour + 59*time.Minute + 40*time.Second, "1d0h"},
		{46*time.Hour + 31*time.Minute, "1d23h"},
		{70 * time.Hour, "2d22h"},
		{47*time.Hour + 45*time.Minute, "2d0h"},
	} {
		if got := HumanDuration(tc.d); got != tc.want {
			t.Errorf("HumanDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestShortDurationAsConfigured: a step's timeout reads as it was written in the
// config, never "10m0s".
func TestShortDurationAsConfigured(t *testing.T) {
	for d, want := range map[time.Duration]string{
		10 * time.Minute: "10m", 30 * time.Second: "30s", time.Hour: "1h", 90 * time.Second: "1m30s",
		2*time.Hour + 5*time.Second: "2h5s", 0: "0s", 36 * time.Hour: "1d12h", 300 * time.Millisecond: "300ms",
	} {
		if got := ShortDuration(d); got != want {
			t.Errorf("ShortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 23560: "23,560", 1234567: "1,234,567",
		-123: "-123", -1234: "-1,234"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
