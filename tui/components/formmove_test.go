package components

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"ferry/tui/common"
)

func letter(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Text: string(r)} }

// Keys typed after tab, before the form has moved to the next field (a quick typist,
// keys sent in one burst over SSH), go to the next field, not the one left; a value
// the field refuses keeps them where they are.
func TestKeysAfterTabWaitForTheMove(t *testing.T) {
	c := &common.Common{Styles: common.NewStyles(true)}
	fe := NewFieldErrors(c)
	var version, env string
	f := huh.NewForm(huh.NewGroup(
		fe.Input("version", "Version", &version).Validate(func(s string) error {
			if s == "bad" {
				return errors.New("not a version")
			}
			return nil
		}),
		fe.Input("env", "Environment", &env))).WithKeyMap(FormKeys())
	f.Init()
	typ := func(msgs ...tea.Msg) {
		for _, msg := range msgs {
			f, _ = fe.Step(f, msg)
		}
	}
	word := func(s string) {
		for _, r := range s {
			typ(letter(r))
		}
	}
	// The field's tab asks for huh.NextField, which Bubble Tea delivers after the keys
	// already on their way.
	word("1.2")
	typ(tea.KeyPressMsg{Code: tea.KeyTab})
	word("prod")
	if version != "1.2" || env != "" {
		t.Fatalf("before the move: version %q, environment %q", version, env)
	}
	typ(huh.NextField())
	if version != "1.2" || env != "prod" {
		t.Fatalf("version %q, environment %q: want 1.2 and prod", version, env)
	}
	// Back to the version, which refuses "bad": a refused tab moves nowhere, and what
	// follows goes on into the field.
	typ(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}, letter('x'))
	typ(huh.PrevField())
	if version != "1.2x" || env != "prod" {
		t.Fatalf("a key typed before the move back: version %q, environment %q", version, env)
	}
	for range 4 {
		typ(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	// A tab the field refuses moves nowhere, and what is typed in its burst was meant
	// for the next field: dropped, not added ("2026-13-012026-12-04"). Typed on after
	// a pause, it goes into the field, which the person is fixing.
	word("bad")
	typ(tea.KeyPressMsg{Code: tea.KeyTab})
	word("!!")
	if version != "bad" || env != "prod" {
		t.Fatalf("after a refused tab: version %q, environment %q", version, env)
	}
	fe.refused = time.Now().Add(-time.Second) // the person paused
	typ(tea.KeyPressMsg{Code: tea.KeyBackspace})
	word("d1")
	if version != "bad1" || env != "prod" {
		t.Fatalf("typed on after a pause: version %q, environment %q", version, env)
	}
}

// A choice's tab moves on as a text field's does, and the keys typed before the move
// wait for it; its arrows move among its options and nothing waits.
func TestKeysAfterAChoiceWaitForTheMove(t *testing.T) {
	c := &common.Common{Styles: common.NewStyles(true)}
	fe := NewFieldErrors(c)
	var comp, version string
	f := huh.NewForm(huh.NewGroup(
		huh.NewSelect[string]().Title("Component").Options(huh.NewOptions("api", "web")...).Value(&comp),
		fe.Input("version", "Version", &version))).WithKeyMap(FormKeys())
	f.Init()
	typ := func(msgs ...tea.Msg) {
		for _, msg := range msgs {
			f, _ = fe.Step(f, msg)
		}
	}
	typ(tea.KeyPressMsg{Code: tea.KeyDown})
	typ(tea.KeyPressMsg{Code: tea.KeyTab}, letter('2'), letter('.'), letter('0'))
	typ(huh.NextField())
	if comp != "web" || version != "2.0" {
		t.Fatalf("component %q, version %q: want web and 2.0", comp, version)
	}

	// A choice of another type than text (the history filter's Order is one of
	// true/false) waits the same: its tab's keys went to the choice, the first lost.
	var oldest bool
	var search string
	f = huh.NewForm(huh.NewGroup(
		huh.NewSelect[bool]().Title("Order").Inline(true).Value(&oldest).
			Options(huh.NewOption("newest first", false), huh.NewOption("oldest first", true)),
		fe.Input("search", "Search", &search))).WithKeyMap(FormKeys())
	f.Init()
	typ(tea.KeyPressMsg{Code: tea.KeyTab}, letter('x'), letter('y'), letter('z'))
	typ(huh.NextField())
	if oldest || search != "xyz" {
		t.Fatalf("oldest %v, search %q: want false and xyz", oldest, search)
	}
}

// ↓ on a choice laid out on one line (the review's scores) moves to the next field,
// as tab does, and the keys typed before the move wait for it: they went to the
// choice being left, changing the score just chosen.
func TestKeysAfterDownOnAnInlineChoiceWaitForTheMove(t *testing.T) {
	c := &common.Common{Styles: common.NewStyles(true)}
	fe := NewFieldErrors(c)
	var first, second int
	score := func(title string, v *int) *huh.Select[int] {
		return huh.NewSelect[int]().Title(title).Inline(true).Value(v).
			Options(huh.NewOption("none", 0), huh.NewOption("1", 1), huh.NewOption("2", 2), huh.NewOption("3", 3))
	}
	f := huh.NewForm(huh.NewGroup(score("Satisfaction", &first), score("Quality", &second))).WithKeyMap(FormKeys())
	f.Init()
	typ := func(msgs ...tea.Msg) {
		for _, msg := range msgs {
			f, _ = fe.Step(f, msg)
		}
	}
	right := tea.KeyPressMsg{Code: tea.KeyRight}
	typ(right, right, tea.KeyPressMsg{Code: tea.KeyDown}, right)
	typ(huh.NextField())
	if first != 2 || second != 1 {
		t.Fatalf("satisfaction %d, quality %d: want 2 and 1", first, second)
	}
}

// A group's last field moves on in two messages, the field's and then the group's:
// keys typed before the second wait for it too.
func TestKeysWaitForTheNextGroup(t *testing.T) {
	c := &common.Common{Styles: common.NewStyles(true)}
	fe := NewFieldErrors(c)
	var version, env string
	f := huh.NewForm(huh.NewGroup(fe.Input("version", "Version", &version)),
		huh.NewGroup(fe.Input("env", "Environment", &env))).WithKeyMap(FormKeys())
	f.Init()
	typ := func(msgs ...tea.Msg) tea.Cmd {
		var cmds []tea.Cmd
		for _, msg := range msgs {
			var cmd tea.Cmd
			f, cmd = fe.Step(f, msg)
			cmds = append(cmds, cmd)
		}
		return tea.Batch(cmds...)
	}
	typ(letter('1'), tea.KeyPressMsg{Code: tea.KeyTab}, letter('p'))
	group := groupMove(t, typ(huh.NextField(), letter('r')))
	typ(letter('o'), letter('d'))
	if version != "1" || env != "" {
		t.Fatalf("before the group's move: version %q, environment %q", version, env)
	}
	typ(group)
	if version != "1" || env != "prod" {
		t.Fatalf("version %q, environment %q: want 1 and prod", version, env)
	}
}

// groupMove runs what cmd batches, each on its own (a cursor's blink waits), and
// returns the group's move among the messages they give.
func groupMove(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	found := make(chan tea.Msg, 1)
	var run func(tea.Cmd)
	run = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		msg := cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				go run(c)
			}
			return
		}
		if movesGroup(msg) {
			found <- msg
		}
	}
	go run(cmd)
	select {
	case msg := <-found:
		return msg
	case <-time.After(5 * time.Second):
		t.Fatal("the form never asked to move to the next group")
		return nil
	}
}

