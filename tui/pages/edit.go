package pages

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// editForm changes a deployment that has not finished: a planned one's start and
// duration (a reschedule), its assignee, change reference and what it waits for.
// While it is filled in, a preview shows the conflicts the deployment would be in;
// the engine checks each change as the CLI's `deploy edit` does.
type editForm struct {
	leave   leaveGuard // esc asks before it throws away what was typed
	c       *common.Common
	d       models.Deployment
	v       *editValues // the form's fields point here
	orig    editValues  // what the fields held at first: only changes are sent
	form    *huh.Form
	errs    *components.FieldErrors
	started bool
	preview editPreview
	live    livePreview
	saving  bool
	done    bool
	err     error
	errAt   editValues // what the fields held when err was said: it stays until one changes
	names   []string   // the fields' names, in the form's order
	w, h    int
	keys    struct{ Cancel, Next, Move, Choose key.Binding }
}

type editValues struct{ start, duration, assignee, change, after string }

type editPreview struct {
	gen       int
	ed        engine.Edit
	conflicts []models.Conflict
	err       error
}

type editPreviewDue struct {
	gen int
	ed  engine.Edit
}

type editSavedMsg struct {
	out engine.Outcome
	err error
}

// newEditForm edits d; the caller checked that the person may change something of it.
func newEditForm(c *common.Common, d models.Deployment) *editForm {
	f := &editForm{c: c, d: d}
	f.orig = editValues{
		start:    c.Local(d.ScheduledStart, models.LocalLayout),
		duration: models.ExactDuration(d.ScheduledEnd.Sub(d.ScheduledStart)),
		assignee: d.Assignee, change: d.ChangeRef,
	}
	if d.After != 0 {
		f.orig.after = fmt.Sprintf("#%d", d.After)
	}
	// Start and duration open empty, their current values greyed: a value typed
	// replaces them, where one written in had "now" typed after it
	// ("2026-12-06 06:05now"). Empty is "as planned".
	v := f.orig
	v.start, v.duration = "", ""
	f.v = &v
	f.keys.Next = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next · save on the last"))
	f.keys.Move = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "field or choice"))
	f.keys.Choose = key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "choose"))
	f.keys.Cancel = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave it as it is"))
	f.build()
	return f
}

// mayMove: the window, change and link are the planner's; the assignee may be
// someone else's to give (the engine says).
func (f *editForm) mayMove() bool {
	return engine.MayMove(f.c.Actor, f.d)
}
func (f *editForm) mayRelink() bool { return engine.Can(f.c.Actor, engine.ActReschedule, &f.d) == nil }
func (f *editForm) mayAssign() bool { return engine.Can(f.c.Actor, engine.ActAssign, &f.d) == nil }

// whyNoEdit is why person may change nothing of d, or "".
func whyNoEdit(c *common.Common, d models.Deployment) string {
	if d.Status.Final() {
		return fmt.Sprintf("#%d %s: a finished deployment is not changed", d.ID, d.Status.Phrase())
	}
	resched, assign := engine.Can(c.Actor, engine.ActReschedule, &d), engine.Can(c.Actor, engine.ActAssign, &d)
	if resched == nil || assign == nil {
		return ""
	}
	return common.Why(resched) // the edit form's first field is the start
}

// build makes the form over f.v, so a rebuilt form keeps what was typed.
func (f *editForm) build() {
	f.errs = components.NewFieldErrors(f.c)
	f.errs.SetWidth(f.formW())
	var fields []huh.Field
	f.names = nil // in the form's order, for the cursor to go back to the one a refusal names
	if f.mayMove() {
		f.names = append(f.names, "start", "duration")
		fields = append(fields,
			f.errs.Input("start", "Start", &f.v.start).Placeholder(f.orig.start).Validate(f.validStart).
				Description("YYYY-MM-DD HH:MM, "+f.c.Eng.Location().String()+", or now"),
			f.errs.Input("duration", "Duration", &f.v.duration).Placeholder(f.orig.duration).
				Validate(validNewDuration))
	}
	if f.mayAssign() {
		f.names = append(f.names, "assignee")
		people := f.people()
		title, h := components.ListHeight("Assignee", len(people), 3)
		fields = append(fields, huh.NewSelect[string]().Title(title).Options(people...).Value(&f.v.assignee).Height(h))
	}
	if f.mayRelink() {
		f.names = append(f.names, "change", "after")
		fields = append(fields,
			f.errs.Input("change", "Change", &f.v.change).Placeholder("CHG-… (empty: none)"),
			f.errs.Input("after", "After", &f.v.after).Placeholder("a deployment ID it waits for (empty: none)").
				Validate(validAfter))
	}
	f.form = huh.NewForm(huh.NewGroup(fields...)).WithTheme(components.FormTheme(f.c)).WithShowHelp(false).
		WithShowErrors(false).WithKeyMap(components.FormKeys()).WithWidth(f.formW()).
		WithHeight(f.formHeight())
	f.started = false
}

