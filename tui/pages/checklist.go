package pages

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// checklistView is the technician's page: the current stage's items, large and clear,
// who ticked what and when. A tick, a note, a block is saved the moment it is made;
// when a person's work leaves nothing waiting and nobody runs the deployment, the run
// carries on by itself (Resume), so automated steps follow.
type checklistView struct {
	c        *common.Common
	id       int64
	st       engine.RunState
	stageIts []engine.StepState // st's steps of the current stage (items), kept with st
	approve  error              // why the person may not approve the waiting gate; nil: may
	reject   error              // why the person may not reject it; nil: may
	starting starting           // a planned deployment's start: what it would break, who may override
	loaded   bool
	stage    models.Stage
	sel      int // index into items()
	input    textinput.Model
	asking   asking       // what the text field asks for
	draft    common.Draft // what the last session was typing here, opened again once loaded
	about    string       // what the answer is for or leads to, wrapped above the field
	kept     bool         // the field's text was typed in an earlier session (said below about)
	askSeq   int          // the item the field is about, kept while a reload moves the cursor
	// sent is what the field held when enter sent it: should the act be refused (the
	// item was ticked in another session meanwhile), the field opens again with it, so
	// nothing typed is lost.
	sent    sentText
	working bool // a tick, note, block or approval is being saved
	// ticks pressed while one was being saved: each ticks the next open item once
	// the one before is saved and the list read again (a quick space space had lost
	// the second, its refusal hidden at once by the first one's result)
	held []tea.KeyPressMsg
	// advance is the step a tick or an approval is saving: once saved, the cursor
	// moves on to the next open item, where the next space is meant to go.
	advance int
	top     int // how many of a planned deployment's items are scrolled above (see preview)
	// whyOpen: w shows whole why a planned deployment cannot start (or what a start
	// would break), in place of its items, scrolled by whyTop lines; the checklist
	// says it briefly otherwise, when it is long, so the items stay in sight.
	whyOpen bool
	whyTop  int
	running bool // the run carries on after a person's work
	// failed is the footer's refusal of the last reload ("tom may not see #1" while
	// it was assigned to someone else): once a reload works again, it goes.
	failed string
	// confirm is a question y answers, while it is asked: a tick that moves the run
	// past optional items nobody ticked, which Ferry then skips.
	confirm confirm
	w, h    int
	keys    struct{ Tick, Note, Block, Approve, Reject, Start, Why, Save, Cancel, Yes, No key.Binding }
}

// asking is what a page's text field asks for.
type asking int

// sentText is what a text field sent: what it asked, with which prompt, about which
// item, and the text.
type sentText struct {
	asking       asking
	prompt, text string
	seq          int
}

const (
	askNote     asking = iota
	askBlock           // why an item is blocked
	askOverride        // a manager's reason to start against the controls
	askReject          // why a gate is refused
	askUnblock         // what cleared a block (optional)
	askCancel          // why the deployment is cancelled
	askFail            // why a started deployment ends failed
	askRollback        // why it fails, its stage's on-failure steps run first
	askApprove         // a note with an approval (optional): a gate is passed on purpose
)

// need is what the field's act needs written, in the engine's words where the
// engine has the rule (engine.Need…), so the field and the act refuse alike.
func (a asking) need() string {
	switch a {
	case askBlock:
		return engine.NeedBlockReason
	case askOverride:
		return engine.NeedOverrideReason
	case askReject:
		return engine.NeedRejectReason
	case askCancel:
		return engine.NeedCancelReason
	case askFail, askRollback:
		return engine.NeedFailReason
	}
	return "the note is empty: it is kept on the record"
}

type checklistLoadedMsg struct {
	view engine.DeploymentView
	err  error
}

// NewChecklist is the checklist of deployment id: the current stage's items.
func NewChecklist(c *common.Common, id int64) common.Page {
	v := &checklistView{c: c, id: id}
	v.keys.Tick = key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "tick"))
	v.keys.Note = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "note"))
	v.keys.Block = key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "block"))
	v.keys.Approve = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "approve"))
	v.keys.Reject = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "reject"))
	v.keys.Start = key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "start"))
	v.keys.Why = key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "why"))
	v.keys.Save = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save"))
	v.keys.Cancel = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	v.keys.Yes = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes, tick it"))
	v.keys.No = key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "not yet"))
	v.input = components.NewInput(c.Styles, "note: ", "")
	if r := c.Resume; r.Checklist && r.ID == id && r.Draft.Text != "" {
		v.draft = r.Draft
		c.Resume.Draft = common.Draft{} // once: a checklist opened again later starts clean
	}
	return v
}

// NewChecklistApproving is deployment id's checklist asking at once for the approval
// of the gate it waits at (the dashboard's a): the a is held until the checklist has
// loaded, as keys typed before then are, so the engine's answer decides.
func NewChecklistApproving(c *common.Common, id int64) common.Page {
	v := NewChecklist(c, id).(*checklistView)
	v.held = []tea.KeyPressMsg{{Code: 'a', Text: "a"}}
	return v
}

func (v *checklistView) Title() string   { return fmt.Sprintf("checklist #%d", v.id) }
func (v *checklistView) Capturing() bool { return v.input.Focused() || v.confirm.asking() }

// Place is where the person is: on this deployment's checklist, with what they are
// typing into its field and have not sent.
func (v *checklistView) Place() common.Place {
	p := common.Place{Checklist: true, ID: v.id}
	if v.input.Focused() && strings.TrimSpace(v.input.Value()) != "" {
		p.Draft = common.Draft{Kind: int(v.asking), Seq: v.askSeq, Prompt: v.input.Prompt, Text: v.input.Value(),
			About: v.about}
	}
	return p
}

