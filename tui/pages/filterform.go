package pages

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// filterForm edits a copy of the History screen's filters. Every field is optional,
// so enter applies from any field; tab (or ↓) moves on, ←/→ change a choice.
type filterForm struct {
	c    *common.Common
	v    *historyFilter // the form's fields point here
	form *huh.Form
	err  error // a field that cannot be read, when it is not the focused one
	errs *components.FieldErrors
	// choices are the values of the choice fields by key: enter takes the option a
	// choice shows, which huh only stores when the field is left.
	choices map[string]*string
	w, h    int
	keys    struct{ Apply, Next, Choose, Cancel key.Binding }
}

// filterAppliedMsg and filterCancelledMsg end the form.
type (
	filterAppliedMsg   struct{ f historyFilter }
	filterCancelledMsg struct{}
)

func newFilterForm(c *common.Common, f historyFilter, w, h int) *filterForm {
	ff := &filterForm{c: c, v: &f, w: w, h: h}
	ff.keys.Apply = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply"))
	ff.keys.Next = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab/↓", "next field"))
	ff.keys.Choose = key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "choose"))
	ff.keys.Cancel = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	ff.build()
	return ff
}

// build lays the fields out in two groups: side by side on a wide terminal, one
// after the other (tab moves on to the second) on a narrow one.
func (ff *filterForm) build() {
	ff.errs = components.NewFieldErrors(ff.c)
	ff.choices = map[string]*string{}
	ff.form = huh.NewForm(huh.NewGroup(ff.whenWhat()...), huh.NewGroup(ff.whichWho()...)).
		WithTheme(components.FormTheme(ff.c)).WithShowHelp(false).WithShowErrors(false).WithKeyMap(components.FormKeys())
	ff.SetSize(ff.w, ff.h)
}

// whenWhat are the first group's fields: the time, the order, the search and what
// state the deployments are in.
func (ff *filterForm) whenWhat() []huh.Field {
	v, cfg := ff.v, ff.c.Eng.Config()
	envs := cfg.EnvironmentNames()
	var kinds, statuses []string
	for _, k := range models.Kinds {
		kinds = append(kinds, string(k))
	}
	for _, s := range statusChoices[1:] {
		statuses = append(statuses, s.label)
	}
	zone := ff.c.Eng.Location().String()
	return []huh.Field{
		ff.input("from", "From", &v.From, "YYYY-MM-DD or YYYY-MM-DD HH:MM, "+zone).Validate(ff.validFrom),
		ff.input("until", "Until", &v.Until, "YYYY-MM-DD (that day included)").Validate(ff.validUntil),
		huh.NewSelect[bool]().Key("order").Title("Order").Inline(true).Value(&v.Oldest).
			Options(huh.NewOption("newest first", false), huh.NewOption("oldest first", true)),
		ff.input("search", "Search", &v.Search, "words in components, versions, changes, notes, reasons"),
		ff.choice("env", "Environment", &v.Env, envs),
		ff.choice("status", "Status", &v.Status, statuses),
		ff.choice("kind", "Kind", &v.Kind, kinds),
	}
}

// whichWho are the second group's fields: what moved, by which model, for which
// change, and the people (a technician sees only their own work: no assignee).
func (ff *filterForm) whichWho() []huh.Field {
	v, cfg := ff.v, ff.c.Eng.Config()
	var services, comps, mods, people []string
	for _, s := range cfg.Services {
		services = append(services, s.Name)
	}
	for _, c := range cfg.Components() {
		comps = append(comps, c.Name)
	}
	for _, m := range cfg.Models {
		mods = append(mods, m.Name)
	}
	for _, p := range cfg.People {
		people = append(people, p.Name)
	}
	fields := []huh.Field{
		ff.choice("service", "Service", &v.Service, services),
		ff.choice("component", "Component", &v.Component, comps),
		ff.choice("model", "Model", &v.Model, mods),
		ff.input("version", "Model version", &v.ModelVersion, "a number, with a model").Validate(ff.validVersion),
		ff.input("change", "Change", &v.Change, "the exact reference, e.g. CHG-2026-0042"),
	}
	if !engine.SeesOnlyOwn(ff.c.Actor) {
		fields = append(fields, ff.choice("assignee", "Assignee", &v.Assignee, people))
	}
	return append(fields, ff.choice("requester", "Requester", &v.Requester, people))
}

func (ff *filterForm) input(k, title string, v *string, placeholder string) *huh.Input {
	in := ff.errs.Input(k, title, v).Placeholder(placeholder)
	ff.errs.Limit(in, 64)
	return in
}

