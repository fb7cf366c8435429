package pages_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"ferry/models"
	"ferry/tui/internal/tuitest"
)

// The checklist of a cancelled deployment is its record: every item of every stage
// as it was left, under its stage's title, with who ticked it and its note; nothing
// is ticked or blocked any more (the engine's words say why), and n still adds a
// note, shown there at once. A cancelled checklist listed nothing, so a note saved
// on it was nowhere to be seen. On a phone, over SSH too (the same page).
func TestCancelledChecklistShowsItsRecord(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	c := m.c
	if _, err := c.Eng.TickStep(c.Ctx, c.Actor, 1, 1, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Eng.NoteStep(c.Ctx, c.Actor, 1, 2, "manual in the wrong language"); err != nil {
		t.Fatal(err)
	}
	ana, _ := c.Eng.Person("ana")
	if _, err := c.Eng.Cancel(c.Ctx, ana, 1, "postponed to the next window"); err != nil {
		t.Fatal(err)
	}
	openChecklistVia(t, m, 1) // c on a cancelled deployment's page opens its record
	got := screenText(m)
	for _, want := range []string{"Cancelled: its items as they were left · n adds a note", "Verify components",
		"[✓] Delivery complete", "tom 14:05", "▸ [ ] Documentation included", "“manual in the wrong language”",
		"Verify environment", "[ ] Rack space free", "n note"} {
		if !tuitest.Whole(got, want) {
			t.Errorf("the record lacks %q:\n%s", want, got)
		}
	}
	fits(t, m, "cancelled checklist", 60, 20)
	// The screen says how many items are out of sight, as the planned job's does.
	if got := screenText(m); !strings.Contains(got, "more items (↓)") || strings.Contains(got, "above") {
		t.Errorf("the items below should be counted:\n%s", got)
	}

	space(m) // the engine's refusal, not a tick
	if got := screenText(m); !tuitest.Whole(got, "deployment #1 was cancelled: its items stay as they were left") {
		t.Errorf("space should say why nothing is ticked:\n%s", got)
	}
	press(m, "n")
	typeText(m, "boxes taken back to the store")
	press(m, "enter")
	st, err := c.Eng.RunState(c.Ctx, c.Actor, 1)
	if err != nil {
		t.Fatal(err)
	}
	if s := st.Steps[1]; s.Note != "manual in the wrong language · boxes taken back to the store" || s.Status != models.StepPending {
		t.Fatalf("the note should be added, the item left as it was: %+v", s.StepRun)
	}
	if got := screenText(m); !tuitest.Whole(got, "boxes taken back to the store”") {
		t.Errorf("the note should show under its item:\n%s", got)
	}
	fits(t, m, "cancelled checklist, noted", 60, 20)

	// Further down, the later stages, each under its title, as they were left.
	for range 10 {
		press(m, "down")
	}
	if got := screenText(m); !tuitest.Whole(got, "Execute") || !tuitest.Whole(got, "[ ] Mount in the rack") ||
		!strings.Contains(got, "more items above") || !strings.Contains(got, "more items (↓)") {
		t.Errorf("the later stages should be listed too, what is above and below counted:\n%s", got)
	}
	fits(t, m, "cancelled checklist, in the middle", 60, 20)
	for range 20 {
		press(m, "down")
	}
	if got := screenText(m); !strings.Contains(got, "more items above") || strings.Contains(got, "(↓)") {
		t.Errorf("at the last item nothing is below:\n%s", got)
	}
	fits(t, m, "cancelled checklist, at its end", 60, 20)
}

// A checklist open when the deployment is cancelled becomes its record on the next
// reload, the cursor on the item it was on; an analyst reads it, without n.
func TestChecklistCancelledWhileOpen(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	c := m.c
	openChecklist(m, 1)
	press(m, "down", "down") // No transport damage
	ana, _ := c.Eng.Person("ana")
	if _, err := c.Eng.Cancel(c.Ctx, ana, 1, "postponed"); err != nil {
		t.Fatal(err)
	}
	load(m, m.Top().Refresh())
	got := screenText(m)
	if !tuitest.Whole(got, "▸ [ ] No transport damage") || !tuitest.Whole(got, "Cancelled: its items as they were left") {
		t.Errorf("the record should keep the cursor where it was:\n%s", got)
	}

	kim := New(tuitest.Session(t, c.Eng, "kim")) // on the same database
	kim.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	openChecklist(kim, 1)
	got = screenText(kim)
	if !tuitest.Whole(got, "Cancelled: its items as they were left") || strings.Contains(got, "n adds a note") {
		t.Errorf("an analyst reads the record, and is not offered n:\n%s", got)
	}
}
