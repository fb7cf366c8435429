package pages_test

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/tui/common"
	"ferry/tui/internal/tuitest"
	"ferry/tui/pages"
)

// A plan across the March change in Europe/Berlin (21:00 CET to 04:00 CEST) names
// its zone at both ends wherever the console writes its window: its page, the
// resolve panel and My work. The resolve panel wrote "Sat 27 Mar 21:00 – Sun 28 Mar
// 04:00 CEST", the start reading as CEST, and My work no zone at all. Its year, 2027,
// is on every one of them: the resolve panel left it out where the others wrote it.
func TestWindowAcrossTheMarchChangeOnEveryScreen(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "tom")
	ana, _ := c.Eng.Person("ana")
	loc := c.Eng.Location()
	d, cs, err := c.Eng.Plan(c.Ctx, ana, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "2", Environment: "production", Assignee: "tom",
		Start: time.Date(2027, 3, 27, 21, 0, 0, 0, loc), End: time.Date(2027, 3, 28, 4, 0, 0, 0, loc)})
	if err != nil || len(cs) == 0 { // it starts before production's Saturday window
		t.Fatalf("setup: %+v %v", cs, err)
	}
	// Not this year (the clock is in November 2026): with its year, on every screen.
	const across = "Sat 27 Mar 2027 21:00 CET – Sun 28 Mar 2027 04:00 CEST"

	m := New(c) // tom: My work, the plan selected
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	load(m, m.Top().Refresh())
	press(m, "j")
	if got := screenText(m); !strings.Contains(got, "window "+across) {
		t.Errorf("My work's summary should name both zones:\n%s", got)
	}

	mgr := New(tuitest.Session(t, c.Eng, "ana"))
	mgr.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	load(mgr, mgr.Top().Refresh())
	_, cmd := mgr.Update(common.PushMsg{Page: pages.NewDetail(mgr.c, d.ID)})
	load(mgr, cmd)
	if got := screenText(mgr); !strings.Contains(got, across) {
		t.Errorf("its page should name both zones:\n%s", got)
	}
	openResolve(mgr, d.ID)
	if got := screenText(mgr); !strings.Contains(got, "planned    "+across) {
		t.Errorf("the resolve panel should name both zones:\n%s", got)
	}
}

// On a phone My work's summary wraps a window longer than its line rather than cut
// it: "… Sun 28 Mar 2027 04:00 C…" lost the zone the window is written for.
func TestMyWorkWrapsALongWindowOnAPhone(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "tom")
	ana, _ := c.Eng.Person("ana")
	loc := c.Eng.Location()
	if _, _, err := c.Eng.Plan(c.Ctx, ana, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "2", Environment: "production", Assignee: "tom",
		Start: time.Date(2027, 3, 27, 21, 0, 0, 0, loc), End: time.Date(2027, 3, 28, 4, 0, 0, 0, loc)}); err != nil {
		t.Fatal(err)
	}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	load(m, m.Top().Refresh())
	press(m, "j")
	fits(t, m, "my work", 60, 20)
	got := trimRows(screenText(m))
	if !strings.Contains(got, " window Sat 27 Mar 2027 21:00 CET –\n        Sun 28 Mar 2027 04:00 CEST\n checklist ░░░░░ 0/15 · planning") {
		t.Errorf("the summary's window, wrapped whole:\n%s", got)
	}
}

// On a phone the resolve panel wraps a window longer than its line under its label,
// after its dash, rather than cut it: "planned    Sat 27 Mar 2027 21:00 CET – Sun 28
// Mar 2027 04" lost the end's zone the window is written for.
func TestResolveWrapsALongWindowOnAPhone(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	loc := c.Eng.Location()
	d, _ := tuitest.PlanEarlier(t, c, "ana", engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "2", Environment: "production", Assignee: "tom",
		Start: time.Date(2027, 3, 27, 21, 0, 0, 0, loc), End: time.Date(2027, 3, 28, 4, 0, 0, 0, loc)})
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	load(m, m.Top().Refresh())
	openResolve(m, d.ID)
	fits(t, m, "resolve", 60, 20)
	got := trimRows(screenText(m))
	if !strings.Contains(got, "   planned    Sat 27 Mar 2027 21:00 CET –\n              Sun 28 Mar 2027 04:00 CEST\n") {
		t.Errorf("the planned window, wrapped whole:\n%s", got)
	}
	if !strings.Contains(got, "   suggested  Sat 20 Mar 2027 22:00 –\n              Sun 21 Mar 2027 04:00 CET") {
		t.Errorf("the suggested window, wrapped whole:\n%s", got)
	}
}
