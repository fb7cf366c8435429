package models

import (
	"slices"
	"strings"
	"time"
)

// Outcome is how a review judges a finished deployment.
type Outcome string

const (
	OutcomeSuccessful   Outcome = "successful"
	OutcomeWithIssues   Outcome = "successful_with_issues"
	OutcomeUnsuccessful Outcome = "unsuccessful"
)

// Outcomes lists the review outcomes.
var Outcomes = []Outcome{OutcomeSuccessful, OutcomeWithIssues, OutcomeUnsuccessful}

// Valid reports whether o is one of Outcomes.
func (o Outcome) Valid() bool { return slices.Contains(Outcomes, o) }

// Review is what was learned from a finished deployment (guide 3.1.1: review
// deployments and failure records). Scores are 1-5; 0 means not answered.
type Review struct {
	DeploymentID         int64
	Outcome              Outcome
	Satisfaction         int // with the deployment
	LeadTimeSatisfaction int // with how long it took
	Quality              int // of what was deployed
	Category             string
	Lessons              string
	Reviewer             string
	ReviewedAt           time.Time
	Model                string
	ModelVersion         int
}

// ImprovementStatus is where an improvement stands.
type ImprovementStatus string

const (
	ImprovementProposed    ImprovementStatus = "proposed"
	ImprovementApproved    ImprovementStatus = "approved"
	ImprovementInProgress  ImprovementStatus = "in_progress"
	ImprovementImplemented ImprovementStatus = "implemented"
	ImprovementVerified    ImprovementStatus = "verified"
	ImprovementRejected    ImprovementStatus = "rejected"
)

// ImprovementStatuses lists them in the order an improvement moves through them.
var ImprovementStatuses = []ImprovementStatus{ImprovementProposed, ImprovementApproved, ImprovementInProgress,
	ImprovementImplemented, ImprovementVerified, ImprovementRejected}

// Valid reports whether s is one of ImprovementStatuses.
func (s ImprovementStatus) Valid() bool { return slices.Contains(ImprovementStatuses, s) }

// Words is the status as a sentence says it ("in progress").
func (s ImprovementStatus) Words() string { return strings.ReplaceAll(string(s), "_", " ") }

// ParseImprovementStatus reads a status as stored ("in_progress") or as Words says
// it ("in progress"); false when s is neither for any of ImprovementStatuses.
func ParseImprovementStatus(s string) (ImprovementStatus, bool) {
	for _, st := range ImprovementStatuses {
		if s == string(st) || s == st.Words() {
			return st, true
		}
	}
	return "", false
}

// Improvement is one entry of the improvement register: a change to a model that a
// review or a failure suggested.
type Improvement struct {
	ID        int64
	Model     string
	Title     string
	Owner     string
	Status    ImprovementStatus
	InVersion int     // the model version that carries it; 0 while none does
	From      []int64 // the deployments it came from
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Audit finding kinds (guide table 2.4: audit and compliance findings).
const (
	FindingAudit      = "audit"
	FindingCompliance = "compliance"
)

// AuditFinding is a finding an auditor or a compliance officer recorded about a
// deployment or a model; DeploymentID is 0 for one about a model.
type AuditFinding struct {
	ID           int64
	DeploymentID int64
	Model        string
	Kind         string
	Summary      string
	Actor        string
	At           time.Time
}
