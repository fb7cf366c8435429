package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"ferry/models"
)

// The record's event types. The texts below are the only way an event's detail is
// written, by the engine and by anything that writes history in bulk (the demo).
const (
	EventPlanned     = "planned"
	EventRescheduled = "rescheduled"
	EventAssigned    = "assigned"
	EventStatus      = "status"
	EventCancelled   = "cancelled"
	EventStep        = "step"
	EventNote        = "note"
	EventOverride    = "override"
	EventIncident    = "incident"
	EventRun         = "run"
	EventEmergency   = "emergency"
	EventUrgency     = "urgency"
	EventChanged     = "changed" // a change reference or what it waits for
	EventAgain       = "again"   // run again as a new deployment, or run again of one
	EventFinding     = "finding"
)

// RejectedText is the "step" event of a rejected gate.
func RejectedText(seq int, name, reason string) string {
	return fmt.Sprintf("rejected %d %q: %s", seq, name, reason)
}

// ShownPrincipals is, for each of a record's events, who really acted (the OS login
// and host, or the SSH key, whatever --as said), on every line as the audit log shows
// it: a line left bare beside one that says it read as if someone else had acted.
// "" where an event has none, or where it is the actor's own name.
func ShownPrincipals(events []models.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		if e.Principal != e.Actor {
			out[i] = e.Principal
		}
	}
	return out
}

// FindingText is a "finding" event's detail.
func FindingText(f models.Finding) string {
	s := f.Kind + " " + f.Rule
	if f.ConflictID != "" {
		s += " conflict " + f.ConflictID
	}
	if f.Kind == models.FindingAtStart { // in words, not the kind's key
		s = "in " + strings.TrimPrefix(s, f.Kind+" ") + " at the start"
	}
	if f.Kind == models.FindingOverride || f.Kind == models.FindingEmergency {
		s += " by " + f.Actor // who allowed it; an unresolved one is found by whoever finished
	}
	msg := strings.TrimPrefix(f.Message, f.ConflictID+" ") // conflict messages lead with their ID
	return withNote(s+": "+msg, f.Reason)
}

// UrgencyText is the "urgency" event of a deployment planned as expedited or emergency.
func UrgencyText(u models.Urgency, by, reason string) string {
	return withNote(fmt.Sprintf("%s, declared by %s", u, by), reason)
}

