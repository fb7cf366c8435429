package pages

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/engine/schedule"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// resolveScreen helps with one planned deployment's conflicts: it previews the
// suggested slot and applies it with one key, reassigns to someone free, or (for a
// manager) overrides the selected conflict with a reason.
type resolveScreen struct {
	c       *common.Common
	id      int64
	data    resolveData
	loaded  bool
	sel     int    // selected conflict
	want    string // the key of the conflict to select when it loads ("": the first)
	who     int    // selected free person
	reason  textinput.Model
	working bool // an apply or override is under way
	asking  bool // ask for the override's reason once loaded (o on the Schedule)
	moveEnd int  // where in moveLines the suggestion's detail goes
	w, h    int
	keys    struct{ Apply, Edit, Reassign, Choose, Override, Save, Cancel key.Binding }
}

type resolveData struct {
	det  engine.Detail
	sug  schedule.Suggestion
	free []models.Person
}

// resolveFailedMsg says the engine refused a change: the panel takes keys again.
type resolveFailedMsg struct{ err error }

// overriddenMsg says one conflict was overridden; left is how many other open
// conflicts the deployment is still in.
type overriddenMsg struct {
	note string
	left int
}

type resolveLoadedMsg struct {
	data resolveData
	err  error
}

// NewResolve is the panel that resolves planned deployment id's conflicts.
func NewResolve(c *common.Common, id int64) common.Page { return NewResolveOn(c, id, "") }

// NewResolveOverriding is NewResolveOn asking at once for the reason to override
// that conflict, as o there would: o on the Schedule.
func NewResolveOverriding(c *common.Common, id int64, conflict string) common.Page {
	r := NewResolveOn(c, id, conflict).(*resolveScreen)
	r.asking = true
	return r
}

// NewResolveOn is NewResolve with the conflict whose key is conflict selected: the one
// chosen on the Conflicts screen, which o then overrides.
func NewResolveOn(c *common.Common, id int64, conflict string) common.Page {
	r := &resolveScreen{c: c, id: id, want: conflict}
	r.keys.Apply = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "move to suggestion"))
	r.keys.Reassign = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reassign"))
	r.keys.Edit = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "move it yourself (when, who)"))
	r.keys.Choose = key.NewBinding(key.WithKeys("left", "right", "h", "l"), key.WithHelp("←/→", "choose person"))
	r.keys.Override = key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "override"))
	r.keys.Save = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save override"))
	r.keys.Cancel = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	r.reason = components.NewInput(c.Styles, "reason: ", "why this conflict is acceptable (kept as an audit finding)")
	return r
}

func (r *resolveScreen) Title() string    { return fmt.Sprintf("resolve #%d", r.id) }
func (r *resolveScreen) Capturing() bool  { return r.reason.Focused() }
func (r *resolveScreen) SetSize(w, h int) { r.w, r.h = w, h; r.reason.SetWidth(max(10, w-12)) }

// Restyle takes the session's styles again, after the terminal said its background.
func (r *resolveScreen) Restyle() { r.reason.SetStyles(components.InputStyles(r.c.Styles)) }

func (r *resolveScreen) ShortHelp() []common.Key {
	on, off := common.On, common.OffFor
	if r.reason.Focused() {
		return []common.Key{on(r.keys.Save), on(r.keys.Cancel)}
	}
	keys := []common.Key{on(r.c.Keys.Back), on(r.c.Keys.Up), on(r.c.Keys.Down), off(r.keys.Apply, r.whyNoMove()),
		off(r.keys.Reassign, r.whyNoReassign())}
	if r.whyNoReassign() == "" { // choosing the person is part of reassigning
		keys = append(keys, on(r.keys.Choose))
	}
	return append(keys, off(r.keys.Override, r.whyNoOverride()), off(r.keys.Edit, r.whyNot(engine.ActReschedule)))
}

func (r *resolveScreen) FullHelp() [][]common.Key { return [][]common.Key{r.ShortHelp()} }

// whyNot is why nothing can be changed now, whatever the key: loading, the engine
// does not let the person do a (their role, which holds whatever the state, first,
// as the engine refuses: engine.WhyNoMove), or not planned (only planned deployments
// move).
func (r *resolveScreen) whyNot(a engine.Action) string {
	d := r.data.det.Deployment
	switch {
	case !r.loaded:
		return loading
	case r.working:
		return "a change is being saved"
	case engine.Can(r.c.Actor, a, &d) != nil:
		return common.Why(engine.Can(r.c.Actor, a, &d))
	case d.Status != models.StatusPlanned:
		return notPlannedHere(d)
	}
	return ""
}

