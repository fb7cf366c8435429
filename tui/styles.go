package tui

import (
	"charm.land/bubbles/v2/table"
	"charm.land/lipgloss/v2"
)

// Styles is every style the console uses, built once per session. Colour carries
// meaning (green done, yellow waiting on a person, red failed or in conflict, dim for
// the past); every state also has a word or glyph, so NO_COLOR loses nothing.
type Styles struct {
	Brand, Tab, TabActive, HeaderRight lipgloss.Style
	Border, PanelTitle                 lipgloss.Style
	Good, Warn, Bad, Dim, Accent, Bold lipgloss.Style
	Selected                           lipgloss.Style
	HelpKey, HelpDesc, HelpSep         lipgloss.Style
	Error                              lipgloss.Style
	TableHeader, TableCell             lipgloss.Style
}

// NewStyles builds the styles for a dark or light terminal.
func NewStyles(dark bool) Styles {
	ld := lipgloss.LightDark(dark)
	fg := ld(lipgloss.Color("#1F1F28"), lipgloss.Color("#DCD7BA"))
	dim := ld(lipgloss.Color("#8A8A8A"), lipgloss.Color("#727169"))
	accent := ld(lipgloss.Color("#2D4F67"), lipgloss.Color("#7FB4CA"))
	green := ld(lipgloss.Color("#2F7D32"), lipgloss.Color("#98BB6C"))
	yellow := ld(lipgloss.Color("#9A6700"), lipgloss.Color("#E6C384"))
	// This red stays red when downsampled to 256 colours (tmux, many SSH clients).
	red := ld(lipgloss.Color("#B3261E"), lipgloss.Color("#FF5D62"))
	selBg := ld(lipgloss.Color("#D8E1EA"), lipgloss.Color("#2D4F67"))
	s := Styles{
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

// newTable is a focused table in the console's styles; screens set its columns.
func newTable(c *Common) table.Model {
	ts := table.DefaultStyles()
	ts.Header = c.Styles.TableHeader.Padding(0, 1)
	ts.Selected = c.Styles.Selected
	return table.New(table.WithFocused(true), table.WithStyles(ts), table.WithWidth(80), table.WithHeight(10))
}
