package pages

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
)

// detailScreen shows one deployment's full record: its facts, its steps by stage
// with who did what and when, each automated step's attempts and last output lines,
// incidents, and every event. Read-only but for the keys that open other views.
type detailScreen struct {
	keys   struct{ Resolve, Run, Start, Checklist, Output, Incident, Update, Edit, Cancel, Again, Review, Block, Propose key.Binding }
	c      *common.Common
	id     int64
	det    engine.Detail
	rec    record
	loaded bool
	vp     viewport.Model
	w, h   int
}

// record is what the detail loads besides engine.Detail: every attempt at the
// automated steps (the on-failure ones too) and the last lines each one wrote.
type record struct {
	run   engine.RunState
	tails map[int][]models.OutputLine // by step seq: the newest attempt's last lines
	block *models.BlockedVersion      // the block on its version, nil when none
	// improvements are those of the register that came from it (a review's outcome).
	improvements []models.Improvement
}

// tailLines is how many output lines of each automated step the detail shows.
const tailLines = 3

type detailMsg struct {
	det engine.Detail
	rec record
	err error
}

// NewDetail is deployment id's full record.
func NewDetail(c *common.Common, id int64) common.Page {
	d := &detailScreen{c: c, id: id, vp: viewport.New(viewport.WithWidth(80), viewport.WithHeight(10))}
	d.keys.Resolve = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "resolve conflicts"))
	d.keys.Run = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run view"))
	d.keys.Start = key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "start"))
	d.keys.Checklist = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "checklist"))
	d.keys.Output = key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "step output"))
	d.keys.Incident = key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "add incident"))
	d.keys.Update = key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "resolve/update incident"))
	d.keys.Edit = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "reschedule, edit"))
	d.keys.Cancel = key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "cancel it"))
	d.keys.Again = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "run again"))
	d.keys.Review = key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "review"))
	// Its version, wherever it would go: block it (a bad build found here), or lift
	// the block. A capital, as X: an act on more than this page's deployment, one key
	// from the checklist's b (block an item) and the record's b (a page up).
	d.keys.Block = key.NewBinding(key.WithKeys("B"), key.WithHelp("B", "block version"))
	// What its review (or its failure) teaches: a change to its model, in the register.
	d.keys.Propose = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "propose improvement"))
	return d
}

// whyNoOutput: there is output to look at once an automated step was tried.
func (d *detailScreen) whyNoOutput() string {
	switch {
	case !d.loaded:
		return loading
	case len(d.triedSteps()) == 0 && d.rec.run.OutputNotKept():
		return fmt.Sprintf("#%d kept no output of its automated steps: their results are in its record", d.id)
	case len(d.triedSteps()) == 0:
		return fmt.Sprintf("no automated step of #%d has run", d.id)
	}
	return ""
}

