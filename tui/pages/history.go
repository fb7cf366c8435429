package pages

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/table"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// pageSize is how many rows one background load fetches (keyset paging, so deep
// pages cost the same as the first).
const pageSize = 100

// history is every deployment ever, newest (or oldest) first, narrowed by the
// filters in one line above the table: f opens the form for all of them, e, s and /
// change the common ones at once.
type history struct {
	c        *common.Common
	table    table.Model
	search   textinput.Model
	f        historyFilter
	form     *filterForm // open while the filters are edited
	rows     []models.Deployment
	loading  bool
	more     bool                                                // another page may follow
	above    bool                                                // rows may precede the first held (the list opens at today)
	widest   struct{ id, component, version, status, start int } // the widest loaded so far (columns)
	req      int                                                 // bumps with every load: only the newest load's rows are taken
	selected int64                                               // kept across refreshes
	stopped  map[int64]bool                                      // rows held whose runner died: a person must resume, retry or fail them
	blocked  map[int64]bool                                      // rows held with a checklist item someone blocked
	w, h     int
	keys     struct{ Filter, Env, Status, Search, Order, Clear, Top, Bottom, Today key.Binding }
}

// historyLoad is what a load asks for: the rows around an anchor (those before it in
// the list's order, and from it on), or the next page below or above those held.
type historyLoad int

const (
	loadAround historyLoad = iota
	loadBelow
	loadAbove
	loadFirst // the first page of the whole list, replacing what is held
)

type historyMsg struct {
	req          int
	kind         historyLoad
	above, below []models.Deployment // above: nearest to the anchor first
	stopped      map[int64]bool      // which of them are interrupted
	blocked      map[int64]bool      // which of them have an item blocked
	limitAbove   int
	limitBelow   int
	err          error
}

// NewHistory is the History screen.
func NewHistory(c *common.Common) common.Page {
	d := &history{c: c, more: true}
	d.keys.Filter = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "filters"))
	d.keys.Env = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "environment"))
	d.keys.Status = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "status"))
	d.keys.Search = key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search"))
	d.keys.Order = key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "oldest first"))
	d.keys.Clear = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "clear filters"))
	d.keys.Top = key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top of the list"))
	d.keys.Bottom = key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "end of what is loaded"))
	d.keys.Today = key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "today"))
	d.search = components.NewInput(c.Styles, "/", "words in components, changes, notes, incidents; #ID opens one")
	d.search.CharLimit = components.ShortText
	d.table = components.NewTable(c.Styles)
	return d
}

func (d *history) Title() string   { return "History" }
func (d *history) Capturing() bool { return d.search.Focused() || d.form != nil }

func (d *history) ShortHelp() []common.Key {
	switch {
	case d.form != nil:
		return d.form.ShortHelp()
	case d.search.Focused():
		return []common.Key{
			common.On(key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "search"))),
			common.On(key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))),
		}
	}
	// Clear and export before the quick filters: the footer drops what does not fit
	// from the end, and once a filter is set they are what an analyst looks for.
	k := d.keys
	return []common.Key{d.openKey(), common.On(k.Filter), d.clearKey(), common.On(k.Search), d.exportKey(),
		common.On(k.Today), d.orderKey(), common.On(k.Env), common.On(k.Status)}
}

func (d *history) FullHelp() [][]common.Key {
	if d.form != nil || d.search.Focused() {
		return [][]common.Key{d.ShortHelp()}
	}
	k, on := d.keys, common.On
	return [][]common.Key{
		{on(d.c.Keys.Up), on(d.c.Keys.Down), on(k.Top), on(k.Bottom), on(k.Today), d.openKey()},
		{on(k.Filter), on(k.Search), d.orderKey(), on(k.Env), on(k.Status), d.clearKey()},
		{d.exportKey()},
	}
}

func (d *history) openKey() common.Key {
	k := common.On(d.c.Keys.Open)
	if len(d.rows) == 0 {
		k.Off = "no deployment to open"
	}
	return k
}

