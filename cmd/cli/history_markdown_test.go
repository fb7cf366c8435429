package cli_test

import (
	"strings"
	"testing"
)

// TestHistoryMarkdown: --format markdown is a table a wiki shows as it is, the start
// in the organisation's zone, one row per deployment of the page.
func TestHistoryMarkdown(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.planIn("dev", "1.0", "2030-11-01 10:00")
	f.planIn("test", "2.0", "2030-11-02 10:00", "--assignee", "sam")
	lines := strings.Split(strings.TrimSuffix(f.ok("--as", "ana", "history", "--format", "markdown").stdout, "\n"), "\n")
	want := []string{
		"| ID | start (Europe/Berlin) | environment | component | version | status | assignee |",
		"|---:|---|---|---|---|---|---|",
		"| 2 | 2030-11-02 10:00 | test | web-frontend | 2.0 | planned | sam |",
	}
	if len(lines) != 4 || strings.Join(lines[:3], "\n") != strings.Join(want, "\n") ||
		!strings.HasPrefix(lines[3], "| 1 | 2030-11-01 10:00 | dev | web-frontend | 1.0 | planned |") {
		t.Fatalf("markdown:\n%s", strings.Join(lines, "\n"))
	}
}
