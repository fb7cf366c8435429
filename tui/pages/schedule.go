package pages

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components/timeline"
)

// scheduleScreen is the timeline: one row per environment (or per person), a week
// or a day wide, deployments as bars, freeze and maintenance windows shaded, bars in
// an open conflict marked. The cursor is a selected deployment; it stays on the same
// deployment across refreshes.
type scheduleScreen struct {
	c    *common.Common
	w, h int

	// what to show: the loads ask for this period
	zoom   timeline.Zoom
	from   time.Time // start of the requested period (local midnight)
	people bool      // one row per person instead of per environment

	// what was loaded
	tl     engine.Timeline
	tlZoom timeline.Zoom
	loaded bool
	gen    int // bumps when the period changes, so stale loads are dropped
	rows   []schedRowData

	// the cursor
	rowKey  string    // the current row's key (environment or person)
	rowIdx  int       // its index, for when the key disappears
	sel     int64     // the selected deployment, 0 for none
	at      time.Time // the cursor's time: ↑/↓ select the deployment nearest to it
	pick    schedPick // what the next load selects
	pickRef time.Time
	pickID  int64
	offset  int    // first row shown when they do not all fit
	queued  int    // a ←/→ pressed while another period loads, done when it arrives
	note    string // a short message under the detail line until the next key

	keys scheduleKeys
}

type scheduleKeys struct {
	Left, Right, Up, Down, Prev, Next, Today, Day, Week, Envs, People, Open, Resolve, Override, Edit, Cancel key.Binding
	// shown in the short help only
	move, row, period, zoom key.Binding
}

// schedPick says which deployment a load selects.
type schedPick int

const (
	schedPickKeep    schedPick = iota // the same one; if it is gone, the one nearest in time in its row
	schedPickNearest                  // the one nearest to the cursor's time in the current row
	schedPickBefore                   // the last one starting before pickRef in the current row
	schedPickAfter                    // the first one starting after pickRef in the current row
	schedPickFirst                    // the one nearest to the cursor's time in any row (start-up)
)

// schedMaxLanes is the most lines one row takes; beyond, overlaps show as counts.
const schedMaxLanes = 4

// scheduleMsg carries a loaded timeline back to the screen.
type scheduleMsg struct {
	gen  int
	zoom timeline.Zoom
	tl   engine.Timeline
	err  error
}

// schedRowData is one row: its deployments by start and its windows.
type schedRowData struct {
	key, name string
	deps      []models.Deployment
	wins      []engine.TimelineWindow
}

// NewSchedule is the Schedule screen: the timeline.
func NewSchedule(c *common.Common) common.Page {
	s := &scheduleScreen{c: c, zoom: timeline.Week, pick: schedPickFirst}
	now := c.Eng.Now()
	s.from = timeline.PeriodStart(timeline.Week, now, c.Eng.Location())
	s.at = now
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	s.keys = scheduleKeys{
		Left:    b([]string{"left", "h"}, "←/h", "previous deployment"),
		Right:   b([]string{"right", "l"}, "→/l", "next deployment"),
		Up:      b([]string{"up", "k"}, "↑/k", "row above"),
		Down:    b([]string{"down", "j"}, "↓/j", "row below"),
		Prev:    b([]string{"["}, "[", "previous week/day"),
		Next:    b([]string{"]"}, "]", "next week/day"),
		Today:   b([]string{"t"}, "t", "today"),
		Day:     b([]string{"d"}, "d", "day view"),
		Week:    b([]string{"w"}, "w", "week view"),
		Envs:    b([]string{"e"}, "e", "rows by environment"),
		People:  b([]string{"a"}, "a", "rows by person (assignee)"),
		Open:    b([]string{"enter"}, "enter", "details"),
		Resolve: b([]string{"s"}, "s", "resolve (suggested slot)"),
		// o overrides, as o does in the resolve panel; m reschedules, as in the panel
		// and on the deployment's page (r is the run view there, reassign in the panel).
		Override: b([]string{"o"}, "o", "override its conflict"),
		Edit:     b([]string{"m"}, "m", "reschedule, edit"),
		Cancel:   b([]string{"X"}, "X", "cancel it"),
		move:     b([]string{"left", "right"}, "←/→", "move"),
		row:      b([]string{"up", "down"}, "↑/↓", "row"),
		period:   b([]string{"[", "]"}, "[/]", "period"),
		zoom:     b([]string{"d", "w"}, "d/w", "day/week"),
	}
	return s
}

func (s *scheduleScreen) Title() string    { return "Schedule" }
func (s *scheduleScreen) SetSize(w, h int) { s.w, s.h = w, h; s.offset = s.rowOffset() }
func (s *scheduleScreen) Capturing() bool  { return false }

func (s *scheduleScreen) ShortHelp() []common.Key {
	k, on := s.keys, common.On
	return []common.Key{on(k.move), on(k.row), s.openKey(), s.resolveKey(), s.actKey(k.Edit, whyNoEdit),
		s.overrideKey(), s.actKey(k.Cancel, whyNoCancel), on(k.period), on(k.zoom)}
}