// orderKey says which order o turns to.
func (d *history) orderKey() common.Key {
	k := common.On(d.keys.Order)
	if d.f.Oldest {
		k.SetHelp("o", "newest first")
	}
	return k
}

// exportKey is x: every deployment the filters match, to a file.
func (d *history) exportKey() common.Key {
	var args []string
	if d.c.Remote { // over SSH: the command that exports the same from the person's machine
		f, _ := d.f.engineFilter(d.c.Eng.Location()) // a filter that does not read is named as far as it reads
		args = historyArgs(f, d.c.Eng.Location())
	}
	k := d.c.ExportKey(args...)
	if k.Off == "" && len(d.rows) == 0 {
		k.Off = "no deployment to export"
	}
	return k
}

// export asks where to write every deployment the filters match, in this order.
func (d *history) export() tea.Cmd {
	if d.exportKey().Off != "" {
		return nil
	}
	f, err := d.f.engineFilter(d.c.Eng.Location())
	if err != nil {
		return common.Fail(err)
	}
	says := strings.TrimSuffix(ansi.Strip(strings.Join(d.f.summary(d.c.Styles, d.everything()), " · ")), " · f filters")
	return common.Push(newHistoryExport(d.c, f, says))
}

func (d *history) clearKey() common.Key {
	k := common.On(d.keys.Clear)
	if !d.f.active() {
		k.Off = "no filter to clear"
	}
	return k
}

// Restyle takes the session's styles again, after the terminal said its background.
func (d *history) Restyle() {
	d.table.SetStyles(d.styles())
	d.search.SetStyles(components.InputStyles(d.c.Styles))
}

// setRows shows d.rows; the columns are fitted again when the rows change what fits
// (a longer status than those before).
func (d *history) setRows() {
	cols := d.columns()
	if slices.Equal(cols, d.table.Columns()) {
		d.table.SetRows(d.tableRows())
		return
	}
	cursor := d.table.Cursor()
	d.table.SetRows(nil) // the old rows may have more cells than the new columns
	d.table.SetColumns(cols)
	d.table.SetRows(d.tableRows())
	d.table.SetCursor(max(cursor, 0))
}

func (d *history) SetSize(w, h int) {
	d.w, d.h = w, h
	d.search.SetWidth(max(10, w-4))
	d.table.SetStyles(d.styles()) // narrow, the columns stand closer
	d.table.SetWidth(w)
	d.table.SetRows(nil) // the old rows may have more cells than the new columns
	d.table.SetColumns(d.columns())
	d.fitTable()
	d.table.SetRows(d.tableRows())
	d.restoreSelection()
	if d.form != nil {
		d.form.SetSize(w, h)
	}
}

// Refresh reloads around the selected deployment as many rows as are held on each
// side of it, so a refresh neither moves the cursor nor shortens the list. Before
// anything is held, the list opens at today.
func (d *history) Refresh() tea.Cmd {
	i := d.table.Cursor()
	if len(d.rows) == 0 || i < 0 || i >= len(d.rows) {
		return d.loadToday()
	}
	return d.loadAroundRow(d.rows[i], max(pageSize, i), max(pageSize, len(d.rows)-i))
}

// loadAroundRow loads up to above rows before sel and below from it on.
func (d *history) loadAroundRow(sel models.Deployment, above, below int) tea.Cmd {
	dir := int64(1)
	if d.f.Oldest {
		dir = -1
	}
	// The row itself is the first below: the cursor just past it.
	return d.load(loadAround, models.CursorOf(sel), &models.Cursor{Start: sel.ScheduledStart, ID: sel.ID + dir}, above, below)
}

// loadToday loads the rows around now: later work above, what started before below,
// the cursor on the first of those (in oldest-first order, the other way round).
func (d *history) loadToday() tea.Cmd {
	at := &models.Cursor{Start: d.c.Eng.Now(), ID: math.MaxInt64}
	if d.f.Oldest {
		at.ID = 0
	}
	d.selected = 0
	return d.load(loadAround, at, at, pageSize, pageSize)
}

