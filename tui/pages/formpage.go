package pages

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"ferry/tui/common"
	"ferry/tui/components"
)

// formPage is what a page that holds one huh form and nothing else to reload shares
// with the others like it (a review, an incident, a release): its size, its keys
// (enter goes on and saves, esc leaves), the form's first start and how its save
// went. The page builds the form (its fields, through setForm) and saves it.
type formPage struct {
	leave   leaveGuard
	watched any // the page's values, which its fields point into: what esc weighs (typed or chosen)
	form    *huh.Form
	errs    *components.FieldErrors
	started bool
	w, h    int
	keys    struct{ Next, Cancel, NewLine key.Binding }
	saving  bool
	done    bool  // saved: no message may save it again before the page closes
	err     error // why the engine refused the last save
}

// newFormPage is a form page whose fields point into values (a pointer to the page's
// values struct): esc weighs them, what was chosen as well as what was typed.
func newFormPage(values any) formPage {
	p := formPage{watched: values}
	p.keys.Next = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next · save"))
	p.keys.Cancel = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	// huh's, in a text of several lines (components.FormKeys): the footer names it
	// while one has focus, beside enter, which still goes on.
	p.keys.NewLine = components.FormKeys().Text.NewLine
	return p
}

// formWidth is a form's width in a page w wide: the page less a margin, at most 72.
func formWidth(w int) int { return min(max(20, w-2), 72) }

func (p *formPage) Capturing() bool { return true }

func (p *formPage) SetSize(w, h int) {
	p.w, p.h = w, h
	p.form.WithWidth(formWidth(w))
	p.errs.SetWidth(formWidth(w))
}

func (p *formPage) ShortHelp() []common.Key {
	keys := []common.Key{common.On(p.keys.Next), common.On(p.keys.Cancel)}
	if _, ok := p.form.GetFocusedField().(*huh.Text); ok { // last: the first a narrow footer drops, the field says it too
		keys = append(keys, common.On(p.keys.NewLine))
	}
	return keys
}

func (p *formPage) FullHelp() [][]common.Key { return [][]common.Key{p.ShortHelp()} }

// setForm makes the page's form of group, with the theme, keys and width of every
// form page: built anew (at the start, or again after a refusal, as a completed huh
// form cannot be edited), it waits for Refresh to start it.
func (p *formPage) setForm(c *common.Common, group *huh.Group) {
	p.form = huh.NewForm(group).WithTheme(components.FormTheme(c)).WithShowHelp(false).WithShowErrors(false).
		WithKeyMap(components.FormKeys()).WithWidth(formWidth(p.w))
	p.started = false
}

// Refresh starts the form the first time; it has nothing to reload.
func (p *formPage) Refresh() tea.Cmd {
	if p.started {
		return nil
	}
	p.started = true
	return p.form.Init()
}

// fieldWords is a refusal in a form's words: the engine names a flag ("--after: …",
// "--in-version: …") for the CLI, which in a form is the field's title ("After: …",
// "In version: …").
func fieldWords(err error) string {
	text := err.Error()
	if name, rest, ok := strings.Cut(strings.TrimPrefix(text, "--"), ": "); ok && strings.HasPrefix(text, "--") && name != "" {
		name = strings.ReplaceAll(name, "-", " ")
		text = strings.ToUpper(name[:1]) + name[1:] + ": " + rest
	}
	return text
}

// take gives msg to the form, as every form page does with what is not its own:
// esc leaves (unless it ends a filter of a choice), nothing reaches the form while
// it saves or once it has; completed says the form was just finished, to save.
func (p *formPage) take(msg tea.Msg) (cmd tea.Cmd, completed bool) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		s := formState{key.Matches(k, p.keys.Cancel) && !components.Filtering(p.form), p.saving, p.done}
		if cmd, taken := p.leave.take(k, s, func() string { return fmt.Sprintf("%+v", p.watched) }); taken {
			return cmd, false
		}
	}
	if p.saving || p.done {
		return nil, false
	}
	refused := p.err != nil
	var before string
	if refused { // read only then: a key costs a look at every field
		before = p.errs.Values()
	}
	p.form, cmd = p.errs.Step(p.form, msg)
	if refused && p.errs.Values() != before {
		p.err = nil // the refusal was about what the fields held; the fields say now
	}
	return cmd, p.form.State == huh.StateCompleted
}

