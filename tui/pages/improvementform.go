package pages

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// proposeForm proposes an improvement to a model, as `ferry improvement add`: the
// model, what should change, why (kept on the record), the deployments it came from
// and who carries it out. Opened from a deployment's page, the model is that
// deployment's and it is where the improvement came from.
type proposeForm struct {
	c    *common.Common
	from *models.Deployment // the deployment it was opened from, nil from the register
	v    *proposeValues
	formPage
}

type proposeValues struct{ model, title, why, from, owner string }

type proposeSavedMsg struct {
	im  models.Improvement
	err error
}

func newProposeForm(c *common.Common, from *models.Deployment) *proposeForm {
	v := &proposeValues{}
	f := &proposeForm{formPage: newFormPage(v), c: c, from: from, v: v}
	if models := c.Eng.Config().Models; len(models) > 0 {
		f.v.model = models[0].Name
	}
	if from != nil {
		f.v.model, f.v.from = from.Model, fmt.Sprintf("#%d", from.ID)
	}
	f.build()
	return f
}

// build makes the form over f.v, so a rebuilt form keeps what was chosen and typed.
func (f *proposeForm) build() {
	f.errs = components.NewFieldErrors(f.c)
	cfg := f.c.Eng.Config()
	var modelOpts []huh.Option[string]
	for _, m := range cfg.Models {
		modelOpts = append(modelOpts, huh.NewOption(m.Name, m.Name))
	}
	ownerOpts := []huh.Option[string]{huh.NewOption("nobody yet", "")}
	for _, p := range f.c.Eng.ImprovementOwners() { // who may carry it out, as the engine holds an owner to
		ownerOpts = append(ownerOpts, huh.NewOption(p.Name, p.Name))
	}
	title := f.errs.Input("title", "What should change", &f.v.title).Validate(validTitle).
		Placeholder("e.g. the health check waits for the cache")
	why := f.errs.Input("why", "Why", &f.v.why).Placeholder("optional: what the review found (kept on the record)")
	from := f.errs.Input("from", "From", &f.v.from).Validate(validIDs).
		Placeholder("optional: the deployments it came from, e.g. #2 #7")
	f.setForm(f.c, huh.NewGroup(
		huh.NewSelect[string]().Title("Model").Options(modelOpts...).Value(&f.v.model).Inline(true),
		f.errs.Limit(title, components.LongText), f.errs.Limit(why, components.LongText), from,
		huh.NewSelect[string]().Title("Owner (who carries it out)").Options(ownerOpts...).Value(&f.v.owner).Inline(true),
	))
}

func validTitle(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New(engine.NeedImprovementTitle)
	}
	return nil
}

func validIDs(s string) error {
	_, err := parseIDs(s)
	return err
}

