package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"ferry"
	"ferry/engine"
	"ferry/engine/config"
	"ferry/internal/testdb"
	"ferry/models"
	"ferry/store"
)

// now is the console's fixed "now" in these tests: Thu 26 Nov 2026 14:05 in Berlin.
var now = time.Date(2026, 11, 26, 13, 5, 0, 0, time.UTC)

// newTestCommon opens the shipped example organisation on a fresh database with a
// few deployments around now: one running, two due today, one overdue, one failed.
// The database is built once (testOrgDB) and copied for each test.
func newTestCommon(t *testing.T, actor string) *Common {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Parse("config.toml", ferry.DefaultConfig)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, testOrgDB.Copy(t, "ferry.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	eng, err := engine.New(ctx, st, cfg, engine.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	p, err := eng.Person(actor)
	if err != nil {
		t.Fatal(err)
	}
	return NewCommon(ctx, eng, p)
}

// testOrgDB is newTestCommon's database: the example organisation, planned two
// hours before now.
var testOrgDB = testdb.New(func(path string) error {
	ctx := context.Background()
	cfg, err := config.Parse("config.toml", ferry.DefaultConfig)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	return errors.Join(planTestOrg(ctx, st, cfg), st.Close())
})

func planTestOrg(ctx context.Context, st *store.Store, cfg *config.Config) error {
	clock := now.Add(-2 * time.Hour)
	eng, err := engine.New(ctx, st, cfg, engine.WithClock(func() time.Time { return clock }))
	if err != nil {
		return err
	}
	mgr, _ := cfg.FirstManager()
	plan := func(model, comp, ver, env string, start time.Time, who string) models.Deployment {
		if err != nil {
			return models.Deployment{}
		}
		var d models.Deployment
		d, _, err = eng.Plan(ctx, mgr, engine.PlanRequest{Model: model, Component: comp, Version: ver,
			Environment: env, Start: start, Assignee: who, ChangeRef: "CHG-2026-0042"})
		return d
	}
	tech := cfg.PeopleWithRole(models.RoleTechnician)[0].Name
	prac := cfg.PeopleWithRole(models.RolePractitioner)[0].Name
	running := plan("rack-server", "rack-b07-db-server", "1", "production", now.Add(-time.Hour), tech)
	failed := plan("web-service", "payments-api", "4.11.9", "staging", now.Add(-90*time.Minute), prac)
	plan("web-service", "payments-api", "4.12.0", "staging", now.Add(2*time.Hour), prac)
	plan("web-service", "web-frontend", "7.3.1", "test", now.Add(3*time.Hour), prac)
	plan("web-service", "auth-service", "2.0.0", "dev", now.Add(-30*time.Minute), prac)
	if err != nil {
		return err
	}
	for _, id := range []int64{running.ID, failed.ID} {
		if _, err := eng.Advance(ctx, mgr, id, ""); err != nil {
			return err
		}
	}
	_, err = eng.Move(ctx, mgr, failed.ID, models.StatusFailed, "health check failed")
	return err
}

// emptyDB is a database that store.Open has just created: migrating costs a fifth
// of a second under the race detector, so it is done once and the file copied.
var emptyDB = testdb.New(func(path string) error {
	st, err := store.Open(context.Background(), path)
	if err != nil {
		return err
	}
	return st.Close()
})

// load runs a screen's background load and hands the result back, as the program would.
func load(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		for _, c := range batch {
			load(m, c)
		}
		return
	}
	_, next := m.Update(msg)
	load(m, next)
}

func press(m *Model, keys ...string) {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		default:
			msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
		}
		_, cmd := m.Update(msg)
		load(m, cmd)
	}
}

func screenText(m *Model) string { return ansi.Strip(m.View().Content) }

func sized(t *testing.T, actor string, w, h int) *Model {
	m := New(newTestCommon(t, actor))
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	load(m, m.screens[0].Refresh())
	return m
}

func TestDashboardShowsTheDay(t *testing.T) {
	m := sized(t, "ana", 120, 35)
	got := screenText(m)
	for _, want := range []string{"Running now (1)", "#1 rack-b07-db-server 1 → production", "verify comp",
		"Due today (2)", "#3 payments-api 4.12.0", "⚠ overdue #5 auth-service → dev", "✗ failed #2 payments-api → staging",
		// The last 30 days are local days, today included: its later plans count too,
		// as on the Reports screen.
		"Last 30 days", "deployments 5", "ana · manager · Thu 26 Nov 14:05 CET"} {
		if !strings.Contains(got, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, got)
		}
	}
}

func TestEveryScreenFitsThePhone(t *testing.T) {
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
