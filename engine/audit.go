package engine

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"ferry/models"
	"ferry/store"
)

// RecordHead names the state of both records (the deployments' events and the
// organisation's audit log): how many rows each holds and its last link. Kept
// elsewhere, it shows later whether anything before it was rewritten.
type RecordHead struct {
	Events    int64
	EventLink []byte
	Entries   int64
	EntryLink []byte
}

// String is the head as people keep it: "EVENTS:LINK/ENTRIES:LINK".
func (h RecordHead) String() string {
	return fmt.Sprintf("%d:%s/%d:%s", h.Events, store.HeadHex(h.EventLink), h.Entries, store.HeadHex(h.EntryLink))
}

// ParseRecordHead reads a head written by RecordHead.String.
func ParseRecordHead(s string) (RecordHead, error) {
	var h RecordHead
	ev, au, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return h, models.Invalidf("%q is not a record head (EVENTS:LINK/ENTRIES:LINK, as 'ferry audit head' prints)", s)
	}
	var err error
	if h.Events, h.EventLink, err = parseHeadPart(ev); err == nil {
		h.Entries, h.EntryLink, err = parseHeadPart(au)
	}
	if err != nil { // the first fault only: the same one twice read as two
		return h, models.Invalidf("%q is not a record head (EVENTS:LINK/ENTRIES:LINK): %v", s, err)
	}
	return h, nil
}

func parseHeadPart(s string) (int64, []byte, error) {
	n, link, ok := strings.Cut(s, ":")
	if !ok {
		return 0, nil, fmt.Errorf("%q has no ':'", s)
	}
	count, err := strconv.ParseInt(n, 10, 64)
	if err != nil || count < 0 {
		return 0, nil, fmt.Errorf("%q is not a count", n)
	}
	if link == "-" {
		return count, nil, nil
	}
	b, err := hex.DecodeString(link)
	if err != nil || len(b) == 0 {
		return 0, nil, fmt.Errorf("%q is not a link (hexadecimal digits, or - for none)", link)
	}
	return count, b, nil
}

// MayReadRecord says whether p may read the whole record (every deployment's events
// and the organisation's audit log): managers, practitioners and analysts may, not a
// technician, who sees only their own work.
func MayReadRecord(p models.Person) error {
	if err := Can(p, ActRead, nil); err != nil || onlyOwn(p) {
		return models.Forbiddenf("%s (%s) may not read the audit log or the whole record: managers, practitioners and analysts may",
			p.Name, p.MainRole())
	}
	return nil
}

// BrokenRecordError names the first row of a record that was changed, deleted,
// inserted or moved outside Ferry.
type BrokenRecordError struct {
	Record string // "event" or "audit entry"
	ID     int64
	Why    string
}

func (e *BrokenRecordError) Error() string {
	return fmt.Sprintf("the record does not hold: %s #%d %s", e.Record, e.ID, e.Why)
}

// VerifyRecord walks both records' chains and returns their head,
// or a BrokenRecordError naming the first row that does not hold. With kept (a head
// printed earlier), it also checks that the rows it named still carry its links: a
// record rewritten and re-chained since does not pass.
func (e *Engine) VerifyRecord(ctx context.Context, actor models.Person, kept *RecordHead) (RecordHead, error) {
	var h RecordHead
	if err := MayReadRecord(actor); err != nil {
		return h, err
	}
	// The deployments' record is millions of rows: walked in parts, a core each, up
	// to its newest event now (rows are never changed, so that is what one snapshot
	// would see of them).
	ev, err := e.st.VerifyEventsIn(ctx, runtime.NumCPU())
	if err != nil {
		return h, brokenRecord(err)
	}
	err = e.st.Snapshot(ctx, func(q store.Q) error {
		au, err := q.VerifyAudit(ctx)
		if err != nil {
			return brokenRecord(err)
		}
		h = RecordHead{Events: ev.Rows, EventLink: ev.Head, Entries: au.Rows, EntryLink: au.Head}
		if kept == nil {
			return nil
		}
		return e.checkKept(ctx, q, h, *kept)
	})
	return h, err
}

func brokenRecord(err error) error {
	var b *store.Break
	if !errors.As(err, &b) {
		return err
	}
	what := "event"
	if b.Table == "audit_log" {
		what = "audit entry"
	}
	return &BrokenRecordError{Record: what, ID: b.ID, Why: b.Why}
}

// checkKept checks that the rows a kept head named still carry its links.
func (e *Engine) checkKept(ctx context.Context, q store.Q, now, kept RecordHead) error {
	for _, c := range []struct {
		table, what    string
		rows, keptRows int64
		link           []byte
	}{{"events", "event", now.Events, kept.Events, kept.EventLink}, {"audit_log", "audit entry", now.Entries, kept.Entries, kept.EntryLink}} {
		if c.keptRows == 0 {
			continue
		}
		if c.rows < c.keptRows {
			return &BrokenRecordError{Record: c.what, ID: c.rows + 1, Why: fmt.Sprintf(
				"is missing: the head kept names %d, the record holds %d", c.keptRows, c.rows)}
		}
		link, err := q.LinkAt(ctx, c.table, c.keptRows)
		if err != nil {
			return err
		}
		if !bytes.Equal(link, c.link) {
			return &BrokenRecordError{Record: c.what, ID: c.keptRows, Why: "is not the one the head kept: the record " +
				"up to it was rewritten and chained again"}
		}
	}
	return nil
}

// LogEntry is one line of the audit log: an entry of the organisation's record, or
// an event of a deployment's.
type LogEntry struct {
	At           time.Time
	Actor        string
	Principal    string
	Type         string
	Detail       string
	DeploymentID int64 // 0 for the organisation's record
}

// Words is the entry as a person reads it: its type with spaces ("key added"), and a
// status change's statuses in words, as a deployment's record says them (EventWords).
// The JSON keeps what is stored.
func (l LogEntry) Words() (typ, detail string) {
	return strings.ReplaceAll(l.Type, "_", " "), EventWords(models.Event{Type: l.Type, Detail: l.Detail})
}

// AuditQuery says which entries an audit log lists.
type AuditQuery struct {
	ConfigOnly bool // only the configuration's changes
	Events     bool // the deployments' events too, beside the organisation's record
	Limit      int  // the newest this many (default 50)
}

// AuditLog lists the newest entries of the organisation's record (configuration
// changes, keys added and revoked) and, with q.Events, of every deployment's record,
// oldest first.
func (e *Engine) AuditLog(ctx context.Context, actor models.Person, aq AuditQuery) ([]LogEntry, error) {
	configOnly, limit := aq.ConfigOnly, aq.Limit
	if err := MayReadRecord(actor); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 50
	}
	var out []LogEntry
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		var types []string
		if configOnly {
			types = []string{EntryConfig}
		}
		entries, err := q.AuditLog(ctx, types...)
		if err != nil {
			return err
		}
		for _, a := range entries {
			out = append(out, LogEntry{At: a.At, Actor: a.Actor, Principal: a.Principal, Type: a.Type, Detail: a.Detail})
		}
		if configOnly || !aq.Events {
			return nil
		}
		events, err := q.RecentEvents(ctx, limit)
		slices.Reverse(events) // oldest first, so that equal times keep the record's order
		for _, ev := range events {
			out = append(out, LogEntry{At: ev.At, Actor: ev.Actor, Principal: ev.Principal, Type: ev.Type, Detail: ev.Detail,
				DeploymentID: ev.DeploymentID})
		}
		return err
	})
	slices.SortStableFunc(out, func(a, b LogEntry) int { return a.At.Compare(b.At) })
	if len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, err
}
