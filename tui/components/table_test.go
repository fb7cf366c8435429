package components

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/bubbles/v2/table"
	"github.com/charmbracelet/x/ansi"
)

// TestShowAtShowsTheRowWithRowsAboveIt: wherever the table was scrolled, the cursor
// row is on screen, with `above` rows over it when it is not near either end.
func TestShowAtShowsTheRowWithRowsAboveIt(t *testing.T) {
	for _, n := range []int{1, 5, 30, 120} {
		for _, h := range []int{3, 5, 16, 30} {
			for c := range n {
				for _, scrolled := range []int{0, n / 3, n - 1} {
					tb := table.New()
					tb.SetWidth(20)
					tb.SetColumns([]table.Column{{Title: "n", Width: 6}})
					tb.SetHeight(h + 1) // with the header
					rows := make([]table.Row, n)
					for i := range rows {
						rows[i] = table.Row{fmt.Sprintf("r%d", i)}
					}
					tb.SetRows(rows)
					tb.MoveDown(scrolled)
					above := h / 3
					ShowAt(&tb, c, above)
					shown := strings.Split(ansi.Strip(tb.View()), "\n")[1:]
					first := -1
					fmt.Sscanf(strings.TrimSpace(shown[0]), "r%d", &first)
					switch {
					case tb.Cursor() != c:
						t.Fatalf("n=%d h=%d c=%d: cursor at %d", n, h, c, tb.Cursor())
					case c < first || c >= first+h:
						t.Fatalf("n=%d h=%d c=%d: rows from %d shown, the cursor is off screen", n, h, c, first)
					case c >= h && c+2*h <= n && first != c-above: // near the end, the table keeps its last page
						t.Fatalf("n=%d h=%d c=%d: rows from %d shown, want %d above the cursor", n, h, c, first, above)
					}
				}
			}
		}
	}
}