// triedSteps are the automated steps with at least one attempt, in run order.
func (d *detailScreen) triedSteps() []engine.StepState {
	var out []engine.StepState
	for _, s := range append(append([]engine.StepState{}, d.rec.run.Steps...), d.rec.run.OnFailure...) {
		if len(s.Attempts) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// whyNoIncident: the engine says who records incidents (managers and practitioners)
// and on what (a deployment that started).
func (d *detailScreen) whyNoIncident() string {
	if !d.loaded {
		return loading
	}
	return common.Why(cmp.Or(engine.Can(d.c.Actor, engine.ActIncident, &d.det.Deployment), engine.WhyNoIncident(d.det.Deployment)))
}

// whyNoResolve: a planned deployment in an open conflict, seen by someone who may
// move it, is resolved.
func (d *detailScreen) whyNoResolve() string {
	switch {
	case !d.loaded:
		return loading
	case mayNotMove(d.c, d.det.Deployment) != "": // the role first: it holds whatever the state
		return mayNotMove(d.c, d.det.Deployment)
	case d.det.Status != models.StatusPlanned:
		return notPlannedHere(d.det.Deployment)
	case engine.CountOpen(d.det.Conflicts) == 0:
		return noOpenConflict(d.id)
	}
	return ""
}

// whyNoStart: a planned deployment is started from its page by whoever may run it.
func (d *detailScreen) whyNoStart() string {
	switch {
	case !d.loaded:
		return loading
	case d.det.Status != models.StatusPlanned:
		return fmt.Sprintf("#%d %s: only a planned deployment starts (r follows its run)", d.id, d.det.Status.Phrase())
	}
	return common.Why(engine.Can(d.c.Actor, engine.ActRun, &d.det.Deployment))
}

// whyNoChecklist: the checklist is the current stage's items and gates.
func (d *detailScreen) whyNoChecklist() string {
	if !d.loaded {
		return loading
	}
	return whyNoChecklist(d.id, d.det.Status, d.det.Steps)
}

// whyNoChecklist is why deployment id in status has no checklist to open: no stage
// under way, or none with items or gates in it. A finished one's is its record:
// every item as it was left, where a note is still added.
func whyNoChecklist(id int64, status models.Status, runs []models.StepRun) string {
	stage := status.Stage()
	if stage == "" && !status.Final() {
		return fmt.Sprintf("#%d %s: no stage is under way", id, status.Phrase())
	}
	for _, r := range runs {
		if (r.Step.Stage == stage || status.Final()) && r.Step.Kind != models.StepAutomated {
			return ""
		}
	}
	if status.Final() {
		return fmt.Sprintf("#%d %s, and had no checklist items or gates", id, status.Phrase())
	}
	return fmt.Sprintf("%s has no checklist items or gates", stage.Title())
}

func (d *detailScreen) Title() string   { return fmt.Sprintf("#%d", d.id) }
func (d *detailScreen) Capturing() bool { return false }

// Place is where the person is: on this deployment.
func (d *detailScreen) Place() common.Place { return common.Place{ID: d.id} }

// ShortHelp is the page's keys in the order they are needed: the footer leaves out
// the last it has no room for. The run view comes early while the deployment is to
// run or running. Once it is over, what follows it comes first (its review, the
// improvement its page says n proposes), then running it again, its output and its
// incidents (v, the one that resolves an open incident, before i adds another), and
// the run view last: its page shows the run's steps and their last lines then. At
// 120 columns the footer of a finished deployment with an incident left n out: v
// took its room.
func (d *detailScreen) ShortHelp() []common.Key {
	k, on, off := d.keys, common.On, common.OffFor
	run := off(k.Run, "")
	if !d.loaded {
		run.Off = loading
	}
	first := []common.Key{on(d.c.Keys.Back), off(k.Start, d.whyNoStart()), off(k.Resolve, d.whyNoResolve()), off(k.Checklist, d.whyNoChecklist())}
	edit, cancel, again := off(k.Edit, d.why(whyNoEdit)), off(k.Cancel, d.why(whyNoCancel)), off(k.Again, d.whyNoAgain())
	output, incident, update := off(k.Output, d.whyNoOutput()), off(k.Incident, d.whyNoIncident()), off(k.Update, d.whyNoUpdate())
	review, propose := off(k.Review, d.why(whyNoReview)), off(k.Propose, d.whyNoPropose())
	last := []common.Key{d.blockKey(), on(d.c.Keys.Up), on(d.c.Keys.Down)}
	if d.loaded && d.det.Status.Final() {
		return slices.Concat(first, []common.Key{review, propose, again, output, update, incident, edit, cancel, run}, last)
	}
	return slices.Concat(first, []common.Key{run, edit, cancel, again, output, incident, update, review, propose}, last)
}

// whyNoPropose: the engine says who proposes improvements.
func (d *detailScreen) whyNoPropose() string {
	if !d.loaded {
		return loading
	}
	return whyNoPropose(d.c)
}

// blockKey is B: block the deployment's version, or unblock it when it is blocked;
// off, with the engine's reason, for one who is not a manager.
func (d *detailScreen) blockKey() common.Key {
	k := d.keys.Block
	if d.rec.block != nil {
		k.SetHelp("B", "unblock version")
	}
	if !d.loaded {
		return common.OffFor(k, loading)
	}
	return common.OffFor(k, whyNoBlock(d.c))
}

// why asks a rule about the deployment once it is loaded.
func (d *detailScreen) why(rule func(*common.Common, models.Deployment) string) string {
	if !d.loaded {
		return loading
	}
	return rule(d.c, d.det.Deployment)
}

// whyNoAgain is why the person may not run this deployment again, in the engine's
// words (its run again still open among them), or "".
func (d *detailScreen) whyNoAgain() string {
	if !d.loaded {
		return loading
	}
	return common.Why(engine.WhyNoAgain(d.c.Actor, d.det))
}

func (d *detailScreen) whyNoUpdate() string {
	if !d.loaded {
		return loading
	}
	return whyNoIncidentUpdate(d.c, d.det)
}
func (d *detailScreen) FullHelp() [][]common.Key { return [][]common.Key{d.ShortHelp()} }

func (d *detailScreen) SetSize(w, h int) {
	d.w, d.h = w, h
	sizeScrolled(&d.vp, w, h, d.loaded, d.content)
}

func (d *detailScreen) Refresh() tea.Cmd {
	c, id := d.c, d.id
	return func() tea.Msg {
		v, err := c.Eng.View(c.Ctx, c.Actor, id, engine.ViewRequest{Record: true, Tails: tailLines})
		rec := record{run: v.Run, tails: v.Tails, block: v.Block}
		if err == nil {
			rec.improvements, err = improvementsFrom(c, v.Model, id)
		}
		var lessons string
		if v.Review != nil {
			lessons = v.Review.Lessons
		}
		common.Clean(&v) // stored text is shown, never obeyed
		common.Clean(&rec.improvements)
		if v.Review != nil { // lessons run to several lines: their breaks stay (and amending keeps them)
			v.Review.Lessons = models.Printable(lessons, true)
		}
		return detailMsg{v.Detail, rec, err}
	}
}

func (d *detailScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case detailMsg:
		if msg.err != nil {
			return tea.Batch(common.Back, common.Fail(msg.err))
		}
		d.det, d.rec, d.loaded = msg.det, msg.rec, true
		setScrolled(&d.vp, d.content(), d.h)
	case tea.KeyPressMsg:
		return d.key(msg)
	}
	return nil
}

// key opens what a key opens, when it is on (the root shows why when it is off).
func (d *detailScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, d.keys.Resolve) && d.whyNoResolve() == "":
		return common.Push(NewResolve(d.c, d.id))
	case key.Matches(msg, d.keys.Run) && d.loaded:
		return common.Push(newRunView(d.c, d.id))
	case key.Matches(msg, d.keys.Start) && d.whyNoStart() == "":
		// Started where it is followed: the run view asks what a start needs (a
		// manager's reason against its controls) and shows the run.
		v := newRunView(d.c, d.id)
		v.goOnLoad = true
		return common.Push(v)
	case key.Matches(msg, d.keys.Checklist) && d.whyNoChecklist() == "":
		return common.Push(NewChecklist(d.c, d.id))
	case key.Matches(msg, d.keys.Output) && d.whyNoOutput() == "":
		return common.Push(newStepOutput(d.c, d.id, d.triedSteps()))
	case key.Matches(msg, d.keys.Incident) && d.whyNoIncident() == "":
		return common.Push(newIncidentForm(d.c, d.det.Deployment))
	case key.Matches(msg, d.keys.Update) && d.whyNoUpdate() == "":
		return common.Push(newIncidentUpdate(d.c, d.det.Deployment, d.det.Incidents))
	case key.Matches(msg, d.keys.Edit) && d.why(whyNoEdit) == "":
		return common.Push(newEditForm(d.c, d.det.Deployment))
	case key.Matches(msg, d.keys.Cancel) && d.why(whyNoCancel) == "":
		return common.Push(newCancelPage(d.c, d.det.Deployment))
	case key.Matches(msg, d.keys.Again) && d.whyNoAgain() == "":
		return common.Push(newAgainPage(d.c, d.det.Deployment))
	case key.Matches(msg, d.keys.Review) && d.why(whyNoReview) == "":
		return common.Push(newReviewForm(d.c, d.det.Deployment, d.det.Review))
	case key.Matches(msg, d.keys.Propose) && d.whyNoPropose() == "":
		dep := d.det.Deployment
		return common.Push(newProposeForm(d.c, &dep))
	case key.Matches(msg, d.keys.Block) && d.blockKey().Off == "":
		if b := d.rec.block; b != nil {
			return common.Push(newUnblockPage(d.c, *b))
		}
		return common.Push(newBlockPage(d.c, d.det.Component, d.det.Version))
	}
	var cmd tea.Cmd
	d.vp, cmd = d.vp.Update(msg)
	return cmd
}

