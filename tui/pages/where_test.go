package pages_test

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"ferry/engine"
)

// whereConsole is kim's console (an analyst reads the matrix) on a demo history,
// on the Where screen, in a w×h terminal.
func whereConsole(t *testing.T, w, h int) (*Model, engine.Where) {
	t.Helper()
	c := newDemoCommon(t, "kim", 400)
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	load(m, m.Top().Refresh())
	press(m, "6")
	data, err := c.Eng.Where(c.Ctx, c.Actor, engine.WhereFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return m, data
}

// TestWhereScreenShowsTheMatrixAndOpensTheDeployment: tab 6 lays out every
// component against every environment, the selected cell in words below; enter
// opens the deployment that put the version there, n the one coming.
func TestWhereScreenShowsTheMatrixAndOpensTheDeployment(t *testing.T) {
	t.Parallel()
	m, data := whereConsole(t, 120, 35)
	got := screenText(m)
	for _, env := range data.Environments {
		if !strings.Contains(got, env) {
			t.Fatalf("the matrix lacks environment %s:\n%s", env, got)
		}
	}
	// Walk to the first cell that has a version and something else coming.
	var r, c int
	found := false
	for i, row := range data.Rows {
		for j, cell := range row.Cells {
			if !found && cell.Current != nil && cell.Next != nil && cell.Differs {
				r, c, found = i, j, true
			}
		}
	}
	if !found {
		t.Fatal("the demo should have a cell with another version coming")
	}
	for range r {
		press(m, "down")
	}
	for range c {
		press(m, "right")
	}
	cell := data.Rows[r].Cells[c]
	got = screenText(m)
	want := fmt.Sprintf("%s %s #%d in %s since", data.Rows[r].Component, cell.Current.Version, cell.Current.ID, cell.Environment)
	if !strings.Contains(got, want) || !strings.Contains(got, "by "+cell.Current.Assignee) ||
		!strings.Contains(got, fmt.Sprintf("≠ next: %s #%d", cell.Next.Version, cell.Next.ID)) {
		t.Fatalf("the foot should say %q by %s and what comes (#%d):\n%s", want, cell.Current.Assignee, cell.Next.ID, got)
	}
	if !strings.Contains(got, "≠"+cell.Current.Version) {
		t.Fatalf("the cell should be marked ≠:\n%s", got)
	}
	press(m, "enter")
	if got := screenText(m); !strings.Contains(got, fmt.Sprintf("#%d", cell.Current.ID)) || !strings.Contains(got, "Where ›") {
		t.Fatalf("enter should open #%d:\n%s", cell.Current.ID, got)
	}
	press(m, "esc", "n")
	if got := screenText(m); !strings.Contains(got, fmt.Sprintf("#%d", cell.Next.ID)) {
		t.Fatalf("n should open the next, #%d:\n%s", cell.Next.ID, got)
	}
}

// TestWhereOnAPhoneAndWide pictures the matrix at 60×20 and 120×35 (go test
// -update rewrites testdata/TestWhereOnAPhoneAndWide/*.golden).
func TestWhereOnAPhoneAndWide(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{60, 20}, {120, 35}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m, _ := whereConsole(t, size[0], size[1])
			fits(t, m, "where", size[0], size[1])
			golden.RequireEqual(t, []byte(screenText(m)))
		})
	}
}

// A cell no model goes to (a rack in dev) is "·", not the "—" of a gap, and its foot
// says why: "nothing deployed" read as work left undone.
func TestWhereSaysACellIsOffItsPath(t *testing.T) {
	t.Parallel()
	m, data := whereConsole(t, 120, 35)
	r := -1
	for i, row := range data.Rows {
		if r < 0 && row.Cells[0].OffPath && !row.Cells[len(row.Cells)-1].OffPath {
			r = i
		}
	}
	if r < 0 {
		t.Fatal("the demo should have a component that goes to production and not to dev")
	}
	for range r {
		press(m, "down")
	}
	row := data.Rows[r]
	want := fmt.Sprintf("%s does not go to %s: no model takes %s there", row.Component, row.Cells[0].Environment, row.Kind)
	if got := screenText(m); !strings.Contains(got, want) || !strings.Contains(lineWith(got, row.Component), "·") {
		t.Fatalf("want %q, the cell marked ·:\n%s", want, got)
	}
	press(m, "enter") // off, and why: not "yet"
	if got := screenText(m); !strings.Contains(got, "no model takes it here") || strings.Contains(got, "deployed here yet") {
		t.Fatalf("enter on a cell off the path:\n%s", got)
	}
}