// takeDraft opens the field again with what the person was typing when their last
// session ended, once the checklist has loaded: about the same item, the same
// question, not sent until enter (the engine decides then, as ever).
func (v *checklistView) takeDraft() tea.Cmd {
	d := v.draft
	v.draft = common.Draft{}
	for i, s := range v.items() {
		if s.Seq == d.Seq {
			v.sel = i
		}
	}
	// What enter does is said again first (an approval's warning that it skips the
	// optional items, a start's controls it breaks): the draft is only the text.
	// A place kept by an earlier Ferry may hold the kept text in About already.
	about := strings.TrimSpace(strings.ReplaceAll(d.About, keptBefore, ""))
	if asking(d.Kind) == askApprove {
		about = approveAbout(v.st) // as it stands now
	}
	cmd := v.ask(asking(d.Kind), d.Prompt, about)
	v.askSeq = d.Seq
	v.kept = true // said on its own line, never kept in about: a draft kept again would say it twice
	v.input.SetValue(d.Text)
	v.input.CursorEnd()
	return cmd
}

// Restyle takes the session's styles again, after the terminal said its background.
func (v *checklistView) Restyle() { v.input.SetStyles(components.InputStyles(v.c.Styles)) }

func (v *checklistView) SetSize(w, h int) {
	v.w, v.h = w, h
	v.input.SetWidth(max(10, w-len(v.input.Prompt)-4))
}

// items are the current stage's steps, then the optional items of later stages (they
// may be ticked ahead: the run does not stop for them); a finished deployment's are all its steps,
// stage by stage (see record). They are worked out once per load: View, its footer
// and the keys ask for them many times a frame, and a checklist may have hundreds of
// items.
func (v *checklistView) items() []engine.StepState { return v.stageIts }

// record reports whether the checklist is a finished deployment's (succeeded, failed,
// rolled back, cancelled): every item as it was left, with who ticked or blocked it
// and the notes, read as the record; only a note is still added (engine.WhyNoNote).
// A cancelled one listed nothing, and a note saved on it was nowhere to be seen.
func (v *checklistView) record() bool { return v.loaded && v.st.Deployment.Status.Final() }

// stageProgress is the progress of the stage under way, as the engine counted it.
func (v *checklistView) stageProgress() engine.StageProgress {
	for _, p := range v.st.Stages {
		if p.Current {
			return p
		}
	}
	return engine.StageProgress{}
}

func stageItems(st engine.RunState) []engine.StepState {
	if st.Deployment.Status.Final() {
		return st.Steps
	}
	stage := st.Deployment.Status.Stage()
	n := 0
	for _, s := range st.Steps {
		if s.Step.Stage == stage {
			n++
		}
	}
	ahead := st.Ahead()
	out := make([]engine.StepState, 0, n+len(ahead)) // sized once: a stage may have hundreds of items
	for _, s := range st.Steps {
		if s.Step.Stage == stage {
			out = append(out, s)
		}
	}
	return append(out, ahead...) // optional items of later stages, which may be ticked ahead
}

func (v *checklistView) selected() (engine.StepState, bool) {
	items := v.items()
	if v.sel >= 0 && v.sel < len(items) {
		return items[v.sel], true
	}
	return engine.StepState{}, false
}

func (v *checklistView) may(a engine.Action) error {
	d := v.st.Deployment
	return engine.Can(v.c.Actor, a, &d)
}

func (v *checklistView) ShortHelp() []common.Key {
	on, off := common.On, common.OffFor
	if v.input.Focused() {
		return []common.Key{on(v.keys.Save), on(v.keys.Cancel)}
	}
	if v.confirm.asking() {
		return []common.Key{on(v.keys.Yes), on(v.keys.No)}
	}
	return []common.Key{off(v.keys.Tick, v.whyNoTick()), off(v.keys.Note, v.whyNoNote()), v.blockKey(),
		off(v.keys.Approve, v.whyNoApprove()), off(v.keys.Reject, v.whyNoReject()), v.startKey(), v.whyKey(),
		on(v.c.Keys.Up), on(v.c.Keys.Down), on(v.c.Keys.Back)}
}

func (v *checklistView) FullHelp() [][]common.Key { return [][]common.Key{v.ShortHelp()} }

// whyNoItem is why the selected item cannot be ticked, noted or blocked now: the
// deployment is in no stage, nothing is selected, the engine does not let the
// person, or a change is being saved.
func (v *checklistView) whyNoItem() string {
	d := v.st.Deployment
	_, selected := v.selected()
	switch {
	case !v.loaded:
		return loading
	case d.Status.Stage() == "" && !d.Status.Final(): // a planned one's items are read ahead, not selected
		return fmt.Sprintf("#%d %s: nothing to tick now", d.ID, d.Status.Phrase())
	case !selected:
		return "no item selected"
	case v.may(engine.ActTick) != nil:
		return v.may(engine.ActTick).Error()
	case v.working:
		return "a change is being saved"
	}
	return ""
}

// whyNoNote: a note goes on the selected item as the engine allows, on a finished
// deployment's record too.
func (v *checklistView) whyNoNote() string {
	if why := v.whyNoItem(); why != "" {
		return why
	}
	return errText(engine.WhyNoNote(v.c.Actor, v.st.Deployment))
}

// holdsTicks is whether a tick pressed now waits (in held): a tick or an approval is
// being saved, after which the cursor moves on to where it is meant to go.
func (v *checklistView) holdsTicks() bool { return v.working && v.advance != 0 }

// whyNoTick: the engine says whether the selected item can be ticked now.
func (v *checklistView) whyNoTick() string {
	if v.holdsTicks() {
		return "" // held until the tick being saved is (see held)
	}
	if why := v.whyNoItem(); why != "" {
		return why
	}
	s, _ := v.selected()
	return errText(v.c.Eng.WhyNoTick(v.st.Deployment, s.StepRun))
}

// blockKey is b: block a checklist item still to do, or unblock a blocked one, as
// the engine allows; off with its reason otherwise, so no prompt asks for a reason
// that would then be refused.
func (v *checklistView) blockKey() common.Key {
	k := common.OffFor(v.keys.Block, v.whyNoItem())
	s, _ := v.selected()
	blocked := s.Status == models.StepBlocked
	if blocked {
		k.SetHelp("b", "unblock")
	}
	switch {
	case k.Off != "":
	case blocked:
		k.Off = errText(v.c.Eng.WhyNoUnblock(v.st.Deployment, s.StepRun))
	default:
		k.Off = errText(v.c.Eng.WhyNoBlock(v.st.Deployment, s.StepRun))
	}
	return k
}

