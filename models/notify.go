package models

import (
	"slices"
	"time"
)

// Notification events: what Ferry tells people about ([[notify.rule]] events).
const (
	NotifyPlanned        = "planned"         // a deployment was planned
	NotifyRescheduled    = "rescheduled"     // its window moved
	NotifyConflictNew    = "conflict_new"    // a plan, reschedule or assignment put it in a new conflict
	NotifyGateWaiting    = "gate_waiting"    // a run reached a gate: an approval is needed
	NotifyBlocked        = "blocked"         // a checklist item was blocked
	NotifyStarted        = "started"         // it started (left planned)
	NotifyFailed         = "failed"          // it ended failed
	NotifyRolledBack     = "rolled_back"     // it ended rolled back
	NotifySucceeded      = "succeeded"       // it ended succeeded
	NotifyCancelled      = "cancelled"       // it was cancelled
	NotifyOverdue        = "overdue"         // its window began and it has not started
	NotifyOverrun        = "overrun"         // it runs past its scheduled end
	NotifyFreezeAhead    = "freeze_ahead"    // a freeze begins within a day; lists what is planned inside it
	NotifyIncidentOpened = "incident_opened" // an incident was linked to it
	NotifyReviewDue      = "review_due"      // a failure (or a success with an incident) waits for its review
	NotifyTest           = "test"            // ferry notify test: not for rules
)

// NotifyEvents lists the events a rule may name, in lifecycle order.
var NotifyEvents = []string{NotifyPlanned, NotifyRescheduled, NotifyConflictNew, NotifyGateWaiting, NotifyBlocked,
	NotifyStarted, NotifyFailed, NotifyRolledBack, NotifySucceeded, NotifyCancelled, NotifyOverdue, NotifyOverrun,
	NotifyFreezeAhead, NotifyIncidentOpened, NotifyReviewDue}

// ValidNotifyEvent reports whether a rule may name ev.
func ValidNotifyEvent(ev string) bool { return slices.Contains(NotifyEvents, ev) }

// Channel types.
const (
	ChannelWebhook = "webhook"
	ChannelSlack   = "slack"
	ChannelEmail   = "email"
	ChannelCommand = "command"
)

// ChannelTypes lists the channel types.
var ChannelTypes = []string{ChannelWebhook, ChannelSlack, ChannelEmail, ChannelCommand}

// How an email channel secures its SMTP connection.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which must succeed (port 587)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no TLS: a relay on this machine only
)

// Channel is a way to reach people, declared with [[notify.channel]].
type Channel struct {
	Name string
	Type string // webhook | slack | email | command

	URL       string // webhook, slack
	SecretEnv string // webhook: the environment variable holding the HMAC-SHA256 secret

	SMTP        string // email: host:port
	From        string // email: the sender address
	UserEnv     string // email: the environment variable holding the SMTP user name
	PasswordEnv string // email: the environment variable holding the SMTP password
	TLS         string // email: starttls (default), tls or none
	CAFile      string // email: PEM certificates to trust besides the system's (absolute)

	Run string // command: /bin/sh -c, the event's JSON on stdin
	Dir string // command: where it runs (the config file's directory)

	Timeout time.Duration // one send (default 10s)
	MaxAge  time.Duration // a message not sent by then is dead (default [notify] max_age)
}

// Recipient targets in a rule's "to".
const (
	ToRequester = "requester"
	ToAssignee  = "assignee"
	ToRole      = "role:"   // role:manager
	ToPerson    = "person:" // person:ana
)

// NotifyRule says which events go to which channel, for whom ([[notify.rule]]).
type NotifyRule struct {
	Events       []string
	Environments []string // empty: every environment
	Channel      string
	To           []string // requester, assignee, role:R, person:P
}

// Matches reports whether the rule takes event ev in environment env.
func (r NotifyRule) Matches(ev, env string) bool {
	if !slices.Contains(r.Events, ev) {
		return false
	}
	return len(r.Environments) == 0 || slices.Contains(r.Environments, env)
}

// Notify is the [notify] section: channels, rules and how long messages are tried.
type Notify struct {
	MaxAge   time.Duration // default 24h
	Channels []Channel
	Rules    []NotifyRule
}

// DefaultNotifyMaxAge is how long a message is retried when config does not say.
const DefaultNotifyMaxAge = 24 * time.Hour

// DefaultChannelTimeout bounds one send when the channel does not say.
const DefaultChannelTimeout = 10 * time.Second

// Channel returns the channel called name.
func (n Notify) Channel(name string) (Channel, bool) {
	for _, c := range n.Channels {
		if c.Name == name {
			return c, true
		}
	}
	return Channel{}, false
}

// Wants reports whether any rule takes event ev (in any environment).
func (n Notify) Wants(ev string) bool {
	for _, r := range n.Rules {
		if slices.Contains(r.Events, ev) {
			return true
		}
	}
	return false
}

// Outbox message states.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxDead    = "dead"
)

// ChannelStatus is how one channel's messages stand (ferry notify status).
type ChannelStatus struct {
	Channel       string
	Type          string
	Pending, Sent int
	Dead          int
	LastError     string
	LastErrorAt   time.Time
	LastSentAt    time.Time
	LastDeadAt    time.Time
	OldestPending time.Time
	// Failing: it has dead messages newer than its last successful send.
	Failing bool
}

// Retrying: not failing yet, but messages wait and the last try since its last
// successful send failed: it is not delivering. It read "working" with nothing ever
// sent and "connection refused" beside it.
func (s ChannelStatus) Retrying() bool {
	return !s.Failing && s.Pending > 0 && !s.LastErrorAt.IsZero() && s.LastErrorAt.After(s.LastSentAt)
}
