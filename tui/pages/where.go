package pages

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
)

// whereScreen is the environment matrix: a row per component, a column per
// environment, the version that runs there and what comes next. The cursor is on
// one cell; enter opens the deployment that put its version there, n the one coming.
type whereScreen struct {
	c      *common.Common
	w, h   int
	data   engine.Where
	loaded bool
	row    int // selected component, index in data.Rows
	col    int // selected environment
	off    int // first component row in view
	keys   struct{ Left, Right, Next, Releases, Blocked key.Binding }
}

type whereMsg struct {
	w   engine.Where
	err error
}

// NewWhere is the Where screen.
func NewWhere(c *common.Common) common.Page {
	s := &whereScreen{c: c}
	s.keys.Left = key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→", "environment"))
	s.keys.Right = key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→", "environment"))
	s.keys.Next = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "open next"))
	s.keys.Releases = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "releases"))
	// The versions the matrix marks ✗, each with who blocked it and why.
	s.keys.Blocked = key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "blocked"))
	return s
}

func (s *whereScreen) Title() string    { return "Where" }
func (s *whereScreen) Capturing() bool  { return false }
func (s *whereScreen) SetSize(w, h int) { s.w, s.h = w, h }

func (s *whereScreen) ShortHelp() []common.Key {
	open, next := common.On(s.c.Keys.Open), common.On(s.keys.Next)
	cell, ok := s.cell()
	switch {
	case ok && cell.OffPath: // "yet" read as a gap to fill
		open.Off = "no model takes it here: nothing goes here"
		next.Off = open.Off
	case !ok || last(cell) == nil:
		open.Off = "nothing was deployed here yet"
	}
	if next.Off == "" && (!ok || cell.Next == nil) {
		next.Off = "nothing is planned here"
	}
	// ←/→ last of the page's own: a phone's footer keeps what opens and what goes to
	// the releases (the full help has them all).
	return append(s.c.Arrows(len(s.data.Rows), loadedOr(s.loaded, "no component is declared")), open, next, common.On(s.keys.Releases),
		common.On(s.keys.Blocked), common.On(s.keys.Left))
}

func (s *whereScreen) FullHelp() [][]common.Key { return [][]common.Key{s.ShortHelp()} }

func (s *whereScreen) Refresh() tea.Cmd {
	c := s.c
	return func() tea.Msg {
		w, err := c.Eng.Where(c.Ctx, c.Actor, engine.WhereFilter{})
		return whereMsg{w, err}
	}
}

// last is the deployment that made the cell what it is: the last success there.
func last(c engine.WhereCell) *models.Deployment {
	if c.Current != nil {
		return c.Current
	}
	return c.Removed
}

func (s *whereScreen) cell() (engine.WhereCell, bool) {
	if s.row >= len(s.data.Rows) || s.col >= len(s.data.Environments) {
		return engine.WhereCell{}, false
	}
	return s.data.Rows[s.row].Cells[s.col], true
}

func (s *whereScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case whereMsg:
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		s.data, s.loaded = msg.w, true
		s.row = min(s.row, max(0, len(s.data.Rows)-1))
		s.col = min(s.col, max(0, len(s.data.Environments)-1))
	case tea.KeyPressMsg:
		return s.key(msg)
	}
	return nil
}

func (s *whereScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := s.c.Keys
	switch {
	case key.Matches(msg, k.Up) && s.row > 0:
		s.row--
	case key.Matches(msg, k.Down) && s.row < len(s.data.Rows)-1:
		s.row++
	case key.Matches(msg, s.keys.Left) && s.col > 0:
		s.col--
	case key.Matches(msg, s.keys.Right) && s.col < len(s.data.Environments)-1:
		s.col++
	case key.Matches(msg, k.Open):
		if c, ok := s.cell(); ok && last(c) != nil {
			return common.Push(NewDetail(s.c, last(c).ID))
		}
	case key.Matches(msg, s.keys.Releases):
		return common.Push(NewReleases(s.c))
	case key.Matches(msg, s.keys.Blocked):
		return common.Push(NewBlocked(s.c))
	case key.Matches(msg, s.keys.Next):
		if c, ok := s.cell(); ok && c.Next != nil {
			return common.Push(NewDetail(s.c, c.Next.ID))
		}
	}
	return nil
}

func (s *whereScreen) View() string {
	if !s.loaded {
		return s.c.Styles.Dim.Render(" reading what is where…")
	}
	return strings.Join(WhereLines(s.c, s.data, s.row, s.col, s.w, s.h), "\n")
}

// whereHead counts what the matrix holds and names its marks: every mark, in shorter
// words on a phone, where the counts give way before a mark does.
func whereHead(st common.Styles, rows, envs, w int) string {
	counts := fmt.Sprintf(" %d component%s × %d environment%s", rows, common.Plural(rows), envs, common.Plural(envs))
	marks := []string{" · ≠ changing · ✗ blocked · · not on its path", " · ≠ changing · ✗ blocked · · off path"}
	for _, m := range marks {
		if lipgloss.Width(counts+m) <= w {
			return counts + st.Dim.Render(m)
		}
	}
	if m := strings.TrimPrefix(marks[0], " ·"); lipgloss.Width(m) <= w {
		return st.Dim.Render(m)
	}
	return counts + st.Dim.Render(marks[1])
}

