package pages_test

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/exp/golden"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/internal/tuitest"
)

// The phone is first-class: at 60×20, and at 61×20 (an odd width finds an indent
// off by one), no line is wider than the terminal and what a person must read is
// there whole, wrapped rather than cut.

var phoneWidths = []int{60, 61}

// withCrowdedProduction plans tom's second rack into production while his first is
// being installed there: a capacity, a person and a maintenance conflict, besides
// the licence inside the year-end freeze. It returns every open conflict.
func withCrowdedProduction(t *testing.T, m *Model) []models.Conflict {
	t.Helper()
	withFreezeClash(t, m)
	mgr, _ := m.c.Eng.Person("ana")
	_, cs, err := m.c.Eng.Plan(m.c.Ctx, mgr, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "1", Environment: "production", Start: now.Add(30 * time.Minute), Assignee: "tom"})
	if err != nil || len(cs) < 3 {
		t.Fatalf("setup: %+v %v", cs, err)
	}
	all, err := m.c.Eng.Conflicts(m.c.Ctx, mgr, engine.ConflictFilter{OpenOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// screens presses key n times and returns what each screen showed, the first one
// before any key; each must fit w×h.
func screens(t *testing.T, m *Model, name string, w, h, n int, key string) []string {
	t.Helper()
	var out []string
	for i := 0; i <= n; i++ {
		if i > 0 {
			press(m, key)
		}
		fits(t, m, fmt.Sprintf("%s, screen %d", name, i), w, h)
		out = append(out, screenText(m))
	}
	return out
}

// shownWhole fails unless one of the screens shows text whole.
func shownWhole(t *testing.T, where string, shown []string, text string) {
	t.Helper()
	for _, s := range shown {
		if tuitest.Whole(s, text) {
			return
		}
	}
	t.Errorf("%s never shows whole %q; it showed:\n%s", where, text, strings.Join(shown, "\n----\n"))
}

// TestPhoneShowsEveryConflictWhole: every open conflict reads whole in the Conflicts
// list (scrolling through it), in the resolve panel of the deployment that would move,
// and in the record of each deployment it involves.
func TestPhoneShowsEveryConflictWhole(t *testing.T) {
	t.Parallel()
	for _, w := range phoneWidths {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			m := sized(t, "ana", w, 20)
			list := withCrowdedProduction(t, m)
			// The console lists the conflicts still to settle before those of work
			// started against them.
			slices.SortStableFunc(list, func(a, b models.Conflict) int {
				started := func(c models.Conflict) int {
					if c.StartedOver != nil {
						return 1
					}
					return 0
				}
				return cmp.Compare(started(a), started(b))
			})
			press(m, "4")
			shown := screens(t, m, "conflicts", w, 20, len(list), "down")
			for _, c := range list {
				shownWhole(t, "the Conflicts list", shown, c.Message)
			}
			for i, c := range list {
				press(m, "4")
				for range list {
					press(m, "k") // back to the first
				}
				for range i {
					press(m, "down")
				}
				press(m, "enter")
				panel := screens(t, m, "resolve #"+fmt.Sprint(c.IDs[len(c.IDs)-1]), w, 20, 3, "down")
				shownWhole(t, "the resolve panel", panel, c.Message)
				for _, id := range c.IDs {
					press(m, "esc", "2", "/")
					typeText(m, fmt.Sprintf("#%d", id))
					press(m, "enter")
					record := screens(t, m, fmt.Sprintf("#%d", id), w, 20, 12, "down")
					shownWhole(t, fmt.Sprintf("the record of #%d", id), record, c.Message)
				}
			}
		})
	}
}

// TestPhoneShowsBlockReasonsWhole: a block's reason too long for the item's line
// reads whole under it, in the checklist and, as what the run waits for, in the run
// view.
func TestPhoneShowsBlockReasonsWhole(t *testing.T) {
	t.Parallel()
	const why = "the UPS in row B is still on bypass after this morning's maintenance; facilities expect it back tomorrow at 09:00"
	for _, w := range phoneWidths {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			m := sized(t, "tom", w, 20)
			if _, err := m.c.Eng.BlockStep(m.c.Ctx, m.c.Actor, 1, 1, why); err != nil {
				t.Fatal(err)
			}
			press(m, "ctrl+r")
			shownWhole(t, "My work", screens(t, m, "My work", w, 20, 0, ""), why)
			openChecklistVia(t, m, 1)
			shownWhole(t, "the checklist", screens(t, m, "checklist", w, 20, 0, ""), why)
			press(m, "esc", "r")
			shownWhole(t, "the run view", screens(t, m, "run view", w, 20, 0, ""), why)
			mgr := sized(t, "ana", w, 20) // a console of its own, on a database of its own
			tom, _ := mgr.c.Eng.Person("tom")
			if _, err := mgr.c.Eng.BlockStep(mgr.c.Ctx, tom, 1, 1, why); err != nil {
				t.Fatal(err)
			}
			press(mgr, "ctrl+r")
			// The dashboard shows its start, clipped, leaving room for what else needs
			// the manager; enter opens it whole.
			dash := strings.ReplaceAll(screens(t, mgr, "dashboard", w, 20, 0, "")[0], "│", " ")
			if !tuitest.Whole(dash, "the UPS in row B is still on bypass") || !strings.Contains(dash, "…") ||
				!strings.Contains(dash, "failed #2") {
				t.Errorf("the dashboard clips the reason and keeps the failure in sight:\n%s", dash)
			}
		})
	}
}

