package common

import (
	"strings"

	"charm.land/lipgloss/v2"

	"ferry/models"
)

// Styles is every style the console uses, built once per session. Colour carries
// meaning (green done, yellow waiting on a person, red failed or in conflict, dim for
// the past); every state also has a word or glyph, so NO_COLOR loses nothing.
type Styles struct {
	Dark                               bool           // built for a dark background
	Plain                              bool           // for a terminal without colour (NO_COLOR)
	Text                               lipgloss.Style // the ordinary foreground
	Brand, Tab, TabActive, HeaderRight lipgloss.Style
	Border, PanelTitle                 lipgloss.Style
	Good, Warn, Bad, Dim, Accent, Bold lipgloss.Style
	Selected                           lipgloss.Style
	HelpKey, HelpDesc, HelpSep         lipgloss.Style
	Error                              lipgloss.Style
	TableHeader, TableCell             lipgloss.Style
}

// NewStyles builds the styles for a dark or light terminal. Every colour that text is
// written in reads at 4.5:1 or better on its background (white, or a dark grey), and
// at 3:1 on the selection's (see styles_test.go).
func NewStyles(dark bool) Styles {
	ld := lipgloss.LightDark(dark)
	fg := ld(lipgloss.Color("#1F1F28"), lipgloss.Color("#DCD7BA"))
	dim := ld(lipgloss.Color("#6B6B6B"), lipgloss.Color("#8A8980"))
	accent := ld(lipgloss.Color("#2D4F67"), lipgloss.Color("#7FB4CA"))
	green := ld(lipgloss.Color("#2F7D32"), lipgloss.Color("#98BB6C"))
	yellow := ld(lipgloss.Color("#9A6700"), lipgloss.Color("#E6C384"))
	// This red stays red when downsampled to 256 colours (tmux, many SSH clients).
	red := ld(lipgloss.Color("#B3261E"), lipgloss.Color("#FF5D62"))
	selBg := ld(lipgloss.Color("#DCE4EC"), lipgloss.Color("#223249"))
	s := Styles{
		Dark:        dark,
		Text:        lipgloss.NewStyle().Foreground(fg),
		Brand:       lipgloss.NewStyle().Bold(true).Foreground(accent),
		Tab:         lipgloss.NewStyle().Foreground(dim),
		TabActive:   lipgloss.NewStyle().Bold(true).Underline(true).Foreground(fg),
		HeaderRight: lipgloss.NewStyle().Foreground(dim),
		Border:      lipgloss.NewStyle().Foreground(dim),
		PanelTitle:  lipgloss.NewStyle().Bold(true).Foreground(fg),
		Good:        lipgloss.NewStyle().Foreground(green),
		Warn:        lipgloss.NewStyle().Foreground(yellow),
		Bad:         lipgloss.NewStyle().Foreground(red),
		Dim:         lipgloss.NewStyle().Foreground(dim),
		Accent:      lipgloss.NewStyle().Foreground(accent),
		Bold:        lipgloss.NewStyle().Bold(true),
		Selected:    lipgloss.NewStyle().Background(selBg).Bold(true),
		HelpKey:     lipgloss.NewStyle().Foreground(fg).Bold(true),
		HelpDesc:    lipgloss.NewStyle().Foreground(dim),
		HelpSep:     lipgloss.NewStyle().Foreground(dim),
		Error:       lipgloss.NewStyle().Foreground(red).Bold(true),
		TableHeader: lipgloss.NewStyle().Bold(true).Foreground(fg),
		TableCell:   lipgloss.NewStyle(),
	}
	return s
}

// Select draws text as the selection, across the styles already in it: a styled
// word inside (a yellow "⏸", a red "✗") ends with a reset, which would end the
// selection's background there too, so the selection starts again after each one.
func (s Styles) Select(text string) string {
	on, _, _ := strings.Cut(s.Selected.Render("x"), "x")
	if on == "" { // a style that writes nothing (no colour, no bold)
		return s.Selected.Render(text)
	}
	for _, reset := range []string{"\x1b[0m", "\x1b[m"} {
		text = strings.ReplaceAll(text, reset, "\x1b[m"+on)
	}
	return on + text + "\x1b[m"
}

// WithoutColour is s for a terminal that shows no colour (NO_COLOR): the selection,
// a background elsewhere, is shown in reverse video, which needs none.
func (s Styles) WithoutColour() Styles {
	s.Plain = true
	s.Selected = lipgloss.NewStyle().Reverse(true).Bold(true)
	return s
}

// StatusWord renders a deployment status as its glyph and word, coloured by meaning.
func (s Styles) StatusWord(st models.Status) string {
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
	return style.Render(PlainStatus(st))
}

// RunStatus is StatusWord, or "⏸ interrupted" for a running deployment whose runner
// died and that waits for a person, as History and the dashboard say it.
func (s Styles) RunStatus(st models.Status, interrupted bool) string {
	if interrupted && st.Running() {
		return s.Bad.Render("⏸ interrupted")
	}
	return s.StatusWord(st)
}

// StepGlyph renders a step's state as a checkbox that reads without colour.
func (s Styles) StepGlyph(st models.StepStatus) string {
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

// PlainStatus is the status with its glyph, uncoloured (table cells are measured as
// text); StatusWord colours it.
func PlainStatus(s models.Status) string {
	if s.Final() || s == models.StatusPlanned {
		return StatusMark(s) + " " + StatusText(s)
	}
	return StatusMark(s) + " " + ShortStage(s)
}

// StatusMark is a status's glyph: ○ planned, ▸ running, ✓ succeeded, ✗ failed,
// ↺ rolled back, – cancelled.
func StatusMark(s models.Status) string {
	switch s {
	case models.StatusPlanned:
		return "○"
	case models.StatusSucceeded:
		return "✓"
	case models.StatusFailed:
		return "✗"
	case models.StatusRolledBack:
		return "↺"
	case models.StatusCancelled:
		return "–"
	}
	return "▸"
}

// ShortStage is the running stage in a word or two.
func ShortStage(st models.Status) string {
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

// CompactStage names a running stage in at most 11 cells, for tight rows.
func CompactStage(st models.Status) string {
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

// StatusText is the status in words: "rolled back", "verifying components".
func StatusText(s models.Status) string { return strings.ReplaceAll(string(s), "_", " ") }
