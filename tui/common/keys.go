package common

import (
	"strings"

	"charm.land/bubbles/v2/key"

	"ferry/engine"
)

// KeyMap holds the console's global keys and the ones pages share.
type KeyMap struct {
	Quit, Help, Next, Prev, Refresh, Back, Open, Up, Down, Plan key.Binding
	Export                                                      key.Binding // History and Reports: what is in view, to a file
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
		Export:  key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export")),
		Screens: []key.Binding{
			key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "dashboard")),
			key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "history")),
			key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "schedule")),
			key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "conflicts")),
			key.NewBinding(key.WithKeys("5"), key.WithHelp("5", "reports")),
			key.NewBinding(key.WithKeys("6"), key.WithHelp("6", "where")),
		},
	}
}

// Key is a key a page has, and why the person may not use it now ("" when they may).
// Help lists every key a page has: the footer line only those that are on (it has
// room for few), the full help the others too, with their reason, as lazygit's
// keybindings menu does. Pressing a key that is off shows its reason and does
// nothing else.
type Key struct {
	key.Binding
	Off string
}

// On is b, usable now.
func On(b key.Binding) Key { return Key{Binding: b} }

// OffFor is b, off for why; on when why is "".
func OffFor(b key.Binding, why string) Key { return Key{b, why} }

// Arrows are ↑ and ↓ over a list of n entries, both off with why when it is empty:
// there is nothing to move among. The footer shows the two together or neither.
func (c *Common) Arrows(n int, why string) []Key {
	up, down := On(c.Keys.Up), On(c.Keys.Down)
	if n == 0 {
		up.Off, down.Off = why, why
	}
	return []Key{up, down}
}

// Why is the reason err gives, "" for none: the engine's refusal as a key's Off.
func Why(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// PlanKey is p, off for a person the engine does not let plan.
func (c *Common) PlanKey() Key {
	return Key{c.Keys.Plan, Why(engine.Can(c.Actor, engine.ActPlan, nil))}
}

// ExportKey is x, off in a session over SSH: the file would land on the server, where
// the person cannot reach it and the server's account could overwrite its own files.
// The reason names the command that exports the same from the person's own machine:
// args are the CLI's (history --search power --format csv), run over this session's
// SSH address; "ssh HOST -- history … (or report)" left the person to work out the
// port, the user and the flags for the filters they had just set.
func (c *Common) ExportKey(args ...string) Key {
	k := On(c.Keys.Export)
	if c.Remote {
		k.Off = "over SSH a file would be written on the server: export from your own machine instead: " +
			c.RemoteCommand(args...) + " > FILE"
	}
	return k
}

// RemoteCommand is the ssh command line that runs the ferry command args over this
// session's address, quoted for a POSIX shell on the person's side and for the
// server's splitting of it.
func (c *Common) RemoteCommand(args ...string) string {
	target := c.SSH
	if target == "" {
		target = "ssh HOST"
	}
	quoted := false
	words := make([]string, len(args))
	for i, a := range args {
		words[i] = a
		if a == "" || strings.ContainsFunc(a, func(r rune) bool { return !plainShellRune(r) }) {
			words[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(a) + `"`
			quoted = true
		}
	}
	remote := strings.Join(words, " ")
	if quoted { // the person's shell must leave the server's quotes alone
		remote = "'" + strings.ReplaceAll(remote, "'", `'\''`) + "'"
	}
	return target + " -- " + remote
}

func plainShellRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)
}
