package pages

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
)

// conflictsScreen lists conflicts in plain words; enter opens the resolve panel for
// the deployment that would move (its page, for one who may not resolve).
type conflictsScreen struct {
	c      *common.Common
	list   []models.Conflict
	loaded bool
	all    bool   // show overridden ones too
	sel    string // selected conflict ID, kept across refreshes
	off    int    // first visible row
	w, h   int
	keys   struct{ Resolve, All, Freeze key.Binding }
}

type conflictsMsg struct {
	list []models.Conflict
	all  bool // loaded with all of them, or the open ones
	err  error
}

// NewConflicts is the Conflicts screen.
func NewConflicts(c *common.Common) common.Page {
	s := &conflictsScreen{c: c}
	s.keys.Resolve = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "resolve"))
	if !s.mayResolve() { // an analyst: enter opens what they may read
		s.keys.Resolve.SetHelp("enter", "details")
	}
	s.keys.All = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "open/all"))
	// What the freeze windows break, and moving them all out at once (ferry freeze
	// impact and apply): the act a freeze added in config calls for.
	s.keys.Freeze = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "freezes"))
	return s
}

// mayResolve: one the engine lets move, reassign or override settles a conflict in
// the resolve panel; another reads the deployment's page, where its conflicts are.
func (s *conflictsScreen) mayResolve() bool {
	for _, a := range []engine.Action{engine.ActReschedule, engine.ActAssign, engine.ActOverride} {
		if engine.Can(s.c.Actor, a, nil) == nil {
			return true
		}
	}
	return false
}

// open is the page enter opens on a conflict: its resolve panel, or the page of the
// deployment that would move.
func (s *conflictsScreen) open(c models.Conflict) tea.Cmd {
	if !s.mayResolve() {
		return common.Push(NewDetail(s.c, mover(c)))
	}
	return common.Push(NewResolveOn(s.c, mover(c), c.Key))
}

func (s *conflictsScreen) Title() string    { return "Conflicts" }
func (s *conflictsScreen) Capturing() bool  { return false }
func (s *conflictsScreen) SetSize(w, h int) { s.w, s.h = w, h }
func (s *conflictsScreen) ShortHelp() []common.Key {
	resolve := common.On(s.keys.Resolve)
	if s.index() < 0 {
		resolve.Off = "no conflict in the list"
	}
	return append(s.c.Arrows(len(s.list), loadedOr(s.loaded, "no conflict in the list")), resolve, common.On(s.keys.All), common.On(s.keys.Freeze))
}
func (s *conflictsScreen) FullHelp() [][]common.Key { return [][]common.Key{s.ShortHelp()} }

func (s *conflictsScreen) Refresh() tea.Cmd {
	c, all := s.c, s.all
	return func() tea.Msg {
		list, err := c.Eng.Conflicts(c.Ctx, c.Actor, engine.ConflictFilter{OpenOnly: !all, All: all})
		common.Clean(&list) // stored text is shown, never obeyed
		return conflictsMsg{list, all, err}
	}
}

func (s *conflictsScreen) index() int {
	for i, c := range s.list {
		if c.ID == s.sel {
			return i
		}
	}
	return -1
}

func (s *conflictsScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case conflictsMsg:
		if msg.all != s.all {
			return nil // loaded before a toggles: the load since is the one shown
		}
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		s.list, s.loaded = actionableFirst(msg.list), true
		if s.index() < 0 && len(s.list) > 0 {
			s.sel = s.list[0].ID
		}
	case tea.KeyPressMsg:
		i := s.index()
		switch {
		case key.Matches(msg, s.c.Keys.Up) && i > 0:
			s.sel = s.list[i-1].ID
		case key.Matches(msg, s.c.Keys.Down) && i >= 0 && i < len(s.list)-1:
			s.sel = s.list[i+1].ID
		case key.Matches(msg, s.keys.All):
			s.all = !s.all
			return s.Refresh()
		case key.Matches(msg, s.keys.Freeze):
			return common.Push(NewFreeze(s.c))
		case key.Matches(msg, s.keys.Resolve) && i >= 0:
			return s.open(s.list[i])
		}
	}
	return nil
}