// errText is err's message, "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// whyNoApprove: a gate waits, and the engine says whether this person may approve it.
func (v *checklistView) whyNoApprove() string {
	switch w := v.st.Waiting; {
	case !v.loaded:
		return loading
	case w == nil || w.Kind != engine.WaitApproval:
		return fmt.Sprintf("#%d waits at no gate now", v.id)
	case v.approve != nil:
		return v.approve.Error()
	case v.working || v.st.Runner != nil:
		return fmt.Sprintf("#%d is running", v.id)
	}
	return ""
}

// whyNoReject: a gate waits, and the engine says whether this person may reject it
// (the requester may, who may not approve).
func (v *checklistView) whyNoReject() string {
	if why := v.whyNoApprove(); v.approve == nil || why != v.approve.Error() {
		return why // not loaded, no gate, running, or nothing to say about approving
	}
	if v.working || v.st.Runner != nil {
		return fmt.Sprintf("#%d is running", v.id)
	}
	return common.Why(v.reject)
}

// whyNoStart: a technician arriving on site starts a planned installation from its
// checklist, if the engine lets them and the controls allow it now (a manager may
// start it anyway, with a reason).
func (v *checklistView) whyNoStart() string {
	why := v.whyNoStartWhole()
	if why != "" && why == v.starting.why(v.c.Actor, v.id) && v.whyLong() { // a phone's footer had six lines of it, ending "…;…"
		return refusedBrief(v.c.Actor, v.id, v.starting.breaks) + "; w says why, whole"
	}
	return why
}

// whyNoStartWhole is whyNoStart, the refusal whole.
func (v *checklistView) whyNoStartWhole() string {
	d := v.st.Deployment
	switch {
	case !v.loaded:
		return loading
	case d.Status.Final():
		return fmt.Sprintf("#%d %s", d.ID, d.Status.Phrase())
	case d.Status != models.StatusPlanned:
		return v.whyNoCarry()
	case v.may(engine.ActRun) != nil:
		return v.may(engine.ActRun).Error()
	case v.running || v.st.Runner != nil:
		return fmt.Sprintf("#%d is running", d.ID)
	}
	return v.starting.why(v.c.Actor, d.ID)
}

// whyNoCarry: a started deployment that waits for no person and that nobody runs
// (its last item was ticked elsewhere, and the run did not go on there) is carried on
// with g; otherwise why not.
func (v *checklistView) whyNoCarry() string {
	d, w := v.st.Deployment, v.st.Waiting
	switch {
	case v.may(engine.ActRun) != nil:
		return v.may(engine.ActRun).Error()
	case v.running || v.working || v.st.Runner != nil:
		return fmt.Sprintf("#%d is running", d.ID)
	case w != nil:
		return w.Message
	}
	return ""
}

// notStarted is what the checklist of a deployment in no stage says instead of its
// items: why there is nothing to tick, whether g starts it and what that would break;
// whole, and brief (what breaks named by kind) for when the whole is long.
func (v *checklistView) notStarted() (whole, brief string) {
	d := v.st.Deployment
	bs := v.starting.breaks
	whole = fmt.Sprintf("#%d %s: nothing to tick now.", d.ID, d.Status.Phrase())
	brief = whole
	switch no := v.whyNoStartWhole(); {
	case no == "" && v.starting.needsReason():
		const tail = "Press g to start it anyway, with the reason."
		whole = fmt.Sprintf("#%d has not started, and a start now would break its controls (%s). %s", d.ID,
			engine.BreaksFor(v.c.Actor, bs), tail)
		brief = fmt.Sprintf("#%d has not started, and a start now would break its controls (%s). %s", d.ID,
			engine.BreaksBrief(bs), tail)
	case no == "":
		whole = fmt.Sprintf("#%d has not started. Press g to start it: its first checklist comes up here.", d.ID)
		brief = whole
	case d.Status == models.StatusPlanned && v.may(engine.ActRun) == nil && len(bs) > 0:
		whole = fmt.Sprintf("#%d has not started, and cannot start now: %s; %s.", d.ID, engine.BreaksFor(v.c.Actor, bs), waysOn(v.c.Actor, bs))
		// The header names it, and says planned: the room goes to what breaks.
		brief = fmt.Sprintf("It cannot start now (%s); %s.", engine.BreaksBrief(bs), waysOn(v.c.Actor, bs))
	case d.Status == models.StatusPlanned && v.may(engine.ActRun) == nil:
		whole = fmt.Sprintf("#%d has not started, and cannot start yet: %s.", d.ID, no)
		brief = whole
	}
	return whole, brief
}

// whyRows is the most lines the reason takes over a planned deployment's items: a
// longer one is said briefly, and w shows it whole. The items are what a technician
// came to read.
func (v *checklistView) whyRows() int { return max(2, v.h/6) }

// whyWidth is the width the reason is wrapped to.
func (v *checklistView) whyWidth() int { return max(1, v.w-2) }

// whyLong reports whether the whole reason takes more than whyRows lines.
func (v *checklistView) whyLong() bool {
	if !v.loaded || v.st.Deployment.Status.Stage() != "" {
		return false
	}
	whole, _ := v.notStarted()
	return len(common.Wrap(whole, v.whyWidth())) > v.whyRows()
}

// whyKey is w: the whole reason, or the items again; off when the reason is whole
// already.
func (v *checklistView) whyKey() common.Key {
	k := common.OffFor(v.keys.Why, "")
	switch {
	case v.whyOpen:
		k.SetHelp("w", "items")
	case !v.whyLong():
		k.Off = "the checklist says it whole already"
	}
	return k
}

// whyTopMax is the most lines the whole reason scrolls: what leaves its last line
// above the hint under it.
func (v *checklistView) whyTopMax() int { return max(0, len(v.whyWhole())-v.whyRoom()) }

