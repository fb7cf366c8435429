package common

import (
	tea "charm.land/bubbletea/v2"

	"ferry/models"
)

// Page is one screen of the console: a tab (Dashboard, History…) or a page opened
// over one (a deployment, its checklist, a panel). The root gives it its size and
// the messages meant for it.
type Page interface {
	Title() string
	// ShortHelp is the keys for the footer line, most useful first (those that are
	// off are left out there); FullHelp is every key the page has, in groups.
	ShortHelp() []Key
	FullHelp() [][]Key
	SetSize(w, h int)
	Update(tea.Msg) tea.Cmd
	View() string
	Refresh() tea.Cmd // reload its data in the background
	Capturing() bool  // a text field has focus: plain keys belong to it
}

// Unmoved is a page that can tell a key (or a paste) changes nothing it shows: a
// character typed into a text field that is full. The root then leaves everything
// as it is and draws nothing anew, so a pasted megabyte costs next to nothing past
// the field's limit (the program draws the whole console after every message).
type Unmoved interface{ Unmoved(tea.Msg) bool }

// Counter is a tab whose title counts its data ("My work (2)"): the root reloads it
// at every change made anywhere, whichever page is on top, so the header's count
// follows the data and not the last visit.
type Counter interface{ CountsInTitle() }

// Restyler is a page that keeps styled parts (a table, a text field): it takes the
// session's styles again when they change, once the terminal said its background.
type Restyler interface{ Restyle() }

// HelpNoter is a page whose full help (?) ends with notes of its own, in lines of
// at most w cells: what its words mean, for a person with no README at hand (over
// SSH, on a phone).
type HelpNoter interface{ HelpNotes(w int) []string }

// Messages pages send the root, which handles them whichever page sent them.
type (
	// PushMsg opens Page over the one on top: a deployment, its checklist, a
	// panel. esc (or BackMsg) returns to the page below.
	PushMsg struct{ Page Page }
	// BackMsg closes the page on top and returns to the one below.
	BackMsg struct{}
	// NoteMsg shows a short note in the footer after Mark: ✓ for a confirmation
	// (Note), another glyph for what is not one (NoteAs): ▸ work under way, … a
	// wait, a finished run's status glyph.
	NoteMsg struct{ Text, Mark string }
	// ErrMsg reports a failure in the footer.
	ErrMsg struct{ Err error }
	// ChangedMsg says data changed (a reschedule, an override): pages reload.
	ChangedMsg struct{}
	// SettledMsg says a failure a page reported is over (a reload that failed
	// works again): the footer drops it if it still shows that one, Text.
	SettledMsg struct{ Text string }
	// PlannedMsg tells the page a plan form was opened over that Deployment was just
	// planned: a list that can show it selects it (see DonePlanned).
	PlannedMsg struct{ Deployment models.Deployment }
	// TopMsg hands Msg to the page on top when it arrives, whichever page sent it:
	// a form that closed tells the page it was opened over what it made (see
	// DonePlanned), which selects it if it can.
	TopMsg struct{ Msg tea.Msg }
)

// Push asks the root to open p over the page on top.
func Push(p Page) tea.Cmd { return func() tea.Msg { return PushMsg{p} } }

// ReplaceMsg asks the root to close the page on top, which asked, and open Page in
// its place: a form whose act made something new shows it.
type ReplaceMsg struct{ Page Page }

// Replace closes the page on top and opens p where it was, tells the pages data
// changed, and notes what happened: Done, going on to what the act made.
func Replace(p Page, note string) tea.Cmd {
	return tea.Batch(func() tea.Msg { return ReplaceMsg{p} }, func() tea.Msg { return ChangedMsg{} }, Note(note))
}

// Back asks the root to close the page on top.
func Back() tea.Msg { return BackMsg{} }

// Note confirms text in the footer, marked ✓.
func Note(text string) tea.Cmd { return NoteAs("✓", text) }

// NoteAs shows text in the footer after mark.
func NoteAs(mark, text string) tea.Cmd {
	return func() tea.Msg { return NoteMsg{Text: text, Mark: mark} }
}

// Fail shows err in the footer.
func Fail(err error) tea.Cmd { return func() tea.Msg { return ErrMsg{err} } }

// Settled takes the failure text a page reported off the footer, if it still shows
// it (see SettledMsg).
func Settled(text string) tea.Cmd { return func() tea.Msg { return SettledMsg{text} } }

// Done closes the page on top, tells the pages data changed, and notes what
// happened.
func Done(note string) tea.Cmd {
	return tea.Batch(Back, func() tea.Msg { return ChangedMsg{} }, Note(note))
}

// DonePlanned is Done for a form that planned d: then the page it was opened over,
// on top again, is told (PlannedMsg), so History or the Schedule can select what was
// just planned rather than leave the person to look for it. In sequence: the page
// must be on top when it is told.
func DonePlanned(note string, d models.Deployment) tea.Cmd {
	return tea.Sequence(Back, func() tea.Msg { return ChangedMsg{} }, Note(note),
		func() tea.Msg { return PlannedMsg{d} })
}
