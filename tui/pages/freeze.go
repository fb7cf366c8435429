package pages

import (
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

// freezeScreen is what the freeze windows break: every planned deployment inside
// one that nobody accepted, with the slot it would move to, as `ferry freeze impact`
// lists them; a moves them all there, all or none, as `ferry freeze apply` does. A
// manager changing a freeze in config had to leave the console for both. Opened
// with f from Conflicts.
type freezeScreen struct {
	c      *common.Common
	hits   []engine.FreezeHit
	loaded bool
	items  itemList
	// plan is where the apply would move each one, read when a was pressed: the
	// impact's suggestions are each found alone (two plans of one environment may
	// be offered the same hour), the apply moves them one after the other. The
	// question says where they really go. Kept while the question waits.
	plan    map[int64]models.Deployment
	asked   []models.Deployment // the same, as the engine gave them: the apply holds to them
	ask     confirm
	moved   []models.Deployment // what the last apply moved: the result stays in view
	working bool                // a preview or the apply is under way
	w, h    int
	keys    struct{ Apply, Yes, No key.Binding }
}

type freezeMsg struct {
	hits []engine.FreezeHit
	err  error
}

// freezePlanMsg is where the apply would move each deployment, or why it would not.
type freezePlanMsg struct {
	moves []models.Deployment
	err   error
}

// freezeAppliedMsg is what the apply moved, or why it moved nothing.
type freezeAppliedMsg struct {
	moved []models.Deployment
	err   error
}

// NewFreeze is the freeze impact page.
func NewFreeze(c *common.Common) common.Page {
	s := &freezeScreen{c: c}
	s.items = newItemList(c, s.item)
	s.keys.Apply = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "move them all (asks first)"))
	s.keys.Yes = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes, move them all"))
	s.keys.No = key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "no, leave them"))
	return s
}

func (s *freezeScreen) Title() string    { return "freeze impact" }
func (s *freezeScreen) SetSize(w, h int) { s.w, s.h = w, h; s.scroll() }

// Capturing: while the question waits every key answers it (but ↑/↓, which look
// through the list it is about), as the run view's question takes them.
func (s *freezeScreen) Capturing() bool { return s.ask.asking() }

// whyNoApply is why a may not move them now: the engine's refusal for one who may
// not reschedule (an analyst), or nothing to move.
func (s *freezeScreen) whyNoApply() string {
	switch {
	case !s.loaded:
		return loading
	case s.working:
		return "the moves are being worked out"
	}
	if why := common.Why(engine.Can(s.c.Actor, engine.ActReschedule, nil)); why != "" {
		return why
	}
	if len(s.hits) == 0 {
		return "no planned deployment is inside a freeze window"
	}
	return ""
}

func (s *freezeScreen) ShortHelp() []common.Key {
	on := common.On
	if s.ask.asking() {
		return []common.Key{on(s.keys.Yes), on(s.keys.No), on(s.c.Keys.Up), on(s.c.Keys.Down)}
	}
	open := on(s.c.Keys.Open)
	if len(s.hits) == 0 {
		open.Off = "no deployment in the list"
	}
	return append([]common.Key{on(s.c.Keys.Back), common.OffFor(s.keys.Apply, s.whyNoApply()), open},
		s.c.Arrows(len(s.hits), loadedOr(s.loaded, "no deployment in the list"))...)
}

func (s *freezeScreen) FullHelp() [][]common.Key { return [][]common.Key{s.ShortHelp()} }

func (s *freezeScreen) Refresh() tea.Cmd {
	c := s.c
	return func() tea.Msg {
		hits, err := c.Eng.FreezeImpact(c.Ctx, c.Actor)
		common.Clean(&hits) // stored text is shown, never obeyed
		return freezeMsg{hits, err}
	}
}

func (s *freezeScreen) Update(msg tea.Msg) tea.Cmd {
	cmd := s.update(msg)
	// Whatever changed (the cursor, the list, a question or a result above or under
	// it), the selected hit stays in sight; View only draws.
	s.scroll()
	return cmd
}