// TestPhoneShowsTheWholeFilterLine: many filters in force wrap over as many lines as
// they take above the History table, which gets what they leave.
func TestPhoneShowsTheWholeFilterLine(t *testing.T) {
	t.Parallel()
	f := historyFilter{From: "2026-11-01", Until: "2026-11-30", Oldest: true, Env: "production", Service: "payments",
		Component: "rack-b07-db-server", Kind: "hardware", Assignee: "tom", Requester: "ana", Change: "CHG-2026-0042",
		Search: "rack b07 db server"}
	for _, w := range phoneWidths {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			m := sized(t, "ana", w, 20)
			historyOf(t, m)
			apply(m, f)
			fits(t, m, "filtered history", w, 20)
			got := screenText(m)
			for _, part := range []string{"oldest first", "from 2026-11-01", "until 2026-11-30", "env production",
				"service payments", "component rack-b07-db-server", "kind hardware", "assignee tom", "requester ana",
				"change CHG-2026-0042", "search rack b07 db server", "1 shown", "#1 "} {
				if !strings.Contains(got, part) {
					t.Errorf("the filtered History lacks %q:\n%s", part, got)
				}
			}
		})
	}
}

// TestConflictsOnAPhone pictures the Conflicts list and the resolve panel of tom's
// second rack at 60×20: each conflict a line of its kind, when and what, its message
// whole under it (go test -update rewrites testdata/TestConflictsOnAPhone/*.golden).
func TestConflictsOnAPhone(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	withCrowdedProduction(t, m)
	press(m, "4")
	t.Run("list", func(t *testing.T) { golden.RequireEqual(t, []byte(screenText(m))) })
	for i := 0; i < 10 && !strings.Contains(selectedRow(m), "person"); i++ {
		press(m, "down")
	}
	press(m, "enter")
	t.Run("resolve", func(t *testing.T) { golden.RequireEqual(t, []byte(screenText(m))) })
}

// alignedUnder reports whether one of the screens shows text starting on a line and
// going on, on each line it wraps onto, in the very column it started in.
func alignedUnder(shown []string, text string) bool {
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
	want, prefix := squeeze(text), text[:12]
	for _, screen := range shown {
		lines := strings.Split(screen, "\n")
		for i, l := range lines {
			at := strings.Index(l, prefix)
			if at < 0 {
				continue
			}
			col, got := lipgloss.Width(l[:at]), squeeze(l[at:])
			for j := i + 1; j < len(lines) && len(got) < len(want); j++ {
				if next := lines[j]; len(next)-len(strings.TrimLeft(next, " ")) != col {
					break
				}
				got += squeeze(lines[j])
			}
			if got == want || strings.HasPrefix(got, want) {
				return true
			}
		}
	}
	return false
}

// TestRecordWrapsUnderTheText: in a deployment's record, a conflict message that
// wraps goes on under its own first word, on a phone (under its kind) as on a wider
// screen (beside it).
func TestRecordWrapsUnderTheText(t *testing.T) {
	t.Parallel()
	for _, w := range []int{61, 100} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			m := sized(t, "ana", w, 30)
			list := withCrowdedProduction(t, m)
			press(m, "2", "/")
			typeText(m, "#7")
			press(m, "enter")
			record := screens(t, m, "#7", w, 30, 0, "")
			for _, c := range list {
				if c.Involves(7) && !alignedUnder(record, c.Message) {
					t.Errorf("%q does not wrap under its first word:\n%s", c.Message, record[0])
				}
			}
		})
	}
}

// TestPhoneShowsWhatARejectionLeadsTo: the reject prompt says whole, above the field,
// what the rejection leads to, and it stays while the reason is typed.
func TestPhoneShowsWhatARejectionLeadsTo(t *testing.T) {
	t.Parallel()
	for _, w := range phoneWidths {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			m := sized(t, "marc", w, 20)
			id := atTheGate(t, m)
			openChecklistVia(t, m, id)
			press(m, "x")
			st, err := m.c.Eng.RunState(m.c.Ctx, m.c.Actor, id)
			if err != nil {
				t.Fatal(err)
			}
			hint := engine.RejectHint(st)
			shownWhole(t, "the reject prompt", screens(t, m, "reject prompt", w, 20, 0, ""), hint)
			typeText(m, "the runbook names the wrong rack")
			shownWhole(t, "the reject prompt while typing", screens(t, m, "reject prompt", w, 20, 0, ""), hint)
		})
	}
}

// TestDashboardOnAPhone pictures the dashboard at 60×20, where the last 30 days give
// way to what needs doing: the last panel's border says so, rather than the panel
// going without a word (go test -update rewrites testdata/TestDashboardOnAPhone.golden).
// A taller phone shows the panel, and says nothing.
func TestDashboardOnAPhone(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	fits(t, m, "dashboard", 60, 20)
	golden.RequireEqual(t, []byte(screenText(m)))
	if got := fullHelp(m); !strings.Contains(got, "╰─ Due today, Last 30 days: need a taller window ─") {
		t.Errorf("with the help open, both panels left out are named:\n%s", got)
	}
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 30})
	if got := screenText(m); !strings.Contains(got, "╭─ Last 30 days") || strings.Contains(got, "taller window") {
		t.Errorf("at 60×30 the panel is there, and no note:\n%s", got)
	}
}
