package tui

import (
	"reflect"

	tea "charm.land/bubbletea/v2"

	"ferry/tui/common"
)

// A page's commands run in the background; what they send comes back to the page
// that asked, and to no other: the root wraps each command a page returns so that its
// message arrives addressed (routed). A page therefore never checks whether a reply
// is its own, and two pages of the same kind (two deployments on the stack) never
// take each other's data.

// routed is a message a command of page `to` sent.
type routed struct {
	to  int
	msg tea.Msg
}

// route addresses what cmd sends to page id.
func route(id int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg { return address(id, cmd()) }
}

// address wraps msg for page id. A batch or sequence of commands is rebuilt with
// each command routed; the program's own messages (quit, a request for the window
// size) go to it unwrapped, since it acts on them before any Update sees them.
func address(id int, msg tea.Msg) tea.Msg {
	if msg == nil {
		return nil
	}
	if cmds, ok := commands(id, msg); ok {
		return cmds
	}
	if fromProgram(msg) {
		return msg
	}
	return routed{id, msg}
}

var (
	cmdType = reflect.TypeFor[tea.Cmd]()
	teaPkg  = reflect.TypeFor[tea.QuitMsg]().PkgPath()
)

// commands rebuilds a message that is a list of commands (tea.BatchMsg, or
// tea.Sequence's, whose type is unexported: huh's forms send one from Init) with
// every command routed to id.
func commands(id int, msg tea.Msg) (tea.Msg, bool) {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().Elem() != cmdType {
		return nil, false
	}
	out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	for i := range v.Len() {
		cmd, _ := v.Index(i).Interface().(tea.Cmd)
		out.Index(i).Set(reflect.ValueOf(route(id, cmd)))
	}
	return out.Interface(), true
}

// fromProgram reports whether msg is one of Bubble Tea's own.
func fromProgram(msg tea.Msg) bool {
	t := reflect.TypeOf(msg)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() == teaPkg
}

// deliver hands msg, which page `from` asked for, to the root if it is meant for it,
// else to that page; a page that closed meanwhile gets nothing.
func (m *Model) deliver(from int, msg tea.Msg) tea.Cmd {
	if cmd, ok := m.forRoot(from, msg); ok {
		return cmd
	}
	e, ok := m.find(from)
	if !ok {
		return nil
	}
	return route(e.id, e.page.Update(msg))
}

// forRoot handles the messages pages send the root, whichever page sent them (from;
// 0 when nobody knows). Only the page on top opens another: a page below it was
// left, and what it asked for is not what the person looks at now.
func (m *Model) forRoot(from int, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case common.PushMsg:
		if from != 0 && from != m.top().id {
			return nil, true
		}
		return m.push(msg.Page), true
	case common.ReplaceMsg: // as a push: only the page on top, which is closed first
		if from != 0 && from != m.top().id {
			return nil, true
		}
		return tea.Batch(m.closeFrom(len(m.stack)-1), m.push(msg.Page)), true
	case common.BackMsg:
		if from == 0 {
			return m.closeFrom(len(m.stack) - 1), true
		}
		return m.closePage(from), true
	case common.ChangedMsg:
		return m.refreshShown(), true
	case common.PlannedMsg: // for the page on top now, the one the form was opened over
		top := m.top()
		return route(top.id, top.page.Update(msg)), true
	case common.TopMsg:
		top := m.top()
		return route(top.id, top.page.Update(msg.Msg)), true
	case common.NoteMsg: // the newest message is the one shown: a run's outcome
		m.note, m.err = msg, nil // replaces the refusal of a key pressed while it ran
		return nil, true
	case common.ErrMsg:
		m.err, m.note = msg.Err, common.NoteMsg{}
		return nil, true
	case common.SettledMsg: // only that failure: a newer message stays
		if m.err != nil && m.err.Error() == msg.Text {
			m.err = nil
		}
		return nil, true
	}
	return nil, false
}