// whyWhole is the whole reason as w shows it, unstyled: each control a start would
// break on lines of its own, then the ways on; else the reason wrapped.
func (v *checklistView) whyWhole() []string {
	d, bs := v.st.Deployment, v.starting.breaks
	if d.Status != models.StatusPlanned || len(bs) == 0 {
		whole, _ := v.notStarted()
		return common.Wrap(whole, v.whyWidth())
	}
	var out []string
	if v.starting.needsReason() {
		out = common.Wrap(fmt.Sprintf("#%d has not started; a start now would break:", d.ID), v.whyWidth())
	} else {
		out = common.Wrap(fmt.Sprintf("#%d has not started, and cannot start now:", d.ID), v.whyWidth())
	}
	for _, b := range bs {
		out = append(out, common.Hanging("· ", b.For(v.c.Actor), v.whyWidth())...)
	}
	if v.starting.needsReason() {
		return append(out, common.Wrap("Press g to start it anyway, with the reason.", v.whyWidth())...)
	}
	return append(out, common.Wrap(waysOn(v.c.Actor, bs)+".", v.whyWidth())...)
}

// whyRoom is the lines the whole reason has: under the header and a blank line,
// above the hint.
func (v *checklistView) whyRoom() int { return max(1, v.h-2-1-1) }

// whyLines are the reason's lines over a deployment in no stage: whole when it takes
// whyRows lines at most; else brief (cut to whyRows) and how to read it whole; and,
// once w is pressed, whole, scrolled by ↑/↓ when it is longer than the screen.
func (v *checklistView) whyLines() []string {
	st := v.c.Styles
	whole, brief := v.notStarted()
	dim := func(ls []string) []string {
		out := make([]string, len(ls))
		for i, l := range ls {
			out[i] = " " + st.Dim.Render(l)
		}
		return out
	}
	switch {
	case !v.whyLong():
		return dim(common.Wrap(whole, v.whyWidth()))
	case !v.whyOpen:
		ls := common.Wrap(brief, v.whyWidth())
		if n := v.whyRows(); len(ls) > n {
			ls = ls[:n]
			ls[n-1] = common.Fit(strings.TrimRight(ls[n-1], " ")+"…", v.whyWidth())
		}
		return append(dim(ls), " "+st.Accent.Render("w")+st.Dim.Render(" says why, whole"))
	}
	ls := v.whyWhole()
	top := min(v.whyTop, v.whyTopMax())
	ls = ls[top:min(len(ls), top+v.whyRoom())]
	hint := "w: the items again"
	if v.whyTopMax() > 0 {
		hint = fmt.Sprintf("↑/↓ scroll (line %d of %d) · w: the items again", top+1, v.whyTopMax()+v.whyRoom())
	}
	return append(dim(ls), " "+st.Dim.Render(hint))
}

// stalled: the stage is in no one's hands: g carries the run on.
func (v *checklistView) stalled() bool {
	d := v.st.Deployment
	return v.loaded && d.Status.Stage() != "" && v.whyNoCarry() == ""
}

func (v *checklistView) startKey() common.Key {
	k := common.OffFor(v.keys.Start, v.whyNoStart())
	switch {
	case v.loaded && v.st.Deployment.Status.Stage() != "":
		k.SetHelp("g", "carry on")
	case k.Off == "" && v.starting.needsReason():
		k.SetHelp("g", "start anyway")
	}
	return k
}

// Refresh loads the run state, and for a planned deployment what its start would
// break.
func (v *checklistView) Refresh() tea.Cmd {
	c, id := v.c, v.id
	return func() tea.Msg {
		dv, err := c.Eng.View(c.Ctx, c.Actor, id, engine.ViewRequest{})
		common.Clean(&dv) // stored text is shown, never obeyed
		return checklistLoadedMsg{view: dv, err: err}
	}
}

func (v *checklistView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case checklistLoadedMsg:
		if msg.err != nil {
			if !v.loaded {
				return tea.Batch(common.Back, common.Fail(msg.err))
			}
			v.failed = msg.err.Error()
			return common.Fail(msg.err)
		}
		var settled tea.Cmd
		if v.failed != "" { // it loads again: the refusal no longer holds
			settled, v.failed = common.Settled(v.failed), ""
		}
		was, _ := v.selected()
		first := !v.loaded
		v.st, v.approve, v.reject, v.loaded = msg.view.Run, msg.view.Approve, msg.view.Reject, true
		v.stageIts = stageItems(v.st)
		v.starting.load(msg.view)
		if stage := v.st.Deployment.Status.Stage(); stage != v.stage || first {
			// A new stage: select its first open item; finished, the item the cursor
			// was on stays selected (else where the work stopped).
			v.stage, v.sel = stage, 0
			for i, s := range v.items() {
				if s.Status != models.StepDone && s.Status != models.StepSkipped {
					v.sel = i
					break
				}
			}
			if i := slices.IndexFunc(v.items(), func(s engine.StepState) bool { return s.Seq == was.Seq }); i >= 0 && v.record() {
				v.sel = i
			}
		}
		v.sel = max(0, min(v.sel, len(v.items())-1))
		if v.draft.Text != "" {
			return tea.Batch(settled, v.takeDraft())
		}
		if len(v.held) > 0 && !v.working {
			k := v.held[0]
			v.held = v.held[1:]
			cmd := v.key(k)
			if !v.working {
				v.held = nil // refused: the rest would tick later, unasked
			}
			return tea.Batch(settled, cmd)
		}
		return settled
	case runDoneMsg:
		v.running, v.working = false, false
		sent := v.sent
		v.sent = sentText{}
		if msg.err != nil {
			v.held = nil // the refusal is what to read, not more ticks after it
			v.advance = 0
			if sent.text != "" { // what was typed is not thrown away: the field opens again
				return tea.Batch(v.reopen(sent, msg.err), v.Refresh())
			}
		}
		if v.advance != 0 && msg.err == nil {
			v.moveOnFrom(v.advance)
		}
		v.advance = 0
		return tea.Batch(runOutcome(v.c, v.id, msg), v.Refresh())
	case common.DraftMovedMsg:
		return v.draftMoved(msg.Place)
	case tea.KeyPressMsg:
		if v.input.Focused() {
			return v.inputKey(msg)
		}
		if v.confirm.asking() {
			return v.confirm.answer(msg, v.keys.Yes)
		}
		return v.key(msg)
	}
	return nil
}