func (s *scheduleScreen) FullHelp() [][]common.Key {
	k, on := s.keys, common.On
	return [][]common.Key{
		{on(k.Left), on(k.Right), on(k.Up), on(k.Down)},
		{on(k.Prev), on(k.Next), on(k.Today), on(k.Day), on(k.Week)},
		{on(k.Envs), on(k.People), s.openKey(), s.resolveKey(), s.actKey(k.Edit, whyNoEdit), s.overrideKey(),
			s.actKey(k.Cancel, whyNoCancel)},
	}
}

// actKey is a key acting on the selection, off with the rule's reason.
func (s *scheduleScreen) actKey(b key.Binding, rule func(*common.Common, models.Deployment) string) common.Key {
	return common.Key{Binding: b, Off: s.whyNot(rule)}
}

func (s *scheduleScreen) whyNot(rule func(*common.Common, models.Deployment) string) string {
	d, ok := s.selected()
	if !ok {
		return "no deployment selected"
	}
	return rule(s.c, d)
}

func (s *scheduleScreen) openKey() common.Key {
	k := common.On(s.keys.Open)
	if _, ok := s.selected(); !ok {
		k.Off = "no deployment selected"
	}
	return k
}

// overrideKey is off unless the person may override a conflict of the selection.
func (s *scheduleScreen) overrideKey() common.Key {
	_, why := s.overrideTarget()
	return common.Key{Binding: s.keys.Override, Off: why}
}

// overrideTarget is the conflict of the selection that o overrides: the first one
// that still asks something of it, else the first one open (a run a manager let
// start against it); or why there is none to override, in the engine's words.
func (s *scheduleScreen) overrideTarget() (models.Conflict, string) {
	d, ok := s.selected()
	if !ok {
		return models.Conflict{}, "no deployment selected"
	}
	if err := engine.Can(s.c.Actor, engine.ActOverride, &d); err != nil {
		return models.Conflict{}, err.Error()
	}
	var why error
	for _, settled := range []bool{false, true} {
		for _, c := range s.tl.Conflicted[d.ID] {
			if !c.Open() || engine.SettledFor(c, d) != settled {
				continue
			}
			if why = engine.WhyNoOverride(c); why == nil {
				return c, ""
			}
		}
	}
	if why != nil {
		return models.Conflict{}, common.Why(why)
	}
	return models.Conflict{}, noOpenConflict(d.ID)
}

// resolveKey is off unless the selection is a planned deployment in conflict.
func (s *scheduleScreen) resolveKey() common.Key {
	return common.Key{Binding: s.keys.Resolve, Off: s.whyNoResolve()}
}

func (s *scheduleScreen) loc() *time.Location { return s.c.Eng.Location() }

// startedNote is "started anyway by ana: why —" for a conflict a manager let work
// start against, else "".
func startedNote(c models.Conflict) string {
	if s := c.StartedText(); s != "" {
		return s + " —"
	}
	return ""
}

// statusWord is d's status as History and the dashboard say it.
func (s *scheduleScreen) statusWord(d models.Deployment) string {
	return s.c.Styles.RunStatus(d.Status, s.tl.Interrupted[d.ID])
}

// Refresh reloads the requested period in the background.
func (s *scheduleScreen) Refresh() tea.Cmd {
	c, gen, z, from := s.c, s.gen, s.zoom, s.from
	to := timeline.Shift(z, from, 1, c.Eng.Location())
	return func() tea.Msg {
		tl, err := c.Eng.Timeline(c.Ctx, c.Actor, from, to)
		common.Clean(&tl) // stored text is shown, never obeyed
		return scheduleMsg{gen: gen, zoom: z, tl: tl, err: err}
	}
}

// goTo asks for another period; the shown one stays until it arrives.
func (s *scheduleScreen) goTo(z timeline.Zoom, from time.Time, p schedPick) tea.Cmd {
	s.zoom, s.from, s.pick, s.queued = z, from, p, 0
	s.gen++
	return s.Refresh()
}

// Update handles msg, then scrolls the rows so the selected one stays in view: after
// the selection, the rows or the size changed, not while drawing.
func (s *scheduleScreen) Update(msg tea.Msg) tea.Cmd {
	cmd := s.update(msg)
	s.offset = s.rowOffset()
	return cmd
}

func (s *scheduleScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case scheduleMsg:
		if msg.gen != s.gen {
			return nil
		}
		if msg.err != nil {
			return func() tea.Msg { return common.ErrMsg{Err: msg.err} }
		}
		s.tl, s.tlZoom, s.loaded = msg.tl, msg.zoom, true
		s.rows = s.buildRows()
		s.reselect()
		if dir := s.queued; dir != 0 {
			s.queued = 0
			return s.step(dir)
		}
		return nil
	case common.PlannedMsg: // planned from here: its period, it selected
		d := msg.Deployment
		s.at, s.sel = d.ScheduledStart, d.ID
		return s.goTo(s.zoom, timeline.PeriodStart(s.zoom, s.at, s.loc()), schedPickKeep)
	case tea.KeyPressMsg:
		s.note = ""
		return s.key(msg)
	}
	return nil
}

