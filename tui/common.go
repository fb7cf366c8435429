// Package tui is Ferry's console: screens and components over the engine. It never
// touches the database; long work runs in tea.Cmds, never in Update or View.
package tui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/models"
)

// Common is what every component of one console session shares; one per session
// (a local terminal or one SSH connection), never global.
type Common struct {
	Ctx    context.Context
	Eng    *engine.Engine
	Actor  models.Person
	Styles Styles
	Keys   KeyMap
	// RunsDue: this console starts due automated deployments itself (a local
	// console; under serve, the server's scheduler does it once for everyone).
	RunsDue bool
	// Remember, when set, is told where the person is (a deployment or its
	// checklist, or nowhere), and Resume is where a new session starts: together
	// they land a reconnecting person where they were.
	Remember func(Place)
	Resume   Place
}

// Place is where in the console a person is: a deployment's detail or checklist.
type Place struct {
	Checklist bool
	ID        int64 // 0: on a screen, no deployment open
}

// NewCommon builds a session's shared state. Keys the person may not use are
// switched off, so help never offers them (the engine refuses them anyway).
func NewCommon(ctx context.Context, eng *engine.Engine, actor models.Person) *Common {
	c := &Common{Ctx: ctx, Eng: eng, Actor: actor, Styles: NewStyles(true), Keys: DefaultKeyMap()}
	c.Keys.Plan.SetEnabled(engine.Can(actor, engine.ActPlan, nil) == nil)
	return c
}

// Local formats t in the organisation's zone with layout.
func (c *Common) Local(t time.Time, layout string) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(c.Eng.Location()).Format(layout)
}

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

// KeyMap holds the console's global keys and the ones screens share.
type KeyMap struct {
	Quit, Help, Next, Prev, Refresh, Back, Open, Up, Down, Plan key.Binding
	Screens                                                     []key.Binding
}

// DefaultKeyMap is the console's standard keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Next:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		Prev:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),
		Refresh: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh")),
		Back:    key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back")),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Plan:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "plan")),
		Screens: []key.Binding{
			key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "dashboard")),
			key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "history")),
			key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "schedule")),
			key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "conflicts")),
			key.NewBinding(key.WithKeys("5"), key.WithHelp("5", "reports")),
		},
	}
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