func (d *detailScreen) View() string {
	if !d.loaded {
		return d.c.Styles.Dim.Render(fmt.Sprintf(" loading #%d…", d.id))
	}
	return scrolledView(d.c.Styles, &d.vp)
}

// late marks a deployment late to start or running past its window, as History and
// the dashboard do: its page said only "○ planned" of a plan a day overdue.
func (d *detailScreen) late(dep models.Deployment) string {
	if mark := lateMark(d.c, dep); mark != "" {
		return "  " + mark
	}
	return ""
}

// lateMark is "⚠ overdue" for a plan whose start passed, "⌛ overrunning" for a run
// past its window (the engine's rules, Overdue and Overrunning), styled; "" else.
// The deployment's page and the Schedule's detail both say it from here.
func lateMark(c *common.Common, dep models.Deployment) string {
	switch {
	case c.Eng.Overdue(dep):
		return c.Styles.Warn.Render("⚠ overdue")
	case c.Eng.Overrunning(dep):
		return c.Styles.Warn.Render("⌛ overrunning")
	}
	return ""
}

// content is the whole page; the viewport scrolls it, its last row saying what is
// out of sight (setScrolled).
func (d *detailScreen) content() string {
	st, dep := d.c.Styles, d.det.Deployment
	var b strings.Builder
	head := fmt.Sprintf(" %s  %s %s %s → %s", st.Bold.Render(fmt.Sprintf("#%d", dep.ID)), dep.Action,
		st.Bold.Render(dep.Component), dep.Version, st.Bold.Render(dep.Environment))
	field := func(k, v string) { writeLines(&b, common.Hanging(" "+st.Dim.Render(common.Fit(k, 10))+" ", v, d.w)) }
	status := st.RunStatus(dep.Status, engine.StoppedIn(dep, d.det.Steps)) + d.late(dep)
	if lipgloss.Width(head+"   "+status) <= d.w {
		b.WriteString(head + "   " + status + "\n")
	} else { // a phone: the status gets a line of its own
		writeLines(&b, common.Hanging(" ", strings.TrimPrefix(head, " "), d.w))
		field("status", status)
	}
	field("model", fmt.Sprintf("%s v%d", dep.Model, dep.ModelVersion))
	field("service", fmt.Sprintf("%s (%s)", dep.Service, dep.Kind))
	field("window", d.c.WindowAs(dep.ScheduledStart, dep.ScheduledEnd, common.WindowForm{Zone: true}))
	field("started", d.c.At(dep.StartedAt))
	field("finished", d.c.At(dep.FinishedAt))
	field("people", fmt.Sprintf("assignee %s · requester %s", common.Dash(dep.Assignee), common.Dash(dep.Requester)))
	field("change", common.Dash(dep.ChangeRef))
	if b := d.rec.block; b != nil { // said before its conflicts: the reason they are in one, or why it cannot run again
		field("blocked", st.Bad.Render(fmt.Sprintf("✗ this version, by %s %s:", b.Actor, d.c.At(b.At)))+
			" "+b.Reason)
	}
	if dep.After != 0 {
		field("after", fmt.Sprintf("#%d", dep.After))
	}
	if dep.Urgency != "" && dep.Urgency != models.UrgencyNormal {
		field("urgency", st.Warn.Render(string(dep.Urgency))+" "+dep.UrgencyReason)
	}
	d.writeConflicts(&b)
	d.writeSteps(&b)
	d.writeIncidents(&b)
	d.writeReview(&b)
	d.writeFindings(&b)
	fmt.Fprintf(&b, "\n %s\n", st.Bold.Render("Record"))
	by := engine.ShownPrincipals(d.det.Events)
	for i, e := range d.det.Events {
		detail := engine.EventWords(e)
		if by[i] != "" {
			detail += st.Dim.Render(" — by " + by[i]) // who really acted, whatever --as said
		}
		writeLines(&b, common.Beside(fmt.Sprintf("  %s  %s %s ", st.Dim.Render(d.c.Local(e.At, "02 Jan 15:04")),
			common.Fit(e.Actor, 6), common.Fit(e.Type, 11)), detail, d.w, 40))
	}
	return b.String()
}