func (s *scheduleScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k, loc := s.keys, s.loc()
	switch {
	case key.Matches(msg, k.Left):
		return s.step(-1)
	case key.Matches(msg, k.Right):
		return s.step(1)
	case key.Matches(msg, k.Up):
		s.moveRow(-1)
	case key.Matches(msg, k.Down):
		s.moveRow(1)
	case key.Matches(msg, k.Prev), key.Matches(msg, k.Next):
		n := 1
		if key.Matches(msg, k.Prev) {
			n = -1
		}
		days := n
		if s.zoom == timeline.Week {
			days = 7 * n
		}
		s.at = s.at.In(loc).AddDate(0, 0, days)
		s.sel = 0
		return s.goTo(s.zoom, timeline.Shift(s.zoom, s.from, n, loc), schedPickNearest)
	case key.Matches(msg, k.Today):
		s.at, s.sel = s.c.Eng.Now(), 0
		return s.goTo(s.zoom, timeline.PeriodStart(s.zoom, s.at, loc), schedPickNearest)
	case key.Matches(msg, k.Day):
		return s.zoomTo(timeline.Day)
	case key.Matches(msg, k.Week):
		return s.zoomTo(timeline.Week)
	case key.Matches(msg, k.Envs), key.Matches(msg, k.People):
		people := key.Matches(msg, k.People)
		if people != s.people {
			s.people, s.offset = people, 0
			s.rows = s.buildRows()
			s.rowKey, s.rowIdx = "", 0
			s.reselect()
		}
	case key.Matches(msg, k.Open):
		if s.sel != 0 {
			return common.Push(NewDetail(s.c, s.sel))
		}
	case key.Matches(msg, k.Resolve):
		return s.resolve()
	case key.Matches(msg, k.Override):
		// The resolve panel on that conflict, asking for the reason: the override is
		// the panel's, through the engine, and what is left to settle is in sight there.
		if c, why := s.overrideTarget(); why == "" {
			return common.Push(NewResolveOverriding(s.c, s.sel, c.Key))
		}
	case key.Matches(msg, k.Edit) && s.whyNot(whyNoEdit) == "":
		d, _ := s.selected()
		return common.Push(newEditForm(s.c, d))
	case key.Matches(msg, k.Cancel) && s.whyNot(whyNoCancel) == "":
		d, _ := s.selected()
		return common.Push(newCancelPage(s.c, d))
	}
	return nil
}

// resolve opens the resolve panel for a planned deployment in conflict, or says
// under the timeline why not.
func (s *scheduleScreen) resolve() tea.Cmd {
	if s.note = s.whyNoResolve(); s.note != "" {
		return nil
	}
	return common.Push(NewResolve(s.c, s.sel))
}

// whyNoResolve says why the selection's conflicts cannot be resolved, "" if they can:
// by one who may move deployments (the role first, as the engine refuses: it holds
// for every deployment), and only a planned deployment in an open conflict moves.
func (s *scheduleScreen) whyNoResolve() string {
	d, ok := s.selected()
	switch {
	case !ok:
		return "select a deployment in conflict first"
	case mayNotMove(s.c, d) != "":
		return mayNotMove(s.c, d)
	case d.Status.Running():
		return fmt.Sprintf("#%d is already running: only planned deployments can be moved", d.ID)
	case d.Status.Final():
		return fmt.Sprintf("#%d is done (%s): only planned deployments can be moved", d.ID, common.StatusText(d.Status))
	case len(s.tl.Conflicted[d.ID]) == 0:
		return noOpenConflict(d.ID)
	}
	return ""
}

// zoomTo shows the week or the day of the selection (or of the cursor's time).
func (s *scheduleScreen) zoomTo(z timeline.Zoom) tea.Cmd {
	if z == s.zoom {
		return nil
	}
	anchor := s.at
	if d, ok := s.selected(); ok {
		anchor = d.ScheduledStart
	}
	if s.loaded { // the shown period, even if the selection started before it
		if anchor.Before(s.tl.From) {
			anchor = s.tl.From
		}
		if !anchor.Before(s.tl.To) {
			anchor = s.tl.To.Add(-time.Second)
		}
	}
	s.at = anchor
	return s.goTo(z, timeline.PeriodStart(z, anchor, s.loc()), schedPickKeep)
}

// step selects the previous or next deployment in the row, by start; past the edge
// of the period it loads the one before or after.
func (s *scheduleScreen) step(dir int) tea.Cmd {
	row, ok := s.row()
	if !s.loaded || !ok {
		return nil
	}
	if s.pending() { // step from what the user will see, not from what is on screen
		s.queued = dir
		return nil
	}
	ref, refID := s.at, int64(0)
	if d, ok := s.selected(); ok {
		ref, refID = d.ScheduledStart, d.ID
	}
	if i := schedStepIn(row.deps, dir, ref, refID); i >= 0 {
		s.sel, s.at = row.deps[i].ID, row.deps[i].ScheduledStart
		return nil
	}
	s.pickRef, s.pickID = ref, refID
	p := schedPickAfter
	if dir < 0 {
		p = schedPickBefore
	}
	return s.goTo(s.zoom, timeline.Shift(s.zoom, s.from, dir, s.loc()), p)
}

// pending reports whether another period is on its way.
func (s *scheduleScreen) pending() bool {
	return !s.from.Equal(s.tl.From) || s.zoom != s.tlZoom
}

