package pages_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"ferry/tui/internal/tuitest"
)

// Needs you is the person's inbox: a gate they may approve waits there, and a
// deployment running past its window shows as overrunning, on the dashboard as in My
// work.
func TestNeedsYouHasGatesAndOverruns(t *testing.T) {
	m := sized(t, "marc", 120, 35) // a manager who did not ask for the runbook
	id := atTheGate(t, m)
	press(m, "ctrl+r")
	if got := screenText(m); !strings.Contains(got, "◆ gate #"+strconv.FormatInt(id, 10)) {
		t.Fatalf("the gate should wait in Needs you:\n%s", got)
	}
	*tuitest.Clock = tuitest.Now.Add(6 * time.Hour) // the running installation's window has ended
	press(m, "ctrl+r")
	if got := screenText(m); !strings.Contains(got, "overrunning #1") {
		t.Fatalf("a deployment past its window should show as overrunning:\n%s", got)
	}
	tom := sized(t, "tom", 60, 20)
	*tuitest.Clock = tuitest.Now.Add(6 * time.Hour)
	press(tom, "ctrl+r")
	if got := screenText(tom); !strings.Contains(got, "OVERRUNNING") {
		t.Fatalf("My work should mark the overrun:\n%s", got)
	}
}
