package pages_test

import (
	tea "charm.land/bubbletea/v2"
	"strings"
	"testing"
	"time"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/internal/tuitest"
	"ferry/tui/pages"
)

// openChecklist puts deployment id's checklist on top and waits for it to load.
func openChecklist(m *Model, id int64) {
	_, cmd := m.Update(common.PushMsg{Page: pages.NewChecklist(m.c, id)})
	load(m, cmd)
}

// openChecklistVia opens deployment id and, with c, its checklist through the root.
func openChecklistVia(t *testing.T, m *Model, id int64) {
	t.Helper()
	_, cmd := m.Update(common.PushMsg{Page: pages.NewDetail(m.c, id)})
	load(m, cmd)
	press(m, "c")
	if got := screenText(m); !strings.Contains(got, "checklist #") {
		t.Fatalf("c should open the checklist of #%d:\n%s", id, got)
	}
}

func TestChecklistTickIsSaved(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	press(m, "2", "enter") // tom's only deployment: #1, the rack server
	press(m, "c")
	got := screenText(m)
	for _, want := range []string{"#1 rack-b07-db-server → production", "0/", "in progress", "Verify components",
		"[ ] Delivery complete", "Count the boxes", "space tick", "n note", "b block"} {
		if !strings.Contains(got, want) {
			t.Errorf("checklist lacks %q:\n%s", want, got)
		}
	}
	fits(t, m, "checklist", 60, 20)
	space(m)
	c := m.c
	st, err := c.Eng.RunState(c.Ctx, c.Actor, 1)
	if err != nil {
		t.Fatal(err)
	}
	if s := st.Steps[0]; s.Status != models.StepDone || s.Actor != "tom" {
		t.Fatalf("the tick should be stored at once: %+v", s.StepRun)
	}
	got = screenText(m)
	if !strings.Contains(got, "[✓] Delivery complete") || !strings.Contains(got, "tom 14:05") ||
		!strings.Contains(got, "ticked 1") {
		t.Fatalf("after the tick:\n%s", got)
	}
	// The selection moves on to the next open item, where the next space goes.
	if got := screenText(m); !strings.Contains(got, "▸ [ ] Documentation included") || !strings.Contains(got, "Installation guide") {
		t.Fatalf("the next open item should be selected, its hint showing:\n%s", got)
	}
	fits(t, m, "checklist after a tick", 60, 20)
}

func TestChecklistBlockAndNote(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	openChecklistVia(t, m, 1)
	press(m, "j", "b")
	typeText(m, "no power")
	press(m, "enter")
	got := screenText(m)
	for _, want := range []string{"[!] Documentation", "blocked: no power", "BLOCKED"} {
		if !strings.Contains(got, want) {
			t.Errorf("after blocking, the checklist lacks %q:\n%s", want, got)
		}
	}
	fits(t, m, "blocked checklist", 60, 20)
	press(m, "j", "k") // the footer shows keys again
	if got := screenText(m); !strings.Contains(got, "b unblock") || strings.Contains(got, "space tick") {
		t.Fatalf("a blocked item is unblocked, not ticked:\n%s", got)
	}
	press(m, "n")
	typeText(m, "rail kit missing")
	press(m, "enter")
	if got := screenText(m); !strings.Contains(got, "noted on 2") {
		t.Fatalf("after a note:\n%s", got)
	}
	st, _ := m.c.Eng.RunState(m.c.Ctx, m.c.Actor, 1)
	if s := st.Steps[1]; s.Status != models.StepBlocked || !strings.Contains(s.Note, "rail kit missing") || s.BlockReason != "no power" {
		t.Fatalf("stored: %+v", s.StepRun)
	}
	// The note shows under the blocked item, beside its reason: neither hides the other.
	if got := screenText(m); !strings.Contains(got, "“rail kit missing”") || !strings.Contains(got, "no power") {
		t.Fatalf("a blocked item with a note:\n%s", got)
	}
	// b asks what cleared the block: what is typed is the note, not keys (a space
	// once ticked the item).
	press(m, "b")
	typeText(m, "rails came ")
	if st, _ := m.c.Eng.RunState(m.c.Ctx, m.c.Actor, 1); st.Steps[1].Status != models.StepBlocked {
		t.Fatalf("typing after b unblocked or ticked the item: %+v", st.Steps[1].StepRun)
	}
	press(m, "enter")
	if got := screenText(m); !strings.Contains(got, "[ ] Documentation") || strings.Contains(got, "BLOCKED") ||
		!strings.Contains(got, "rails came") {
		t.Fatalf("after unblocking, with the note said:\n%s", got)
	}
	// Both notes stay on the item, the one before the block and what cleared it.
	if st, _ := m.c.Eng.RunState(m.c.Ctx, m.c.Actor, 1); st.Steps[1].Note != "rail kit missing · rails came" {
		t.Fatalf("the item's notes after unblocking: %q", st.Steps[1].Note)
	}
	// The note is optional: enter alone unblocks.
	press(m, "b")
	typeText(m, "no power")
	press(m, "enter", "b", "enter")
	if st, _ := m.c.Eng.RunState(m.c.Ctx, m.c.Actor, 1); st.Steps[1].Status != models.StepPending {
		t.Fatalf("b and enter unblock: %+v", st.Steps[1].StepRun)
	}
	fits(t, m, "unblock prompt", 60, 20)
}

