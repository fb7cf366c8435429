package pages_test

import (
	"strings"
	"testing"
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

func TestMyWorkShowsBlocked(t *testing.T) {
	m := sized(t, "tom", 60, 20)
	c := m.c
	if _, err := c.Eng.BlockStep(c.Ctx, c.Actor, 1, 1, "boxes missing"); err != nil {
		t.Fatal(err)
	}
	load(m, m.Top().Refresh())
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