// people are those who may carry the deployment out; the current assignee stays a
// choice even if the config no longer lets them.
func (f *editForm) people() []huh.Option[string] {
	opts := []huh.Option[string]{huh.NewOption("nobody yet", "")}
	seen := false
	for _, p := range f.c.Eng.Assignable() {
		opts = append(opts, huh.NewOption(p.Name+" ("+string(p.MainRole())+")", p.Name))
		seen = seen || p.Name == f.d.Assignee
	}
	if !seen && f.d.Assignee != "" {
		opts = append(opts, huh.NewOption(f.d.Assignee, f.d.Assignee))
	}
	return opts
}

// validStart: empty is the start as planned.
func (f *editForm) validStart(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	_, err := models.ParseTimeAt(s, f.c.Eng.Location(), f.c.Eng.Now())
	return err
}

// validNewDuration: empty is the duration as planned.
func validNewDuration(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	_, err := models.ParseDuration(s)
	return err
}

// changed says whether a start or duration field asks for something new: empty,
// or the value as planned, does not.
func changed(v, orig string) bool {
	v = strings.TrimSpace(v)
	return v != "" && v != orig
}

// edit is what the fields change, or why a field does not parse (named by its title).
func (f *editForm) edit() (engine.Edit, error) {
	var ed engine.Edit
	v, o := f.v, f.orig
	if changed(v.start, o.start) {
		t, err := models.ParseTimeAt(v.start, f.c.Eng.Location(), f.c.Eng.Now())
		if err != nil {
			return ed, fmt.Errorf("Start: %w", err)
		}
		ed.Start = &t
	}
	if changed(v.duration, o.duration) {
		d, err := models.ParseDuration(v.duration)
		if err != nil {
			return ed, fmt.Errorf("Duration: %w", err)
		}
		ed.Duration = &d
	}
	if v.assignee != o.assignee {
		ed.Assignee = &v.assignee
	}
	if ref := strings.TrimSpace(v.change); ref != o.change {
		ed.ChangeRef = &ref
	}
	if after := strings.TrimSpace(v.after); after != o.after {
		n, err := parseAfter(after)
		if err != nil {
			return ed, fmt.Errorf("After: %w", err)
		}
		ed.After = &n
	}
	return ed, nil
}

func (f *editForm) Title() string   { return fmt.Sprintf("#%d edit", f.d.ID) }
func (f *editForm) Capturing() bool { return true }
func (f *editForm) SetSize(w, h int) {
	f.w, f.h = w, h
	f.form.WithWidth(f.formW()).WithHeight(f.formHeight())
	f.errs.SetWidth(f.formW())
}

// formW is the form's width in the page: the page less a margin, at most 64.
func (f *editForm) formW() int { return min(max(20, f.w-2), 64) }

func (f *editForm) formHeight() int { return formBesideHeight(f.w, f.h) }
func (f *editForm) ShortHelp() []common.Key {
	k := f.keys
	return []common.Key{common.On(k.Next), common.On(k.Move), common.On(k.Choose), common.On(k.Cancel)}
}
func (f *editForm) FullHelp() [][]common.Key { return [][]common.Key{f.ShortHelp()} }

// Refresh starts the form the first time, and renews the preview.
func (f *editForm) Refresh() tea.Cmd {
	if !f.started {
		f.started = true
		return tea.Batch(f.form.Init(), f.maybePreview())
	}
	f.live.again()
	return f.maybePreview()
}

// maybePreview asks for a new preview once the fields changed and rested.
func (f *editForm) maybePreview() tea.Cmd {
	if f.err != nil && *f.v != f.errAt {
		f.err = nil // a field changed since the refusal: it was read above the new preview
	}
	ed, err := f.edit()
	ask, clear := f.live.changed(editKey(ed), err == nil)
	if clear {
		f.preview = editPreview{} // not of what the fields hold now
	}
	if !ask {
		return nil
	}
	return f.live.after(func(gen int) tea.Msg { return editPreviewDue{gen, ed} })
}

