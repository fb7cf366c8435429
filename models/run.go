package models

import "time"

// Lease is a runner's hold on one deployment: while it is valid no other runner
// may work on the deployment.
type Lease struct {
	DeploymentID int64
	Holder       string // unique per runner
	Host         string
	BootID       string
	PID          int
	Actor        string
	AcquiredAt   time.Time
	ExpiresAt    time.Time
}

// Attempt is one execution of an automated step (or an on-failure step).
type Attempt struct {
	DeploymentID int64
	Seq          int
	Attempt      int // from 1
	Status       StepStatus
	Holder       string
	Host         string
	BootID       string
	PGID         int   // process group of the command; 0 for built-in checks
	PGIDStart    int64 // the group leader's start time, to tell it from a later process with the same id
	StartedAt    time.Time
	FinishedAt   time.Time // zero while running
	ExitCode     *int
	Lines        int64 // output lines stored so far
	Bytes        int64 // output bytes stored so far
	Detail       string
}

// The streams a step's output line came from.
const (
	StreamOut = "out"
	StreamErr = "err"
)

// OutputLine is one line an automated step wrote.
type OutputLine struct {
	ID           int64 // increases with time across the whole database
	DeploymentID int64
	Seq          int
	Attempt      int
	LineNo       int // from 1 within the attempt
	Stream       string
	At           time.Time
	Text         string
}

// OutputFilter selects output lines of one deployment.
type OutputFilter struct {
	DeploymentID int64
	Seq          int   // only this step (0: every step)
	Attempt      int   // only this attempt of Seq (0: every attempt)
	AfterID      int64 // only lines after this one: follow new output
	Limit        int   // at most this many (default 1000)
	Tail         bool  // the newest Limit lines instead of the oldest (still returned in order)
}
