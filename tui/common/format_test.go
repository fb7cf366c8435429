package common

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

const msg = `#29721 touches freeze "friday afternoons" in production (Fri 04 Dec 14:00 – Fri 04 Dec 23:59)`

// TestHangingAlignsUnderTheText: the lines after the first start where the text
// started on the first, none is wider than asked, and every word is kept.
func TestHangingAlignsUnderTheText(t *testing.T) {
	for _, w := range []int{40, 41, 60, 61} {
		lead := "  ✗ c38e887a freeze      "
		lines := Hanging(lead, msg, w)
		if len(lines) < 2 || !strings.HasPrefix(lines[0], lead) {
			t.Fatalf("w=%d: %q", w, lines)
		}
		var words []string
		for i, l := range lines {
			if lipgloss.Width(l) > w {
				t.Errorf("w=%d: line %d is %d wide: %q", w, i, lipgloss.Width(l), l)
			}
			text := strings.TrimPrefix(l, lead)
			if i > 0 {
				pad := strings.Repeat(" ", lipgloss.Width(lead))
				if !strings.HasPrefix(l, pad) || strings.HasPrefix(l, pad+" ") {
					t.Errorf("w=%d: line %d does not start under the text: %q", w, i, l)
				}
				text = strings.TrimPrefix(l, pad)
			}
			words = append(words, strings.Fields(text)...)
		}
		if got := strings.Join(words, " "); got != msg {
			t.Errorf("w=%d: the words changed: %q", w, got)
		}
	}
}

// TestBesideGoesUnderWhenNarrow: a long text beside a wide lead goes under it,
// indented, rather than a few words a line; a short one stays beside.
func TestBesideGoesUnderWhenNarrow(t *testing.T) {
	lead := "  03 Dec 21:32  marc   planned     "
	if got := Beside(lead, "status planned", 60, 40); len(got) != 1 {
		t.Errorf("a short text stays beside: %q", got)
	}
	got := Beside(lead, msg, 60, 40)
	if strings.TrimSpace(got[0]) != strings.TrimSpace(lead) || !strings.HasPrefix(got[1], "    #29721") {
		t.Errorf("a long one goes under: %q", got)
	}
	if got := Beside(lead, msg, 120, 40); !strings.HasPrefix(got[0], lead+"#29721") {
		t.Errorf("with room, beside: %q", got)
	}
}

// TestPackKeepsItemsWhole: items go on a line while they fit, never split, unless
// one alone is wider than a line.
func TestPackKeepsItemsWhole(t *testing.T) {
	items := []string{"Tue 08 Dec 15:45", "Wed 09 Dec 01:45", "Wed 09 Dec 15:15"}
	got := Pack(items, " · ", 40)
	want := []string{"Tue 08 Dec 15:45 · Wed 09 Dec 01:45", "Wed 09 Dec 15:15"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := Pack([]string{"a", strings.Repeat("b", 25)}, " · ", 10); len(got) != 4 || got[0] != "a" {
		t.Errorf("a long item is wrapped on lines of its own: %q", got)
	}
}

// TestPackBesideGivesTheLinesUnderTheFirstTheirWidth: only the first line shares its
// row (with the History's count); an item under it is wrapped only when wider than
// a whole line. It was wrapped to the first's width: "every deployment · f" over
// "filters" on a phone.
func TestPackBesideGivesTheLinesUnderTheFirstTheirWidth(t *testing.T) {
	got := PackBeside([]string{"newest first", "every deployment · f filters"}, " · ", 24, 58)
	want := []string{"newest first", "every deployment · f filters"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", got, want)
	}
	got = PackBeside([]string{strings.Repeat("a ", 20)}, " · ", 10, 30)
	if len(got) != 2 || lipgloss.Width(got[0]) > 10 || lipgloss.Width(got[1]) > 30 || lipgloss.Width(got[1]) <= 10 {
		t.Errorf("an item too wide for the first line goes on under it in the full width: %q", got)
	}
}

// TestProgressShowsWhereItStands: the bar fills to the nearest cell, shows a first
// tick on a long checklist and keeps a cell open until the last.
func TestProgressShowsWhereItStands(t *testing.T) {
	for _, c := range []struct {
		done, total int
		want        string
	}{
		{0, 12, "░░░░░ 0/12"},
		{1, 12, "▓░░░░ 1/12"},
		{6, 12, "▓▓▓░░ 6/12"}, // 2.5 cells: to the nearest
		{7, 10, "▓▓▓▓░ 7/10"},
		{11, 12, "▓▓▓▓░ 11/12"},
		{12, 12, "▓▓▓▓▓ 12/12"},
		{0, 0, "░░░░░ 0/0"},
	} {
		if got := Progress(c.done, c.total); got != c.want {
			t.Errorf("Progress(%d, %d) = %q, want %q", c.done, c.total, got, c.want)
		}
	}
}

// A route too long for its cell keeps where it goes and cuts what goes there.
func TestFitEndsKeepsTheTail(t *testing.T) {
	for _, c := range []struct {
		w    int
		want string
	}{
		{40, "#7 rack-b07-db-server → production      "},
		{26, "#7 rack-b07-… → production"},
		{16, "#7 rack-b07-db-…"}, // no room for the head beside it: cut as Fit cuts
	} {
		if got := FitEnds("#7 rack-b07-db-server", " → production", c.w); got != c.want || lipgloss.Width(got) != c.w {
			t.Errorf("w=%d: %q, want %q", c.w, got, c.want)
		}
	}
}

// A sparkline keeps its scale when a new value comes, however low (nothing jumps on
// a refresh), and still shows the shape of rates between 94% and 99%; no data is a
// dot.
func TestSparklineKeepsItsScale(t *testing.T) {
	before := []rune(Sparkline([]float64{0.95, 0.99, 1, 0.97, -1}))
	after := []rune(Sparkline([]float64{0.95, 0.99, 1, 0.97, 0.85}))
	if string(before[:4]) != string(after[:4]) {
		t.Fatalf("a new value redrew the others: %q then %q", string(before), string(after))
	}
	if !(before[0] < before[1] && before[1] <= before[2] && before[3] < before[1]) || before[4] != '·' {
		t.Fatalf("the shape of 95, 99, 100, 97%% and no data: %q", string(before))
	}
	// A day below 80% is the lowest block and leaves the others as they were: a scale
	// lowered to it made every other day full.
	low := []rune(Sparkline([]float64{0.95, 0.99, 1, 0.97, 0.4}))
	if string(low[:4]) != string(before[:4]) || low[4] != '▁' {
		t.Fatalf("a day at 40%% redrew the others or is not the lowest: %q then %q", string(before), string(low))
	}
}
