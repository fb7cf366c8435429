package tui

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/tui/common"
)

// The console reloads what it shows within changeEvery of a change made anywhere
// (it polls a cheap change mark), and every refreshEvery regardless, for what time
// alone changes (overdue, the clock).
const (
	changeEvery  = time.Second
	refreshEvery = 30 * time.Second
)

// dueEvery is how often a console starts the fully automated deployments whose
// window has begun (ferry run-due does the same from cron).
const dueEvery = 30 * time.Second

func tick() tea.Cmd { return tea.Tick(refreshEvery, func(time.Time) tea.Msg { return refreshMsg{} }) }

// markMsg carries the change mark a watch read (or why it could not).
type markMsg struct {
	mark int64
	err  error
}

// watch reads the change mark after changeEvery.
func (m *Model) watch() tea.Cmd {
	c := m.c
	return tea.Tick(changeEvery, func(time.Time) tea.Msg {
		mark, err := c.Eng.ChangeMark(c.Ctx)
		return markMsg{mark, err}
	})
}

// refreshMsg is the periodic tick that keeps data fresh.
type refreshMsg struct{}

// dueMsg is the periodic tick that starts due automated deployments.
type dueMsg struct{}

// dueRunMsg says which due deployments this console started and how they ended.
type dueRunMsg struct{ runs []engine.DueRun }

func dueTick() tea.Cmd { return tea.Tick(dueEvery, func(time.Time) tea.Msg { return dueMsg{} }) }

// runDue starts due automated deployments in the background, if the person may run
// deployments; the runs go on in this command's goroutine while the console works.
func (m *Model) runDue() tea.Cmd {
	if !m.c.RunsDue || engine.Can(m.c.Actor, engine.ActRun, nil) != nil {
		return nil
	}
	c := m.c
	return func() tea.Msg {
		runs, err := c.Eng.RunDue(c.Ctx, c.Actor, engine.RunOptions{})
		if err != nil {
			return common.ErrMsg{Err: err}
		}
		return dueRunMsg{runs}
	}
}

// recoverRuns marks the steps whose runner died as interrupted (as the CLI does when
// it starts), so no screen shows a dead run as running; pages reload if it did.
func (m *Model) recoverRuns() tea.Cmd {
	c := m.c
	return func() tea.Msg {
		rec, err := c.Eng.RecoverInterrupted(c.Ctx)
		switch {
		case err != nil:
			return common.ErrMsg{Err: err}
		case len(rec) > 0:
			return common.ChangedMsg{}
		}
		return nil
	}
}

// timer handles the root's periodic messages: reload what is shown, watch for
// changes made elsewhere, start due automated deployments.
func (m *Model) timer(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case refreshMsg:
		return tea.Batch(m.refreshShown(), tick())
	case markMsg:
		if msg.err != nil { // keep watching: the next read may well succeed
			m.err = msg.err
			return m.watch()
		}
		// The first read has nothing to compare with: what changed between the first
		// load and this read would stay unseen until the next refresh, so reload.
		changed := msg.mark != m.mark
		m.mark = msg.mark
		if changed {
			return tea.Batch(m.refreshShown(), m.watch())
		}
		return m.watch()
	case dueMsg:
		return tea.Batch(m.recoverRuns(), m.runDue(), dueTick())
	case dueRunMsg:
		started := 0
		for _, r := range msg.runs {
			if r.Skipped == "" {
				started++
			}
		}
		if started > 0 {
			m.note = common.NoteMsg{Mark: "▸", Text: fmt.Sprintf("started %d due automated deployment%s", started, common.Plural(started))}
		}
		return m.refresh(m.top())
	}
	return nil
}

// refreshShown reloads what the screen shows: the page on top, and the tabs whose
// titles in the header count their data (My work's count, while History is on top).
func (m *Model) refreshShown() tea.Cmd {
	top := m.top()
	cmds := []tea.Cmd{m.refresh(top)}
	for _, t := range m.tabs {
		if _, ok := t.page.(common.Counter); ok && t.id != top.id {
			cmds = append(cmds, m.refresh(t.entry))
		}
	}
	return tea.Batch(cmds...)
}
