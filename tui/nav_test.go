package tui

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/internal/tuitest"
	"ferry/tui/pages"
)

// headerOf is the console's first line.
func headerOf(m *Model) string { return strings.SplitN(screenText(m), "\n", 2)[0] }

// TestStackPushAndPop: a deployment opened from a screen, and its run view from it,
// stack up; the header shows the path; esc returns to each page in turn, where it
// was; switching tabs closes them all.
func TestStackPushAndPop(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	press(m, "2", "enter") // History, at today: #5
	press(m, "r")
	if h := headerOf(m); !strings.Contains(h, "History › #5 › run #5") {
		t.Fatalf("the header should show the path:\n%s", h)
	}
	press(m, "esc")
	if got := screenText(m); !strings.Contains(got, "Record") || strings.Contains(headerOf(m), "run #5") {
		t.Fatalf("esc returns to the deployment:\n%s", got)
	}
	press(m, "esc")
	if got := screenText(m); !strings.Contains(got, "5 shown") || strings.Contains(headerOf(m), "›") {
		t.Fatalf("esc returns to History:\n%s", got)
	}
	press(m, "esc") // nothing is open over History: esc stays there
	if got := screenText(m); !strings.Contains(got, "5 shown") {
		t.Fatalf("esc on a screen leaves it:\n%s", got)
	}
	press(m, "enter", "r")
	if len(m.stack) != 2 {
		t.Fatalf("%d pages open over History, want 2", len(m.stack))
	}
	press(m, "3")
	if len(m.stack) != 0 || !strings.Contains(screenText(m), "Schedule · week 48") {
		t.Fatalf("a tab closes what was open:\n%s", screenText(m))
	}
	press(m, "2")
	if got := screenText(m); !strings.Contains(got, "5 shown") || strings.Contains(headerOf(m), "›") {
		t.Fatalf("back on History, nothing is open over it:\n%s", got)
	}
}

// On a phone the header cannot name every screen; it names the one you are on,
// with its number, rather than "1 2 3 Schedule 4 5 6" (numbers that say nothing of
// what is where), and with a page open over it the path starts there, "2 History ›
// #5", not after a row of bare numbers. Wide, every screen is named.
func TestHeaderSaysWhereYouAreOnAPhone(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	for key, want := range map[string]string{"1": "‹ 1 Dashboard ›", "3": "‹ 3 Schedule ›", "4": "‹ 4 Conflicts ›", "6": "‹ 6 Where ›"} {
		press(m, key)
		if h := headerOf(m); !strings.Contains(h, want) || !strings.Contains(h, "ana · manager") || strings.Contains(h, " 5 ") {
			t.Errorf("after %s the header should name the screen alone, with who:\n%s", key, h)
		}
	}
	press(m, "2", "enter", "r")
	if h := headerOf(m); !strings.HasPrefix(strings.TrimSpace(h), "ferry  2 History › #5 › run #5") {
		t.Errorf("the path starts at the tab, named:\n%s", h)
	}
	wide := sized(t, "ana", 120, 35)
	if h := headerOf(wide); !strings.Contains(h, "1 Dashboard  2 History  3 Schedule  4 Conflicts  5 Reports  6 Where") {
		t.Errorf("wide, every screen is named:\n%s", h)
	}
	tom := sized(t, "tom", 60, 20)
	if h := headerOf(tom); !strings.Contains(h, "1 My work") || !strings.Contains(h, "2 History") {
		t.Errorf("a technician's two screens fit a phone, named:\n%s", h)
	}
}

// TestConsoleRemembersWhereThePersonIs: the console tells its Remember hook where the
// person is, and a new console with that as Resume opens there.
func TestConsoleRemembersWhereThePersonIs(t *testing.T) {
	t.Parallel()
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
	load(again, again.Top().Refresh())
	if got := screenText(again); !strings.Contains(got, "checklist #1") {
		t.Fatalf("a new session should open where the person was:\n%s", got)
	}
}

