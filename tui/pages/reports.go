package pages

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/table"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/NimbleMarkets/ntcharts/v2/linechart/timeserieslinechart"
	"github.com/charmbracelet/x/ansi"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// reportViews are what `v` cycles through: the metrics table, then the charts.
var reportViews = []string{"table", "trends", "volume", "failures", "versions"}

// reports is the metrics table for a period and grouping, and charts where a
// picture reads faster than numbers. All of it comes from the rollups, so it is
// as quick on years of history as on a week.
type reports struct {
	c        *common.Common
	period   engine.Period
	by       engine.Grouping
	back     int // how many spans before the current one
	view     int
	rep      engine.Report // what the view shows
	shown    reportQuestion
	loaded   bool
	gen      int
	table    table.Model
	colOff   int    // first metric column shown
	colsBack []int  // the colOff of each page → left, for ←
	colsPage [2]int // the width and the fixed columns' width colsBack's pages had
	w, h     int
	keys     struct{ Period, Group, View, Earlier, Later, Left, Right, Rows, Audit, Improvements key.Binding }
}

// reportQuestion is what a load answers; a new question lands on its latest rows,
// a reload of the same one (every few seconds) leaves the cursor where it is.
type reportQuestion struct {
	period engine.Period
	by     engine.Grouping
	back   int
}

type reportsMsg struct {
	gen int
	q   reportQuestion
	rep engine.Report
	err error
}

// NewReports is the Reports screen.
func NewReports(c *common.Common) common.Page {
	r := &reports{c: c, period: engine.PeriodMonth}
	r.keys.Period = key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "period"))
	r.keys.Group = key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "group by"))
	r.keys.View = key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "table/charts"))
	r.keys.Earlier = key.NewBinding(key.WithKeys("["), key.WithHelp("[", "earlier"))
	r.keys.Later = key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "later"))
	r.keys.Left = key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→", "columns"))
	r.keys.Right = key.NewBinding(key.WithKeys("right", "l"))
	r.keys.Rows = key.NewBinding(key.WithKeys("up", "k", "down", "j"), key.WithHelp("↑/↓", "periods"))
	r.keys.Audit = key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "audit log"))
	// The register of what reviews taught: beside the models' success rates, which
	// say whether an improvement worked.
	r.keys.Improvements = key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "improvements"))
	r.table = components.NewTable(c.Styles)
	return r
}

func (r *reports) Title() string   { return "Reports" }
func (r *reports) Capturing() bool { return false }

// ShortHelp offers the scroll keys first: on a phone the table shows a few columns
// at a time, and the footer is where a person finds how to see the others.
func (r *reports) ShortHelp() []common.Key {
	k, on := r.keys, common.On
	later, cols, rows := on(k.Later), on(k.Left), on(k.Rows)
	if r.back == 0 {
		later.Off = "these are the latest periods"
	}
	group := on(k.Group)
	if r.view != 0 {
		cols.Off = "the columns are the table's: v shows it"
		rows.Off = "charts show all periods: [ ] earlier/later · v table"
		group.Off = "each chart has its own grouping: v back to the table to group it"
	} else if r.colOff == 0 && r.fitCols(0) == len(engine.ReportColumns) {
		cols.Off = "every column is in view"
	}
	audit := on(k.Audit)
	if err := engine.MayReadRecord(r.c.Actor); err != nil {
		audit.Off = err.Error()
	}
	// The footer leaves out the last keys it has no room for. ↑/↓ only moves the
	// highlight when every period is in view: then it comes last, and the export
	// before the register and the register before the audit log, so that 120 columns
	// keep x export, an analyst's report, and i improvements, the models' register
	// beside their success rates (the audit log is an auditor's, less often needed).
	keys := []common.Key{cols, on(k.Earlier), later, on(k.Period), group, on(k.View), r.exportKey(), on(k.Improvements), audit}
	if len(r.rep.Rows)+len(r.rep.Totals) <= r.table.Height() {
		return append(keys, rows)
	}
	return slices.Insert(keys, 1, rows)
}
func (r *reports) FullHelp() [][]common.Key { return [][]common.Key{r.ShortHelp()} }

// Restyle takes the session's styles again, after the terminal said its background.
func (r *reports) Restyle() { r.table.SetStyles(components.TableStyles(r.c.Styles)) }