// A key that is not offered does nothing but say why: a blocked item is not ticked
// (the engine refuses it too), and a ticked item is not blocked, so no prompt asks for
// a reason that would then be refused.
func TestChecklistOffersOnlyWhatTheEngineTakes(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 120, 35)
	openChecklistVia(t, m, 1)
	space(m) // item 1 ticked; the cursor moved on: back to it
	press(m, "k", "b")
	got := screenText(m)
	if strings.Contains(got, "blocked because") || !strings.Contains(got, "already ticked") {
		t.Fatalf("b on a ticked item must not ask for a reason, only say why not:\n%s", got)
	}
	press(m, "j", "b")
	typeText(m, "no power")
	press(m, "enter")
	space(m)
	if got := screenText(m); !strings.Contains(got, "unblock it first") {
		t.Fatalf("space on a blocked item should say to unblock it first:\n%s", got)
	}
	st, err := m.c.Eng.RunState(m.c.Ctx, m.c.Actor, 1)
	if err != nil || st.Steps[0].Status != models.StepDone || st.Steps[1].Status != models.StepBlocked {
		t.Fatalf("stored: %+v %+v %v", st.Steps[0].StepRun, st.Steps[1].StepRun, err)
	}
}

func TestChecklistRefusesOthers(t *testing.T) {
	t.Parallel()
	// An analyst reads the checklist but may not tick: no key offered, and the key
	// is refused with the reason.
	m := sized(t, "kim", 120, 35)
	openChecklistVia(t, m, 1)
	if got := screenText(m); strings.Contains(got, "space tick") {
		t.Fatalf("an analyst should not be offered ticking:\n%s", got)
	}
	space(m)
	if got := screenText(m); !strings.Contains(got, "may not tick") {
		t.Fatalf("the refusal should show:\n%s", got)
	}
	// A technician whose deployment went to someone else meanwhile: the engine refuses.
	m = sized(t, "tom", 60, 20)
	openChecklistVia(t, m, 1)
	ana, _ := m.c.Eng.Person("ana")
	if _, err := m.c.Eng.Assign(m.c.Ctx, ana, 1, "ines"); err != nil {
		t.Fatal(err)
	}
	space(m)
	if got := screenText(m); !strings.Contains(got, "✗") || !strings.Contains(got, "may not") {
		t.Fatalf("the engine's refusal should show:\n%s", got)
	}
	st, err := m.c.Eng.RunState(m.c.Ctx, ana, 1)
	if err != nil {
		t.Fatal(err)
	}
	if st.Steps[0].Status != models.StepPending {
		t.Fatalf("a refused tick must not be stored: %+v", st.Steps[0].StepRun)
	}
}

