package components

import (
	"charm.land/bubbles/v2/key"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"ferry/tui/common"
)

// FormTheme is the one theme of every form, in the session's styles: it follows
// the terminal's background as the console knows it (huh's own guess is a light
// one until the terminal answers, and many never do), and packs the fields without
// blank lines between them, so a whole form fits a phone's screen.
func FormTheme(c *common.Common) huh.Theme {
	return huh.ThemeFunc(func(bool) *huh.Styles { return formStyles(c.Styles) })
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
	t.Blurred = t.Focused
	t.Blurred.Base = f.Base.BorderStyle(lipgloss.HiddenBorder())
	t.Blurred.Card = t.Blurred.Base
	t.Blurred.NextIndicator, t.Blurred.PrevIndicator = lipgloss.NewStyle(), lipgloss.NewStyle()
	t.Group.Title, t.Group.Description = f.Title, f.Description
	return t
}

// FormKeys let ↓ and ↑ move between fields as tab and shift+tab do.
func FormKeys() *huh.KeyMap {
	k := huh.NewDefaultKeyMap()
	k.Input.Next = key.NewBinding(key.WithKeys("enter", "tab", "down"))
	k.Input.Prev = key.NewBinding(key.WithKeys("shift+tab", "up"))
	k.Select.Next = key.NewBinding(key.WithKeys("enter", "tab", "down"))
	k.Select.Prev = key.NewBinding(key.WithKeys("shift+tab", "up"))
	return k
}

// FieldErrors shows a text field's validation error in its title, where the person
// is looking, instead of under the whole form.
type FieldErrors struct {
	c      *common.Common
	titles map[*huh.Input]string
}

// NewFieldErrors keeps the titles of the fields Input makes.
func NewFieldErrors(c *common.Common) *FieldErrors {
	return &FieldErrors{c: c, titles: map[*huh.Input]string{}}
}

// Input makes a text field whose errors show in its title.
func (fe *FieldErrors) Input(k, title string, v *string) *huh.Input {
	in := huh.NewInput().Key(k).Title(title).Value(v).Prompt("")
	fe.titles[in] = title
	return in
}

// Mark retitles every field after the form has seen a message (huh validates when a
// field is left, and forgets the error at the next key).
func (fe *FieldErrors) Mark() {
	for in, title := range fe.titles {
		if err := in.Error(); err != nil {
			title += "  " + fe.c.Styles.Error.Render("✗ "+err.Error())
		}
		in.Title(title)
	}
}
