package pages

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// planForm plans a deployment. While it is filled in, a preview shows the window and
// the conflicts the deployment would be in, before anything is saved.
type planForm struct {
	c          *common.Common
	v          *planValues // the form's fields point here
	start      startField  // the Start field: empty, the next hour
	incomplete error       // what the fields lack for a plan (request), nil: nothing
	form       *huh.Form
	leave      leaveGuard              // esc asks before it throws away what was typed
	errs       *components.FieldErrors // the text fields' errors and length limits
	started    bool
	// modelChosen: the first form (the model) is done and the second one shows.
	modelChosen bool
	preview     planPreview
	live        livePreview
	saving      bool
	done        bool   // saved: no message may save it again before the form closes
	err         error  // why the last save was refused
	errAsked    string // the values it was refused for
	w, h        int
	keys        struct{ Cancel, Next, Move, Choose key.Binding }
	// rel is the release form, when "a release" was chosen as the model: it takes
	// this page's place.
	rel common.Page
}

// aRelease is the model choice that plans a release instead (releaseplan.go).
const aRelease = "\x00release"

type planValues struct {
	model, component, version, env, start, duration, assignee, change, after string
}

type planPreview struct {
	gen       int
	d         models.Deployment
	conflicts []models.Conflict
	failed    *models.Deployment // the version's last deployment there, when it failed
	held      []engine.Break     // what would hold its start now: deployments under way past their windows there
	err       error
}

type planSavedMsg struct {
	d         models.Deployment
	conflicts []models.Conflict
	err       error
}

// NewPlan is the form that plans a deployment, with a live preview of its conflicts.
func NewPlan(c *common.Common) common.Page {
	p := &planForm{c: c, v: &planValues{}}
	p.keys.Next = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next · save on the last"))
	p.keys.Move = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "field or choice"))
	p.keys.Choose = key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "choose"))
	p.keys.Cancel = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	if len(c.Eng.Config().Models) > 0 {
		p.v.model = c.Eng.Config().Models[0].Name
	}
	p.start = newStartField(c)
	p.build()
	return p
}

// modelFormW is the widest the choice of a model gets: its descriptions are what
// tells the models apart.
const modelFormW = 100

// listRows is how many choices a list shows at most (components.ListHeight): 9 where
// the screen has room (a list of three showed the managers alone), 3 on a phone.
func (p *planForm) listRows() int {
	if p.h < 30 {
		return 3
	}
	return 9
}