// TestChecklistCarriesOn ticks the last item of a stage: nobody runs the deployment,
// so the run resumes by itself and the next stage's items show.
func TestChecklistCarriesOn(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	openChecklistVia(t, m, 1)
	for range 3 {
		space(m) // the cursor moves on by itself
	}
	got := screenText(m)
	if !strings.Contains(got, "Verify environment") || !strings.Contains(got, "Rack space free") {
		t.Fatalf("after the last tick the run should carry on to the next stage:\n%s", got)
	}
	d, err := m.c.Eng.RunState(m.c.Ctx, m.c.Actor, 1)
	if err != nil || d.Deployment.Status != models.StatusVerifyingEnvironment {
		t.Fatalf("status: %s %v", d.Deployment.Status, err)
	}
	fits(t, m, "next stage", 60, 20)
}

// TestChecklistStartsAPlannedInstallation: a technician on site starts the
// installation from its checklist with g, and the first stage's items come up.
func TestChecklistStartsAPlannedInstallation(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	mgr, _ := m.c.Eng.Person("ana")
	start, _ := models.ParseTime("2026-11-28 22:00", m.c.Eng.Location()) // inside the weekend window
	d, cs, err := m.c.Eng.Plan(m.c.Ctx, mgr, engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "1", Environment: "production", Start: start, Assignee: "tom"})
	if err != nil || len(cs) != 0 {
		t.Fatalf("setup: %+v %v", cs, err)
	}
	openChecklist(m, d.ID)
	// On Thursday it may not start: its window is Saturday night. The checklist says so,
	// and g does nothing.
	if got := screenText(m); !strings.Contains(got, "cannot start now") || !strings.Contains(got, "window") ||
		strings.Contains(got, "g start") {
		t.Fatalf("a planned installation's checklist before its window:\n%s", got)
	}
	// It shows the job ahead, as much as a phone holds, to read and not to tick.
	if got := screenText(m); !strings.Contains(got, "   [ ] Delivery complete") || !strings.Contains(got, "more items") ||
		strings.Contains(got, "▸ [ ]") {
		t.Fatalf("a planned installation's checklist previews its items:\n%s", got)
	}
	fits(t, m, "planned checklist", 60, 20)
	// ↓ scrolls the job ahead to its last item, and says how many are above (none
	// while only the stage's title has gone).
	for range 4 { // each ↓ moves an item, the stage's title kept over the first shown
		before := screenText(m)
		press(m, "down")
		got := screenText(m)
		if strings.Contains(got, "↑ 0") || got == before {
			t.Fatalf("↓ should scroll by an item:\n%s", got)
		}
		if !strings.Contains(got, "Verify components") && !strings.Contains(got, "Verify environment") {
			t.Fatalf("the first item shown is under its stage's title:\n%s", got)
		}
	}
	for range 26 {
		press(m, "down")
	}
	if got := screenText(m); !strings.Contains(got, "Requester notified") || !strings.Contains(got, "more items above") ||
		strings.Contains(got, "Delivery complete") {
		t.Fatalf("↓ should scroll to the last item:\n%s", got)
	}
	fits(t, m, "planned checklist scrolled", 60, 20)
	press(m, "g")
	if after, _ := m.c.Eng.Deployment(m.c.Ctx, m.c.Actor, d.ID); after.Status != models.StatusPlanned {
		t.Fatalf("g outside the window started #%d", d.ID)
	}
	tuitest.ClockOf(t, m.c).Set(start.Add(5 * time.Minute)) // tom arrives on site
	press(m, "ctrl+r", "k")                                 // k: any key clears the footer's last word
	// #1, rack b07, is still under way in production, days past its window: it holds
	// the environment (capacity 1) until it ends.
	if got := screenText(m); !strings.Contains(got, "cannot start now (overrun)") || strings.Contains(got, "g start") {
		t.Fatalf("a planned installation's checklist beside an overrun:\n%s", got)
	}
	if _, err := m.c.Eng.Fail(m.c.Ctx, mgr, 1, "rack b07 abandoned: the server was sent back", false); err != nil {
		t.Fatal(err)
	}
	press(m, "ctrl+r", "k")
	if got := screenText(m); !strings.Contains(got, "Press g to start it") || !strings.Contains(got, "g start") {
		t.Fatalf("a planned installation's checklist in its window:\n%s", got)
	}
	press(m, "g")
	got := screenText(m)
	if !strings.Contains(got, "Verify components") || !strings.Contains(got, "▸ [ ] Delivery complete") {
		t.Fatalf("after g:\n%s", got)
	}
	after, err := m.c.Eng.Deployment(m.c.Ctx, m.c.Actor, d.ID)
	if err != nil || after.Status != models.StatusVerifyingComponents {
		t.Fatalf("#%d is %s (%v)", d.ID, after.Status, err)
	}
	fits(t, m, "started checklist", 60, 20)
}