func (s *freezeScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case freezeMsg:
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		id, sel := s.selectedID(), s.items.Selected()
		s.hits, s.loaded = msg.hits, true
		if i := slices.IndexFunc(s.hits, func(h engine.FreezeHit) bool { return h.Deployment.ID == id }); i >= 0 {
			sel = i // the same deployment stays selected
		}
		s.items.Load(len(s.hits), sel)
	case freezePlanMsg:
		s.working = false
		if msg.err != nil { // the apply's own refusal: one with no free slot holds them all
			return common.Fail(msg.err)
		}
		s.plan, s.asked = map[int64]models.Deployment{}, msg.moves
		for _, d := range msg.moves {
			s.plan[d.ID] = d
		}
		s.ask.ask(s.question(msg.moves), s.apply)
	case freezeAppliedMsg:
		s.working, s.plan = false, nil
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		s.moved = msg.moved
		return tea.Batch(func() tea.Msg { return common.ChangedMsg{} }, common.Note(movedWords(len(msg.moved))))
	case tea.KeyPressMsg:
		return s.key(msg)
	}
	return nil
}

func (s *freezeScreen) selectedID() int64 {
	if sel := s.items.Selected(); sel < len(s.hits) {
		return s.hits[sel].Deployment.ID
	}
	return 0
}

func (s *freezeScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	if s.items.Update(msg) { // ↑/↓ look through the list, a question waiting or not
		return nil
	}
	switch {
	case s.ask.asking():
		cmd := s.ask.answer(msg, s.keys.Yes)
		if cmd == nil {
			s.plan = nil
			return common.NoteAs("–", "nothing moved")
		}
		return cmd
	case key.Matches(msg, s.c.Keys.Open) && len(s.hits) > 0:
		return common.Push(NewDetail(s.c, s.selectedID()))
	case key.Matches(msg, s.keys.Apply) && s.whyNoApply() == "":
		// First where each would go, worked out as the apply works it out: the
		// question says where before anything moves.
		s.working, s.moved = true, nil
		c := s.c
		return func() tea.Msg {
			moves, err := c.Eng.PreviewFreezeApply(c.Ctx, c.Actor)
			return freezePlanMsg{moves, err}
		}
	}
	return nil
}

// apply moves them all, as the question said: the engine works the moves out again
// in its transaction and moves nothing if they are no longer what was asked (a plan
// made meanwhile), so what it did is what the person agreed to and the page shows.
func (s *freezeScreen) apply() tea.Cmd {
	s.working = true
	c, asked := s.c, s.asked
	return func() tea.Msg {
		moved, err := c.Eng.FreezeApplyAsAsked(c.Ctx, c.Actor, asked)
		return freezeAppliedMsg{moved, err}
	}
}

// question asks to move them all, saying how many and where: each one's new window
// when they are few, else the span they land in (each is in the list, under it).
func (s *freezeScreen) question(moves []models.Deployment) string {
	n := len(moves)
	if n == 1 {
		d := moves[0]
		return fmt.Sprintf("Move #%d out of its freeze window to %s? y moves it, n leaves it.", d.ID,
			s.c.Window(d.ScheduledStart, d.ScheduledEnd))
	}
	var where string
	if n <= 3 {
		to := make([]string, n)
		for i, d := range moves {
			to[i] = fmt.Sprintf("#%d to %s", d.ID, s.c.Window(d.ScheduledStart, d.ScheduledEnd))
		}
		where = strings.Join(to, ", ")
	} else {
		first, last := moves[0].ScheduledStart, moves[0].ScheduledStart
		for _, d := range moves {
			if d.ScheduledStart.Before(first) {
				first = d.ScheduledStart
			}
			if d.ScheduledStart.After(last) {
				last = d.ScheduledStart
			}
		}
		where = fmt.Sprintf("each to the slot under it above, starting between %s and %s",
			s.c.At(first), s.c.At(last))
	}
	return fmt.Sprintf("Move %d deployments out of freeze windows, all or none: %s? y moves them, n leaves them.", n, where)
}

// movedWords is what an apply that moved n did, in words.
func movedWords(n int) string {
	if n == 1 {
		return "moved 1 deployment out of its freeze window to its suggested slot"
	}
	return fmt.Sprintf("moved %d deployments out of freeze windows to their suggested slots", n)
}

func (s *freezeScreen) View() string {
	st := s.c.Styles
	if !s.loaded {
		return st.Dim.Render(" reading what the freeze windows break…")
	}
	top := s.movedLines()
	if len(s.hits) == 0 {
		top = append(top, common.Hanging(" ", st.Good.Render("✓ No planned deployment is inside a freeze window."), s.w)...)
		return strings.Join(fitLines(top, s.w, s.h), "\n")
	}
	n := len(s.hits)
	head, body := s.items.View(s.w, fmt.Sprintf(" %d planned deployment%s inside a freeze window", n, common.Plural(n)),
		fmt.Sprintf(" %d in a freeze window", n))
	out := slices.Concat(top, []string{head, ""}, body, s.bottomLines())
	return strings.Join(fitLines(out, s.w, s.h), "\n")
}

