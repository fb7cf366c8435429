package config_test

import (
	"fmt"
	"testing"

	"ferry"
	"ferry/engine/config"
	"ferry/models"
)

func TestShippedConfig(t *testing.T) {
	c, err := config.Parse("config.toml", ferry.DefaultConfig)
	if err != nil {
		t.Fatalf("the shipped example does not load:\n%v", err)
	}
	if c.TimezoneName != "Europe/Berlin" || c.Location.String() != "Europe/Berlin" {
		t.Errorf("timezone %q", c.TimezoneName)
	}
	if c.Database != "ferry.db" {
		t.Errorf("database %q", c.Database)
	}
	if len(c.Environments) != 4 || len(c.People) != 10 || len(c.Services) != 5 || len(c.Components()) != 11 || len(c.Models) != 5 {
		t.Errorf("counts: %d environments, %d people, %d services, %d components, %d models",
			len(c.Environments), len(c.People), len(c.Services), len(c.Components()), len(c.Models))
	}
	var order []string
	for _, e := range c.Environments {
		order = append(order, e.Name)
	}
	if got := fmt.Sprint(order); got != "[dev test staging production]" {
		t.Errorf("environments in order %s", got)
	}
	prod, ok := c.Environment("production")
	if !ok || prod.Capacity != 1 || !prod.RequireMaintenanceWindow || len(prod.Maintenance) != 2 || len(prod.Freeze) != 2 {
		t.Errorf("production: %+v", prod)
	}
	for role, n := range map[models.Role]int{models.RoleManager: 2, models.RolePractitioner: 3, models.RoleTechnician: 3, models.RoleAnalyst: 2} {
		if got := len(c.PeopleWithRole(role)); got != n {
			t.Errorf("%d people with role %s, want %d", got, role, n)
		}
	}
	if m, ok := c.FirstManager(); !ok || m.Name != "ana" {
		t.Errorf("first manager %+v", m)
	}
	if p, ok := c.PersonByUnixUser("tom"); !ok || !p.Has(models.RoleTechnician) {
		t.Errorf("unix user tom: %+v", p)
	}
	if comp, ok := c.Component("rack-b07-db-server"); !ok || comp.Service != "payments" || comp.Kind != models.KindHardware {
		t.Errorf("component: %+v", comp)
	}
	for _, name := range []string{"web-service", "rack-server", "documentation", "data-migration", "licence-activation"} {
		m, ok := c.Model(name)
		if !ok {
			t.Errorf("no model %s", name)
			continue
		}
		if err := m.Validate(); err != nil {
			t.Errorf("model %s: %v", name, err)
		}
	}
	rack, _ := c.Model("rack-server")
	stages := map[models.Stage]int{}
	for _, s := range rack.StepsFor("production") {
		stages[s.Stage]++
		if s.Kind == models.StepManual && s.Hint == "" {
			t.Errorf("rack-server step %q has no hint", s.Name)
		}
	}
	for _, st := range models.Stages {
		if stages[st] == 0 {
			t.Errorf("rack-server has no step in stage %s", st)
		}
	}
	web, _ := c.Model("web-service")
	if web.Automated("production") || !web.Automated("dev") {
		t.Errorf("web-service: production should wait for its gate, dev should run alone")
	}
	for _, name := range []string{"ana", "nobody"} {
		_, ok := c.Person(name)
		if ok != (name == "ana") {
			t.Errorf("Person(%q) = %v", name, ok)
		}
	}
}
