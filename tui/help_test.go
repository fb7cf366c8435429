package tui

import (
	"regexp"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"ferry/tui/common"
	"ferry/tui/internal/tuitest"
)

// TestHelpListsThePersonsScreens: the full help names the screens a person has (a
// technician: My work and History, keys 1 and 2), and p as off, with the engine's
// reason, for someone who may not plan.
func TestHelpListsThePersonsScreens(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 120, 35)
	press(m, "?")
	got := screenText(m)
	for _, want := range []string{"my work", "history",
		"p plan — tom (technician) may not plan deployments: technicians tick, note and block steps"} {
		if !strings.Contains(got, want) {
			t.Errorf("a technician's help lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"dashboard", "schedule", "conflicts", "reports"} {
		if strings.Contains(got, not) {
			t.Errorf("a technician's help lists %q:\n%s", not, got)
		}
	}
	tuitest.Fits(t, m, "technician's full help", 120, 35)
	m = sized(t, "ana", 120, 35)
	press(m, "?")
	got = screenText(m)
	for _, want := range []string{"dashboard", "history", "schedule", "conflicts", "reports", "plan"} {
		if !strings.Contains(got, want) {
			t.Errorf("a manager's help lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "p plan —") {
		t.Errorf("a manager may plan:\n%s", got)
	}
	// The dashboard lists p and 4 itself: the console's groups do not list them again.
	for _, once := range []string{`p\s+plan`, `4\s+conflicts`} {
		if n := len(regexp.MustCompile(once).FindAllString(got, -1)); n != 1 {
			t.Errorf("the dashboard's help lists %q %d times:\n%s", once, n, got)
		}
	}
}

// TestPlanKeyOffSaysWhy: p opens no form for someone who may not plan; the footer
// says why.
func TestPlanKeyOffSaysWhy(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 120, 35)
	press(m, "p")
	got := screenText(m)
	if !strings.Contains(got, "✗ kim (analyst) may not plan deployments") || strings.Contains(got, "Which deployment model?") {
		t.Fatalf("p should say why and open nothing:\n%s", got)
	}
}

// TestHelpScrollsWhenLongerThanTheScreen: on a terminal too short for the full help,
// it fits, its last line says how to scroll, ↓ brings the rest into view, line by
// line, down to the last key that is off and why, and ↑ goes back.
func TestHelpScrollsWhenLongerThanTheScreen(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 10)
	press(m, "?")
	first := screenText(m)
	tuitest.Fits(t, m, "help", 60, 10)
	if !strings.Contains(first, "↑/↓ scroll help") || strings.Contains(first, "p plan — tom") {
		t.Fatalf("the help should start at its top and say it scrolls:\n%s", first)
	}
	const last = "p plan — tom (technician) may not plan deployments: technicians tick, note and block steps of their own deployments"
	var seen []string
	for i := 0; i < 30 && !tuitest.Whole(screenText(m), last); i++ {
		press(m, "j")
		tuitest.Fits(t, m, "scrolled help", 60, 10)
		seen = append(seen, screenText(m))
	}
	if !tuitest.Whole(screenText(m), last) {
		t.Fatalf("↓ never brought the end of the help into view:\n%s", strings.Join(seen, "\n----\n"))
	}
	for _, want := range []string{"my work", "history", "refresh", "quit"} {
		if !tuitest.Whole(strings.Join(seen, "\n"), want) && !strings.Contains(first, want) {
			t.Errorf("scrolling through the help never shows %q", want)
		}
	}
	for range 30 {
		press(m, "k")
	}
	if got := screenText(m); got != first {
		t.Fatalf("↑ should come back to the top:\n%s", got)
	}
	press(m, "?")
	if got := screenText(m); strings.Contains(got, "scroll help") {
		t.Fatalf("? closes the help:\n%s", got)
	}
}

// TestHelpFitsEveryScreenOfAPhone: at 60×20 and 61×20 every screen, and its full
// help, keeps inside the terminal.
func TestHelpFitsEveryScreenOfAPhone(t *testing.T) {
	t.Parallel()
	for _, w := range []int{60, 61} {
		m := sized(t, "ana", w, 20)
		for _, tab := range []string{"1", "2", "3", "4", "5"} {
			press(m, tab)
			tuitest.Fits(t, m, "screen "+tab, w, 20)
			press(m, "?")
			tuitest.Fits(t, m, "help of screen "+tab, w, 20)
			press(m, "?")
		}
	}
}

// TestRefusalIsReadWholeOnAPhone: at 60 columns a refusal wraps in the footer
// instead of being cut, and the screen still fits.
func TestRefusalIsReadWholeOnAPhone(t *testing.T) {
	t.Parallel()
	m := sized(t, "tom", 60, 20)
	press(m, "p")
	const why = "tom (technician) may not plan deployments: technicians tick, note and block steps of their own deployments"
	if got := screenText(m); !tuitest.Whole(got, "✗ "+why) {
		t.Fatalf("the refusal should be read whole:\n%s", got)
	}
	tuitest.Fits(t, m, "a refusal at 60×20", 60, 20)
}

// TestReportsHelpDefinesEveryColumn: on a phone the legend under the report has no
// room for what its headings mean, and over SSH there is no README to look in: the
// full help ends with every column's definition, scrolled to like the rest.
func TestReportsHelpDefinesEveryColumn(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 60, 20)
	press(m, "5")
	load(m, m.Top().Refresh())
	if got := screenText(m); !strings.Contains(got, "? defines every column") || strings.Contains(got, "README") {
		t.Fatalf("the legend should point to ?:\n%s", got)
	}
	press(m, "?")
	all := strings.Join(m.helpLines(), "\n")
	for _, want := range []string{"What the columns mean:", "ROLLED: of those, rolled back", "INCID%: deployments with an incident"} {
		if !strings.Contains(all, want) {
			t.Errorf("the Reports' full help lacks %q:\n%s", want, all)
		}
	}
	tuitest.Fits(t, m, "Reports' full help", 60, 20)
}