// notPlannedHere says that d no longer moves, in the console's words.
func notPlannedHere(d models.Deployment) string {
	return fmt.Sprintf("#%d %s: only planned deployments can be moved", d.ID, d.Status.Phrase())
}

// mayNotMove is the engine's refusal to let the person move d when it is the
// person's (their role, which holds for every deployment: engine.WhyNoMove says it
// before d's state), "" otherwise; a page says d's state in its own words.
func mayNotMove(c *common.Common, d models.Deployment) string {
	if err := engine.WhyNoMove(c.Actor, d); errors.Is(err, models.ErrForbidden) {
		return err.Error()
	}
	return ""
}

// whyNoMove: the suggested slot is where a moves the deployment.
func (r *resolveScreen) whyNoMove() string {
	if why := r.whyNot(engine.ActReschedule); why != "" {
		return why
	}
	if len(r.data.sug.Slots) == 0 {
		return engine.NoSlot
	}
	return ""
}

// whyNoReassign: reassigning resolves a person conflict, to someone free then.
func (r *resolveScreen) whyNoReassign() string {
	switch why := r.whyNot(engine.ActAssign); {
	case why != "":
		return why
	case !r.personClash():
		return fmt.Sprintf("#%d is in no person conflict: another assignee would not help", r.id)
	case len(r.data.free) == 0:
		return "nobody with the right role is free in this window"
	}
	return ""
}

// whyNoOverride: the engine says who overrides (managers), and an open conflict is,
// of a deployment in any state.
func (r *resolveScreen) whyNoOverride() string {
	d, c := r.data.det.Deployment, r.selected()
	switch {
	case !r.loaded:
		return loading
	case r.working:
		return "a change is being saved"
	case engine.Can(r.c.Actor, engine.ActOverride, &d) != nil:
		return engine.Can(r.c.Actor, engine.ActOverride, &d).Error()
	case c == nil:
		return "no conflict selected"
	case !c.Open():
		return fmt.Sprintf("%s is overridden already", c.ID)
	}
	return common.Why(engine.WhyNoOverride(*c))
}

func (r *resolveScreen) selected() *models.Conflict {
	if r.sel >= 0 && r.sel < len(r.data.det.Conflicts) {
		return &r.data.det.Conflicts[r.sel]
	}
	return nil
}

func (r *resolveScreen) Refresh() tea.Cmd {
	c, id := r.c, r.id
	return func() tea.Msg {
		v, err := c.Eng.View(c.Ctx, c.Actor, id, engine.ViewRequest{Record: true, Suggest: true})
		common.Clean(&v) // stored text is shown, never obeyed
		return resolveLoadedMsg{resolveData{det: v.Detail, sug: v.Suggestion, free: v.Free}, err}
	}
}

func (r *resolveScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case resolveLoadedMsg:
		if msg.err != nil {
			return tea.Batch(common.Back, common.Fail(msg.err))
		}
		if sel := r.selected(); sel != nil && r.want == "" { // the same conflict stays selected
			r.want = sel.Key
		}
		r.data, r.loaded = msg.data, true
		i := slices.IndexFunc(r.data.det.Conflicts, func(c models.Conflict) bool { return c.Key == r.want })
		if i >= 0 {
			r.sel = i
		}
		asked := r.want
		r.want = ""
		r.sel = min(r.sel, max(0, len(r.data.det.Conflicts)-1))
		r.who = min(r.who, max(0, len(r.data.free)-1))
		if r.asking { // once: a refresh does not open the field again after esc
			r.asking = false
			if i < 0 && asked != "" { // the conflict o was pressed on is gone: never another one's reason
				return common.Fail(errors.New("that conflict is no longer open: look at the ones left"))
			}
			if why := r.whyNoOverride(); why != "" { // settled meanwhile, say
				return common.Fail(errors.New(why))
			}
			return r.reason.Focus()
		}
	case resolveFailedMsg:
		r.working = false
		return common.Fail(msg.err)
	case overriddenMsg:
		r.working = false
		if msg.left == 0 {
			return common.Done(msg.note)
		}
		// The others are still to settle: the panel stays, on the next of them,
		// where it closed and each took finding the deployment again.
		return tea.Batch(func() tea.Msg { return common.ChangedMsg{} }, common.Note(msg.note))
	case tea.KeyPressMsg:
		if r.reason.Focused() {
			return r.reasonKey(msg)
		}
		return r.key(msg)
	}
	return nil
}

