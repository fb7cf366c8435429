package export

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"ferry/models"
)

// DeploymentJSON is a deployment as JSON. Field names are a stable interface,
// documented in the README: add fields, never rename or remove them.
type DeploymentJSON struct {
	ID             int64      `json:"id"`
	Model          string     `json:"model"`
	ModelVersion   int        `json:"model_version"`
	Service        string     `json:"service"`
	Component      string     `json:"component"`
	Kind           string     `json:"kind"`
	Version        string     `json:"version"`
	Action         string     `json:"action"`
	Environment    string     `json:"environment"`
	Status         string     `json:"status"`
	Stage          string     `json:"stage"`
	Assignee       string     `json:"assignee"`
	Requester      string     `json:"requester"`
	PlannedBy      string     `json:"planned_by"`
	ChangeRef      string     `json:"change_ref"`
	ScheduledStart time.Time  `json:"scheduled_start"`
	ScheduledEnd   time.Time  `json:"scheduled_end"`
	StartedAt      *time.Time `json:"started_at"`
	FinishedAt     *time.Time `json:"finished_at"`
	StepsDone      int        `json:"steps_done"`
	StepsTotal     int        `json:"steps_total"`
	Urgency        string     `json:"urgency"`
	UrgencyReason  string     `json:"urgency_reason"`
	After          *int64     `json:"after"` // the deployment it waits for, or null
}

