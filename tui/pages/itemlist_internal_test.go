package pages

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
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

// Given more room (a phone's terminal made larger), a list scrolled to its end
// scrolls back so that as many items as fit show: the register at 60×20, scrolled to
// its last, then at 120×35 said "2–6 of 6" with item 1 out of sight above empty rows.
// The freeze impact and the blocked versions share the list, and so the fix.
func TestItemListGivenMoreRoomShowsWhatFits(t *testing.T) {
	t.Parallel()
	c := common.New(context.Background(), nil, models.Person{})
	wide := false
	l := newItemList(c, func(i int, _ bool) []string { // 3 lines narrow, 2 wide, as a wrapped title
		if wide {
			return []string{fmt.Sprintf("item %d", i+1), "  facts"}
		}
		return []string{fmt.Sprintf("item %d", i+1), "  title goes on", "  facts"}
	})
	l.SetSize(10)
	l.Load(6, 0)
	for range 5 {
		l.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	}
	if head, _ := l.View(60, " 6 improvements"); !strings.Contains(head, "4–6 of 6") {
		t.Fatalf("at the end of a narrow list: %q", head)
	}
	wide = true
	l.SetSize(31)
	head, body := l.View(120, " 6 improvements")
	if strings.Contains(head, "of 6") || len(body) != 12 || body[0] != "item 1" {
		t.Errorf("with room for all, all show: %q %q", head, body)
	}
	l.SetSize(9) // room for 4 of the 6: the last four, the selected one among them
	if head, body := l.View(120, " 6 improvements"); !strings.Contains(head, "3–6 of 6") || body[0] != "item 3" {
		t.Errorf("with room for four: %q %q", head, body)
	}
	l.Update(tea.KeyPressMsg{Code: 'k', Text: "k"}) // moving up in a full list does not pull it back
	if head, _ := l.View(120, " 6 improvements"); !strings.Contains(head, "3–6 of 6") {
		t.Errorf("up from the last: %q", head)
	}
}