// TestConsoleKeepsWhatWasTyped: a connection dropped while tom was writing why an
// item is blocked loses nothing: the place remembered holds the text, and his next
// session opens the same field on the same item with it, sent on enter.
func TestConsoleKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	var last common.Place
	m.c.Remember = func(p common.Place) { last = p }
	press(m, "enter", "b")
	tuitest.TypeText(m, "no power on PDU B")
	if last.Draft.Text != "no power on PDU B" || last.Draft.Seq != 1 {
		t.Fatalf("the place should hold the text typed so far: %+v", last)
	}
	c := tuitest.Session(t, m.c.Eng, "tom")
	c.Resume = last
	again := New(c)
	again.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	load(again, again.Top().Refresh())
	got := screenText(again)
	if !strings.Contains(got, "blocked because: no power on PDU B") || !strings.Contains(got, "not sent yet") {
		t.Fatalf("the next session should open the field again with the text:\n%s", got)
	}
	if !strings.Contains(got, "what stops this item") { // what enter does, said as it was asked
		t.Fatalf("the field reopened should say what it is for, as it did:\n%s", got)
	}
	press(again, "enter")
	v, err := c.Eng.View(c.Ctx, c.Actor, 1, engine.ViewRequest{})
	if err != nil || v.Run.Steps[0].Status != models.StepBlocked || v.Run.Steps[0].BlockReason != "no power on PDU B" {
		t.Fatalf("enter should block item 1 with the kept reason: %+v (%v)", v.Run.Steps[0].StepRun, err)
	}
	// Sent, the text is offered no more: a checklist opened again later starts clean.
	press(again, "esc", "enter")
	load(again, again.Top().Refresh())
	if got := screenText(again); strings.Contains(got, "blocked because:") {
		t.Fatalf("the kept text is offered once:\n%s", got)
	}
}

// TestATextKeptTwiceSaysSoOnce: tom's connection drops while he writes a block's
// reason, and drops again in the session that offered it back: the third session
// says once that it was typed before, on a line of its own, after what the field
// is for (it read "what stops this item Typed before …", and a second drop said it
// twice).
func TestATextKeptTwiceSaysSoOnce(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	var last common.Place
	m.c.Remember = func(p common.Place) { last = p }
	press(m, "enter", "b")
	tuitest.TypeText(m, "no power on PDU B")
	for range 2 { // two sessions in a row that end with the text still unsent
		c := tuitest.Session(t, m.c.Eng, "tom")
		c.Resume = last
		c.Remember = func(p common.Place) { last = p }
		again := New(c)
		again.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
		load(again, again.Top().Refresh())
		tuitest.TypeText(again, ",")
		m = again
	}
	c := tuitest.Session(t, m.c.Eng, "tom")
	c.Resume = last
	// A place kept by the Ferry before this one held the sentence in its About.
	c.Resume.Draft.About += " Typed before your last session ended, not sent yet; esc drops it."
	third := New(c)
	third.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	load(third, third.Top().Refresh())
	got := screenText(third)
	if !strings.Contains(got, "blocked because: no power on PDU B,,") {
		t.Fatalf("the third session should open the field with the text:\n%s", got)
	}
	if !strings.Contains(got, "Typed in another session of yours") { // which may still be open
		t.Fatalf("the field should say where its text was typed:\n%s", got)
	}
	if n := strings.Count(got, "not sent yet"); n != 1 {
		t.Fatalf("it should say once that the text was typed before, not %d times:\n%s", n, got)
	}
	for _, l := range strings.Split(got, "\n") {
		if strings.Contains(l, "what stops this item") && strings.Contains(l, "Typed") {
			t.Fatalf("what the field is for and that its text was kept should read apart:\n%s", got)
		}
	}
}

// TestRepliesReachOnlyThePageThatAsked: two deployments open one over the other; the
// lower one's load, answered late, goes to it and leaves the upper one as it is; a
// page closed before its answer came gets nothing.
func TestRepliesReachOnlyThePageThatAsked(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	_, lower := m.Update(common.PushMsg{Page: pages.NewDetail(m.c, 1)}) // its load is still out...
	_, upper := m.Update(common.PushMsg{Page: pages.NewDetail(m.c, 3)})
	load(m, upper)
	load(m, lower) // ...and answers now
	got := screenText(m)
	if !strings.Contains(got, "#3  deploy payments-api 4.12.0 → staging") || strings.Contains(got, "rack-b07-db-server") {
		t.Fatalf("#1's answer must not change #3:\n%s", got)
	}
	_, reload := m.Update(tea.KeyPressMsg{Code: tea.KeyEscape}) // back to #1, before it reloads
	if got := screenText(m); !strings.Contains(got, "#1  deploy rack-b07-db-server 1 → production") {
		t.Fatalf("#1 should show what its own load brought:\n%s", got)
	}
	press(m, "r") // #1's run view, closed before its load answers
	_, late := m.Update(common.PushMsg{Page: pages.NewDetail(m.c, 5)})
	press(m, "esc", "esc")
	load(m, late)
	load(m, reload)
	if got := screenText(m); !strings.Contains(got, "#1  deploy rack-b07-db-server") || strings.Contains(got, "auth-service") {
		t.Fatalf("a closed page's answer is nobody's:\n%s", got)
	}
}