// load asks for rows in the background. Rows above are listed in the other order
// from the anchor outwards. A newer load makes this one's answer stale.
func (d *history) load(kind historyLoad, above, below *models.Cursor, limitAbove, limitBelow int) tea.Cmd {
	f, err := d.f.engineFilter(d.c.Eng.Location())
	if err != nil {
		return common.Fail(err)
	}
	up := f
	up.Oldest, up.After, up.Limit = !f.Oldest, above, limitAbove
	f.After, f.Limit = below, limitBelow
	d.req++
	c, req := d.c, d.req
	d.loading = true
	return func() tea.Msg {
		msg := historyMsg{req: req, kind: kind, limitAbove: limitAbove, limitBelow: limitBelow}
		if kind == loadAround || kind == loadAbove {
			msg.above, msg.err = c.Eng.List(c.Ctx, c.Actor, up)
		}
		if kind != loadAbove && msg.err == nil {
			msg.below, msg.err = c.Eng.List(c.Ctx, c.Actor, f)
		}
		if msg.err == nil {
			msg.stopped, msg.err = c.Eng.Interrupted(c.Ctx, slices.Concat(msg.above, msg.below))
		}
		if msg.err == nil {
			msg.blocked, msg.err = c.Eng.Blocked(c.Ctx, slices.Concat(msg.above, msg.below))
		}
		common.Clean(&msg.above)
		common.Clean(&msg.below)
		return msg
	}
}

// loadMore fetches the page after the last row held.
func (d *history) loadMore() tea.Cmd {
	return d.load(loadBelow, nil, models.CursorOf(d.rows[len(d.rows)-1]), 0, pageSize)
}

// loadEarlier fetches the page before the first row held.
func (d *history) loadEarlier() tea.Cmd {
	return d.load(loadAbove, models.CursorOf(d.rows[0]), nil, pageSize, 0)
}

// refilter starts over with f, at today.
func (d *history) refilter(f historyFilter) tea.Cmd {
	d.f = f
	d.rows, d.more, d.above, d.selected = nil, true, false, 0
	d.widest = struct{ id, component, version, status, start int }{} // the columns fit what this filter shows
	d.table.SetRows(nil)
	d.table.SetCursor(0)
	return d.loadToday()
}

func (d *history) Update(msg tea.Msg) tea.Cmd {
	defer d.fitTable() // the filter line may have grown or shrunk
	switch msg := msg.(type) {
	case historyMsg:
		return d.loaded(msg)
	case filterAppliedMsg:
		d.form = nil
		return d.refilter(msg.f)
	case filterCancelledMsg:
		d.form = nil
		return nil
	case common.PlannedMsg:
		return d.showPlanned(msg.Deployment)
	}
	if d.form != nil {
		return d.form.Update(msg)
	}
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		if d.search.Focused() {
			return d.searchKey(msg)
		}
		return d.key(msg)
	}
	return nil
}

// showPlanned loads the rows around a deployment just planned from here, it
// selected. A narrowed list may not hold it: that one only reloads as it was.
func (d *history) showPlanned(p models.Deployment) tea.Cmd {
	if d.f.active() {
		return nil
	}
	d.selected = p.ID
	return d.loadAroundRow(p, pageSize, pageSize)
}

