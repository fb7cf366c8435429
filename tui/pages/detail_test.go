//go:build unix

package pages_test

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/engine/config"
	"ferry/internal/fixture"
	"ferry/tui/common"
	"ferry/tui/internal/tuitest"
	"ferry/tui/pages"
)

// recordConfig is an organisation whose one model fails: its step writes two lines
// to stderr and exits 3, twice, and the on-failure step then writes five lines.
const recordConfig = `
[ferry]
timezone = "UTC"
# Deployments here start days before their window: these tests are about the console.
start_tolerance = "100000h"

[[environment]]
name = "dev"
order = 1

[[person]]
name = "ana"
roles = ["manager"]

[[person]]
name = "kim"
roles = ["analyst"]

[[service]]
name = "shop"
  [[service.component]]
  name = "db"
  kind = "data"

[[model]]
name = "migrate"
kinds = ["data"]
path = ["dev"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Migrate"
  run = "echo 'disk full' >&2; echo 'giving up' >&2; exit 3"
  retries = 1
  [[model.on_failure]]
  stage = "execute"
  name = "Restore"
  run = "for i in 1 2 3 4 5; do echo restored $i; done"
`

// newRecordCommon runs deployment #1 of recordConfig to its rollback, records an
// incident on it, and opens a console for actor.
func newRecordCommon(t *testing.T, actor string) *common.Common {
	t.Helper()
	return rolledBack(t, actor, true)
}

// rolledBack runs deployment #1 of recordConfig to its rollback, records an incident
// on it when incident, and opens a console for actor.
func rolledBack(t *testing.T, actor string, incident bool) *common.Common {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg, err := config.Parse(filepath.Join(dir, "ferry.toml"), []byte(recordConfig))
	if err != nil {
		t.Fatal(err)
	}
	db := fixture.NewDB(t, filepath.Join(dir, "ferry.db"))
	eng := db.Engine(t, cfg)
	ana, _ := eng.Person("ana")
	start := time.Now().Add(-30 * time.Minute) // its hour-long window is still open
	// It was planned before its window began (the engine plans only what is still to
	// come): by an engine whose clock says so.
	planner := db.Engine(t, cfg, engine.WithClock(func() time.Time { return start.Add(-time.Hour) }))
	if _, _, err := planner.Plan(ctx, ana, engine.PlanRequest{Model: "migrate", Component: "db", Version: "7",
		Environment: "dev", Start: start}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Run(ctx, ana, 1, engine.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	opened := time.Now() // once it had started
	if incident {
		if _, err := eng.AddIncident(ctx, ana, 1, opened, opened.Add(25*time.Minute), "orders lost their history"); err != nil {
			t.Fatal(err)
		}
	}
	p, err := eng.Person(actor)
	if err != nil {
		t.Fatal(err)
	}
	return common.New(ctx, eng, p)
}

func openDetailOf(m *Model, id int64) {
	_, cmd := m.Update(common.PushMsg{Page: pages.NewDetail(m.c, id)})
	load(m, cmd)
}

func TestDetailShowsTheFullRecord(t *testing.T) {
	t.Parallel()
	m := New(newRecordCommon(t, "kim"))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 60})
	openDetailOf(m, 1)
	got := screenText(m)
	for _, want := range []string{"↺ rolled back", "[✗] Migrate (automated)", "exit 3 · 2 attempts",
		"! disk full", "! giving up", "On failure", "[✓] Restore (automated)", "│ restored 3", "│ restored 5",
		"5 lines · o shows all", "Incidents 1", "orders lost their history", "(25m)", "Record", "incident"} {
		if !strings.Contains(got, want) {
			t.Errorf("the detail lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "restored 1") {
		t.Errorf("the detail shows only the last lines of a step:\n%s", got)
	}
	if strings.Contains(got, "add incident") || strings.Contains(got, "i records one") {
		t.Errorf("an analyst is not offered to record incidents:\n%s", got)
	}
	press(m, "i")
	if got := screenText(m); strings.Contains(got, "Record an incident") {
		t.Fatalf("i must do nothing for an analyst:\n%s", got)
	}
}

func TestDetailOutputShowsEveryLineOfAStep(t *testing.T) {
	t.Parallel()
	m := New(newRecordCommon(t, "kim"))
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	openDetailOf(m, 1)
	press(m, "o")
	got := screenText(m)
	// It opens on the step that failed, both attempts, stderr marked.
	for _, want := range []string{"#1 output", "[✗] Migrate", "1 of 2 steps that ran (←/→)", "── attempt 1", "── attempt 2",
		"exit 3", "1! disk full", "2! giving up"} {
		if !strings.Contains(got, want) {
			t.Errorf("the output view lacks %q:\n%s", want, got)
		}
	}
	fits(t, m, "output view", 60, 20)
	press(m, "l")
	got = screenText(m)
	for _, want := range []string{"[✓] Restore", "2 of 2", "1  restored 1", "5  restored 5"} {
		if !strings.Contains(got, want) {
			t.Errorf("→ shows the next step's output; it lacks %q:\n%s", want, got)
		}
	}
	// Too narrow for the name and where it ran on one line, the second goes under it,
	// whole: how many steps ←/→ go through is not cut off.
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 20})
	if got := screenText(m); !tuitest.Whole(got, "2 of 2 steps that ran (←/→)") || !strings.Contains(got, "5  restored 5") {
		t.Errorf("a narrow output view should put where the step ran under its name:\n%s", got)
	}
	fits(t, m, "narrow output view", 40, 20)
	press(m, "esc")
	if got := screenText(m); !strings.Contains(got, "#1  deploy db 7 → dev") {
		t.Fatalf("esc returns to the detail:\n%s", got)
	}
}

