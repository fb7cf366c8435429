package engine

import (
	"os"
	"slices"
	"strings"
	"testing"

	"ferry/models"
)

// TestStepVariablesAreListedInTheREADME runs a step that prints the names of the
// FERRY_* variables it gets, and wants each named in the README, with the values of
// the ones that say who to tell.
func TestStepVariablesAreListedInTheREADME(t *testing.T) {
	f := newRunFixture(t, `
[[model]]
name = "env"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Show"
  run = "env | grep '^FERRY_' | sort; echo \"who=$FERRY_REQUESTER/$FERRY_ASSIGNEE\""
`)
	d := f.plan("env", "web", "test", func(r *PlanRequest) { r.Assignee = "tom"; r.Requester = "sam" })
	if res := f.run(d.ID); res.Deployment.Status != models.StatusSucceeded {
		t.Fatalf("run: %+v", res)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range f.output(d.ID, 1) {
		name, _, ok := strings.Cut(l, "=")
		if _, inherited := os.LookupEnv(name); inherited {
			continue // ferry's own environment, passed on
		}
		if ok && strings.HasPrefix(name, "FERRY_") {
			names = append(names, name)
			if !strings.Contains(string(readme), "`"+name+"`") {
				t.Errorf("the README does not list %s", name)
			}
		}
	}
	for _, want := range []string{"FERRY_REQUESTER", "FERRY_ASSIGNEE", "FERRY_CHANGE_REF", "FERRY_MODEL_VERSION", "FERRY_STEP_SEQ"} {
		if !slices.Contains(names, want) {
			t.Errorf("a step does not get %s: %v", want, names)
		}
	}
	if !slices.Contains(f.output(d.ID, 1), "who=sam/tom") {
		t.Errorf("FERRY_REQUESTER/FERRY_ASSIGNEE: %v", f.output(d.ID, 1))
	}
}
