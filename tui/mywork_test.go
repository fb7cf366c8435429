package tui

import (
	"strings"
	"testing"

	"ferry/tui/common"

	tea "charm.land/bubbletea/v2"
)

func TestTechnicianStartsOnMyWork(t *testing.T) {
	m := sized(t, "tom", 60, 20)
	got := screenText(m)
	for _, want := range []string{"My work (1)", "2 History", "#1 rack-b07-db-server → production",
		"0/15", "in progress", "window Thu 26 Nov 13:05–17:05", "enter opens its checklist"} {
		if !strings.Contains(got, want) {
			t.Errorf("My work lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"Dashboard", "Schedule", "Conflicts", "payments-api"} {
		if strings.Contains(got, not) {
			t.Errorf("a technician's console shows %q:\n%s", not, got)
		}
	}
	fits(t, m, "my work", 60, 20)
	press(m, "enter")
	if got := screenText(m); !strings.Contains(got, "checklist #1") || !strings.Contains(got, "Delivery complete") {
		t.Fatalf("enter should open the checklist:\n%s", got)
	}
	fits(t, m, "checklist from my work", 60, 20)
}

// TestConsoleRemembersWhereThePersonIs: the console tells its Remember hook where the
// person is, and a new console with that as Resume opens there.
func TestConsoleRemembersWhereThePersonIs(t *testing.T) {
	m := sized(t, "tom", 60, 20)
	var places []common.Place
	m.c.Remember = func(p common.Place) { places = append(places, p) }
	press(m, "enter", "esc")
	want := []common.Place{{Checklist: true, ID: 1}, {}}
	if len(places) != 2 || places[0] != want[0] || places[1] != want[1] {
		t.Fatalf("remembered %+v, want %+v", places, want)
	}
	c := newTestCommon(t, "tom")
	c.Resume = common.Place{Checklist: true, ID: 1}
	again := New(c)
	again.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	if got := screenText(again); strings.Contains(got, "My work") && !strings.Contains(got, "checklist #1") {
		t.Fatalf("the first frame should already be where the person was:\n%s", got)
	}
	load(again, again.top().Refresh())
	if got := screenText(again); !strings.Contains(got, "checklist #1") {
		t.Fatalf("a new session should open where the person was:\n%s", got)
	}
}

func TestMyWorkShowsBlocked(t *testing.T) {
	m := sized(t, "tom", 60, 20)
	c := m.c
	if _, err := c.Eng.BlockStep(c.Ctx, c.Actor, 1, 1, "boxes missing"); err != nil {
		t.Fatal(err)
	}
	load(m, m.tabs[0].page.Refresh())
	got := screenText(m)
	for _, want := range []string{"BLOCKED", "BLOCKED boxes missing · step 1 Delivery"} {
		if !strings.Contains(got, want) {
			t.Errorf("My work lacks %q:\n%s", want, got)
		}
	}
	fits(t, m, "my work blocked", 60, 20)
}

func TestOthersKeepTheFullConsole(t *testing.T) {
	for _, who := range []string{"ana", "sam", "kim"} {
		m := sized(t, who, 120, 30)
		got := screenText(m)
		if strings.Contains(got, "My work") || !strings.Contains(got, "Conflicts") {
			t.Errorf("%s's console:\n%s", who, got)
		}
	}
}
