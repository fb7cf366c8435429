package models

import (
	"fmt"
	"strconv"
	"time"
)

// ExactDuration writes d to the minute, days first, in a form ParseDuration reads
// back as the same length ("1d1h30m", "45m"): what a form offers to edit.
func ExactDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	days, h, m := int(d/(24*time.Hour)), int(d/time.Hour)%24, int(d/time.Minute)%60
	out := ""
	if days > 0 {
		out += fmt.Sprintf("%dd", days)
	}
	if h > 0 {
		out += fmt.Sprintf("%dh", h)
	}
	if m > 0 || out == "" {
		out += fmt.Sprintf("%dm", m)
	}
	return out
}

// ShortDuration writes a limit as it is configured, to the second, without the zero
// units Go's String adds: "10m" (not "10m0s"), "30s", "1h", "1m30s"; under a
// second as Go writes it ("300ms").
func ShortDuration(d time.Duration) string {
	if d > 0 && d < time.Second {
		return d.String()
	}
	d = d.Round(time.Second)
	secs := int(d/time.Second) % 60
	switch {
	case secs == 0 && d > 0:
		return ExactDuration(d)
	case d < time.Minute:
		return fmt.Sprintf("%ds", secs)
	}
	return fmt.Sprintf("%s%ds", ExactDuration(d.Truncate(time.Minute)), secs)
}

// HumanDuration is "45m", "3h12m" or "2d4h": hours and minutes under a day, days and
// hours from a day on, so a column of durations never mixes "46h31m" with "2d22h".
// Every duration Ferry shows a person is written so (reports, the console, the CLI).
func HumanDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	switch {
	case d >= 24*time.Hour:
		d = d.Round(time.Hour)
		return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}

// Thousands writes 1284 as "1,284": counts as people read them (a CSV cell keeps
// the plain number).
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}