// scroll gives the list the lines between what the last apply moved and what goes
// under the list, less its heading, which keeps the selected hit whole in sight.
// Update and SetSize call it, so that View only draws.
func (s *freezeScreen) scroll() {
	s.items.SetSize(s.h - len(s.movedLines()) - 2 - len(s.bottomLines()))
}

// bottomLines are what goes under the list: the apply at work, or its question.
func (s *freezeScreen) bottomLines() []string {
	st := s.c.Styles
	switch {
	case s.working:
		return []string{"", " " + st.Dim.Render("working out where each one goes…")}
	case s.ask.asking():
		return append([]string{""}, s.ask.lines(st, s.w)...)
	}
	return nil
}

// movedLines are what the last apply moved, each to where it went, in at most half
// the page (the rest is counted: each move is on its deployment's record too).
func (s *freezeScreen) movedLines() []string {
	if len(s.moved) == 0 {
		return nil
	}
	st := s.c.Styles
	words := movedWords(len(s.moved))
	out := common.Hanging(" "+st.Good.Render("✓")+" ", strings.ToUpper(words[:1])+words[1:]+":", s.w, st.Good)
	room := max(1, s.h/2-2)
	for i, d := range s.moved {
		lines := s.whatAndWhen("   ", d, st.Bold.Render(s.c.Window(d.ScheduledStart, d.ScheduledEnd)))
		if len(out)+len(lines) > room && i < len(s.moved)-1 {
			out = append(out, "   "+st.Dim.Render(fmt.Sprintf("… and %d more (each on its record)", len(s.moved)-i)))
			break
		}
		out = append(out, lines...)
	}
	return append(out, "")
}

// item is hit i's lines, marked when it is selected: the deployment and its planned
// window, the freeze conflict in words, and where it goes.
func (s *freezeScreen) item(i int, selected bool) []string {
	h := s.hits[i]
	st, d := s.c.Styles, h.Deployment
	lines := marked(st, s.w, selected, func(lead string) []string {
		return s.whatAndWhen(lead, d, s.c.Window(d.ScheduledStart, d.ScheduledEnd))
	})
	lines = append(lines, common.Hanging("    "+st.Bad.Render("✗")+" ", h.Conflict.Message, s.w)...)
	var to string
	switch p, planned := s.plan[d.ID]; {
	case planned:
		to = st.Good.Render("→ moves to ") + st.Bold.Render(s.c.Window(p.ScheduledStart, p.ScheduledEnd))
	case len(h.Suggestion.Slots) > 0:
		sl := h.Suggestion.Slots[0]
		to = st.Dim.Render("→ suggested ") + s.c.Window(sl.Start, sl.End)
	default:
		to = st.Bad.Render("→ " + engine.NoSlot + ": nothing moves while it stays")
		if why := engine.NoSlotReasons(d.ID, h.Suggestion); len(why) > 0 { // what no move settles: the way on is elsewhere
			lines = append(lines, common.Hanging("    ", to, s.w)...)
			for _, l := range common.Hanging("      ", strings.Join(why, "; "), s.w) {
				lines = append(lines, st.Warn.Render(l))
			}
			return lines
		}
	}
	return append(lines, common.Hanging("    ", to, s.w)...)
}

// whatAndWhen is a deployment and a window after lead, on one line when it fits;
// else the window goes under it whole (a phone cut "Tue" from "15 Dec 23:00").
func (s *freezeScreen) whatAndWhen(lead string, d models.Deployment, when string) []string {
	what := fmt.Sprintf("#%d %s %s → %s", d.ID, d.Component, d.Version, d.Environment)
	if lipgloss.Width(lead+what+"  "+when) <= s.w {
		return []string{lead + what + "  " + when}
	}
	pad := strings.Repeat(" ", lipgloss.Width(lead)+2)
	return append(common.Hanging(lead, what, s.w), common.Hanging(pad, when, s.w)...)
}

// fitLines keeps lines to w cells and at most h of them.
func fitLines(lines []string, w, h int) []string {
	if len(lines) > h {
		lines = lines[:max(0, h)]
	}
	for i, l := range lines {
		lines[i] = common.Fit(l, w)
	}
	return lines
}
