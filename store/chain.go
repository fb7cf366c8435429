package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"ferry/models"
)

// The records (events, the audit log) are hash chains: each row keeps a link,
// SHA-256 over the link before it and the row's own content (models.ChainHash). Row
// ids are consecutive, given by the writer, so a gap is a deleted row. Triggers make
// the tables append-only; the chain is what shows it when someone drops the triggers
// and edits the file anyway.

// lastLink is the newest row's id and link in table, or 0 and nil when it is empty.
func (q Q) lastLink(ctx context.Context, table string) (int64, []byte, error) {
	var id int64
	var link []byte
	err := q.db.QueryRowContext(ctx, `SELECT id, hash FROM `+table+` ORDER BY id DESC LIMIT 1`).Scan(&id, &link)
	if err := mapErr(err); err != nil && !isNotFound(err) {
		return 0, nil, err
	}
	return id, link, nil
}

// LastEventLink is the newest event's id and link: what the next event is chained to.
func (q Q) LastEventLink(ctx context.Context) (int64, []byte, error) {
	return q.lastLink(ctx, "events")
}

// AddEvent appends to a deployment's record, linked to the event before it.
func (q Q) AddEvent(ctx context.Context, e models.Event) error {
	last, prev, err := q.lastLink(ctx, "events")
	if err != nil {
		return err
	}
	e.ID = last + 1
	e.At = e.At.Truncate(time.Second)
	_, err = q.db.ExecContext(ctx, `INSERT INTO events (id, deployment_id, at, actor, type, detail, principal, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.DeploymentID, e.At.Unix(), e.Actor, e.Type, e.Detail, e.Principal, e.Link(prev))
	return mapErr(err)
}

// AddAudit appends to the organisation's record, linked to the entry before it.
func (q Q) AddAudit(ctx context.Context, a models.AuditEntry) (models.AuditEntry, error) {
	last, prev, err := q.lastLink(ctx, "audit_log")
	if err != nil {
		return a, err
	}
	a.ID, a.At = last+1, a.At.Truncate(time.Second)
	a.Hash = a.Link(prev)
	_, err = q.db.ExecContext(ctx, `INSERT INTO audit_log (id, at, actor, principal, type, detail, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, a.ID, a.At.Unix(), a.Actor, a.Principal, a.Type, a.Detail, a.Hash)
	return a, mapErr(err)
}

// AuditLog lists the organisation's record, oldest first; types narrows it.
func (q Q) AuditLog(ctx context.Context, types ...string) ([]models.AuditEntry, error) {
	query, args := `SELECT id, at, actor, principal, type, detail, hash FROM audit_log`, []any{}
	if len(types) > 0 {
		query += ` WHERE type IN (` + placeholders(len(types)) + `)`
		for _, t := range types {
			args = append(args, t)
		}
	}
	rows, err := q.db.QueryContext(ctx, query+` ORDER BY id`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.AuditEntry
	for rows.Next() {
		var a models.AuditEntry
		var at int64
		if err := rows.Scan(&a.ID, &at, &a.Actor, &a.Principal, &a.Type, &a.Detail, &a.Hash); err != nil {
			return nil, mapErr(err)
		}
		a.At = time.Unix(at, 0).UTC()
		out = append(out, a)
	}
	return out, mapErr(rows.Err())
}

func placeholders(n int) string {
	b := make([]byte, 0, 2*n)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '?')
	}
	return string(b)
}

// Break is where a chain does not hold: the first row that was changed, deleted,
// inserted or moved.
type Break struct {
	Table string // events or audit_log
	ID    int64  // the row named
	Why   string // in words
}

func (b *Break) Error() string {
	what := "event"
	if b.Table == "audit_log" {
		what = "audit entry"
	}
	return fmt.Sprintf("%s #%d %s", what, b.ID, b.Why)
}

// Chain is what a walk of one record found.
type Chain struct {
	Rows int64
	Head []byte // the newest row's link; nil when empty
}

// netstring is the SQL that writes a column as models.Canonical does: its length in
// bytes, a colon, its bytes.
func netstring(col string) string {
	return "length(CAST(" + col + " AS BLOB)) || ':' || " + col
}

// canonicalSQL is the SQL expression of a row's canonical content over cols.
func canonicalSQL(cols ...string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = netstring(c)
	}
	return strings.Join(parts, " || ")
}