// draftMoved closes the field when another session of the person took what it
// holds (see common.DraftMovedMsg): sent from here too, it would be filed twice.
func (v *checklistView) draftMoved(p common.Place) tea.Cmd {
	if !v.input.Focused() || !v.Place().SameField(p) {
		return nil // sent or dropped meanwhile, or another field asked since
	}
	v.input.Blur()
	v.input.SetValue("")
	v.kept = false
	return common.NoteAs("→", "what you typed moved to your newer session: send it there")
}

// optionalLeft are the optional items that ticking the selected item would leave
// behind, skipped (engine.SkippedByTick says which).
func (v *checklistView) optionalLeft() []engine.StepState {
	sel, ok := v.selected()
	if !ok {
		return nil
	}
	return engine.SkippedByTick(v.st, sel.Seq)
}

// moveOnFrom puts the cursor on the first open item after step seq (the one just
// ticked or approved), if there is one; else it stays.
func (v *checklistView) moveOnFrom(seq int) {
	items := v.items()
	for i, s := range items {
		if s.Seq > seq && s.Status != models.StepDone && s.Status != models.StepSkipped {
			v.sel = i
			return
		}
	}
}

func (v *checklistView) key(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case !v.loaded:
		return nil
	case key.Matches(msg, v.keys.Why) && v.whyKey().Off == "":
		v.whyOpen, v.whyTop = !v.whyOpen, 0
		return nil
	case v.whyOpen && key.Matches(msg, v.c.Keys.Up):
		v.whyTop = max(0, v.whyTop-1)
		return nil
	case v.whyOpen && key.Matches(msg, v.c.Keys.Down):
		v.whyTop = min(v.whyTopMax(), v.whyTop+1)
		return nil
	case key.Matches(msg, v.c.Keys.Up):
		v.sel = max(0, v.sel-1)
		if len(v.items()) == 0 {
			v.scrollPreview(-1)
		}
		return nil
	case key.Matches(msg, v.c.Keys.Down):
		v.sel = max(0, min(len(v.items())-1, v.sel+1))
		if len(v.items()) == 0 { // a planned deployment's job, read ahead: it scrolls
			v.scrollPreview(+1)
		}
		return nil
	case key.Matches(msg, v.keys.Start) && v.stalled():
		v.running = true
		c, id := v.c, v.id
		return tea.Batch(common.NoteAs("▸", fmt.Sprintf("#%d: carrying on…", id)), func() tea.Msg {
			res, err := c.Eng.Resume(c.Runs(), c.Actor, id)
			return runDoneMsg{what: "resume", res: res, err: err}
		})
	case key.Matches(msg, v.keys.Start) && v.whyNoStart() == "":
		if v.starting.needsReason() {
			against := engine.BreaksFor(v.c.Actor, v.starting.breaks)
			if v.whyLong() { // said briefly above, as the field must stay in sight on a phone
				against = "against " + engine.BreaksBrief(v.starting.breaks) + ": the record keeps your reason"
			}
			return v.ask(askOverride, "start anyway, because: ", against)
		}
		return v.run("")
	case key.Matches(msg, v.keys.Approve) && v.whyNoApprove() == "":
		return v.ask(askApprove, "approve; note: ", approveAbout(v.st))
	case key.Matches(msg, v.keys.Reject) && v.whyNoReject() == "":
		return v.ask(askReject, "reject, because: ", engine.RejectHint(v.st))
	case key.Matches(msg, v.keys.Tick) && v.holdsTicks():
		v.held = append(v.held, msg)
		return nil
	case key.Matches(msg, v.keys.Tick) && v.whyNoTick() == "":
		// skip: the person said yes to leaving optional items (asked below); else the
		// engine refuses a tick that would, should the checklist have changed since.
		tick := func(skip bool) tea.Cmd {
			v.working = true
			c, id, seq := v.c, v.id, v.items()[v.sel].Seq
			v.advance = seq
			o := engine.RunOptions{SkipOptional: skip}
			return actCmd(func() (engine.Outcome, error) { return c.Eng.TickStep(c.Runs(), c.Actor, id, seq, "", o) })
		}
		if left := v.optionalLeft(); len(left) > 0 {
			v.held = nil // the question comes first
			v.confirm.ask(fmt.Sprintf("Ticking this moves the run on: %s. Tick it now? y/n", engine.LeftBehindText(v.st, left)),
				func() tea.Cmd { return tick(true) })
			return nil
		}
		return tick(false)
	case key.Matches(msg, v.keys.Note) && v.whyNoNote() == "":
		return v.ask(askNote, "note: ", "what to remember about this item")
	case key.Matches(msg, v.keys.Block) && v.blockKey().Off == "":
		if s, _ := v.selected(); s.Status == models.StepBlocked {
			// Asked, as blocking is: a b that acted at once left what was typed next
			// (the note meant for it) to run as keys, ticking the item with a space.
			return v.ask(askUnblock, "unblock; what cleared it: ", "What cleared the block is kept on the record; it may be left empty: enter unblocks.")
		}
		return v.ask(askBlock, "blocked because: ", "what stops this item")
	}
	return nil
}

// run starts the deployment and runs it as far as it goes; override is a manager's
// reason to start against its controls ("" for none).
func (v *checklistView) run(override string) tea.Cmd {
	v.running = true
	c, id := v.c, v.id
	return tea.Batch(common.NoteAs("▸", fmt.Sprintf("#%d: starting…", id)), func() tea.Msg {
		res, err := c.Eng.Run(c.Runs(), c.Actor, id, engine.RunOptions{OverrideReason: override})
		return runDoneMsg{what: "run", res: res, err: err}
	})
}

// ask opens the text field for a note, a block's reason, a rejection's, an override's;
// about says what the answer is for, above the field, whole (as a placeholder it was
// cut at the edge and gone at the first key).
func (v *checklistView) ask(what asking, prompt, about string) tea.Cmd {
	v.asking, v.about, v.kept = what, about, false
	v.askSeq = 0
	if s, ok := v.selected(); ok {
		v.askSeq = s.Seq
	}
	v.input.Prompt, v.input.Placeholder = prompt, ""
	v.input.SetValue("")
	v.SetSize(v.w, v.h)
	return v.input.Focus()
}

func (v *checklistView) inputKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		v.input.Blur()
		return nil
	case "enter":
		return v.answer(strings.TrimSpace(v.input.Value()))
	}
	var cmd tea.Cmd
	v.input, cmd = v.input.Update(msg)
	return cmd
}

