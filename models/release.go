package models

import "time"

// Release is a named set of component versions that moves through the environments
// together (guide 2.3): planned into an environment as one deployment per component.
type Release struct {
	ID         int64
	Name       string
	ChangeRef  string
	Notes      string
	CreatedBy  string
	CreatedAt  time.Time
	Components []ReleaseComponent // in the order given
}

// ReleaseComponent is one component version of a release.
type ReleaseComponent struct {
	Component string
	Version   string
}

// ReleaseStatus is where a release stands in one environment, read from its
// deployments there (the latest of each component).
type ReleaseStatus string

const (
	ReleaseNone         ReleaseStatus = ""              // never planned there
	ReleasePlanned      ReleaseStatus = "planned"       // planned, nothing started or failed
	ReleaseRunning      ReleaseStatus = "running"       // one of its deployments is running
	ReleasePartlyFailed ReleaseStatus = "partly failed" // one failed or was rolled back
	ReleaseDone         ReleaseStatus = "done"          // every component succeeded there
	ReleaseCancelled    ReleaseStatus = "cancelled"     // cancelled there, nothing else
)

// StatusOfRelease is the status in one environment of a release with n components
// whose latest deployments there have the given statuses.
func StatusOfRelease(n int, latest []Status) ReleaseStatus {
	if len(latest) == 0 {
		return ReleaseNone
	}
	var running, failed, succeeded, planned int
	for _, s := range latest {
		switch {
		case s.Running():
			running++
		case s == StatusFailed || s == StatusRolledBack:
			failed++
		case s == StatusSucceeded:
			succeeded++
		case s == StatusPlanned:
			planned++
		}
	}
	switch {
	case running > 0:
		return ReleaseRunning
	case failed > 0:
		return ReleasePartlyFailed
	case succeeded == n:
		return ReleaseDone
	case planned > 0:
		return ReleasePlanned
	}
	// Nothing planned or under way, and not all done: the rest was cancelled (one
	// part done and the other cancelled read "planned", with nothing planned).
	return ReleaseCancelled
}

// CheckName checks a name people type on command lines (a release's): letters,
// digits, '.', '_' and '-', MaxLabel at most.
func CheckName(field, s string) error {
	if err := CheckLength(field, s); err != nil {
		return err
	}
	if s == "" {
		return Invalidf("%s is empty: give one", field)
	}
	if !validName(s) {
		return Invalidf("%s %q may only use letters, digits, '.', '_' and '-'", field, s)
	}
	return nil
}
