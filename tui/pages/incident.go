package pages

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// incidentForm records an incident linked to a deployment: when it was opened (now
// by default), when it was resolved (if it was), and what happened. Given the
// deployment's incidents, it updates one instead: its summary, its resolution (now
// by default while it is open; empty opens it again), with a note for the record.
type incidentForm struct {
	c    *common.Common
	d    models.Deployment
	all  []models.Incident // the deployment's incidents, to update one
	pick int64             // the chosen one's ID (while 0, the form asks which)
	in   models.Incident   // the chosen one as it was
	v    *incidentValues   // the form's fields point here
	formPage
}

type incidentValues struct{ opened, resolved, summary, note, choice string }

type incidentSavedMsg struct {
	in  models.Incident
	err error
}

func newIncidentForm(c *common.Common, d models.Deployment) *incidentForm {
	v := &incidentValues{}
	f := &incidentForm{formPage: newFormPage(v), c: c, d: d, v: v}
	f.build()
	return f
}

// newIncidentUpdate updates one of the incidents of d: the newest open one first.
func newIncidentUpdate(c *common.Common, d models.Deployment, incidents []models.Incident) *incidentForm {
	v := &incidentValues{}
	f := &incidentForm{formPage: newFormPage(v), c: c, d: d, v: v, all: incidents}
	if len(incidents) == 1 {
		f.choose(incidents[0].ID)
	} else {
		f.v.choice = strconv.FormatInt(firstOpen(incidents).ID, 10)
	}
	f.build()
	return f
}

// firstOpen is the newest incident still open, or else the newest.
func firstOpen(all []models.Incident) models.Incident {
	first := func(a, b models.Incident) bool {
		if ao, bo := a.ResolvedAt.IsZero(), b.ResolvedAt.IsZero(); ao != bo {
			return ao
		}
		return a.OpenedAt.After(b.OpenedAt)
	}
	best := all[0]
	for _, in := range all[1:] {
		if first(in, best) {
			best = in
		}
	}
	return best
}

// choose fills the fields from incident id: an open one is offered as resolved now.
func (f *incidentForm) choose(id int64) {
	for _, in := range f.all {
		if in.ID == id {
			f.pick, f.in = id, in
		}
	}
	loc := f.c.Eng.Location()
	f.v.summary, f.v.note = f.in.Summary, ""
	// An open one is offered as resolved "now", read when it is saved: the time
	// written in went stale while the form stayed open, and "now" typed after it
	// read "2026-12-07 08:35now".
	f.v.resolved = "now"
	if !f.in.ResolvedAt.IsZero() {
		f.v.resolved = f.in.ResolvedAt.In(loc).Format(models.LocalLayout)
	}
}

// updating: the form changes an incident that exists.
func (f *incidentForm) updating() bool { return f.all != nil }

// build makes the form over f.v, so a rebuilt form keeps what was typed.
func (f *incidentForm) build() {
	f.errs = components.NewFieldErrors(f.c)
	zone := f.c.Eng.Location().String()
	switch {
	case f.updating() && f.pick == 0:
		f.setForm(f.c, huh.NewGroup(huh.NewSelect[string]().Title("Which incident?").Options(f.incidentOptions()...).
			Value(&f.v.choice).Height(min(len(f.all), 6)+1)))
		return
	case f.updating():
		f.setForm(f.c, huh.NewGroup(
			f.errs.Input("resolved", "Resolved", &f.v.resolved).Validate(f.validResolved).
				Description("YYYY-MM-DD HH:MM, "+zone+", or now; empty: open again"),
			f.errs.Limit(f.errs.Input("summary", "Summary", &f.v.summary).Validate(validSummary), components.LongText),
			f.errs.Limit(f.errs.Input("note", "Note", &f.v.note).Placeholder("what was done (kept on the record)"), components.LongText)))
		return
	}
	f.setForm(f.c, huh.NewGroup(
		f.errs.Input("opened", "Opened", &f.v.opened).Validate(f.validOpened).
			Placeholder("now ("+f.c.Eng.Now().In(f.c.Eng.Location()).Format(models.LocalLayout)+"), or YYYY-MM-DD HH:MM, "+zone),
		f.errs.Input("resolved", "Resolved", &f.v.resolved).Validate(f.validResolved).
			Placeholder("YYYY-MM-DD HH:MM, or empty while it is open"),
		f.errs.Limit(f.errs.Input("summary", "Summary", &f.v.summary).Validate(validSummary).
			Placeholder("what happened, in a line"), components.LongText)))
}

func (f *incidentForm) incidentOptions() []huh.Option[string] {
	var out []huh.Option[string]
	for _, in := range f.all {
		state := "open"
		if !in.ResolvedAt.IsZero() {
			state = "resolved"
		}
		out = append(out, huh.NewOption(fmt.Sprintf("%d  %s  %s  %s", in.ID, f.c.Local(in.OpenedAt, "02 Jan 15:04"),
			state, in.Summary), strconv.FormatInt(in.ID, 10)))
	}
	return out
}

func (f *incidentForm) validOpened(s string) error {
	_, err := models.ParseTimeAt(orNow(s), f.c.Eng.Location(), f.c.Eng.Now())
	return err
}