// build makes the form over p.v, so a rebuilt form keeps what was typed. The first
// form asks for the model; the second is built for that model, with fixed option
// lists: huh evaluates OptionsFunc on another goroutine while the form writes the
// value it depends on, which is a data race.
func (p *planForm) build() {
	cfg := p.c.Eng.Config()
	p.errs = components.NewFieldErrors(p.c)
	p.errs.SetWidth(min(p.w, 64))
	if !p.modelChosen {
		// One row a model, its description cut to the form's width: wrapped, a
		// phone's screen showed three of the six.
		w := cmp.Or(min(p.w, modelFormW), modelFormW) - 5 // the form's border and the selection mark
		option := func(name, about, value string) huh.Option[string] {
			return huh.NewOption(ansi.Truncate(name+"  "+p.c.Styles.Dim.Render(about), w, "…"), value)
		}
		var modelOpts []huh.Option[string]
		for _, m := range cfg.Models {
			modelOpts = append(modelOpts, option(m.Name, m.Description, m.Name))
		}
		modelOpts = append(modelOpts, option("a release", "one deployment per component of it", aRelease))
		p.form = huh.NewForm(huh.NewGroup(
			huh.NewSelect[string]().Title("Model").Options(modelOpts...).Value(&p.v.model).Height(len(modelOpts) + 1),
		).Title("Which deployment model?")).WithTheme(components.FormTheme(p.c)).WithShowHelp(false).WithKeyMap(components.FormKeys()).WithWidth(min(p.w, modelFormW))
		p.started = false
		return
	}
	people := []huh.Option[string]{huh.NewOption("nobody yet", "")}
	for _, per := range p.c.Eng.Assignable() {
		people = append(people, huh.NewOption(per.Name+" ("+string(per.MainRole())+")", per.Name))
	}
	comps, envs := p.componentOptions(), p.envOptions()
	compTitle, compH := components.ListHeight("Component", len(comps), p.listRows())
	envTitle, envH := components.ListHeight("Environment", len(envs), 6)
	whoTitle, whoH := components.ListHeight("Assignee", len(people), p.listRows())
	p.form = huh.NewForm(
		huh.NewGroup(
			huh.NewSelect[string]().Title(compTitle).Value(&p.v.component).Height(compH).Options(comps...),
			p.errs.Input("version", "Version", &p.v.version).Validate(validVersion),
		).Title("What · "+p.v.model),
		huh.NewGroup(
			huh.NewSelect[string]().Title(envTitle).Value(&p.v.env).Height(envH).Options(envs...),
			p.start.input(p.errs, &p.v.start),
			p.errs.Input("duration", "Duration", &p.v.duration).Placeholder(p.defaultDuration()).
				Validate(validDuration),
		).Title("When and where"),
		huh.NewGroup(
			huh.NewSelect[string]().Title(whoTitle).Options(people...).Value(&p.v.assignee).Height(whoH),
			p.errs.Input("change", "Change", &p.v.change).Placeholder("CHG-… (optional)"),
			p.errs.Input("after", "After", &p.v.after).Placeholder("a deployment ID it waits for (optional)").
				Validate(validAfter),
		).Title("Who"),
	).WithTheme(components.FormTheme(p.c)).WithShowHelp(false).WithShowErrors(false).WithKeyMap(components.FormKeys()).
		WithWidth(min(p.w, 64))
	p.started = false
}

func (p *planForm) componentOptions() []huh.Option[string] {
	m, _ := p.c.Eng.Model(p.v.model)
	var out []huh.Option[string]
	for _, comp := range p.c.Eng.Config().Components() {
		if m.AppliesToKind(comp.Kind) {
			out = append(out, huh.NewOption(comp.Name, comp.Name))
		}
	}
	return out
}

func (p *planForm) envOptions() []huh.Option[string] {
	m, _ := p.c.Eng.Model(p.v.model)
	var out []huh.Option[string]
	for _, e := range m.Path {
		out = append(out, huh.NewOption(e, e))
	}
	return out
}

func (p *planForm) defaultDuration() string {
	m, _ := p.c.Eng.Model(p.v.model)
	return "default " + models.ExactDuration(m.DefaultDuration) // as config writes it: "4h", not "4h00m"
}

func validDuration(s string) error {
	_, err := parseDuration(s)
	return err
}

// parseDuration reads a Duration field: empty is 0, the model's default.
func parseDuration(s string) (time.Duration, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	return models.ParseDuration(s)
}

func validAfter(s string) error {
	_, err := parseAfter(s)
	return err
}

// parseAfter reads an After field: a deployment ID, "#" before it or not; empty is 0,
// none.
func parseAfter(s string) (int64, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q is not a deployment ID", s)
	}
	return n, nil
}

// validVersion: a version is needed, and spaces are none.
func validVersion(s string) error {
	if strings.TrimSpace(s) == "" {
		return errNoVersion
	}
	return nil
}

var errNoVersion = errors.New("write the version to deploy")