// keysPage is a page of nothing but keys: the footer's line is built from them.
type keysPage struct{ keys []common.Key }

func (p *keysPage) Title() string            { return "keys" }
func (p *keysPage) ShortHelp() []common.Key  { return p.keys }
func (p *keysPage) FullHelp() [][]common.Key { return [][]common.Key{p.keys} }
func (p *keysPage) SetSize(int, int)         {}
func (p *keysPage) Update(tea.Msg) tea.Cmd   { return nil }
func (p *keysPage) View() string             { return "" }
func (p *keysPage) Refresh() tea.Cmd         { return nil }
func (p *keysPage) Capturing() bool          { return false }

// footerLine is the last line of the screen, its trailing blanks cut.
func footerLine(m *Model) string {
	lines := strings.Split(screenText(m), "\n")
	return strings.TrimRight(lines[len(lines)-1], " ")
}

// TestFooterKeepsTheArrowsTogether: ↑ and ↓ are both in the footer or neither. At
// 60 columns the Releases' keys left room for ↑ and not ↓, and the footer offered
// "↑/k up" alone; a page that has only one of them on shows neither.
func TestFooterKeepsTheArrowsTogether(t *testing.T) {
	t.Parallel()
	newRelease := key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new release"))
	for _, c := range []struct {
		w, h       int
		down       string // ↓'s Off
		wantArrows bool
	}{{60, 20, "", false}, {120, 35, "", true}, {120, 35, "at the bottom", false}} {
		m := sized(t, "ana", c.w, c.h)
		k := m.c.Keys
		load(m, common.Push(&keysPage{[]common.Key{common.On(k.Back), common.On(k.Up), common.OffFor(k.Down, c.down),
			common.On(newRelease)}}))
		got := footerLine(m)
		up, down := strings.Contains(got, "↑/k up"), strings.Contains(got, "↓/j down")
		if up != down || up != c.wantArrows || !strings.HasPrefix(got, " esc back • ") ||
			!strings.Contains(got, "n new release") || !strings.HasSuffix(got, "? help • q quit") {
			t.Errorf("%d×%d, ↓ off %q: footer %q, want the arrows %v (both or neither)", c.w, c.h, c.down, got, c.wantArrows)
		}
	}
}
