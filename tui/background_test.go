package tui

import (
	"image/color"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// TestStylesFollowTheBackground: dark until the terminal says otherwise; a light
// background gives the light styles, on every page (History's table included).
func TestStylesFollowTheBackground(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	// The selected row's background, as lipgloss writes it: the dark one, then the light.
	darkSel, lightSel := "48;2;34;50;73", "48;2;220;228;236"
	if !strings.Contains(m.View().Content, darkSel) {
		t.Fatal("the dashboard's selected row should have the dark background")
	}
	press(m, "2")
	if !m.c.Styles.Dark || !strings.Contains(m.View().Content, darkSel) {
		t.Fatal("without an answer from the terminal the styles are the dark ones")
	}
	m.Update(tea.BackgroundColorMsg{Color: color.White})
	if m.c.Styles.Dark {
		t.Fatal("a white background should give the light styles")
	}
	if got := m.View().Content; !strings.Contains(got, lightSel) || strings.Contains(got, darkSel) {
		t.Fatalf("History's table should take the light styles:\n%q", got)
	}
	// The dashboard drawn in the dark styles before is drawn again in the light.
	press(m, "1")
	if got := m.View().Content; !strings.Contains(got, lightSel) || strings.Contains(got, darkSel) {
		t.Fatalf("the dashboard should take the light styles:\n%q", got)
	}
	m.Update(tea.BackgroundColorMsg{Color: color.Black})
	if !m.c.Styles.Dark || !strings.Contains(m.View().Content, darkSel) {
		t.Fatal("a black background gives the dark styles again")
	}
}

// TestConsoleAsksForTheBackground: the console asks the terminal for its background
// colour (OSC 11) as it starts.
func TestConsoleAsksForTheBackground(t *testing.T) {
	t.Parallel()
	tm := teatest.NewTestModel(t, New(newTestCommon(t, "ana")), teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii),
			tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(string(b), "\x1b]11;?") },
		teatest.WithDuration(10*time.Second))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestSelectionShowsWithoutColour: on a terminal without colour (NO_COLOR) the
// selected row is in reverse video, not a background that is dropped, so it can be
// told from the others; in colour it keeps its background.
func TestSelectionShowsWithoutColour(t *testing.T) {
	t.Parallel()
	reverse := regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m`)
	tm := teatest.NewTestModel(t, New(newTestCommon(t, "kim")), teatest.WithInitialTermSize(120, 35),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(string(b), "Running now") },
		teatest.WithDuration(10*time.Second))
	tm.Send(tea.KeyPressMsg{Code: '2', Text: "2"})
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return reverse.Match(b) },
		teatest.WithDuration(10*time.Second))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	m := sized(t, "kim", 120, 35)
	press(m, "2")
	if got := m.View().Content; reverse.MatchString(got) {
		t.Fatalf("in colour the selection has its background, not reverse video:\n%q", got)
	}
}