// answer does what the text field asked for, with its text.
func (v *checklistView) answer(text string) tea.Cmd {
	if text == "" && v.asking != askUnblock && v.asking != askApprove {
		return common.Fail(errors.New(v.asking.need()))
	}
	v.input.Blur()
	c, id := v.c, v.id
	if v.asking != askOverride { // a refused start says its own ways on
		v.sent = sentText{asking: v.asking, prompt: v.input.Prompt, text: text, seq: v.askSeq}
	}
	switch v.asking {
	case askOverride:
		return v.run(text)
	case askReject:
		v.working = true
		return actCmd(func() (engine.Outcome, error) { return c.Eng.RejectGate(c.Runs(), c.Actor, id, text) })
	case askApprove:
		v.working = true
		if s, ok := v.selected(); ok {
			v.advance = s.Seq
		}
		return approveCmd(c, id, text)
	}
	if v.askSeq == 0 {
		v.sent = sentText{}
		return nil
	}
	v.working = true
	seq, asked := v.askSeq, v.asking // the item asked about, wherever a reload put the cursor
	return actCmd(func() (engine.Outcome, error) {
		switch asked {
		case askUnblock:
			return c.Eng.UnblockStep(c.Runs(), c.Actor, id, seq, text)
		case askBlock:
			return c.Eng.BlockStep(c.Runs(), c.Actor, id, seq, text)
		}
		return c.Eng.NoteStep(c.Runs(), c.Actor, id, seq, text)
	})
}

// reopen opens the text field again with what it sent, after the act was refused
// (err): a block refused (the item was ticked, or blocked, in another session
// meanwhile) is offered as a note on that item; anything else may be sent again.
// esc drops it.
func (v *checklistView) reopen(sent sentText, err error) tea.Cmd {
	why := strings.TrimSuffix(common.Why(err), ".")
	about := why + ". enter sends it again; esc drops it."
	if sent.asking == askBlock {
		sent.asking, sent.prompt = askNote, "note: "
		about = fmt.Sprintf("%s. enter keeps what you wrote as a note on step %d; esc drops it.", why, sent.seq)
	}
	cmd := v.ask(sent.asking, sent.prompt, about)
	v.askSeq = sent.seq
	v.input.SetValue(sent.text)
	v.input.CursorEnd()
	return cmd
}

// state is the header's word for where the deployment stands: its status once
// finished or before it starts, "running" while a runner works on it, else what My
// work says of it (underWay).
func (v *checklistView) state() string {
	st, d := v.c.Styles, v.st.Deployment
	switch {
	case d.Status.Final():
		return st.StatusWord(d.Status)
	case v.running || v.st.Runner != nil:
		return st.Warn.Render("running")
	case d.Status == models.StatusPlanned:
		return st.Accent.Render("planned")
	}
	blocked := slices.ContainsFunc(v.items(), func(s engine.StepState) bool { return s.Status == models.StepBlocked })
	word, style, _ := underWay(v.c, d, blocked, v.st.Waiting, false)
	return style.Render(word)
}

// preview is, before a deployment starts, what its checklists will ask, stage by
// stage, in at most rows lines: a technician reads the job before the day.
func (v *checklistView) preview(rows int) []string {
	st := v.c.Styles
	out, itemAt, heading := v.previewLines()
	if len(out) <= rows {
		return out
	}
	if rows < 4 {
		return nil
	}
	// ↑/↓ scroll it an item at a time (top items above), each item under its stage's
	// title; the rows say how many items are above and below.
	top := min(v.top, previewTopMax(len(out), itemAt, rows))
	var shown []string
	from := 0
	if top > 0 {
		from = itemAt[top]
		shown = append(shown, moreAbove(st, top),
			out[heading[from]])
	}
	end := min(len(out), from+rows-len(shown))
	if sort.SearchInts(itemAt, end) < len(itemAt) { // items below: the last row says so
		end--
	}
	shown = append(shown, out[from:end]...)
	if below := len(itemAt) - sort.SearchInts(itemAt, end); below > 0 {
		shown = append(shown, moreBelow(st, below))
	}
	return shown
}

// previewLines are the preview's lines whole, the line of each item, and for each
// line the line of its stage's title.
func (v *checklistView) previewLines() (out []string, itemAt, heading []int) {
	st := v.c.Styles
	stage, at := models.Stage(""), 0
	for _, s := range v.st.Steps {
		if s.Step.Stage != stage {
			stage, at = s.Step.Stage, len(out)+1
			out, heading = append(out, "", " "+st.Bold.Render(stage.Title())), append(heading, at, at)
		}
		itemAt, heading = append(itemAt, len(out)), append(heading, at)
		name := s.Step.Name
		if !s.Step.Required { // as the running checklist says it
			name += " (optional)"
		}
		out = append(out, st.Dim.Render(common.Fit("   [ ] "+name, v.w-1)))
	}
	return out, itemAt, heading
}

// previewTopMax is the first top that shows the last item (the last of n lines) in
// rows, under the marker and its stage's title.
func previewTopMax(n int, itemAt []int, rows int) int {
	return sort.Search(len(itemAt), func(t int) bool { return t > 0 && n-itemAt[t] <= rows-2 })
}

// previewRows is the rows View leaves the preview: under the header, a blank line
// and the reason, above the last line.
func (v *checklistView) previewRows() int { return v.h - 3 - len(v.whyLines()) - 1 }

// scrollPreview moves the preview's top by one item, within what the screen shows
// now: a top the screen outgrew counts from where View stopped it.
func (v *checklistView) scrollPreview(by int) {
	out, itemAt, _ := v.previewLines()
	most := 0
	if rows := v.previewRows(); len(out) > rows && rows >= 4 {
		most = previewTopMax(len(out), itemAt, rows)
	}
	v.top = max(0, min(most, min(v.top, most)+by))
}

