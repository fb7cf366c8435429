package cli_test

import (
	"fmt"
	"strings"
	"testing"
)

type releaseOut struct {
	Name       string `json:"name"`
	ChangeRef  string `json:"change_ref"`
	Components []struct {
		Component string `json:"component"`
		Version   string `json:"version"`
	} `json:"components"`
	Status []struct {
		Environment   string  `json:"environment"`
		Status        string  `json:"status"`
		DeploymentIDs []int64 `json:"deployment_ids"`
	} `json:"status"`
	Deployments []deployment `json:"deployments"`
}

func TestReleaseCreatePlanListShow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writeFile(t, f.cfg, strings.Replace(testConfig, `  [[service.component]]
  name = "web-runbook"`, `  [[service.component]]
  name = "web-api"
  kind = "software"

  [[service.component]]
  name = "web-runbook"`, 1))
	f.ok("--as", "ana", "release", "create", "r7", "--component", "web-frontend=2.0", "--component", "web-api=1.4",
		"--change", "CHG-77", "--notes", "spring")
	var planned releaseOut
	decode(t, f.ok("--as", "ana", "release", "plan", "r7", "--env", "dev", "--start", "2090-03-01 10:00",
		"--sequential", "--json"), &planned)
	if len(planned.Deployments) != 2 || planned.Deployments[1].After != planned.Deployments[0].ID ||
		planned.Deployments[1].ScheduledStart != planned.Deployments[0].ScheduledEnd || planned.Deployments[0].ChangeRef != "CHG-77" {
		t.Fatalf("sequential plan: %+v", planned.Deployments)
	}
	if planned.Status[0].Environment != "dev" || planned.Status[0].Status != "planned" || len(planned.Status[0].DeploymentIDs) != 2 ||
		planned.Status[1].Status != "" {
		t.Fatalf("status per environment: %+v", planned.Status)
	}
	list := f.ok("--as", "eve", "release", "list").stdout
	if !strings.Contains(list, "r7") || !strings.Contains(list, "planned") || !strings.Contains(list, "PRODUCTION") {
		t.Fatalf("release list:\n%s", list)
	}
	show := f.ok("--as", "eve", "release", "show", "r7").stdout
	if !strings.Contains(show, "web-api 1.4") || !strings.Contains(show, "CHG-77") {
		t.Fatalf("release show:\n%s", show)
	}
	f.refused(2, []string{`--component: "web-api": write each as COMPONENT=VERSION`}, "--as", "ana", "release", "create", "r8", "--component", "web-api")
	f.refused(2, []string{"--component: a release needs at least one component version"}, "--as", "ana", "release", "create", "r9")
	f.refused(1, []string{"release name is empty: give one"}, "--as", "ana", "release", "create", "", "--component", "web-api=1")
	f.refused(2, []string{"--sequential and --parallel"}, "--as", "ana", "release", "plan", "r7", "--env", "test",
		"--start", "2090-03-01 10:00", "--sequential", "--parallel")
	f.refused(1, []string{`no release "nope"`}, "--as", "ana", "release", "show", "nope")
	f.refused(1, []string{"release r7 is planned in dev"}, "--as", "ana", "release", "promote", "r7", "--env", "test",
		"--start", "2090-03-02 10:00")
	// Asked for an environment further on, it says which comes next: "is planned in
	// dev" alone read as dev being in the way of production.
	f.refused(1, []string{"--env production: release r7 is planned in dev; once every component succeeded there, it is promoted to test"},
		"--as", "ana", "release", "promote", "r7", "--env", "production", "--start", "2090-03-02 10:00")
	f.refused(1, []string{"eve (analyst) may not plan"}, "--as", "eve", "release", "plan", "r7", "--env", "test", "--start", "2090-03-02 10:00")
	f.refused(1, []string{"eve (analyst) may not plan"}, "--as", "eve", "release", "promote", "r7", "--env", "test", "--start", "2090-03-02 10:00")
	// Planned in no conflict, it says what it planned and no empty list of conflicts.
	f.ok("--as", "ana", "release", "create", "r10", "--component", "web-frontend=2.1")
	if r := f.ok("--as", "ana", "release", "plan", "r10", "--env", "dev", "--start", "2090-04-01 10:00"); !strings.Contains(r.stdout, "Planned #") ||
		strings.Contains(r.stdout, "conflict") {
		t.Errorf("a release planned in no conflict:\n%s", r)
	}
}

// A sequential release is shown in the order it runs: web-frontend depends on web-api,
// so web-api goes first though the release lists it second (it was shown newest
// first, "#2 #1"). The environments it is not in end with their status, no spaces.
func TestReleaseShowListsDeploymentsInRunOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writeFile(t, f.cfg, strings.Replace(testConfig, `  name = "web-frontend"
  kind = "software"
`, `  name = "web-frontend"
  kind = "software"
  depends_on = ["web-api"]

  [[service.component]]
  name = "web-api"
  kind = "software"
`, 1))
	f.ok("--as", "ana", "release", "create", "r9", "--component", "web-frontend=2.0", "--component", "web-api=1.4")
	var planned releaseOut
	decode(t, f.ok("--as", "ana", "release", "plan", "r9", "--env", "dev", "--start", "2090-03-01 10:00",
		"--sequential", "--json"), &planned)
	first, second := planned.Deployments[0], planned.Deployments[1]
	if first.Component != "web-api" || second.After != first.ID {
		t.Fatalf("sequential plan: %+v", planned.Deployments)
	}
	if ids := planned.Status[0].DeploymentIDs; len(ids) != 2 || ids[0] != first.ID || ids[1] != second.ID {
		t.Fatalf("dev's deployments %v, want #%d then #%d", ids, first.ID, second.ID)
	}
	show := f.ok("--as", "eve", "release", "show", "r9").stdout
	want := fmt.Sprintf("  dev          planned        #%d #%d\n", first.ID, second.ID)
	if !strings.Contains(show, want) {
		t.Fatalf("release show lacks %q:\n%s", want, show)
	}
	for _, l := range strings.Split(show, "\n") {
		if strings.HasSuffix(l, " ") {
			t.Errorf("trailing spaces: %q", l)
		}
	}
}
