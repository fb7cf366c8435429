package common

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// A wrapped message keeps dates and names whole, breaks only at spaces, and cuts a
// word only when it is longer than a line; nothing is lost.
func TestWrapKeepsDatesWhole(t *testing.T) {
	t.Parallel()
	got := Wrap("#12 cannot start now: it may start from 2026-12-05 21:45 CET", 30)
	want := []string{"#12 cannot start now: it may", "start from 2026-12-05 21:45", "CET"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	long := strings.Repeat("x", 25)
	got = Wrap("a "+long+" b", 10)
	if strings.ReplaceAll(strings.Join(got, ""), " ", "") != "a"+long+"b" || len(got) != 4 {
		t.Fatalf("a long word: %q", got)
	}
	for _, l := range got {
		if ansi.StringWidth(l) > 10 {
			t.Fatalf("line %q is wider than 10", l)
		}
	}
	if got := Wrap("one\ntwo three", 20); !slices.Equal(got, []string{"one", "two three"}) {
		t.Fatalf("lines: %q", got)
	}
}
