package pages

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"ferry/engine"
	"ferry/tui/common"
	"ferry/tui/components"
)

// releasePlanForm plans a release into an environment: one deployment per
// component, all or none, at once or one after the other (engine.PlanRelease).
type releasePlanForm struct {
	leave   leaveGuard // esc asks before it throws away what was typed
	c       *common.Common
	v       *releasePlanValues
	start   startField
	form    *huh.Form
	errs    *components.FieldErrors // the start field's error, shown in its title
	started bool
	placed  bool // the environment was set to where the release goes on (once)
	saving  bool
	done    bool
	err     error
	w, h    int
	keys    struct{ Cancel, Next, Move, Choose key.Binding }
	// The live preview, as the deployment form has: what planning would do now.
	preview releasePreview
	live    livePreview
}

type releasePreview struct {
	gen int
	out engine.PlannedRelease
	err error
}

// releasePreviewDue asks for the preview of generation gen, if nothing changed since.
type releasePreviewDue struct {
	gen int
	rp  engine.ReleasePlan
}

type releasePlanValues struct {
	release, env, start, order, assignee string
}

type releasePlannedMsg struct {
	out engine.PlannedRelease
	err error
}

// NewReleasePlan is the form that plans release name ("" to choose one).
func NewReleasePlan(c *common.Common, name string) common.Page {
	p := &releasePlanForm{c: c, v: &releasePlanValues{release: name, order: "parallel"}}
	p.keys.Next = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next · save on the last"))
	p.keys.Move = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "field or choice"))
	p.keys.Choose = key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "choose"))
	p.keys.Cancel = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	p.start = newStartField(c)
	if envs := c.Eng.Config().Environments; len(envs) > 0 {
		p.v.env = envs[0].Name
	}
	p.build(nil)
	return p
}

// build makes the form over p.v with the releases known (nil: not read yet, the
// release's name is kept as it is).
func (p *releasePlanForm) build(releases []engine.ReleaseView) {
	var relOpts []huh.Option[string]
	for _, r := range releases {
		relOpts = append(relOpts, huh.NewOption(r.Name+"  "+p.c.Styles.Dim.Render(fmt.Sprintf("%d component%s", len(r.Components), common.Plural(len(r.Components)))), r.Name))
	}
	if len(relOpts) == 0 {
		relOpts = []huh.Option[string]{huh.NewOption(cmpText(p.v.release, "no releases"), p.v.release)}
	}
	var envOpts []huh.Option[string]
	for _, e := range p.c.Eng.Config().Environments {
		envOpts = append(envOpts, huh.NewOption(e.Name, e.Name))
	}
	people := []huh.Option[string]{huh.NewOption("nobody yet", "")}
	for _, per := range p.c.Eng.Assignable() {
		people = append(people, huh.NewOption(per.Name+" ("+string(per.MainRole())+")", per.Name))
	}
	p.errs = components.NewFieldErrors(p.c)
	p.errs.SetWidth(min(max(p.w, 40), 64))
	// Every environment in sight (there are a few); the longer lists say how many
	// they hold.
	relTitle, relH := components.ListHeight("Release", len(relOpts), 3)
	envTitle, envH := components.ListHeight("Environment", len(envOpts), 6)
	whoTitle, whoH := components.ListHeight("Assignee", len(people), 3)
	p.form = huh.NewForm(huh.NewGroup(
		huh.NewSelect[string]().Title(relTitle).Options(relOpts...).Value(&p.v.release).Height(relH),
		huh.NewSelect[string]().Title(envTitle).Options(envOpts...).Value(&p.v.env).Height(envH),
		p.start.input(p.errs, &p.v.start),
		huh.NewSelect[string]().Title("Order").Value(&p.v.order).Options(
			huh.NewOption("all at the start (parallel)", "parallel"),
			huh.NewOption("one after the other (sequential)", "sequential")),
		huh.NewSelect[string]().Title(whoTitle).Options(people...).Value(&p.v.assignee).Height(whoH),
	).Title("Plan a release: one deployment per component")).WithTheme(components.FormTheme(p.c)).
		WithShowHelp(false).WithShowErrors(false).WithKeyMap(components.FormKeys()).WithWidth(min(max(p.w, 40), 64)).
		WithHeight(formBesideHeight(p.w, p.h))
	p.started = false
}