func (v *checklistView) View() string {
	st := v.c.Styles
	if !v.loaded {
		return st.Dim.Render(fmt.Sprintf(" loading #%d…", v.id))
	}
	d := v.st.Deployment
	var all engine.StageProgress
	for _, p := range v.st.Stages {
		all.Done, all.Total, all.Skipped = all.Done+p.Done, all.Total+p.Total, all.Skipped+p.Skipped
	}
	head := []string{
		common.Spread(fmt.Sprintf(" %s %s → %s", st.Bold.Render(fmt.Sprintf("#%d", d.ID)), d.Component, d.Environment),
			fmt.Sprintf("%s  %s ", all.Text(), v.state()), v.w),
		st.Border.Render(strings.Repeat("─", max(0, v.w))),
	}
	items := v.items()
	if d.Status.Stage() == "" && !v.record() {
		lines := append(head, "")
		lines = append(lines, v.whyLines()...)
		if d.Status == models.StatusPlanned && !v.input.Focused() && !v.whyOpen {
			lines = append(lines, v.preview(v.h-len(lines)-1)...)
		}
		if v.input.Focused() {
			lines = append(lines, "")
			lines = append(lines, v.inputLines()...)
		}
		return strings.Join(lines, "\n")
	}
	if v.record() { // each stage's title is over its items, in the list
		status := d.Status.Words() // the header says which deployment
		words := strings.ToUpper(status[:1]) + status[1:] + ": its items as they were left"
		if engine.WhyNoNote(v.c.Actor, d) == nil {
			words += " · n adds a note"
		}
		for _, l := range common.Hanging(" ", words, v.w) {
			head = append(head, st.Dim.Render(l))
		}
	} else {
		head = append(head, v.stageTitle(d.Status.Stage(), v.stageProgress()))
	}
	var body []string
	var starts []int // the line of body each drawn item begins on
	selTop, selBottom := 0, 0
	// At most v.h rows either side of the selection can be in sight (a row is a line
	// or more): the rest are not drawn.
	first, last := max(0, v.sel-v.h), min(len(items), v.sel+v.h+1)
	for i, s := range items[first:last] {
		i += first
		if i == v.sel {
			selTop = len(body)
		}
		switch {
		case v.record() && (i == first || s.Step.Stage != items[i-1].Step.Stage):
			body = append(body, v.stageTitle(s.Step.Stage, v.progressOf(s.Step.Stage))) // in sight with its first item
		case !v.record() && s.Step.Stage != d.Status.Stage() && (i == first || s.Step.Stage != items[i-1].Step.Stage):
			body = append(body, "", v.stageTitle(s.Step.Stage, v.progressOf(s.Step.Stage)))
			for _, l := range common.Hanging(" ", "optional, may be ticked ahead: the run does not stop for it", v.w) {
				body = append(body, st.Dim.Render(l))
			}
		}
		starts = append(starts, len(body)) // its own row: a stage's title out of sight leaves it in sight
		body = append(body, v.row(s, i == v.sel)...)
		if i == v.sel {
			body = append(body, v.more(s)...)
			selBottom = len(body)
		}
	}
	var foot []string
	switch {
	case v.input.Focused():
		foot = append(foot, "")
		foot = append(foot, v.inputLines()...)
	case v.confirm.asking():
		foot = append(append(foot, ""), v.confirm.lines(st, v.w)...)
	case v.running:
		foot = append(foot, "", " "+st.Warn.Render("▸ carrying on with the run…"))
	case v.stalled():
		why := fmt.Sprintf("Nothing here waits for a person, and nobody runs #%d now. Press g to carry the run on.", d.ID)
		for _, l := range strings.Split(common.Hang(why, v.w-2, 0), "\n") {
			foot = append(foot, " "+st.Warn.Render(l))
		}
		foot = append([]string{""}, foot...)
	}
	room := max(1, v.h-len(head)-len(foot))
	if len(body) > room || first > 0 || last < len(items) {
		body = inSight(st, body, sight{starts: starts, before: first, after: len(items) - last,
			selTop: selTop, selBottom: selBottom}, room)
	}
	return strings.Join(append(append(head, body...), foot...), "\n")
}

// sight is what inSight needs to know of a checklist's drawn lines: where each drawn
// item begins, how many items are not drawn before and after them, and the lines of
// the selected one with what shows under it.
type sight struct {
	starts            []int
	before, after     int
	selTop, selBottom int
}

// moreAbove and moreBelow are the lines that say how many items are out of sight,
// in the preview of a job ahead and the checklist alike.
func moreAbove(st common.Styles, n int) string {
	return st.Dim.Render(fmt.Sprintf(" ↑ %d more item%s above", n, common.Plural(n)))
}

func moreBelow(st common.Styles, n int) string {
	return st.Dim.Render(fmt.Sprintf(" … and %d more item%s (↓)", n, common.Plural(n)))
}

// inSight is body cut to room lines that keep the selected item and what is under it
// in sight, the first and last of them saying how many items are out of sight above
// and below: a finished installation's checklist ended at its eighth item on a
// phone, and nothing said that seven more were under it.
func inSight(st common.Styles, body []string, s sight, room int) []string {
	var top, rows, above, below int
	for marks := 0; ; {
		rows = max(1, room-marks)
		top = max(0, min(s.selBottom-rows, s.selTop))
		top = max(0, min(top, len(body)-rows))
		above = s.before + sort.SearchInts(s.starts, top)
		below = s.after + len(s.starts) - sort.SearchInts(s.starts, top+rows)
		need := 0
		if above > 0 {
			need++
		}
		if below > 0 {
			need++
		}
		if need <= marks || room-need < 1 {
			break
		}
		marks = need
	}
	out := body[top:min(len(body), top+rows)]
	if above > 0 && rows < room {
		out = append([]string{moreAbove(st, above)}, out...)
	}
	if below > 0 && len(out) < room {
		out = append(out, moreBelow(st, below))
	}
	return out
}

// stageTitle is a stage's title line, with its progress at the right.
func (v *checklistView) stageTitle(stage models.Stage, p engine.StageProgress) string {
	return common.Spread(" "+v.c.Styles.Bold.Render(stage.Title()), p.Text()+" ", v.w)
}

// progressOf is the progress of stage, as the engine counted it.
func (v *checklistView) progressOf(stage models.Stage) engine.StageProgress {
	for _, p := range v.st.Stages {
		if p.Stage == stage {
			return p
		}
	}
	return engine.StageProgress{Stage: stage}
}

