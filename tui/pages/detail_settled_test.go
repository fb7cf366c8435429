package pages_test

import (
	"strings"
	"testing"
)

// TestDetailMarksAConflictStartedAgainstAsSettled: #1 is under way, started by a
// manager outside production's maintenance windows. Its page marks that conflict ▶
// (under way against it, beside who let it start and why), as the Schedule and the
// Conflicts screen do: nothing more is asked of a deployment under way. It showed ✗,
// which reads as something still to resolve, and then ✓ where the Conflicts screen
// said ▶, which read as resolved.
func TestDetailMarksAConflictStartedAgainstAsSettled(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	press(m, "2", "/")
	typeText(m, "#1")
	press(m, "enter")
	got := screenText(m)
	var head string
	for _, l := range strings.Split(got, "\n") {
		if strings.Contains(l, " maintenance ") {
			head = l
			break
		}
	}
	if !strings.Contains(got, "started anyway by ana") || !strings.Contains(head, "▶") || strings.Contains(head, "✗") {
		t.Fatalf("#1's maintenance conflict should be marked under way (▶); its line: %q\n%s", head, got)
	}
}
