package pages

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// incidentForm records an incident linked to a deployment: when it was opened (now
// by default), when it was resolved (if it was), and what happened.
type incidentForm struct {
	c       *common.Common
	d       models.Deployment
	v       *incidentValues // the form's fields point here
	form    *huh.Form
	errs    *components.FieldErrors
	started bool
	saving  bool
	done    bool  // recorded: no message may save it again before the detail is back
	err     error // why the engine refused the last save
	w, h    int
	keys    struct{ Next, Cancel key.Binding }
}

type incidentValues struct{ opened, resolved, summary string }

type incidentSavedMsg struct {
	in  models.Incident
	err error
}

func newIncidentForm(c *common.Common, d models.Deployment) *incidentForm {
	f := &incidentForm{c: c, d: d, v: &incidentValues{}}
	f.v.opened = c.Eng.Now().In(c.Eng.Location()).Format(models.LocalLayout)
	f.keys.Next = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next · save"))
	f.keys.Cancel = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	f.build()
	return f
}

// build makes the form over f.v, so a rebuilt form keeps what was typed.
func (f *incidentForm) build() {
	f.errs = components.NewFieldErrors(f.c)
	zone := f.c.Eng.Location().String()
	f.form = huh.NewForm(huh.NewGroup(
		f.errs.Input("opened", "Opened", &f.v.opened).Validate(f.validOpened).
			Placeholder("YYYY-MM-DD HH:MM, "+zone),
		f.errs.Input("resolved", "Resolved", &f.v.resolved).Validate(f.validResolved).
			Placeholder("YYYY-MM-DD HH:MM, or empty while it is open"),
		f.errs.Input("summary", "Summary", &f.v.summary).Validate(validSummary).
			Placeholder("what happened, in a line").CharLimit(300),
	)).WithTheme(components.FormTheme(f.c)).WithShowHelp(false).WithShowErrors(false).WithKeyMap(components.FormKeys())
	f.form.WithWidth(min(max(20, f.w-2), 72))
	f.started = false
}

func (f *incidentForm) validOpened(s string) error {
	_, err := models.ParseTime(s, f.c.Eng.Location())
	return err
}

// validResolved: empty (still open), or a time after the opening.
func (f *incidentForm) validResolved(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	loc := f.c.Eng.Location()
	r, err := models.ParseTime(s, loc)
	if err != nil {
		return err
	}
	if o, err := models.ParseTime(f.v.opened, loc); err == nil && !r.After(o) {
		return fmt.Errorf("resolved must be after opened")
	}
	return nil
}

func validSummary(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("say what happened")
	}
	return nil
}

func (f *incidentForm) Title() string   { return fmt.Sprintf("#%d incident", f.d.ID) }
func (f *incidentForm) Capturing() bool { return true }
func (f *incidentForm) SetSize(w, h int) {
	f.w, f.h = w, h
	f.form.WithWidth(min(max(20, w-2), 72))
}
func (f *incidentForm) ShortHelp() []common.Key {
	return []common.Key{common.On(f.keys.Next), common.On(f.keys.Cancel)}
}
func (f *incidentForm) FullHelp() [][]common.Key { return [][]common.Key{f.ShortHelp()} }

// Refresh starts the form the first time; it has nothing to reload.
func (f *incidentForm) Refresh() tea.Cmd {
	if f.started {
		return nil
	}
	f.started = true
	return f.form.Init()
}

func (f *incidentForm) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case incidentSavedMsg:
		return f.saved(msg)
	case tea.KeyPressMsg:
		if key.Matches(msg, f.keys.Cancel) {
			return common.Back
		}
	}
	if f.saving || f.done {
		return nil
	}
	fm, cmd := f.form.Update(msg)
	if hf, ok := fm.(*huh.Form); ok {
		f.form = hf
	}
	f.errs.Mark()
	if f.form.State == huh.StateCompleted {
		return tea.Batch(cmd, f.save())
	}
	return cmd
}

// save records the incident in the background; the form has checked every field.
func (f *incidentForm) save() tea.Cmd {
	loc := f.c.Eng.Location()
	opened, err1 := models.ParseTime(f.v.opened, loc)
	var resolved time.Time
	var err2 error
	if strings.TrimSpace(f.v.resolved) != "" {
		resolved, err2 = models.ParseTime(f.v.resolved, loc)
	}
	if err1 != nil || err2 != nil { // cannot happen: the fields refuse to be left so
		return f.saved(incidentSavedMsg{err: fmt.Errorf("opened and resolved must be times")})
	}
	f.saving, f.err = true, nil
	c, id, summary := f.c, f.d.ID, f.v.summary
	return func() tea.Msg {
		in, err := c.Eng.AddIncident(c.Ctx, c.Actor, id, opened, resolved, summary)
		return incidentSavedMsg{in: in, err: err}
	}
}

// saved returns to the deployment, or shows why the engine refused and lets the
// person correct it (a completed huh form cannot be edited: it is rebuilt).
func (f *incidentForm) saved(msg incidentSavedMsg) tea.Cmd {
	f.saving = false
	if msg.err != nil {
		f.err = msg.err
		f.build()
		return f.Refresh()
	}
	f.done = true
	return tea.Batch(common.Back, common.Note(fmt.Sprintf("recorded incident %d on #%d", msg.in.ID, f.d.ID)))
}

func (f *incidentForm) View() string {
	st, d := f.c.Styles, f.d
	head := fmt.Sprintf(" %s %s %s → %s", st.Bold.Render("Record an incident on"),
		st.Bold.Render(fmt.Sprintf("#%d", d.ID)), d.Component, d.Environment)
	out := []string{common.Fit(head, f.w), ""}
	switch {
	case f.saving:
		out = append(out, " "+st.Dim.Render("saving…"))
	case f.err != nil:
		out = append(out, " "+st.Error.Render("✗ not saved: "+common.Hang(f.err.Error(), f.w-16, 15)))
	}
	return strings.Join(out, "\n") + "\n" + strings.Trim(f.form.View(), "\n")
}