// JSONOf is d's JSON shape, its times in UTC.
func JSONOf(d models.Deployment) DeploymentJSON {
	return DeploymentJSON{
		ID: d.ID, Model: d.Model, ModelVersion: d.ModelVersion, Service: d.Service, Component: d.Component,
		Kind: string(d.Kind), Version: d.Version, Action: string(d.Action), Environment: d.Environment,
		Status: string(d.Status), Stage: StageName(d.Status), Assignee: d.Assignee, Requester: d.Requester, PlannedBy: d.PlannedBy,
		ChangeRef: d.ChangeRef, ScheduledStart: d.ScheduledStart.UTC(), ScheduledEnd: d.ScheduledEnd.UTC(),
		StartedAt: OptTime(d.StartedAt), FinishedAt: OptTime(d.FinishedAt),
		StepsDone: d.StepsDone, StepsTotal: d.StepsTotal, Urgency: string(cmp.Or(d.Urgency, models.UrgencyNormal)),
		UrgencyReason: d.UrgencyReason, After: optID(d.After),
	}
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// StageName is the lifecycle stage a status is in: planning, one of the four
// step-holding stages, or done.
func StageName(s models.Status) string {
	switch {
	case s == models.StatusPlanned:
		return "planning"
	case s.Final():
		return "done"
	}
	return string(s.Stage())
}

// OptTime is t in UTC, or nil (JSON null) when it has not happened.
func OptTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// HistoryColumns are the CSV columns, in order (documented in the README).
var HistoryColumns = []string{"id", "scheduled_start", "scheduled_end", "started_at", "finished_at", "environment",
	"service", "component", "kind", "version", "action", "model", "model_version", "status", "assignee", "requester",
	"change_ref"}

// Deployments writes deployments a page at a time, so a whole history never has to
// be held: Write as many pages as there are, then Close writes the end. The output is
// one document whatever the pages: CSV with a header (times RFC 3339 UTC, empty
// cells for what has not happened), a JSON array of DeploymentJSON (the same bytes
// as encoding/json indenting the whole list by two spaces), or a Markdown table with
// times in the organisation's zone.
type Deployments struct {
	w      io.Writer
	format Format
	loc    *time.Location
	csv    *csv.Writer
	n      int
}

// NewDeployments starts a list in format on w.
func NewDeployments(w io.Writer, format Format, loc *time.Location) (*Deployments, error) {
	d := &Deployments{w: w, format: format, loc: loc}
	switch format {
	case CSV:
		d.csv = csv.NewWriter(w)
		return d, d.csv.Write(HistoryColumns)
	case JSON:
		return d, nil
	case Markdown:
		_, err := fmt.Fprintf(w, "| ID | start (%s) | environment | component | version | status | assignee |\n"+
			"|---:|---|---|---|---|---|---|\n", loc)
		return d, err
	}
	return nil, fmt.Errorf("deployments are written as csv, json or markdown, not %q", format)
}

// N is how many deployments were written.
func (d *Deployments) N() int { return d.n }

// Write adds a page of deployments.
func (d *Deployments) Write(list []models.Deployment) error {
	for _, dep := range list {
		var err error
		switch d.format {
		case CSV:
			err = d.csv.Write(csvRow(dep))
		case JSON:
			err = d.jsonRow(dep)
		case Markdown:
			err = d.markdownRow(dep)
		}
		if err != nil {
			return err
		}
		d.n++
	}
	return nil
}

// Close ends the document (the JSON array's bracket) and flushes what is buffered;
// it does not close w.
func (d *Deployments) Close() error {
	switch d.format {
	case CSV:
		d.csv.Flush()
		return d.csv.Error()
	case JSON:
		end := "\n]\n"
		if d.n == 0 {
			end = "[]\n"
		}
		_, err := io.WriteString(d.w, end)
		return err
	}
	return nil
}

// WriteDeployments writes list as one document.
func WriteDeployments(w io.Writer, format Format, loc *time.Location, list []models.Deployment) error {
	d, err := NewDeployments(w, format, loc)
	if err != nil {
		return err
	}
	if err := d.Write(list); err != nil {
		return err
	}
	return d.Close()
}

func csvRow(d models.Deployment) []string {
	at := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	return []string{strconv.FormatInt(d.ID, 10), at(d.ScheduledStart), at(d.ScheduledEnd), at(d.StartedAt),
		at(d.FinishedAt), textCell(d.Environment), textCell(d.Service), textCell(d.Component), string(d.Kind),
		textCell(d.Version), string(d.Action), textCell(d.Model), strconv.Itoa(d.ModelVersion), string(d.Status),
		textCell(d.Assignee), textCell(d.Requester), textCell(d.ChangeRef)}
}

// textCell is stored text as a CSV cell a spreadsheet shows rather than runs: a
// cell starting with = + - @ would be taken as a formula, so it gets a leading
// apostrophe, as OWASP advises. Control characters (tabs and carriage returns
// included, which some spreadsheets skip before looking) and escape sequences are
// shown, not kept (models.Line), so a line break never splits a row for a reader
// that splits on lines and cat never obeys an escape. Numbers and times are not
// text cells: a negative number stays a number.
func textCell(s string) string {
	s = models.Line(s)
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

// jsonRow writes one element of the array, indented as the encoder indents a list.
func (d *Deployments) jsonRow(dep models.Deployment) error {
	b, err := json.MarshalIndent(JSONOf(dep), "  ", "  ")
	if err != nil {
		return err
	}
	sep := ",\n  "
	if d.n == 0 {
		sep = "[\n  "
	}
	if _, err := io.WriteString(d.w, sep); err != nil {
		return err
	}
	_, err = d.w.Write(b)
	return err
}

func (d *Deployments) markdownRow(dep models.Deployment) error {
	_, err := fmt.Fprintf(d.w, "| %d | %s | %s | %s | %s | %s | %s |\n", dep.ID,
		dep.ScheduledStart.In(d.loc).Format("2006-01-02 15:04"), cell(dep.Environment), cell(dep.Component),
		cell(dep.Version), dep.Status, cell(dep.Assignee))
	return err
}

// cell is s as a Markdown table cell: a pipe would end the cell, a line break the
// row, and an escape sequence in stored text would drive the terminal of whoever
// cats the file (see models.Printable); nothing is "—".
func cell(s string) string {
	if s == "" {
		return "—"
	}
	s = strings.ReplaceAll(models.Line(s), `|`, `\|`)
	return strings.Join(strings.Fields(s), " ")
}
