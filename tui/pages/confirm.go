package pages

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"ferry/tui/common"
)

// confirm is a y/n question a page asks before an act that is hard to take back (a
// step run again that may have partly run, optional items skipped): y does the act,
// any other key lets it go.
type confirm struct {
	question string
	then     func() tea.Cmd
}

func (c *confirm) ask(question string, then func() tea.Cmd) { c.question, c.then = question, then }

// asking reports whether the question waits for its answer; the page's keys wait too.
func (c confirm) asking() bool { return c.question != "" }

// answer takes the key that answers the question: the act when it is yes.
func (c *confirm) answer(msg tea.KeyPressMsg, yes key.Binding) tea.Cmd {
	then := c.then
	*c = confirm{}
	if key.Matches(msg, yes) {
		return then()
	}
	return nil
}

// lines is the question wrapped to w cells, each line painted on its own.
func (c confirm) lines(st common.Styles, w int) []string {
	return common.Hanging(" ", c.question, w-1, st.Warn)
}