func (d *history) loaded(msg historyMsg) tea.Cmd {
	if msg.req != d.req {
		return nil
	}
	d.loading = false
	if msg.err != nil {
		return common.Fail(msg.err)
	}
	slices.Reverse(msg.above) // nearest the anchor last, as the list shows them
	if msg.kind == loadAround || msg.kind == loadFirst || d.stopped == nil {
		d.stopped, d.blocked = map[int64]bool{}, map[int64]bool{}
	}
	maps.Copy(d.stopped, msg.stopped)
	maps.Copy(d.blocked, msg.blocked)
	switch msg.kind {
	case loadAround: // the anchor's row on screen, a third of the way down
		d.rows = append(msg.above, msg.below...)
		d.above, d.more = len(msg.above) == msg.limitAbove, len(msg.below) == msg.limitBelow
		d.setRows()
		components.ShowAt(&d.table, len(msg.above), d.table.Height()/3)
	case loadBelow:
		d.rows = append(d.rows, msg.below...)
		d.more = len(msg.below) == msg.limitBelow
		d.setRows()
	case loadFirst:
		d.rows, d.above = msg.below, false
		d.more = len(msg.below) == msg.limitBelow
		d.setRows()
		d.table.GotoTop()
		d.selected = 0
		d.remember()
	case loadAbove: // the same row under the cursor, the rows above it now held
		d.rows = append(msg.above, d.rows...)
		d.above = len(msg.above) == msg.limitAbove
		d.setRows()
		components.ShowAt(&d.table, d.table.Cursor()+len(msg.above), d.table.Height()/3)
	}
	d.restoreSelection()
	return d.maybeMore()
}

// restoreSelection keeps the cursor on the same deployment after new rows arrive.
func (d *history) restoreSelection() {
	for i, r := range d.rows {
		if r.ID == d.selected {
			if i != d.table.Cursor() {
				components.ShowAt(&d.table, i, d.table.Height()/3)
			}
			return
		}
	}
	d.table.SetCursor(min(d.table.Cursor(), max(0, len(d.rows)-1)))
	d.remember()
}

func (d *history) remember() {
	if i := d.table.Cursor(); i >= 0 && i < len(d.rows) {
		d.selected = d.rows[i].ID
	}
}

func (d *history) key(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, d.c.Keys.Open):
		if i := d.table.Cursor(); i >= 0 && i < len(d.rows) {
			return common.Push(NewDetail(d.c, d.rows[i].ID))
		}
		return nil
	case key.Matches(msg, d.keys.Filter):
		d.form = newFilterForm(d.c, d.f, d.w, d.h)
		return d.form.Init()
	case key.Matches(msg, d.keys.Search): // a fresh search: "/#ID" must not add to the last one
		d.search.SetValue("")
		return d.search.Focus()
	case key.Matches(msg, d.keys.Today):
		d.table.SetCursor(0)
		return d.loadToday()
	case key.Matches(msg, d.c.Keys.Export):
		return d.export()
	case key.Matches(msg, d.keys.Top) && d.above:
		// The top of the whole list, not of what is held: the oldest deployment is a
		// key away, not a page of 100 a key.
		return d.load(loadFirst, nil, nil, 0, pageSize)
	case key.Matches(msg, d.keys.Top):
		d.table.GotoTop()
	case key.Matches(msg, d.keys.Bottom):
		d.table.GotoBottom()
	default:
		if f, ok := d.quickFilter(msg); ok {
			return d.refilter(f)
		}
		var cmd tea.Cmd
		d.table, cmd = d.table.Update(msg)
		d.remember()
		return tea.Batch(cmd, d.maybeMore())
	}
	d.remember()
	return d.maybeMore()
}

// quickFilter is the filter after a one-key change: the next environment or status,
// the other order, or none at all.
func (d *history) quickFilter(msg tea.KeyPressMsg) (historyFilter, bool) {
	f := d.f
	switch {
	case key.Matches(msg, d.keys.Env):
		f.Env = d.nextEnv()
	case key.Matches(msg, d.keys.Status):
		f.Status = nextStatus(f.Status)
	case key.Matches(msg, d.keys.Order):
		f.Oldest = !f.Oldest
	case key.Matches(msg, d.keys.Clear):
		f = historyFilter{Oldest: f.Oldest}
	default:
		return f, false
	}
	return f, true
}

// nextEnv cycles all → each environment in promotion order → all.
func (d *history) nextEnv() string {
	envs := d.c.Eng.Config().Environments
	for i, e := range envs {
		if e.Name == d.f.Env {
			if i+1 < len(envs) {
				return envs[i+1].Name
			}
			return ""
		}
	}
	if len(envs) == 0 {
		return ""
	}
	return envs[0].Name
}

