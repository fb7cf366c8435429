package tui

import (
	"fmt"
	"strings"

	"ferry/tui/common"

	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// panel draws a rounded box of exactly w×h cells with a title in the top border.
func panel(s common.Styles, title string, lines []string, w, h int) string {
	if w < 4 || h < 2 {
		return ""
	}
	inner := w - 2
	t := ""
	if title != "" {
		t = " " + s.PanelTitle.Render(ansi.Truncate(title, inner-3, "…")) + " "
	}
	top := s.Border.Render("╭─") + t + s.Border.Render(strings.Repeat("─", max(0, inner-1-lipgloss.Width(t)))+"╮")
	out := []string{top}
	if len(lines) > h-2 && h > 3 { // with one row, show the first line: the title has the count
		more := len(lines) - (h - 3)
		lines = append(lines[:h-3:h-3], s.Dim.Render(fmt.Sprintf("… and %d more", more)))
	}
	for i := 0; i < h-2; i++ {
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		out = append(out, s.Border.Render("│")+common.Fit(" "+line, inner)+s.Border.Render("│"))
	}
	out = append(out, s.Border.Render("╰"+strings.Repeat("─", inner)+"╯"))
	return strings.Join(out, "\n")
}

// newInput is a text field with a steady cursor: a blinking one redraws the screen
// twice a second, which over SSH is traffic for nothing.
func newInput(prompt, placeholder string) textinput.Model {
	in := textinput.New()
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	in.Prompt, in.Placeholder = prompt, placeholder
	return in
}
