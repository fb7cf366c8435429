package pages

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/engine/export"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// exportRun writes the file at path (replacing one that is there only if replace),
// telling progress how many rows it has written so far; note says what it wrote.
type exportRun func(ctx context.Context, path string, replace bool, progress func(int)) (note string, err error)

// exportPage asks where to write what is in view, writes it in the background, and
// says where it wrote. An existing file is replaced only after a second enter on
// the same path; esc while it writes stops it, leaving nothing behind.
type exportPage struct {
	c       *common.Common
	title   string // what is exported: "Export history: env staging · newest first"
	input   textinput.Model
	run     exportRun
	exists  string // the path that is there: enter on it again replaces it
	running bool
	stopped bool               // esc asked the export under way to stop
	cancel  context.CancelFunc // stops the export under way
	count   *atomic.Int64      // rows written so far, for the progress line
	wrote   string             // what was written, when the footer is too narrow to say it whole
	err     error
	w, h    int
	keys    struct{ Save, Cancel key.Binding }
}

type exportDoneMsg struct {
	path string
	note string
	err  error
}

type exportTickMsg struct{}

// exportTick is how often the page shows how far a long export has come.
const exportTick = 250 * time.Millisecond

func newExportPage(c *common.Common, title, name string, run exportRun) *exportPage {
	p := &exportPage{c: c, title: title, run: run, count: new(atomic.Int64),
		input: components.NewInput(c.Styles, "path: ", "a file name ending in .csv, .json or .md")}
	p.keys.Save = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "export"))
	p.keys.Cancel = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back"))
	p.input.CharLimit = 1000
	day := c.Eng.Now().In(c.Eng.Location()).Format("2006-01-02")
	p.input.SetValue(fmt.Sprintf("./ferry-%s-%s.csv", name, day))
	return p
}

// newHistoryExport exports every deployment f matches, as the person may see them
// (the engine's List decides), in the order History shows them.
func newHistoryExport(c *common.Common, f models.Filter, says string) *exportPage {
	list := func(ctx context.Context, f models.Filter) ([]models.Deployment, error) {
		return c.Eng.List(ctx, c.Actor, f)
	}
	return newExportPage(c, "Export history: "+says, "history",
		func(ctx context.Context, path string, replace bool, progress func(int)) (string, error) {
			n, abs, err := export.HistoryFile(ctx, path, replace, c.Eng.Location(), list, f, progress)
			return fmt.Sprintf("wrote %s deployment%s to %s", common.Thousands(n), common.Plural(n), abs), err
		})
}

// newReportExport exports rep, the report in view.
func newReportExport(c *common.Common, rep engine.Report, says string) *exportPage {
	return newExportPage(c, "Export the report: "+says, "report",
		func(_ context.Context, path string, replace bool, _ func(int)) (string, error) {
			abs, err := export.ReportFile(path, replace, rep, c.Eng.Location())
			return "wrote the report to " + abs, err
		})
}

func (p *exportPage) Title() string   { return "export" }
func (p *exportPage) Capturing() bool { return true }
func (p *exportPage) Restyle()        { p.input.SetStyles(components.InputStyles(p.c.Styles)) }
func (p *exportPage) SetSize(w, h int) {
	p.w, p.h = w, h
	p.input.SetWidth(max(10, w-lenRunes(p.input.Prompt)-3))
}

func (p *exportPage) ShortHelp() []common.Key {
	save, back := common.On(p.keys.Save), common.On(p.keys.Cancel)
	switch {
	case p.wrote != "":
		return []common.Key{common.On(p.keys.Cancel)}
	case p.running:
		save.Off = "the export is under way"
		back.SetHelp("esc", "stop it")
	case p.exists != "":
		save.SetHelp("enter", "replace it")
	}
	return []common.Key{save, back}
}
func (p *exportPage) FullHelp() [][]common.Key { return [][]common.Key{p.ShortHelp()} }

func (p *exportPage) Refresh() tea.Cmd {
	if p.input.Focused() {
		return nil
	}
	return p.input.Focus()
}

func (p *exportPage) path() string { return strings.TrimSpace(p.input.Value()) }

func (p *exportPage) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case exportDoneMsg:
		return p.done(msg)
	case exportTickMsg:
		if p.running {
			return tea.Tick(exportTick, func(time.Time) tea.Msg { return exportTickMsg{} })
		}
		return nil
	case tea.KeyPressMsg:
		switch {
		case p.wrote != "":
			if key.Matches(msg, p.keys.Cancel) || key.Matches(msg, p.keys.Save) {
				return common.Back
			}
			return nil
		case p.running:
			if key.Matches(msg, p.keys.Cancel) {
				p.stopped = true
				p.cancel()
			}
			return nil
		case key.Matches(msg, p.keys.Cancel):
			return common.Back
		case key.Matches(msg, p.keys.Save):
			return p.start()
		}
	}
	was := p.path()
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	if p.path() != was { // a new path: what was said of the old one no longer holds
		p.err, p.exists = nil, ""
	}
	return cmd
}

// start writes the file in the background, replacing it if the person pressed
// enter on this path after being told it exists.
func (p *exportPage) start() tea.Cmd {
	path := p.path()
	if path == "" {
		p.err = errors.New("give a path: a file name ending in .csv, .json or .md")
		return nil
	}
	replace := path == p.exists
	ctx, cancel := context.WithCancel(p.c.Ctx)
	p.running, p.stopped, p.cancel, p.err, p.exists = true, false, cancel, nil, ""
	p.count.Store(0)
	run, count := p.run, p.count
	work := func() tea.Msg {
		note, err := run(ctx, path, replace, func(n int) { count.Store(int64(n)) })
		return exportDoneMsg{path, note, err}
	}
	// The export first: a test's loop runs commands in order, and the tick stops once
	// the export is done.
	return tea.Batch(work, tea.Tick(exportTick, func(time.Time) tea.Msg { return exportTickMsg{} }))
}