// editKey tells two edits apart (their pointers differ even when their values agree).
func editKey(ed engine.Edit) string {
	var b strings.Builder
	if ed.Start != nil {
		fmt.Fprintf(&b, "s%d ", ed.Start.Unix())
	}
	if ed.Duration != nil {
		fmt.Fprintf(&b, "d%d ", *ed.Duration)
	}
	if ed.Assignee != nil {
		fmt.Fprintf(&b, "a%q ", *ed.Assignee)
	}
	if ed.ChangeRef != nil {
		fmt.Fprintf(&b, "c%q ", *ed.ChangeRef)
	}
	if ed.After != nil {
		fmt.Fprintf(&b, "f%d", *ed.After)
	}
	return "edit:" + b.String()
}

func (f *editForm) askPreview(due editPreviewDue) tea.Cmd {
	if !f.live.current(due.gen) {
		return nil
	}
	c, id := f.c, f.d.ID
	return func() tea.Msg {
		_, cs, err := c.Eng.PreviewEdit(c.Ctx, c.Actor, id, due.ed)
		return editPreview{due.gen, due.ed, cs, err}
	}
}

func (f *editForm) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case editPreviewDue:
		return f.askPreview(msg)
	case editPreview:
		if f.live.current(msg.gen) {
			f.preview = msg
		}
		return nil
	case editSavedMsg:
		return f.saved(msg)
	case tea.KeyPressMsg:
		s := formState{key.Matches(msg, f.keys.Cancel) && !components.Filtering(f.form), f.saving, f.done}
		if cmd, taken := f.leave.take(msg, s, func() string { return fmt.Sprintf("%+v", *f.v) }); taken {
			return cmd
		}
	}
	if f.saving || f.done {
		return nil
	}
	var cmd tea.Cmd
	f.form, cmd = f.errs.Step(f.form, msg)
	if f.form.State == huh.StateCompleted {
		return tea.Batch(cmd, f.save())
	}
	return tea.Batch(cmd, f.maybePreview())
}

func (f *editForm) save() tea.Cmd {
	ed, err := f.edit()
	if err != nil || ed.Empty() {
		f.err, f.errAt = err, *f.v
		if err == nil {
			f.err = fmt.Errorf("nothing changed: edit a field first, or esc to leave it as it is")
		}
		f.build()
		return f.Refresh()
	}
	f.saving, f.err = true, nil
	c, id := f.c, f.d.ID
	return func() tea.Msg {
		out, err := c.Eng.EditDeployment(c.Ctx, c.Actor, id, ed)
		return editSavedMsg{out, err}
	}
}

// saved returns to where the person came from, or shows why the engine refused and
// lets them correct it (a completed huh form cannot be edited: it is rebuilt).
func (f *editForm) saved(msg editSavedMsg) tea.Cmd {
	f.saving = false
	if msg.err != nil {
		f.err, f.errAt = msg.err, *f.v
		f.build()
		// Back on the field it is about ("After: …"), as the plan form does: it went
		// back to Start, whatever the refusal named.
		cmds := []tea.Cmd{f.Refresh()}
		name, _, _ := strings.Cut(strings.ToLower(fieldWords(msg.err)), ":")
		for range max(0, slices.Index(f.names, name)) {
			cmds = append(cmds, f.form.NextField())
		}
		return tea.Sequence(cmds...)
	}
	f.done = true
	return common.Done(fmt.Sprintf("#%d: %s%s", f.d.ID, editDid(f.c, msg.out), leftOver(msg.out.Conflicts)))
}

// editDid is what the engine did, a new window written as the console writes one
// ("rescheduled to Tue 08 Dec 10:00–10:45"): the engine's words are the record's
// ("2026-12-08 10:00 CET – 10:45 CET").
func editDid(c *common.Common, out engine.Outcome) string {
	parts := strings.Split(out.Did, "; ")
	for i, p := range parts {
		if strings.HasPrefix(p, "rescheduled ") {
			parts[i] = "rescheduled to " + c.Window(out.Deployment.ScheduledStart, out.Deployment.ScheduledEnd)
		}
	}
	return strings.Join(parts, "; ")
}