func (r *resolveScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	c, id := r.c, r.id
	switch {
	case key.Matches(msg, r.c.Keys.Up):
		r.sel = max(0, r.sel-1)
	case key.Matches(msg, r.c.Keys.Down):
		r.sel = min(len(r.data.det.Conflicts)-1, r.sel+1)
	case key.Matches(msg, r.keys.Choose) && r.whyNoReassign() == "":
		step := 1
		if s := msg.String(); s == "left" || s == "h" {
			step = len(r.data.free) - 1
		}
		r.who = (r.who + step) % len(r.data.free)
	case key.Matches(msg, r.keys.Apply) && r.whyNoMove() == "":
		r.working = true
		return func() tea.Msg {
			out, err := c.Eng.RescheduleSuggested(c.Ctx, c.Actor, id)
			if err != nil {
				return resolveFailedMsg{err}
			}
			return common.Done(fmt.Sprintf("moved #%d to %s%s", id, c.Window(out.Deployment.ScheduledStart, out.Deployment.ScheduledEnd),
				leftOver(out.Conflicts)))()
		}
	case key.Matches(msg, r.keys.Reassign) && r.whyNoReassign() == "":
		r.working = true
		person := r.data.free[r.who].Name
		return func() tea.Msg {
			out, err := c.Eng.Assign(c.Ctx, c.Actor, id, person)
			if err != nil {
				return resolveFailedMsg{err}
			}
			return common.Done(fmt.Sprintf("assigned #%d to %s%s", id, person, leftOver(out.Conflicts)))()
		}
	case key.Matches(msg, r.keys.Override) && r.whyNoOverride() == "":
		return r.reason.Focus()
	case key.Matches(msg, r.keys.Edit) && r.whyNot(engine.ActReschedule) == "":
		// Another time than the suggestion (one of "also free", say), or another person.
		return common.Push(newEditForm(c, r.data.det.Deployment))
	}
	return nil
}

// leftOver says how many conflicts remain after a change, if any.
func leftOver(cs []models.Conflict) string { return leftOverN(engine.CountOpen(cs)) }

func leftOverN(n int) string {
	if n > 0 {
		return fmt.Sprintf("; %d conflict%s left", n, common.Plural(n))
	}
	return "; no conflicts left"
}

// nextOpen is the key of the open conflict after the one keyed key (or before it,
// when it is the last open one), "" when there is none.
func (r *resolveScreen) nextOpen(key string) string {
	cs := r.data.det.Conflicts
	at := slices.IndexFunc(cs, func(c models.Conflict) bool { return c.Key == key })
	for _, c := range slices.Concat(cs[at+1:], cs[:max(at, 0)]) {
		if c.Open() && c.Key != key {
			return c.Key
		}
	}
	return ""
}

func (r *resolveScreen) reasonKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		r.reason.Blur()
		return nil
	case "enter":
		reason := strings.TrimSpace(r.reason.Value())
		if err := engine.Written(reason, engine.NeedOverrideReason); err != nil {
			return common.Fail(err)
		}
		conflict := r.selected()
		if conflict == nil {
			return nil
		}
		r.reason.Blur()
		r.working = true
		r.want = r.nextOpen(conflict.Key)
		c, cid, id := r.c, conflict.ID, r.id
		note := fmt.Sprintf("overrode the %s conflict %s of #%d", common.KindWords(conflict.Kind), cid, id)
		return func() tea.Msg {
			if _, err := c.Eng.Override(c.Ctx, c.Actor, cid, reason); err != nil {
				return resolveFailedMsg{err}
			}
			// What is left is counted after the act: another manager may have settled
			// one of them meanwhile, and none left closes the panel.
			det, err := c.Eng.Deployment(c.Ctx, c.Actor, id)
			if err != nil {
				return overriddenMsg{note, 0}
			}
			left := engine.CountOpen(det.Conflicts)
			return overriddenMsg{note + leftOverN(left), left}
		}
	}
	var cmd tea.Cmd
	r.reason, cmd = r.reason.Update(msg)
	return cmd
}