// schedStepIn is the index of the last deployment before (dir < 0) or the first after
// (dir > 0) the one starting at ref with id refID, by (start, id); -1 if none.
func schedStepIn(deps []models.Deployment, dir int, ref time.Time, refID int64) int {
	less := func(d models.Deployment) bool { // d comes before the reference
		return d.ScheduledStart.Before(ref) || d.ScheduledStart.Equal(ref) && d.ID < refID
	}
	if dir < 0 {
		for i := len(deps) - 1; i >= 0; i-- {
			if less(deps[i]) {
				return i
			}
		}
		return -1
	}
	for i, d := range deps {
		if !less(d) && d.ID != refID {
			return i
		}
	}
	return -1
}

// moveRow changes row and selects the deployment there nearest to the cursor's time.
func (s *scheduleScreen) moveRow(d int) {
	if len(s.rows) == 0 {
		return
	}
	i := common.Clamp(s.rowIndex()+d, 0, len(s.rows)-1)
	s.rowKey, s.rowIdx = s.rows[i].key, i
	s.sel = schedNearest(s.rows[i].deps, s.at)
}

// schedNearest is the deployment whose window is nearest to t (0 inside it), then
// whose start is nearest; 0 when there is none.
func schedNearest(deps []models.Deployment, t time.Time) int64 {
	var best int64
	var bd, bs time.Duration
	for _, d := range deps {
		dist := time.Duration(0)
		if !d.Window().Overlaps(models.Interval{Start: t, End: t.Add(time.Second)}) {
			dist = min(schedAbs(d.ScheduledStart.Sub(t)), schedAbs(d.ScheduledEnd.Sub(t)))
		}
		ds := schedAbs(d.ScheduledStart.Sub(t))
		if best == 0 || dist < bd || dist == bd && ds < bs {
			best, bd, bs = d.ID, dist, ds
		}
	}
	return best
}

func schedAbs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// buildRows groups the loaded deployments into rows: environments in promotion
// order, or people (in config order) who have work in view, then "unassigned".
func (s *scheduleScreen) buildRows() []schedRowData {
	var rows []schedRowData
	index := map[string]int{}
	add := func(key, name string) {
		index[key] = len(rows)
		rows = append(rows, schedRowData{key: key, name: name})
	}
	cfg := s.c.Eng.Config()
	if !s.people {
		for _, e := range cfg.Environments {
			add(e.Name, e.Name)
		}
		for _, w := range s.tl.Windows {
			if i, ok := index[w.Environment]; ok {
				rows[i].wins = append(rows[i].wins, w)
			}
		}
	} else {
		busy := map[string]bool{}
		for _, d := range s.tl.Deployments {
			busy[d.Assignee] = true
		}
		for _, p := range s.c.Eng.Assignable() {
			if busy[p.Name] {
				add(p.Name, p.Name)
			}
		}
	}
	rowKey := func(d models.Deployment) string {
		if s.people {
			return d.Assignee
		}
		return d.Environment
	}
	var extra []string // rows nothing in the config names: lose nothing
	for _, d := range s.tl.Deployments {
		if k := rowKey(d); !slices.Contains(extra, k) {
			if _, ok := index[k]; !ok {
				extra = append(extra, k)
			}
		}
	}
	slices.SortFunc(extra, func(a, b string) int {
		if (a == "") != (b == "") { // unassigned last
			return cmp.Compare(b, a)
		}
		return cmp.Compare(a, b)
	})
	for _, k := range extra {
		add(k, cmp.Or(k, "unassigned"))
	}
	for _, d := range s.tl.Deployments {
		i := index[rowKey(d)]
		rows[i].deps = append(rows[i].deps, d)
	}
	for i := range rows {
		slices.SortStableFunc(rows[i].deps, func(a, b models.Deployment) int {
			return cmp.Or(a.ScheduledStart.Compare(b.ScheduledStart), cmp.Compare(a.ID, b.ID))
		})
	}
	return rows
}

// nameWidth is the widest row name of the current mode, stable across periods.
func (s *scheduleScreen) nameWidth() int {
	n := 0
	if s.people {
		n = len("unassigned")
		for _, p := range s.c.Eng.Config().People {
			n = max(n, lipgloss.Width(p.Name))
		}
	} else {
		for _, e := range s.c.Eng.Config().Environments {
			n = max(n, lipgloss.Width(e.Name))
		}
	}
	for _, r := range s.rows {
		n = max(n, lipgloss.Width(r.name))
	}
	return n
}

// rowIndex is the current row's index in s.rows.
func (s *scheduleScreen) rowIndex() int {
	for i, r := range s.rows {
		if r.key == s.rowKey {
			return i
		}
	}
	return common.Clamp(s.rowIdx, 0, max(0, len(s.rows)-1))
}

func (s *scheduleScreen) row() (schedRowData, bool) {
	if len(s.rows) == 0 {
		return schedRowData{}, false
	}
	return s.rows[s.rowIndex()], true
}

// selected is the selected deployment, if it is loaded.
func (s *scheduleScreen) selected() (models.Deployment, bool) {
	if s.sel == 0 {
		return models.Deployment{}, false
	}
	for _, r := range s.rows {
		for _, d := range r.deps {
			if d.ID == s.sel {
				return d, true
			}
		}
	}
	return models.Deployment{}, false
}

