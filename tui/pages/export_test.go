package pages

import (
	"time"

	"charm.land/bubbles/v2/table"
	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
)

// What the tests in package pages_test look at inside the pages they drive through
// the console.
type (
	History       = history
	HistoryFilter = historyFilter
	Schedule      = scheduleScreen
	Reports       = reports
)

var ReportViews = reportViews

// NewRun is the run view of deployment id, as r opens it from its record.
func NewRun(c *common.Common, id int64) common.Page { return newRunView(c, id) }

// FilterApplied is what the filter form sends when enter applies f.
func FilterApplied(f HistoryFilter) tea.Msg { return filterAppliedMsg{f} }

func (d *history) Rows() []models.Deployment { return d.rows }
func (d *history) Cursor() int               { return d.table.Cursor() }

func (s *scheduleScreen) From() time.Time           { return s.tl.From }
func (s *scheduleScreen) Loc() *time.Location       { return s.loc() }
func (s *scheduleScreen) NameWidth() int            { return s.nameWidth() }
func (s *scheduleScreen) Sel() int64                { return s.sel }
func (s *scheduleScreen) Select(id int64)           { s.sel = id }
func (s *scheduleScreen) Timeline() engine.Timeline { return s.tl }

func (r *reports) Table() table.Model { return r.table }