func (r *resolveScreen) View() string {
	st := r.c.Styles
	if !r.loaded {
		return st.Dim.Render(fmt.Sprintf(" loading #%d…", r.id))
	}
	d := r.data.det
	who := "nobody assigned"
	if d.Assignee != "" {
		who = d.Assignee
	}
	top := common.Hanging(" ", fmt.Sprintf("%s %s %s → %s · %s", st.Bold.Render(fmt.Sprintf("#%d", d.ID)), d.Component,
		d.Version, st.Bold.Render(d.Environment), who), r.w)
	if d.Status != models.StatusPlanned {
		top = append(top, "")
		top = append(top, common.Hanging(" ", fmt.Sprintf("#%d %s: only planned deployments can be moved.", d.ID,
			d.Status.Phrase()), r.w, st.Dim)...)
	}
	top = append(top, "", " "+st.Bold.Render("Conflicts"))
	if len(d.Conflicts) == 0 {
		top = append(top, "   "+st.Good.Render("✓ none left"))
	}
	var move, after []string
	if d.Status == models.StatusPlanned {
		move = r.moveLines()
	}
	after = r.reassignLines()
	if r.reason.Focused() {
		after = append(after, "", " "+st.Bold.Render("Override")+" "+r.selected().ID)
		for _, l := range components.InputLines(st, r.reason) {
			after = append(after, " "+l)
		}
	}
	rest := slices.Concat(move, r.suggestionDetail(r.h-len(top)-r.conflictsHeight()-len(move)-len(after)), after)
	return strings.Join(slices.Concat(top, r.conflictLines(r.h-len(top)-len(rest)), rest), "\n")
}

// conflictItems are the deployment's conflicts, each whole, the selected one marked.
func (r *resolveScreen) conflictItems() [][]string {
	st := r.c.Styles
	var out [][]string
	for i, c := range r.data.det.Conflicts {
		mark, msg := st.Bad.Render("✗"), c.Message
		if !c.Open() { // said before the message, as the conflicts list says it, so the columns stay
			mark, msg = st.Dim.Render("✓"), cmp.Or(c.OverrideText(), "overridden")+" — "+c.Message
		}
		lead := "   "
		if i == r.sel {
			lead = " ▸ "
		}
		lines := conflictLines(fmt.Sprintf("%s%s %s %s ", lead, mark, st.Dim.Render(c.ID), common.Fit(common.KindLabel(c.Kind), 11)),
			msg, r.w)
		if i == r.sel {
			for j, l := range lines {
				lines[j] = st.Select(common.Fit(l, r.w))
			}
		}
		out = append(out, lines)
	}
	return out
}

func (r *resolveScreen) conflictsHeight() int {
	n := 0
	for _, it := range r.conflictItems() {
		n += len(it)
	}
	return n
}

// conflictLines are the conflicts in room lines: all of them when they fit, else
// as many whole ones around the selected one as fit, and how many more there are.
func (r *resolveScreen) conflictLines(room int) []string {
	items := r.conflictItems()
	if r.conflictsHeight() <= room || len(items) == 0 {
		return slices.Concat(items...)
	}
	from, to, used := r.sel, r.sel+1, len(items[r.sel])
	for grew := true; grew; {
		grew = false
		if to < len(items) && used+len(items[to]) < room {
			used, to, grew = used+len(items[to]), to+1, true
		}
		if from > 0 && used+len(items[from-1]) < room {
			used, from, grew = used+len(items[from-1]), from-1, true
		}
	}
	more := r.c.Styles.Dim.Render(fmt.Sprintf("   … %d more (↑/↓)", len(items)-(to-from)))
	return append(slices.Concat(items[from:to]...), more)
}

// moveLines are where the deployment is now and the suggested slot, each window
// wrapped under its label when it is longer than the line (on a phone, one across a
// daylight-saving change or in another year: it was cut at its end's zone, "…
// Sun 28 Mar 2027 04").
func (r *resolveScreen) moveLines() []string {
	st, d, sug := r.c.Styles, r.data.det, r.data.sug
	win := func(label string, s, e time.Time, paint ...lipgloss.Style) []string {
		return common.Hanging("   "+st.Dim.Render(common.Fit(label, 10))+" ", r.c.WindowAs(s, e, common.WindowForm{Zone: true}), r.w, paint...)
	}
	out := append([]string{"", " " + st.Bold.Render("Move it")}, win("planned", d.ScheduledStart, d.ScheduledEnd)...)
	if len(sug.Slots) == 0 {
		out = append(out, "   "+st.Bad.Render(engine.NoSlot))
		for _, why := range engine.NoSlotReasons(d.ID, sug) { // what no move settles: the way on is elsewhere
			for _, l := range common.Hanging("   ", why, r.w) {
				out = append(out, st.Warn.Render(l))
			}
		}
	} else {
		s := sug.Slots[0]
		lines := win("suggested", s.Start, s.End, st.Bold)
		line := lines[len(lines)-1]
		free := st.Good.Render("✓ no conflicts there")
		if lipgloss.Width(line+"   "+free) <= r.w {
			out = append(append(out, lines[:len(lines)-1]...), line+"   "+free)
		} else {
			out = append(append(out, lines...), strings.Repeat(" ", 14)+free)
		}
	}
	return out
}