// row is one item: its box, its name, and who ticked or blocked it when (the time
// alone today, with its day before: common.Near). A block's reason is read whole:
// beside the name when it fits, else on the lines under it.
func (v *checklistView) row(s engine.StepState, selected bool) []string {
	st := v.c.Styles
	lead, name := "  ", s.Step.Name
	if selected {
		lead, name = st.Accent.Render("▸ "), st.Selected.Render(s.Step.Name)
	}
	if !s.Step.Required {
		name += st.Dim.Render(" (optional)")
	}
	left := " " + lead + st.StepGlyph(s.Status) + " " + name
	var right string
	var under []string
	switch {
	case s.Status == models.StepBlocked:
		// Who blocked it, as a tick says who ticked: on a job of two, or a colleague's
		// phone, "blocked 07:55" left the next person asking whom to call.
		at := st.Dim.Render(" " + strings.TrimSpace(s.Actor+" "+v.c.Near(s.At, 12)))
		right = st.Bad.Render("blocked: "+s.BlockReason) + at
		// Two cells at least between the name and the reason: "Power available
		// blocked: no power on PDU B" read as one sentence.
		if lipgloss.Width(left+"  "+right+" ") > v.w {
			right = st.Bad.Render("blocked") + at
			under = common.Hanging(strings.Repeat(" ", 7), s.BlockReason, v.w-1, st.Bad)
		}
	case s.Status == models.StepDone && s.Actor != "":
		right = st.Dim.Render(s.Actor + " " + v.c.Near(s.At, 12))
		if s.Note != "" { // it shows under the item when the cursor is on it
			right = st.Dim.Render("✎ ") + right
		}
	case s.Note != "" && s.Step.Kind == models.StepManual: // noted, not yet ticked
		right = st.Dim.Render("✎")
	case s.Step.Kind == models.StepGate:
		right = st.Dim.Render("gate")
	case s.Step.Kind == models.StepAutomated:
		right = st.Dim.Render("automated")
	}
	if right != "" && lipgloss.Width(left)+2+lipgloss.Width(right)+1 > v.w { // two cells apart at least, as a block's reason
		// The name is read whole, on as many lines as it takes, and who ticked or
		// blocked it when goes under it at the right: a phone cut "Delivery complete
		// against the packing…" to make room for "tom 07:55".
		plain := s.Step.Name
		if !s.Step.Required {
			plain += " (optional)"
		}
		var paint []lipgloss.Style
		if selected {
			paint = append(paint, st.Selected)
		}
		lines := common.Hanging(" "+lead+st.StepGlyph(s.Status)+" ", plain, v.w-1, paint...)
		lines = append(lines, common.Spread("", right+" ", v.w))
		return append(lines, under...)
	}
	return append([]string{common.Spread(left, right+" ", v.w)}, under...)
}

// more is what shows under the selected item: its hint, its note, who may approve.
func (v *checklistView) more(s engine.StepState) []string {
	st := v.c.Styles
	const indent = 7
	var out []string
	add := func(text string) {
		for _, l := range strings.Split(common.Hang(text, v.w-indent-1, 0), "\n") {
			out = append(out, strings.Repeat(" ", indent)+st.Dim.Render(common.Fit(l, v.w-indent-1)))
		}
	}
	if s.Step.Hint != "" {
		add(s.Step.Hint)
	}
	if s.Note != "" { // blocked or not: the block's reason is apart
		add("“" + s.Note + "”")
	}
	if s.Step.Kind == models.StepGate && s.Status != models.StepDone && !v.record() { // no one approves it now
		who := "approved by a " + engine.GateRolesText(s.Step)
		if w := v.st.Waiting; w != nil && w.Kind == engine.WaitApproval && w.Seq == s.Seq {
			who = "may approve: nobody in the configuration"
			if len(w.Approvers) > 0 {
				who = "may approve: " + strings.Join(w.Approvers, ", ")
			}
			if v.approve == nil {
				who += " · a approves, x rejects"
			}
		}
		add(who)
	}
	if s.Step.Kind == models.StepAutomated && s.Note != "" && s.Status == models.StepFailed {
		add("failed: " + s.Note)
	}
	return out
}

// keptText says that a field's text comes from another session: one that ended, or
// one still open elsewhere (a laptop beside the phone, a connection that dropped
// unnoticed), which "before your last session ended" miscalled.
const keptText = "Typed in another session of yours, not sent yet; esc drops it."

// keptBefore is what an earlier Ferry wrote into a draft's About instead.
const keptBefore = "Typed before your last session ended, not sent yet; esc drops it."

// inputLines are what the answer is for, the note field's line, and a line saying so
// when it is full.
func (v *checklistView) inputLines() []string {
	var out []string
	// The item the field is about, when the cursor is no longer on it (the run moved
	// on while it was typed): "blocked because: portal down" under "Visible to
	// readers" read as a block on that one.
	itemAsk := v.asking == askNote || v.asking == askBlock || v.asking == askUnblock // about the item, not the run
	if sel, ok := v.selected(); itemAsk && v.askSeq != 0 && (!ok || sel.Seq != v.askSeq) {
		for _, s := range v.st.Steps {
			if s.Seq == v.askSeq {
				text := fmt.Sprintf("about step %d %q, which the cursor has moved off since: enter says what becomes of it", s.Seq, s.Step.Name)
				for _, l := range common.Hanging(" ", text, v.w) {
					out = append(out, v.c.Styles.Warn.Render(l))
				}
			}
		}
	}
	if v.about != "" {
		for _, l := range common.Hanging(" ", v.about, v.w) {
			out = append(out, v.c.Styles.Dim.Render(l))
		}
	}
	if v.kept {
		for _, l := range common.Hanging(" ", keptText, v.w) {
			out = append(out, v.c.Styles.Dim.Render(l))
		}
	}
	for _, l := range components.InputLines(v.c.Styles, v.input) {
		out = append(out, " "+common.Fit(l, v.w-2))
	}
	return out
}

// Unmoved: a character for a full field changes nothing (see common.Unmoved).
func (v *checklistView) Unmoved(msg tea.Msg) bool { return components.InputFull(v.input, msg) }
