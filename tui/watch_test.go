package tui

import (
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"ferry/engine"
)

// TestConsoleSeesChangesMadeElsewhere: a change made by someone else (here the engine
// called directly, as the CLI or another session would) shows up on an open console
// without a key being pressed, well before the 30-second full refresh.
func TestConsoleSeesChangesMadeElsewhere(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	var mu sync.Mutex
	var shown string
	peek := func(m tea.Model, msg tea.Msg) tea.Msg {
		mu.Lock()
		shown = ansi.Strip(m.(*Model).View().Content)
		mu.Unlock()
		return msg
	}
	tm := teatest.NewTestModel(t, New(c), teatest.WithInitialTermSize(120, 35),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii), tea.WithFilter(peek),
			tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	// The filter sees the screen as of each message; the console's own 1 s watch
	// sends messages, so waiting needs no pokes: that is what is under test.
	waitFor := func(want string, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			mu.Lock()
			s := shown
			mu.Unlock()
			if strings.Contains(s, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the screen never showed %q within %s; it shows:\n%s", want, within, s)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("Due today (2)", 10*time.Second)
	other, _ := c.Eng.Person("marc")
	start := now.Add(90 * time.Minute)
	if _, _, err := c.Eng.Plan(c.Ctx, other, engine.PlanRequest{Model: "documentation", Component: "web-runbook",
		Version: "2.0", Environment: "staging", Start: start}); err != nil {
		t.Fatal(err)
	}
	waitFor("Due today (3)", 5*time.Second)
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
