package components

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"ferry/tui/common"
)

// FormTheme is the one theme of every form, in the session's styles: it follows
// the terminal's background as the console knows it (huh's own guess is a light
// one until the terminal answers, and many never do), and packs the fields without
// blank lines between them, so a whole form fits a phone's screen.
// The styles are made once for each background: huh asks for them for every field
// it draws, at every key, and making them was most of a keystroke's cost.
func FormTheme(c *common.Common) huh.Theme {
	var made [2]*huh.Styles // light, dark
	return huh.ThemeFunc(func(bool) *huh.Styles {
		i := 0
		if c.Styles.Dark {
			i = 1
		}
		if made[i] == nil {
			made[i] = formStyles(c.Styles)
		}
		return made[i]
	})
}

// formStyles dresses huh's base theme (its glyphs: ┃, >, ← →) in the console's colours.
func formStyles(st common.Styles) *huh.Styles {
	t := huh.ThemeBase(st.Dark)
	t.FieldSeparator = lipgloss.NewStyle().SetString("\n")
	accent, bad := st.Accent.GetForeground(), st.Bad.GetForeground()
	f := &t.Focused
	f.Base = f.Base.BorderForeground(accent)
	f.Card = f.Base
	f.Title = st.Accent.Bold(true)
	f.NoteTitle = f.Title.MarginBottom(1)
	f.Directory = st.Accent
	f.Description = st.Dim
	f.ErrorIndicator = f.ErrorIndicator.Foreground(bad)
	f.ErrorMessage = f.ErrorMessage.Foreground(bad)
	f.SelectSelector = f.SelectSelector.Foreground(accent)
	f.MultiSelectSelector = f.MultiSelectSelector.Foreground(accent)
	f.NextIndicator = f.NextIndicator.Foreground(accent)
	f.PrevIndicator = f.PrevIndicator.Foreground(accent)
	f.Option, f.UnselectedOption, f.SelectedOption = st.Text, st.Text, st.Good
	f.TextInput.Cursor, f.TextInput.Prompt = st.Accent, st.Accent
	f.TextInput.Placeholder, f.TextInput.Text = st.Dim, st.Text
	if st.Plain { // no colour tells a default from a value typed: faint italics do
		f.TextInput.Placeholder = st.Dim.Faint(true).Italic(true)
	}
	t.Blurred = t.Focused
	t.Blurred.Base = f.Base.BorderStyle(lipgloss.HiddenBorder())
	t.Blurred.Card = t.Blurred.Base
	t.Blurred.NextIndicator, t.Blurred.PrevIndicator = lipgloss.NewStyle(), lipgloss.NewStyle()
	t.Group.Title, t.Group.Description = f.Title, f.Description
	return t
}

// FormKeys let ↓ and ↑ move between fields as tab and shift+tab do (in a text of
// several lines they move between its lines). A text of several lines keeps huh's
// keys: enter goes on (or saves), alt+enter and ctrl+j start a new line; its ctrl+e,
// which opens $EDITOR, opens nothing: under `ferry serve` the editor would run on
// the server, as its user, not on the person's machine.
func FormKeys() *huh.KeyMap {
	k := huh.NewDefaultKeyMap()
	// No keys: it never matches. Text.ExternalEditor(false) alone does not do: huh
	// (v2.0.3) turns the binding off only when it draws its help, which no form shows.
	k.Text.Editor = key.NewBinding()
	// The console's footer names it while a text has focus (huh draws no help).
	k.Text.NewLine.SetHelp("alt+enter/ctrl+j", "new line")
	k.Input.Next = key.NewBinding(key.WithKeys("enter", "tab", "down"))
	k.Input.Prev = key.NewBinding(key.WithKeys("shift+tab", "up"))
	k.Select.Next = key.NewBinding(key.WithKeys("enter", "tab", "down"))
	k.Select.Prev = key.NewBinding(key.WithKeys("shift+tab", "up"))
	return k
}