func (r *reports) SetSize(w, h int) {
	r.w, r.h = w, h
	r.layoutTable()
}

// question is what the current view needs: the table the chosen grouping; the
// trends the ungrouped figures (rates do not add up across groups); the volume
// chart environments; the failures chart models.
func (r *reports) question() reportQuestion {
	q := reportQuestion{period: r.period, by: r.by, back: r.back}
	switch reportViews[r.view] {
	case "trends":
		q.by = engine.ByNothing
	case "volume":
		q.by = engine.ByEnvironment
	case "failures":
		q.by = engine.ByModel
	case "versions":
		q.by = engine.ByModelVersion
	}
	return q
}

// Refresh loads the report the view needs in the background; a newer load wins.
func (r *reports) Refresh() tea.Cmd {
	r.gen++
	c, gen, q := r.c, r.gen, r.question()
	from, to := c.Eng.RecentReport(q.period, q.back)
	return func() tea.Msg {
		rep, err := c.Eng.Report(c.Ctx, c.Actor, engine.ReportRequest{From: from, To: to, Period: q.period, By: q.by})
		return reportsMsg{gen, q, rep, err}
	}
}

func (r *reports) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case reportsMsg:
		if msg.gen != r.gen {
			return nil
		}
		if msg.err != nil {
			return func() tea.Msg { return common.ErrMsg{Err: msg.err} }
		}
		asked := !r.loaded || msg.q != r.shown
		r.rep, r.shown, r.loaded = msg.rep, msg.q, true
		r.layoutTable()
		if asked {
			r.table.GotoBottom() // the latest periods and the totals
		}
	case tea.KeyPressMsg:
		return r.key(msg)
	}
	return nil
}

func (r *reports) key(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, r.keys.Period):
		r.period = engine.Periods[(slices.Index(engine.Periods, r.period)+1)%len(engine.Periods)]
		r.back = 0
		return r.Refresh()
	case key.Matches(msg, r.keys.Group):
		r.by = engine.Groupings[(slices.Index(engine.Groupings, r.by)+1)%len(engine.Groupings)]
		return r.Refresh()
	case key.Matches(msg, r.keys.View):
		r.view = (r.view + 1) % len(reportViews)
		return r.Refresh()
	case key.Matches(msg, r.keys.Earlier):
		r.back++
		return r.Refresh()
	case key.Matches(msg, r.keys.Later) && r.back > 0:
		r.back--
		return r.Refresh()
	case key.Matches(msg, r.keys.Audit) && engine.MayReadRecord(r.c.Actor) == nil:
		return common.Push(NewAudit(r.c))
	case key.Matches(msg, r.keys.Improvements):
		return common.Push(NewImprovements(r.c))
	case key.Matches(msg, r.c.Keys.Export):
		return r.export()
	case key.Matches(msg, r.keys.Left) && r.view == 0 && r.colOff > 0:
		r.colOff = r.pageBack(r.colOff)
		if n := len(r.colsBack); n > 0 { // back to the page → came from, as it was
			r.colOff, r.colsBack = r.colsBack[n-1], r.colsBack[:n-1]
		}
		r.layoutTable()
	case key.Matches(msg, r.keys.Right) && r.view == 0 && r.colOff+r.fitCols(r.colOff) < len(engine.ReportColumns):
		r.colsBack = append(r.colsBack, r.colOff)
		r.colOff += r.fitCols(r.colOff) // a screenful: the next column not yet seen comes first
		r.layoutTable()
	default:
		if r.view == 0 {
			var cmd tea.Cmd
			r.table, cmd = r.table.Update(msg)
			return cmd
		}
	}
	return nil
}

// colWidth is a metric column's width: its heading, or the widest value
// (100.0%, 23h59m, 999,999), whichever is wider.
func colWidth(c engine.ReportColumn) int { return max(len(c.Header), 7) }

// fixedWidth is what the period (and group) columns take, with their gaps.
func (r *reports) fixedWidth() int {
	w := r.periodWidth() + 2
	if r.rep.By != engine.ByNothing {
		w += r.groupWidth() + 2
	}
	return w
}

