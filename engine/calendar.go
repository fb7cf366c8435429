package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"ferry/models"
)

// CalendarFilter narrows what goes into a calendar: one environment ("" for all)
// and the span [From, To).
type CalendarFilter struct {
	Environment string
	From, To    time.Time
}

// CalEvent is one entry of the calendar others read: a planned deployment, or one
// occurrence of a freeze or maintenance window. UID stays the same for the same
// deployment or occurrence, so a calendar that imports the file again updates the
// entry instead of adding another.
type CalEvent struct {
	UID         string
	Kind        string // deployment, freeze, maintenance
	Summary     string
	Description string
	Location    string // the environment
	Start, End  time.Time
	Modified    time.Time // zero for windows (they come from config)
	Sequence    int64     // grows each time the entry changes
}

// Calendar lists the planned deployments (a technician: their own) and the freeze and
// maintenance windows in the span, in start order.
func (e *Engine) Calendar(ctx context.Context, actor models.Person, f CalendarFilter) ([]CalEvent, error) {
	if err := Can(actor, ActRead, nil); err != nil && !onlyOwn(actor) {
		return nil, err
	}
	if f.Environment != "" {
		if err := e.cfg.CheckEnvironment("--env", f.Environment); err != nil {
			return nil, err
		}
	}
	if !f.To.After(f.From) {
		return nil, models.Invalidf("--to %s is not after --from %s", e.Local(f.To), e.Local(f.From))
	}
	out, err := e.plannedEvents(ctx, actor, f)
	if err != nil {
		return nil, err
	}
	out = append(out, e.windowEvents(f)...)
	sortEvents(out)
	return out, nil
}

// plannedEvents pages through the planned deployments that start in the span.
func (e *Engine) plannedEvents(ctx context.Context, actor models.Person, f CalendarFilter) ([]CalEvent, error) {
	flt := models.Filter{Environment: f.Environment, Statuses: []models.Status{models.StatusPlanned},
		From: f.From, To: f.To, Oldest: true, Limit: 500}
	if onlyOwn(actor) {
		flt.Assignee = actor.Name
	}
	var out []CalEvent
	for {
		page, err := e.st.Read().Deployments(ctx, flt)
		if err != nil {
			return nil, err
		}
		ids := models.IDs(page)
		// Each change of a deployment is an event on its record: their count is a
		// sequence that grows with every change, whatever the clock's resolution.
		counts, err := e.st.Read().EventCounts(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, d := range page {
			out = append(out, e.deploymentEvent(d, max(0, counts[d.ID]-1)))
		}
		if len(page) < flt.Limit {
			return out, nil
		}
		last := page[len(page)-1]
		flt.After = &models.Cursor{Start: last.ScheduledStart, ID: last.ID}
	}
}

func (e *Engine) deploymentEvent(d models.Deployment, sequence int64) CalEvent {
	what := d.Component + " " + d.Version
	if d.Action == models.ActionRemove {
		what = "remove " + what
	}
	desc := []string{fmt.Sprintf("Deployment #%d: %s %s → %s, model %s v%d.", d.ID, d.Action, what, d.Environment, d.Model, d.ModelVersion)}
	if d.Assignee != "" {
		desc = append(desc, "Assignee: "+d.Assignee+".")
	}
	if d.ChangeRef != "" {
		desc = append(desc, "Change: "+d.ChangeRef+".")
	}
	desc = append(desc, fmt.Sprintf("ferry deploy show %d", d.ID))
	return CalEvent{UID: fmt.Sprintf("deployment-%d@ferry", d.ID), Kind: "deployment",
		Summary: fmt.Sprintf("#%d %s → %s", d.ID, what, d.Environment), Description: strings.Join(desc, "\n"),
		Location: d.Environment, Start: d.ScheduledStart, End: d.ScheduledEnd, Modified: d.UpdatedAt,
		Sequence: sequence}
}

// windowEvents are the occurrences of every freeze and maintenance window in the span.
func (e *Engine) windowEvents(f CalendarFilter) []CalEvent {
	var out []CalEvent
	for _, env := range e.cfg.Environments {
		if f.Environment != "" && env.Name != f.Environment {
			continue
		}
		for _, kind := range []struct {
			name string
			ws   []models.Window
		}{{"freeze", env.Freeze}, {"maintenance", env.Maintenance}} {
			for _, w := range kind.ws {
				for _, occ := range w.Occurrences(f.From, f.To, e.Location()) {
					out = append(out, CalEvent{
						UID:  fmt.Sprintf("%s-%s-%s-%s@ferry", kind.name, env.Name, slug(w.Name), occ.Start.UTC().Format("20060102T150405Z")),
						Kind: kind.name, Summary: fmt.Sprintf("%s %q in %s", kind.name, w.Name, env.Name),
						Description: windowText(kind.name, env.Name), Location: env.Name, Start: occ.Start, End: occ.End})
				}
			}
		}
	}
	return out
}

func windowText(kind, env string) string {
	if kind == "freeze" {
		return "No deployment may run in " + env + " (a freeze window in Ferry's configuration)."
	}
	return "A maintenance window of " + env + " (from Ferry's configuration)."
}

// slug keeps letters and digits of a name, lower case, others as '-'.
func slug(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, s)
}

func sortEvents(es []CalEvent) {
	slices.SortFunc(es, func(a, b CalEvent) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.UID, b.UID)
	})
}