// FieldErrors shows a text field's validation error in its title, where the person
// is looking, instead of under the whole form; and it holds each field to a length
// (see Full). A text field is a line (Input) or a text of several lines (Text).
type FieldErrors struct {
	c      *common.Common
	titles map[huh.Field]string
	shown  map[huh.Field]fieldState // what the titles say now
	limits map[huh.Field]int
	keys   *huh.KeyMap
	// A move to another field reaches the form as a message of its own, after the
	// key that asked for it: keys typed before it arrives (a quick typist's, a
	// paste) are held until it has, or they would land in the field being left.
	moving time.Time // when the move under way was asked for; zero: none
	held   []tea.Msg // keys typed meanwhile, in order
	// refused is when a tab the field refused came (it holds what it cannot take),
	// or the last key dropped after it: keys typed in that burst were meant for the
	// next field and are dropped; zero once the person types on after a pause.
	refused time.Time
	// width is the cells a field's title has (SetWidth); 0: huh wraps it, which it
	// does at hyphens too ("YYYY-" / "MM-DD HH:MM").
	width int
}

// SetWidth tells the field errors how wide the form (or its column) is, so that a
// refusal in a title wraps between words only, inside the field's "┃ ".
func (fe *FieldErrors) SetWidth(formW int) {
	if w := max(0, formW-2); w != fe.width {
		fe.width, fe.shown = w, map[huh.Field]fieldState{} // titles to wrap again
	}
}

// moveWait is how long keys wait for a move at most: it comes within a millisecond,
// unless huh decided against it in a way asksMove did not foresee; the next key after
// that lets the held ones go to the field they were typed in.
const moveWait = 150 * time.Millisecond

// burstGap is the longest pause between keys of one burst after a refused tab: a
// person typing on at 60 words a minute leaves 200 ms between keys, and the keys
// came into the field after 150; one who read the error pauses longer, or edits.
const burstGap = 700 * time.Millisecond

// NewFieldErrors keeps the titles of the fields Input and Text make.
func NewFieldErrors(c *common.Common) *FieldErrors {
	return &FieldErrors{c: c, titles: map[huh.Field]string{}, shown: map[huh.Field]fieldState{},
		limits: map[huh.Field]int{}, keys: FormKeys()}
}

// Input makes a text field whose errors show in its title, holding at most ShortText
// characters (Limit sets another length).
func (fe *FieldErrors) Input(k, title string, v *string) *huh.Input {
	in := huh.NewInput().Key(k).Title(title).Value(v).Prompt("")
	fe.titles[in] = title
	fe.Limit(in, ShortText)
	return in
}

// TextLines is how many lines a text of several lines shows; it scrolls through
// more.
const TextLines = 3

// Text makes a text field of several lines whose errors show in its title, holding
// at most LongText characters, its line breaks counted (Limit sets another length).
// enter goes on, alt+enter and ctrl+j start a new line, as its description says;
// it opens no editor (see FormKeys).
func (fe *FieldErrors) Text(k, title string, v *string) *huh.Text {
	t := huh.NewText().Key(k).Title(title).Value(v).ExternalEditor(false).Lines(TextLines).
		Description("alt+enter or ctrl+j: new line · enter: next, save on the last")
	fe.titles[t] = title
	fe.Limit(t, LongText)
	return t
}

// Limit holds field, a text field of fe's (Input or Text), to at most n characters,
// and returns it.
func (fe *FieldErrors) Limit(field huh.Field, n int) huh.Field {
	switch f := field.(type) {
	case *huh.Input:
		f.CharLimit(n)
	case *huh.Text:
		f.CharLimit(n)
	default:
		panic(fmt.Sprintf("components: Limit of a %T, not a text field", field))
	}
	fe.limits[field] = n
	return field
}

// Full says whether msg would only add text to the focused field of f, which is full:
// the page then leaves the form alone. huh redraws the whole group for every key, so
// each character pasted cost time in proportion to the text before it (10 KB took
// seconds of the server's time); past the limit the characters are dropped anyway.
func (fe *FieldErrors) Full(f *huh.Form, msg tea.Msg) bool {
	field := f.GetFocusedField()
	return (typesText(msg) || fe.newLine(field, msg)) && fe.full(field)
}