// groupWidth fits the heading and the longest group name ("web-service v2" and
// "web-service v3" cut to the same "web-service…" told versions apart no more), as
// long as a metric column still fits beside it; longer names are cut.
func (r *reports) groupWidth() int {
	w := lenRunes(string(r.rep.By))
	for _, t := range r.rep.Totals {
		w = max(w, lenRunes(t.Group))
	}
	room := r.w - (r.periodWidth() + 2) - 2 - (colWidth(engine.ReportColumns[0]) + 2)
	return max(6, min(w, room))
}

// periodWidth fits the longest period label and the partial mark.
func (r *reports) periodWidth() int {
	if r.period == engine.PeriodDay {
		return 11
	}
	return 9
}

// fitCols is how many metric columns fit beside the fixed ones from column from on
// (at least one).
func (r *reports) fitCols(from int) int {
	used, n := r.fixedWidth(), 0
	for _, m := range engine.ReportColumns[from:] {
		if n > 0 && used+colWidth(m)+2 > r.w {
			break
		}
		used, n = used+colWidth(m)+2, n+1
	}
	return n
}

// pageBack is where the screenful of columns that ends before column to starts.
func (r *reports) pageBack(to int) int {
	used, from := r.fixedWidth(), to
	for from > 0 && (from == to || used+colWidth(engine.ReportColumns[from-1])+2 <= r.w) {
		used += colWidth(engine.ReportColumns[from-1]) + 2
		from--
	}
	return from
}

// layoutTable fits the period (and group) columns and as many metrics as the width
// takes, starting at colOff; the table gets what the legend leaves.
func (r *reports) layoutTable() {
	if r.w == 0 {
		return
	}
	if page := [2]int{r.w, r.fixedWidth()}; page != r.colsPage { // ← undoes → on pages of this width only
		r.colsBack, r.colsPage = nil, page
	}
	cols := []table.Column{{Title: "Period", Width: r.periodWidth()}}
	if r.rep.By != engine.ByNothing {
		name := groupName(r.rep.By)
		cols = append(cols, table.Column{Title: strings.ToUpper(name[:1]) + name[1:], Width: r.groupWidth()})
	}
	metrics := engine.ReportColumns[r.colOff : r.colOff+r.fitCols(r.colOff)]
	for _, m := range metrics {
		cols = append(cols, table.Column{Title: fmt.Sprintf("%*s", colWidth(m), m.Header), Width: colWidth(m)})
	}
	var rows []table.Row
	now := r.c.Eng.Now()
	for i, row := range slices.Concat(r.rep.Rows, r.rep.Totals) {
		label := row.Period
		if i < len(r.rep.Rows) && row.Partial(now) {
			label += "*"
		}
		line := table.Row{label}
		if r.rep.By != engine.ByNothing {
			line = append(line, row.Group)
		}
		for _, m := range metrics {
			line = append(line, fmt.Sprintf("%*s", colWidth(m), m.Text(&row.Metrics)))
		}
		rows = append(rows, line)
	}
	// Rows with more cells than the columns would panic: the wider of the two goes
	// in second. Neither is emptied between, which reset the table's scroll: the
	// cursor's row then slipped out of sight (on a grouped report, the grand total).
	cursor := r.table.Cursor()
	if len(cols) >= len(r.table.Columns()) {
		r.table.SetColumns(cols)
		r.table.SetRows(rows)
	} else {
		r.table.SetRows(rows)
		r.table.SetColumns(cols)
	}
	r.table.SetCursor(min(max(cursor, 0), len(rows)-1))
	r.table.SetWidth(r.w)
	r.table.SetHeight(max(3, r.h-1-len(r.legend())))
}

// partial is the label of the span's last period when it is not over yet, else "".
func (r *reports) partial(short bool) string {
	rows := r.rep.Rows
	if len(rows) == 0 || !rows[len(rows)-1].Partial(r.c.Eng.Now()) {
		return ""
	}
	last := rows[len(rows)-1]
	if short {
		return shortPeriod(last.Start.In(r.c.Eng.Location()), r.period)
	}
	return last.Period
}