// reselect puts the cursor back after a load or a change of rows, as s.pick says.
func (s *scheduleScreen) reselect() {
	p := s.pick
	s.pick = schedPickKeep
	if len(s.rows) == 0 {
		s.sel = 0
		return
	}
	// the row of a still-loaded selection wins (its assignee or environment may change)
	if p == schedPickKeep && s.sel != 0 {
		for i, r := range s.rows {
			for _, d := range r.deps {
				if d.ID == s.sel {
					s.rowKey, s.rowIdx = r.key, i
					return
				}
			}
		}
		p = schedPickNearest // it left the view: its neighbour in time
	}
	i := s.rowIndex()
	s.rowKey, s.rowIdx = s.rows[i].key, i
	deps := s.rows[i].deps
	switch p {
	case schedPickKeep:
		// nothing was selected (an empty row): stay so
	case schedPickNearest:
		s.sel = schedNearest(deps, s.at)
	case schedPickBefore, schedPickAfter:
		dir := 1
		if p == schedPickBefore {
			dir = -1
		}
		s.sel = 0
		if j := schedStepIn(deps, dir, s.pickRef, s.pickID); j >= 0 {
			s.sel, s.at = deps[j].ID, deps[j].ScheduledStart
		} else if dir < 0 { // an empty stretch: the next ← goes further back
			s.at = s.tl.From
		} else {
			s.at = s.tl.To.Add(-time.Second)
		}
	case schedPickFirst:
		s.sel = 0
		var all []models.Deployment
		for _, r := range s.rows {
			all = append(all, r.deps...)
		}
		if id := schedNearest(all, s.at); id != 0 {
			s.sel = id
			for j, r := range s.rows {
				if slices.ContainsFunc(r.deps, func(d models.Deployment) bool { return d.ID == id }) {
					s.rowKey, s.rowIdx = r.key, j
				}
			}
		}
	}
}

// ---- view ----------------------------------------------------------------------

// rowRoom is the lines the rows have and how many rows are shown: all of them when
// they fit under the title and header and above the caret and the detail (else
// scrolled to keep the cursor in view); lines left over stack overlapping bars into
// lanes, and the legend takes the last two.
func (s *scheduleScreen) rowRoom() (room, shown int) {
	n := len(s.rows)
	room = max(1, s.h-3-schedDetailHeight(s.w))
	if n+2 <= room {
		room -= 2
	}
	return room, min(n, room)
}

// rowOffset is the first row shown: where it was, moved as little as keeps the
// selected row in view.
func (s *scheduleScreen) rowOffset() int {
	_, shown := s.rowRoom()
	cur := s.rowIndex()
	return common.Clamp(s.offset, max(0, cur-shown+1), min(cur, len(s.rows)-shown))
}

func (s *scheduleScreen) View() string {
	if s.w <= 0 || s.h <= 0 {
		return ""
	}
	st := s.c.Styles
	if !s.loaded {
		return common.Fit(" "+st.Bold.Render("Schedule"), s.w) + "\n" + st.Dim.Render(" loading…")
	}
	loc := s.loc()
	g := timeline.Layout(s.w, s.tlZoom, s.tl.From, loc, s.nameWidth())
	out := []string{s.titleLine(), s.headerLine(g)}

	n := len(s.rows)
	room, shown := s.rowRoom()
	cur := s.rowIndex()
	off := s.rowOffset()
	nowX := g.CellAt(s.c.Eng.Now())
	bars := make([][]timeline.Bar, n)
	lanes := make([]int, n)
	for i, r := range s.rows {
		bars[i], lanes[i] = s.bars(r), 1
	}
	if shown == n {
		need := make([]int, n)
		for i := range s.rows {
			need[i] = len(timeline.Lanes(g, bars[i], schedMaxLanes))
		}
		lanes = timeline.Share(need, room)
	}
	for i := off; i < off+shown; i++ {
		out = append(out, s.rowLines(g, s.rows[i], bars[i], lanes[i], i == cur, nowX)...)
	}
	if shown < n {
		more := fmt.Sprintf(" %d–%d of %d", off+1, off+shown, n)
		out[1] = common.Fit(out[1], s.w-lipgloss.Width(more)) + st.Dim.Render(more)
	}
	out = append(out, s.caretLine(g))
	// Lines the rows leave over go to the detail, so that a long conflict message
	// wraps into them rather than being cut; the legend takes the last line. How
	// many depends on the size and the rows, never on the selection.
	dh := schedDetailHeight(s.w)
	if spare := s.h - len(out) - dh - 1; spare > 0 {
		dh += spare
	}
	out = append(out, s.detailLines(dh)...)
	if left := s.h - len(out); left >= 1 {
		if left >= 2 {
			out = append(out, "")
		}
		out = append(out, s.legend())
	}
	for i := range out {
		out[i] = common.Fit(out[i], s.w)
	}
	return strings.Join(out, "\n")
}

// periodName is "week 48 · 23–29 Nov 2026" or "Thu 26 Nov 2026", its days in two
// digits as the ticks under it write them ("week 49 · 30 Nov – 06 Dec 2026").
func (s *scheduleScreen) periodName() string {
	loc := s.loc()
	from := s.tl.From.In(loc)
	if s.tlZoom == timeline.Day {
		return from.Format(common.DayLayout + " Jan 2006")
	}
	last := timeline.Shift(timeline.Day, s.tl.To, -1, loc).In(loc)
	_, wk := from.ISOWeek()
	var days string
	switch {
	case from.Month() == last.Month():
		days = from.Format("02") + "–" + last.Format("02 Jan 2006")
	case from.Year() == last.Year():
		days = from.Format("02 Jan") + " – " + last.Format("02 Jan 2006")
	default:
		days = from.Format("02 Jan 2006") + " – " + last.Format("02 Jan 2006")
	}
	return fmt.Sprintf("week %d · %s", wk, days)
}

