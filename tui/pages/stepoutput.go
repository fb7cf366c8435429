package pages

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
)

// stepOutput shows everything one automated step wrote, attempt by attempt (the
// newest keepLines lines); ←/→ go to the previous or next step that ran.
type stepOutput struct {
	c      *common.Common
	id     int64
	steps  []engine.StepState // the automated steps with at least one attempt
	at     int                // the step shown
	lines  []models.OutputLine
	shown  int // the seq of the step whose lines are laid out
	loaded bool
	vp     viewport.Model
	w, h   int
	keys   struct{ Prev, Next key.Binding }
}

type stepOutputMsg struct {
	seq   int
	lines []models.OutputLine
	err   error
}

// newStepOutput opens on the step that failed last, else the last that ran.
func newStepOutput(c *common.Common, id int64, steps []engine.StepState) *stepOutput {
	v := &stepOutput{c: c, id: id, steps: steps, at: len(steps) - 1,
		vp: viewport.New(viewport.WithWidth(80), viewport.WithHeight(10))}
	for i, s := range steps {
		if s.Status == models.StepFailed || s.Status == models.StepInterrupted {
			v.at = i
		}
	}
	v.keys.Prev = key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→", "previous/next step"))
	v.keys.Next = key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→", "next step"))
	return v
}

func (v *stepOutput) Title() string   { return fmt.Sprintf("#%d output", v.id) }
func (v *stepOutput) Capturing() bool { return false }
func (v *stepOutput) ShortHelp() []common.Key {
	steps := common.On(v.keys.Prev)
	if len(v.steps) < 2 {
		steps.Off = "one step has run"
	}
	return []common.Key{common.On(v.c.Keys.Back), steps, common.On(v.c.Keys.Up), common.On(v.c.Keys.Down)}
}
func (v *stepOutput) FullHelp() [][]common.Key { return [][]common.Key{v.ShortHelp()} }

func (v *stepOutput) SetSize(w, h int) {
	v.w, v.h = w, h
	v.vp.SetWidth(w)
	v.setContent()
}

// fitView gives the output what the head leaves; the head's height follows the step
// shown, whose name may or may not fit beside the rest.
func (v *stepOutput) fitView() {
	head := 1
	if len(v.steps) > 0 {
		head = len(v.head())
	}
	v.vp.SetHeight(max(1, v.h-head))
}

// Refresh loads the shown step's output, every attempt, newest lines last.
func (v *stepOutput) Refresh() tea.Cmd {
	if len(v.steps) == 0 {
		return nil
	}
	c, id, seq := v.c, v.id, v.steps[v.at].Seq
	return func() tea.Msg {
		lines, err := c.Eng.Output(c.Ctx, c.Actor, id, models.OutputFilter{Seq: seq, Limit: keepLines, Tail: true})
		common.Clean(&lines) // stored text is shown, never obeyed
		return stepOutputMsg{seq: seq, lines: lines, err: err}
	}
}

func (v *stepOutput) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case stepOutputMsg:
		if msg.seq != v.steps[v.at].Seq { // another step was asked for since
			return nil
		}
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		// A new step opens at its end; a reload keeps the place the person scrolled to.
		end := msg.seq != v.shown || v.vp.AtBottom()
		v.lines, v.loaded, v.shown = msg.lines, true, msg.seq
		v.setContent()
		if end {
			v.vp.GotoBottom()
		}
	case tea.KeyPressMsg:
		return v.key(msg)
	}
	return nil
}

func (v *stepOutput) key(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, v.keys.Prev) && v.at > 0:
		v.at--
		return v.Refresh()
	case key.Matches(msg, v.keys.Next) && v.at < len(v.steps)-1:
		v.at++
		return v.Refresh()
	}
	var cmd tea.Cmd
	v.vp, cmd = v.vp.Update(msg)
	return cmd
}

// setContent lays the lines out, each attempt under a rule that says how it ended.
func (v *stepOutput) setContent() {
	st := v.c.Styles
	v.fitView()
	if !v.loaded {
		v.vp.SetContent(st.Dim.Render(" loading…"))
		return
	}
	s := v.steps[v.at]
	var out []string
	attempt := 0
	for _, l := range v.lines {
		if l.Attempt != attempt {
			attempt = l.Attempt
			out = append(out, v.rule(s, attempt))
		}
		text := common.Fit(strings.ReplaceAll(l.Text, "\t", "    "), max(10, v.w-7))
		mark := st.Dim.Render(fmt.Sprintf("%4d  ", l.LineNo))
		if l.Stream == models.StreamErr {
			mark, text = st.Warn.Render(fmt.Sprintf("%4d! ", l.LineNo)), st.Warn.Render(text)
		}
		out = append(out, mark+text)
	}
	if len(out) == 0 {
		out = append(out, st.Dim.Render(" no output"))
	}
	v.vp.SetContentLines(out)
}

// rule heads one attempt's lines: its number, when it started, how it ended.
func (v *stepOutput) rule(s engine.StepState, attempt int) string {
	st := v.c.Styles
	label := fmt.Sprintf(" attempt %d", attempt)
	for _, a := range s.Attempts {
		if a.Attempt != attempt {
			continue
		}
		label += " · " + v.c.Local(a.StartedAt, "02 Jan 15:04:05")
		if a.ExitCode != nil {
			label += fmt.Sprintf(" · exit %d", *a.ExitCode)
		} else if a.Detail != "" {
			label += " · " + a.Detail
		}
	}
	label += " "
	return st.Border.Render("──") + st.Dim.Render(label) + st.Border.Render(strings.Repeat("─", max(0, v.w-2-lipgloss.Width(label))))
}

func (v *stepOutput) View() string {
	st := v.c.Styles
	if len(v.steps) == 0 {
		return st.Dim.Render(" no automated step has run")
	}
	return strings.Join(v.head(), "\n") + "\n" + v.vp.View()
}

// head names the step shown, its stage and which of the steps that ran it is: on one
// line when they fit, else the name on its own line and the rest under it (a phone
// cut "Verify …" and with it how many steps ←/→ go through).
func (v *stepOutput) head() []string {
	st := v.c.Styles
	s := v.steps[v.at]
	name := fmt.Sprintf(" %s %s", st.StepGlyph(s.Status), st.Bold.Render(s.Step.Name))
	where := fmt.Sprintf("%s · %d of %d steps that ran", s.Step.Stage.Title(), v.at+1, len(v.steps))
	if len(v.steps) > 1 {
		where += " (←/→)"
	}
	if one := name + "  " + st.Dim.Render(where); lipgloss.Width(one) <= v.w {
		return []string{one}
	}
	out := []string{common.Fit(name, v.w)}
	for _, l := range common.Wrap(where, max(10, v.w-5)) {
		out = append(out, "     "+st.Dim.Render(l))
	}
	return out
}
