package cli_test

import (
	"strings"
	"testing"
)

// ferry version block: managers only, with a reason that a refused plan repeats;
// ferry version with no arguments still prints ferry's own version.
func TestVersionBlockAndUnblock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if r := f.ok("version"); !strings.Contains(r.stdout, "ferry "+testVersion) {
		t.Fatalf("ferry version:\n%s", r)
	}
	f.refused(2, []string{"--reason"}, "--as", "ana", "version", "block", "web-frontend", "7.3.1")
	f.refused(1, []string{"sam (practitioner) may not block"}, "--as", "sam", "version", "block", "web-frontend", "7.3.1",
		"--reason", "leaks memory")
	f.ok("--as", "ana", "version", "block", "web-frontend", "7.3.1", "--reason", "leaks memory")
	f.refused(1, []string{"web-frontend 7.3.1 is blocked by ana (leaks memory)"}, "--as", "ana", "deploy", "plan",
		"--model", "web-service", "--component", "web-frontend", "--version", "7.3.1", "--env", "dev", "--start", "2090-01-01 10:00")
	if got := f.ok("--as", "eve", "version", "blocked").stdout; !strings.Contains(got, "web-frontend 7.3.1  blocked by ana") {
		t.Fatalf("version blocked:\n%s", got)
	}
	f.ok("--as", "ana", "version", "unblock", "web-frontend", "7.3.1", "--note", "fixed")
	f.planIn("dev", "7.3.1", "2090-01-01 10:00")
	f.refused(1, []string{"web-frontend 7.3.1 is not blocked"}, "--as", "ana", "version", "unblock", "web-frontend", "7.3.1")
}