func (s *scheduleScreen) titleLine() string {
	st := s.c.Styles
	left := " " + st.Bold.Render("Schedule") + " · " + s.periodName() + " · " + s.loc().String()
	if s.tl.Truncated {
		left += st.Warn.Render(fmt.Sprintf(" · first %d only", len(s.tl.Deployments)))
	}
	if s.pending() {
		left += st.Dim.Render(" · loading…")
	}
	hint := st.HelpKey.Render("e") + " " + schedWord(st, "environments", !s.people) + "  " +
		st.HelpKey.Render("a") + " " + schedWord(st, "people", s.people) + "  " +
		st.HelpKey.Render("d") + " " + schedWord(st, "day", s.tlZoom == timeline.Day) + "  " +
		st.HelpKey.Render("w") + " " + schedWord(st, "week", s.tlZoom == timeline.Week) + " "
	if gap := s.w - lipgloss.Width(left) - lipgloss.Width(hint); gap >= 2 {
		return left + strings.Repeat(" ", gap) + hint
	}
	return left
}

// schedWord is an option's name, bold when it is the active one.
func schedWord(st common.Styles, s string, active bool) string {
	if active {
		return st.Bold.Render(s)
	}
	return st.Dim.Render(s)
}

// headerLine labels the days (or hours); the one holding now stands out.
func (s *scheduleScreen) headerLine(g timeline.Geom) string {
	st := s.c.Styles
	loc, now := s.loc(), s.c.Eng.Now()
	ticks := g.Ticks(loc)
	hot := -1
	for i, t := range ticks {
		if !now.Before(t.At) && now.Before(g.To) {
			hot = i
		}
	}
	if g.Zoom == timeline.Week && hot >= 0 && !now.Before(timeline.Shift(timeline.Day, ticks[hot].At, 1, loc)) {
		hot = -1
	}
	line := strings.Repeat(" ", g.Label)
	x := 0
	for i, t := range ticks {
		if t.X < x || t.Text == "" {
			continue
		}
		style := st.Dim
		if i == hot {
			style = st.Accent.Bold(true)
		}
		line += strings.Repeat(" ", t.X-x) + style.Render(t.Text)
		x = t.X + lipgloss.Width(t.Text)
	}
	return line
}

// bars are a row's deployments as the layout draws them.
func (s *scheduleScreen) bars(r schedRowData) []timeline.Bar {
	out := make([]timeline.Bar, 0, len(r.deps))
	for _, d := range r.deps {
		k := timeline.Planned
		switch {
		case !d.Status.Final() && engine.CountOpenFor(s.tl.Conflicted[d.ID], d) > 0:
			k = timeline.Conflict // not one a manager let it start against: that is under way, ▶
		case d.Status.Running():
			k = timeline.Running
		case d.Status == models.StatusFailed || d.Status == models.StatusRolledBack:
			k = timeline.Failed
		case d.Status == models.StatusCancelled:
			k = timeline.Cancelled
		case d.Status.Final():
			k = timeline.Done
		}
		out = append(out, timeline.Bar{ID: d.ID, Iv: d.Window(), Kind: k, Label: d.Component, Runs: d.Status.Running()})
	}
	return out
}

// wins are a row's freeze and maintenance windows.
func (s *scheduleScreen) wins(r schedRowData) []timeline.Win {
	loc := s.loc()
	out := make([]timeline.Win, 0, len(r.wins))
	for _, w := range r.wins {
		if w.Kind == "freeze" {
			out = append(out, timeline.Win{Iv: w.Interval, Freeze: true, Label: "freeze"})
			continue
		}
		out = append(out, timeline.Win{Iv: w.Interval, Label: "mw " + schedClock(w.Start.In(loc)) + "–" + schedClock(w.End.In(loc))})
	}
	return out
}

// schedClock is "22" on the hour, else "22:30".
func schedClock(t time.Time) string {
	if t.Minute() == 0 {
		return t.Format("15")
	}
	return t.Format("15:04")
}

// rowLines draws one row in up to n lanes: the marker and name, then the cells,
// styled in runs. Windows shade every lane; their words go in the first.
func (s *scheduleScreen) rowLines(g timeline.Geom, r schedRowData, bars []timeline.Bar, n int, current bool, nowX int) []string {
	st := s.c.Styles
	name := timeline.Abbrev(r.name, g.Label-2)
	label := " " + common.Fit(name, g.Label-1)
	if current {
		label = st.Accent.Bold(true).Render("▸") + common.Fit(st.Bold.Render(name), g.Label-1)
	} else if len(r.deps) == 0 {
		label = " " + common.Fit(st.Dim.Render(name), g.Label-1)
	}
	wins := s.wins(r)
	var out []string
	for j, lane := range timeline.Lanes(g, bars, n) {
		if j == 1 {
			label = strings.Repeat(" ", g.Label)
			wins = slices.Clone(wins)
			for k := range wins {
				wins[k].Label = ""
			}
		}
		out = append(out, label+s.drawCells(timeline.Row(g, lane, wins, s.sel, nowX)))
	}
	return out
}