// writeReview shows what was learned from a finished deployment, or that it waits
// for a review.
func (d *detailScreen) writeReview(b *strings.Builder) {
	st := d.c.Styles
	r := d.det.Review
	if r == nil {
		if d.det.Status.Final() && d.det.Status != models.StatusCancelled {
			hint := ""
			if d.why(whyNoReview) == "" {
				hint = " · w to review"
			}
			fmt.Fprintf(b, "\n %s %s\n", st.Bold.Render("Review"), st.Dim.Render("none yet"+hint))
			d.writeImprovements(b)
		}
		return
	}
	fmt.Fprintf(b, "\n %s %s\n", st.Bold.Render("Review"), st.Dim.Render(r.Reviewer+", "+d.c.At(r.ReviewedAt)))
	scores := fmt.Sprintf("%s · satisfaction %s · lead time %s · quality %s", engine.OutcomeText(r.Outcome),
		scoreWord(r.Satisfaction), scoreWord(r.LeadTimeSatisfaction), scoreWord(r.Quality))
	if r.Category != "" {
		scores += " · " + r.Category
	}
	writeLines(b, common.Hanging("  ", scores, d.w))
	writeLines(b, common.Hanging("  ", r.Lessons, d.w))
	d.writeImprovements(b)
}

// writeImprovements lists the improvements that came from the deployment, under its
// review: what its lessons led to, and where each stands.
func (d *detailScreen) writeImprovements(b *strings.Builder) {
	st := d.c.Styles
	for _, im := range d.rec.improvements {
		writeLines(b, common.Hanging("  → ", fmt.Sprintf("improvement %d %s: %s", im.ID, statusMark(st, im.Status), im.Title), d.w))
	}
	if d.whyNoPropose() == "" {
		writeLines(b, common.Hanging("  ", st.Dim.Render("n proposes an improvement to "+d.det.Model+" from it"), d.w))
	}
}

