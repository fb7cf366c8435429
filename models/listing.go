package models

import "time"

// Cursor marks a position in a newest-first listing.
type Cursor struct {
	Start time.Time
	ID    int64
}

// CursorOf is the cursor that continues a listing after d.
func CursorOf(d Deployment) *Cursor { return &Cursor{Start: d.ScheduledStart, ID: d.ID} }

// Filter narrows a deployment listing. Zero fields do not filter.
type Filter struct {
	Environment  string
	Statuses     []Status
	Assignee     string
	Component    string
	Model        string
	ModelVersion int // with Model
	Service      string
	Kind         Kind
	Requester    string
	ChangeRef    string
	Search       string    // words in the component, service, version, change reference, notes or incidents
	From, To     time.Time // scheduled start in [From, To)
	Limit        int       // default 50
	After        *Cursor   // continue after this row (keyset paging)
	Oldest       bool      // oldest first instead of newest first
}

// Incident is a disruption linked to a deployment.
type Incident struct {
	ID           int64
	DeploymentID int64
	OpenedAt     time.Time
	ResolvedAt   time.Time
	Summary      string
}

// PersonKey is an SSH public key added for a person (not the ones in config).
type PersonKey struct {
	Key         []byte // SSH wire format
	Person      string
	Line        string
	Fingerprint string
	AddedBy     string
	AddedAt     time.Time
}