// actionableFirst puts first, each group in the engine's order, the open conflicts
// still to settle, then those of work started against them (a manager let it start
// with a reason; a plan left in one still has to move), then the settled ones: on a phone
// the started ones filled the screen and hid what can be acted on.
func actionableFirst(cs []models.Conflict) []models.Conflict {
	rank := func(c models.Conflict) int {
		switch {
		case !c.Open():
			return 2
		case c.StartedOver != nil:
			return 1
		}
		return 0
	}
	slices.SortStableFunc(cs, func(a, b models.Conflict) int { return rank(a) - rank(b) })
	return cs
}

// mover is the deployment that resolving a conflict would move: the newest plan.
func mover(c models.Conflict) int64 { return c.IDs[len(c.IDs)-1] }

func (s *conflictsScreen) View() string {
	st := s.c.Styles
	if !s.loaded {
		return st.Dim.Render(" detecting conflicts…")
	}
	which := "open"
	if s.all {
		which = "open, overridden and unresolved"
	}
	// Counted as the dashboard counts them: those a manager let work start against
	// are apart (and listed last), weighed already and moving nothing now.
	n, started := len(s.list), 0
	if !s.all {
		started = countStarted(s.list)
		n -= started
	}
	head := fmt.Sprintf(" %d %s conflict%s", n, which, common.Plural(n))
	if started > 0 {
		head += fmt.Sprintf(" · %d started anyway", started)
	}
	if len(s.list) == 0 {
		return head + "\n\n " + st.Good.Render("✓ No conflicts: every planned deployment fits its environment, people and windows.")
	}
	items := make([][]string, len(s.list))
	for i, c := range s.list {
		items[i] = s.item(c)
	}
	i := max(0, s.index())
	room := max(1, s.h-2)
	s.scrollTo(items, i, room)
	var body []string
	end := s.off
	for ; end < len(items) && (end == s.off || len(body)+len(items[end]) <= room); end++ {
		for _, l := range items[end] {
			if end == i {
				l = st.Select(common.Fit(l, s.w))
			}
			body = append(body, l)
		}
	}
	if s.off > 0 || end < len(items) { // say what is out of sight rather than cut it
		more := fmt.Sprintf(" · %d–%d of %d in view, ↑/↓ for more", s.off+1, end, len(items))
		if lipgloss.Width(head+more) > s.w { // a phone: the keys, not the words
			more = fmt.Sprintf(" · %d–%d of %d ↑/↓", s.off+1, end, len(items))
		}
		head += st.Dim.Render(more)
	}
	return strings.Join(append([]string{common.Fit(head, s.w), ""}, body...), "\n")
}

// item is one conflict's lines: a row of its kind, when it bites and the deployments
// it involves, and its message whole; "▸ " marks the selected one.
func (s *conflictsScreen) item(c models.Conflict) []string {
	st := s.c.Styles
	mark := st.Bad.Render("✗")
	msg := c.Message
	var became []string // what became of it, before what it is
	switch {
	case c.Status == models.ConflictUnresolved:
		mark, became = st.Warn.Render("!"), append(became, "unresolved at the finish")
	case !c.Open() && c.Override == nil: // settled by the start that went ahead against it, said below
		mark = st.Dim.Render("✓")
	case !c.Open():
		mark, became = st.Dim.Render("✓"), append(became, cmp.Or(c.OverrideText(), "overridden: "+c.Reason)) // who, as the CLI says it
	case c.StartedOver != nil: // open, but weighed already: its work runs against it
		mark = st.Warn.Render("▶")
	}
	if started := c.StartedText(); started != "" {
		became = append(became, started)
	}
	if len(became) > 0 {
		msg = strings.Join(became, "; ") + " — " + msg
	}
	ids := make([]string, len(c.IDs))
	for i, id := range c.IDs {
		ids[i] = fmt.Sprintf("#%d", id)
	}
	lead := "  "
	if c.ID == s.sel {
		lead = "▸ "
	}
	head := fmt.Sprintf("%s%s %s %s %s ", lead, mark, common.Fit(common.KindLabel(c.Kind), 11),
		common.Fit(s.c.AtIn(c.Start, 16), 16), common.Fit(strings.Join(ids, " "), 14))
	return conflictLines(head, msg, s.w)
}

// scrollTo moves the first item shown so that item i is whole in h lines.
func (s *conflictsScreen) scrollTo(items [][]string, i, h int) {
	s.off = min(s.off, i)
	for s.off < i {
		n := 0
		for _, it := range items[s.off : i+1] {
			n += len(it)
		}
		if n <= h {
			break
		}
		s.off++
	}
}
