package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/engine/config"
	"ferry/internal/fixture"
	"ferry/models"
	"ferry/tui/common"
)

const autoConfig = `
[ferry]
timezone = "Europe/Berlin"
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
name = "s"
  [[service.component]]
  name = "api"
  kind = "software"
[[model]]
name = "auto"
kinds = ["software"]
path = ["dev"]
default_duration = "10m"
  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "echo rolled out"
`

// TestConsoleStartsDueAutomatedDeployments: a console opened with --run-due starts fully automated
// deployments whose window has begun, as ferry run-due does; an analyst's does not.
// Without it (the default, and under serve) it starts nothing.
func TestConsoleStartsDueAutomatedDeployments(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(autoConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(path, []byte(autoConfig))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	eng := fixture.Open(t, filepath.Join(dir, "ferry.db"), cfg, engine.WithClock(func() time.Time { return now }))
	ana, _ := eng.Person("ana")
	d, _, err := eng.Plan(ctx, ana, engine.PlanRequest{Model: "auto", Component: "api", Version: "1", Environment: "dev",
		Start: now})
	if err != nil {
		t.Fatal(err)
	}
	kim, _ := eng.Person("kim")
	kc := common.New(ctx, eng, kim)
	kc.RunsDue = true
	if cmd := New(kc).runDue(); cmd != nil {
		t.Fatal("an analyst's console must not start deployments")
	}
	if cmd := New(common.New(ctx, eng, ana)).runDue(); cmd != nil {
		t.Fatal("a console without --run-due (the default, and under serve) must start nothing")
	}
	ac := common.New(ctx, eng, ana)
	ac.RunsDue = true
	m := New(ac)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 35})
	load(m, m.runDue())
	if got := screenText(m); !strings.Contains(got, "started 1 due automated deployment") {
		t.Fatalf("footer:\n%s", got)
	}
	after, err := eng.Deployment(ctx, ana, d.ID)
	if err != nil || after.Status != models.StatusSucceeded {
		t.Fatalf("#%d is %s (%v), want succeeded", d.ID, after.Status, err)
	}
}
