package tuitest

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

// Poke is a message nobody handles: it makes the program run its filter again.
type Poke struct{}

// Live is a console running in the real program loop, where huh forms move between
// fields asynchronously: wait for what a step draws before taking the next one.
type Live struct {
	TM    *teatest.TestModel
	t     *testing.T
	mu    sync.Mutex
	shown string
	// profiled is set when the program has delivered its colour profile, settled
	// when a later message has been through the filter, so the model has restyled.
	profiled, settled bool
}

// RunLive starts console m in a w×h terminal without colour.
func RunLive(t *testing.T, m tea.Model, w, h int) *Live {
	l := &Live{t: t}
	// The filter runs on the program's goroutine before each message, so it can read
	// what the model shows without racing it. It draws the screen for pokes only:
	// has sends one each time it looks, after every change it waits for, and a
	// drawing for every key as well only cost time (a lot of it under -race).
	peek := func(m tea.Model, msg tea.Msg) tea.Msg {
		switch msg.(type) {
		case tea.ColorProfileMsg:
			l.mu.Lock()
			l.profiled = true
			l.mu.Unlock()
		case Poke:
			l.mu.Lock()
			l.shown = ansi.Strip(m.View().Content)
			l.settled = l.profiled
			l.mu.Unlock()
		}
		return msg
	}
	l.TM = teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii), tea.WithFilter(peek),
			tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	l.settle()
	return l
}

// settle waits until the model has taken the colour profile, which Bubble Tea sends
// from its own goroutine at start: the model restyles the session's Common then,
// and a test that builds a page from that Common before would race the restyle.
func (l *Live) settle() {
	l.t.Helper()
	if _, ok := l.poll(func() bool { return l.settled }); !ok {
		l.t.Fatal("the program never delivered its colour profile")
	}
}

// Has waits until the screen shows want, and returns the screen.
func (l *Live) Has(want string) string {
	l.t.Helper()
	now, ok := l.poll(func() bool { return strings.Contains(l.shown, want) })
	if !ok {
		l.t.Fatalf("the screen never showed %q; it shows:\n%s", want, now)
	}
	return now
}

// Until waits until the screen satisfies ok (described by what, for the failure),
// and returns the screen.
func (l *Live) Until(what string, ok func(screen string) bool) string {
	l.t.Helper()
	now, done := l.poll(func() bool { return ok(l.shown) })
	if !done {
		l.t.Fatalf("the screen never showed %s; it shows:\n%s", what, now)
	}
	return now
}

// poll pokes the program until done holds (read under l.mu, after the program's
// filter has run), for 10 seconds at most, and returns the screen as it last was.
func (l *Live) poll(done func() bool) (string, bool) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		l.TM.Send(Poke{})
		l.mu.Lock()
		ok, shown := done(), l.shown
		l.mu.Unlock()
		if ok || time.Now().After(deadline) {
			return shown, ok
		}
		time.Sleep(10 * time.Millisecond) // polling the screen, not waiting for work
	}
}

// Key sends a key by its code (tea.KeyEnter, tea.KeyTab…).
func (l *Live) Key(code rune) { l.TM.Send(tea.KeyPressMsg{Code: code}) }

// Letter types one character.
func (l *Live) Letter(r rune) { l.TM.Send(tea.KeyPressMsg{Code: r, Text: string(r)}) }

// TypeText types s.
func (l *Live) TypeText(s string) { l.TM.Type(s) }

// Quit ends the program and waits for it.
func (l *Live) Quit() {
	l.t.Helper()
	if err := l.TM.Quit(); err != nil {
		l.t.Fatal(err)
	}
	l.TM.WaitFinished(l.t, teatest.WithFinalTimeout(5*time.Second))
}