// legend says under the table which columns are in view, what is partial, and what
// on schedule means, wrapped to the width.
func (r *reports) legend() []string {
	st := r.c.Styles
	n := r.fitCols(r.colOff)
	parts := []string{fmt.Sprintf("columns %d–%d of %d (←/→)", r.colOff+1, r.colOff+n, len(engine.ReportColumns))}
	// The table opens on the latest rows: say that there are more, and where.
	if rows := len(r.rep.Rows) + len(r.rep.Totals); r.view == 0 && rows > r.table.Height() {
		parts = append(parts, fmt.Sprintf("row %d of %d (↑/↓)", r.table.Cursor()+1, rows))
	}
	if p := r.partial(false); p != "" {
		parts = append([]string{fmt.Sprintf("* %s is not over: partial", p)}, parts...)
	}
	// Both halves of it, as the column's own help says: the start alone read as the
	// dashboard's "on time", which it is not.
	parts = append(parts, fmt.Sprintf("on schedule: started within %s of the planned start and finished inside the window",
		models.HumanDuration(r.rep.Tolerance)),
		"? defines every column")
	lines := common.Pack(parts, " · ", r.w-1)
	// What the headings in view mean, when the table still has room for every row:
	// "ROLLED" and "INCID%" are short for what a reader should not have to look up.
	var helps []string
	for _, m := range engine.ReportColumns[r.colOff : r.colOff+n] {
		helps = append(helps, m.Header+": "+m.Help)
	}
	if help := common.Pack(helps, " · ", r.w-1); r.view == 0 && len(r.rep.Rows) > 0 &&
		r.h-1-len(lines)-len(help) >= len(r.rep.Rows)+len(r.rep.Totals)+2 {
		lines = append(help, lines...)
	}
	for i, l := range lines {
		lines[i] = st.Dim.Render(" " + l)
	}
	return lines
}

// HelpNotes are what every column of the reports means, below the keys of the full
// help: the legend under the table names only the columns in view, and only when
// the screen has the room; "definitions in the README" sent a person over SSH to a
// file they do not have.
func (r *reports) HelpNotes(w int) []string {
	out := []string{"", "What the columns mean:"}
	for _, c := range engine.ReportColumns {
		out = append(out, common.Hanging(c.Header+": ", c.Help, w-1)...)
	}
	return out
}

// groupWords names a report's grouping as the screen's bar and the export of the
// report both say it: "per environment", "per model version" (groupName), or "not
// grouped". style, if any, dresses the grouping's name
// (the bar's bold).
func groupWords(by engine.Grouping, style func(...string) string) string {
	if by == engine.ByNothing {
		return "not grouped"
	}
	name := groupName(by)
	if style != nil {
		name = style(name)
	}
	return "per " + name
}

// groupName is a grouping in words, as the table's column and groupWords say it:
// "model version" (not the flag's "model-version").
func groupName(by engine.Grouping) string { return strings.ReplaceAll(string(by), "-", " ") }

func (r *reports) View() string {
	st := r.c.Styles
	group := groupWords(r.question().by, st.Bold.Render) // a chart's own grouping, not the table's
	rep := r.rep
	bar := fmt.Sprintf(" by %s · %s · %s", st.Bold.Render(string(r.period)), group, st.Bold.Render(reportViews[r.view]))
	if r.w < 80 && r.view != 0 { // a chart groups as its title says: a phone keeps the range whole instead
		bar = fmt.Sprintf(" by %s · %s", st.Bold.Render(string(r.period)), st.Bold.Render(reportViews[r.view]))
	}
	if !r.loaded || r.shown != r.question() {
		return bar + "\n\n" + st.Dim.Render(" loading…")
	}
	layout, first := "2 Jan 2006", "2 Jan 2006"
	last := rep.To.Add(-time.Second)
	if r.w < 80 {
		layout, first = "Jan 2006", "Jan 2006"
		if r.c.Local(rep.From, "2006") == r.c.Local(last, "2006") { // "Jan – Dec 2026": a phone cut "Dec 2…"
			first = "Jan"
		}
	}
	bar = common.Fit(bar+st.Dim.Render(fmt.Sprintf(" · %s – %s", r.c.Local(rep.From, first),
		r.c.Local(last, layout))), r.w)
	body := r.viewBody()
	return bar + "\n" + body
}

func (r *reports) viewBody() string {
	h := max(3, r.h-2)
	switch reportViews[r.view] {
	case "trends":
		return r.trends(r.w, h)
	case "volume":
		return r.volume(r.w, h)
	case "failures":
		return r.failures(r.w, h)
	case "versions":
		return r.versions(r.w, h)
	}
	return r.table.View() + "\n" + strings.Join(r.legend(), "\n")
}

