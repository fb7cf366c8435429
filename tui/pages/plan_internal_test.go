package pages

import (
	"testing"

	"charm.land/huh/v2"

	"ferry/tui/internal/tuitest"
)

var newTestCommon = tuitest.Org

type poke = tuitest.Poke

// TestPlanFormSavesOnce: a message reaching the form after its plan was saved, and
// before it closed, does not plan the deployment again.
func TestPlanFormSavesOnce(t *testing.T) {
	c := newTestCommon(t, "ana")
	p := NewPlan(c).(*planForm)
	p.modelChosen = true
	p.form.State = huh.StateCompleted // as after enter on the last field
	saved, err := c.Eng.Deployment(c.Ctx, c.Actor, 3)
	if err != nil {
		t.Fatal(err)
	}
	if cmd := p.Update(planSavedMsg{d: saved.Deployment}); cmd == nil {
		t.Fatal("a saved plan closes the form")
	}
	if cmd := p.Update(poke{}); cmd != nil || p.saving || p.err != nil {
		t.Fatalf("a message after the save must not save again (saving %v, err %v)", p.saving, p.err)
	}
}