// WhereLines lays the matrix out in w×h cells, the cell (row, col) selected: a
// head, the environments' names, a line per component (scrolled to keep the
// selected one in view), and the selected cell in words at the bottom.
func WhereLines(c *common.Common, data engine.Where, row, col, w, h int) []string {
	st := c.Styles
	n := len(data.Environments)
	head := whereHead(st, len(data.Rows), n, w)
	if len(data.Rows) == 0 || n == 0 {
		return []string{common.Fit(head, w), "", " No components are declared in the configuration."}
	}
	// Component names whole where the cells keep room for their environment's name
	// and a version (10 cells at least; 7 on a phone); cut, with …, only past that.
	longest := 0
	for _, r := range data.Rows {
		longest = max(longest, lipgloss.Width(r.Component))
	}
	minCell := 10
	if w < 80 {
		minCell = 7
	}
	for _, env := range data.Environments {
		minCell = max(minCell, lipgloss.Width(env)+1)
	}
	name := max(8, min(longest+2, w-1-n*minCell))
	cw := max(4, (w-1-name)/n)
	cols := []string{common.Fit("", 1+name)}
	for i, env := range data.Environments {
		label := st.Bold.Render(common.Fit(env, cw-1))
		if i == col {
			label = st.Accent.Render(common.Fit(env, cw-1))
		}
		cols = append(cols, label+" ")
	}
	foot := whereFoot(c, data, row, col, w)
	room := max(1, h-3-len(foot))
	off := max(0, row-room+1)
	lines := []string{common.Fit(head, w), common.Fit(strings.Join(cols, ""), w)}
	for i := off; i < len(data.Rows) && i < off+room; i++ {
		lines = append(lines, whereRow(c, data.Rows[i], i == row, col, name, cw, w))
	}
	for len(lines) < h-len(foot) {
		lines = append(lines, "")
	}
	return append(lines, foot...)
}

func whereRow(c *common.Common, r engine.WhereRow, selected bool, col, name, cw, w int) string {
	lead := "  "
	if selected {
		lead = "▸ "
	}
	line := lead + common.Fit(r.Component, name-2) + " "
	for i, cell := range r.Cells {
		text := common.Fit(cellText(c, cell, cw-1), cw-1) + " "
		if selected && i == col {
			text = c.Styles.Select(text)
		}
		line += text
	}
	return common.Fit(line, w)
}

// cellText is a cell in w cells: a mark (≠ when what comes next would change it),
// the version, and the coming one when there is room for it whole.
func cellText(c *common.Common, cell engine.WhereCell, w int) string {
	st := c.Styles
	mark := " "
	switch {
	case cell.Blocked != "" || cell.NextBlocked != "":
		mark = st.Bad.Render("✗") // a blocked version there, or coming
	case cell.Differs:
		mark = st.Warn.Render("≠")
	}
	v := cell.Version()
	switch {
	case cell.OffPath: // no model goes there: not a gap to fill
		v = st.Dim.Render("·")
	case v == "":
		v = st.Dim.Render("—")
	}
	if n := cell.Next; n != nil && cell.Differs {
		to := n.Version
		if n.Action == models.ActionRemove {
			to = "removal"
		}
		if long := v + st.Dim.Render(" → ") + to; lipgloss.Width(long) < w {
			v = long
		}
	}
	return mark + v
}

// whatSince joins what stands in a cell and since when, on one line when it fits in
// w cells, else each on its own, so that neither breaks in the middle.
func whatSince(what, since string, w int) string {
	if lipgloss.Width(what)+1+lipgloss.Width(since) <= w {
		return what + " " + since
	}
	return what + "\n" + since
}

// whereFoot says the selected cell in words: what runs, since when and by whom, and
// what comes.
func whereFoot(c *common.Common, data engine.Where, row, col, w int) []string {
	if row >= len(data.Rows) || col >= len(data.Environments) {
		return nil
	}
	r := data.Rows[row]
	cell := r.Cells[col]
	now := fmt.Sprintf("%s in %s: nothing deployed", r.Component, cell.Environment)
	switch {
	case cell.OffPath:
		now = fmt.Sprintf("%s does not go to %s: no model takes %s there", r.Component, cell.Environment, r.Kind)
	case cell.Current != nil:
		d := cell.Current
		// The deployment's number after the version, as the next line has it: last, in
		// brackets, a phone left it alone on a line.
		now = whatSince(fmt.Sprintf("%s %s #%d in %s", r.Component, d.Version, d.ID, cell.Environment),
			fmt.Sprintf("since %s by %s", c.At(d.FinishedAt), d.DoneBy()), w-2)
	case cell.Removed != nil:
		d := cell.Removed
		now = whatSince(fmt.Sprintf("%s #%d removed from %s", r.Component, d.ID, cell.Environment),
			fmt.Sprintf("%s by %s", c.At(d.FinishedAt), d.DoneBy()), w-2)
	}
	if cell.Blocked != "" {
		now += c.Styles.Bad.Render(" ✗ blocked " + cell.Blocked)
	}
	next := "nothing planned"
	if n := cell.Next; n != nil {
		what := n.Version
		if n.Action == models.ActionRemove {
			what = "removal of " + n.Version
		}
		next = fmt.Sprintf("next: %s #%d %s", what, n.ID, n.Status.Words())
		if cell.NextInterrupted {
			next += c.Styles.Warn.Render(" ⏸ interrupted")
		}
		switch {
		case c.Eng.Overdue(*n):
			next += " for " + c.At(n.ScheduledStart) + c.Styles.Warn.Render(" ⚠ overdue")
		case n.Status == models.StatusPlanned:
			next += " for " + c.At(n.ScheduledStart)
		}
		if cell.Differs {
			next = c.Styles.Warn.Render("≠ ") + next
		}
		if cell.NextBlocked != "" {
			next += c.Styles.Bad.Render(" ✗ blocked " + cell.NextBlocked)
		}
	}
	out := []string{common.Fit(" "+strings.Repeat("─", max(0, w-2)), w)}
	for _, l := range append(common.Wrap(now, w-2), common.Wrap(next, w-2)...) {
		out = append(out, common.Fit(" "+l, w))
	}
	return out
}
