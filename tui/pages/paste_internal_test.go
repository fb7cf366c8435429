package pages

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"ferry/tui/components"
)

// pasted is n bytes of text as a terminal sends a paste without bracketed paste: a
// key a character. The text is no version anyone would type, only a lot of it.
func pasted(n int) []tea.KeyPressMsg {
	text := strings.Repeat("4.12.0-rc1 ", n/11+1)[:n]
	keys := make([]tea.KeyPressMsg, 0, n)
	for _, r := range text {
		keys = append(keys, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return keys
}

// planAtVersion is the plan form of a session of ana's, its model chosen, with the
// Version field focused.
func planAtVersion(t testing.TB) *planForm {
	t.Helper()
	p := NewPlan(newTestCommon(t, "ana")).(*planForm)
	p.modelChosen = true
	p.build()
	p.SetSize(120, 35)
	p.started = true
	p.form.Init()
	p.form.NextField() // from the component to the version
	if in, ok := p.form.GetFocusedField().(*huh.Input); !ok || in.GetKey() != "version" {
		t.Fatalf("the version field should be focused: %T", p.form.GetFocusedField())
	}
	return p
}

// type hands the keys to the form as the console does, dropping the commands: the
// previews they would ask for are not what is measured.
func (p *planForm) typeKeys(keys []tea.KeyPressMsg) {
	for _, k := range keys {
		p.Update(k)
	}
}

// A paste into a text field is cut at the field's limit, and the field says it is
// full: typed a key at a time, or pasted in one piece (bracketed paste).
func TestPasteIsCutAtTheFieldLimit(t *testing.T) {
	t.Parallel()
	p := planAtVersion(t)
	p.typeKeys(pasted(10_000))
	want := string(strings.Repeat("4.12.0-rc1 ", 10)[:components.ShortText])
	if p.v.version != want {
		t.Errorf("version holds %d characters, want the first %d: %q", utf8.RuneCountInString(p.v.version), components.ShortText, p.v.version)
	}
	if got := ansi.Strip(p.View()); !strings.Contains(got, "Version  ✗ full: at most 100 characters") {
		t.Errorf("the field should say it is full:\n%s", got)
	}
	p.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	if got := ansi.Strip(p.View()); strings.Contains(got, "full: at most") || utf8.RuneCountInString(p.v.version) != 99 {
		t.Errorf("after a backspace the field is no longer full (%d):\n%s", utf8.RuneCountInString(p.v.version), got)
	}
	p.Update(tea.PasteMsg{Content: strings.Repeat("x", 60_000)})
	if n := utf8.RuneCountInString(p.v.version); n != components.ShortText {
		t.Errorf("a bracketed paste left %d characters, want %d", n, components.ShortText)
	}

	// A field of its own (a reason): the same, and the line below it says so.
	c := newTestCommon(t, "ana")
	det, err := c.Eng.Deployment(c.Ctx, c.Actor, 3)
	if err != nil {
		t.Fatal(err)
	}
	ask := newCancelPage(c, det.Deployment)
	ask.SetSize(100, 30)
	ask.Refresh()
	for _, k := range pasted(10_000) {
		ask.Update(k)
	}
	if n := utf8.RuneCountInString(ask.input.Value()); n != components.LongText {
		t.Errorf("the reason holds %d characters, want %d", n, components.LongText)
	}
	if got := ansi.Strip(ask.View()); !strings.Contains(got, "✗ full: at most 300 characters") {
		t.Errorf("the reason should say it is full:\n%s", got)
	}
}

// BenchmarkPasteIntoAField pastes 10 KB and 60 KB, a key a character, into the plan
// form's Version field: the cost grows with the length of the paste, at most (the
// ratio of the two is at most 6; it was about 12, and 10 KB took seconds).
func BenchmarkPasteIntoAField(b *testing.B) {
	for _, size := range []int{10_000, 60_000} {
		keys := pasted(size)
		b.Run(fmt.Sprintf("%dKB", size/1000), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				p := planAtVersion(b)
				b.StartTimer()
				p.typeKeys(keys)
			}
		})
	}
}
