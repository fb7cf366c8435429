package pages

import (
	"slices"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

// wrapIn keeps to its lines and cuts between words, ending with what says where the
// rest is; what fits is left as schedWrap wraps it.
func TestWrapInCutsBetweenWords(t *testing.T) {
	t.Parallel()
	words := strings.Fields("2 deployments at once in production, where capacity is 1: #29765, #29766 (Tue 08 Dec 22:00–22:45)")
	more := []string{"… enter shows all"}
	if got := wrapIn(words, " ", 200, 1, more); len(got) != 1 || strings.Contains(got[0], "…") {
		t.Fatalf("what fits is whole: %q", got)
	}
	for n := 1; n <= 3; n++ {
		got := wrapIn(words, " ", 30, n, more)
		if len(got) != n || !strings.HasSuffix(got[n-1], more[0]) {
			t.Fatalf("%d lines: %q", n, got)
		}
		shown := strings.Fields(strings.TrimSuffix(strings.Join(got, " "), more[0]))
		if len(shown) > len(words) || !slices.Equal(words[:len(shown)], shown) {
			t.Fatalf("%d lines: cut inside a word: %q", n, got)
		}
		for _, l := range got {
			if lipgloss.Width(l) > 30 {
				t.Fatalf("%d lines: wider than 30: %q", n, got)
			}
		}
	}
	if got := wrapIn(words, " ", 10, 1, []string{"…", "enter", "shows", "all"}); len(got) != 1 {
		t.Fatalf("no room even for the hint: still one line, got %q", got)
	}
}
