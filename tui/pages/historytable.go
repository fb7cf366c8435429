package pages

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/table"

	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// columns fit the width. The component, the status and the version share what the
// fixed columns leave, each up to its longest value loaded (a component of 8 cells
// at least), and the component takes what is left over: a version was cut at 10
// cells ("2.9.300-b…") beside a component column with ten cells to spare. Wide, each
// cell is padded by one cell each side and the assignee has a column.
//
// Narrow, the assignee goes and the columns stand one cell apart (tightStyles): the
// version stays, as it is what a deployment moves (below 100 columns it had no
// column). The component reads its first 12 cells, then the status and the version
// read whole before the component's tail: a version cut is no version ("2.9.3…"),
// where "rack-b07-db-…" still names the rack. The ID column is as wide as the
// longest ID loaded. On a phone the status is its glyph.
func (d *history) columns() []table.Column {
	if !d.narrow() {
		cols := []table.Column{{Title: "ID", Width: 7}, {Title: "Start", Width: d.longestStart()}, {Title: "Env", Width: 11},
			{Title: "Component", Width: 8}, {Title: "Version", Width: 10}, {Title: "Status", Width: 16}, {Title: "Assignee", Width: 8}}
		return fitColumns(cols, d.w-2, 2, []colWant{{3, d.longestComponent()}, {5, d.longestStatus()}, {4, d.longestVersion()}})
	}
	const status = 5 // ID, Start, Env, Component, Version, Status
	cols := []table.Column{{Title: "ID", Width: max(2, d.longestID())}, {Title: "Start", Width: 12}, {Title: "Env", Width: 10},
		{Title: "Component", Width: 8}, {Title: "Version", Width: 7}, {Title: "Status", Width: 12}}
	want := []colWant{{3, min(12, d.longestComponent())}, {status, d.longestStatus()}, {4, d.longestVersion()},
		{3, d.longestComponent()}}
	if d.tiny() { // a phone: the status as its glyph, so the component can be read
		cols[status] = table.Column{Title: "", Width: 1}
		want = slices.Delete(want, 1, 2)
	}
	// One cell to the right of the last column, as the padding leaves one at the left.
	return fitColumns(cols, d.w-1, 1, want)
}

// colWant is how wide a column would be to show its longest value whole.
type colWant struct{ col, want int }

// fitColumns widens cols, in the order of wants, each up to its want, with what a
// line of w cells leaves once every column has its pad; the component (column 3)
// takes what is left over.
func fitColumns(cols []table.Column, w, pad int, wants []colWant) []table.Column {
	spare := w
	for _, c := range cols {
		spare -= c.Width + pad
	}
	for _, f := range wants {
		more := min(max(0, spare), max(0, f.want-cols[f.col].Width))
		cols[f.col].Width += more
		spare -= more
	}
	cols[3].Width += max(0, spare)
	return cols
}

// styles are the table's styles for the width: narrow, the columns stand one cell
// apart.
func (d *history) styles() table.Styles {
	if d.narrow() {
		return components.TightTableStyles(d.c.Styles)
	}
	return components.TableStyles(d.c.Styles)
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

func (d *history) longestStart() int {
	for _, dep := range d.rows {
		d.widest.start = max(d.widest.start, lenRunes(d.start(dep)))
	}
	return max(16, d.widest.start) // "Tue 08 Dec 12:15"; another year's is longer
}

func (d *history) longestVersion() int {
	for _, dep := range d.rows {
		d.widest.version = max(d.widest.version, lenRunes(dep.VersionWords()))
	}
	return d.widest.version
}

func (d *history) longestID() int {
	for _, dep := range d.rows {
		d.widest.id = max(d.widest.id, len(fmt.Sprintf("#%d", dep.ID)))
	}
	return d.widest.id
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
		row := table.Row{fmt.Sprintf("#%d", dep.ID), d.start(dep), dep.Environment, dep.Component, dep.VersionWords(), d.status(dep)}
		if !d.narrow() {
			row = append(row, common.Dash(dep.Assignee))
		}
		out = append(out, row)
	}
	return out
}

// status is a row's status, or "■ blocked" (as Needs you says it) when someone blocked one of its items,
// "⏸ interrupted" when its runner died and it waits for
// a person, "⚠ overdue" when it is planned and late to start (as the dashboard says
// them); on a tiny screen its glyph only.
func (d *history) status(dep models.Deployment) string {
	status := common.PlainStatus(dep.Status)
	switch {
	case d.blocked[dep.ID]:
		status = "■ blocked"
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

// start is when a deployment was scheduled to start, as every screen writes a start
// (common.At): with its year when it is not this year's; on a narrow terminal in the
// column's 12 cells (common.AtIn), another year's without its time. It had its year
// always, "Tue 08 Dec 2026 12:15" beside screens that wrote "Tue 08 Dec 12:15".
func (d *history) start(dep models.Deployment) string {
	if !d.narrow() {
		return d.c.At(dep.ScheduledStart)
	}
	return d.c.AtIn(dep.ScheduledStart, 12)
}
