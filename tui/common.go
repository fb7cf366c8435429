// Package tui is Ferry's console: screens and components over the engine. It never
// touches the database; long work runs in tea.Cmds, never in Update or View.
package tui

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
)

// screen is one page of the console: the root routes messages and size to it.
type screen interface {
	help.KeyMap
	Title() string
	SetSize(w, h int)
	Update(tea.Msg) tea.Cmd
	View() string
	Refresh() tea.Cmd // reload its data in the background
	Capturing() bool  // a text field has focus: plain keys belong to it
}

// Messages pages send the root.
type (
	// pushMsg opens a page over the one that sent it: a deployment, its checklist,
	// a panel. esc (or backMsg) returns to the page below.
	pushMsg struct{ page screen }
	// backMsg closes the page on top and returns to the one below.
	backMsg struct{}
	// noteMsg shows a short confirmation in the footer.
	noteMsg struct{ text string }
	// errMsg reports a failure to show in the footer.
	errMsg struct{ err error }
	// changedMsg says data changed (a reschedule, an override): screens reload.
	changedMsg struct{}
	// refreshMsg is the periodic tick that keeps data fresh.
	refreshMsg struct{}
)

// push asks the root to open p over the page on top.
func push(p screen) tea.Cmd { return func() tea.Msg { return pushMsg{p} } }

func back() tea.Msg { return backMsg{} }

func note(text string) tea.Cmd { return func() tea.Msg { return noteMsg{text} } }

// done closes the page on top, tells the screens data changed, and notes what happened.
func done(note string) tea.Cmd {
	return tea.Batch(back, func() tea.Msg { return changedMsg{} }, func() tea.Msg { return noteMsg{note} })
}

func fail(err error) tea.Cmd { return func() tea.Msg { return errMsg{err} } }