func (p *exportPage) done(msg exportDoneMsg) tea.Cmd {
	p.running = false
	p.cancel()
	switch {
	case msg.err == nil && lipgloss.Width(" ✓ "+msg.note) <= p.w:
		return tea.Batch(common.Back, common.Note(msg.note))
	case msg.err == nil: // the footer would cut the path: the page says it whole, esc closes it
		p.wrote = msg.note
		return common.Note(msg.note)
	case p.stopped: // however the store put it, the file was not written
		return tea.Batch(common.Back, common.Note("export stopped: nothing written"))
	case errors.Is(msg.err, export.ErrExists):
		p.exists = msg.path
	}
	p.err = msg.err
	return nil
}

func (p *exportPage) View() string {
	st := p.c.Styles
	hint := "The extension says the format: .csv, .json or .md (Markdown). The file is written whole or not at all."
	out := []string{" " + st.Bold.Render(common.Hang(p.title, p.w-2, 1)), " " + st.Dim.Render(common.Hang(hint, p.w-2, 1)), ""}
	for _, l := range components.InputLines(st, p.input) {
		out = append(out, " "+l)
	}
	switch {
	case p.wrote != "":
		out = append(out, "", " "+st.Good.Render("✓ "+common.Hang(p.wrote, p.w-4, 3)))
	case p.running && p.count.Load() > 0:
		out = append(out, "", " "+st.Dim.Render(fmt.Sprintf("exporting… %s deployments written; esc stops", common.Thousands(int(p.count.Load())))))
	case p.running:
		out = append(out, "", " "+st.Dim.Render("exporting…"))
	case p.exists != "" && p.err != nil:
		out = append(out, "", " "+st.Warn.Render(common.Hang(p.err.Error()+"; enter again to replace it, or change the path", p.w-2, 1)))
	case p.err != nil:
		out = append(out, "", " "+st.Error.Render("✗ "+common.Hang(p.err.Error(), p.w-4, 3)))
	}
	return strings.Join(out, "\n")
}

// exportKey is x on Reports: the report in view, to a file.
func (r *reports) exportKey() common.Key {
	var args []string
	if r.c.Remote {
		q, rep := r.question(), r.rep
		if !r.loaded || r.shown != q { // the range comes with the report; until then, the CLI's default
			rep = engine.Report{Period: q.period, By: q.by}
		}
		args = reportArgs(rep, r.c.Eng.Location())
	}
	k := r.c.ExportKey(args...)
	if k.Off == "" && (!r.loaded || r.shown != r.question()) {
		k.Off = "the report is loading"
	}
	return k
}

// export asks where to write the report in view: its period, grouping and range
// (a chart's own grouping when a chart is in view).
func (r *reports) export() tea.Cmd {
	if r.exportKey().Off != "" {
		return nil
	}
	rep := r.rep
	// The screen's words ("grouped by nothing", then "grouped by environment", were
	// the export's own).
	says := fmt.Sprintf("by %s, %s, %s – %s", rep.Period, groupWords(rep.By, nil), r.c.Local(rep.From, "2 Jan 2006"),
		r.c.Local(rep.To.Add(-time.Second), "2 Jan 2006"))
	return common.Push(newReportExport(r.c, rep, says))
}

// Unmoved: a character for a full field changes nothing (see common.Unmoved).
func (p *exportPage) Unmoved(msg tea.Msg) bool { return components.InputFull(p.input, msg) }

// historyArgs are the CLI's history command for the deployments f matches, as CSV:
// what x would export, for a session over SSH to run from the person's machine.
func historyArgs(f models.Filter, loc *time.Location) []string {
	args := []string{"history"}
	add := func(flag, v string) {
		if v != "" {
			args = append(args, flag, v)
		}
	}
	add("--from", cliTime(f.From, loc))
	add("--to", cliTime(f.To, loc))
	add("--env", f.Environment)
	var sts []string
	for _, s := range f.Statuses {
		sts = append(sts, string(s))
	}
	add("--status", strings.Join(sts, ","))
	add("--model", f.Model)
	if f.ModelVersion > 0 {
		add("--model-version", strconv.Itoa(f.ModelVersion))
	}
	add("--service", f.Service)
	add("--component", f.Component)
	add("--kind", string(f.Kind))
	add("--assignee", f.Assignee)
	add("--requester", f.Requester)
	add("--change", f.ChangeRef)
	add("--search", f.Search)
	if f.Oldest { // in the list's order, as x exports it
		args = append(args, "--oldest-first")
	}
	return append(args, "--format", "csv")
}

// reportArgs are the CLI's report command for rep, as CSV.
func reportArgs(rep engine.Report, loc *time.Location) []string {
	by := string(rep.By)
	if rep.By == engine.ByNothing {
		by = "none"
	}
	args := []string{"report", "--period", string(rep.Period), "--by", by}
	if !rep.From.IsZero() && !rep.To.IsZero() {
		args = append(args, "--from", cliTime(rep.From, loc), "--to", cliTime(rep.To, loc))
	}
	return append(args, "--format", "csv")
}

// cliTime is t as the CLI reads it: a day at its midnight, else the minute.
func cliTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	if t.Hour() == 0 && t.Minute() == 0 {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04")
}
