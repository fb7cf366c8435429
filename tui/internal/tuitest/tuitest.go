// Package tuitest is what the console's tests share: the test organisation, and
// pressing keys and reading the screen of a console model, directly or in the real
// program loop.
package tuitest

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"ferry"
	"ferry/engine"
	"ferry/engine/config"
	"ferry/internal/fixture"
	"ferry/internal/testdb"
	"ferry/models"
	"ferry/tui/common"
)

// Now is the console's fixed "now" in the tests: Thu 26 Nov 2026 14:05 in Berlin.
var Now = time.Date(2026, 11, 26, 13, 5, 0, 0, time.UTC)

// Clock is a test engine's clock: a test moves it to where a person arrives. The
// console's goroutines read it while the test sets it, and tests run in parallel,
// so each engine has its own, read and set atomically.
type Clock struct{ ns atomic.Int64 }

// NewClock is a clock at t.
func NewClock(t time.Time) *Clock {
	c := &Clock{}
	c.Set(t)
	return c
}

// Now is the clock's time, in UTC.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }

// clocks holds each test engine's Clock (*engine.Engine → *Clock).
var clocks sync.Map

// WithClock is the engine option that runs eng on clock; Register the engine after.
func WithClock(clock *Clock) engine.Option { return engine.WithClock(clock.Now) }

// Register records clock as eng's, for ClockOf and PlanEarlier; forgotten when t ends.
func Register(t testing.TB, eng *engine.Engine, clock *Clock) {
	clocks.Store(eng, clock)
	t.Cleanup(func() { clocks.Delete(eng) })
}

// ClockOf is the clock of the session's engine (opened by Org or registered).
func ClockOf(t testing.TB, c *common.Common) *Clock {
	t.Helper()
	v, ok := clocks.Load(c.Eng)
	if !ok {
		t.Fatal("tuitest: this session's engine has no registered clock")
	}
	return v.(*Clock)
}

// Org opens the shipped example organisation on a fresh database with a few
// deployments around Now: one running, two due today, one overdue, one failed; and
// a console session of actor's. The database is built once (orgDB) and copied for
// each test; its engine's clock (ClockOf) is at Now.
func Org(t testing.TB, actor string) *common.Common {
	t.Helper()
	clock := NewClock(Now)
	eng := fixture.OpenCopy(t, orgDB, filepath.Join(t.TempDir(), "ferry.db"), exampleConfig(t), WithClock(clock))
	Register(t, eng, clock)
	return Session(t, eng, actor)
}

func exampleConfig(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Parse("config.toml", ferry.DefaultConfig)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// orgDB is Org's database: the example organisation, planned two hours before Now.
var orgDB = testdb.New(func(path string) error {
	cfg, err := config.Parse("config.toml", ferry.DefaultConfig)
	if err != nil {
		return err
	}
	clock := Now.Add(-2 * time.Hour)
	return fixture.Build(path, cfg, func(eng *engine.Engine) error { return planOrg(eng, cfg) },
		engine.WithClock(func() time.Time { return clock }))
})

// planOrg plans the deployments Org's organisation starts with.
func planOrg(eng *engine.Engine, cfg *config.Config) error {
	ctx := context.Background()
	mgr, _ := cfg.FirstManager()
	var err error
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
	running := plan("rack-server", "rack-b07-db-server", "1", "production", Now.Add(-time.Hour), tech)
	failed := plan("web-service", "payments-api", "4.11.9", "staging", Now.Add(-90*time.Minute), prac)
	plan("web-service", "payments-api", "4.12.0", "staging", Now.Add(2*time.Hour), prac)
	plan("web-service", "web-frontend", "7.3.1", "test", Now.Add(3*time.Hour), prac)
	plan("web-service", "auth-service", "2.0.0", "dev", Now.Add(-30*time.Minute), prac)
	if err != nil {
		return err
	}
	for _, id := range []int64{running.ID, failed.ID} {
		if _, err := eng.Start(ctx, mgr, id, "under way before the console opens"); err != nil {
			return err
		}
	}
	_, err = eng.Move(ctx, mgr, failed.ID, models.StatusFailed, "health check failed")
	return err
}

// PlanEarlier plans r as actor the way it would have been planned: a window that has
// begun by the clock is planned as of a day before it (the engine plans only what is
// still to come), with the engine's clock moved there and back.
func PlanEarlier(t testing.TB, c *common.Common, actor string, r engine.PlanRequest) (models.Deployment, []models.Conflict) {
	t.Helper()
	p, err := c.Eng.Person(actor)
	if err != nil {
		t.Fatal(err)
	}
	clock := ClockOf(t, c)
	if now := clock.Now(); r.Start.Before(now) {
		clock.Set(r.Start.Add(-24 * time.Hour))
		defer clock.Set(now)
	}
	d, cs, err := c.Eng.Plan(c.Ctx, p, r)
	if err != nil {
		t.Fatalf("plan %s %s → %s at %s: %v", r.Component, r.Version, r.Environment, c.Eng.Local(r.Start), err)
	}
	return d, cs
}

// Session is a console session of actor's on eng.
func Session(t testing.TB, eng *engine.Engine, actor string) *common.Common {
	t.Helper()
	p, err := eng.Person(actor)
	if err != nil {
		t.Fatal(err)
	}
	return common.New(context.Background(), eng, p)
}

// Load runs a command and hands what it sends back to m, as the program would,
// commands in a batch one after the other.
func Load(m tea.Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		for _, c := range batch {
			Load(m, c)
		}
		return
	}
	_, next := m.Update(msg)
	Load(m, next)
}

// Press presses keys: "enter", "esc", "down", or a character.
func Press(m tea.Model, keys ...string) {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "ctrl+r":
			msg = tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl}
		default:
			msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
		}
		_, cmd := m.Update(msg)
		Load(m, cmd)
	}
}

// Space presses the space bar, as a terminal sends it.
func Space(m tea.Model) {
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
	Load(m, cmd)
}

// TypeText types s, a key at a time.
func TypeText(m tea.Model, s string) {
	for _, r := range s {
		if r == ' ' {
			Space(m)
			continue
		}
		Press(m, string(r))
	}
}

// ScreenText is what m shows, without colour.
func ScreenText(m tea.Model) string { return ansi.Strip(m.View().Content) }

// Fits checks that the screen is exactly w×h cells at most.
func Fits(t *testing.T, m tea.Model, name string, w, h int) {
	t.Helper()
	lines := strings.Split(ScreenText(m), "\n")
	if len(lines) != h {
		t.Errorf("%s: %d lines, want %d", name, len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("%s: line %d is %d cells wide: %q", name, i, lw, l)
		}
	}
}

// Whole reports whether screen shows text unbroken but for where it wraps: every
// character, in order, with nothing between them but line breaks and indentation
// (so a text cut with "…" is not whole).
func Whole(screen, text string) bool {
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
	return strings.Contains(squeeze(screen), squeeze(text))
}