func scoreWord(n int) string {
	if n == 0 {
		return "—"
	}
	return fmt.Sprintf("%d/5", n)
}

// writeFindings lists what the record keeps of the controls around the deployment:
// overrides at its start, the conflicts it started in or left unresolved, an overrun.
func (d *detailScreen) writeFindings(b *strings.Builder) {
	if len(d.det.Findings) == 0 {
		return
	}
	st := d.c.Styles
	fmt.Fprintf(b, "\n %s\n", st.Bold.Render("Findings"))
	for _, f := range d.det.Findings {
		lead := "  " + st.Dim.Render(d.c.Local(f.At, "02 Jan 15:04")) + "  "
		writeLines(b, common.Hanging(lead, engine.FindingText(f), d.w))
	}
}

// conflictMark is how a deployment's page and the Schedule mark a conflict d is in,
// as the Conflicts screen does: ✗ what still asks something of d (a plan in it must
// move), ▶ one a manager let it start against and it is under way, ✓ one overridden.
// The started one read ✓ here and ▶ there, as though it were resolved.
func conflictMark(st common.Styles, c models.Conflict, d models.Deployment) (string, lipgloss.Style) {
	switch {
	case !engine.SettledFor(c, d):
		return "✗", st.Bad
	case c.Open() && c.StartedOver != nil:
		return "▶", st.Warn
	}
	return "✓", st.Dim
}

// writeConflicts lists the conflicts an unfinished deployment is in.
func (d *detailScreen) writeConflicts(b *strings.Builder) {
	st := d.c.Styles
	if len(d.det.Conflicts) == 0 {
		if !d.det.Status.Final() {
			fmt.Fprintf(b, " %s %s\n", st.Dim.Render(common.Fit("conflicts", 10)), st.Good.Render("✓ none"))
		}
		return
	}
	fmt.Fprintf(b, "\n %s\n", st.Bold.Render("Conflicts"))
	// A conflict's ID is what a manager overrides it by; to others it is noise.
	showIDs := engine.ShowsConflictIDs(d.c.Actor)
	for _, c := range d.det.Conflicts {
		text, style := conflictMark(st, c, d.det.Deployment)
		mark := style.Render(text)
		msg := c.Message
		if c.Status == models.ConflictOverridden {
			msg += st.Dim.Render(" — " + c.OverrideText())
		} else if started := c.StartedText(); started != "" {
			msg += st.Dim.Render(" — " + started)
		}
		head := fmt.Sprintf("  %s %s ", mark, common.Fit(common.KindLabel(c.Kind), 11))
		if showIDs {
			head = fmt.Sprintf("  %s %s %s ", mark, st.Dim.Render(c.ID), common.Fit(common.KindLabel(c.Kind), 11))
		}
		writeLines(b, conflictLines(head, msg, d.w))
	}
}
