package models

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestDeploymentValidate(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	ok := Deployment{Model: "m", Component: "c", Version: "1.2.3-rc.1+build 7", Environment: "e", Action: ActionDeploy,
		ScheduledStart: t0, ScheduledEnd: t0.Add(time.Hour)}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid deployment refused: %v", err)
	}
	for name, mod := range map[string]func(*Deployment){
		"no model":            func(d *Deployment) { d.Model = "" },
		"no version":          func(d *Deployment) { d.Version = "" },
		"control in version":  func(d *Deployment) { d.Version = "1.0\x1e2" },
		"newline in version":  func(d *Deployment) { d.Version = "1.0\n" },
		"bad action":          func(d *Deployment) { d.Action = "move" },
		"end before start":    func(d *Deployment) { d.ScheduledEnd = t0.Add(-time.Minute) },
		"empty window":        func(d *Deployment) { d.ScheduledEnd = t0 },
		"no environment":      func(d *Deployment) { d.Environment = "" },
		"no scheduled start":  func(d *Deployment) { d.ScheduledStart = time.Time{} },
		"no component at all": func(d *Deployment) { d.Component = "" },
	} {
		d := ok
		mod(&d)
		if err := d.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: want ErrInvalid, got %v", name, err)
		}
	}
}

// UnderWay is every status Running reports, and no other: the store's running
// deployments, a start's overrun and History's "running" filter read it.
func TestUnderWayIsRunning(t *testing.T) {
	for _, s := range Statuses {
		if s.Running() != slices.Contains(UnderWay, s) {
			t.Errorf("%s: Running %v, in UnderWay %v", s, s.Running(), slices.Contains(UnderWay, s))
		}
	}
}

// A removal reads as one wherever a deployment is named in a line.
func TestMoveSaysARemoval(t *testing.T) {
	d := Deployment{Component: "payments-api", Version: "1.0.0", Environment: "dev", Action: ActionDeploy}
	if got := d.Move(); got != "payments-api 1.0.0 → dev" {
		t.Errorf("a deployment: %q", got)
	}
	d.Action = ActionRemove
	if got := d.Move(); got != "removal of payments-api 1.0.0 from dev" {
		t.Errorf("a removal: %q", got)
	}
}

// A removal's version in a list says it is one.
func TestVersionWordsSaysARemoval(t *testing.T) {
	d := Deployment{Version: "1.0.0", Action: ActionDeploy}
	if got := d.VersionWords(); got != "1.0.0" {
		t.Errorf("a deployment: %q", got)
	}
	d.Action = ActionRemove
	if got := d.VersionWords(); got != "remove 1.0.0" {
		t.Errorf("a removal: %q", got)
	}
}