// LocalText formats t in loc, e.g. "2026-11-26 14:05 CET"; the zero time is "—".
func LocalText(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// WindowText renders a scheduled window for the record.
func WindowText(start, end time.Time, loc *time.Location) string {
	return LocalText(start, loc) + " – " + models.EndText(start, end, loc, "15:04 MST", "2006-01-02 15:04 MST")
}

// PlannedText is a "planned" event's detail.
func PlannedText(d models.Deployment, loc *time.Location) string {
	s := fmt.Sprintf("%s v%d: %s %s %s → %s, %s", d.Model, d.ModelVersion, d.Action, d.Component,
		d.Version, d.Environment, WindowText(d.ScheduledStart, d.ScheduledEnd, loc))
	if d.Assignee != "" {
		s += ", assignee " + d.Assignee
	}
	if d.After != 0 {
		s += fmt.Sprintf(", after #%d", d.After)
	}
	return s
}

// AssignedText is an "assigned" event's detail; from "" is nobody.
func AssignedText(from, to string) string {
	if from == "" {
		from = "nobody"
	}
	if to == "" {
		to = "nobody"
	}
	return from + " → " + to
}

// StatusText is a "status" (or "cancelled") event's detail.
func StatusText(from, to models.Status, note string) string {
	s := string(from) + " → " + string(to)
	if note = strings.TrimSpace(note); note != "" {
		s += ": " + note
	}
	return s
}

// StatusWords is a status event's detail (StatusText: "verifying_components →
// verifying_environment: note") for people, the statuses in words ("verifying
// components → verifying environment: note"), as the rest of the record reads; the
// note stays as it was written, and a detail that is not two statuses as stored.
func StatusWords(detail string) string {
	move, note, hasNote := strings.Cut(detail, ": ")
	from, to, ok := strings.Cut(move, " → ")
	if !ok || strings.ContainsAny(from+to, " ") {
		return detail
	}
	out := models.Status(from).Words() + " → " + models.Status(to).Words()
	if hasNote {
		out += ": " + note
	}
	return out
}

// EventWords is an event's detail as a person reads it: a status event's statuses in
// words (StatusWords), any other as written. The JSON keeps what is stored.
func EventWords(e models.Event) string {
	if e.Type == EventStatus || e.Type == EventCancelled {
		return StatusWords(e.Detail)
	}
	return e.Detail
}

// withNote appends ": note" when there is one.
func withNote(s, note string) string {
	if note = strings.TrimSpace(note); note != "" {
		return s + ": " + note
	}
	return s
}

// TickedText is the "step" event of a ticked checklist item.
func TickedText(seq int, name, note string) string {
	return withNote(fmt.Sprintf("ticked %d %q", seq, name), note)
}

// TickedAheadText is the "step" event of an optional item ticked before the run
// reached its stage.
func TickedAheadText(seq int, name string, stage models.Stage, note string) string {
	return withNote(fmt.Sprintf("ticked %d %q ahead of %s", seq, name, stage.Title()), note)
}

// ApprovedText is the "step" event of an approved gate.
func ApprovedText(seq int, name, note string) string {
	return withNote(fmt.Sprintf("approved %d %q", seq, name), note)
}

// BlockedText is the "step" event of a blocked checklist item.
func BlockedText(seq int, name, reason string) string {
	return fmt.Sprintf("blocked %d %q: %s", seq, name, reason)
}

// InterruptedText is the "step" event of an automated step whose runner died while
// it ran; InterruptedNote is the note on its step run.
func InterruptedText(seq int, name string, attempt int, why string, lines int64) string {
	return fmt.Sprintf("interrupted %d %q in attempt %d: %s; %d line%s of output kept", seq, name, attempt, why, lines,
		models.Plural(int(lines)))
}

// RunnerStopped is why a step was interrupted when nothing more is known of its
// runner than that it is gone.
const RunnerStopped = "the runner that started it stopped"

// InterruptedNote is the note on the step run of an interrupted step.
func InterruptedNote(why string) string { return "interrupted: " + why }

// UnblockedText is the "step" event of an item set back to open.
func UnblockedText(seq int, name, note string) string {
	return withNote(fmt.Sprintf("unblocked %d %q", seq, name), note)
}

// SkippedText is the "step" event of an optional checklist item nobody ticked when
// its stage was left; SkippedNote is the note on its step run.
func SkippedText(seq int, name string) string {
	return fmt.Sprintf("skipped %d %q: %s", seq, name, SkippedNote)
}

// SkippedNote is why an optional step was skipped.
const SkippedNote = "optional, not done when its stage was left"

// NoteText is a "note" event's detail.
func NoteText(seq int, name, note string) string {
	return fmt.Sprintf("note on %d %q: %s", seq, name, note)
}

// IncidentText is an "incident" event's detail.
func IncidentText(in models.Incident, loc *time.Location) string {
	s := "opened " + LocalText(in.OpenedAt, loc) + ": " + in.Summary
	if !in.ResolvedAt.IsZero() {
		s += " (resolved " + LocalText(in.ResolvedAt, loc) + ")"
	}
	return s
}

// The end of a run after a required step failed. The failure says which step and
// why; what happened next follows it, after a semicolon, in the note of the final
// "status" event: the stage's on-failure steps ran (rolled_back), or one of them
// failed, or some must be done by hand, or there are none (failed).

// StepFailedText is the failure of step seq: "step 3 \"Smoke test\" failed: exit 1".
func StepFailedText(seq int, name, detail string) string {
	return withNote(fmt.Sprintf("step %d %q failed", seq, name), detail)
}

// RanText is a rolled back deployment's note: the failure, and the on-failure steps
// that ran.
func RanText(failure string, names ...string) string {
	return failure + "; ran " + quoteList(names)
}

// OnFailureFailedText is the note when on-failure step name failed too.
func OnFailureFailedText(failure, name, detail string) string {
	return fmt.Sprintf("%s; on-failure step %q failed: %s", failure, name, detail)
}

// ByHandText is the note when on-failure steps are left for people to do.
func ByHandText(failure string, names ...string) string {
	return failure + "; on-failure steps to do by hand: " + quoteList(names)
}

// NoOnFailureText is the note when the failed stage has no on-failure steps.
func NoOnFailureText(failure string, stage models.Stage) string {
	return failure + "; " + stage.Title() + " has no on-failure steps"
}

// RejectHint says what rejecting the gate st waits at leads to, for the prompt that
// asks why: the gate's stage fails, and either its on-failure steps run or, when it
// has none, the deployment fails there (failStage).
func RejectHint(st RunState) string {
	w := st.Waiting
	if w == nil || w.Seq < 1 || w.Seq > len(st.Steps) {
		return "why the gate is refused (kept on the record)"
	}
	stage := st.Steps[w.Seq-1].Step.Stage
	var names []string
	for _, s := range st.OnFailure {
		if s.Step.Stage == stage {
			names = append(names, s.Step.Name)
		}
	}
	if len(names) == 0 {
		return "why the gate is refused: the deployment then fails (" + stage.Title() + " has no on-failure steps)"
	}
	return "why the gate is refused: " + stage.Title() + " then fails and runs its on-failure steps " + quoteList(names)
}

// quoteList quotes each name and joins them with commas.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
