package pages

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"ferry/models"
	"ferry/tui/common"
)

// myWorkLimit is how many unfinished deployments "My work" lists; a technician has a
// handful, so one page is plenty.
const myWorkLimit = 50

// workItem is one deployment on "My work", with what the list needs to know about its
// steps: the first blocked one, if any.
type workItem struct {
	d       models.Deployment
	blocked *models.StepRun
}

// mywork is the technician's first screen: the unfinished deployments assigned to
// them, oldest window first, each with its environment, window and checklist
// progress; enter opens its checklist, where the work is done.
type mywork struct {
	c        *common.Common
	items    []workItem
	cursor   int
	selected int64 // kept across refreshes
	loaded   bool
	w, h     int
	keys     struct{ Checklist key.Binding }
}

type myworkMsg struct {
	items []workItem
	err   error
}

// NewMyWork is a technician's first screen: the work assigned to them.
func NewMyWork(c *common.Common) common.Page {
	m := &mywork{c: c}
	m.keys.Checklist = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "checklist"))
	return m
}

func (m *mywork) Title() string {
	if !m.loaded {
		return "My work"
	}
	return fmt.Sprintf("My work (%d)", len(m.items))
}

func (m *mywork) Capturing() bool  { return false }
func (m *mywork) SetSize(w, h int) { m.w, m.h = w, h }

func (m *mywork) ShortHelp() []common.Key {
	k := m.c.Keys
	open := common.On(m.keys.Checklist)
	if len(m.items) == 0 {
		open.Off = "nothing is assigned to you"
	}
	return []common.Key{open, common.On(k.Up), common.On(k.Down)}
}

func (m *mywork) FullHelp() [][]common.Key { return [][]common.Key{m.ShortHelp()} }

// Refresh loads the person's unfinished deployments, and the steps of each to find
// a blocked one. The engine restricts technicians to their own; the filter says so
// for everyone else who opens this screen.
func (m *mywork) Refresh() tea.Cmd {
	c := m.c
	return func() tea.Msg {
		rows, blocked, err := c.Eng.OpenWork(c.Ctx, c.Actor, myWorkLimit)
		common.Clean(&rows)
		common.Clean(&blocked)
		if err != nil {
			return myworkMsg{err: err}
		}
		items := make([]workItem, 0, len(rows))
		for _, d := range rows {
			it := workItem{d: d}
			for i := range blocked {
				if blocked[i].Deployment.ID == d.ID {
					it.blocked = &blocked[i].Step
					break
				}
			}
			items = append(items, it)
		}
		return myworkMsg{items: items}
	}
}

func (m *mywork) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case myworkMsg:
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		m.items, m.loaded = msg.items, true
		m.cursor = 0
		for i, it := range m.items {
			if it.d.ID == m.selected {
				m.cursor = i
			}
		}
		m.remember()
	case tea.KeyPressMsg:
		k := m.c.Keys
		switch {
		case key.Matches(msg, k.Up):
			m.cursor = max(0, m.cursor-1)
		case key.Matches(msg, k.Down):
			m.cursor = min(len(m.items)-1, m.cursor+1)
		case key.Matches(msg, k.Open):
			if len(m.items) > 0 { // a technician's work is the checklist: land on it
				return common.Push(NewChecklist(m.c, m.items[m.cursor].d.ID))
			}
		}
		m.cursor = max(0, m.cursor)
		m.remember()
	}
	return nil
}

func (m *mywork) remember() {
	if m.cursor < len(m.items) {
		m.selected = m.items[m.cursor].d.ID
	}
}

// when is the window's start: the time alone today, else the day and time.
func (m *mywork) when(t time.Time) string {
	now := m.c.Eng.Now().In(m.c.Eng.Location())
	lt := t.In(m.c.Eng.Location())
	if lt.Year() == now.Year() && lt.YearDay() == now.YearDay() {
		return lt.Format("15:04")
	}
	return lt.Format("Mon 2 15:04")
}

func (m *mywork) View() string {
	st := m.c.Styles
	w := max(m.w, 20)
	if !m.loaded {
		return st.Dim.Render(" loading…")
	}
	if len(m.items) == 0 {
		return " " + st.Good.Render("Nothing assigned to you.") + "\n " +
			st.Dim.Render("New work shows up here by itself.")
	}
	// The list takes what the summary of the selection below leaves.
	const summary = 5
	listH := max(1, m.h-summary)
	first := 0
	if m.cursor >= listH {
		first = m.cursor - listH + 1
	}
	var lines []string
	for i := first; i < len(m.items) && i < first+listH; i++ {
		lines = append(lines, m.row(m.items[i], i == m.cursor, w))
	}
	if m.h > summary {
		for len(lines) < listH {
			lines = append(lines, "")
		}
		lines = append(lines, st.Border.Render(strings.Repeat("─", w)))
		lines = append(lines, m.summary(m.items[m.cursor], w)...)
	}
	return strings.Join(lines, "\n")
}

// row is "▸ #48217 rack-b07-db-server → production   6/14  BLOCKED": what and where
// on the left, cut to fit; progress and the window (or BLOCKED) on the right.
// whenWidth fits the longest "when": "Sat 28 23:55".
const whenWidth = 12

func (m *mywork) row(it workItem, sel bool, w int) string {
	st := m.c.Styles
	d := it.d
	mark := "  "
	if sel {
		mark = st.Accent.Render("▸ ")
	}
	right := fmt.Sprintf("%5s  ", fmt.Sprintf("%d/%d", d.StepsDone, d.StepsTotal))
	switch {
	case it.blocked != nil:
		right += st.Bad.Render(fmt.Sprintf("%-*s", whenWidth, "BLOCKED"))
	case d.Status.Running() && !m.c.Eng.Now().Before(d.ScheduledEnd):
		right += st.Warn.Render(fmt.Sprintf("%-*s", whenWidth, "OVERRUNNING"))
	case d.Status.Running():
		right += st.Warn.Render(fmt.Sprintf("%-*s", whenWidth, "in progress"))
	default:
		right += fmt.Sprintf("%-*s", whenWidth, m.when(d.ScheduledStart))
	}
	left := fmt.Sprintf("#%d %s → %s", d.ID, d.Component, d.Environment)
	if sel {
		left = st.Bold.Render(left)
	}
	return mark + common.Fit(left, w-2-whenWidth-7-1) + " " + right
}

// summary describes the selected deployment in four lines under the list.
func (m *mywork) summary(it workItem, w int) []string {
	st := m.c.Styles
	d := it.d
	c := m.c
	out := []string{
		common.Fit(fmt.Sprintf(" #%d %s %s → %s", d.ID, d.Component, d.Version, d.Environment), w),
		common.Fit(st.Dim.Render(" window ")+c.Local(d.ScheduledStart, "Mon 2 Jan 15:04")+"–"+
			c.Local(d.ScheduledEnd, "15:04")+st.Dim.Render(" · ")+d.Status.Label(), w),
		common.Fit(st.Dim.Render(" checklist ")+common.Progress(d.StepsDone, d.StepsTotal), w),
	}
	if it.blocked != nil {
		// The reason first: the step's name may not fit on a phone.
		why := fmt.Sprintf("step %d %s", it.blocked.Seq, it.blocked.Step.Name)
		if it.blocked.Note != "" {
			why = it.blocked.Note + st.Dim.Render(" · "+why)
		}
		out = append(out, common.Fit(" "+st.Bad.Render("BLOCKED ")+why, w))
	} else {
		out = append(out, common.Fit(st.Dim.Render(" enter opens its checklist"), w))
	}
	return out
}
