package pages_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/internal/tuitest"
)

// withTwoInTheFreeze plans two licence activations into production's year-end
// freeze, a week apart.
func withTwoInTheFreeze(t *testing.T, m *Model) (models.Deployment, models.Deployment) {
	t.Helper()
	a := withFreezeClash(t, m)
	mgr, _ := m.c.Eng.Person("ana")
	start, _ := models.ParseTime("2026-12-26 22:00", m.c.Eng.Location())
	b, cs, err := m.c.Eng.Plan(m.c.Ctx, mgr, engine.PlanRequest{Model: "licence-activation", Component: "sso-licence",
		Version: "2028", Environment: "production", Start: start, Duration: time.Hour})
	if err != nil || len(cs) != 1 || cs[0].Kind != models.ConflictFreeze {
		t.Fatalf("setup: %+v %v", cs, err)
	}
	return a, b
}

// openFreeze opens the freeze impact from Conflicts, as a person does: 4, then f.
func openFreeze(t *testing.T, m *Model) string {
	t.Helper()
	press(m, "4", "f")
	got := screenText(m)
	if !strings.Contains(got, "freeze impact") {
		t.Fatalf("f on Conflicts should open the freeze impact:\n%s", got)
	}
	return got
}

func (m *Model) window(t *testing.T, id int64) (time.Time, time.Time) {
	t.Helper()
	d, err := m.c.Eng.Deployment(m.c.Ctx, m.c.Actor, id)
	if err != nil {
		t.Fatal(err)
	}
	return d.ScheduledStart, d.ScheduledEnd
}

// A manager sees what the freeze windows break and moves them all out from the
// console, as ferry freeze impact and apply do: the list says each one's freeze and
// suggested slot; a asks first, saying how many move and where each goes; n leaves
// them; y moves them all there, and the page shows where they went. At a desk and on
// a phone alike.
func TestFreezeImpactMovesThemAllAfterAsking(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{120, 35}, {60, 20}} {
		w, h := size[0], size[1]
		m := sized(t, "ana", w, h)
		a, b := withTwoInTheFreeze(t, m)
		got := openFreeze(t, m)
		for _, want := range []string{"2 planned deployments inside a freeze window", "#6 sso-licence 2027 → production",
			`touches freeze "year end"`, "→ suggested", "#7 sso-licence 2028"} {
			if !tuitest.Whole(got, want) {
				t.Errorf("%dx%d: the impact lacks %q:\n%s", w, h, want, got)
			}
		}
		fits(t, m, "freeze impact", w, h)
		press(m, "a")
		got = screenText(m)
		fits(t, m, "freeze impact asking", w, h)
		if !tuitest.Whole(got, "Move 2 deployments out of freeze windows, all or none:") {
			t.Fatalf("%dx%d: a should ask first, saying how many:\n%s", w, h, got)
		}
		press(m, "n")
		if s, _ := m.window(t, a.ID); !s.Equal(a.ScheduledStart) {
			t.Fatalf("n moved #%d to %v", a.ID, s)
		}
		if got := screenText(m); !strings.Contains(got, "nothing moved") {
			t.Errorf("n should say nothing moved:\n%s", got)
		}
		press(m, "a")
		question := screenText(m)
		press(m, "y")
		got = screenText(m)
		fits(t, m, "freeze impact applied", w, h)
		for _, d := range []models.Deployment{a, b} {
			s, e := m.window(t, d.ID)
			if s.Equal(d.ScheduledStart) {
				t.Fatalf("y left #%d in the freeze", d.ID)
			}
			where := m.c.Window(s, e)
			if !tuitest.Whole(question, where) || !tuitest.Whole(got, where) {
				t.Errorf("%dx%d: #%d went to %s: the question and the result should both say so:\n%s\n----\n%s",
					w, h, d.ID, where, question, got)
			}
		}
		for _, want := range []string{"Moved 2 deployments out of freeze windows to their suggested slots", "No planned deployment is inside a freeze window"} {
			if !tuitest.Whole(got, want) {
				t.Errorf("%dx%d: after y the page lacks %q:\n%s", w, h, want, got)
			}
		}
		if hits, _ := m.c.Eng.FreezeImpact(m.c.Ctx, m.c.Actor); len(hits) != 0 {
			t.Errorf("still in a freeze: %+v", hits)
		}
	}
}