// TestCommandsAreAddressed: what a page's commands send comes back addressed to it,
// batches and sequences too; the program's own messages go to it as they are.
func TestCommandsAreAddressed(t *testing.T) {
	t.Parallel()
	type hello struct{ n int }
	say := func(n int) tea.Cmd { return func() tea.Msg { return hello{n} } }
	if got := route(7, say(1))(); got != (routed{7, hello{1}}) {
		t.Fatalf("a message: %#v", got)
	}
	for _, cmd := range []tea.Cmd{tea.Batch(say(1), say(2)), tea.Sequence(say(1), say(2))} {
		list := route(7, cmd)()
		v := reflect.ValueOf(list)
		if v.Kind() != reflect.Slice || reflect.TypeOf(list) != reflect.TypeOf(cmd()) || v.Len() != 2 {
			t.Fatalf("%T should stay a list of two commands: %#v", cmd(), list)
		}
		for i := range 2 {
			if got := v.Index(i).Interface().(tea.Cmd)(); got != (routed{7, hello{i + 1}}) {
				t.Fatalf("%T, command %d: %#v", cmd(), i, got)
			}
		}
	}
	if got := route(7, tea.Quit)(); got != (tea.QuitMsg{}) {
		t.Fatalf("quit is the program's: %#v", got)
	}
}

// TestFooterShowsTheNewestMessage: a run's outcome replaces the refusal of a key
// pressed while it ran, and a message of one screen does not stay over the next.
func TestFooterShowsTheNewestMessage(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	m.Update(common.ErrMsg{Err: errors.New("#5 is running")})
	m.Update(common.NoteMsg{Mark: "↺", Text: "#5 rolled back: step 2 failed"})
	if got := screenText(m); strings.Contains(got, "is running") || !strings.Contains(got, "#5 rolled back") {
		t.Fatalf("the newest message should be shown:\n%s", got)
	}
	m.Update(common.ErrMsg{Err: errors.New("#5 cannot start now: freeze")})
	press(m, "2")
	if got := screenText(m); strings.Contains(got, "cannot start now") {
		t.Fatalf("a message of the dashboard stays over History:\n%s", got)
	}
}

// On a phone a refusal that says several things (the window, a freeze, the ways on)
// is read whole, up to a third of the screen; the page keeps the rest.
func TestFooterReadsALongRefusalWholeOnAPhone(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	why := "#29832 cannot start now: window: it is planned for 2026-12-12 22:00 CET – 2026-12-13 02:00 CET; " +
		"it may start from 2026-12-12 21:45 CET, not before; maintenance: production requires a maintenance " +
		"window and none is open now; ways on: ask a manager to move it, or to start it anyway"
	m.Update(common.ErrMsg{Err: errors.New(why)})
	got := screenText(m)
	if words := strings.Join(strings.Fields(got), " "); !strings.Contains(words, "ask a manager to move it, or to start it anyway") {
		t.Fatalf("the refusal should be read whole:\n%s", got)
	}
	if lines := strings.Split(strings.TrimRight(got, "\n"), "\n"); len(lines) > 20 {
		t.Fatalf("%d lines on a 20-line screen", len(lines))
	}
}

// A footer message of two lines takes its rows from the page, which is laid out in
// what is left: the last panel keeps its bottom border rather than being cut.
func TestFooterMessageLeavesThePageWhole(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	m.Update(common.NoteMsg{Mark: "✓", Text: "planned #30004 web-frontend 2.9.97 → dev; 2 conflicts left, s on its page resolves them"})
	lines := strings.Split(strings.TrimRight(screenText(m), "\n"), "\n")
	if len(lines) > 20 {
		t.Fatalf("%d lines on a 20-line screen", len(lines))
	}
	bottoms := 0
	for _, l := range lines {
		if strings.Contains(l, "╰") {
			bottoms++
		}
	}
	if tops := strings.Count(screenText(m), "╭"); bottoms != tops {
		t.Fatalf("%d panels open, %d closed: one was cut under the footer:\n%s", tops, bottoms, screenText(m))
	}
}