// newLine is whether msg starts a new line in field, a text of several lines: the
// line break is a character of its length, which huh's own limit lets through.
func (fe *FieldErrors) newLine(field huh.Field, msg tea.Msg) bool {
	k, ok := msg.(tea.KeyPressMsg)
	_, text := field.(*huh.Text)
	return ok && text && key.Matches(k, fe.keys.Text.NewLine)
}

// Step passes msg to f as every page that holds a form does (←/→ in a list as ↑/↓,
// see choiceArrows): not at all when it would
// only type into a full field (see Full), then marking the fields (see Mark); keys
// typed while a move between fields is under way wait for it. It returns the form as
// it now is and what it asks to run.
func (fe *FieldErrors) Step(f *huh.Form, msg tea.Msg) (*huh.Form, tea.Cmd) {
	msg = choiceArrows(f, msg) // ←/→ choose in a list, in every form
	var late tea.Cmd
	if fe.isMoving() && time.Since(fe.moving) > moveWait {
		fe.moving = time.Time{}
		f, late = fe.release(f, nil)
	}
	switch {
	case fe.isMoving() && isInput(msg):
		fe.held = append(fe.held, msg)
		return f, late
	case fe.isMoving() && (msg == huh.NextField() || msg == huh.PrevField()):
		field := f.GetFocusedField()
		f, cmd := fe.step(f, msg)
		if f.GetFocusedField() == field && f.State == huh.StateNormal {
			// The group's last (or first) field: the form moves to the next group
			// with a message of its own, still to come.
			fe.moving = time.Now()
			return f, tea.Batch(late, cmd)
		}
		fe.moving = time.Time{}
		return fe.release(f, tea.Batch(late, cmd))
	case fe.isMoving() && movesGroup(msg):
		fe.moving = time.Time{}
		f, cmd := fe.step(f, msg)
		return fe.release(f, tea.Batch(late, cmd))
	}
	f, cmd := fe.step(f, msg)
	return f, tea.Batch(late, cmd)
}

// movesGroup is whether msg is huh's move to the next or previous group, which
// follows a field's move from the last (or first) field of a group. huh does not
// export these messages, as it does NextField and PrevField: they are known by their
// type's name (were it to change, keys would wait moveWait instead).
func movesGroup(msg tea.Msg) bool {
	switch fmt.Sprintf("%T", msg) {
	case "huh.nextGroupMsg", "huh.prevGroupMsg":
		return true
	}
	return false
}

func (fe *FieldErrors) isMoving() bool { return !fe.moving.IsZero() }

func (fe *FieldErrors) step(f *huh.Form, msg tea.Msg) (*huh.Form, tea.Cmd) {
	if !fe.refused.IsZero() && time.Since(fe.refused) < burstGap && typesText(msg) {
		// Typed in the burst of a tab the field refused (a date that is none): meant
		// for the next field, added to this one they made "2026-13-012026-12-04".
		// Dropped, and so is the rest of the burst (held keys replayed too); the
		// field's error says what to fix.
		fe.refused = time.Now()
		return f, nil
	}
	if fe.Full(f, msg) { // nothing to add: spare the form the work
		return f, fe.Mark(f)
	}
	field := f.GetFocusedField()
	fm, cmd := f.Update(msg)
	if hf, ok := fm.(*huh.Form); ok {
		f = hf
	}
	switch {
	case fe.asksMove(field, msg):
		fe.moving, fe.refused = time.Now(), time.Time{}
	case fe.refusesMove(field, msg):
		fe.refused = time.Now()
	case isInput(msg):
		fe.refused = time.Time{} // a key after the burst, or an edit: the person fixes the field
	}
	return f, tea.Batch(cmd, fe.Mark(f))
}

// refusesMove reports whether msg was a text field's key for the next field that the
// field refused, holding what it cannot take.
func (fe *FieldErrors) refusesMove(field huh.Field, msg tea.Msg) bool {
	k, ok := msg.(tea.KeyPressMsg)
	_, input := field.(*huh.Input)
	held, _ := field.GetValue().(string)
	// An empty field refused (a summary not written yet) is where the next keys go.
	return ok && input && held != "" && field.Error() != nil && key.Matches(k, fe.keys.Input.Next)
}

