package pages_test

import (
	"strings"

	"ferry/models"
	"testing"

	tea "charm.land/bubbletea/v2"

	"ferry/tui"
	"ferry/tui/common"
	"ferry/tui/internal/tuitest"
	"ferry/tui/pages"
)

// The pages are tested as a person uses them: in the whole console, through its
// root, which routes keys and messages to them.

// Model is the console of one session, with the session's Common at hand.
type Model struct {
	*tui.Model
	c *common.Common
}

// New opens the console of session c.
func New(c *common.Common) *Model { return &Model{tui.New(c), c} }

// sized is actor's console in a w×h terminal, its first screen loaded.
func sized(t *testing.T, actor string, w, h int) *Model {
	m := New(newTestCommon(t, actor))
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	load(m, m.Top().Refresh())
	return m
}

// runLive runs session c's console in the real program loop, in a w×h terminal.
func runLive(t *testing.T, c *common.Common, w, h int) *tuitest.Live {
	return tuitest.RunLive(t, tui.New(c), w, h)
}

var (
	now           = tuitest.Now
	newTestCommon = tuitest.Org
	load          = tuitest.Load
	press         = tuitest.Press
	space         = tuitest.Space
	typeText      = tuitest.TypeText
	screenText    = tuitest.ScreenText
	fits          = tuitest.Fits
)

// The pages whose state the tests look into (see export_test.go).
type (
	history        = pages.History
	historyFilter  = pages.HistoryFilter
	scheduleScreen = pages.Schedule
	reports        = pages.Reports
)

var reportViews = pages.ReportViews

type poke = tuitest.Poke

// hasEvent reports whether an event of the record says text.
func hasEvent(events []models.Event, text string) bool {
	for _, e := range events {
		if strings.Contains(e.Detail, text) {
			return true
		}
	}
	return false
}