// A ticked item with a note says it has one (✎) when the cursor has moved on, and
// shows the note again when the cursor comes back to it.
func TestChecklistKeepsATickedItemsNote(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 120, 35)
	openChecklistVia(t, m, 1)
	press(m, "n")
	typeText(m, "U12-U14 reserved, rails ok")
	press(m, "enter")
	space(m) // ticked; the cursor moves on
	got := screenText(m)
	if !strings.Contains(got, "✎ tom") || strings.Contains(got, "U12-U14 reserved") {
		t.Fatalf("a ticked item's note, the cursor on the next:\n%s", got)
	}
	press(m, "k")
	if got := screenText(m); !strings.Contains(got, "“U12-U14 reserved, rails ok”") {
		t.Fatalf("back on the ticked item, its note:\n%s", got)
	}
}

// On a phone a long block reason is read whole while it is typed (the field scrolls
// it away), and the checklist still fits the screen.
func TestChecklistLongReasonShowsWhole(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	openChecklistVia(t, m, 1)
	press(m, "j", "b")
	reason := "suppression system shows fault code E42 on panel, waiting for facilities to inspect"
	typeText(m, reason)
	got := screenText(m)
	if flat := strings.Join(strings.Fields(got), " "); !strings.Contains(flat, reason) {
		t.Fatalf("the whole reason while typing:\n%s", got)
	}
	fits(t, m, "checklist with a long reason", 60, 20)
}

// Space pressed again while the first tick is being saved ticks the next item once
// it is: a quick double space ticks two items, where it had lost the second.
func TestChecklistQuickTicks(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 120, 35)
	openChecklistVia(t, m, 1)
	before, _ := m.c.Eng.RunState(m.c.Ctx, m.c.Actor, 1)
	_, first := m.Update(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
	_, second := m.Update(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}) // while the first is saved
	load(m, first)
	load(m, second)
	after, _ := m.c.Eng.RunState(m.c.Ctx, m.c.Actor, 1)
	done := func(st engine.RunState) int {
		n := 0
		for _, s := range st.Steps {
			if s.Status == models.StepDone {
				n++
			}
		}
		return n
	}
	if done(after) != done(before)+2 {
		t.Fatalf("two quick ticks: %d items done, then %d", done(before), done(after))
	}
}

// TestPhoneFooterKeepsTheWayBack: on a phone the footer has room for few keys; the
// way back stays among them, and the arrows (which any list is moved by) go first.
func TestPhoneFooterKeepsTheWayBack(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	press(m, "enter") // My work → the checklist of #1
	lines := strings.Split(screenText(m), "\n")
	footer := lines[len(lines)-1]
	if !strings.Contains(footer, "esc back") || !strings.Contains(footer, "space tick") {
		t.Fatalf("the footer should keep esc and the page's first key: %q", footer)
	}
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 35})
	lines = strings.Split(screenText(m), "\n")
	if footer = lines[len(lines)-1]; !strings.Contains(footer, "↑/k up") {
		t.Fatalf("with room the footer keeps every key: %q", footer)
	}
}

