package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// A model changed in config becomes v2 with its change note; models list shows the
// note, models diff what changed; the improvement register carries a change from
// proposal to the version that implements it, and refuses to verify it unmeasured.
func TestImprovementsAndModelVersions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.ok("--as", "eve", "models", "list") // stores v1
	changed := strings.Replace(testConfig, `  [[model.step]]
  stage = "verify_deployment"
  name = "Smoke check"`, `  [[model.step]]
  stage = "verify_deployment"
  name = "Smoke check"
  required = false

  [[model.step]]
  stage = "verify_deployment"
  name = "Cache warm"`, 1)
	changed = strings.Replace(changed, "name = \"web-service\"\n", "name = \"web-service\"\nchange_note = \"wait for the cache\"\n", 1)
	writeFile(t, f.cfg, changed)
	r := f.ok("--as", "eve", "models", "list")
	if !strings.Contains(r.stdout, "CHANGE NOTE") || !strings.Contains(r.stdout, "wait for the cache") {
		t.Errorf("models list shows the note of v2:\n%s", r)
	}
	r = f.ok("--as", "eve", "models", "diff", "web-service", "1", "v2")
	want := "web-service v1 → v2\n  ~ verify_deployment \"Smoke check\": required true → false\n" +
		"  + verify_deployment \"Cache warm\" (manual)\n"
	if r.stdout != want {
		t.Errorf("models diff:\n%s\nwant\n%s", r.stdout, want)
	}
	f.refused(2, []string{`"latest" is not a version number`}, "--as", "eve", "models", "diff", "web-service", "1", "latest")
	f.refused(1, []string{`model "web-service" has no version 3`}, "--as", "eve", "models", "diff", "web-service", "1", "3")

	f.refused(1, []string{"eve (analyst) may not propose improvements"}, "--as", "eve", "improvement", "add",
		"--model", "web-service", "--title", "x")
	f.refused(1, []string{`unknown model "web"`}, "--as", "sam", "improvement", "add", "--model", "web", "--title", "x")
	r = f.ok("--as", "sam", "improvement", "add", "--model", "web-service", "--title", "Smoke check waits for the cache", "--owner", "sam")
	if !strings.Contains(r.stdout, "Improvement 1 proposed for web-service") {
		t.Errorf("add:\n%s", r)
	}
	f.refused(2, []string{`status "done"`}, "--as", "ana", "improvement", "set", "1", "done")
	f.refused(1, []string{"only managers approve"}, "--as", "sam", "improvement", "set", "1", "approved")
	f.ok("--as", "ana", "improvement", "set", "1", "approved", "--note", "cheap")
	f.refused(1, []string{"--in-version"}, "--as", "sam", "improvement", "set", "1", "implemented")
	f.refused(2, []string{`--in-version: "two" is not a version number`}, "--as", "sam", "improvement", "set", "1", "implemented", "--in-version", "two")
	r = f.ok("--as", "sam", "improvement", "set", "1", "implemented", "--in-version", "v2") // as Ferry writes it
	if !strings.Contains(r.stdout, "Improvement 1 implemented in web-service v2.") {
		t.Errorf("set implemented:\n%s", r)
	}
	f.refused(1, []string{"web-service v2 has 0 finished deployments; its effect is measured from 5 on"},
		"--as", "ana", "improvement", "set", "1", "verified")
	var list []struct {
		ID        int64  `json:"id"`
		Status    string `json:"status"`
		InVersion *int   `json:"in_version"`
		Owner     string `json:"owner"`
	}
	if err := json.Unmarshal([]byte(f.ok("--as", "eve", "improvement", "list", "--json").stdout), &list); err != nil ||
		len(list) != 1 || list[0].Status != "implemented" || list[0].InVersion == nil || *list[0].InVersion != 2 {
		t.Errorf("improvement list --json: %v %+v", err, list)
	}
	r = f.ok("--as", "eve", "improvement", "show", "1")
	for _, want := range []string{"web-service v2: 0 finished — not measured yet", "improvement 1 approved: cheap",
		"improvement 1 implemented in web-service v2"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, r)
		}
	}
}

// list and show say a status as the console does, in words ("in progress"), and set
// takes it so; --json keeps the stored value.
func TestImprovementStatusInWords(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.ok("--as", "sam", "improvement", "add", "--model", "web-service", "--title", "Smoke check waits for the cache")
	f.ok("--as", "ana", "improvement", "set", "1", "approved")
	r := f.ok("--as", "sam", "improvement", "set", "1", "in progress")
	if r.stdout != "Improvement 1 in progress.\n" {
		t.Errorf("set in progress:\n%s", r)
	}
	r = f.ok("--as", "eve", "improvement", "list")
	rows := strings.Split(r.stdout, "\n")
	if len(rows) < 2 || !strings.Contains(rows[1], "web-service  in progress  —") || strings.Contains(r.stdout, "in_progress") {
		t.Errorf("list says the status in words:\n%s", r)
	}
	r = f.ok("--as", "eve", "improvement", "show", "1")
	if !strings.Contains(r.stdout, "\nstatus       in progress\n") || strings.Contains(r.stdout, "in_progress") {
		t.Errorf("show says the status in words:\n%s", r)
	}
	if !strings.Contains(r.stdout, "\nmodel        web-service, no version yet\n") { // as the console: it said "in —"
		t.Errorf("show says no version carries it yet:\n%s", r)
	}
	for _, args := range [][]string{{"list", "--json"}, {"show", "1", "--json"}} {
		if r := f.ok(append([]string{"--as", "eve", "improvement"}, args...)...); !strings.Contains(r.stdout, `"status": "in_progress"`) {
			t.Errorf("%v keeps the stored value:\n%s", args, r)
		}
	}
}
