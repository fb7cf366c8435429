package tui

import (
	"strings"
	"testing"

	"ferry/tui/internal/tuitest"
)

// TestHelpListsThePersonsScreens: the full help names the screens a person has (a
// technician: My work and History, keys 1 and 2), and p as off, with the engine's
// reason, for someone who may not plan.
func TestHelpListsThePersonsScreens(t *testing.T) {
	m := sized(t, "tom", 120, 35)
	press(m, "?")
	got := screenText(m)
	for _, want := range []string{"my work", "history",
		"p plan — tom (technician) may not plan deployments: technicians tick, note and block steps"} {
		if !strings.Contains(got, want) {
			t.Errorf("a technician's help lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"dashboard", "schedule", "conflicts", "reports"} {
		if strings.Contains(got, not) {
			t.Errorf("a technician's help lists %q:\n%s", not, got)
		}
	}
	tuitest.Fits(t, m, "technician's full help", 120, 35)
	m = sized(t, "ana", 120, 35)
	press(m, "?")
	got = screenText(m)
	for _, want := range []string{"dashboard", "history", "schedule", "conflicts", "reports", "plan"} {
		if !strings.Contains(got, want) {
			t.Errorf("a manager's help lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "p plan —") {
		t.Errorf("a manager may plan:\n%s", got)
	}
}

// TestPlanKeyOffSaysWhy: p opens no form for someone who may not plan; the footer
// says why.
func TestPlanKeyOffSaysWhy(t *testing.T) {
	m := sized(t, "kim", 120, 35)
	press(m, "p")
	got := screenText(m)
	if !strings.Contains(got, "✗ kim (analyst) may not plan deployments") || strings.Contains(got, "Which deployment model?") {
		t.Fatalf("p should say why and open nothing:\n%s", got)
	}
}