// orNow is a time field's text, "now" when it is empty: the field offers now as its
// placeholder rather than as a value, which what is typed would be appended to.
func orNow(s string) string {
	if strings.TrimSpace(s) == "" {
		return models.NowWord
	}
	return s
}

// validResolved: empty (still open), or a time after the opening.
func (f *incidentForm) validResolved(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	loc := f.c.Eng.Location()
	r, err := models.ParseTimeAt(s, loc, f.c.Eng.Now())
	if err != nil {
		return err
	}
	opened := f.in.OpenedAt
	if !f.updating() {
		if opened, err = models.ParseTimeAt(orNow(f.v.opened), loc, f.c.Eng.Now()); err != nil {
			return nil // the opened field says what is wrong
		}
	}
	if !r.After(opened) {
		return fmt.Errorf("resolved must be after opened")
	}
	return nil
}

func validSummary(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New(engine.NeedIncidentSummary)
	}
	return nil
}

func (f *incidentForm) Title() string { return fmt.Sprintf("#%d incident", f.d.ID) }

// whyNoIncidentUpdate: there is an incident to update, and the engine lets the person.
func whyNoIncidentUpdate(c *common.Common, det engine.Detail) string {
	if err := engine.Can(c.Actor, engine.ActIncident, &det.Deployment); err != nil {
		return common.Why(err)
	}
	if len(det.Incidents) == 0 {
		return fmt.Sprintf("#%d has no incidents", det.ID)
	}
	return ""
}

func (f *incidentForm) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(incidentSavedMsg); ok {
		return f.saved(msg)
	}
	cmd, completed := f.take(msg)
	switch {
	case completed && f.updating() && f.pick == 0:
		id, _ := strconv.ParseInt(f.v.choice, 10, 64)
		f.choose(id)
		f.build()
		return tea.Batch(cmd, f.Refresh())
	case completed:
		return tea.Batch(cmd, f.save())
	}
	return cmd
}

// save records the incident in the background; the form has checked every field.
func (f *incidentForm) save() tea.Cmd {
	if f.updating() {
		return f.saveChange()
	}
	loc, now := f.c.Eng.Location(), f.c.Eng.Now()
	opened, err1 := models.ParseTimeAt(orNow(f.v.opened), loc, now)
	var resolved time.Time
	var err2 error
	if strings.TrimSpace(f.v.resolved) != "" {
		resolved, err2 = models.ParseTimeAt(f.v.resolved, loc, now)
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

// saveChange sends what changed of the chosen incident.
func (f *incidentForm) saveChange() tea.Cmd {
	ch := engine.IncidentChange{Note: f.v.note}
	if s := strings.TrimSpace(f.v.summary); s != f.in.Summary {
		ch.Summary = &s
	}
	var at time.Time
	if strings.TrimSpace(f.v.resolved) != "" {
		var err error
		if at, err = models.ParseTimeAt(f.v.resolved, f.c.Eng.Location(), f.c.Eng.Now()); err != nil {
			return f.saved(incidentSavedMsg{err: err}) // cannot happen: the field refuses to be left so
		}
	}
	if !at.Truncate(time.Minute).Equal(f.in.ResolvedAt.Truncate(time.Minute)) {
		ch.Resolved = &at
	}
	f.saving, f.err = true, nil
	c, id := f.c, f.pick
	return func() tea.Msg {
		in, err := c.Eng.UpdateIncident(c.Ctx, c.Actor, id, ch)
		return incidentSavedMsg{in: in, err: err}
	}
}

// saved returns to the deployment, or shows why the engine refused and lets the
// person correct it.
func (f *incidentForm) saved(msg incidentSavedMsg) tea.Cmd {
	if cmd, ok := f.settle(msg.err, f.build); !ok {
		return cmd
	}
	did := fmt.Sprintf("recorded incident %d on #%d", msg.in.ID, f.d.ID)
	if f.updating() {
		did = fmt.Sprintf("updated incident %d on #%d", msg.in.ID, f.d.ID)
		if !msg.in.ResolvedAt.IsZero() {
			did = fmt.Sprintf("incident %d on #%d resolved %s", msg.in.ID, f.d.ID, f.c.At(msg.in.ResolvedAt))
		}
	}
	return common.Done(did)
}

func (f *incidentForm) View() string {
	st, d := f.c.Styles, f.d
	what := "Record an incident on"
	if f.updating() {
		what = "Update an incident of"
	}
	head := fmt.Sprintf(" %s %s %s → %s", st.Bold.Render(what),
		st.Bold.Render(fmt.Sprintf("#%d", d.ID)), d.Component, d.Environment)
	out := []string{common.Fit(head, f.w), ""}
	if f.pick != 0 {
		out = append(out, " "+st.Dim.Render(fmt.Sprintf("incident %d, opened %s", f.in.ID,
			f.c.At(f.in.OpenedAt))), "")
	}
	return f.view(st, out, error.Error)
}

// Unmoved: a character for a full field changes nothing (see common.Unmoved).
func (f *incidentForm) Unmoved(msg tea.Msg) bool {
	return !f.saving && !f.done && f.errs.Full(f.form, msg)
}