func (f *editForm) View() string {
	st, d := f.c.Styles, f.d
	head := " " + st.Bold.Render(fmt.Sprintf("Change #%d", d.ID)) + fmt.Sprintf(" %s %s → %s", d.Component, d.Version,
		d.Environment)
	form := f.leave.view(st, f.formW()) + strings.Trim(f.form.View(), "\n")
	if f.w < 100 {
		room := max(2, f.h-3-lipgloss.Height(form))
		return common.Fit(head, f.w) + "\n\n" + form + "\n\n" + cutLines(f.previewView(f.w-2), room, st.Dim)
	}
	return common.Fit(head, f.w) + "\n\n" + lipgloss.JoinHorizontal(lipgloss.Top, form, "  ", f.previewView(max(20, f.w-68)))
}

// cutLines keeps the first n lines of s, the last of them saying how many more
// there are when s is longer.
func cutLines(s string, n int, dim lipgloss.Style) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= n {
		return strings.Join(lines, "\n")
	}
	more := len(lines) - n + 1
	return strings.Join(append(lines[:n-1], " "+dim.Render(fmt.Sprintf("… %d more lines", more))), "\n")
}

// previewView is the window after the edit and the conflicts the deployment would
// be in, as the engine sees them now.
func (f *editForm) previewView(w int) string {
	st := f.c.Styles
	var b strings.Builder
	b.WriteString(" " + st.Bold.Render("Preview") + "\n")
	pr := f.preview
	shown := pr.err // the error the preview says below
	if pr.gen == 0 {
		_, shown = f.edit()
	}
	switch {
	case f.err != nil && shown != nil && sameWords(f.err, shown):
		b.WriteString(" " + st.Error.Render("✗ not saved, for the reason below") + "\n") // said once
	case f.err != nil:
		b.WriteString(" " + st.Error.Render("✗ not saved: "+common.Hang(fieldWords(f.err), w-15, 15)) + "\n")
	case f.saving:
		b.WriteString(" " + st.Dim.Render("saving…") + "\n")
	}
	switch {
	case pr.gen == 0:
		if _, err := f.edit(); err != nil { // said as the field is typed, not only at enter
			b.WriteString(" " + st.Bad.Render("✗ "+common.Hang(err.Error(), w-3, 3)) + "\n")
			break
		}
		b.WriteString(" " + st.Dim.Render("as it is now") + "\n")
	case pr.err != nil:
		b.WriteString(" " + st.Bad.Render("✗ "+common.Hang(fieldWords(pr.err), w-3, 3)) + "\n")
	default:
		b.WriteString(f.windowLine(pr.ed))
		if len(pr.conflicts) == 0 {
			b.WriteString(" " + st.Good.Render("✓ no conflicts") + "\n")
		}
		for i, c := range pr.conflicts {
			if i == maxPreviewConflicts && len(pr.conflicts) > i+1 {
				fmt.Fprintf(&b, " %s\n", st.Dim.Render(fmt.Sprintf("… %d more", len(pr.conflicts)-i)))
				break
			}
			lead := len(common.KindWords(c.Kind)) + 4
			if !c.Open() { // a manager accepted it already, and it stays as it was
				msg := c.Message + " — " + cmp.Or(c.OverrideText(), c.StartedText())
				b.WriteString(" " + st.Good.Render("✓ "+common.KindWords(c.Kind)) + " " + st.Dim.Render(common.Hang(msg, w-lead, lead)) + "\n")
				continue
			}
			msg := c.Message
			if started := c.StartedText(); started != "" {
				msg += " — " + started
			}
			b.WriteString(" " + st.Bad.Render("✗ "+common.KindWords(c.Kind)) + " " + common.Hang(msg, w-lead, lead) + "\n")
		}
	}
	return b.String()
}

// maxPreviewConflicts is how many conflicts the preview lists before "… N more".
const maxPreviewConflicts = 6

func (f *editForm) windowLine(ed engine.Edit) string {
	d := f.d
	start := d.ScheduledStart
	if ed.Start != nil {
		start = *ed.Start
	}
	length := d.ScheduledEnd.Sub(d.ScheduledStart)
	if ed.Duration != nil {
		length = *ed.Duration
	}
	return " " + previewWindow(f.c, start, start.Add(length)) + "\n"
}

// Unmoved: a character for a full field changes nothing (see common.Unmoved).
func (f *editForm) Unmoved(msg tea.Msg) bool { return !f.saving && !f.done && f.errs.Full(f.form, msg) }
