package schedule

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ferry/models"
)

var update = flag.Bool("update", false, "rewrite testdata/messages.golden")

// TestVersionFollowsMessages: conflicts are kept in the database with their
// messages, so a change to what detection finds or how it words it must come with a
// new Version, or databases keep the old words until a plan near them changes (as
// they did when the times were rewritten). The golden holds the Version beside every
// kind's key and message for one set of plans.
func TestVersionFollowsMessages(t *testing.T) {
	got := messagesOfEveryKind(t)
	path := filepath.Join("testdata", "messages.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./engine/schedule -run TestVersionFollowsMessages -update writes it)", err)
	}
	want := string(b)
	if got == want {
		return
	}
	if first, _, _ := strings.Cut(want, "\n"); first == "version "+Version {
		t.Fatalf("detection finds or words conflicts differently but Version is still %q, so stored conflicts "+
			"would keep the old: raise Version, say why beside it, then rewrite the golden with -update.\ngot:\n%s\nwant:\n%s",
			Version, got, want)
	}
	t.Fatalf("Version is %q, the golden is older: rewrite it with go test ./engine/schedule -run TestVersionFollowsMessages -update", Version)
}

// messagesOfEveryKind is "version N" and then a line for each conflict among plans
// that hold every kind, in order.
func messagesOfEveryKind(t *testing.T) string {
	w := world()
	nothingSucceeded(&w)
	w.Depends = map[string][]string{"ledger": {"rack"}}
	w.Blocked = func(component, version string) (string, bool) { return "corrupts the index", component == "search" }
	items := []Item{
		item(1, "production", "a", "", "2026-11-28 22:00", 2), // capacity with #2
		item(2, "production", "b", "", "2026-11-28 23:00", 1),
		item(3, "dev", "api", "tom", "2026-11-26 10:00", 2),  // component with #4, person with #5
		item(4, "staging", "api", "", "2026-11-26 10:30", 1), // promotion: not through dev
		item(5, "dev", "c", "tom", "2026-11-26 11:00", 1),
		item(6, "production", "d", "", "2026-12-19 22:00", 2),        // freeze
		item(7, "production", "e", "", "2026-11-29 03:00", 2),        // maintenance
		withAfter(item(8, "dev", "f", "", "2026-11-26 11:30", 1), 3), // dependency: starts before #3 ends
		item(9, "dev", "search", "", "2026-11-30 10:00", 1),          // blocked version
		item(10, "staging", "ledger", "", "2026-11-24 10:00", 2),     // related with #11
		item(11, "staging", "rack", "", "2026-11-24 11:00", 2),
	}
	var b strings.Builder
	fmt.Fprintf(&b, "version %s\n", Version)
	seen := map[models.ConflictKind]bool{}
	for _, c := range Detect(items, w) {
		seen[c.Kind] = true
		fmt.Fprintf(&b, "%s\t%s\n", c.Key, c.Message)
	}
	for _, k := range models.ConflictKinds {
		if !seen[k] {
			t.Errorf("the plans hold no %s conflict: the golden would not notice its words change", k)
		}
	}
	return b.String()
}
