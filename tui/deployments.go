package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/table"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/models"
)

// pageSize is how many rows one background load fetches (keyset paging, so deep
// pages cost the same as the first).
const pageSize = 100

// statusFilters are the presets `s` cycles through.
var statusFilters = []struct {
	label    string
	statuses []models.Status
}{
	{"all", nil},
	{"planned", []models.Status{models.StatusPlanned}},
	{"running", []models.Status{models.StatusVerifyingComponents, models.StatusVerifyingEnvironment,
		models.StatusExecuting, models.StatusVerifyingDeployment}},
	{"succeeded", []models.Status{models.StatusSucceeded}},
	{"failed", []models.Status{models.StatusFailed, models.StatusRolledBack}},
	{"cancelled", []models.Status{models.StatusCancelled}},
}

// deployments is the table of every deployment, newest first, with filters.
type deployments struct {
	c        *Common
	table    table.Model
	search   textinput.Model
	rows     []models.Deployment
	env      int // -1: all environments
	status   int
	loading  bool
	more     bool  // another page may follow
	gen      int   // bumps when the filter changes, so stale loads are dropped
	selected int64 // kept across refreshes
	w, h     int
	keys     struct{ Env, Status, Search, Clear, Top, Bottom key.Binding }
}

type deploymentsMsg struct {
	gen    int
	rows   []models.Deployment
	append bool
	err    error
}

func newDeployments(c *Common) *deployments {
	d := &deployments{c: c, env: -1, more: true}
	d.keys.Env = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "environment"))
	d.keys.Status = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "status"))
	d.keys.Search = key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search"))
	d.keys.Clear = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "clear filters"))
	d.keys.Top = key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "newest"))
	d.keys.Bottom = key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "load to end of page"))
	d.search = newInput("/", "words in component, version, change, notes, incidents")
	ts := table.DefaultStyles()
	ts.Header = c.Styles.TableHeader.Padding(0, 1)
	ts.Selected = c.Styles.Selected
	d.table = table.New(table.WithFocused(true), table.WithStyles(ts), table.WithWidth(80), table.WithHeight(10))
	return d
}

func (d *deployments) Title() string   { return "2 Deployments" }
func (d *deployments) Capturing() bool { return d.search.Focused() }

func (d *deployments) ShortHelp() []key.Binding {
	if d.search.Focused() {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "search")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		}
	}
	return []key.Binding{d.c.Keys.Open, d.keys.Env, d.keys.Status, d.keys.Search, d.keys.Clear}
}

func (d *deployments) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{d.c.Keys.Up, d.c.Keys.Down, d.keys.Top, d.keys.Bottom, d.c.Keys.Open},
		{d.keys.Env, d.keys.Status, d.keys.Search, d.keys.Clear},
	}
}

func (d *deployments) SetSize(w, h int) {
	d.w, d.h = w, h
	d.search.SetWidth(max(10, w-4))
	d.table.SetWidth(w)
	d.table.SetHeight(max(3, h-2))
	d.table.SetColumns(d.columns())
	d.table.SetRows(d.tableRows())
}

// columns fit the width: narrow terminals drop version and assignee first, and the
// component column takes what is left (each cell is padded by one cell each side).
func (d *deployments) columns() []table.Column {
	narrow := d.w < 90
	cols := []table.Column{{Title: "ID", Width: 7}, {Title: "Start", Width: 16}, {Title: "Env", Width: 11},
		{Title: "Component"}, {Title: "Version", Width: 10}, {Title: "Status", Width: 16}, {Title: "Assignee", Width: 8}}
	if narrow {
		cols = []table.Column{{Title: "ID", Width: 6}, {Title: "Start", Width: 12}, {Title: "Env", Width: 10},
			{Title: "Component"}, {Title: "Status", Width: 12}}
	}
	used := 0
	for _, c := range cols {
		used += c.Width + 2
	}
	cols[3].Width = max(8, d.w-used-2)
	return cols
}

func (d *deployments) tableRows() []table.Row {
	narrow := d.w < 90
	out := make([]table.Row, 0, len(d.rows))
	for _, dep := range d.rows {
		start := d.c.Local(dep.ScheduledStart, "Mon 02 Jan 15:04")
		if narrow {
			start = d.c.Local(dep.ScheduledStart, "02 Jan 15:04")
		}
		row := table.Row{fmt.Sprintf("#%d", dep.ID), start, dep.Environment, dep.Component}
		if !narrow {
			row = append(row, dep.Version)
		}
		row = append(row, plainStatus(dep.Status))
		if !narrow {
			row = append(row, dash(dep.Assignee))
		}
		out = append(out, row)
	}
	return out
}

// plainStatus is the status with its glyph, uncoloured (table cells are measured as
// text); statusWord colours it.
func plainStatus(s models.Status) string {
	switch s {
	case models.StatusPlanned:
		return "○ planned"
	case models.StatusSucceeded:
		return "✓ succeeded"
	case models.StatusFailed:
		return "✗ failed"
	case models.StatusRolledBack:
		return "↺ rolled back"
	case models.StatusCancelled:
		return "– cancelled"
	}
	return "▸ " + shortStage(s)
}

func (d *deployments) filter() engine.Filter {
	f := engine.Filter{Statuses: statusFilters[d.status].statuses, Search: strings.TrimSpace(d.search.Value())}
	if d.env >= 0 {
		f.Environment = d.c.Eng.Config().Environments[d.env].Name
	}
	return f
}

