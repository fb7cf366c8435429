package pages

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
	"ferry/tui/components"
)

// askPage asks for the one thing an act needs (why a deployment is cancelled, when
// a failed one runs again), then does it. The engine checks the answer; the page
// only asks first and shows what the engine said.
type askPage struct {
	c     *common.Common
	title string // what the act is, for the heading: "Cancel #12 web-frontend 2.4 → test"
	crumb string // the page's name in the breadcrumb: what it asks for
	hint  string // what the answer is for
	empty string // what to say when there is no answer
	// fallback is the answer when none is typed, shown greyed in the field: a
	// default written into it was typed after ("2026-12-07 08:00now").
	fallback string
	// optional: an empty answer is one (a note with an unblock), not refused.
	optional bool
	act      func(answer string) (engine.Outcome, error)
	// then, when set, is the page the act's outcome opens in place of this one.
	then   func(engine.Outcome) common.Page
	input  textinput.Model
	saving bool
	done   bool
	err    error
	w, h   int
	keys   struct{ Save, Cancel key.Binding }
}

type askDoneMsg struct {
	out engine.Outcome
	err error
}

func newAskPage(c *common.Common, title, prompt, hint string, act func(string) (engine.Outcome, error)) *askPage {
	p := &askPage{c: c, title: title, hint: hint, act: act, crumb: "reason", empty: "write the reason first: it is kept on the record",
		input: components.NewInput(c.Styles, prompt, "the reason is kept on the record")}
	p.keys.Save = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "do it"))
	p.keys.Cancel = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave it as it is"))
	return p
}

// newCancelPage cancels deployment d, with a reason.
func newCancelPage(c *common.Common, d models.Deployment) *askPage {
	p := newAskPage(c, fmt.Sprintf("Cancel #%d %s %s → %s", d.ID, d.Component, d.Version, d.Environment),
		"cancel, because: ", "Cancelling is final: the deployment stays on the record as cancelled, with this reason.",
		func(reason string) (engine.Outcome, error) { return c.Eng.Cancel(c.Ctx, c.Actor, d.ID, reason) })
	p.empty = askCancel.need()
	return p
}

// newAgainPage plans failed deployment d anew, at the start the person gives.
func newAgainPage(c *common.Common, d models.Deployment) *askPage {
	loc := c.Eng.Location()
	next := c.Eng.Now().In(loc).Truncate(time.Hour).Add(time.Hour)
	p := newAskPage(c, fmt.Sprintf("Run #%d %s %s → %s again", d.ID, d.Component, d.Version, d.Environment),
		"start: ", fmt.Sprintf("A new planned deployment with the same content and length; #%d stays %s. "+
			"YYYY-MM-DD HH:MM, %s, or now.", d.ID, common.StatusText(d.Status), loc),
		func(s string) (engine.Outcome, error) {
			start, err := models.ParseTimeAt(s, loc, c.Eng.Now())
			if err != nil {
				return engine.Outcome{}, fmt.Errorf("start: %w", err)
			}
			out, err := c.Eng.Again(c.Ctx, c.Actor, d.ID, start)
			if err == nil { // the new plan may clash: say so, as a plan says its conflicts
				out.Did += inConflicts(out.Conflicts)
			}
			return out, err
		})
	p.crumb, p.fallback = "run again", next.Format(models.LocalLayout)
	p.input.Placeholder = p.fallback
	// The new plan is what the person acts on next (start it, settle its
	// conflicts): it opens, where the old record came back and the new one had to
	// be looked for in History.
	p.then = func(out engine.Outcome) common.Page { return NewDetail(c, out.Deployment.ID) }
	return p
}

// whyNoCancel is why the person may not cancel d, or "".
func whyNoCancel(c *common.Common, d models.Deployment) string {
	if d.Status.Final() { // said as m says it: the status alone did not say X was off for it
		return fmt.Sprintf("#%d %s: a finished deployment is not cancelled", d.ID, d.Status.Phrase())
	}
	return common.Why(engine.Can(c.Actor, engine.ActCancel, &d))
}

func (p *askPage) Title() string   { return p.crumb }
func (p *askPage) Capturing() bool { return true }
func (p *askPage) Restyle()        { p.input.SetStyles(components.InputStyles(p.c.Styles)) }
func (p *askPage) SetSize(w, h int) {
	p.w, p.h = w, h
	p.input.SetWidth(max(10, w-lenRunes(p.input.Prompt)-3))
}
func (p *askPage) ShortHelp() []common.Key {
	return []common.Key{common.On(p.keys.Save), common.On(p.keys.Cancel)}
}
func (p *askPage) FullHelp() [][]common.Key { return [][]common.Key{p.ShortHelp()} }

func (p *askPage) Refresh() tea.Cmd {
	if p.input.Focused() {
		return nil
	}
	return p.input.Focus()
}

func (p *askPage) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case askDoneMsg:
		p.saving = false
		if msg.err != nil {
			p.err = msg.err
			return nil
		}
		p.done = true
		if p.then != nil {
			return common.Replace(p.then(msg.out), msg.out.Did)
		}
		return common.Done(msg.out.Did)
	case tea.KeyPressMsg:
		if p.saving || p.done {
			return nil
		}
		switch {
		case key.Matches(msg, p.keys.Cancel):
			return common.Back
		case key.Matches(msg, p.keys.Save):
			return p.save()
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd
}

func (p *askPage) save() tea.Cmd {
	reason := strings.TrimSpace(p.input.Value())
	if reason == "" {
		reason = p.fallback
	}
	if reason == "" && !p.optional {
		p.err = fmt.Errorf("%s", p.empty)
		return nil
	}
	p.saving, p.err = true, nil
	act := p.act
	return func() tea.Msg {
		out, err := act(reason)
		return askDoneMsg{out, err}
	}
}

func (p *askPage) View() string {
	st := p.c.Styles
	out := []string{" " + st.Bold.Render(common.Hang(p.title, p.w-2, 1)), " " + st.Dim.Render(common.Hang(p.hint, p.w-2, 1)), ""}
	for _, l := range components.InputLines(st, p.input) {
		out = append(out, " "+l)
	}
	switch {
	case p.saving:
		out = append(out, "", " "+st.Dim.Render("saving…"))
	case p.err != nil:
		// In the field's words: the engine names a flag (--reason) for the CLI.
		out = append(out, "", " "+st.Error.Render("✗ "+common.Hang(fieldWords(p.err), p.w-4, 3)))
	}
	return strings.Join(out, "\n")
}

func lenRunes(s string) int { return len([]rune(s)) }

// inConflicts sums up the conflicts a new plan is in.
func inConflicts(cs []models.Conflict) string {
	if n := engine.CountOpen(cs); n > 0 {
		return fmt.Sprintf("; in %d conflict%s", n, common.Plural(n))
	}
	return "; no conflicts"
}

// Unmoved: a character for a full field changes nothing (see common.Unmoved).
func (p *askPage) Unmoved(msg tea.Msg) bool { return !p.saving && components.InputFull(p.input, msg) }