// Nothing moves unless all do: one plan in the freeze that no slot frees (a version
// not yet through staging, bound for production) holds the others where they are,
// and the engine's words say why before anything is asked.
func TestFreezeApplyIsAllOrNone(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	a := withFreezeClash(t, m)
	mgr, _ := m.c.Eng.Person("ana")
	start, _ := models.ParseTime("2026-12-22 23:00", m.c.Eng.Location())
	stuck, _, err := m.c.Eng.Plan(m.c.Ctx, mgr, engine.PlanRequest{Model: "web-service", Component: "payments-api",
		Version: "9.9.9", Environment: "production", Start: start, Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	got := openFreeze(t, m)
	if !tuitest.Whole(got, "no conflict-free slot within 90 days") {
		t.Fatalf("the impact should say which one cannot move:\n%s", got)
	}
	// And why no slot frees it, as the resolve panel says: "no slot" alone left the
	// manager to find the promotion not yet made.
	if !tuitest.Whole(got, "is in a promotion conflict, which no move found settles") {
		t.Fatalf("the impact should say what no move settles:\n%s", got)
	}
	press(m, "a")
	got = screenText(m)
	if !tuitest.Whole(got, "no conflict-free slot within 90 days; nothing was moved") || strings.Contains(got, "y moves them") {
		t.Fatalf("a should say why nothing can move, and ask nothing:\n%s", got)
	}
	if _, err := m.c.Eng.FreezeApply(m.c.Ctx, mgr); err == nil || !strings.Contains(err.Error(), "promotion conflict, which no move found settles") {
		t.Fatalf("the apply's refusal (ferry freeze apply) should say what holds it: %v", err)
	}
	for _, d := range []models.Deployment{a, stuck} {
		if s, _ := m.window(t, d.ID); !s.Equal(d.ScheduledStart) {
			t.Fatalf("#%d moved to %v", d.ID, s)
		}
	}
}

// One the engine does not let move deployments (an analyst) reads the impact, and a
// says the engine's refusal in words, in the footer and in the full help: it does
// not silently do nothing, and nothing moves.
func TestFreezeApplyRefusedInTheEnginesWords(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 60, 20)
	a := withFreezeClash(t, m)
	openFreeze(t, m)
	const why = "kim (analyst) may not reschedule deployments: analysts have read-only access"
	press(m, "a")
	if got := screenText(m); !tuitest.Whole(got, "✗ "+why) || strings.Contains(got, "y moves them") {
		t.Fatalf("a should say why, and ask nothing:\n%s", got)
	}
	fits(t, m, "refusal on a phone", 60, 20)
	if got := fullHelp(m); !tuitest.Whole(got, "a move them all (asks first) — "+why) {
		t.Fatalf("the full help should list a as off, with why:\n%s", got)
	}
	if s, _ := m.window(t, a.ID); !s.Equal(a.ScheduledStart) {
		t.Fatalf("an analyst moved #%d", a.ID)
	}
}

// One deployment in a freeze is asked about as one, on a phone too: where it goes,
// whole, and the result says it in the singular.
func TestFreezeApplyOfOneSaysIt(t *testing.T) {
	t.Parallel()
	m := sized(t, "marc", 60, 20)
	a := withFreezeClash(t, m)
	openFreeze(t, m)
	press(m, "a")
	question := screenText(m)
	press(m, "y")
	s, e := m.window(t, a.ID)
	if s.Equal(a.ScheduledStart) {
		t.Fatal("y left it in the freeze")
	}
	want := "Move #6 out of its freeze window to " + m.c.Window(s, e) + "? y moves it, n leaves it."
	if !tuitest.Whole(question, want) {
		t.Fatalf("the question should be %q:\n%s", want, question)
	}
	got := screenText(m)
	fits(t, m, "one moved", 60, 20)
	if !tuitest.Whole(got, "Moved 1 deployment out of its freeze window to its suggested slot:") ||
		!tuitest.Whole(got, m.c.Window(s, e)) {
		t.Fatalf("the result should say where it went:\n%s", got)
	}
}

// On a phone the heading of a long impact keeps where the list is whole, "19–21 of
// 21", and shortens its title for it: it was cut in the middle of the number.
func TestFreezeImpactHeadingKeepsItsPlaceOnAPhone(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	mgr, _ := m.c.Eng.Person("ana")
	for i := range 21 {
		start, _ := models.ParseTime("2026-12-19 22:00", m.c.Eng.Location())
		if _, _, err := m.c.Eng.Plan(m.c.Ctx, mgr, engine.PlanRequest{Model: "licence-activation", Component: "sso-licence",
			Version: fmt.Sprint(3000 + i), Environment: "production", Start: start.Add(time.Duration(i) * 2 * time.Hour),
			Duration: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	openFreeze(t, m)
	for range 20 {
		press(m, "j")
	}
	rows := strings.Split(trimRows(screenText(m)), "\n")
	if rows[1] != " 21 in a freeze window · 19–21 of 21 ↑/↓" {
		t.Fatalf("the heading, %q:\n%s", rows[1], screenText(m))
	}
	fits(t, m, "freeze impact", 60, 20)
}