// suggestionDetail is the other free starts and the starts passed over and why, in
// at most room lines: the passed ones give way first, then the free ones.
func (r *resolveScreen) suggestionDetail(room int) []string {
	st, sug := r.c.Styles, r.data.sug
	if r.data.det.Status != models.StatusPlanned {
		return nil
	}
	// In the order of the day: by nearness to the planned start they read as no order.
	others := slices.SortedFunc(slices.Values(sug.Slots[min(1, len(sug.Slots)):]), func(a, b schedule.Slot) int {
		return a.Start.Compare(b.Start)
	})
	var alts []string
	for _, a := range others {
		alts = append(alts, r.c.At(a.Start))
	}
	var free []string
	for i, l := range common.Pack(alts, " · ", r.w-14) {
		label := ""
		if i == 0 {
			label = "also free"
		}
		free = append(free, "   "+st.Dim.Render(common.Fit(label, 10))+" "+l)
	}
	if len(free) > room {
		return nil
	}
	// Why nearer starts would not do: how many were in each kind of conflict, most
	// first, all on the first lines ("7 nearer starts in a person conflict · 2 in
	// capacity": "passed 7 person" was a riddle); then the nearest of each, as room
	// allows.
	var counts []string
	for i, rs := range sug.Reasons {
		if i == 0 {
			counts = append(counts, fmt.Sprintf("%d nearer start%s in a %s conflict", rs.Count, common.Plural(rs.Count), rs.Kind.Words()))
		} else {
			counts = append(counts, fmt.Sprintf("%d in %s", rs.Count, rs.Kind.Words()))
		}
	}
	var passed []string
	for i, l := range common.Pack(counts, " · ", r.w-14) {
		label := ""
		if i == 0 {
			label = "not free"
		}
		passed = append(passed, "   "+st.Dim.Render(common.Fit(label, 10))+" "+l)
	}
	if len(free)+len(passed) > room {
		return free
	}
	for _, rs := range sug.Reasons {
		lines := common.Hanging("   "+common.Fit("", 10)+" ", st.Dim.Render(r.c.At(rs.First.Start)+": "+rs.First.Reason), r.w)
		if len(free)+len(passed)+len(lines) > room {
			break
		}
		passed = append(passed, lines...)
	}
	return append(free, passed...)
}

// personClash reports whether an open conflict is about the assignee's time, the
// one kind that reassigning resolves.
func (r *resolveScreen) personClash() bool {
	for _, c := range r.data.det.Conflicts {
		if c.Open() && c.Kind == models.ConflictPerson {
			return true
		}
	}
	return false
}

// reassignLines offer the people free in the window, for a person conflict.
func (r *resolveScreen) reassignLines() []string {
	st := r.c.Styles
	if r.data.det.Status != models.StatusPlanned || !r.personClash() {
		return nil
	}
	out := []string{"", " " + st.Bold.Render("Reassign")}
	if len(r.data.free) == 0 {
		return append(out, "   "+st.Dim.Render("nobody with the right role is free in this window"))
	}
	var names []string
	for i, p := range r.data.free {
		if i == r.who {
			names = append(names, st.Selected.Render("▸"+p.Name))
		} else {
			names = append(names, p.Name)
		}
	}
	for i, l := range common.Pack(names, "  ", r.w-14) {
		label := ""
		if i == 0 {
			label = "free then"
		}
		out = append(out, "   "+st.Dim.Render(common.Fit(label, 10))+" "+l)
	}
	return out
}

// Unmoved: a character for a full field changes nothing (see common.Unmoved).
func (r *resolveScreen) Unmoved(msg tea.Msg) bool { return components.InputFull(r.reason, msg) }
