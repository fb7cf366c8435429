package components

import (
	"errors"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"ferry/tui/common"
)

func letter(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Text: string(r)} }

// Keys typed after tab, before the form has moved to the next field (a quick typist,
// keys sent in one burst over SSH), go to the next field, not the one left; a value
// the field refuses keeps them where they are.
func TestKeysAfterTabWaitForTheMove(t *testing.T) {
	c := &common.Common{Styles: common.NewStyles(true)}
	fe := NewFieldErrors(c)
	var version, env string
	f := huh.NewForm(huh.NewGroup(
		fe.Input("version", "Version", &version).Validate(func(s string) error {
			if s == "bad" {
				return errors.New("not a version")
			}
			return nil
		}),
		fe.Input("env", "Environment", &env))).WithKeyMap(FormKeys())
	f.Init()
	typ := func(msgs ...tea.Msg) {
		for _, msg := range msgs {
			f, _ = fe.Step(f, msg)
		}
	}
	word := func(s string) {
		for _, r := range s {
			typ(letter(r))
		}
	}
	// The field's tab asks for huh.NextField, which Bubble Tea delivers after the keys
	// already on their way.
	word("1.2")
	typ(tea.KeyPressMsg{Code: tea.KeyTab})
	word("prod")
	if version != "1.2" || env != "" {
		t.Fatalf("before the move: version %q, environment %q", version, env)
	}
	typ(huh.NextField())
	if version != "1.2" || env != "prod" {
		t.Fatalf("version %q, environment %q: want 1.2 and prod", version, env)
	}
	// Back to the version, which refuses "bad": a refused tab moves nowhere, and what
	// follows goes on into the field.
	typ(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}, letter('x'))
	typ(huh.PrevField())
	if version != "1.2x" || env != "prod" {
		t.Fatalf("a key typed before the move back: version %q, environment %q", version, env)
	}
	for range 4 {
		typ(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	word("bad")
	typ(tea.KeyPressMsg{Code: tea.KeyTab})
	word("!")
	if version != "bad!" || env != "prod" {
		t.Fatalf("after a refused tab: version %q, environment %q", version, env)
	}
}
