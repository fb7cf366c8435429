package components

import (
	"testing"

	"charm.land/lipgloss/v2"

	"ferry/tui/common"
)

// TestFormThemeFollowsTheStyles: forms take the session's colours for the
// background the console knows, whatever huh guesses (huh's Charm theme has the
// wrong grey for each background: light grey on white).
func TestFormThemeFollowsTheStyles(t *testing.T) {
	for _, dark := range []bool{false, true} {
		st := common.NewStyles(dark)
		fs := FormTheme(&common.Common{Styles: st}).Theme(!dark)
		for name, got := range map[string]any{
			"option":      fs.Focused.UnselectedOption.GetForeground(),
			"input text":  fs.Focused.TextInput.Text.GetForeground(),
			"description": fs.Focused.Description.GetForeground(),
			"placeholder": fs.Blurred.TextInput.Placeholder.GetForeground(),
		} {
			want := st.Text.GetForeground()
			if name == "description" || name == "placeholder" {
				want = st.Dim.GetForeground()
			}
			if got != want {
				t.Errorf("dark=%v: the form's %s is %v, want %v", dark, name, got, want)
			}
		}
	}
}

// Without colour (NO_COLOR) a placeholder, the default a field takes when left
// empty, is told from a typed value by its attributes: faint and italic.
func TestFormPlaceholderWithoutColourIsNotAValue(t *testing.T) {
	st := common.NewStyles(true).WithoutColour()
	fs := FormTheme(&common.Common{Styles: st}).Theme(true)
	for _, p := range []lipgloss.Style{fs.Focused.TextInput.Placeholder, fs.Blurred.TextInput.Placeholder} {
		if !p.GetFaint() || !p.GetItalic() {
			t.Errorf("placeholder: faint %v, italic %v; want both", p.GetFaint(), p.GetItalic())
		}
	}
	if text := fs.Focused.TextInput.Text; text.GetFaint() || text.GetItalic() {
		t.Error("a typed value must look like a value, not a placeholder")
	}
}
