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
)

// poke is a message nobody handles: it makes the program run the filter again.
type poke struct{}

// live is a console running in the real program loop, where huh forms move between
// fields asynchronously: wait for what a step draws before taking the next one.
type live struct {
	t     *testing.T
	tm    *teatest.TestModel
	mu    sync.Mutex
	shown string
}

// runLive starts the console of c in a w×h terminal without colour.
func runLive(t *testing.T, c *Common, w, h int) *live {
	l := &live{t: t}
	// The filter runs on the program's goroutine before each message, so it can read
	// what the model shows without racing it. It draws the screen for pokes only:
	// has sends one each time it looks, after every change it waits for, and a
	// drawing for every key as well only cost time (a lot of it under -race).
	peek := func(m tea.Model, msg tea.Msg) tea.Msg {
		if _, ok := msg.(poke); ok {
			l.mu.Lock()
			l.shown = ansi.Strip(m.(*Model).View().Content)
			l.mu.Unlock()
		}
		return msg
	}
	l.tm = teatest.NewTestModel(t, New(c), teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii), tea.WithFilter(peek),
			tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	return l
}

// has waits until the screen shows want, and returns the screen.
func (l *live) has(want string) string {
	l.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		l.tm.Send(poke{})
		l.mu.Lock()
		now := l.shown
		l.mu.Unlock()
		if strings.Contains(now, want) {
			return now
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("the screen never showed %q; it shows:\n%s", want, now)
		}
		time.Sleep(10 * time.Millisecond) // polling the screen, not waiting for work
	}
}

func (l *live) key(code rune)     { l.tm.Send(tea.KeyPressMsg{Code: code}) }
func (l *live) letter(r rune)     { l.tm.Send(tea.KeyPressMsg{Code: r, Text: string(r)}) }
func (l *live) typeText(s string) { l.tm.Type(s) }

// quit ends the program and waits for it.
func (l *live) quit() {
	l.t.Helper()
	if err := l.tm.Quit(); err != nil {
		l.t.Fatal(err)
	}
	l.tm.WaitFinished(l.t, teatest.WithFinalTimeout(5*time.Second))
}