// request turns the fields into a plan request, or says which field is missing or
// wrong, in the words of the form (Field: why).
func (p *planForm) request() (engine.PlanRequest, error) {
	v := p.v
	r := engine.PlanRequest{Model: v.model, Component: v.component, Version: strings.TrimSpace(v.version),
		Environment: v.env, Assignee: v.assignee, ChangeRef: v.change}
	switch {
	case r.Model == "":
		return r, errors.New("Model: choose one")
	case r.Component == "":
		return r, errors.New("Component: choose one")
	case r.Version == "":
		return r, fmt.Errorf("Version: %w", errNoVersion)
	case r.Environment == "":
		return r, errors.New("Environment: choose one")
	}
	var err error
	if r.Start, err = p.start.parse(v.start); err != nil {
		return r, fmt.Errorf("Start: %w", err)
	}
	if r.Duration, err = parseDuration(v.duration); err != nil {
		return r, fmt.Errorf("Duration: %w", err)
	}
	if r.After, err = parseAfter(v.after); err != nil {
		return r, fmt.Errorf("After: %w", err)
	}
	return r, nil
}

func (p *planForm) Title() string {
	if p.rel != nil {
		return p.rel.Title()
	}
	return "plan a deployment"
}
func (p *planForm) Capturing() bool { return true }
func (p *planForm) SetSize(w, h int) {
	resized := w != p.w
	p.w, p.h = w, h
	if resized && !p.modelChosen && p.rel == nil { // its options are cut to the width
		p.build()
	}
	if p.modelChosen {
		p.form.WithWidth(min(w, 64))
		p.errs.SetWidth(min(w, 64))
	} else {
		p.form.WithWidth(min(w, modelFormW))
	}
	if p.rel != nil {
		p.rel.SetSize(w, h)
	}
}
func (p *planForm) ShortHelp() []common.Key {
	if p.rel != nil {
		return p.rel.ShortHelp()
	}
	k := p.keys
	return []common.Key{common.On(k.Next), common.On(k.Move), common.On(k.Choose), common.On(k.Cancel)}
}
func (p *planForm) FullHelp() [][]common.Key { return [][]common.Key{p.ShortHelp()} }

// Refresh starts the form the first time; later refreshes only renew the preview.
func (p *planForm) Refresh() tea.Cmd {
	if p.rel != nil {
		return p.rel.Refresh()
	}
	if !p.started {
		p.started = true
		return tea.Batch(p.form.Init(), p.maybePreview())
	}
	p.live.again()
	return p.maybePreview()
}

// planPreviewDue asks for the preview of generation gen, if nothing changed since.
type planPreviewDue struct {
	gen int
	r   engine.PlanRequest
}

// valuesKey is what the fields hold, to tell when they change.
func (p *planForm) valuesKey() string { return fmt.Sprintf("%+v", *p.v) }

// planFieldOf is the group and field of the plan form that a refusal is about, and
// the refusal in the form's words: the engine names a flag ("--after: …") for the
// CLI, which here is the field's title.
func planFieldOf(err error) (group, field int, text string) {
	text = fieldWords(err)
	low := strings.ToLower(text)
	switch {
	case strings.HasPrefix(low, "after"):
		return 2, 2, text
	case strings.HasPrefix(low, "a version"), strings.HasPrefix(low, "version"):
		return 0, 1, text
	case strings.HasPrefix(low, "duration"), strings.HasPrefix(low, "end "):
		return 1, 2, text
	case strings.HasPrefix(low, "start"), strings.HasPrefix(low, "a start"), strings.HasPrefix(low, "the window"):
		return 1, 1, text
	case strings.HasPrefix(low, "change"):
		return 2, 1, text
	case strings.HasPrefix(low, "component"), strings.HasPrefix(low, "model"):
		return 0, 0, text
	case strings.HasPrefix(low, "environment"), strings.HasPrefix(low, "env:"):
		return 1, 0, text
	}
	return 2, 0, text // the last group, where it was saved
}

// maybePreview asks for a new preview when the fields changed and then rested. While
// a field is not valid there is no preview: the last one would show a window that
// is no longer asked for.
func (p *planForm) maybePreview() tea.Cmd {
	if p.err != nil && p.valuesKey() != p.errAsked {
		p.err = nil // a field changed since the refusal
	}
	r, err := p.request()
	p.incomplete = err
	ask, clear := p.live.changed(fmt.Sprintf("%+v", r), err == nil)
	if clear {
		p.preview = planPreview{}
	}
	if !ask {
		return nil
	}
	return p.live.after(func(gen int) tea.Msg { return planPreviewDue{gen, r} })
}