// trends draws success rate and lead time p50 per period, one above the other. The
// rate's axis ends at 100%, so a dip reads against the whole; lead times are in the
// reports' one duration format. The axes step by round amounts. Both charts share
// one time axis, their y labels padded to one width, so that a period is in the
// same column in both, and its label is written where its point is.
func (r *reports) trends(w, h int) string {
	rows := r.rep.Rows
	ch := max(4, (h-2)/2)
	ch -= ch % 2 // an even height puts a label on the top line
	pct := func(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }
	success := newSeries(rows, ch, func(m engine.Metrics) (float64, bool) {
		return m.SuccessRate.Pct(), m.SuccessRate.Valid()
	}, pctSteps, 100, pct)
	lead := newSeries(rows, ch, func(m engine.Metrics) (float64, bool) {
		return m.LeadP50.Hours(), m.Throughput > 0
	}, hourSteps, -1, func(v float64) string { return models.HumanDuration(time.Duration(v * float64(time.Hour))) })
	yw := max(success.labelWidth(ch), lead.labelWidth(ch))
	ax := r.timeAxis(rows, max(20, w-2)-yw-1)
	ax.yw = yw
	st := r.c.Styles
	note := ""
	if p := r.partial(false); p != "" {
		note = st.Dim.Render(fmt.Sprintf(" · the last point, %s, is partial", p))
	}
	return common.Fit(st.PanelTitle.Render(" Success rate, %")+note, w) + "\n" + r.line(success, w, ch, ax) + "\n" +
		common.Fit(st.PanelTitle.Render(" Lead time, request to finish, median"), w) + "\n" + r.line(lead, w, ch, ax)
}

// The round steps a chart's axis labels go by: percentage points, hours.
var (
	pctSteps  = []float64{0.5, 1, 2, 2.5, 5, 10, 20, 25, 50}
	hourSteps = []float64{0.25, 0.5, 1, 2, 3, 4, 6, 12, 24, 48, 72, 168, 336, 720}
)

// axisRange is where a chart's axis with labels steps (a label every other line)
// starts and ends to take in lo–hi: at top when top >= 0 (a percentage ends at
// 100), else from the multiple of the step under lo; the step is the smallest of
// steps that does.
func axisRange(lo, hi float64, labels int, steps []float64, top float64) (float64, float64) {
	for _, s := range steps {
		span := s * float64(labels)
		if top >= 0 && top-span <= lo {
			return max(0, top-span), top
		}
		if base := math.Floor(lo/s) * s; top < 0 && base+span >= hi {
			return base, base + span
		}
	}
	return lo, hi
}

// series is one metric per period, ready to draw: its points and its axis's range,
// from round steps.
type series struct {
	pts    []timeserieslinechart.TimePoint
	lo, hi float64
	label  func(float64) string
}

// newSeries takes val of every row that has one, for a chart h lines tall whose
// axis goes by steps (ending at top, if top >= 0), labelled by label.
func newSeries(rows []engine.ReportRow, h int, val func(engine.Metrics) (float64, bool), steps []float64,
	top float64, label func(float64) string) series {
	s := series{lo: 1e18, hi: -1e18, label: label}
	for _, row := range rows {
		if v, ok := val(row.Metrics); ok {
			s.pts = append(s.pts, timeserieslinechart.TimePoint{Time: row.Start, Value: v})
			s.lo, s.hi = min(s.lo, v), max(s.hi, v)
		}
	}
	if len(s.pts) >= 2 {
		s.lo, s.hi = axisRange(s.lo, s.hi, max(1, (h-2)/2), steps, top) // two lines are the x axis
	}
	return s
}

// labelWidth is the widest y label the chart of s, h lines tall, writes: ntcharts
// writes one every other line from the axis up, by value (and measures in bytes).
func (s series) labelWidth(h int) int {
	if len(s.pts) < 2 {
		return 0
	}
	g, n := h-2, 0 // the x axis and its labels take two lines
	for i := 0; i <= g; i += 2 {
		n = max(n, len(s.label(s.lo+(s.hi-s.lo)/float64(g)*float64(i))))
	}
	return n
}

