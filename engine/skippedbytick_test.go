package engine_test

import (
	"slices"
	"testing"

	"ferry/engine"
	"ferry/models"
)

// What a tick would skip: the optional items of every stage the run then passes
// without a person, up to the first stage where one must act.
func TestSkippedByTick(t *testing.T) {
	step := func(seq int, stage models.Stage, kind models.StepKind, required bool, status models.StepStatus) engine.StepState {
		return engine.StepState{StepRun: models.StepRun{Seq: seq, Status: status,
			Step: models.Step{Stage: stage, Kind: kind, Required: required}}}
	}
	st := engine.RunState{Steps: []engine.StepState{
		step(1, models.StageVerifyComponents, models.StepManual, true, models.StepPending),
		step(2, models.StageVerifyComponents, models.StepManual, false, models.StepPending),
		step(3, models.StageVerifyEnvironment, models.StepManual, false, models.StepPending),
		step(4, models.StageVerifyEnvironment, models.StepAutomated, true, models.StepPending),
		step(5, models.StageExecute, models.StepGate, true, models.StepPending),
		step(6, models.StageExecute, models.StepManual, false, models.StepPending),
		step(7, models.StageVerifyDeployment, models.StepManual, true, models.StepPending),
	}}
	seqs := func(ss []engine.StepState) []int {
		var out []int
		for _, s := range ss {
			out = append(out, s.Seq)
		}
		return out
	}
	if got := seqs(engine.SkippedByTick(st, 1)); !slices.Equal(got, []int{2, 3}) {
		t.Errorf("ticking 1 skips %v, want [2 3]: the gate in Execute waits for a person", got)
	}
	if got := seqs(engine.SkippedByTick(st, 2)); got != nil {
		t.Errorf("ticking optional 2 while 1 is open skips %v", got)
	}
	st.Steps[0].Status = models.StepBlocked // someone must act on it: nothing moves on
	if got := seqs(engine.SkippedByTick(st, 2)); got != nil {
		t.Errorf("with 1 blocked, ticking 2 skips %v", got)
	}
}