// With the fields' width known, a refusal in a title wraps between words, hanging
// under itself: huh's own wrapping broke "YYYY-" from "MM-DD HH:MM".
func TestFieldErrorWrapsBetweenWords(t *testing.T) {
	c := &common.Common{Styles: common.NewStyles(true)}
	fe := NewFieldErrors(c)
	fe.SetWidth(42) // the form's
	var from string
	f := huh.NewForm(huh.NewGroup(
		fe.Input("from", "From", &from).Validate(func(string) error {
			return errors.New(`"26.11.2026" is not a date: use YYYY-MM-DD or "YYYY-MM-DD HH:MM"`)
		}),
		fe.Input("until", "Until", new(string)))).WithKeyMap(FormKeys()).WithWidth(42).WithShowErrors(false)
	f.Init()
	for _, r := range "26.11.2026" {
		f, _ = fe.Step(f, letter(r))
	}
	f, _ = fe.Step(f, tea.KeyPressMsg{Code: tea.KeyTab})
	view := ansi.Strip(f.View())
	if !strings.Contains(view, "is not a date") {
		t.Fatalf("the refusal should be in the title:\n%s", view)
	}
	lines := strings.Split(view, "\n")
	for _, l := range lines {
		if strings.HasSuffix(strings.TrimRight(l, " "), "-") {
			t.Fatalf("a line ends at a hyphen: %q\n%s", l, view)
		}
	}
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "┃       ") { // under "✗", past "From  "
		t.Fatalf("the refusal's second line should hang under its first:\n%s", view)
	}
}

// The keys of a refused tab's burst are dropped however they reach the field: held
// while a move came and replayed after it too ("bad", tab, "ok" typed before the move
// to the date arrived made it "badok"). An edit ends the burst, and an empty field
// that refuses takes what is typed next: it is where the person is writing.
func TestARefusedTabsBurstIsDroppedAllWays(t *testing.T) {
	c := &common.Common{Styles: common.NewStyles(true)}
	fe := NewFieldErrors(c)
	var name, date, note string
	f := huh.NewForm(huh.NewGroup(
		fe.Input("name", "Name", &name),
		fe.Input("date", "Date", &date).Validate(func(s string) error {
			if s == "" || s == "bad" || s == "ba" {
				return errors.New("not a date")
			}
			return nil
		}),
		fe.Input("note", "Note", &note))).WithKeyMap(FormKeys())
	f.Init()
	typ := func(msgs ...tea.Msg) {
		for _, msg := range msgs {
			f, _ = fe.Step(f, msg)
		}
	}
	word := func(s string) {
		for _, r := range s {
			typ(letter(r))
		}
	}
	tab := tea.KeyPressMsg{Code: tea.KeyTab}
	word("x")
	typ(tab)
	word("bad")
	typ(tab)
	word("ok")
	typ(huh.NextField()) // the move to Date arrives: what was held is replayed there
	if name != "x" || date != "bad" {
		t.Fatalf("name %q, date %q: want x and bad, the burst after the refused tab dropped", name, date)
	}
	typ(tea.KeyPressMsg{Code: tea.KeyBackspace}) // an edit: the person fixes the field
	word("d")
	if date != "bad" {
		t.Fatalf("after an edit the keys go in: date %q, want bad", date)
	}
	for range 3 {
		typ(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	typ(tab) // refused, empty: what comes next is written here
	word("2026")
	if date != "2026" {
		t.Fatalf("an empty refused field takes the next keys: date %q", date)
	}
}