// chartAxis is the time axis the trend charts share: from the first period's start
// to the last one's end (or further, so that its label fits), the y labels padded
// to yw, and the x labels by their column right of the y axis.
type chartAxis struct {
	from, to time.Time
	yw       int
	labels   map[int]string
}

// timeAxis places the periods of rows on a time axis gw cells wide and labels every
// k-th of them, counted back from the last, at the column of its point: the
// smallest k that leaves a cell between labels. ntcharts places its own labels at
// even steps of the axis and names the time there, so months came unevenly spaced
// ("Jan '26     Feb '26 Mar '26") and the last one, too near the end, was left out;
// its label formatter is asked for every column (x step 1), and says "" where no
// point is.
func (r *reports) timeAxis(rows []engine.ReportRow, gw int) chartAxis {
	var starts []time.Time
	var end time.Time
	for _, row := range rows {
		if len(starts) == 0 || !row.Start.Equal(starts[len(starts)-1]) {
			starts = append(starts, row.Start)
		}
		end = row.End
	}
	ax := chartAxis{labels: map[int]string{}}
	if len(starts) < 2 || gw < 4 {
		return ax
	}
	loc := r.c.Eng.Location()
	names := make([]string, len(starts))
	for i, t := range starts {
		names[i] = timeLabel(t.In(loc), r.period)
	}
	ax.from, ax.to = starts[0], end
	// The last label must end inside the axis: stretch it past the last period's end
	// when that is too near.
	last := starts[len(starts)-1].Sub(ax.from)
	if need := len(names[len(names)-1]) + 2; gw > need {
		ax.to = maxTime(ax.to, ax.from.Add(time.Duration(float64(last)*float64(gw)/float64(gw-need))+time.Second))
	}
	cols := make([]int, len(starts))
	for i, t := range starts {
		cols[i] = chartColumn(t, ax.from, ax.to, gw)
	}
	for k := 1; k < len(starts); k++ {
		fits := true
		for j := len(starts) - 1; j-k >= 0; j -= k {
			fits = fits && cols[j]-cols[j-k] >= len(names[j-k])+1
		}
		if fits || k == len(starts)-1 {
			for j := len(starts) - 1; j >= 0; j -= k {
				ax.labels[cols[j]+1] = names[j] // column 0 is the y axis
			}
			break
		}
	}
	return ax
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// chartColumn is the column, from the left of the plot (right of the y axis), where
// ntcharts v2.0.0 draws a point at t on a braille chart gw columns wide from from to
// to: it scales t to [0, gw], then to the braille grid's 2·gw−1 dots, rounded, two
// dots a column (timeserieslinechart's scale buffer, graph.BrailleGrid.GridPoint).
func chartColumn(t, from, to time.Time, gw int) int {
	xs := float64(gw) / (float64(to.Unix()) - float64(from.Unix()))
	sx := (float64(t.Unix()) - float64(from.Unix())) * xs
	return int(math.Round(sx*float64(2*gw-1)/float64(gw))) / 2
}

// line draws s as a braille line chart h lines tall on the time axis ax.
func (r *reports) line(s series, w, h int, ax chartAxis) string {
	if len(s.pts) < 2 || len(ax.labels) == 0 {
		return r.c.Styles.Dim.Render(" not enough data in this range to draw a line")
	}
	chart := timeserieslinechart.New(max(20, w-2), h,
		timeserieslinechart.WithTimeRange(ax.from, ax.to),
		timeserieslinechart.WithYRange(s.lo, s.hi),
		timeserieslinechart.WithXYSteps(1, 2),
		timeserieslinechart.WithStyle(r.c.Styles.Accent),
		timeserieslinechart.WithAxesStyles(r.c.Styles.Border, r.c.Styles.Dim),
		timeserieslinechart.WithXLabelFormatter(func(i int, _ float64) string { return ax.labels[i] }),
		timeserieslinechart.WithYLabelFormatter(func(_ int, v float64) string {
			return fmt.Sprintf("%*s", ax.yw, s.label(v))
		}))
	for _, p := range s.pts {
		chart.Push(p)
	}
	chart.SetViewYRange(s.lo, s.hi)
	chart.DrawBraille()
	return chart.View()
}

// timeLabel names the period of p that t falls in, for a chart's axis: "2 Jan" for
// days and weeks, "Jan '26" for months (not "Jan 26", which read as a date), "Q1 '26"
// for quarters.
func timeLabel(t time.Time, p engine.Period) string {
	switch p {
	case engine.PeriodDay, engine.PeriodWeek:
		return t.Format("2 Jan")
	case engine.PeriodQuarter:
		return fmt.Sprintf("Q%d %s", (int(t.Month())+2)/3, t.Format("'06"))
	}
	return t.Format("Jan '06")
}

// envGlyphs tell environments apart without colour; colour helps where there is some.
var envGlyphs = []string{"█", "▓", "▒", "░"}

// volume draws deployments per period, a row of bars per environment, all on one
// scale with its axis: production's few look few beside dev's many.
func (r *reports) volume(w, h int) string {
	st := r.c.Styles
	v := volumeData{partial: r.partial(true) != ""}
	for _, row := range r.rep.Rows {
		if len(v.periods) == 0 || v.periods[len(v.periods)-1] != row.Period {
			v.periods = append(v.periods, row.Period)
			v.labels = append(v.labels, axisPeriod(row.Start.In(r.c.Eng.Location()), r.period))
		}
	}
	for _, g := range envOrder(r.c, r.rep) {
		counts := make([]int64, len(v.periods))
		for _, row := range r.rep.Rows {
			if row.Group == g {
				counts[slices.Index(v.periods, row.Period)] = row.Deployments
			}
		}
		v.groups = append(v.groups, volumeGroup{name: g, counts: counts})
	}
	title := fmt.Sprintf(" Deployments per %s by environment", r.period)
	if p := r.partial(true); p != "" {
		title += st.Dim.Render(fmt.Sprintf(" · %s* so far", p))
	}
	out := []string{common.Fit(st.PanelTitle.Render(title), w)}
	for _, l := range drawVolume(v, w, h-1) {
		if l.group >= 0 {
			out = append(out, l.head+r.envStyle(l.group).Render(l.bars)+l.tail)
		} else {
			out = append(out, st.Dim.Render(l.head+l.bars+l.tail))
		}
	}
	return strings.Join(out, "\n")
}

func (r *reports) envStyle(i int) lipgloss.Style {
	st := r.c.Styles
	return []lipgloss.Style{st.Accent, st.Good, st.Warn, st.Bad}[i%4]
}

// envOrder lists the report's environments in the path order of config.
func envOrder(c *common.Common, rep engine.Report) []string {
	seen := map[string]bool{}
	for _, t := range rep.Totals {
		seen[t.Group] = true
	}
	var out []string
	for _, e := range c.Eng.Config().Environments {
		if seen[e.Name] {
			out = append(out, e.Name)
		}
	}
	return out
}

// failures draws failed and rolled-back deployments per model over the range, as
// horizontal bars drawn here: ntcharts v2.0.0's horizontal bar chart leaves out the
// labels (it places its axis before it has data), and a bar without a model name
// says nothing.
func (r *reports) failures(w, h int) string {
	st := r.c.Styles
	var totals []engine.ReportRow
	labelW := 0
	var most int64
	for _, t := range r.rep.Totals {
		if t.Group != "all" {
			totals = append(totals, t)
			labelW = max(labelW, len(t.Group))
			most = max(most, t.Failed+t.RolledBack)
		}
	}
	// Of those finished, as the success rate counts: the planned, running and
	// cancelled ones have not failed, and counting them made a share that fell as
	// plans were added and did not add up with the table's SUCCESS.
	out := titled(st.PanelTitle.Render(" Failures by model"), "failed or rolled back / finished, planned in this range", st, w)
	if len(totals) == 0 {
		return strings.Join(out, "\n") + "\n" + st.Dim.Render(" no deployments in this range")
	}
	slices.SortStableFunc(totals, func(a, b engine.ReportRow) int {
		return int((b.Failed + b.RolledBack) - (a.Failed + a.RolledBack))
	})
	notes, noteW := make([]string, len(totals)), 0
	for i, t := range totals {
		finished := t.SuccessRate.D
		notes[i] = fmt.Sprintf(" %d failed, %d rolled back of %s finished (%.1f%%)", t.Failed, t.RolledBack,
			common.Thousands(int(finished)), share(t.Failed+t.RolledBack, finished))
		if w < 90 {
			notes[i] = fmt.Sprintf(" %d+%d of %s", t.Failed, t.RolledBack, common.Thousands(int(finished)))
		}
		noteW = max(noteW, len(notes[i]))
	}
	barW := max(4, w-labelW-3-noteW)
	for i, t := range totals {
		if len(out) >= h {
			break
		}
		out = append(out, fmt.Sprintf(" %-*s ", labelW, t.Group)+st.Bad.Render(hbar(t.Failed+t.RolledBack, most, barW))+
			st.Dim.Render(notes[i]))
	}
	return strings.Join(out, "\n")
}

// versions draws the success rate of each model version over the range, one bar per
// version on a scale that ends at 100%, the versions of a model one under the other:
// the measured effect of each change to a model, with its reviews' satisfaction.
func (r *reports) versions(w, h int) string {
	st := r.c.Styles
	out := titled(st.PanelTitle.Render(" Success rate by model version"), "succeeded / finished, planned in this range", st, w)
	var rows []engine.ReportRow
	labelW := 0
	for _, t := range r.rep.Totals {
		if t.Group != "all" && t.SuccessRate.Valid() {
			rows = append(rows, t)
			labelW = max(labelW, len(t.Group))
		}
	}
	if len(rows) == 0 {
		return strings.Join(out, "\n") + "\n" + st.Dim.Render(" no deployment finished in this range")
	}
	// The figures beside each bar, as long as the width lets them be whole: a phone
	// gets the short form rather than a satisfaction cut after its first digit.
	var notes []string
	noteW := 0
	for short := range 3 {
		notes, noteW = make([]string, len(rows)), 0
		for i, t := range rows {
			notes[i] = versionNote(t, short)
			noteW = max(noteW, ansi.StringWidth(notes[i]))
		}
		if w-labelW-3-noteW >= 8 {
			break
		}
	}
	barW := max(4, w-labelW-3-noteW)
	for i, t := range rows {
		if len(out) >= h {
			break
		}
		out = append(out, fmt.Sprintf(" %-*s ", labelW, t.Group)+st.Good.Render(hbar(t.SuccessRate.N*1000/t.SuccessRate.D, 1000, barW))+
			st.Dim.Render(notes[i]))
	}
	return strings.Join(out, "\n")
}

// titled is a chart's title and, after it, what it counts: on one line when they fit,
// else what it counts on a line of its own under the title (a phone cut "succeeded /
// finished, plan…", which is what the bars mean).
func titled(title, about string, st common.Styles, w int) []string {
	if lipgloss.Width(title)+3+lipgloss.Width(about) <= w {
		return []string{title + st.Dim.Render(" · "+about)}
	}
	out := []string{common.Fit(title, w)}
	for _, l := range common.Wrap(about, max(10, w-2)) {
		out = append(out, " "+st.Dim.Render(l))
	}
	return out
}

// versionNote is the figures beside a version's bar: in full (short 0), without the
// satisfaction's count (1), or the rate and satisfaction alone (2).
func versionNote(t engine.ReportRow, short int) string {
	out := fmt.Sprintf(" %.1f%%", t.SuccessRate.Pct())
	if short < 2 {
		out += " of " + common.Thousands(int(t.SuccessRate.D))
	}
	if t.Satisfaction.N > 0 {
		switch short {
		case 0:
			out += fmt.Sprintf(" · satisfaction %.1f (%d)", t.Satisfaction.Value(), t.Satisfaction.N)
		default:
			out += fmt.Sprintf(" · sat. %.1f", t.Satisfaction.Value())
		}
	}
	return out
}

// share is n of d as a percentage, 0 when d is 0.
func share(n, d int64) float64 {
	if d == 0 {
		return 0
	}
	return 100 * float64(n) / float64(d)
}

// hbar is a bar of v on a scale where most fills w cells, in eighths of a cell,
// padded to w.
func hbar(v, most int64, w int) string {
	if most <= 0 {
		return strings.Repeat(" ", w)
	}
	eighths := int(v * int64(w) * 8 / most)
	bar := strings.Repeat("█", eighths/8)
	if rest := eighths % 8; rest > 0 {
		bar += string([]rune("▏▎▍▌▋▊▉")[rest-1])
	}
	return bar + strings.Repeat(" ", w-utf8.RuneCountInString(bar))
}
