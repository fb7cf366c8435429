package engine

import (
	"fmt"
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
	EventFinding     = "finding"
)

// FindingText is a "finding" event's detail.
func FindingText(f models.Finding) string {
	s := f.Kind + " " + f.Rule
	if f.ConflictID != "" {
		s += " conflict " + f.ConflictID
	}
	return withNote(s+": "+f.Message, f.Reason)
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
	return LocalText(start, loc) + " – " + end.In(loc).Format("15:04 MST")
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

// ApprovedText is the "step" event of an approved gate.
func ApprovedText(seq int, name, note string) string {
	return withNote(fmt.Sprintf("approved %d %q", seq, name), note)
}

// BlockedText is the "step" event of a blocked checklist item.
func BlockedText(seq int, name, reason string) string {
	return fmt.Sprintf("blocked %d %q: %s", seq, name, reason)
}

// UnblockedText is the "step" event of an item set back to open.
func UnblockedText(seq int, name, note string) string {
	return withNote(fmt.Sprintf("unblocked %d %q", seq, name), note)
}

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
