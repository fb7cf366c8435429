package common

import "charm.land/bubbles/v2/key"

// KeyMap holds the console's global keys and the ones pages share.
type KeyMap struct {
	Quit, Help, Next, Prev, Refresh, Back, Open, Up, Down, Plan key.Binding
	Screens                                                     []key.Binding
}

// DefaultKeyMap is the console's standard keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Next:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		Prev:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),
		Refresh: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh")),
		Back:    key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back")),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Plan:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "plan")),
		Screens: []key.Binding{
			key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "dashboard")),
			key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "history")),
			key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "schedule")),
			key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "conflicts")),
			key.NewBinding(key.WithKeys("5"), key.WithHelp("5", "reports")),
		},
	}
}