// A plan that never started is offered no incident: the engine refuses one there
// (engine.WhyNoIncident), so the console does not offer i.
func TestDetailOffersNoIncidentOnAPlan(t *testing.T) {
	t.Parallel()
	m := New(newTestCommon(t, "sam")) // a practitioner: records incidents where they fit
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	openDetailOf(m, 3) // planned
	got := screenText(m)
	if !strings.Contains(got, "Incidents none") || strings.Contains(got, "i records one") {
		t.Errorf("a plan's record should say none, without offering i:\n%s", got)
	}
	press(m, "i")
	if got := screenText(m); strings.Contains(got, "Record an incident") {
		t.Fatalf("i must do nothing on a plan:\n%s", got)
	}
}

// TestIncidentFormAddsAnIncident fills the form through the real program loop: a
// missing summary is refused at its field, then the incident is stored and shown.
func TestIncidentFormAddsAnIncident(t *testing.T) {
	t.Parallel()
	c := newTestCommon(t, "sam")
	l := runLive(t, c, 120, 35)
	l.Has("Last 30 days")
	l.TM.Send(common.PushMsg{Page: pages.NewDetail(c, 2)})
	l.Has("Incidents none · i records one")
	l.Letter('i')
	l.Has("┃ now (2026-11-26 14:05)") // opened: now, in the organisation's zone, until a time is typed
	l.Key(tea.KeyEnter)
	l.Has("┃ Resolved")
	l.TypeText("2026-11-26 14:50")
	l.Has("┃ 2026-11-26 14:50")
	l.Key(tea.KeyEnter)
	l.Has("┃ Summary")
	l.Key(tea.KeyEnter)
	l.Has("┃ Summary  ✗ say what happened")
	l.TypeText("payments timed out")
	l.Has("┃ payments timed out")
	l.Key(tea.KeyEnter)
	l.Has("recorded incident 1 on #2")
	got := l.Has("payments timed out")
	if !strings.Contains(got, "! Thu 26 Nov 14:05 → 14:50 (45m)") {
		t.Errorf("the detail should list the new incident:\n%s", got)
	}
	l.Quit()
	det, err := c.Eng.Deployment(c.Ctx, c.Actor, 2)
	if err != nil || len(det.Incidents) != 1 {
		t.Fatalf("stored incidents: %+v, %v", det.Incidents, err)
	}
	in := det.Incidents[0]
	if in.Summary != "payments timed out" || !in.OpenedAt.Equal(now) || !in.ResolvedAt.Equal(now.Add(45*time.Minute)) {
		t.Fatalf("stored %+v", in)
	}
}

// A window that ends on another day shows the end's date: 50 hours do not read as two.
func TestDetailShowsBothDatesOfALongWindow(t *testing.T) {
	t.Parallel()
	c := newRecordCommon(t, "ana")
	ana, _ := c.Eng.Person("ana")
	start := time.Date(2030, 12, 1, 10, 0, 0, 0, time.UTC)
	d, _, err := c.Eng.Plan(context.Background(), ana, engine.PlanRequest{Model: "migrate", Component: "db", Version: "8",
		Environment: "dev", Start: start, Duration: 50 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 60})
	openDetailOf(m, d.ID)
	if got := screenText(m); !strings.Contains(got, "Sun 01 Dec 2030 10:00 – Tue 03 Dec 2030 12:00 UTC") {
		t.Errorf("the detail's window lacks its end's date:\n%s", got)
	}
}

// TestRecordAndRunViewSayARunIsInterrupted: a deployment whose runner died reads
// "⏸ interrupted" at the head of its record and of its run view, as in History.
func TestRecordAndRunViewSayARunIsInterrupted(t *testing.T) {
	t.Parallel()
	c := newDemoCommon(t, "ana", 400)
	list, stopped := runningAndInterrupted(t, c)
	for _, d := range list {
		for _, page := range []common.Page{pages.NewDetail(c, d.ID), pages.NewRun(c, d.ID)} {
			m := New(c)
			m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
			_, cmd := m.Update(common.PushMsg{Page: page})
			load(m, cmd)
			head := strings.Split(screenText(m), "\n")[1]
			if got := strings.Contains(head, "⏸ interrupted"); got != stopped[d.ID] {
				t.Errorf("%s of #%d, interrupted %v: %q", page.Title(), d.ID, stopped[d.ID], head)
			}
		}
	}
}

