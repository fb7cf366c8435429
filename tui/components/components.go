// Package components are the pieces of the console that more than one page uses:
// bordered panels, tables, text fields and forms, all in the session's styles. The
// schedule's timeline layout is its own package, timeline.
package components

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/table"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"ferry/tui/common"
)

// Panel draws a rounded box of exactly w×h cells with a title in the top border.
func Panel(s common.Styles, title string, lines []string, w, h int) string {
	return PanelNote(s, title, "", lines, w, h)
}

// PanelNote is a Panel with a note in its bottom border, dim: what is not shown
// below it, say.
func PanelNote(s common.Styles, title, note string, lines []string, w, h int) string {
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
	n := ""
	if note != "" {
		n = " " + s.Dim.Render(ansi.Truncate(note, inner-3, "…")) + " "
	}
	out = append(out, s.Border.Render("╰─")+n+s.Border.Render(strings.Repeat("─", max(0, inner-1-lipgloss.Width(n)))+"╯"))
	return strings.Join(out, "\n")
}

// NewTable is a focused table in the console's styles; pages set its columns. It
// has a width from the start: a table without one shows its header and no rows.
func NewTable(st common.Styles) table.Model {
	return table.New(table.WithFocused(true), table.WithStyles(TableStyles(st)), table.WithWidth(80), table.WithHeight(10))
}

// TableStyles are a table's styles in the console's.
func TableStyles(st common.Styles) table.Styles {
	ts := table.DefaultStyles()
	ts.Header = st.TableHeader.Padding(0, 1)
	ts.Selected = st.Selected
	return ts
}

// TightTableStyles are TableStyles with the columns one cell apart rather than
// two (a cell's padding on its left only), for a narrow screen, where a column more
// is worth more than the air between them.
func TightTableStyles(st common.Styles) table.Styles {
	ts := TableStyles(st)
	ts.Header = ts.Header.Padding(0, 0, 0, 1)
	ts.Cell = ts.Cell.Padding(0, 0, 0, 1)
	return ts
}

// NewInput is a text field in the console's styles.
// It holds at most LongText characters (set CharLimit for another length).
func NewInput(st common.Styles, prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.SetStyles(InputStyles(st))
	in.Prompt, in.Placeholder = prompt, placeholder
	in.CharLimit = LongText
	return in
}

// Length limits of the console's text fields: what a person types fits with room to
// spare, and a paste of a megabyte is cut at the limit at once instead of costing
// the server time for every character.
const (
	ShortText = 100 // a version, a time, a duration, a change reference, an ID, a search
	LongText  = 300 // a note, a reason, a summary
)

// LimitText is what a full field says.
func LimitText(n int) string { return fmt.Sprintf("✗ full: at most %d characters", n) }

// InputLines are a text field's line; below it, when what was typed no longer fits
// the line (which then scrolls, hiding its start), all of it wrapped, dim; and when the
// field is full, a line saying so (the characters beyond were not taken).
func InputLines(st common.Styles, in textinput.Model) []string {
	out := []string{in.View()}
	if v := in.Value(); in.Width() > 0 && ansi.StringWidth(v) > in.Width() {
		w := in.Width() + ansi.StringWidth(in.Prompt)
		for _, l := range common.Wrap(v, w-2) {
			out = append(out, st.Dim.Render("  "+l))
		}
	}
	if in.CharLimit > 0 && utf8.RuneCountInString(in.Value()) >= in.CharLimit {
		out = append(out, st.Warn.Render(LimitText(in.CharLimit)))
	}
	return out
}

// InputStyles are a text field's styles in the console's, with a steady cursor: a
// blinking one redraws the screen twice a second, which over SSH is traffic for
// nothing.
func InputStyles(st common.Styles) textinput.Styles {
	s := textinput.DefaultStyles(st.Dark)
	for _, state := range []*textinput.StyleState{&s.Focused, &s.Blurred} {
		state.Prompt, state.Placeholder, state.Suggestion, state.Text = st.Accent, st.Dim, st.Dim, st.Text
	}
	s.Cursor.Color = st.Text.GetForeground()
	s.Cursor.Blink = false
	return s
}
