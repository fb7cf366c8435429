package pages_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/internal/tuitest"
)

// conflictID is a conflict's ID as the engine makes them ("c8ccb10b").
var conflictID = regexp.MustCompile(`\bc[0-9a-f]{7}\b`)

// TestPlannedChecklistKeepsItsItemsOnAPhone: at 60×20 the checklist of a planned
// deployment in many conflicts says briefly why it cannot start, in a few lines and
// without the conflicts' IDs, and keeps its items in sight; g says as much in the
// footer; w shows the reason whole, one control a line, scrolled by ↑/↓, and w
// again brings the items back. A manager reads the IDs he overrides by.
func TestPlannedChecklistKeepsItsItemsOnAPhone(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	ana, _ := m.c.Eng.Person("ana")
	start, _ := models.ParseTime("2026-11-27 15:00", m.c.Eng.Location()) // Friday afternoon: frozen, no window
	var id int64
	for _, comp := range []string{"rack-b08-app-server", "core-switch-02"} {
		d, _, err := m.c.Eng.Plan(m.c.Ctx, ana, engine.PlanRequest{Model: "rack-server", Component: comp,
			Version: "1", Environment: "production", Start: start, Assignee: "tom"})
		if err != nil {
			t.Fatal(err)
		}
		id = d.ID
	}
	openChecklist(m, id)
	got := screenText(m)
	t.Run("brief", func(t *testing.T) { golden.RequireEqual(t, []byte(got)) })
	for _, want := range []string{"It cannot start now (window, maintenance, capacity,", "ask a manager", "w says why, whole",
		"[ ] Delivery complete", "Verify environment", "w why"} {
		if !strings.Contains(got, want) {
			t.Errorf("the planned checklist lacks %q:\n%s", want, got)
		}
	}
	if ids := conflictID.FindAllString(got, -1); len(ids) > 0 {
		t.Errorf("a technician is shown conflict IDs %v:\n%s", ids, got)
	}
	fits(t, m, "planned checklist in conflicts", 60, 20)

	press(m, "g") // off: its reason, briefly, in the footer
	got = screenText(m)
	foot := got[strings.LastIndex(got, "✗"):]
	if n := strings.Count(foot, "\n") + 1; n > 4 || strings.Contains(foot, "…") || !tuitest.Whole(foot, "w says why, whole") {
		t.Errorf("g's refusal should be brief, whole (%d lines):\n%s", n, got)
	}
	if !strings.Contains(got, "[ ] Delivery complete") {
		t.Errorf("g's refusal hid the items:\n%s", got)
	}
	fits(t, m, "g refused", 60, 20)

	press(m, "w")
	got = screenText(m)
	t.Run("whole", func(t *testing.T) { golden.RequireEqual(t, []byte(got)) })
	for _, want := range []string{"cannot start now:", "· window:", "· freeze:", "↑/↓ scroll", "w items"} {
		if !strings.Contains(got, want) {
			t.Errorf("w should show the reason whole, %q:\n%s", want, got)
		}
	}
	if ids := conflictID.FindAllString(got, -1); len(ids) > 0 {
		t.Errorf("a technician is shown conflict IDs %v:\n%s", ids, got)
	}
	fits(t, m, "whole reason", 60, 20)
	for range 30 {
		press(m, "down")
	}
	if got := screenText(m); !strings.Contains(got, "ways on: ask a manager") {
		t.Errorf("↓ should scroll the reason to its end:\n%s", got)
	}
	press(m, "w")
	if got := screenText(m); !strings.Contains(got, "[ ] Delivery complete") || !strings.Contains(got, "w says why, whole") {
		t.Errorf("w again should bring the items back:\n%s", got)
	}

	// The manager, who overrides conflicts by their IDs, reads them in the whole reason.
	mm := New(tuitest.Session(t, m.c.Eng, "ana"))
	mm.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	openChecklist(mm, id)
	if got := screenText(mm); !strings.Contains(got, "Press g to start it anyway") || !strings.Contains(got, "g start anyway") {
		t.Errorf("the manager's planned checklist:\n%s", got)
	}
	press(mm, "w")
	if got := screenText(mm); !conflictID.MatchString(got) || !strings.Contains(got, "a start now would break:") {
		t.Errorf("a manager reads the conflicts' IDs in the whole reason:\n%s", got)
	}
	fits(t, mm, "manager's whole reason", 60, 20)
	press(mm, "w", "g") // the reason the field asks for stays in sight, under the brief one
	if got := screenText(mm); !strings.Contains(got, "start anyway, because:") {
		t.Errorf("g should ask the manager why:\n%s", got)
	}
	fits(t, mm, "manager's override field", 60, 20)
}

// A planned deployment's checklist, read ahead, marks an optional item as the running
// checklist does: it dropped "(optional)".
func TestPlannedChecklistSaysOptional(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	ana, _ := m.c.Eng.Person("ana")
	d, _, err := m.c.Eng.Plan(m.c.Ctx, ana, engine.PlanRequest{Model: "documentation", Component: "web-runbook",
		Version: "2.1", Environment: "staging", Start: now.Add(2 * time.Hour), Assignee: "tom"})
	if err != nil {
		t.Fatal(err)
	}
	openChecklist(m, d.ID)
	if got := screenText(m); !strings.Contains(got, "[ ] Links and screenshots up to date (optional)") {
		t.Fatalf("the planned checklist should mark the optional item:\n%s", got)
	}
}