// preview checks the request without storing it (a read snapshot, no write lock).
func (p *planForm) askPreview(due planPreviewDue) tea.Cmd {
	if !p.live.current(due.gen) {
		return nil // the fields changed again meanwhile
	}
	c := p.c
	return func() tea.Msg {
		d, cs, err := c.Eng.PreviewPlan(c.Ctx, c.Actor, due.r)
		pr := planPreview{gen: due.gen, d: d, conflicts: cs, err: err}
		if err == nil {
			last, failed, ferr := c.Eng.FailedThere(c.Ctx, c.Actor, d.Component, d.Version, d.Environment)
			if pr.err = ferr; failed {
				pr.failed = &last
			}
		}
		if pr.err == nil {
			pr.held, pr.err = c.Eng.OverrunHolds(c.Ctx, d)
		}
		return pr
	}
}

func (p *planForm) Update(msg tea.Msg) tea.Cmd {
	if p.rel != nil {
		return p.rel.Update(msg)
	}
	switch msg := msg.(type) {
	case planPreviewDue:
		return p.askPreview(msg)
	case planPreview:
		if p.live.current(msg.gen) {
			p.preview = msg
		}
		return nil
	case planSavedMsg:
		p.saving = false
		if msg.err != nil {
			return p.refused(msg.err)
		}
		p.done = true
		return common.DonePlanned(fmt.Sprintf("planned #%d %s%s", msg.d.ID, msg.d.Move(), inConflicts(msg.conflicts)), msg.d)
	case tea.KeyPressMsg:
		esc := key.Matches(msg, p.keys.Cancel) && !components.Filtering(p.form)
		if esc && !p.modelChosen { // nothing chosen but a model: esc leaves at once
			return common.Back
		}
		if cmd, taken := p.leave.take(msg, formState{esc, p.saving, p.done}, p.valuesKey); taken {
			return cmd
		}
	}
	if p.saving || p.done {
		return nil
	}
	var cmd tea.Cmd
	p.form, cmd = p.errs.Step(p.form, msg)
	if p.form.State == huh.StateCompleted && !p.modelChosen && p.v.model == aRelease {
		p.rel = NewReleasePlan(p.c, "") // this form gives way to the release's
		p.rel.SetSize(p.w, p.h)
		return p.rel.Refresh()
	}
	if p.form.State == huh.StateCompleted && !p.modelChosen {
		p.modelChosen = true
		p.leave = leaveGuard{} // what is typed or chosen from here on is what esc would lose
		p.build()
		return tea.Batch(cmd, p.Refresh())
	}
	if p.form.State == huh.StateCompleted {
		return tea.Batch(cmd, p.save())
	}
	return tea.Batch(cmd, p.maybePreview())
}

// refused shows why the plan was not saved, by the form or the engine. A completed
// form cannot be edited: it is rebuilt over the same values, at the field the
// refusal is about; the refusal stays until a field changes.
func (p *planForm) refused(err error) tea.Cmd {
	group, field, text := planFieldOf(err)
	p.err, p.errAsked = errors.New(text), p.valuesKey()
	p.build()
	cmds := []tea.Cmd{p.Refresh()}
	for range group {
		cmds = append(cmds, p.form.NextGroup())
	}
	for range field {
		cmds = append(cmds, p.form.NextField())
	}
	return tea.Batch(cmds...)
}

func (p *planForm) save() tea.Cmd {
	r, err := p.request()
	if err != nil {
		return p.refused(err)
	}
	p.saving, p.err = true, nil
	c := p.c
	return func() tea.Msg {
		d, cs, err := c.Eng.Plan(c.Ctx, c.Actor, r)
		return planSavedMsg{d, cs, err}
	}
}

