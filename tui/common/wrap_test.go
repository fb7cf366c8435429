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
	want := []string{"#12 cannot start now: it may", "start from", "2026-12-05 21:45 CET"}
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

// A time keeps its zone on its line: "04:00" at the end of one line and "CEST" at
// the start of the next read as a time in no zone and a word. A window too long for a
// line breaks after its dash, each end whole with its zone; an end too long for a
// line breaks at its spaces, never between its time and its zone.
func TestWrapKeepsATimeWithItsZone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s    string
		w    int
		want []string
	}{
		{"✓ maintenance #29736 (Sat 27 Mar 22:00 CET – Sun 28 Mar 04:00 CEST) is not inside", 44,
			[]string{"✓ maintenance #29736 (Sat 27 Mar 22:00 CET –", "Sun 28 Mar 04:00 CEST) is not inside"}},
		{"moved to Sat 27 Mar 22:00 CET – Sun 28 Mar 04:00 CEST", 40,
			[]string{"moved to Sat 27 Mar 22:00 CET –", "Sun 28 Mar 04:00 CEST"}},
		{"(Mon 07 Dec 20:15 – Tue 08 Dec 00:15 CET) is not inside", 36,
			[]string{"(Mon 07 Dec 20:15 –", "Tue 08 Dec 00:15 CET) is not inside"}},
		{"it may start from 21:45 CET, not before", 23, []string{"it may start from", "21:45 CET, not before"}},
		{"due at 04:00 +0530 there", 14, []string{"due at", "04:00 +0530", "there"}},
		{"window Sun 28 Mar 01:00 CET – 04:00 CEST", 20, []string{"window Sun 28 Mar", "01:00 CET –", "04:00 CEST"}},
		{"Sun 28 Mar 04:00 CEST", 12, []string{"Sun 28 Mar", "04:00 CEST"}},
		{"at 14:02 BLOCKED by tom", 12, []string{"at 14:02", "BLOCKED by", "tom"}}, // a word, not a zone
	} {
		wrapsAs(t, tc.s, tc.w, tc.want)
	}
}

// A time after styled text is a time all the same: the escape that ends the style
// sits on its first word ("\x1b[0mTue"), and a phone broke "→ suggested Tue" from
// "05 Jan 2027 23:00 – Wed 06 Jan 2027 00:00".
func TestWrapKnowsATimeAfterStyledText(t *testing.T) {
	t.Parallel()
	got := Wrap("\x1b[2m→ suggested \x1b[0mTue 05 Jan 2027 23:00 – Wed 06 Jan 2027 00:00 CET", 56)
	for i := range got {
		got[i] = ansi.Strip(got[i])
	}
	want := []string{"→ suggested", "Tue 05 Jan 2027 23:00 – Wed 06 Jan 2027 00:00 CET"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// A number stays with the words it belongs to: a line that ends on "where capacity
// is" with the number under it, or starts or ends on a lone "1:", reads as a sentence
// cut short. A number goes with the word before it, or after a clause's end with the
// word after it; a number ending in a colon takes what follows.
func TestWrapKeepsANumberWithItsWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s    string
		w    int
		want []string
	}{
		{"2 deployments at once in production, where capacity is 1: #29821, #29822 (Sat 12 Dec 22:00–22:30)", 56,
			[]string{"2 deployments at once in production, where capacity", "is 1: #29821, #29822 (Sat 12 Dec 22:00–22:30)"}},
		{"3 deployments at once in staging, where capacity is 2: #12, #15, #19 (Mon 07 Dec 10:00–11:00)", 50,
			[]string{"3 deployments at once in staging, where capacity", "is 2: #12, #15, #19 (Mon 07 Dec 10:00–11:00)"}},
		{"3 deployments at once in staging, where capacity is 2: #12, #15, #19 (Mon 07 Dec 10:00–11:00)", 38,
			[]string{"3 deployments at once in staging,", "where capacity is 2: #12, #15, #19", "(Mon 07 Dec 10:00–11:00)"}},
		{"3 deployments at once in staging, where capacity is 2 (Mon 07 Dec 10:00–11:00)", 52,
			[]string{"3 deployments at once in staging, where capacity", "is 2 (Mon 07 Dec 10:00–11:00)"}},
		{"nearest capacity Sat 12 Dec 22:00: 2 deployments at once in production", 44,
			[]string{"nearest capacity Sat 12 Dec 22:00:", "2 deployments at once in production"}},
		{"the runner that started it stopped; 0 lines of output kept", 36,
			[]string{"the runner that started it stopped;", "0 lines of output kept"}},
		{"passed 3 capacity · 1 component · 1 maintenance", 30,
			[]string{"passed 3 capacity ·", "1 component · 1 maintenance"}},
		{"deployments 1,284 success 96.1% failed 31", 20, []string{"deployments 1,284", "success 96.1%", "failed 31"}},
		// A clock time alone is a number too: "due" ended a line, its time alone under it.
		{"⌛ overrunning #29738 auth-service → dev, due 01:20", 46,
			[]string{"⌛ overrunning #29738 auth-service → dev,", "due 01:20"}},
		// A status mark goes with its word: a line ended on "⚠", "overdue" alone under it.
		{"≠ next: 2.5.136 #29743 planned for Tue 08 Dec 03:15 ⚠ overdue", 58,
			[]string{"≠ next: 2.5.136 #29743 planned for Tue 08 Dec 03:15", "⚠ overdue"}},
		{"payments-api 2.5.135 ✗ blocked by raj", 22, []string{"payments-api 2.5.135", "✗ blocked by raj"}},
	} {
		wrapsAs(t, tc.s, tc.w, tc.want)
	}
}

// wrapsAs checks that Wrap(s, w) gives want, no line wider than w, no word lost.
func wrapsAs(t *testing.T, s string, w int, want []string) {
	t.Helper()
	got := Wrap(s, w)
	if !slices.Equal(got, want) {
		t.Errorf("Wrap(%q, %d) = %q, want %q", s, w, got, want)
	}
	for _, l := range got {
		if ansi.StringWidth(l) > w {
			t.Errorf("Wrap(%q, %d): line %q is too wide", s, w, l)
		}
	}
	if strings.Join(strings.Fields(strings.Join(got, " ")), " ") != s {
		t.Errorf("Wrap(%q, %d) lost words: %q", s, w, got)
	}
}