// maybeMore fetches the next page when the cursor nears the end of what is loaded,
// or the page before when it nears the top.
func (d *history) maybeMore() tea.Cmd {
	switch {
	case d.loading || len(d.rows) == 0:
		return nil
	case d.more && d.table.Cursor() >= len(d.rows)-d.table.Height():
		return d.loadMore()
	case d.above && d.table.Cursor() < d.table.Height():
		return d.loadEarlier()
	}
	return nil
}

func (d *history) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "enter":
		d.search.Blur()
		q := strings.TrimSpace(d.search.Value())
		if id, err := strconv.ParseInt(strings.TrimPrefix(q, "#"), 10, 64); err == nil && strings.HasPrefix(q, "#") {
			d.search.SetValue(d.f.Search)
			return common.Push(NewDetail(d.c, id)) // "#48213" goes to that deployment
		}
		f := d.f
		f.Search = q
		return d.refilter(f)
	case "esc":
		d.search.Blur()
		return nil
	}
	var cmd tea.Cmd
	d.search, cmd = d.search.Update(msg)
	return cmd
}

// everything is what the list holds with no filter.
func (d *history) everything() string {
	if engine.SeesOnlyOwn(d.c.Actor) {
		return "every deployment assigned to you"
	}
	return "every deployment"
}

func (d *history) View() string {
	if d.form != nil {
		return d.form.View()
	}
	st := d.c.Styles
	bar := strings.Join(d.bar(), "\n")
	if len(d.rows) == 0 && !d.loading {
		empty := " No deployments match: c clears the filters, f changes them."
		switch {
		case d.f.active():
		case engine.SeesOnlyOwn(d.c.Actor):
			empty = " No deployment has been assigned to you yet."
		case d.c.PlanKey().Off == "":
			empty = " No deployments yet. Press p to plan one, or fill a demo: ferry demo"
		default:
			empty = " No deployments yet."
		}
		return bar + "\n\n" + st.Dim.Render(common.Fit(empty, d.w))
	}
	return bar + "\n" + d.table.View()
}

// bar is what is above the table: the filters in force, as many lines as they take,
// with the count at the right of the first; or the search field while it is open.
func (d *history) bar() []string {
	st := d.c.Styles
	if d.search.Focused() {
		var out []string
		for _, l := range components.InputLines(st, d.search) {
			out = append(out, common.Fit(" "+l, d.w))
		}
		return out
	}
	count := common.Thousands(len(d.rows)) + " shown"
	switch {
	case d.loading && len(d.rows) == 0:
		count = "loading…"
	case d.more && d.above && len(d.rows) > 0: // opened in the middle (t: today): both ways
		count += ", more above and below"
	case d.more && len(d.rows) > 0: // pages load as the cursor nears the end: say so
		count += ", more below"
	case d.above && len(d.rows) > 0:
		count += ", more above"
	}
	// A space before, "· " between (a date at the end of the filters read as one
	// with the count: "until 2026-11-30 31 shown"), one after.
	room := d.w - lipgloss.Width(count) - 5
	lines := common.PackBeside(d.f.summary(st, d.everything()), st.Dim.Render(" · "), room, d.w-2)
	for i, l := range lines {
		lines[i] = " " + l
	}
	sep := "   "
	if lipgloss.Width(lines[0]) >= room { // the filters run up to the count
		sep = " · "
	}
	lines[0] = common.Fit(lines[0], room+1) + st.Dim.Render(sep+count) + " "
	return lines
}

// fitTable gives the table what the filter line leaves.
func (d *history) fitTable() {
	if h := max(3, d.h-len(d.bar())); h != d.table.Height() {
		d.table.SetHeight(h)
	}
}

// Unmoved: a character for a full field changes nothing (see common.Unmoved).
func (d *history) Unmoved(msg tea.Msg) bool {
	if d.form != nil {
		return d.form.Unmoved(msg)
	}
	return components.InputFull(d.search, msg)
}