func (p *releasePlanForm) Title() string   { return "plan a release" }
func (p *releasePlanForm) Capturing() bool { return true }
func (p *releasePlanForm) SetSize(w, h int) {
	p.w, p.h = w, h
	p.form.WithWidth(min(w, 64)).WithHeight(formBesideHeight(w, h)) // a phone keeps room for the preview
	p.errs.SetWidth(min(w, 64))
}
func (p *releasePlanForm) ShortHelp() []common.Key {
	return []common.Key{common.On(p.keys.Next), common.On(p.keys.Move), common.On(p.keys.Choose), common.On(p.keys.Cancel)}
}
func (p *releasePlanForm) FullHelp() [][]common.Key { return [][]common.Key{p.ShortHelp()} }

type releaseChoicesMsg struct {
	list []engine.ReleaseView
	err  error
}

// Refresh reads the releases once, to offer them; later refreshes do nothing.
func (p *releasePlanForm) Refresh() tea.Cmd {
	if p.started {
		return nil
	}
	p.started = true
	c := p.c
	return tea.Batch(p.form.Init(), func() tea.Msg {
		list, err := c.Eng.Releases(c.Ctx, c.Actor)
		return releaseChoicesMsg{list, err}
	})
}

func (p *releasePlanForm) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case releaseChoicesMsg:
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		if p.v.release == "" && len(msg.list) > 0 {
			p.v.release = msg.list[0].Name
		}
		p.placeEnv(msg.list)
		p.build(msg.list)
		p.started = true
		return tea.Batch(p.form.Init(), p.maybePreview())
	case releasePreviewDue:
		return p.askPreview(msg)
	case releasePreview:
		if p.live.current(msg.gen) {
			p.preview = msg
		}
		return nil
	case releasePlannedMsg:
		p.saving = false
		if msg.err != nil {
			p.err = msg.err
			p.build(nil)
			p.started = false
			return p.Refresh()
		}
		p.done = true
		return common.Done(plannedNote(msg.out))
	case tea.KeyPressMsg:
		s := formState{key.Matches(msg, p.keys.Cancel) && !components.Filtering(p.form), p.saving, p.done}
		if cmd, taken := p.leave.take(msg, s, func() string { return fmt.Sprintf("%+v", *p.v) }); taken {
			return cmd
		}
	}
	if p.saving || p.done {
		return nil
	}
	var cmd tea.Cmd
	p.form, cmd = p.errs.Step(p.form, msg)
	if p.form.State == huh.StateCompleted {
		return tea.Batch(cmd, p.save())
	}
	return tea.Batch(cmd, p.maybePreview())
}

// placeEnv opens the form, once, on the environment where the release goes on (the
// next of its path it is not planned in, engine.ReleaseView.NextEnvironment): on the
// first, it offered an environment the release was planned in already. A reload
// after a refused save keeps what the person chose.
func (p *releasePlanForm) placeEnv(list []engine.ReleaseView) {
	if p.placed {
		return
	}
	p.placed = true
	for _, r := range list {
		if r.Name == p.v.release && r.NextEnvironment() != "" {
			p.v.env = r.NextEnvironment()
		}
	}
}

// releaseWords is a refusal in the form's words: that the release is in the
// environment already is said with what to do here, and where the console shows
// where it stands, rather than the CLI's 'ferry release show'.
func releaseWords(err error) string {
	var there *engine.ReleaseThereError
	if errors.As(err, &there) {
		return fmt.Sprintf("release %s is %s in %s already: choose another environment (Where › Releases shows it in each)",
			there.Name, there.Status, there.Environment)
	}
	return fieldWords(err)
}