// drawCells styles a row's cells in runs of the same look.
func (s *scheduleScreen) drawCells(cells []timeline.Cell) string {
	var b strings.Builder
	for i := 0; i < len(cells); {
		j := i
		for j < len(cells) && schedSameLook(cells[j], cells[i]) {
			j++
		}
		text := make([]rune, 0, j-i)
		for _, c := range cells[i:j] {
			text = append(text, c.R)
		}
		b.WriteString(s.cellStyle(cells[i]).Render(string(text)))
		i = j
	}
	return b.String()
}

func schedSameLook(a, b timeline.Cell) bool {
	return a.Kind == b.Kind && a.Conflict == b.Conflict && a.Selected == b.Selected && a.Text == b.Text
}

// cellStyle colours a cell by kind; the glyphs carry the meaning without colour.
func (s *scheduleScreen) cellStyle(c timeline.Cell) lipgloss.Style {
	st := s.c.Styles
	var base lipgloss.Style
	switch c.Kind {
	case timeline.NowLine:
		base = st.Accent
	case timeline.Maint, timeline.Freeze, timeline.Done, timeline.Cancelled:
		base = st.Dim
	case timeline.Failed:
		base = st.Bad
	case timeline.Planned:
		base = st.Accent
	case timeline.Running:
		base = st.Warn
	case timeline.Conflict:
		base = st.Bad.Bold(true)
	case timeline.Overlap:
		base = st.Bold
		if c.Conflict {
			base = st.Bad.Bold(true)
		}
	default:
		return lipgloss.NewStyle()
	}
	if c.Text && c.Kind != timeline.Maint && c.Kind != timeline.Freeze {
		base = base.Reverse(true)
	}
	if c.Selected {
		if c.Text {
			return st.Selected
		}
		return st.Selected.Inherit(base)
	}
	return base
}

// caretLine points at the selected bar from below the timeline.
func (s *scheduleScreen) caretLine(g timeline.Geom) string {
	d, ok := s.selected()
	if !ok {
		return ""
	}
	x0, _, ok := g.Span(d.Window())
	if !ok {
		return ""
	}
	return strings.Repeat(" ", g.Label+x0) + s.c.Styles.Accent.Bold(true).Render("^")
}

// schedDetailHeight is how many lines the detail takes at width w: the same for every
// selection, so the timeline never moves when the cursor does.
func schedDetailHeight(w int) int {
	if w >= 100 {
		return 2
	}
	return 3
}

// detailLines describe the selected deployment in exactly n lines: what, where,
// who, when, its state and its first conflict; then the conflict's message (or the
// change and model), wrapped as the width needs.
func (s *scheduleScreen) detailLines(n int) []string {
	st := s.c.Styles
	period := "week"
	if s.tlZoom == timeline.Day {
		period = "day"
	}
	var head, tail, after []string // head parts are joined by headSep, tail words (then after's) by a space
	headSep, tailStyle := "  ", st.Dim
	d, ok := s.selected()
	switch {
	case len(s.tl.Deployments) == 0:
		head = []string{st.Bold.Render(fmt.Sprintf("Nothing planned this %s.", period)),
			st.Dim.Render(fmt.Sprintf("] next %s", period))}
		if s.c.PlanKey().Off == "" {
			head = append(head, st.Dim.Render("· p plans one"))
		}
		headSep = " "
	case !ok:
		r, _ := s.row()
		head = []string{st.Dim.Render(fmt.Sprintf("Nothing for %s this %s.", r.name, period)),
			st.Dim.Render("↑/↓ another row · ←/→ earlier or later")}
	default:
		head = []string{
			fmt.Sprintf("%s %s %s → %s", st.Bold.Render(fmt.Sprintf("#%d", d.ID)), d.Component, d.Version, d.Environment),
			cmp.Or(d.Assignee, "unassigned"), s.when(d), s.statusWord(d),
		}
		if late := lateMark(s.c, d); late != "" { // as its page and My work say it
			head = append(head, late)
		}
		tail = strings.Fields(fmt.Sprintf("%s · model %s v%d · requested by %s",
			cmp.Or(d.ChangeRef, "no change reference"), d.Model, d.ModelVersion, cmp.Or(d.Requester, "—")))
		if cs := s.tl.Conflicted[d.ID]; len(cs) > 0 && !d.Status.Final() {
			c := cs[0]
			var others []string
			for _, id := range c.IDs {
				if id != d.ID {
					others = append(others, fmt.Sprintf("#%d", id))
				}
			}
			mark, style := conflictMark(st, c, d)
			what := fmt.Sprintf("%s %s conflict", mark, common.KindWords(c.Kind))
			if len(others) > 0 {
				what += " with " + strings.Join(others, ", ")
			}
			what = style.Render(what)
			if len(cs) > 1 { // red while one of them still needs someone
				more := st.Dim
				if engine.CountOpenFor(cs[1:], d) > 0 {
					more = st.Bad
				}
				what += more.Render(fmt.Sprintf(" (+%d more)", len(cs)-1))
			}
			head = append(head, what)
			tail, tailStyle = nil, style
			for _, w := range strings.Fields(startedNote(c)) { // weighed by a manager already: first
				tail = append(tail, st.Dim.Render(w))
			}
			// Wrap's words: a window's ends stay on one line.
			tail = append(tail, common.Words(c.Message, s.w-1)...)
			if d.Status == models.StatusPlanned { // said after the message, cut or whole
				after = []string{st.Dim.Render("· s resolve")}
			}
		} else if !d.Status.Final() {
			head = append(head, st.Good.Render("✓ no open conflicts")) // an overridden one is on its page
		}
	}
	for i, w := range tail {
		if !strings.Contains(w, "\x1b") {
			tail[i] = tailStyle.Render(w)
		}
	}
	lines := schedWrap(head, headSep, s.w-1)
	if s.note != "" {
		lines = append(lines, st.Warn.Render(s.note))
	} else {
		// What the lines cannot hold ends between two words, saying which key shows
		// it whole (the deployment's page): a cut message was a riddle on a phone.
		more := append([]string{st.Dim.Render("… " + s.keys.Open.Help().Key + " shows all")}, after...)
		lines = append(lines, wrapIn(append(tail, after...), " ", s.w-1, n-len(lines), more)...)
	}
	if len(lines) > n && n > 0 { // the head alone is more than the rows: say so where it is cut
		lines = lines[:n]
		lines[n-1] = common.Fit(strings.TrimRight(lines[n-1], " ")+" …", s.w-1) // too wide, Fit ends it in "…"
	}
	out := make([]string, n)
	for i := range out {
		if i < len(lines) {
			out[i] = " " + lines[i]
		}
	}
	return out
}

