package pages

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"ferry/tui/components"
)

// esc while a save is on its way leaves the form open: the save's answer comes to
// the page, and a refusal closed with it was lost without a word. Saved, esc leaves.
func TestEscWaitsForTheSave(t *testing.T) {
	c := newTestCommon(t, "ana")
	var summary string
	p := newFormPage(&summary)
	p.errs = components.NewFieldErrors(c)
	p.setForm(c, huh.NewGroup(p.errs.Input("summary", "Summary", &summary)))
	p.Refresh()
	esc := tea.KeyPressMsg{Code: tea.KeyEscape}
	p.saving = true
	if cmd, _ := p.take(esc); isBack(cmd) {
		t.Fatal("esc while saving closed the form")
	}
	p.saving, p.done = false, true
	if cmd, _ := p.take(esc); !isBack(cmd) {
		t.Fatal("esc once saved should leave")
	}
}