// The columns of each record's canonical content, in the order models' Link uses.
var (
	eventContent = canonicalSQL("id", "deployment_id", "at", "actor", "principal", "type", "detail")
	auditContent = canonicalSQL("id", "at", "actor", "principal", "type", "detail")
)

// The queries of each record's walk: each row's id, stored link and canonical
// content, in id order, over ids (lo, hi].
var (
	eventsWalk = `SELECT id, hash, ` + eventContent + ` FROM events WHERE id > ? AND id <= ? ORDER BY id`
	auditWalk  = `SELECT id, hash, ` + auditContent + ` FROM audit_log WHERE id > ? AND id <= ? ORDER BY id`
)

// VerifyEvents walks the events' chain in id order and returns its length and head,
// or the first Break. SQLite writes each row's canonical content, so a row is three
// columns to read, not eight (reading is most of the cost on millions of rows).
func (q Q) VerifyEvents(ctx context.Context) (Chain, error) {
	return q.verify(ctx, "events", eventsWalk, 0, math.MaxInt64)
}

// VerifyAudit walks the audit log's chain like VerifyEvents.
func (q Q) VerifyAudit(ctx context.Context) (Chain, error) {
	return q.verify(ctx, "audit_log", auditWalk, 0, math.MaxInt64)
}

// VerifyEventsIn walks the events' chain as VerifyEvents does, up to the newest event
// now, in parts walked at once on their own reader connections (SQLite writing the
// rows is most of the cost, and a core does one part): each row is checked against
// the stored link of the row before it, so a part needs nothing of the others, and
// the break reported is the first by id, as one walk would find it. Events appended
// meanwhile are left to the next walk.
func (s *Store) VerifyEventsIn(ctx context.Context, parts int) (Chain, error) {
	var newest sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT max(id) FROM events`).Scan(&newest); err != nil || !newest.Valid {
		return Chain{}, mapErr(err)
	}
	parts = max(1, min(parts, int(newest.Int64)))
	type part struct {
		c   Chain
		err error
	}
	done := make([]part, parts)
	var wg sync.WaitGroup
	for i := range parts {
		lo, hi := newest.Int64*int64(i)/int64(parts), newest.Int64*int64(i+1)/int64(parts)
		wg.Go(func() { done[i].c, done[i].err = s.Read().verify(ctx, "events", eventsWalk, lo, hi) })
	}
	wg.Wait()
	var c Chain
	for _, p := range done { // in id order: the first break is the first part's that has one
		c.Rows += p.c.Rows
		if p.err != nil {
			return c, p.err
		}
		if p.c.Head != nil {
			c.Head = p.c.Head
		}
	}
	return c, nil
}

// verify walks the rows of one chain with ids in (lo, hi]: each row is its id, its
// stored link and its canonical content, checked against the row before it (the
// last with an id up to lo, for the first).
func (q Q) verify(ctx context.Context, table, query string, lo, hi int64) (Chain, error) {
	var c Chain
	var prevID int64
	head := make([]byte, 0, models.ChainLen)
	if lo > 0 {
		var prev []byte
		err := q.db.QueryRowContext(ctx, `SELECT id, hash FROM `+table+` WHERE id <= ? ORDER BY id DESC LIMIT 1`, lo).
			Scan(&prevID, &prev)
		if err = mapErr(err); err != nil && !isNotFound(err) {
			return c, err
		}
		head = append(head, prev...)
	}
	rows, err := q.db.QueryContext(ctx, query, lo, hi)
	if err != nil {
		return Chain{}, mapErr(err)
	}
	defer rows.Close()
	var stored, content sql.RawBytes
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &stored, &content); err != nil {
			return c, mapErr(err)
		}
		switch want := models.LinkOf(head, content); {
		case id > prevID+1:
			return c, &Break{table, prevID + 1, fmt.Sprintf("is missing: deleted (the record goes from #%d to #%d)", prevID, id)}
		case len(stored) == 0:
			return c, &Break{table, id, "has no link: it was inserted outside Ferry"}
		case !bytes.Equal(stored, want):
			return c, &Break{table, id, "does not match the chain: it was changed, moved or inserted outside Ferry"}
		}
		c.Rows, prevID = c.Rows+1, id
		head = append(head[:0], stored...) // RawBytes are the driver's until the next Scan
		if c.Rows%65536 == 0 && ctx.Err() != nil {
			return c, ctx.Err()
		}
	}
	if c.Rows > 0 {
		c.Head = head
	}
	return c, mapErr(rows.Err())
}

// HeadHex is a chain head for people to keep and compare: hex, or "-" when empty.
func HeadHex(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	return hex.EncodeToString(b)
}

// linkUnlinked gives every event without a link (those written before the records
// were chained) its link, in id order, in one transaction. It writes nothing when
// every event is linked.
func (s *Store) linkUnlinked(ctx context.Context) error {
	var first sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT min(id) FROM events WHERE hash IS NULL`).Scan(&first); err != nil || !first.Valid {
		return mapErr(err)
	}
	return s.Write(ctx, func(q Q) error {
		var prev []byte
		if err := q.db.QueryRowContext(ctx, `SELECT hash FROM events WHERE id < ? ORDER BY id DESC LIMIT 1`, first.Int64).
			Scan(&prev); err != nil && !isNotFound(mapErr(err)) {
			return mapErr(err)
		}
		if _, err := q.db.ExecContext(ctx, `DROP TRIGGER events_no_update`); err != nil {
			return mapErr(err)
		}
		if err := q.linkFrom(ctx, first.Int64, prev); err != nil {
			return err
		}
		_, err := q.db.ExecContext(ctx, `CREATE TRIGGER events_no_update BEFORE UPDATE ON events
			BEGIN SELECT RAISE(ABORT, 'the deployment record is append-only'); END`)
		return mapErr(err)
	})
}

