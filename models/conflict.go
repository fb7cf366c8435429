package models

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// ConflictKind names a kind of conflict.
type ConflictKind string

// Words is the kind as text reads it: "blocked version", not "blocked_version".
func (k ConflictKind) Words() string { return strings.ReplaceAll(string(k), "_", " ") }

const (
	ConflictCapacity    ConflictKind = "capacity"        // more overlap in an environment than its capacity
	ConflictComponent   ConflictKind = "component"       // the same component moved twice at once
	ConflictPerson      ConflictKind = "person"          // the assignee booked twice at once
	ConflictFreeze      ConflictKind = "freeze"          // the window touches a freeze window
	ConflictMaintenance ConflictKind = "maintenance"     // not inside a required maintenance window
	ConflictPromotion   ConflictKind = "promotion"       // not yet through the previous environment on the path
	ConflictDependency  ConflictKind = "dependency"      // starts before the deployment it waits for ends
	ConflictBlocked     ConflictKind = "blocked_version" // a version a manager blocked (a bad build)
	ConflictRelated     ConflictKind = "related"         // a component and one it depends on moved at once
)

// ConflictKinds lists every kind, in the order reports show them.
var ConflictKinds = []ConflictKind{ConflictCapacity, ConflictComponent, ConflictPerson, ConflictFreeze,
	ConflictMaintenance, ConflictPromotion, ConflictDependency, ConflictBlocked, ConflictRelated}

// Conflict states.
const (
	ConflictOpen       = "open"
	ConflictOverridden = "overridden"
	ConflictUnresolved = "unresolved" // still open when a deployment it involves finished
)

// Conflict is two (or more) plans that cannot both happen as scheduled, with its
// short ID and whether a manager accepted it.
type Conflict struct {
	Key         string // stable identity, used to record overrides
	Kind        ConflictKind
	IDs         []int64 // the deployments involved, ascending
	Environment string
	Person      string
	Start, End  time.Time // when it bites
	Message     string

	ID       string // short and stable: the same clash keeps the same ID
	Status   string // open | overridden
	Reason   string // the override's reason
	Override *Override
	// StartedOver is the start a manager allowed against it (or an emergency's): it
	// stays open while its deployments run (a plan left in it must still move), and
	// is kept as overridden, not unresolved, when they finish.
	StartedOver *Finding
}

// Involves reports whether the conflict involves deployment id.
func (c Conflict) Involves(id int64) bool { return slices.Contains(c.IDs, id) }

// CompareConflicts orders conflicts as they are listed: by start, kind and key.
func CompareConflicts(a, b Conflict) int {
	return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Kind, b.Kind), strings.Compare(a.Key, b.Key))
}

// Open reports whether the conflict still needs attention.
func (c Conflict) Open() bool { return c.Status == ConflictOpen }

// Override is a conflict a manager accepted.
type Override struct {
	Key    string
	Kind   string
	IDs    []int64
	Reason string
	Actor  string
	At     time.Time
}

// BlockedVersion is a version of a component that may not be planned or started
// anywhere until a manager unblocks it.
type BlockedVersion struct {
	Component, Version string
	Reason             string
	Actor              string
	At                 time.Time
}

// OverrideText says who accepted the conflict and why, e.g. "overridden by marc:
// agreed with ops"; "" when it is not overridden.
func (c Conflict) OverrideText() string {
	if c.Status != ConflictOverridden {
		return ""
	}
	if c.Override == nil || c.Override.Actor == "" {
		return "overridden: " + c.Reason
	}
	return "overridden by " + c.Override.Actor + ": " + c.Reason
}

// StartedText says who went ahead against the conflict and why, e.g. "started
// anyway by ana: the hotfix cannot wait"; "" when nobody did.
func (c Conflict) StartedText() string {
	f := c.StartedOver
	if f == nil {
		return ""
	}
	what := "started anyway"
	if f.Kind == FindingEmergency {
		what = "emergency start"
	}
	return what + " by " + f.Actor + ": " + f.Reason
}
