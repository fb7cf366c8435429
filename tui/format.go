package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"ferry/models"
)

// statusWord renders a deployment status as its glyph and word, coloured by meaning.
func (s Styles) statusWord(st models.Status) string {
	style := s.Warn // running: waiting on a step or a person
	switch st {
	case models.StatusPlanned:
		style = s.Accent
	case models.StatusSucceeded:
		style = s.Good
	case models.StatusFailed, models.StatusRolledBack:
		style = s.Bad
	case models.StatusCancelled:
		style = s.Dim
	}
	return style.Render(plainStatus(st))
}

// shortStage is the running stage in a word or two.
func shortStage(st models.Status) string {
	switch st {
	case models.StatusVerifyingComponents:
		return "verify components"
	case models.StatusVerifyingEnvironment:
		return "verify environment"
	case models.StatusExecuting:
		return "execute"
	case models.StatusVerifyingDeployment:
		return "verify deployment"
	}
	return string(st)
}

// compactStage names a running stage in at most 11 cells, for tight rows.
func compactStage(st models.Status) string {
	switch st {
	case models.StatusVerifyingComponents:
		return "verify comp"
	case models.StatusVerifyingEnvironment:
		return "verify env"
	case models.StatusExecuting:
		return "execute"
	case models.StatusVerifyingDeployment:
		return "verify depl"
	}
	return string(st)
}

// stepGlyph renders a step's state as a checkbox that reads without colour.
func (s Styles) stepGlyph(st models.StepStatus) string {
	switch st {
	case models.StepDone:
		return s.Good.Render("[✓]")
	case models.StepFailed:
		return s.Bad.Render("[✗]")
	case models.StepBlocked:
		return s.Bad.Render("[!]")
	case models.StepRunning:
		return s.Warn.Render("[▸]")
	case models.StepSkipped:
		return s.Dim.Render("[-]")
	case models.StepInterrupted:
		return s.Bad.Render("[?]")
	}
	return "[ ]"
}

// progress draws a five-cell bar with a count, e.g. "▓▓▓░░ 3/5".
func progress(done, total int) string {
	const cells = 5
	n := 0
	if total > 0 {
		n = done * cells / total
	}
	return strings.Repeat("▓", n) + strings.Repeat("░", cells-n) + fmt.Sprintf(" %d/%d", done, total)
}

// sparkline draws values as block characters scaled from their own lowest to highest,
// so that a success rate moving between 94% and 99% still shows its shape; a
// negative value (no data) is a dot.
func sparkline(vals []float64) string {
	blocks := []rune("▁▂▃▄▅▆▇█")
	lo, hi := 1.0, 0.0
	for _, v := range vals {
		if v >= 0 {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	var b strings.Builder
	for _, v := range vals {
		switch {
		case v < 0:
			b.WriteRune('·')
		case hi-lo < 0.001: // flat: draw it level, mid-height
			b.WriteRune(blocks[len(blocks)/2])
		default:
			b.WriteRune(blocks[int((v-lo)/(hi-lo)*float64(len(blocks)-1)+0.5)])
		}
	}
	return b.String()
}

// percent formats a rate, or "—" when there is none.
func percent(r float64) string {
	if r < 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", r*100)
}

// thousands writes 1284 as "1,284".
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// fit pads or cuts a styled string to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", max(0, w-lipgloss.Width(s)))
}

// panel draws a rounded box of exactly w×h cells with a title in the top border.
func (s Styles) panel(title string, lines []string, w, h int) string {
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
		out = append(out, s.Border.Render("│")+fit(" "+line, inner)+s.Border.Render("│"))
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
