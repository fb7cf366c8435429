package components

import (
	"testing"

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