// asksMove reports whether msg, which field has had, made it ask the form for the
// next or previous field (huh.NextField, huh.PrevField): a text field or a choice
// does on its keys for those, unless what it holds is refused; a choice's own keys
// (↑/↓ among a list's options, ←/→ in one laid out on a line, / to filter them)
// come first. A choice on one line has no ↑/↓ of its own: they move between fields.
func (fe *FieldErrors) asksMove(field huh.Field, msg tea.Msg) bool {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || field.Error() != nil {
		return false
	}
	switch field.(type) {
	case *huh.Input:
		km := fe.keys.Input
		return key.Matches(k, km.Prev, km.Next, km.Submit)
	case *huh.Text: // its ↑/↓ move between its lines
		km := fe.keys.Text
		return key.Matches(k, km.Prev, km.Next, km.Submit)
	case choice: // a Select of any type: the history filter's Order is a Select[bool]
		km := fe.keys.Select
		own := []key.Binding{km.Filter, km.SetFilter, km.ClearFilter, km.Left, km.Right, km.GotoTop, km.GotoBottom,
			km.HalfPageUp, km.HalfPageDown}
		if !inlineChoice(field) {
			own = append(own, km.Up, km.Down)
		}
		if key.Matches(k, own...) {
			return false
		}
		return key.Matches(k, km.Prev, km.Next, km.Submit)
	}
	return false
}

// release steps the keys held during a move, in order, until one asks for another.
func (fe *FieldErrors) release(f *huh.Form, cmd tea.Cmd) (*huh.Form, tea.Cmd) {
	held := fe.held
	fe.held = nil
	cmds := []tea.Cmd{cmd}
	for i, msg := range held {
		var c tea.Cmd
		f, c = fe.step(f, msg)
		cmds = append(cmds, c)
		if fe.isMoving() {
			fe.held = append(fe.held, held[i+1:]...)
			break
		}
	}
	return f, tea.Batch(cmds...)
}

// isInput is whether msg is something the person typed or pasted.
func isInput(msg tea.Msg) bool {
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
		return true
	}
	return false
}

// typesText is whether msg is text for a field: a character typed, or a paste.
func typesText(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return printable(msg.Text) && msg.Mod&(tea.ModCtrl|tea.ModAlt) == 0
	case tea.PasteMsg:
		return true
	}
	return false
}

// InputFull says whether msg would only add text to in, which has focus and is full
// (see Full).
func InputFull(in textinput.Model, msg tea.Msg) bool {
	return in.Focused() && in.CharLimit > 0 && typesText(msg) && utf8.RuneCountInString(in.Value()) >= in.CharLimit
}

func (fe *FieldErrors) full(field huh.Field) bool {
	n, ok := fe.limits[field]
	if !ok {
		return false
	}
	v, _ := field.GetValue().(string)
	return utf8.RuneCountInString(v) >= n
}

// printable is whether s is text a key types (not enter, tab or a control).
func printable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return s != ""
}

// Mark retitles every field after the form has seen a message (huh validates when a
// field is left, and forgets the error at the next key); a full field says so. huh
// draws a form when it gets a message, so a changed title is drawn at once with one
// of no consequence; the command is the form's answer to it.
func (fe *FieldErrors) Mark(f *huh.Form) tea.Cmd {
	changed := false
	for in, title := range fe.titles {
		now := fieldState{full: fe.full(in)}
		if err := in.Error(); err != nil {
			now = fieldState{err: err.Error()}
		}
		if st, ok := fe.shown[in]; ok && st == now {
			continue // the same as shown: spare the styling (Mark runs at every key)
		}
		fe.shown[in], changed = now, true
		switch {
		case now.err != "" && fe.width > 0:
			title = strings.Join(common.Hanging(title+"  ", "✗ "+now.err, fe.width, fe.c.Styles.Error), "\n")
		case now.err != "":
			title += "  " + fe.c.Styles.Error.Render("✗ "+now.err)
		case now.full:
			title += "  " + fe.c.Styles.Warn.Render(LimitText(fe.limits[in]))
		}
		retitle(in, title)
	}
	if !changed {
		return nil
	}
	_, cmd := f.Update(redraw{})
	return cmd
}

