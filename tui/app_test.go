package tui

import (
	"strings"
	"testing"
	"time"

	"ferry/engine"
	"ferry/tui/internal/tuitest"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

var (
	now           = tuitest.Now
	newTestCommon = tuitest.Org
	load          = tuitest.Load
	press         = tuitest.Press
	screenText    = tuitest.ScreenText
)

// sized is actor's console in a w×h terminal, its first screen loaded.
func sized(t *testing.T, actor string, w, h int) *Model {
	m := New(newTestCommon(t, actor))
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	load(m, m.Top().Refresh())
	return m
}

func TestDashboardShowsTheDay(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	got := screenText(m)
	for _, want := range []string{"Running now (1)", "#1 rack-b07-db-", "1 → production", "verify comp",
		"Due today (2)", "#3 payments-api 4.12.0", "⚠ overdue #5 auth-service → dev", "✗ failed #2 payments-api → staging",
		// The last 30 days are local days, today included: its later plans count too,
		// as on the Reports screen.
		"Last 30 days", "deployments 5 (2 started)", "ana · manager · Thu 26 Nov 14:05 CET"} {
		if !strings.Contains(got, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, got)
		}
	}
}

// The dashboard's rows are built once for its data and size, not on every frame:
// new data and a new size each draw them again.
func TestDashboardRedrawsWhatChanged(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	if got := screenText(m); !strings.Contains(got, "Due today (2)") || !strings.Contains(got, "Last 30 days") {
		t.Fatalf("dashboard:\n%s", got)
	}
	tuitest.PlanEarlier(t, m.c, "ana", engine.PlanRequest{Model: "web-service", Component: "web-frontend",
		Version: "7.4.0", Environment: "dev", Start: now.Add(4 * time.Hour)})
	load(m, m.Top().Refresh())
	got := screenText(m)
	if !strings.Contains(got, "Due today (3)") || !strings.Contains(got, "web-frontend 7.4.0") {
		t.Fatalf("after a plan for today the dashboard should list it:\n%s", got)
	}
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	got = screenText(m)
	if strings.Contains(got, "╭─ Last 30 days") || !strings.Contains(got, "Due today (3)") {
		t.Fatalf("on a phone the summary gives way (named below the last panel):\n%s", got)
	}
	tuitest.Fits(t, m, "the dashboard on a phone", 60, 20)
}

func TestEveryScreenFitsThePhone(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	check := func(name string) {
		lines := strings.Split(screenText(m), "\n")
		if len(lines) != 20 {
			t.Errorf("%s: %d lines, want 20", name, len(lines))
		}
		for i, l := range lines {
			if w := lipgloss.Width(l); w > 60 {
				t.Errorf("%s: line %d is %d cells wide: %q", name, i, w, l)
			}
		}
	}
	check("dashboard")
	press(m, "2")
	check("deployments")
	press(m, "enter")
	check("detail")
	press(m, "esc", "1", "?")
	check("dashboard with full help")
}

func TestDeploymentsFilterAndOpen(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	press(m, "2")
	got := screenText(m)
	if !strings.Contains(got, "5 shown") || !strings.Contains(got, "○ planned") {
		t.Fatalf("deployments screen:\n%s", got)
	}
	// e cycles environments in promotion order: dev first.
	press(m, "e")
	got = screenText(m)
	if !strings.Contains(got, "env dev") || !strings.Contains(got, "1 shown") || strings.Contains(got, "payments-api") {
		t.Fatalf("after e:\n%s", got)
	}
	press(m, "c", "/")
	for _, r := range "web" {
		press(m, string(r))
	}
	press(m, "enter")
	got = screenText(m)
	if !strings.Contains(got, "search web") || !strings.Contains(got, "web-frontend") || strings.Contains(got, "auth-service") {
		t.Fatalf("after searching web:\n%s", got)
	}
	press(m, "enter")
	got = screenText(m)
	for _, want := range []string{"#4", "web-frontend", "Record", "planned", "Execute", "Roll out (automated)"} {
		if !strings.Contains(got, want) {
			t.Errorf("detail lacks %q:\n%s", want, got)
		}
	}
	press(m, "esc")
	if got := screenText(m); !strings.Contains(got, "search web") {
		t.Fatalf("esc should return to the filtered list:\n%s", got)
	}
}

func TestQuitKeys(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 80, 24)
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'q', Text: "q"})
	if cmd == nil {
		t.Fatal("q should quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q should quit")
	}
	// While searching, q is a letter, not quit.
	press(m, "2", "/")
	_, cmd = m.Update(tea.KeyPressMsg{Code: 'q', Text: "q"})
	if cmd != nil {
		if _, ok := cmd().(tea.QuitMsg); ok {
			t.Fatal("q in the search field must not quit")
		}
	}
}

