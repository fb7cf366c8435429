package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Status is where a deployment stands in its lifecycle.
type Status string

const (
	StatusPlanned              Status = "planned"
	StatusVerifyingComponents  Status = "verifying_components"
	StatusVerifyingEnvironment Status = "verifying_environment"
	StatusExecuting            Status = "executing"
	StatusVerifyingDeployment  Status = "verifying_deployment"
	StatusSucceeded            Status = "succeeded"
	StatusFailed               Status = "failed"
	StatusRolledBack           Status = "rolled_back"
	StatusCancelled            Status = "cancelled"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{
	StatusPlanned, StatusVerifyingComponents, StatusVerifyingEnvironment, StatusExecuting,
	StatusVerifyingDeployment, StatusSucceeded, StatusFailed, StatusRolledBack, StatusCancelled,
}

// UnderWay are the statuses of a deployment that has started and not ended (Running).
var UnderWay = []Status{StatusVerifyingComponents, StatusVerifyingEnvironment, StatusExecuting, StatusVerifyingDeployment}

// activeOrder is the happy path through the lifecycle.
var activeOrder = []Status{
	StatusPlanned, StatusVerifyingComponents, StatusVerifyingEnvironment,
	StatusExecuting, StatusVerifyingDeployment, StatusSucceeded,
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Final reports whether nothing more can happen to the deployment.
func (s Status) Final() bool {
	return s == StatusSucceeded || s == StatusFailed || s == StatusRolledBack || s == StatusCancelled
}

// Running reports whether the deployment has started and not finished.
func (s Status) Running() bool { return !s.Final() && s != StatusPlanned }

// Stage is the step-holding stage this status runs, or "" when none does.
func (s Status) Stage() Stage {
	switch s {
	case StatusVerifyingComponents:
		return StageVerifyComponents
	case StatusVerifyingEnvironment:
		return StageVerifyEnvironment
	case StatusExecuting:
		return StageExecute
	case StatusVerifyingDeployment:
		return StageVerifyDeployment
	}
	return ""
}

// Label is the stage word shown to people: planning, verification, execution, done.
func (s Status) Label() string {
	switch s {
	case StatusPlanned:
		return "planning"
	case StatusSucceeded, StatusFailed, StatusRolledBack, StatusCancelled:
		return "done"
	}
	return s.Stage().Title()
}

// Phrase is the status as the rest of a sentence about a deployment: "#7 is
// planned", "#7 is executing", "#7 has succeeded", "#7 was rolled back".
func (s Status) Phrase() string {
	switch s {
	case StatusSucceeded:
		return "has succeeded"
	case StatusFailed:
		return "has failed"
	case StatusRolledBack:
		return "was rolled back"
	case StatusCancelled:
		return "was cancelled"
	}
	return "is " + strings.ReplaceAll(string(s), "_", " ")
}

// Words is the status as people read it, without the underscores of its stored
// name: "verifying deployment", "rolled back".
func (s Status) Words() string { return strings.ReplaceAll(string(s), "_", " ") }

// Next is the status after s on the happy path, or "" when there is none.
func (s Status) Next() Status {
	i := slices.Index(activeOrder, s)
	if i < 0 || i == len(activeOrder)-1 {
		return ""
	}
	return activeOrder[i+1]
}

// CanMove reports whether the lifecycle allows going from s to t.
func (s Status) CanMove(t Status) bool {
	if s.Final() {
		return false
	}
	switch t {
	case StatusCancelled:
		return true
	case StatusFailed, StatusRolledBack:
		return s.Running()
	}
	return s.Next() == t
}

// Action says whether a deployment brings a component in or takes it out.
type Action string

const (
	ActionDeploy Action = "deploy"
	ActionRemove Action = "remove"
)

// Valid reports whether a is deploy or remove.
func (a Action) Valid() bool { return a == ActionDeploy || a == ActionRemove }

// Deployment is one movement (or removal) of one component version into one environment.
type Deployment struct {
	ID             int64
	Model          string
	ModelVersion   int
	Service        string
	Component      string
	Kind           Kind
	Version        string
	Action         Action
	Environment    string
	Status         Status
	Assignee       string
	Requester      string
	PlannedBy      string // who planned it (may differ from the requester); "" if unknown
	ChangeRef      string
	After          int64 // a deployment this one waits for, or 0
	ScheduledStart time.Time
	ScheduledEnd   time.Time
	StartedAt      time.Time // zero until started
	FinishedAt     time.Time // zero until finished
	CreatedAt      time.Time
	UpdatedAt      time.Time
	StepsDone      int // ticked or finished steps, for progress
	StepsTotal     int
	Urgency        Urgency // normal, expedited or emergency
	UrgencyReason  string  // why an emergency (or expedited) deployment is one
}

// Window is the deployment's scheduled window.
func (d Deployment) Window() Interval { return Interval{d.ScheduledStart, d.ScheduledEnd} }

// IDs are the deployments' IDs, in their order.
func IDs(ds []Deployment) []int64 {
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	return ids
}

// OverrunsAt reports whether d is under way at now past the end of its window.
func (d Deployment) OverrunsAt(now time.Time) bool {
	return d.Status.Running() && !now.Before(d.ScheduledEnd)
}

// Validate checks the deployment's own fields before it is stored.
func (d Deployment) Validate() error {
	switch {
	case d.Model == "":
		return Invalidf("deployment needs a model")
	case d.Component == "":
		return Invalidf("deployment needs a component")
	case d.Version == "":
		return Invalidf("deployment needs a version")
	case d.Environment == "":
		return Invalidf("deployment needs an environment")
	case !d.Action.Valid():
		return Invalidf("action %q must be deploy or remove", d.Action)
	case d.ScheduledStart.IsZero() || d.ScheduledEnd.IsZero():
		return Invalidf("deployment needs a scheduled start and end")
	case !d.ScheduledEnd.After(d.ScheduledStart):
		return Invalidf("scheduled end %s is not after the start %s",
			d.ScheduledEnd.Format(time.RFC3339), d.ScheduledStart.Format(time.RFC3339))
	}
	if err := CheckYear("scheduled start "+d.ScheduledStart.Format(time.RFC3339), d.ScheduledStart); err != nil {
		return err
	}
	if err := CheckYear("scheduled end "+d.ScheduledEnd.Format(time.RFC3339), d.ScheduledEnd); err != nil {
		return err
	}
	if err := CheckLabel("version", d.Version); err != nil {
		return err
	}
	return CheckLabel("change reference", d.ChangeRef)
}

// StepStatus is where a step run stands.
type StepStatus string

const (
	StepPending     StepStatus = "pending"
	StepRunning     StepStatus = "running"
	StepDone        StepStatus = "done"
	StepFailed      StepStatus = "failed"
	StepSkipped     StepStatus = "skipped"
	StepBlocked     StepStatus = "blocked"
	StepInterrupted StepStatus = "interrupted"
)

// StepRun is the state of one model step inside one deployment.
type StepRun struct {
	DeploymentID int64
	Seq          int // position in the model's StepsFor(environment), from 1
	Step         Step
	Status       StepStatus
	Actor        string
	At           time.Time // when the status was last set; zero if never
	Note         string    // what was noted on it, or how its run ended (failed, interrupted, skipped)
	BlockReason  string    // while blocked: why
	ExitCode     *int
}

// Event is one entry of the append-only deployment record.
type Event struct {
	ID           int64
	DeploymentID int64
	At           time.Time
	Actor        string
	Type         string // planned, rescheduled, assigned, status, cancelled, step, note ...
	Detail       string
	Principal    string // who really acted: the OS login and host, or the SSH key, whatever --as said
	Hash         []byte // its link in the record's hash chain
}

// DoneBy is who a finished deployment is put to, where one name is shown: its
// assignee, or when nobody was assigned (an automated run) its requester.
func (d Deployment) DoneBy() string {
	if d.Assignee != "" {
		return d.Assignee
	}
	return d.Requester
}

// Move is what d moves, in words: "payments-api 1.0.0 → dev", or for a removal
// "removal of payments-api 1.0.0 from dev" (it read as a deployment of the version).
func (d Deployment) Move() string {
	if d.Action == ActionRemove {
		return fmt.Sprintf("removal of %s %s from %s", d.Component, d.Version, d.Environment)
	}
	return fmt.Sprintf("%s %s → %s", d.Component, d.Version, d.Environment)
}

// VersionWords is d's version as a list writes it: "remove 1.0.0" for a removal, so
// that a removal's row does not read as a deployment of that version.
func (d Deployment) VersionWords() string {
	if d.Action == ActionRemove {
		return "remove " + d.Version
	}
	return d.Version
}
