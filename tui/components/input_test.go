package components

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"ferry/tui/common"
)

// A reason longer than its field is shown whole under it, wrapped within the field's
// width: the field itself scrolls and hides what was typed first.
func TestInputLinesShowWhatScrolledAway(t *testing.T) {
	st := common.NewStyles(true)
	in := NewInput(st, "blocked because: ", "")
	in.SetWidth(30)
	in.SetValue("suppression system shows fault code E42 on panel, waiting for facilities to inspect")
	lines := InputLines(st, in)
	whole := strings.Join(strings.Fields(ansi.Strip(strings.Join(lines[1:], " "))), " ")
	if len(lines) < 3 || whole != in.Value() {
		t.Fatalf("the whole text under the field: %q", lines)
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 30+len(in.Prompt)+1 { // the field and its cursor
			t.Errorf("%q is %d cells, wider than the field", l, w)
		}
	}
	in.SetValue("short")
	if got := InputLines(st, in); len(got) != 1 {
		t.Fatalf("a text that fits is not repeated: %q", got)
	}
}