// retitle sets the title of a text field (Input or Text).
func retitle(field huh.Field, title string) {
	switch f := field.(type) {
	case *huh.Input:
		f.Title(title)
	case *huh.Text:
		f.Title(title)
	}
}

// fieldState is what a field's title says besides its name.
type fieldState struct {
	err  string
	full bool
}

// redraw is a message no field answers: it makes a form draw itself.
type redraw struct{}

// Values is what the text fields hold, in a fixed order: a page compares two to know
// whether the person changed anything between them.
func (fe *FieldErrors) Values() string {
	vals := make([]string, 0, len(fe.titles))
	for in, title := range fe.titles {
		v, _ := in.GetValue().(string)
		vals = append(vals, title+"\x00"+v)
	}
	slices.Sort(vals)
	return strings.Join(vals, "\x01")
}

// Focus moves f, just started, on to the text field a refusal is about: the one whose
// title it begins with ("Components: unknown component …", as fieldWords words the
// engine's "--component"), so the person lands where the fix goes. A field before it
// that refuses what it holds stops the move there, which is as right.
func (fe *FieldErrors) Focus(f *huh.Form, refusal string) *huh.Form {
	head, _, _ := strings.Cut(refusal, ":")
	head = strings.ToLower(strings.TrimSpace(head))
	name, _, _ := strings.Cut(head, " ")
	var target huh.Field
	for in, title := range fe.titles {
		// A title of more than a word is named whole ("In version: …").
		if t := strings.ToLower(title); name != "" && (t == name || t == head || strings.TrimSuffix(t, "s") == name) {
			target = in
		}
	}
	for range 32 { // more than any form has fields
		if target == nil || f.GetFocusedField() == target {
			break
		}
		before := f.GetFocusedField()
		if m, _ := f.Update(huh.NextField()); m != nil {
			f = m.(*huh.Form)
		}
		if f.GetFocusedField() == before {
			break // the group's last field, or one that refuses its value
		}
	}
	return f
}

// Filtering reports whether the focused field of f is a choice whose options are
// being filtered (/): esc then ends the filter, and must not leave the form.
func Filtering(f *huh.Form) bool {
	s, ok := f.GetFocusedField().(choice)
	return ok && s.GetFiltering()
}

// choice is a huh.Select of any type of option.
type choice interface {
	huh.Field
	GetFiltering() bool
}

// choiceArrows makes ← and → choose in a list choice (a huh.Select not inline, where
// huh leaves them dead) as ↑ and ↓ do, as they choose in an inline one: msg as the
// form should see it. Elsewhere, in a text field, they move the cursor as ever.
func choiceArrows(f *huh.Form, msg tea.Msg) tea.Msg {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || Filtering(f) {
		return msg
	}
	field := f.GetFocusedField()
	if _, ok := field.(choice); !ok || inlineChoice(field) {
		return msg // an inline choice takes ←/→ itself
	}
	switch k.String() {
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	}
	return msg
}

// inlineChoice reports whether field is a choice laid out on one line, which huh
// moves through with ←/→ (its ↑/↓ are off): its key bindings say so.
func inlineChoice(field huh.Field) bool {
	for _, b := range field.KeyBinds() {
		if slices.Contains(b.Keys(), "left") && b.Enabled() {
			return true
		}
	}
	return false
}

// ListHeight is the height of a list choice of n options, its title's line included,
// showing them all up to most; title says how many there are when some are out of
// sight, so that nobody takes the ones shown for all.
func ListHeight(title string, n, most int) (string, int) {
	if n <= most {
		return title, n + 1
	}
	return fmt.Sprintf("%s  (%d, ↑/↓ for more)", title, n), most + 1
}
