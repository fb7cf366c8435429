// Package notify sends Ferry's notifications: the JSON event every channel is built
// from, and one sender per channel type (webhook, Slack, email, command). It does
// I/O only; what to tell whom is the engine's, and retries are the deliverer's.
package notify

import (
	"encoding/json"
	"time"
)

// Event is what a channel is told. Its JSON is the body of a webhook and the stdin
// of a command; Slack messages and mails are written from it. The shape is a stable
// interface, documented in the README: fields may be added, never renamed.
type Event struct {
	// ID is the message's idempotency key: the same on every try of this message,
	// different for another channel or recipient of the same event.
	ID      string    `json:"id"`
	Type    string    `json:"event"`   // planned, failed, gate_waiting, … or test
	Key     string    `json:"key"`     // the event's own key, shared by its messages
	At      time.Time `json:"at"`      // when it happened
	Summary string    `json:"summary"` // one line in words
	Text    string    `json:"text"`    // the whole story in words (local times), for people
	Detail  string    `json:"detail"`  // the event's own part of the text (what failed, why it is blocked, …)
	Actor   string    `json:"actor"`   // who did it ("" for what time did: overdue, overrun, freeze_ahead)
	// Environment is where it happened.
	Environment string       `json:"environment"`
	Deployment  *Deployment  `json:"deployment"`            // the deployment it is about (null for freeze_ahead, test)
	Deployments []Deployment `json:"deployments,omitempty"` // freeze_ahead: what is planned inside the freeze
	Step        *Step        `json:"step,omitempty"`        // gate_waiting, blocked
	Conflict    *Conflict    `json:"conflict,omitempty"`    // conflict_new
	Incident    *Incident    `json:"incident,omitempty"`    // incident_opened
	Freeze      *Freeze      `json:"freeze,omitempty"`      // freeze_ahead
	Channel     string       `json:"channel"`
	Recipients  []Recipient  `json:"recipients"` // who the message is for ([] when the rule names nobody)
}

// Deployment is a deployment as `ferry deploy show --json` prints it (same names).
type Deployment struct {
	ID             int64      `json:"id"`
	Model          string     `json:"model"`
	ModelVersion   int        `json:"model_version"`
	Service        string     `json:"service"`
	Component      string     `json:"component"`
	Kind           string     `json:"kind"`
	Version        string     `json:"version"`
	Action         string     `json:"action"`
	Environment    string     `json:"environment"`
	Status         string     `json:"status"`
	Stage          string     `json:"stage"`
	Assignee       string     `json:"assignee"`
	Requester      string     `json:"requester"`
	ChangeRef      string     `json:"change_ref"`
	ScheduledStart time.Time  `json:"scheduled_start"`
	ScheduledEnd   time.Time  `json:"scheduled_end"`
	StartedAt      *time.Time `json:"started_at"`
	FinishedAt     *time.Time `json:"finished_at"`
	Urgency        string     `json:"urgency"`
}

// Step is the step a gate_waiting or blocked event is about.
type Step struct {
	Seq       int      `json:"seq"`
	Name      string   `json:"name"`
	Stage     string   `json:"stage"`
	Note      string   `json:"note,omitempty"`      // blocked: the reason
	Approvers []string `json:"approvers,omitempty"` // gate_waiting: who may approve
}

// Conflict is a new conflict (same names as `ferry conflicts --json`).
type Conflict struct {
	ID            string    `json:"id"`
	Kind          string    `json:"kind"`
	DeploymentIDs []int64   `json:"deployment_ids"`
	Environment   string    `json:"environment"`
	Person        string    `json:"person"`
	WindowStart   time.Time `json:"window_start"`
	WindowEnd     time.Time `json:"window_end"`
	Message       string    `json:"message"`
}

// Incident is a newly recorded incident.
type Incident struct {
	ID         int64      `json:"id"`
	OpenedAt   time.Time  `json:"opened_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
	Summary    string     `json:"summary"`
}

// Freeze is a freeze window about to begin.
type Freeze struct {
	Environment string    `json:"environment"`
	Name        string    `json:"name"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
}

// Recipient is someone a message is for.
type Recipient struct {
	Name     string `json:"name"`
	FullName string `json:"full_name,omitempty"`
	Email    string `json:"email,omitempty"`
	Slack    string `json:"slack,omitempty"`
}

// Message is one message to send: the event addressed to a channel's recipients.
type Message struct {
	Event   Event
	Body    []byte // Event as JSON, exactly what a webhook or command gets
	Address string // email: the one address it goes to
}

// NewMessage fills in the message's ID, channel and recipients and encodes it.
func NewMessage(ev Event, id, channel string, to []Recipient, address string) (Message, error) {
	ev.ID, ev.Channel, ev.Recipients = id, channel, to
	if ev.Recipients == nil {
		ev.Recipients = []Recipient{}
	}
	body, err := json.Marshal(ev)
	return Message{Event: ev, Body: body, Address: address}, err
}