// Refresh reloads as many rows as are shown, so a refresh never shortens the list.
func (d *deployments) Refresh() tea.Cmd {
	return d.load(false, max(pageSize, len(d.rows)))
}

func (d *deployments) load(more bool, limit int) tea.Cmd {
	f := d.filter()
	f.Limit = limit
	if more && len(d.rows) > 0 {
		f.After = engine.CursorOf(d.rows[len(d.rows)-1])
	}
	c, gen := d.c, d.gen
	d.loading = true
	return func() tea.Msg {
		rows, err := c.Eng.List(c.Ctx, c.Actor, f)
		return deploymentsMsg{gen: gen, rows: rows, append: more, err: err}
	}
}

// refilter starts over with the new filter.
func (d *deployments) refilter() tea.Cmd {
	d.gen++
	d.rows, d.more = nil, true
	d.table.SetCursor(0)
	return d.load(false, pageSize)
}

func (d *deployments) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case deploymentsMsg:
		return d.loaded(msg)
	case tea.KeyPressMsg:
		if d.search.Focused() {
			return d.searchKey(msg)
		}
		return d.key(msg)
	}
	return nil
}

func (d *deployments) loaded(msg deploymentsMsg) tea.Cmd {
	if msg.gen != d.gen {
		return nil
	}
	d.loading = false
	if msg.err != nil {
		return func() tea.Msg { return errMsg{msg.err} }
	}
	if msg.append {
		d.rows = append(d.rows, msg.rows...)
		d.more = len(msg.rows) == pageSize
	} else {
		d.more = len(msg.rows) >= max(pageSize, len(d.rows))
		d.rows = msg.rows
	}
	d.table.SetRows(d.tableRows())
	d.restoreSelection()
	return nil
}

// restoreSelection keeps the cursor on the same deployment after new rows arrive.
func (d *deployments) restoreSelection() {
	for i, r := range d.rows {
		if r.ID == d.selected {
			d.table.SetCursor(i)
			return
		}
	}
	d.table.SetCursor(min(d.table.Cursor(), max(0, len(d.rows)-1)))
	d.remember()
}

func (d *deployments) remember() {
	if i := d.table.Cursor(); i >= 0 && i < len(d.rows) {
		d.selected = d.rows[i].ID
	}
}

func (d *deployments) key(msg tea.KeyPressMsg) tea.Cmd {
	envs := d.c.Eng.Config().Environments
	switch {
	case key.Matches(msg, d.c.Keys.Open):
		if i := d.table.Cursor(); i >= 0 && i < len(d.rows) {
			return openDetail(d.rows[i].ID)
		}
		return nil
	case key.Matches(msg, d.keys.Env):
		d.env++
		if d.env >= len(envs) {
			d.env = -1
		}
		return d.refilter()
	case key.Matches(msg, d.keys.Status):
		d.status = (d.status + 1) % len(statusFilters)
		return d.refilter()
	case key.Matches(msg, d.keys.Search):
		return d.search.Focus()
	case key.Matches(msg, d.keys.Clear):
		d.env, d.status = -1, 0
		d.search.SetValue("")
		return d.refilter()
	case key.Matches(msg, d.keys.Top):
		d.table.GotoTop()
	case key.Matches(msg, d.keys.Bottom):
		d.table.GotoBottom()
	default:
		var cmd tea.Cmd
		d.table, cmd = d.table.Update(msg)
		d.remember()
		return tea.Batch(cmd, d.maybeMore())
	}
	d.remember()
	return d.maybeMore()
}

// maybeMore fetches the next page when the cursor nears the end of what is loaded.
func (d *deployments) maybeMore() tea.Cmd {
	if d.loading || !d.more || d.table.Cursor() < len(d.rows)-d.table.Height() {
		return nil
	}
	return d.load(true, pageSize)
}

func (d *deployments) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "enter":
		d.search.Blur()
		return d.refilter()
	case "esc":
		d.search.Blur()
		return nil
	}
	var cmd tea.Cmd
	d.search, cmd = d.search.Update(msg)
	return cmd
}

func (d *deployments) View() string {
	st := d.c.Styles
	env := "all"
	if d.env >= 0 {
		env = d.c.Eng.Config().Environments[d.env].Name
	}
	bar := fmt.Sprintf(" env %s · status %s", st.Bold.Render(env), st.Bold.Render(statusFilters[d.status].label))
	if q := strings.TrimSpace(d.search.Value()); q != "" && !d.search.Focused() {
		bar += fmt.Sprintf(" · search %s", st.Bold.Render(q))
	}
	count := fmt.Sprintf("%d shown", len(d.rows))
	if d.more {
		count += "+"
	}
	bar = fit(bar, d.w-len(count)-1) + st.Dim.Render(count) + " "
	if d.search.Focused() {
		bar = " " + d.search.View()
	}
	if len(d.rows) == 0 && !d.loading {
		empty := " No deployments match. Press c to clear the filters, or plan one with: ferry deploy plan --help"
		if d.status == 0 && d.env < 0 && d.search.Value() == "" {
			empty = " No deployments yet. Plan one with 'ferry deploy plan', or fill a demo: ferry demo"
		}
		return bar + "\n\n" + st.Dim.Render(empty)
	}
	return bar + "\n" + d.table.View()
}
