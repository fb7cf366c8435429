package engine

import (
	"strings"
	"testing"

	"ferry/models"
)

// The reject prompt says what a rejection leads to: the gate's stage's own on-failure
// steps, or a failed deployment when that stage has none (another stage's do not run).
func TestRejectHintNamesWhatRuns(t *testing.T) {
	step := func(stage models.Stage, name string) StepState {
		return StepState{StepRun: models.StepRun{Step: models.Step{Stage: stage, Name: name}}}
	}
	st := RunState{
		Steps:   []StepState{step(models.StageExecute, "install"), step(models.StageVerifyDeployment, "go-live")},
		Waiting: &Waiting{Kind: WaitApproval, Seq: 2},
	}
	if got := RejectHint(st); !strings.Contains(got, "deployment then fails") || !strings.Contains(got, "Verify deployment has no on-failure steps") {
		t.Errorf("no on-failure steps: %q", got)
	}
	st.OnFailure = []StepState{step(models.StageExecute, "restore backup")}
	if got := RejectHint(st); !strings.Contains(got, "no on-failure steps") {
		t.Errorf("another stage's on-failure steps do not run: %q", got)
	}
	st.OnFailure = append(st.OnFailure, step(models.StageVerifyDeployment, "switch back"))
	if got := RejectHint(st); !strings.Contains(got, `runs its on-failure steps "switch back"`) || strings.Contains(got, "restore") {
		t.Errorf("the stage's own on-failure steps: %q", got)
	}
}
