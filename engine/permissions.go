package engine

import (
	"errors"
	"fmt"

	"ferry/models"
)

// Action is something a person asks the engine to do; Can decides whether they may.
type Action string

const (
	ActRead       Action = "read"
	ActPlan       Action = "plan"
	ActReschedule Action = "reschedule"
	ActAssign     Action = "assign"
	ActCancel     Action = "cancel"
	ActRun        Action = "run"      // move a deployment through its lifecycle
	ActTick       Action = "tick"     // tick, note or block a manual step
	ActApprove    Action = "approve"  // approve a gate; the gate's roles decide further
	ActReject     Action = "reject"   // reject a gate; as approving, but the requester may
	ActIncident   Action = "incident" // record an incident linked to a deployment
	ActOverride   Action = "override" // accept a conflict with a reason
	ActAdmin      Action = "admin"    // let people in (SSH keys), repair the report rollups
	ActBlock      Action = "block"    // block a bad version from going anywhere, or unblock it
)

// verb is how an action reads in a refusal.
var verb = map[Action]string{
	ActRead: "see", ActPlan: "plan", ActReschedule: "reschedule", ActAssign: "assign",
	ActCancel: "cancel", ActRun: "run", ActTick: "tick, note or block steps of", ActApprove: "approve gates of", ActReject: "reject gates of",
	ActIncident: "record incidents on", ActOverride: "override conflicts of", ActAdmin: "administer",
	ActBlock: "block or unblock versions of",
}

// Can reports whether p may do a to d (d may be nil for actions on no deployment yet).
// The rules, from the product brief: managers may do everything; practitioners plan,
// run and verify; technicians work only on deployments assigned to them; analysts read.
func Can(p models.Person, a Action, d *models.Deployment) error { return can(p, a, d, "") }

// CanCreateRelease reports whether p may create a release: whoever may plan, refused
// in the act's own words ("may not create releases", not "plan deployments").
func CanCreateRelease(p models.Person) error { return can(p, ActPlan, nil, "create releases") }

// CanAs is Can, its refusal naming the act in verb's words ("fail", "roll back")
// where one action stands for several acts: an analyst pressing F on a failed
// deployment was told he "may not run" it.
func CanAs(p models.Person, a Action, d *models.Deployment, verb string) error {
	what := "deployments"
	if d != nil && d.ID != 0 {
		what = fmt.Sprintf("deployment #%d", d.ID)
	}
	return can(p, a, d, verb+" "+what)
}

// can is Can, its refusal naming the act as act says when it is not "".
func can(p models.Person, a Action, d *models.Deployment, act string) error {
	refuse := func(p models.Person, a Action, d *models.Deployment, why string) error {
		if act != "" {
			return mayNot(p, act, why)
		}
		return refuse(p, a, d, why)
	}
	if p.Unmapped && a != ActRead {
		return unmappedError{models.Forbiddenf("login %q maps to no person in the configuration: it may read but change nothing "+
			"(to act, add unix_user = %q to your [[person]])", p.Name, p.Name)}
	}
	if p.Has(models.RoleManager) {
		return nil
	}
	switch a {
	case ActOverride:
		return refuse(p, a, d, "only managers override conflicts")
	case ActAdmin:
		return refuse(p, a, d, "only managers may")
	case ActBlock:
		return refuse(p, a, d, "only managers block a version, or unblock it")
	}
	if p.Has(models.RolePractitioner) {
		return nil
	}
	// An analyst reads everything, also one who is a technician besides (SeesOnlyOwn
	// says the same, so the screens offer what the engine allows).
	if p.Has(models.RoleAnalyst) && a == ActRead {
		return nil
	}
	if p.Has(models.RoleTechnician) {
		assigned := d != nil && d.Assignee == p.Name
		switch a {
		case ActRead, ActRun, ActTick, ActApprove, ActReject:
			if assigned {
				return nil
			}
			return refuse(p, a, d, "technicians work only on deployments assigned to them")
		}
		return refuse(p, a, d, "technicians tick, note and block steps of their own deployments")
	}
	return refuse(p, a, d, "analysts have read-only access")
}

// ErrUnmappedLogin is in the refusal of any change by a login that maps to no person
// (errors.Is): the CLI, which said so before the act, need not say it again.
var ErrUnmappedLogin = errors.New("login maps to no person")

// unmappedError is a refusal for a login of no person: forbidden, and unmapped.
type unmappedError struct{ error }

func (e unmappedError) Unwrap() []error { return []error{e.error, ErrUnmappedLogin} }

// mayNot is the refusal of an act Can refused, in the act's own words: "ana
// (analyst) may not list SSH keys: only managers may". A login that maps to no
// person has no role to name: its refusal names the login.
func mayNot(p models.Person, act, why string) error {
	if p.Unmapped { // no role to name: the login, and the act's own rule
		return models.Forbiddenf("login %q maps to no person in the configuration and may not %s: %s", p.Name, act, why)
	}
	return models.Forbiddenf("%s (%s) may not %s: %s", p.Name, p.MainRole(), act, why)
}

func refuse(p models.Person, a Action, d *models.Deployment, why string) error {
	what := "deployments"
	if d != nil && d.ID != 0 {
		what = fmt.Sprintf("deployment #%d", d.ID)
	}
	return models.Forbiddenf("%s (%s) may not %s %s: %s", p.Name, p.MainRole(), verb[a], what, why)
}

// MayMove reports whether p may move d now: it is still a plan, and p may reschedule
// it (a deployment under way no longer moves).
func MayMove(p models.Person, d models.Deployment) bool { return WhyNoMove(p, d) == nil }

// WhyNoMove says why p may not move d now, nil when they may: first p's role, which
// holds for every deployment (an analyst moves none), then d's state (one under way
// or finished no longer moves). Told only the state, an analyst would try the next
// deployment and be refused again. The reschedule and the suggestion refuse in this
// order, and the screens ask it for theirs.
func WhyNoMove(p models.Person, d models.Deployment) error {
	if err := Can(p, ActReschedule, &d); err != nil {
		return err
	}
	return notPlanned(d)
}

// notPlanned refuses to move d unless it is still a plan.
func notPlanned(d models.Deployment) error {
	if d.Status != models.StatusPlanned {
		return models.Conflictf("deployment #%d %s; only planned deployments can move", d.ID, d.Status.Phrase())
	}
	return nil
}

// SeesOnlyOwn reports whether p sees only the deployments assigned to them: a person
// who is only a technician. Screens ask this to choose what to offer; the engine's
// queries apply it themselves.
func SeesOnlyOwn(p models.Person) bool {
	return p.Has(models.RoleTechnician) && !p.Has(models.RoleManager) &&
		!p.Has(models.RolePractitioner) && !p.Has(models.RoleAnalyst)
}

// CarriesOut reports whether p may be assigned deployments: managers, practitioners
// and technicians carry them out; analysts only read.
func CarriesOut(p models.Person) bool {
	return p.Has(models.RoleManager) || p.Has(models.RolePractitioner) || p.Has(models.RoleTechnician)
}

// CanRunDue reports whether p may start due automated deployments at all: someone
// who carries out deployments (a technician's run-due starts only their own).
func CanRunDue(p models.Person) error {
	if p.Unmapped || !CarriesOut(p) {
		return Can(p, ActRun, nil)
	}
	return nil
}
