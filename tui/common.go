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

// Messages between components.
type (
	// openDetailMsg asks the root to show one deployment.
	openDetailMsg struct{ id int64 }
	// closeOverlayMsg returns from a deployment or a panel to the screen below.
	closeOverlayMsg struct{}
	// noteMsg shows a short confirmation in the footer.
	noteMsg struct{ text string }
	// refreshMsg is the periodic tick that keeps data fresh.
	refreshMsg struct{}
	// errMsg reports a failure to show in the footer.
	errMsg struct{ err error }
	// resolveMsg asks the root to open the resolve panel for a planned deployment:
	// its conflicts, the suggested slot with a preview, apply, override.
	resolveMsg struct{ id int64 }
	// changedMsg says data changed (a reschedule, an override): screens reload.
	changedMsg struct{}
	// closeSubMsg returns from a view opened inside the deployment detail (the run
	// view, the checklist) to the detail.
	closeSubMsg struct{}
)

func openDetail(id int64) tea.Cmd { return func() tea.Msg { return openDetailMsg{id} } }

func resolve(id int64) tea.Cmd { return func() tea.Msg { return resolveMsg{id} } }

// openChecklistMsg asks the root to show a deployment's checklist.
type openChecklistMsg struct{ id int64 }

func openChecklist(id int64) tea.Cmd { return func() tea.Msg { return openChecklistMsg{id} } }

func closeOverlay() tea.Msg { return closeOverlayMsg{} }

func closeSub() tea.Msg { return closeSubMsg{} }

func note(text string) tea.Cmd { return func() tea.Msg { return noteMsg{text} } }

// done closes the overlay, tells every screen data changed, and notes what happened.
func done(note string) tea.Cmd {
	return tea.Batch(closeOverlay, func() tea.Msg { return changedMsg{} }, func() tea.Msg { return noteMsg{note} })
}

func fail(err error) tea.Cmd { return func() tea.Msg { return errMsg{err} } }