// plan is the release plan the fields ask for; ok is false while the start is not a time.
func (p *releasePlanForm) plan() (engine.ReleasePlan, bool) {
	start, err := p.start.parse(p.v.start)
	return engine.ReleasePlan{Name: p.v.release, Environment: p.v.env, Start: start,
		Sequential: p.v.order == "sequential", Assignee: p.v.assignee}, err == nil && p.v.release != ""
}

// maybePreview asks for a new preview when the fields changed and then rested; with a
// start that is not a time there is none, rather than the last one's.
func (p *releasePlanForm) maybePreview() tea.Cmd {
	rp, ok := p.plan()
	ask, clear := p.live.changed(fmt.Sprintf("%+v", rp), ok)
	if clear {
		p.preview = releasePreview{}
	}
	if !ask {
		return nil
	}
	return p.live.after(func(gen int) tea.Msg { return releasePreviewDue{gen, rp} })
}

// askPreview plans the release in a transaction that is rolled back (see
// engine.PreviewRelease), if the fields did not change meanwhile.
func (p *releasePlanForm) askPreview(due releasePreviewDue) tea.Cmd {
	if !p.live.current(due.gen) {
		return nil
	}
	c := p.c
	return func() tea.Msg {
		out, err := c.Eng.PreviewRelease(c.Ctx, c.Actor, due.rp)
		return releasePreview{due.gen, out, err}
	}
}

// plannedNote says what planning a release did, for the footer.
func plannedNote(out engine.PlannedRelease) string {
	ids := make([]string, len(out.Deployments))
	for i, d := range out.Deployments {
		ids[i] = fmt.Sprintf("#%d", d.ID)
	}
	env := ""
	if len(out.Deployments) > 0 {
		env = out.Deployments[0].Environment
	}
	return fmt.Sprintf("planned release %s → %s: %s%s", out.Release.Name, env, strings.Join(ids, " "), inConflicts(out.Conflicts))
}

func (p *releasePlanForm) save() tea.Cmd {
	rp, ok := p.plan()
	if !ok {
		p.err = fmt.Errorf("a release, an environment and a start are needed")
		p.build(nil)
		p.started = false
		return p.Refresh()
	}
	p.saving, p.err = true, nil
	c := p.c
	return func() tea.Msg {
		out, err := c.Eng.PlanRelease(c.Ctx, c.Actor, rp)
		return releasePlannedMsg{out, err}
	}
}

func (p *releasePlanForm) View() string {
	return beside(p.leave.view(p.c.Styles, min(p.w, 64))+p.form.View(), p.w, p.h, p.previewLines)
}

// previewLines is the preview in at most h lines of w cells: each deployment the
// release would get, then the conflicts they would be in, or how many more.
func (p *releasePlanForm) previewLines(w, h int) []string {
	st := p.c.Styles
	out := []string{st.Bold.Render("Preview")}
	pr := p.preview
	switch {
	case pr.gen == 0:
		out = append(out, common.Hanging("", "choose a release and an environment, and give a valid start", w, st.Dim)...)
	case pr.err != nil:
		out = append(out, common.Hanging(st.Bad.Render("✗ "), releaseWords(pr.err), w, st.Bad)...)
	default:
		for _, d := range pr.out.Deployments {
			out = append(out, common.Fit(fmt.Sprintf("%s %s → %s", d.Component, d.Version, d.Environment), w),
				st.Dim.Render(common.Fit("  "+previewWindow(p.c, d.ScheduledStart, d.ScheduledEnd), w)))
		}
		for _, sk := range pr.out.Skipped {
			why := fmt.Sprintf("%s skipped: no model takes it to %s", sk, p.v.env)
			out = append(out, common.Hanging("", why, w, st.Dim)...)
		}
	}
	switch {
	case p.err != nil:
		out = append(out, common.Hanging(st.Error.Render("✗ not saved: "), releaseWords(p.err), w, st.Error)...)
	case p.saving:
		out = append(out, st.Dim.Render("saving…"))
	}
	if pr.gen == 0 || pr.err != nil {
		return out
	}
	return previewConflicts(st, out, pr.out.Conflicts, w, h)
}