// schedWrap joins parts with sep into lines of at most w cells, breaking between
// parts; a part wider than w gets a line of its own (and is cut when drawn).
func schedWrap(parts []string, sep string, w int) []string {
	var out []string
	line := ""
	for _, p := range parts {
		switch {
		case line == "":
			line = p
		case lipgloss.Width(line)+lipgloss.Width(sep)+lipgloss.Width(p) <= w:
			line += sep + p
		default:
			out = append(out, line)
			line = p
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// wrapIn is parts wrapped as schedWrap wraps them, in at most n lines (any number
// when n < 1). When they need more, the last line ends with more after as many
// whole parts as leave it room: the parts are cut between two of them, never in one.
func wrapIn(parts []string, sep string, w, n int, more []string) []string {
	lines := schedWrap(parts, sep, w)
	if n < 1 || len(lines) <= n {
		return lines
	}
	for k := len(parts) - 1; k > 0; k-- {
		if lines = schedWrap(append(slices.Clip(parts[:k]), more...), sep, w); len(lines) <= n {
			return lines
		}
	}
	lines = schedWrap(more, sep, w)
	return lines[:min(n, len(lines))]
}

// when is "Fri 27 10:00–10:45", or "Sat 28 22:00 – Sun 29 02:00" across midnight
// (the title names the month).
func (s *scheduleScreen) when(d models.Deployment) string {
	return s.c.WindowAs(d.ScheduledStart, d.ScheduledEnd, common.WindowForm{Day: common.DayLayout, Tight: true})
}

// legendItem is a glyph in its style and what it means, in a word and a shorter one.
type legendItem struct {
	style       lipgloss.Style
	glyph       string
	word, terse string
}

// legendLine writes items in tier's words: 0 the full ones, 1 the short ones, 2 the
// short ones closer together.
func legendLine(st common.Styles, items []legendItem, tier int) string {
	sep, gap := "  ", " "
	if tier > 0 {
		sep = " "
	}
	if tier > 1 {
		gap = ""
	}
	var parts []string
	for _, it := range items {
		w := it.word
		if tier > 0 {
			w = it.terse
		}
		parts = append(parts, it.style.Render(it.glyph)+st.Dim.Render(gap+w))
	}
	return " " + strings.Join(parts, sep)
}

// legend names every glyph, so the timeline reads without colour; shorter words
// and fewer spaces when the width is short.
func (s *scheduleScreen) legend() string {
	st := s.c.Styles
	items := []legendItem{
		{st.Accent, timeline.Glyph(timeline.Planned), "planned", "plan"},
		{st.Warn, timeline.Glyph(timeline.Running), "running", "run"},
		{st.Dim, timeline.Glyph(timeline.Done), "done", "done"},
		{st.Dim, timeline.Glyph(timeline.Cancelled), "cancelled", "cancel"},
		{st.Bad.Bold(true), timeline.Glyph(timeline.Conflict), "conflict", "clash"},
		{st.Bold.Reverse(true), "3", "together", "together"}, // touching in cells, not only overlapping in time
		{st.Dim, timeline.Glyph(timeline.Freeze), "freeze", "freeze"},
		{st.Dim, timeline.Glyph(timeline.Maint), "maintenance", "mw"},
		{st.Accent, timeline.Glyph(timeline.NowLine), "now", "now"},
		{st.Accent.Bold(true), "^", "selected starts", "selected"}, // dropped first when short of room
	}
	// The full words, then the short ones, then the short ones closer together; then
	// the same without the caret, which the selection's own look also shows.
	var line string
	for _, list := range [][]legendItem{items, items[:len(items)-1]} {
		for tier := range 3 {
			if line = legendLine(st, list, tier); lipgloss.Width(line) <= s.w {
				return line
			}
		}
	}
	return line
}
