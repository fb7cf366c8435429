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
	// A time is not split between lines when it fits on one.
	got = Wrap("#29905 touches freeze \"year end\" in production (Sat 19 Dec 00:00 – Mon 04 Jan 00:00)", 50)
	want = []string{"#29905 touches freeze \"year end\" in production", "(Sat 19 Dec 00:00 – Mon 04 Jan 00:00)"}
	if !slices.Equal(got, want) {
		t.Fatalf("a time: got %q, want %q", got, want)
	}
	got = Wrap("sam is booked on #1 and #2 at once (Tue 08 Dec 10:00–10:45)", 40)
	want = []string{"sam is booked on #1 and #2 at once", "(Tue 08 Dec 10:00–10:45)"}
	if !slices.Equal(got, want) {
		t.Fatalf("a time: got %q, want %q", got, want)
	}
	got = Wrap("a maintenance window of production (Tue 22:00 - Wed 02:00, Sat 22:00 - Sun 04:00)", 60)
	want = []string{"a maintenance window of production (Tue 22:00 - Wed 02:00,", "Sat 22:00 - Sun 04:00)"}
	if !slices.Equal(got, want) {
		t.Fatalf("a comma ends a time: got %q, want %q", got, want)
	}
	got = Wrap("not inside a maintenance window of production (Tue 22:00 - Wed 02:00, Sat 22:00 - Sun 04:00)", 56)
	want = []string{"not inside a maintenance window of production", "(Tue 22:00 - Wed 02:00, Sat 22:00 - Sun 04:00)"}
	if !slices.Equal(got, want) {
		t.Fatalf("a dash joins two times: got %q, want %q", got, want)
	}
	if got := Wrap("Mon 04 Jan 00:00", 6); !slices.Equal(got, []string{"Mon 04", "Jan", "00:00"}) {
		t.Fatalf("a time wider than a line is broken at its spaces: %q", got)
	}
	if got := Wrap("one\ntwo three", 20); !slices.Equal(got, []string{"one", "two three"}) {
		t.Fatalf("lines: %q", got)
	}
}
