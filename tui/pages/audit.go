package pages

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/tui/common"
)

// auditScreen is the audit log: the organisation's record (configuration changes in
// words, keys added and revoked), newest last; e adds every deployment's events.
type auditScreen struct {
	c      *common.Common
	log    []engine.LogEntry
	loaded bool
	events bool // the deployments' events too
	off    int  // lines scrolled up from the end
	w, h   int
	keys   struct{ Events key.Binding }
}

type auditMsg struct {
	log []engine.LogEntry
	err error
}

// NewAudit is the audit log page, reached from Reports.
func NewAudit(c *common.Common) common.Page {
	s := &auditScreen{c: c}
	s.keys.Events = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "deployments' events too"))
	return s
}

func (s *auditScreen) Title() string    { return "audit log" }
func (s *auditScreen) Capturing() bool  { return false }
func (s *auditScreen) SetSize(w, h int) { s.w, s.h = w, h }
func (s *auditScreen) ShortHelp() []common.Key {
	events := s.keys.Events
	if s.events { // the key says what it does now: it toggles
		events.SetHelp("e", "organisation's record only")
	}
	return []common.Key{common.On(s.c.Keys.Up), common.On(s.c.Keys.Down), common.On(events), common.On(s.c.Keys.Back)}
}
func (s *auditScreen) FullHelp() [][]common.Key { return [][]common.Key{s.ShortHelp()} }

func (s *auditScreen) Refresh() tea.Cmd {
	c, events := s.c, s.events
	return func() tea.Msg {
		log, err := c.Eng.AuditLog(c.Ctx, c.Actor, engine.AuditQuery{Events: events, Limit: 200})
		common.Clean(&log) // stored text is shown, never obeyed
		return auditMsg{log, err}
	}
}

func (s *auditScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case auditMsg:
		if msg.err != nil {
			return tea.Batch(common.Back, common.Fail(msg.err))
		}
		s.log, s.loaded = msg.log, true
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, s.c.Keys.Up):
			if s.shown(s.off) > 0 { // entries above the screen
				s.off++
			}
		case key.Matches(msg, s.c.Keys.Down):
			s.off = max(0, s.off-1)
		case key.Matches(msg, s.keys.Events):
			s.events, s.off = !s.events, 0
			return s.Refresh()
		}
	}
	return nil
}

func (s *auditScreen) View() string {
	st := s.c.Styles
	if !s.loaded {
		return st.Dim.Render(" loading the audit log…")
	}
	head := " The organisation's record: configuration changes, SSH keys added and revoked"
	if s.events {
		head = " The whole record, newest last: the organisation's and the deployments'"
	}
	head = common.Fit(head, s.w)
	if len(s.log) == 0 {
		return head + "\n\n " + st.Dim.Render("Nothing recorded yet.")
	}
	off := min(s.off, len(s.log)-1) // a reload may hold fewer
	var lines []string
	for _, l := range s.log[s.shown(off) : len(s.log)-off] {
		lines = append(lines, s.entryLines(l)...)
	}
	room := max(1, s.h-2)
	return strings.Join(append([]string{st.Bold.Render(head), ""}, lines[max(0, len(lines)-room):]...), "\n")
}

// shown is the first entry shown with off entries hidden below: the screen is
// scrolled by entries, so it never opens in the middle of one; from the last shown
// back, as many whole entries as fit.
func (s *auditScreen) shown(off int) int {
	room, n := max(1, s.h-2), 0
	i := len(s.log) - off
	for i > 0 {
		h := len(s.entryLines(s.log[i-1]))
		if n > 0 && n+h > room {
			break
		}
		n, i = n+h, i-1
	}
	return i
}

// entryLines is one entry of the log, wrapped under its text.
func (s *auditScreen) entryLines(l engine.LogEntry) []string {
	st := s.c.Styles
	whereW := 13 // "organisation"
	if s.w < 80 {
		whereW = 7 // "org", "#12345"
	}
	lead := 1 + 12 + 2 + whereW + 1
	where := "organisation"
	if whereW < 13 {
		where = "org"
	}
	if l.DeploymentID != 0 {
		where = fmt.Sprintf("#%d", l.DeploymentID)
	}
	who := l.Actor
	if l.Principal != "" && l.Principal != l.Actor {
		who += " (" + l.Principal + ")"
	}
	typ, detail := l.Words()
	text := typ + " · " + who + ": " + detail
	row := " " + st.Dim.Render(common.Fit(s.c.AtIn(l.At, 12), 12)) + "  " + common.Fit(where, whereW) + " " +
		common.Hang(text, s.w-lead, lead)
	return strings.Split(row, "\n")
}
