package pages

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/table"

	"ferry/models"
	"ferry/tui/common"
)

// columns fit the width: narrow terminals drop version and assignee first. The
// component, the status and the version share what the fixed columns leave, in that
// order, each up to its longest value loaded (a component of 8 cells at least), and
// the component takes what is left over (each cell is padded by one cell each side):
// a version was cut at 10 cells ("2.9.300-b…") beside a component column with ten
// cells to spare.
func (d *history) columns() []table.Column {
	cols := []table.Column{{Title: "ID", Width: 7}, {Title: "Start", Width: 21}, {Title: "Env", Width: 11},
		{Title: "Component", Width: 8}, {Title: "Version", Width: 10}, {Title: "Status", Width: 16}, {Title: "Assignee", Width: 8}}
	st := 5 // ID, Start, Env, Component, Version, Status, Assignee
	flex := []struct{ col, want int }{{3, d.longestComponent()}, {st, d.longestStatus()}, {4, d.longestVersion()}}
	if d.narrow() {
		cols = []table.Column{{Title: "ID", Width: 6}, {Title: "Start", Width: 12}, {Title: "Env", Width: 10},
			{Title: "Component", Width: 8}, {Title: "Status", Width: 12}}
		st = 4 // no version
		flex = flex[:2]
		flex[1].col = st
	}
	if d.tiny() { // a phone: the status as its glyph, so the component can be read
		cols[st] = table.Column{Title: "", Width: 1}
		flex = flex[:1]
	}
	spare := d.w - 2
	for _, c := range cols {
		spare -= c.Width + 2
	}
	for _, f := range flex {
		more := min(max(0, spare), max(0, f.want-cols[f.col].Width))
		cols[f.col].Width += more
		spare -= more
	}
	cols[3].Width += max(0, spare)
	return cols
}

// longestStatus, longestVersion and longestComponent are the widest of the rows
// loaded so far: they grow as longer ones load and never shrink, so the columns do
// not move back and forth under the cursor as g or t loads another part of the
// history.
func (d *history) longestStatus() int {
	for _, dep := range d.rows {
		d.widest.status = max(d.widest.status, lenRunes(d.status(dep)))
	}
	return d.widest.status
}

func (d *history) longestVersion() int {
	for _, dep := range d.rows {
		d.widest.version = max(d.widest.version, lenRunes(dep.Version))
	}
	return d.widest.version
}

func (d *history) longestComponent() int {
	for _, dep := range d.rows {
		d.widest.component = max(d.widest.component, lenRunes(dep.Component))
	}
	return max(8, d.widest.component)
}

func (d *history) narrow() bool { return d.w < 100 } // below, the wide columns leave the component no room
func (d *history) tiny() bool   { return d.w < 75 }

func (d *history) tableRows() []table.Row {
	out := make([]table.Row, 0, len(d.rows))
	for _, dep := range d.rows {
		row := table.Row{fmt.Sprintf("#%d", dep.ID), d.start(dep), dep.Environment, dep.Component}
		if !d.narrow() {
			row = append(row, dep.Version)
		}
		row = append(row, d.status(dep))
		if !d.narrow() {
			row = append(row, common.Dash(dep.Assignee))
		}
		out = append(out, row)
	}
	return out
}

// status is a row's status, or "⏸ interrupted" when its runner died and it waits for
// a person, "⚠ overdue" when it is planned and late to start (as the dashboard says
// them); on a tiny screen its glyph only.
func (d *history) status(dep models.Deployment) string {
	status := common.PlainStatus(dep.Status)
	switch {
	case d.stopped[dep.ID]:
		status = "⏸ interrupted"
	case d.c.Eng.Overdue(dep):
		status = "⚠ overdue"
	}
	if d.tiny() {
		status, _, _ = strings.Cut(status, " ")
	}
	return status
}

// start is when a deployment was scheduled to start: with its year, since history
// spans years; on a narrow terminal the time of day only for this year's.
func (d *history) start(dep models.Deployment) string {
	if !d.narrow() {
		return d.c.Local(dep.ScheduledStart, "Mon 02 Jan 2006 15:04")
	}
	loc := d.c.Eng.Location()
	if dep.ScheduledStart.In(loc).Year() == d.c.Eng.Now().In(loc).Year() {
		return d.c.Local(dep.ScheduledStart, "02 Jan 15:04")
	}
	return d.c.Local(dep.ScheduledStart, "02 Jan 2006")
}