// linkFrom links the events from id first on, after prev.
func (q Q) linkFrom(ctx context.Context, first int64, prev []byte) error {
	rows, err := q.db.QueryContext(ctx, `SELECT id, deployment_id, at, actor, principal, type, detail FROM events
		WHERE id >= ? ORDER BY id`, first)
	if err != nil {
		return mapErr(err)
	}
	var ids []int64
	var links [][]byte
	for rows.Next() {
		var e models.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.DeploymentID, &at, &e.Actor, &e.Principal, &e.Type, &e.Detail); err != nil {
			rows.Close()
			return mapErr(err)
		}
		e.At = time.Unix(at, 0)
		prev = e.Link(prev)
		ids, links = append(ids, e.ID), append(links, prev)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return mapErr(err)
	}
	st, err := q.db.PrepareContext(ctx, `UPDATE events SET hash = ? WHERE id = ?`)
	if err != nil {
		return mapErr(err)
	}
	defer st.Close()
	for i, id := range ids {
		if _, err := st.ExecContext(ctx, links[i], id); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// ConfigVersion is the configuration as recorded at one moment (see engine/configlog.go).
type ConfigVersion struct {
	Hash    string
	Content string
	At      time.Time
}

// LastConfig is the configuration recorded last; zero when none was.
func (q Q) LastConfig(ctx context.Context) (ConfigVersion, error) {
	var c ConfigVersion
	var at int64
	err := q.db.QueryRowContext(ctx, `SELECT hash, content, at FROM config_versions ORDER BY id DESC LIMIT 1`).
		Scan(&c.Hash, &c.Content, &at)
	if err := mapErr(err); err != nil {
		if isNotFound(err) {
			return ConfigVersion{}, nil
		}
		return c, err
	}
	c.At = time.Unix(at, 0).UTC()
	return c, nil
}

// AddConfigVersion records a configuration.
func (q Q) AddConfigVersion(ctx context.Context, c ConfigVersion) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO config_versions (hash, content, at) VALUES (?, ?, ?)`,
		c.Hash, c.Content, c.At.Unix())
	return mapErr(err)
}

// LinkAt is the link stored with row id of table (events or audit_log).
func (q Q) LinkAt(ctx context.Context, table string, id int64) ([]byte, error) {
	var link []byte
	err := q.db.QueryRowContext(ctx, `SELECT hash FROM `+table+` WHERE id = ?`, id).Scan(&link)
	return link, mapErr(err)
}

// RecentEvents lists the newest events across every deployment, newest first.
func (q Q) RecentEvents(ctx context.Context, limit int) ([]models.Event, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, deployment_id, at, actor, type, detail, principal, hash FROM events
		ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.Event
	for rows.Next() {
		var e models.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.DeploymentID, &at, &e.Actor, &e.Type, &e.Detail, &e.Principal, &e.Hash); err != nil {
			return nil, mapErr(err)
		}
		e.At = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	return out, mapErr(rows.Err())
}
