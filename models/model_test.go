package models

import (
	"slices"
	"testing"
)

// A run's steps are the model's that apply in its environment, grouped by stage in
// the stages' order and kept in the written order within a stage; StepOrderFor names
// the same steps by their place in the model, and StepsFor copies them.
func TestStepsForRunInStageOrder(t *testing.T) {
	m := Model{Steps: []Step{
		{Name: "smoke", Stage: StageVerifyDeployment},
		{Name: "notes", Stage: StageVerifyComponents},
		{Name: "prod only", Stage: StageVerifyComponents, Environments: []string{"production"}},
		{Name: "install", Stage: StageExecute},
		{Name: "check", Stage: StageVerifyComponents},
	}}
	for env, want := range map[string][]string{
		"test":       {"notes", "check", "install", "smoke"},
		"production": {"notes", "prod only", "check", "install", "smoke"},
	} {
		var got []string
		for _, s := range m.StepsFor(env) {
			got = append(got, s.Name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: steps %v, want %v", env, got, want)
		}
		var byPlace []string
		for _, at := range m.StepOrderFor(env) {
			byPlace = append(byPlace, m.Steps[at].Name)
		}
		if !slices.Equal(byPlace, want) {
			t.Errorf("%s: by place %v, want %v", env, byPlace, want)
		}
	}
}