func TestTechnicianSeesOnlyOwnWork(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 120, 35)
	press(m, "2")
	got := screenText(m)
	if !strings.Contains(got, "rack-b07-db-server") || strings.Contains(got, "payments-api") {
		t.Fatalf("technician's list:\n%s", got)
	}
}

// TestDashboardGolden runs the real program loop and compares the rendered dashboard,
// without colour, with testdata/TestDashboardGolden.golden (go test -update rewrites it).
func TestDashboardGolden(t *testing.T) {
	t.Parallel()
	m := New(newTestCommon(t, "ana"))
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 35),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii),
			tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(ansi.Strip(string(b)), "Last 30 days") },
		teatest.WithDuration(10*time.Second))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	golden.RequireEqual(t, []byte(ansi.Strip(final.View().Content)))
}

// Who the person acts as, when no --as said so, shows inside the console when it
// opens (printed before it, the note is hidden until the console closes); the next
// key clears it like any note.
func TestTheConsoleSaysWhoYouActAs(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	id, err := c.Eng.Identify(engine.Login{User: "root", Host: "box"}, "")
	if err != nil {
		t.Fatal(err)
	}
	c.Actor, c.Hello = id.Actor, id.Note
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	load(m, m.Top().Refresh())
	want := `! acting as ana, the first manager in config.toml (no person has unix_user "root"; use --as)`
	if got := screenText(m); !strings.Contains(got, want) {
		t.Fatalf("the console should open saying %q:\n%s", want, got)
	}
	press(m, "j")
	if got := screenText(m); strings.Contains(got, "acting as") {
		t.Fatalf("a key clears the note:\n%s", got)
	}
}

// A window that ends on another day shows that day, and the due list's columns stay
// in line: every row's arrow is where the others' are.
func TestDueRowsLineUpWhenAWindowEndsTomorrow(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "ana")
	start := time.Date(2026, 11, 26, 22, 30, 0, 0, time.UTC) // 23:30 in Berlin, ending 03:30
	tuitest.PlanEarlier(t, c, "ana", engine.PlanRequest{Model: "web-service", Component: "auth-service", Version: "9.9.9",
		Environment: "dev", Start: start, Duration: 4 * time.Hour})
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	load(m, m.Top().Refresh())
	got := screenText(m)
	if !strings.Contains(got, "Thu 26 23:30 – Fri 27 03:30") {
		t.Fatalf("the window that ends tomorrow should say so:\n%s", got)
	}
	col := -1
	for _, l := range strings.Split(got, "\n") {
		if !strings.Contains(l, "Thu 26 ") || !strings.Contains(l, " → ") {
			continue
		}
		at := lipgloss.Width(l[:strings.Index(l, " → ")])
		if col >= 0 && at != col {
			t.Fatalf("due rows' arrows at %d and %d:\n%s", col, at, got)
		}
		col = at
	}
	if col < 0 {
		t.Fatalf("no due rows:\n%s", got)
	}
}

// TestFooterKeepsHelpAndQuit: on every screen, wide or on a phone, the footer ends
// with ? and q whole: it leaves out page keys to make room, never cuts them off.
func TestFooterKeepsHelpAndQuit(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{120, 35}, {60, 20}} {
		m := sized(t, "ana", size[0], size[1])
		for _, screen := range []string{"1", "2", "3", "4", "5", "6"} {
			press(m, screen)
			lines := strings.Split(screenText(m), "\n")
			if footer := strings.TrimRight(lines[len(lines)-1], " "); !strings.HasSuffix(footer, "? help • q quit") {
				t.Errorf("%dx%d screen %s: footer %q", size[0], size[1], screen, footer)
			}
		}
	}
}

// The console reads its first tab while Bubble Tea starts (preload): the answer may
// come before the terminal's size, and the dashboard is then drawn for the size
// when it comes, as if they had come the other way round.
func TestTheFirstTabReadBeforeTheSize(t *testing.T) {
	t.Parallel()
	m := New(newTestCommon(t, "ana"))
	m.preload()
	if m.first == nil {
		t.Fatal("nothing was preloaded for the first tab")
	}
	load(m, m.first)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	if got, want := screenText(m), screenText(sized(t, "ana", 120, 35)); got != want {
		t.Fatalf("read before the size:\n%s\nread after it:\n%s", got, want)
	}
}