// parseIDs reads deployment numbers written "#2 #7", "2, 7" or "#2,#7".
func parseIDs(s string) ([]int64, error) {
	var ids []int64
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		id, err := strconv.ParseInt(strings.TrimPrefix(w, "#"), 10, 64)
		if err != nil || id < 1 {
			return nil, fmt.Errorf("%q is not a deployment number", w)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (f *proposeForm) Title() string { return "propose" }

func (f *proposeForm) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(proposeSavedMsg); ok {
		return f.saved(msg)
	}
	return f.takeThenSave(msg, f.save)
}

// save sends the proposal in the background; the form has checked every field.
func (f *proposeForm) save() tea.Cmd {
	ids, _ := parseIDs(f.v.from)
	r := engine.ImprovementRequest{Model: f.v.model, Title: f.v.title, Owner: f.v.owner, From: ids, Note: f.v.why}
	f.saving, f.err = true, nil
	c := f.c
	return func() tea.Msg {
		im, err := c.Eng.AddImprovement(c.Ctx, c.Actor, r)
		return proposeSavedMsg{im, err}
	}
}

// saved returns to the page it was opened over, which selects the new improvement
// when it lists them; or shows why the engine refused and lets the person correct it.
func (f *proposeForm) saved(msg proposeSavedMsg) tea.Cmd {
	if cmd, ok := f.settle(msg.err, f.build); !ok {
		return cmd
	}
	note := fmt.Sprintf("improvement %d proposed for %s: %s", msg.im.ID, msg.im.Model, msg.im.Title)
	if f.from != nil { // the register is elsewhere: say where
		note += " · i on Reports lists the register"
	}
	return tea.Sequence(common.Back, func() tea.Msg { return common.ChangedMsg{} }, common.Note(note),
		func() tea.Msg { return common.TopMsg{Msg: proposedMsg{msg.im}} })
}

func (f *proposeForm) View() string {
	st := f.c.Styles
	head := st.Bold.Render("Propose an improvement")
	if d := f.from; d != nil {
		head += fmt.Sprintf(" from %s %s %s → %s · %s", st.Bold.Render(fmt.Sprintf("#%d", d.ID)), d.Component, d.Version,
			d.Environment, d.Status.Words())
	}
	return f.view(st, append(common.Hanging(" ", head, f.w), ""), fieldWords)
}

// implementedForm marks an improvement implemented in a version of its model, as
// `ferry improvement set ID implemented --in-version V`: the version is asked for,
// and the engine's refusal of a missing or unknown one names the field.
type implementedForm struct {
	c  *common.Common
	im models.Improvement
	v  *implementedValues
	formPage
}

type implementedValues struct{ version, note string }

type implementedMsg struct {
	im  models.Improvement
	err error
}

func newImplementedForm(c *common.Common, im models.Improvement) *implementedForm {
	v := &implementedValues{}
	f := &implementedForm{formPage: newFormPage(v), c: c, im: im, v: v}
	if im.InVersion != 0 {
		f.v.version = strconv.Itoa(im.InVersion)
	}
	f.build()
	return f
}

func (f *implementedForm) build() {
	f.errs = components.NewFieldErrors(f.c)
	hint := "the stored version of " + f.im.Model + " that carries it"
	if m, ok := f.c.Eng.Model(f.im.Model); ok {
		hint += fmt.Sprintf(" (the current is v%d)", m.Version)
	}
	f.setForm(f.c, huh.NewGroup(
		f.errs.Input("version", "In version", &f.v.version).Validate(validInVersion).Placeholder(hint),
		f.errs.Limit(f.errs.Input("note", "Note", &f.v.note).Placeholder("optional: what changed, for the record"),
			components.LongText),
	))
}

// validInVersion takes a version number or nothing: the engine says what nothing
// lacks, as it says it to the CLI.
func validInVersion(s string) error {
	if s = strings.TrimPrefix(strings.TrimSpace(s), "v"); s == "" {
		return nil
	}
	if n, err := strconv.Atoi(s); err != nil || n < 1 {
		return fmt.Errorf("%q is not a version number", s)
	}
	return nil
}

func (f *implementedForm) Title() string { return "implemented" }

func (f *implementedForm) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(implementedMsg); ok {
		if cmd, ok := f.settle(msg.err, f.build); !ok {
			return cmd
		}
		return common.Done(engine.ImprovementSetText(msg.im, ""))
	}
	return f.takeThenSave(msg, f.save)
}

func (f *implementedForm) save() tea.Cmd {
	n, _ := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(f.v.version), "v"))
	c, id, note := f.c, f.im.ID, f.v.note
	f.saving, f.err = true, nil
	return func() tea.Msg {
		im, err := c.Eng.SetImprovement(c.Ctx, c.Actor, id, models.ImprovementImplemented, note, n)
		return implementedMsg{im, err}
	}
}

func (f *implementedForm) View() string {
	st := f.c.Styles
	head := st.Bold.Render(fmt.Sprintf("Improvement %d implemented:", f.im.ID)) + " " + f.im.Title
	return f.view(st, append(common.Hanging(" ", head, f.w), ""), fieldWords)
}
