package pages

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"ferry/models"
	"ferry/tui/common"
)

// A list's heading keeps what is out of sight whole: the longest title that leaves
// room for it, else the shortest cut before it, never it. The freeze impact, the
// blocked versions and the register all head their lists so.
func TestItemListHeadingKeepsItsPlaceWhole(t *testing.T) {
	t.Parallel()
	c := common.New(context.Background(), nil, models.Person{})
	l := newItemList(c, func(i int, _ bool) []string { return []string{fmt.Sprintf("item %d", i+1)} })
	l.SetSize(3)
	l.Load(12, 11)
	long, short := " 12 blocked versions: planned and started nowhere until unblocked", " 12 blocked versions"
	for _, tc := range []struct {
		w    int
		want string
	}{
		{100, long + " · 10–12 of 12 ↑/↓"},
		{80, short + " · 10–12 of 12 ↑/↓"}, // the long title fits alone, not with where the list is
		{30, " 12 blocked… · 10–12 of 12 ↑/↓"},
	} {
		head, body := l.View(tc.w, long, short)
		if got := strings.TrimRight(ansi.Strip(head), " "); got != tc.want || ansi.StringWidth(head) != tc.w {
			t.Errorf("at %d cells the heading is %q, want %q", tc.w, got, tc.want)
		}
		if strings.Join(body, "|") != "item 10|item 11|item 12" {
			t.Errorf("at %d cells the items in view: %q", tc.w, body)
		}
	}
	l.Load(2, 0) // all in view: nothing to say of it
	if head, _ := l.View(80, long, short); strings.TrimRight(head, " ") != long {
		t.Errorf("all in view, the long title alone: %q", head)
	}
}