// A tick that moves the run past optional items asks first: a stage of optional
// items alone was gone before anyone saw it. n leaves it unticked; y ticks, and the
// engine skips just the items the question named.
func TestChecklistAsksBeforeLeavingOptionalItems(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	c := m.c
	ana, _ := c.Eng.Person("ana")
	d := openRunbook(t, m, "2.1", now)
	press(m, "space")
	got := screenText(m)
	if !strings.Contains(strings.Join(strings.Fields(got), " "), `optional item 2 "Links and screenshots up to date" (Verify environment) is then skipped`) ||
		!strings.Contains(got, "y yes, tick it") {
		t.Fatalf("space on the last required item should ask:\n%s", got)
	}
	// Item 2 is the next stage's: the run never stops there, so the question says it
	// may be ticked ahead of it.
	if !strings.Contains(strings.Join(strings.Fields(got), " "), "it may be ticked first, ahead of its stage: the run does not stop there") {
		t.Fatalf("the question should say a later stage's item may be ticked first:\n%s", got)
	}
	fits(t, m, "checklist asking", 60, 20)
	press(m, "n")
	if det, _ := c.Eng.Deployment(c.Ctx, ana, d.ID); det.Steps[0].Status != models.StepPending {
		t.Fatalf("n ticked item 1: %s", det.Steps[0].Status)
	}
	// y skips it; in a second run tom ticks it first, and item 1 then asks nothing.
	press(m, "space", "y")
	det, err := c.Eng.Deployment(c.Ctx, ana, d.ID)
	if err != nil || det.Steps[0].Status != models.StepDone || det.Steps[1].Status != models.StepSkipped || det.Steps[2].Status != models.StepPending {
		t.Fatalf("after y: %s, %s, %s (%v)", det.Steps[0].Status, det.Steps[1].Status, det.Steps[2].Status, err)
	}
	press(m, "esc")
	d = openRunbook(t, m, "2.2", now.Add(time.Hour))
	press(m, "down", "space") // item 2, ahead of its stage
	load(m, m.Top().Refresh())
	if got := screenText(m); !strings.Contains(got, "[✓] Links and screenshots up to date") {
		t.Fatalf("item 2 ticked ahead stays in sight, ticked (it went at once):\n%s", got)
	}
	press(m, "up", "space") // item 1: nothing is left behind, nothing asked
	det, err = c.Eng.Deployment(c.Ctx, ana, d.ID)
	if err != nil || det.Steps[0].Status != models.StepDone || det.Steps[1].Status != models.StepDone || det.Steps[1].Actor != "tom" {
		t.Fatalf("item 2 ticked ahead, then item 1: %s, %s by %q (%v)\n%s", det.Steps[0].Status, det.Steps[1].Status,
			det.Steps[1].Actor, err, screenText(m))
	}
}

// TestChecklistSaysWhoBlocked: a blocked item names who blocked it, as a ticked one
// names who ticked it: the next person on the job knows whom to ask.
func TestChecklistSaysWhoBlocked(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	c := m.c
	ana, _ := c.Eng.Person("ana")
	if _, err := c.Eng.BlockStep(c.Ctx, ana, 1, 1, "no power on PDU B"); err != nil {
		t.Fatal(err)
	}
	_, cmd := m.Update(common.PushMsg{Page: pages.NewChecklist(c, 1)})
	load(m, cmd)
	got := screenText(m)
	if !strings.Contains(got, "blocked ana "+c.Eng.Local(now)[11:16]) {
		t.Fatalf("the blocked item should say who blocked it and when:\n%s", got)
	}
	// Its name stays whole on a phone: what is beside it goes under it instead.
	if !strings.Contains(got, "Delivery complete against the packing list") {
		t.Fatalf("the blocked item's name should be whole:\n%s", got)
	}
	fits(t, m, "checklist with a blocked item", 60, 20)
}

