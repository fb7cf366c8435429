package common

import (
	"image/color"
	"math"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// luminance is a colour's relative luminance (WCAG 2).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is the WCAG contrast ratio of two colours, 1 to 21.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// TestBothPalettesRead: every colour text is written in reads on the background it is
// built for (4.5:1, WCAG AA), and still at 3:1 on the selection, where rows keep
// their colours; the selection itself stands out from the terminal.
func TestBothPalettesRead(t *testing.T) {
	for _, tc := range []struct {
		dark   bool
		bg, fg color.Color // the terminal's: a light one, a dark one
	}{
		{false, lipgloss.Color("#FFFFFF"), lipgloss.Color("#000000")},
		{true, lipgloss.Color("#1E1E1E"), lipgloss.Color("#FFFFFF")},
	} {
		st := NewStyles(tc.dark)
		if st.Dark != tc.dark {
			t.Fatalf("NewStyles(%v) says dark %v", tc.dark, st.Dark)
		}
		sel := st.Selected.GetBackground()
		for name, s := range map[string]lipgloss.Style{"text": st.Text, "tab": st.Tab, "active tab": st.TabActive,
			"header": st.HeaderRight, "panel title": st.PanelTitle, "good": st.Good, "warn": st.Warn, "bad": st.Bad,
			"dim": st.Dim, "accent": st.Accent, "help key": st.HelpKey, "help": st.HelpDesc, "error": st.Error,
			"table header": st.TableHeader, "brand": st.Brand} {
			fg := s.GetForeground()
			if r := contrast(fg, tc.bg); r < 4.5 {
				t.Errorf("dark=%v: %s reads at %.2f:1 on the background", tc.dark, name, r)
			}
			if r := contrast(fg, sel); r < 3 {
				t.Errorf("dark=%v: %s reads at %.2f:1 on the selection", tc.dark, name, r)
			}
		}
		if r := contrast(tc.fg, sel); r < 7 {
			t.Errorf("dark=%v: the terminal's own text reads at %.2f:1 on the selection", tc.dark, r)
		}
		if r := contrast(tc.bg, sel); r < 1.2 {
			t.Errorf("dark=%v: the selection hardly stands out (%.2f:1)", tc.dark, r)
		}
	}
}

// TestSelectCoversStyledText: a selected line keeps its background after a styled
// word inside it, in colour and without.
func TestSelectCoversStyledText(t *testing.T) {
	for _, st := range []Styles{NewStyles(true), NewStyles(false), NewStyles(true).WithoutColour()} {
		on, _, _ := strings.Cut(st.Selected.Render("x"), "x")
		got := st.Select("a" + st.Warn.Render("b") + "c")
		if !strings.Contains(got, on+"c") || !strings.HasPrefix(got, on+"a") {
			t.Errorf("the selection should start again after the styled b: %q (selection %q)", got, on)
		}
		if ansi.Strip(got) != "abc" {
			t.Errorf("the text changed: %q", ansi.Strip(got))
		}
	}
}
