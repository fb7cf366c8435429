//go:build unix

package pages_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/pages"
)

// A technician looks at their checklist while someone else ticks its last item (in
// the CLI, say): the engine carries the run on, and the console shows the next stage
// within seconds, without a key.
func TestChecklistCompletedElsewhereMovesOn(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "tom")
	l := runLive(t, c, 120, 35)
	l.Has("My work")
	l.TM.Send(common.PushMsg{Page: pages.NewChecklist(c, 1)})
	l.Has("Delivery complete")
	ana, _ := c.Eng.Person("ana")
	for seq := 1; seq <= 3; seq++ {
		if _, err := c.Eng.TickStep(c.Ctx, ana, 1, seq, "ticked at the desk"); err != nil {
			t.Fatal(err)
		}
	}
	got := l.Has("Verify environment")
	if !strings.Contains(got, "Rack space free") || strings.Contains(got, "carry the run on") {
		t.Errorf("the next stage's items should show:\n%s", got)
	}
	l.Quit()
}

// A started deployment that waits for no person and that nobody runs (its last item
// was ticked in a process that ended before the run went on) is not left showing
// an open stage with no way on: the checklist says so and g carries the run on.
func TestChecklistOffersToCarryOn(t *testing.T) {
	t.Parallel()
	c, _ := newRunCommon(t, "sam", "print")
	ana, _ := c.Eng.Person("ana")
	if _, err := c.Eng.Start(c.Ctx, ana, 1, ""); err != nil { // into its first stage, and no further
		t.Fatal(err)
	}
	m := New(c)
	for _, size := range [][2]int{{120, 35}, {60, 20}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		openChecklist(m, 1)
		got := screenText(m)
		for _, want := range []string{"in progress", "Press g to carry the run on", "g carry on"} {
			if !strings.Contains(got, want) {
				t.Errorf("%dx%d: the stalled checklist lacks %q:\n%s", size[0], size[1], want, got)
			}
		}
		fits(t, m, "stalled checklist", size[0], size[1])
		press(m, "esc")
	}
	openChecklist(m, 1)
	press(m, "g")
	st, err := c.Eng.RunState(c.Ctx, c.Actor, 1)
	if err != nil || st.Deployment.Status != models.StatusSucceeded {
		t.Fatalf("g should carry the run on to the end: %s %v", st.Deployment.Status, err)
	}
	if got := screenText(m); !strings.Contains(got, "succeeded") || strings.Contains(got, "g carry on") {
		t.Errorf("after g:\n%s", got)
	}
}

// Two sessions of one technician: in A he blocks an item and types why while B
// ticks it, closing the stage. The block is refused, saying who ticked it and when,
// and what he typed is kept: the field opens again, offering it as a note on that
// item (not on the item the cursor moved to). A tick A sends of an item B ticked is
// refused the same way.
func TestChecklistKeepsWhatWasTypedWhenRefused(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	c := m.c
	openChecklist(m, 1)
	press(m, "j", "j", "b") // item 3, the stage's last
	typeText(m, "box 3 dented")
	for seq := 1; seq <= 3; seq++ { // session B ticks the stage through
		if _, err := c.Eng.TickStep(c.Ctx, c.Actor, 1, seq, ""); err != nil {
			t.Fatal(err)
		}
	}
	press(m, "enter")
	got := screenText(m)
	for _, want := range []string{"was already ticked by tom at", "a ticked item is not blocked",
		"as a note on step 3", "note: box 3 dented"} {
		if !strings.Contains(strings.Join(strings.Fields(got), " "), want) {
			t.Errorf("the refused block lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "belongs to") {
		t.Errorf("the refusal should say who ticked it, not where the run is:\n%s", got)
	}
	fits(t, m, "refused block kept", 60, 20)
	press(m, "enter")
	st, err := c.Eng.RunState(c.Ctx, c.Actor, 1)
	if err != nil {
		t.Fatal(err)
	}
	if st.Steps[2].Note != "box 3 dented" || st.Steps[2].Status != models.StepDone {
		t.Fatalf("the text should be kept as a note on step 3: %+v", st.Steps[2].StepRun)
	}
	for _, s := range st.Steps[3:] {
		if s.Note != "" {
			t.Fatalf("the note went to step %d: %+v", s.Seq, s.StepRun)
		}
	}
	// A tick of an item ticked in the other session meanwhile says by whom and when.
	if got := screenText(m); !strings.Contains(got, "Verify environment") {
		t.Fatalf("the checklist should be at the next stage:\n%s", got)
	}
	first := st.Steps[3]
	if _, err := c.Eng.TickStep(c.Ctx, c.Actor, 1, first.Seq, ""); err != nil {
		t.Fatal(err)
	}
	space(m)
	if got := strings.Join(strings.Fields(screenText(m)), " "); !strings.Contains(got, "was already ticked by tom at") {
		t.Errorf("a second tick should say who ticked it:\n%s", screenText(m))
	}
}

// The deployment is assigned away from the technician and back while he is on its
// checklist: the footer says he may not see it meanwhile, and once it loads again
// the refusal goes by itself, without a key.
func TestChecklistDropsAStaleRefusal(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "tom")
	l := runLive(t, c, 60, 20)
	l.Has("My work")
	l.TM.Send(common.PushMsg{Page: pages.NewChecklist(c, 1)})
	l.Has("Delivery complete")
	ana, _ := c.Eng.Person("ana")
	if _, err := c.Eng.Assign(c.Ctx, ana, 1, "sam"); err != nil {
		t.Fatal(err)
	}
	l.Has("may not see deployment #1")
	if _, err := c.Eng.Assign(c.Ctx, ana, 1, "tom"); err != nil {
		t.Fatal(err)
	}
	l.Until("the checklist without the refusal", func(got string) bool {
		return strings.Contains(got, "Delivery complete") && !strings.Contains(got, "may not see") && strings.Contains(got, "space tick")
	})
	l.Quit()
}