// TestChecklistTicksOfAnotherDaySayTheDay: a tick of yesterday evening says its day
// beside its time, "tom Wed 25 21:19" (common.Near), and a block of today its time
// alone; the checklist said "tom 21:19" of both, yesterday's read as today's.
func TestChecklistTicksOfAnotherDaySayTheDay(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	c := m.c
	clock := tuitest.ClockOf(t, c)
	today := clock.Now()
	clock.Set(time.Date(2026, 11, 25, 21, 19, 0, 0, c.Eng.Location())) // yesterday evening
	if _, err := c.Eng.TickStep(c.Ctx, c.Actor, 1, 1, ""); err != nil {
		t.Fatal(err)
	}
	clock.Set(today)
	if _, err := c.Eng.BlockStep(c.Ctx, c.Actor, 1, 2, "boxes missing"); err != nil {
		t.Fatal(err)
	}
	openChecklistVia(t, m, 1)
	got := screenText(m)
	if !strings.Contains(got, "tom Wed 25 21:19") || strings.Contains(got, "tom 21:19") { // under its name on a phone
		t.Errorf("yesterday's tick should say its day:\n%s", got)
	}
	if row := lineWith(got, "Documentation included"); !strings.Contains(row, "tom 14:05") || strings.Contains(row, "Thu 26") {
		t.Errorf("today's block should say its time alone: %q\n%s", row, got)
	}
	fits(t, m, "checklist", 60, 20)
}

// TestChecklistKeepsABlocksReasonApartFromTheName: a reason beside the item's name
// stands two cells from it at least, else it goes under the name; with one cell
// "Documentation included blocked: boxes gone" read as one sentence, and "against
// the packing list tom 14:05" as if tom were on the list.
func TestChecklistKeepsABlocksReasonApartFromTheName(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	c := m.c
	if _, err := c.Eng.TickStep(c.Ctx, c.Actor, 1, 1, ""); err != nil {
		t.Fatal(err)
	}
	// " ▸ [!] Documentation included" and "blocked: boxes gone tom 14:05 " fill 59 cells.
	if _, err := c.Eng.BlockStep(c.Ctx, c.Actor, 1, 2, "boxes gone"); err != nil {
		t.Fatal(err)
	}
	openChecklistVia(t, m, 1)
	got := screenText(m)
	if strings.Contains(got, "included blocked") || !strings.Contains(got, "boxes gone") {
		t.Errorf("the reason should stand apart from the name, or under it:\n%s", got)
	}
	if strings.Contains(got, "packing list tom") { // a tick's who and when, alike
		t.Errorf("who ticked it should stand apart from the name, or under it:\n%s", got)
	}
	fits(t, m, "checklist", 60, 20)
}

// A field opened on an item names that item once the run has moved the cursor off
// it: tom's block reason, typed while ana ticked the item, read as a block on the
// next stage's item under it.
func TestChecklistFieldNamesItsItemAfterTheRunMovesOn(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	c := m.c
	ana, _ := c.Eng.Person("ana")
	d := openRunbook(t, m, "2.1", now)
	press(m, "b")
	if _, err := c.Eng.TickStep(c.Ctx, ana, d.ID, 1, "", engine.RunOptions{SkipOptional: true}); err != nil {
		t.Fatal(err)
	}
	load(m, m.Top().Refresh())
	got := strings.Join(strings.Fields(screenText(m)), " ")
	if !strings.Contains(got, `about step 1 "Reviewed by a second person", which the cursor has moved off since`) {
		t.Fatalf("the field should name its item:\n%s", screenText(m))
	}
}

// openRunbook plans a runbook (the documentation model: one required item, then one
// optional item alone in its stage) for tom, starts it as ana (anyway: tom runs #1
// too) and opens its checklist on m.
func openRunbook(t *testing.T, m *Model, version string, start time.Time) models.Deployment {
	t.Helper()
	c := m.c
	ana, _ := c.Eng.Person("ana")
	d, _, err := c.Eng.Plan(c.Ctx, ana, engine.PlanRequest{Model: "documentation", Component: "web-runbook",
		Version: version, Environment: "staging", Start: start, Assignee: "tom"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Eng.Start(c.Ctx, ana, d.ID, "tom is on #1 too: a runbook takes him a minute"); err != nil {
		t.Fatal(err)
	}
	_, cmd := m.Update(common.PushMsg{Page: pages.NewChecklist(c, d.ID)})
	load(m, cmd)
	return d
}