func (p *planForm) View() string {
	if p.rel != nil {
		return p.rel.View()
	}
	if !p.modelChosen { // nothing to preview before the model
		return p.form.View()
	}
	return beside(p.leave.view(p.c.Styles, min(p.w, 64))+p.form.View(), p.w, p.h, p.previewLines)
}

// previewLines is the preview in at most h lines of w cells: the plan, then every
// conflict it would be in, whole, or as many as fit and how many more there are.
func (p *planForm) previewLines(w, h int) []string {
	st := p.c.Styles
	out := []string{st.Bold.Render("Preview")}
	pr := p.preview
	switch {
	case pr.gen == 0 && p.incomplete != nil:
		out = append(out, common.Hanging("", "to preview: "+p.incomplete.Error(), w, st.Dim)...)
	case pr.gen == 0:
		out = append(out, common.Hanging("", "…", w, st.Dim)...)
	case pr.err != nil:
		_, _, text := planFieldOf(pr.err) // in the form's words, not the CLI's
		out = append(out, common.Hanging(st.Bad.Render("✗ "), text, w, st.Bad)...)
	default:
		d := pr.d
		what := fmt.Sprintf("%s %s → %s", d.Component, d.Version, d.Environment)
		when := previewWindow(p.c, d.ScheduledStart, d.ScheduledEnd)
		how := fmt.Sprintf("%s v%d · %d steps", d.Model, d.ModelVersion, d.StepsTotal)
		if h < 12 { // under the form: two lines, to leave the conflicts room
			out = []string{common.Fit(out[0]+"  "+what, w), common.Fit(when+st.Dim.Render(" · "+how), w)}
		} else {
			out = append(out, common.Fit(what, w), when, st.Dim.Render(common.Fit(how, w)))
		}
		if f := pr.failed; f != nil {
			out = append(out, common.Hanging(st.Warn.Render("⚠ "), engine.FailedThereText(*f, p.c.Eng.Location()), w, st.Warn)...)
		}
		if len(pr.held) > 0 {
			out = append(out, common.Hanging(st.Warn.Render("⚠ "), "held at its start now: "+engine.BreaksWords(pr.held), w, st.Warn)...)
		}
	}
	switch {
	case p.err != nil && pr.err != nil && sameWords(p.err, pr.err):
		// The preview says it whole just above: said again, it was cut to "✗ not
		// saved: Start: the window" on a phone.
		out = append(out, st.Error.Render("✗ not saved, for what the preview says"))
	case p.err != nil:
		out = append(out, common.Hanging(st.Error.Render("✗ not saved: "), p.err.Error(), w, st.Error)...)
	case p.saving:
		out = append(out, st.Dim.Render("saving…"))
	}
	if pr.gen == 0 || pr.err != nil {
		return out
	}
	return previewConflicts(st, out, pr.conflicts, w, h)
}

// sameWords reports whether a refused save says what the preview's error says, each
// in the form's words: the plan and edit forms then say it once.
func sameWords(saved, previewed error) bool {
	return strings.Contains(fieldWords(saved), fieldWords(previewed))
}

// previewWindow is a window a form previews, with its year when that is not this
// year, and how far ahead it is when that is more than a year: a mistyped year shows.
func previewWindow(c *common.Common, start, end time.Time) string {
	out := c.WindowAs(start, end, common.WindowForm{Zone: true})
	if ahead := start.Sub(c.Eng.Now()); ahead > 366*24*time.Hour {
		years := int(ahead.Hours() / 24 / 365.25)
		out += c.Styles.Warn.Render(fmt.Sprintf(" · ⚠ %d year%s ahead", years, common.Plural(years)))
	}
	return out
}

// Unmoved: a character for a full field changes nothing (see common.Unmoved).
func (p *planForm) Unmoved(msg tea.Msg) bool { return !p.saving && !p.done && p.errs.Full(p.form, msg) }