// takeThenSave gives msg to the form, as take does, and saves when that finished it.
func (p *formPage) takeThenSave(msg tea.Msg, save func() tea.Cmd) tea.Cmd {
	cmd, completed := p.take(msg)
	if completed {
		return tea.Batch(cmd, save())
	}
	return cmd
}

// settle ends a save: refused, it keeps why (until a field changes) and starts the
// form again as rebuild makes it (a completed huh form cannot be edited), at the
// field the refusal names, and returns false; else the page is done.
func (p *formPage) settle(err error, rebuild func()) (tea.Cmd, bool) {
	p.saving = false
	if err != nil {
		p.err = err
		rebuild()
		p.errs.SetWidth(formWidth(p.w))
		cmd := p.Refresh()
		p.form = p.errs.Focus(p.form, fieldWords(err))
		return cmd, false
	}
	p.done = true
	return nil, true
}

// view is the page: head, then how the last save goes (saving, or why it was
// refused, as why words it), then the form.
func (p *formPage) view(st common.Styles, head []string, why func(error) string) string {
	switch {
	case p.saving:
		head = append(head, " "+st.Dim.Render("saving…"))
	case p.err != nil:
		head = append(head, " "+st.Error.Render("✗ not saved: "+common.Hang(why(p.err), p.w-16, 15)))
	}
	return strings.Join(head, "\n") + "\n" + p.leave.view(st, p.w) + strings.Trim(p.form.View(), "\n")
}

// leaveGuard asks before esc throws away what a form holds: one esc on a half-filled
// plan closed it, and everything typed was gone. A form as it opened (nothing typed
// or chosen, or as it was loaded) is left at once.
type leaveGuard struct {
	asking bool
	opened string // the values the form held when its first key came
	set    bool
}

// key takes a key while the form is shown: esc (when it leaves the form) asks first
// if values differ from those it opened with; asked, y or esc leave and any other
// key stays (and is not given to the form). handled says the key was the guard's.
func (g *leaveGuard) key(k tea.KeyPressMsg, esc bool, values string) (handled, leave bool) {
	if !g.set { // as it opened: taken at the first key, once the form has set its choices' first values
		g.opened, g.set = values, true
	}
	switch {
	case g.asking:
		g.asking = false
		return true, esc || k.String() == "y"
	case !esc:
		return false, false
	case values == g.opened:
		return true, true
	}
	g.asking = true
	return true, false
}

// formState is what a form page's keys depend on beside the key: whether esc leaves
// it (not ending a filter of a choice), a save on its way, a save done.
type formState struct{ esc, saving, done bool }

// take is what a form page does with key k before its form sees it: esc once saved
// leaves; while a save is on its way nothing happens (its answer comes to this page:
// a refusal is shown here, not lost with it); else the question (see key). values
// are what esc weighs. cmd is what to return when taken says k was the guard's.
func (g *leaveGuard) take(k tea.KeyPressMsg, s formState, values func() string) (cmd tea.Cmd, taken bool) {
	switch {
	case s.esc && s.done: // saved: the page is closing
		return common.Back, true
	case s.saving:
		return nil, true
	}
	handled, leave := g.key(k, s.esc, values())
	if leave {
		return common.Back, true
	}
	return nil, handled
}

// view is the question while it is asked, its lines ending in a line break, for the
// top of the form: under it, a form as tall as a phone's screen left it out of
// sight, and the next key answered a question nobody saw.
func (g *leaveGuard) view(st common.Styles, w int) string {
	if !g.asking {
		return ""
	}
	return strings.Join(common.Hanging(" ", "Leave without saving? What you entered is lost: y or esc leaves, any other key stays.", w, st.Warn), "\n") + "\n"
}
