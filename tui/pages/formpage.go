package pages

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"ferry/tui/common"
	"ferry/tui/components"
)

// formPage is what a page that holds one huh form and nothing else to reload shares
// with the others like it (a review, an incident): its size, its keys (enter goes
// on and saves, esc leaves) and the form's first start. The page builds the form.
type formPage struct {
	form    *huh.Form
	errs    *components.FieldErrors
	started bool
	w, h    int
	keys    struct{ Next, Cancel key.Binding }
}

func newFormPage() formPage {
	var p formPage
	p.keys.Next = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next · save"))
	p.keys.Cancel = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	return p
}

// formWidth is a form's width in a page w wide: the page less a margin, at most 72.
func formWidth(w int) int { return min(max(20, w-2), 72) }

func (p *formPage) Capturing() bool { return true }

func (p *formPage) SetSize(w, h int) {
	p.w, p.h = w, h
	p.form.WithWidth(formWidth(w))
}

func (p *formPage) ShortHelp() []common.Key {
	return []common.Key{common.On(p.keys.Next), common.On(p.keys.Cancel)}
}

func (p *formPage) FullHelp() [][]common.Key { return [][]common.Key{p.ShortHelp()} }

// Refresh starts the form the first time; it has nothing to reload.
func (p *formPage) Refresh() tea.Cmd {
	if p.started {
		return nil
	}
	p.started = true
	return p.form.Init()
}

// fieldWords is a refusal in a form's words: the engine names a flag ("--after: …")
// for the CLI, which in a form is the field's title ("After: …").
func fieldWords(err error) string {
	text := err.Error()
	if name, rest, ok := strings.Cut(strings.TrimPrefix(text, "--"), ": "); ok && strings.HasPrefix(text, "--") && name != "" {
		text = strings.ToUpper(name[:1]) + name[1:] + ": " + rest
	}
	return text
}