// choice is an inline select of "any" and the given values.
func (ff *filterForm) choice(k, title string, v *string, values []string) *huh.Select[string] {
	opts := []huh.Option[string]{huh.NewOption("any", "")}
	for _, s := range values {
		opts = append(opts, huh.NewOption(s, s))
	}
	ff.choices[k] = v
	return huh.NewSelect[string]().Key(k).Title(title).Inline(true).Options(opts...).Value(v)
}

func (ff *filterForm) validFrom(string) error {
	k, err := ff.v.check(ff.c.Eng.Location())
	if k == "from" {
		return err
	}
	return nil
}

func (ff *filterForm) validUntil(string) error {
	k, err := ff.v.check(ff.c.Eng.Location())
	if k == "until" {
		return err
	}
	return nil
}

func (ff *filterForm) validVersion(string) error {
	_, err := ff.v.modelVersion()
	return err
}

func (ff *filterForm) SetSize(w, h int) {
	ff.w, ff.h = w, h
	if w >= 100 {
		ff.form.WithLayout(huh.LayoutColumns(2)).WithWidth(min(w-2, 120))
		ff.errs.SetWidth(min(w-2, 120) / 2) // a column
	} else {
		ff.form.WithLayout(huh.LayoutDefault).WithWidth(min(w-2, 64))
		ff.errs.SetWidth(min(w-2, 64))
	}
}

func (ff *filterForm) Init() tea.Cmd { return ff.form.Init() }

func (ff *filterForm) ShortHelp() []common.Key {
	return []common.Key{common.On(ff.keys.Apply), common.On(ff.keys.Next), common.On(ff.keys.Choose), common.On(ff.keys.Cancel)}
}

func (ff *filterForm) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if cmd, done := ff.key(k); done {
			return cmd
		}
	}
	var cmd tea.Cmd
	ff.form, cmd = ff.errs.Step(ff.form, msg)
	if ff.form.State == huh.StateCompleted { // tab past the last field
		return tea.Batch(cmd, ff.submit())
	}
	return cmd
}

// key handles enter (apply) and esc (cancel) before the form sees them; done is
// false for keys the form should have.
func (ff *filterForm) key(k tea.KeyPressMsg) (tea.Cmd, bool) {
	focused := ff.form.GetFocusedField()
	switch {
	case key.Matches(k, ff.keys.Cancel):
		if components.Filtering(ff.form) {
			return nil, false // esc ends the choice's filter, not the form
		}
		return func() tea.Msg { return filterCancelledMsg{} }, true
	case key.Matches(k, ff.keys.Apply):
		if s, ok := focused.(*huh.Select[string]); ok {
			if v, ok := s.Hovered(); ok && ff.choices[s.GetKey()] != nil {
				*ff.choices[s.GetKey()] = v // picked by its filter, not yet stored
			}
		}
		field, err := ff.v.check(ff.c.Eng.Location())
		if err != nil && field == focused.GetKey() {
			return nil, false // the form refuses to leave the field and says why there
		}
		return ff.submit(), true
	}
	ff.err = nil
	return nil, false
}

// submit applies the filters, or says which field cannot be read.
func (ff *filterForm) submit() tea.Cmd {
	if field, err := ff.v.check(ff.c.Eng.Location()); err != nil {
		ff.err = fmt.Errorf("%s: %w", field, err)
		if ff.form.State == huh.StateCompleted {
			ff.build() // a completed form cannot be edited: the same values, again
			return ff.form.Init()
		}
		return nil
	}
	f := *ff.v
	return func() tea.Msg { return filterAppliedMsg{f} }
}

func (ff *filterForm) View() string {
	st := ff.c.Styles
	title := " " + st.Bold.Render("Filter history")
	if ff.w >= 100 {
		title += st.Dim.Render("  every field is optional; search aside, values match exactly")
	} else if onFirstPage(ff.form.GetFocusedField().GetKey()) {
		title += st.Dim.Render("  page 1 of 2 · more after Kind")
	} else {
		title += st.Dim.Render("  page 2 of 2 · shift+tab goes back")
	}
	out := []string{common.Fit(title, ff.w)}
	if ff.err != nil {
		out = append(out, " "+st.Error.Render("✗ "+common.Hang(ff.err.Error(), ff.w-4, 3)))
	}
	out = append(out, strings.Trim(ff.form.View(), "\n"))
	return strings.Join(out, "\n")
}

// onFirstPage: the field is in the form's first group.
func onFirstPage(field string) bool {
	switch field {
	case "from", "until", "order", "search", "env", "status", "kind":
		return true
	}
	return false
}

// Unmoved: a character for a full field changes nothing (see common.Unmoved).
func (ff *filterForm) Unmoved(msg tea.Msg) bool { return ff.errs.Full(ff.form, msg) }
