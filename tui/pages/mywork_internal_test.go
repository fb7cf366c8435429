package pages

import (
	"fmt"
	"testing"
	"time"

	"ferry/engine"
	"ferry/tui/internal/tuitest"
)

// TestMyWorkWorksEachStateOutOnce: a redraw of My work works out each row's state
// (its word, or its start: an overdue check, a date to write) once, and uses it both
// to size the state column and to draw the row; it did it twice for every row in
// sight, once to measure the column and once to draw.
func TestMyWorkWorksEachStateOutOnce(t *testing.T) {
	t.Parallel()
	c := tuitest.Org(t, "tom")
	ana, err := c.Eng.Person("ana")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if _, _, err := c.Eng.Plan(c.Ctx, ana, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
			Version: fmt.Sprint(i + 2), Environment: "production", Start: tuitest.Now.Add(time.Duration(48+24*i) * time.Hour),
			Assignee: "tom"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, w := range []int{60, 120} {
		m := NewMyWork(c).(*mywork)
		m.SetSize(w, 20)
		m.Update(m.Refresh()())
		if len(m.items) != 5 {
			t.Fatalf("setup: %d items, want 5", len(m.items))
		}
		m.stated = 0
		m.View()
		if m.stated != len(m.items) {
			t.Errorf("at %d a redraw worked out %d states for %d rows", w, m.stated, len(m.items))
		}
	}
}
