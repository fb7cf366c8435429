package models

import (
	"crypto/sha256"
	"strconv"
	"time"
)

// Urgency says how a deployment may treat the controls around its start.
type Urgency string

const (
	UrgencyNormal    Urgency = "normal"
	UrgencyExpedited Urgency = "expedited" // planned at short notice; the same controls hold
	UrgencyEmergency Urgency = "emergency" // may start inside a freeze or outside maintenance windows
)

// Valid reports whether u is a known urgency.
func (u Urgency) Valid() bool {
	return u == UrgencyNormal || u == UrgencyExpedited || u == UrgencyEmergency
}

// Finding kinds: what a deployment's record keeps of the controls around it.
const (
	FindingOverride   = "override"   // a manager started it against a rule, with a reason
	FindingEmergency  = "emergency"  // it started in the emergency lane against a rule
	FindingAtStart    = "at_start"   // a conflict it was in when it started
	FindingUnresolved = "unresolved" // a conflict still open when it finished
	FindingOverrun    = "overrun"    // it ran past its scheduled end
)

// Rules a start is held to besides the conflicts (whose kinds are rules too).
const (
	RuleWindow = "window" // the start must lie in its scheduled window (with the tolerance)
	// RuleOverrun: nothing starts beside a deployment still under way past its window
	// that it would clash with (the same component there, or the capacity).
	RuleOverrun = "overrun"
)

// Finding is one piece of evidence kept with a deployment.
type Finding struct {
	ID            int64
	DeploymentID  int64
	Kind          string // FindingOverride, ...
	Rule          string // RuleWindow, or a conflict kind (freeze, maintenance, capacity, ...)
	ConflictKey   string
	ConflictID    string
	DeploymentIDs []int64 // the conflict's deployments
	Message       string
	Reason        string
	Actor         string
	At            time.Time
}

// AuditEntry is one entry of the organisation's record: a configuration change, a
// key added or revoked.
type AuditEntry struct {
	ID        int64
	At        time.Time
	Actor     string
	Principal string
	Type      string
	Detail    string
	Hash      []byte
}

// ChainLen is how many bytes of SHA-256 a chain link keeps: 128 bits is far beyond
// what anyone could forge, and keeps the link small beside millions of events.
const ChainLen = 16

// ChainHash is an entry's link in a hash chain: SHA-256 over the previous link and
// the entry's canonical content (see Canonical).
func ChainHash(prev []byte, fields ...string) []byte { return LinkOf(prev, Canonical(fields...)) }

// LinkOf is the link after prev of an entry whose canonical content is content.
func LinkOf(prev, content []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(content)
	return h.Sum(nil)[:ChainLen]
}

// Canonical writes fields as netstrings without the comma: each its length in bytes,
// in decimal, a colon, then the bytes; so no two entries read alike, and SQLite can
// write the same bytes itself (length(CAST(x AS BLOB)) || ':' || x), which lets a
// verification read one column per row.
func Canonical(fields ...string) []byte {
	var b []byte
	for _, f := range fields {
		b = appendField(b, f)
	}
	return b
}

// appendField appends f as Canonical writes a field.
func appendField[T string | []byte](b []byte, f T) []byte {
	b = strconv.AppendInt(b, int64(len(f)), 10)
	b = append(b, ':')
	return append(b, f...)
}

// Link is e's link in the events' chain after prev: ChainHash over its fields,
// written into one buffer on the stack, since a bulk load links millions of events
// (the 1M demo: 6.1M, 3 of its 75 s with a string per field).
func (e Event) Link(prev []byte) []byte {
	var buf [512]byte
	b := append(buf[:0], prev...)
	b = appendIntField(b, e.ID)
	b = appendIntField(b, e.DeploymentID)
	b = appendIntField(b, e.At.Unix())
	for _, f := range [...]string{e.Actor, e.Principal, e.Type, e.Detail} {
		b = appendField(b, f)
	}
	sum := sha256.Sum256(b)
	return append([]byte(nil), sum[:ChainLen]...)
}

// appendIntField appends v's decimal form as Canonical writes a field.
func appendIntField(b []byte, v int64) []byte {
	var digits [20]byte
	return appendField(b, strconv.AppendInt(digits[:0], v, 10))
}

// Link is a's link in the audit log's chain after prev.
func (a AuditEntry) Link(prev []byte) []byte {
	return ChainHash(prev, strconv.FormatInt(a.ID, 10), strconv.FormatInt(a.At.Unix(), 10), a.Actor,
		a.Principal, a.Type, a.Detail)
}