// TestDetailRecordSaysStatusesInWords: a status event reads "planned → verifying
// components", as the rest of the record does, not the stored identifiers.
func TestDetailRecordSaysStatusesInWords(t *testing.T) {
	t.Parallel()
	m := sized(t, "kim", 120, 35)
	openDetailOf(m, 1) // started: planned → verifying_components
	for range 30 {
		press(m, "j")
	}
	got := screenText(m)
	if !strings.Contains(got, "planned → verifying components") || strings.Contains(got, "verifying_components") {
		t.Fatalf("the record should say the statuses in words:\n%s", got)
	}
}

// On a phone a deployment's page longer than the screen says so on its last row, how
// many lines are below, as an improvement's page does, until its end is in sight.
func TestDetailSaysWhatIsBelowOnAPhone(t *testing.T) {
	t.Parallel()
	m := New(newRecordCommon(t, "kim"))
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	openDetailOf(m, 1)
	fits(t, m, "deployment", 60, 20)
	rows := strings.Split(trimRows(screenText(m)), "\n")
	note := rows[len(rows)-2]
	if !strings.HasPrefix(note, " ↓ ") || !strings.HasSuffix(note, " more lines") {
		t.Fatalf("the page's last row says what is below it, %q:\n%s", note, screenText(m))
	}
	for range 60 {
		press(m, "j")
	}
	rows = strings.Split(trimRows(screenText(m)), "\n")
	if note := rows[len(rows)-2]; !strings.HasPrefix(note, " ↑ ") || !strings.HasSuffix(note, " more above") {
		t.Fatalf("at its end, what is above, %q:\n%s", note, screenText(m))
	}
}

// At 120 columns the footer of a deployment that failed and rolled back offers what
// follows it, the n its page speaks of too ("n proposes an improvement"): the run
// view, whose steps and last lines the page shows once the run is over, comes after
// them and is the one left out. A deployment to run keeps r early.
func TestFinishedDeploymentFooterOffersWhatFollows(t *testing.T) {
	t.Parallel()
	m := New(rolledBack(t, "ana", false))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	openDetailOf(m, 1)
	want := " esc back • w review • n propose improvement • a run again • o step output • i add incident • ? help • q quit"
	if foot := strings.TrimRight(lastLine(screenText(m)), " "); foot != want {
		t.Fatalf("the footer of rolled-back #1:\n%q\nwant\n%q", foot, want)
	}
	if !strings.Contains(screenText(m), "n proposes an improvement") {
		t.Fatalf("the page says what n does:\n%s", screenText(m))
	}
	if help := fullHelp(m); !regexp.MustCompile(`\br +run view`).MatchString(help) {
		t.Fatalf("? still lists the run view:\n%s", help)
	}

	p := sized(t, "ana", 120, 35)
	d := withFreezeClash(t, p) // planned
	openDetailOf(p, d.ID)
	if foot := lastLine(screenText(p)); !strings.Contains(foot, " • r run view • m reschedule, edit • X cancel it") {
		t.Fatalf("a planned deployment's footer keeps r where it was, before its changes: %q", foot)
	}
}

// At 120 columns the footer of a finished deployment with an open incident offers
// n, which its page says proposes an improvement: v, on once it has an incident,
// took n's room, and the footer left it out. v is offered too, before i: the open
// incident is the one to resolve. n works as the footer says.
func TestFinishedDeploymentWithAnOpenIncidentOffersN(t *testing.T) {
	t.Parallel()
	c := rolledBack(t, "ana", false)
	opened := time.Now()
	if _, err := c.Eng.AddIncident(c.Ctx, c.Actor, 1, opened, time.Time{}, "orders lost their history"); err != nil {
		t.Fatal(err)
	}
	m := New(c)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	openDetailOf(m, 1)
	got := screenText(m)
	if !strings.Contains(got, "→ open") || !strings.Contains(got, "n proposes an improvement") {
		t.Fatalf("#1 should show its open incident and what n does:\n%s", got)
	}
	want := " esc back • w review • n propose improvement • a run again • o step output • v resolve/update incident • ? help • q quit"
	if foot := strings.TrimRight(lastLine(got), " "); foot != want {
		t.Fatalf("the footer of rolled-back #1 with an open incident:\n%q\nwant\n%q", foot, want)
	}
	press(m, "n")
	if got := screenText(m); !strings.Contains(got, "Propose an improvement") {
		t.Fatalf("n should open the proposal:\n%s", got)
	}
}
