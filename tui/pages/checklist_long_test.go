package pages

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"ferry/engine"
)

// A checklist of hundreds of items draws only the rows that can be in sight, and
// wherever the selection is, the window is full of consecutive items with the
// selected one among them: no gap, no skipped row.
func TestLongChecklistKeepsTheSelectionInAFullWindow(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "tom")
	v := NewChecklist(c, 1).(*checklistView)
	v.SetSize(60, 14)
	v.Update(v.Refresh()()) // the running rack installation
	if len(v.items()) == 0 {
		t.Fatal("the installation has no checklist to test with")
	}
	// Make its stage long: 200 items, each named by its place.
	one := v.items()[0]
	var steps []engine.StepState
	for i := range 200 {
		s := one
		s.Seq, s.Step.Name = i+1, fmt.Sprintf("Item %03d", i)
		steps = append(steps, s)
	}
	v.st.Steps = steps
	v.stageIts = stageItems(v.st)
	for _, sel := range []int{0, 1, 5, 13, 14, 99, 150, 198, 199} {
		v.sel = sel
		lines := strings.Split(ansi.Strip(v.View()), "\n")
		var shown []int
		selected := -1
		for _, l := range lines {
			var n int
			if i := strings.Index(l, "Item "); i >= 0 {
				if _, err := fmt.Sscanf(l[i:], "Item %03d", &n); err == nil {
					shown = append(shown, n)
					if strings.Contains(l, "▸") {
						selected = n
					}
				}
			}
		}
		if selected != sel {
			t.Fatalf("selection %d: the marked row is item %d:\n%s", sel, selected, strings.Join(lines, "\n"))
		}
		for i := 1; i < len(shown); i++ {
			if shown[i] != shown[i-1]+1 {
				t.Fatalf("selection %d: rows %v are not consecutive:\n%s", sel, shown, strings.Join(lines, "\n"))
			}
		}
		if len(lines) != v.h {
			t.Fatalf("selection %d: %d lines, want the window's %d:\n%s", sel, len(lines), v.h, strings.Join(lines, "\n"))
		}
	}
}
