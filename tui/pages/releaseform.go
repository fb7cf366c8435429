package pages

import (
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// releaseForm creates a release: its name, one version of each of its components,
// the change it belongs to and its notes, as ferry release create takes them. The
// engine checks them (the name free, the components known, each once).
type releaseForm struct {
	c     *common.Common
	v     *releaseValues
	names []string // the components to choose from, as config lists them
	formPage
}

type releaseValues struct{ name, components, change, notes string }

type releaseCreatedMsg struct {
	rel models.Release
	err error
}

func newReleaseForm(c *common.Common) *releaseForm {
	v := &releaseValues{}
	f := &releaseForm{formPage: newFormPage(v), c: c, v: v}
	for _, comp := range c.Eng.Config().Components() {
		f.names = append(f.names, comp.Name)
	}
	f.build()
	return f
}

// build makes the form over f.v, so a rebuilt form keeps what was typed.
func (f *releaseForm) build() {
	f.errs = components.NewFieldErrors(f.c)
	example := "payments-api=3.35.0, ledger-db=2.1"
	if len(f.names) > 1 {
		example = f.names[0] + "=1.0, " + f.names[1] + "=2.0"
	}
	comps := f.errs.Input("components", "Components", &f.v.components).
		Placeholder(example).Validate(func(s string) error {
		cs, err := engine.ParseReleaseComponents(s)
		if err == nil {
			_, err = f.c.Eng.CheckReleaseComponents(cs) // known, once each: before the save, not at it
		}
		if err != nil {
			return errors.New(fieldWords(err))
		}
		return nil
	})
	f.setForm(f.c, huh.NewGroup(
		f.errs.Input("name", "Name", &f.v.name).Placeholder("R-2026.12").Validate(required("name the release")),
		f.errs.Limit(comps, components.LongText),
		f.errs.Input("change", "Change", &f.v.change).Placeholder("its deployments' change reference (default: the name)"),
		f.errs.Limit(f.errs.Input("notes", "Notes", &f.v.notes).Placeholder("what it brings (optional)"), components.LongText),
	).Title("New release"))
}

// required refuses an empty field with why.
func required(why string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("%s", why)
		}
		return nil
	}
}

func (f *releaseForm) Title() string { return "new release" }

func (f *releaseForm) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(releaseCreatedMsg); ok {
		return f.created(msg)
	}
	return f.takeThenSave(msg, f.save)
}

// save sends the release in the background; the form has read every field.
func (f *releaseForm) save() tea.Cmd {
	comps, err := engine.ParseReleaseComponents(f.v.components)
	if err != nil { // the field checked it; kept for a form completed some other way
		return f.created(releaseCreatedMsg{err: err})
	}
	r := engine.NewRelease{Name: strings.TrimSpace(f.v.name), Components: comps,
		ChangeRef: strings.TrimSpace(f.v.change), Notes: strings.TrimSpace(f.v.notes)}
	f.saving, f.err = true, nil
	c := f.c
	return func() tea.Msg {
		rel, err := c.Eng.CreateRelease(c.Ctx, c.Actor, r)
		return releaseCreatedMsg{rel, err}
	}
}

// created returns to the releases, or shows why the engine refused and lets the
// person correct it.
func (f *releaseForm) created(msg releaseCreatedMsg) tea.Cmd {
	if cmd, ok := f.settle(msg.err, f.build); !ok {
		return cmd
	}
	return common.Done(fmt.Sprintf("created release %s: %s · m plans it into an environment",
		msg.rel.Name, componentsText(msg.rel.Components)))
}

// componentsText is "payments-api 3.35.0, ledger-db 2.1".
func componentsText(cs []models.ReleaseComponent) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Component + " " + c.Version
	}
	return strings.Join(out, ", ")
}

func (f *releaseForm) View() string {
	st := f.c.Styles
	head := []string{common.Fit(" "+st.Bold.Render("Create a release")+st.Dim.Render(
		" · one version of each of its components, moved through the environments together"), f.w), ""}
	// The components to choose from, wrapped at spaces: the form's own wrapping broke
	// names at their hyphens ("core-" / "switch-02").
	head = append(head, common.Hanging(" components: ", strings.Join(f.names, ", "), formWidth(f.w), st.Dim)...)
	return f.view(st, head, fieldWords)
}
