package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"ferry/models"
)

// OutboxMessage is one message of the outbox: an event for one channel and recipient.
type OutboxMessage struct {
	ID           int64
	EventKey     string // what happened, once: failed:d12, gate_waiting:d12:s3, …
	Event        string // its type: failed, gate_waiting, …
	DeploymentID int64  // 0: none (freeze_ahead, test)
	At           time.Time
	Payload      []byte // the event's JSON as it was
	Channel      string
	Recipient    string // person names, comma-separated
	Address      string // email: where to
	Status       string // pending, sent, dead
	Attempts     int
	CreatedAt    time.Time
	NextAt       time.Time
	DoneAt       time.Time
	LastError    string
}

// Key is the message's key in the outbox: event key, channel and recipient.
func (m OutboxMessage) Key() string { return OutboxKey(m.EventKey, m.Channel, m.Recipient) }

// OutboxKey is "event key|channel|recipient".
func OutboxKey(eventKey, channel, recipient string) string {
	return eventKey + "|" + channel + "|" + recipient
}

// ms stores a time as unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMs(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMilli(n.Int64).UTC()
}

// The statement that enqueues messages, for 1 to maxOutboxRows rows (a few texts, so
// that the writer keeps each prepared: see stmtcache.go).
const (
	sqlAddOutbox = `INSERT INTO outbox (key, event, deployment_id, at, payload, channel, recipient, address,
		status, created_at, next_at, done_at, last_error, error_at) VALUES `
	outboxRow     = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	maxOutboxRows = 4
)

// addOutboxSQL inserts n messages, each unless its key is there already.
func addOutboxSQL(n int) string {
	return sqlAddOutbox + strings.TrimSuffix(strings.Repeat(outboxRow+", ", n), ", ") + ` ON CONFLICT (key) DO NOTHING`
}

// AddOutbox adds messages, each unless a message with its key (event key, channel,
// recipient) is there already, a few rows a statement. A message with Status dead is
// stored dead (it cannot be sent: no address), with its LastError.
func (q Q) AddOutbox(ctx context.Context, msgs ...OutboxMessage) error {
	for len(msgs) > 0 {
		n := min(len(msgs), maxOutboxRows)
		args := make([]any, 0, 14*n)
		for _, m := range msgs[:n] {
			status := m.Status
			if status == "" {
				status = models.OutboxPending
			}
			var done, errAt, dep sql.NullInt64
			if status == models.OutboxDead {
				done = sql.NullInt64{Int64: ms(m.CreatedAt), Valid: true}
				errAt = done
			}
			if m.DeploymentID != 0 {
				dep = sql.NullInt64{Int64: m.DeploymentID, Valid: true}
			}
			args = append(args, m.Key(), m.Event, dep, m.At.Unix(), string(m.Payload), m.Channel, m.Recipient, m.Address,
				status, ms(m.CreatedAt), ms(m.CreatedAt), done, m.LastError, errAt)
		}
		if _, err := q.db.ExecContext(ctx, addOutboxSQL(n), args...); err != nil {
			return mapErr(err)
		}
		msgs = msgs[n:]
	}
	return nil
}

// Notice is what an act's transaction stores for notifications: an event and the
// messages the rules chose for it, in one row. SpreadNotices turns it into outbox
// messages later, in the deliverer's transaction.
type Notice struct {
	Key          string
	Repeat       bool // the event may be raised again with the same key (see EventsStored)
	Event        string
	DeploymentID int64
	At           time.Time
	Payload      []byte
	CreatedAt    time.Time
	// Messages are the outbox messages to be, pending: Channel, Recipient and
	// Address; the rest comes from the notice.
	Messages []OutboxMessage
}

const sqlAddNotice = `INSERT INTO notices (key, repeat, event, deployment_id, at, payload, messages, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

// AddNotice stores a notice: one row, in a table without indexes but for the
// repeatable ones' keys.
func (q Q) AddNotice(ctx context.Context, n Notice) error {
	msgs := make([][3]string, len(n.Messages))
	for i, m := range n.Messages {
		msgs[i] = [3]string{m.Channel, m.Recipient, m.Address}
	}
	js, err := json.Marshal(msgs)
	if err != nil {
		return err
	}
	var dep sql.NullInt64
	if n.DeploymentID != 0 {
		dep = sql.NullInt64{Int64: n.DeploymentID, Valid: true}
	}
	_, err = q.db.ExecContext(ctx, sqlAddNotice, n.Key, n.Repeat, n.Event, dep, n.At.Unix(),
		string(n.Payload), string(js), ms(n.CreatedAt))
	return mapErr(err)
}

// HasNotices reports whether any notice waits to be spread into the outbox.
func (q Q) HasNotices(ctx context.Context) (bool, error) {
	var one int
	err := q.db.QueryRowContext(ctx, `SELECT 1 FROM notices LIMIT 1`).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, mapErr(err)
}

// SpreadNotices moves every notice into the outbox, one message a row, in order; a
// message whose key is there already (the same event told again) is not added. It
// returns how many messages it added.
func (q Q) SpreadNotices(ctx context.Context) (int64, error) {
	res, err := q.db.ExecContext(ctx, `INSERT INTO outbox (key, event, deployment_id, at, payload, channel,
			recipient, address, status, created_at, next_at, done_at, last_error, error_at)
		SELECT n.key || '|' || (m.value ->> 0) || '|' || (m.value ->> 1), n.event, n.deployment_id, n.at,
			n.payload, m.value ->> 0, m.value ->> 1, m.value ->> 2, 'pending', n.created_at, n.created_at, NULL, '', NULL
		FROM notices n, json_each(n.messages) m WHERE true ORDER BY n.id, m.key
		ON CONFLICT (key) DO NOTHING`)
	if err != nil {
		return 0, mapErr(err)
	}
	added, _ := res.RowsAffected()
	if _, err := q.db.ExecContext(ctx, `DELETE FROM notices`); err != nil {
		return 0, mapErr(err)
	}
	return added, nil
}

// EventsStored reports which of the event keys have messages in the outbox or wait
// as a repeatable notice: one look-up in an index each. Only the keys of repeatable
// events are looked up.
func (q Q) EventsStored(ctx context.Context, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, k := range keys {
		var one int
		err := q.db.QueryRowContext(ctx, `SELECT 1 FROM outbox WHERE key >= ? AND key < ?
			UNION ALL SELECT 1 FROM notices WHERE key = ? AND repeat = 1 LIMIT 1`, k+"|", k+"}", k).Scan(&one)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return nil, mapErr(err)
		default:
			out[k] = true
		}
	}
	return out, nil
}

// Claim is a deliverer's request for due messages.
type Claim struct {
	Holder string    // who claims: "host|boot|pid|random"
	Now    time.Time // due by now
	Until  time.Time // the claim holds until then
	// Stale are holders known to be gone (processes on this machine that died): their
	// claims are taken over at once instead of when they expire.
	Stale   []string
	Channel string  // only this channel's messages
	IDs     []int64 // only these messages (none: any due)
	Limit   int
}

// ClaimOutbox marks up to c.Limit due pending messages as c.Holder's until c.Until,
// oldest due first, and returns them with their events. Messages another holder
// claims are left alone until the claim expires or the holder is known gone.
func (q Q) ClaimOutbox(ctx context.Context, c Claim) ([]OutboxMessage, error) {
	// Notices written since the last claim are messages too.
	if _, err := q.SpreadNotices(ctx); err != nil {
		return nil, err
	}
	args := []any{c.Holder, ms(c.Until), ms(c.Now), ms(c.Now)}
	stale := ""
	if len(c.Stale) > 0 {
		stale = " OR claimed_by IN (" + placeholders(len(c.Stale)) + ")"
		for _, h := range c.Stale {
			args = append(args, h)
		}
	}
	skip := ""
	if c.Channel != "" {
		skip = " AND channel = ?"
		args = append(args, c.Channel)
	}
	if len(c.IDs) > 0 {
		skip += " AND id IN (" + placeholders(len(c.IDs)) + ")"
		for _, id := range c.IDs {
			args = append(args, id)
		}
	}
	args = append(args, c.Limit)
	rows, err := q.db.QueryContext(ctx, `UPDATE outbox SET claimed_by = ?, claimed_until = ?
		WHERE id IN (SELECT id FROM outbox INDEXED BY outbox_due WHERE status = 'pending' AND next_at <= ?
			AND (claimed_until <= ?`+stale+`)`+skip+` ORDER BY next_at, id LIMIT ?)
		RETURNING id`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, mapErr(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return nil, mapErr(err)
	}
	return q.outboxWhere(ctx, "id IN ("+placeholders(len(ids))+") ORDER BY next_at, id", ids...)
}

// ClaimHolders lists the holders of live claims on pending messages.
func (q Q) ClaimHolders(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT DISTINCT claimed_by FROM outbox INDEXED BY outbox_due
		WHERE status = 'pending' AND next_at >= 0 AND claimed_until > ?`, ms(now))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, mapErr(err)
		}
		out = append(out, h)
	}
	return out, mapErr(rows.Err())
}

// NextDue is when the next pending message not claimed by others falls due (zero:
// none is pending).
func (q Q) NextDue(ctx context.Context) (time.Time, error) {
	var n sql.NullInt64
	err := q.db.QueryRowContext(ctx, `SELECT min(max(next_at, claimed_until)) FROM outbox INDEXED BY outbox_due
		WHERE status = 'pending' AND next_at >= 0`).Scan(&n)
	return fromMs(n), mapErr(err)
}

func (q Q) outboxWhere(ctx context.Context, where string, args ...any) ([]OutboxMessage, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, key, event, deployment_id, at, payload, channel, recipient, address,
		status, attempts, created_at, next_at, done_at, last_error FROM outbox WHERE `+where, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		var key, payload string
		var at, created, next int64
		var dep, done sql.NullInt64
		if err := rows.Scan(&m.ID, &key, &m.Event, &dep, &at, &payload, &m.Channel, &m.Recipient, &m.Address,
			&m.Status, &m.Attempts, &created, &next, &done, &m.LastError); err != nil {
			return nil, mapErr(err)
		}
		m.EventKey, _, _ = strings.Cut(key, "|")
		m.DeploymentID, m.At, m.Payload = dep.Int64, time.Unix(at, 0).UTC(), []byte(payload)
		m.CreatedAt, m.NextAt, m.DoneAt = time.UnixMilli(created).UTC(), time.UnixMilli(next).UTC(), fromMs(done)
		out = append(out, m)
	}
	return out, mapErr(rows.Err())
}

// Outbox lists messages, oldest first: every one, or those of one channel.
func (q Q) Outbox(ctx context.Context, channel string) ([]OutboxMessage, error) {
	if channel == "" {
		return q.outboxWhere(ctx, "1 ORDER BY id")
	}
	return q.outboxWhere(ctx, "channel = ? ORDER BY id", channel)
}

// OutboxMessage returns one message with its event.
func (q Q) OutboxMessage(ctx context.Context, id int64) (OutboxMessage, error) {
	ms, err := q.outboxWhere(ctx, "id = ?", id)
	if err != nil {
		return OutboxMessage{}, err
	}
	if len(ms) == 0 {
		return OutboxMessage{}, models.NotFoundf("no outbox message %d", id)
	}
	return ms[0], nil
}

// Delivery is how one try of a message ended, or why it was not tried.
type Delivery struct {
	ID       int64
	Holder   string    // the claim it was sent under
	Status   string    // sent, pending (try again at NextAt) or dead
	Tried    bool      // a try was made (false: released unsent, the channel paused)
	NextAt   time.Time // pending: when to try again
	Error    string    // why the try failed
	At       time.Time // when the try ended
	Attempts int       // filled in by FinishOutbox: tries so far
}

// FinishOutbox records how deliveries ended, all in the caller's transaction. A
// message already sent stays sent (a second deliverer's duplicate changes nothing).
func (q Q) FinishOutbox(ctx context.Context, ds []Delivery) error {
	for _, d := range ds {
		tried := 0
		if d.Tried {
			tried = 1
		}
		var err error
		switch d.Status {
		case models.OutboxSent:
			_, err = q.db.ExecContext(ctx, `UPDATE outbox SET status = 'sent', attempts = attempts + 1, done_at = ?,
				claimed_by = '', claimed_until = 0 WHERE id = ? AND status = 'pending'`, ms(d.At), d.ID)
		case models.OutboxDead:
			_, err = q.db.ExecContext(ctx, `UPDATE outbox SET status = 'dead', attempts = attempts + ?, done_at = ?,
				last_error = ?, error_at = ?, claimed_by = '', claimed_until = 0 WHERE id = ? AND status = 'pending'`,
				tried, ms(d.At), d.Error, ms(d.At), d.ID)
		case models.OutboxPending:
			if d.Tried {
				_, err = q.db.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ?,
					error_at = ?, claimed_by = '', claimed_until = 0 WHERE id = ? AND status = 'pending' AND claimed_by = ?`,
					ms(d.NextAt), d.Error, ms(d.At), d.ID, d.Holder)
			} else {
				_, err = q.db.ExecContext(ctx, `UPDATE outbox SET next_at = max(next_at, ?), claimed_by = '', claimed_until = 0
					WHERE id = ? AND status = 'pending' AND claimed_by = ?`, ms(d.NextAt), d.ID, d.Holder)
			}
		}
		if err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// OutboxAttempts is how many tries message id has had.
func (q Q) OutboxAttempts(ctx context.Context, id int64) (int, error) {
	var n int
	err := q.db.QueryRowContext(ctx, `SELECT attempts FROM outbox WHERE id = ?`, id).Scan(&n)
	return n, mapErr(err)
}

// NotifyStatus counts each channel's messages and finds its last error.
func (q Q) NotifyStatus(ctx context.Context) ([]models.ChannelStatus, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT channel,
		sum(status = 'pending'), sum(status = 'sent'), sum(status = 'dead'),
		max(CASE WHEN status = 'sent' THEN done_at END), max(CASE WHEN status = 'dead' THEN done_at END),
		min(CASE WHEN status = 'pending' THEN created_at END), max(error_at)
		FROM outbox GROUP BY channel ORDER BY channel`)
	if err != nil {
		return nil, mapErr(err)
	}
	var out []models.ChannelStatus
	for rows.Next() {
		var s models.ChannelStatus
		var sent, dead, oldest, errAt sql.NullInt64
		if err := rows.Scan(&s.Channel, &s.Pending, &s.Sent, &s.Dead, &sent, &dead, &oldest, &errAt); err != nil {
			rows.Close()
			return nil, mapErr(err)
		}
		s.LastSentAt, s.LastDeadAt, s.OldestPending, s.LastErrorAt = fromMs(sent), fromMs(dead), fromMs(oldest), fromMs(errAt)
		s.Failing = !s.LastDeadAt.IsZero() && s.LastDeadAt.After(s.LastSentAt)
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	for i := range out {
		if out[i].LastErrorAt.IsZero() {
			continue
		}
		if err := q.db.QueryRowContext(ctx, `SELECT last_error FROM outbox WHERE channel = ? AND error_at IS NOT NULL
			ORDER BY error_at DESC, id DESC LIMIT 1`, out[i].Channel).Scan(&out[i].LastError); err != nil {
			return nil, mapErr(err)
		}
	}
	return out, nil
}

// ChannelFailing reports whether channel has a dead message newer than its last
// sent one, with that message's error and time. Two index seeks.
func (q Q) ChannelFailing(ctx context.Context, channel string) (bool, string, time.Time, error) {
	var dead, sent sql.NullInt64
	if err := q.db.QueryRowContext(ctx, `SELECT max(done_at) FROM outbox INDEXED BY outbox_done
		WHERE status IN ('sent', 'dead') AND channel = ? AND status = 'dead'`,
		channel).Scan(&dead); err != nil || !dead.Valid {
		return false, "", time.Time{}, mapErr(err)
	}
	if err := q.db.QueryRowContext(ctx, `SELECT max(done_at) FROM outbox INDEXED BY outbox_done
		WHERE status IN ('sent', 'dead') AND channel = ? AND status = 'sent'`,
		channel).Scan(&sent); err != nil {
		return false, "", time.Time{}, mapErr(err)
	}
	if sent.Valid && sent.Int64 >= dead.Int64 {
		return false, "", time.Time{}, nil
	}
	var msg string
	err := q.db.QueryRowContext(ctx, `SELECT last_error FROM outbox INDEXED BY outbox_done
		WHERE status IN ('sent', 'dead') AND channel = ? AND status = 'dead' AND done_at = ?
		ORDER BY id DESC LIMIT 1`, channel, dead.Int64).Scan(&msg)
	return true, msg, fromMs(dead), mapErr(err)
}

// PruneOutbox deletes messages sent or dead before t, and the events left without
// messages.
func (q Q) PruneOutbox(ctx context.Context, before time.Time) (int64, error) {
	res, err := q.db.ExecContext(ctx, `DELETE FROM outbox WHERE status IN ('sent', 'dead') AND done_at < ?`, ms(before))
	if err != nil {
		return 0, mapErr(err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// PendingChannels are the channels with messages due by now.
func (q Q) PendingChannels(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT DISTINCT channel FROM outbox INDEXED BY outbox_due
		WHERE status = 'pending' AND next_at <= ?`, ms(now))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, mapErr(err)
		}
		out = append(out, c)
	}
	return out, mapErr(rows.Err())
}

// OutboxOfEvent lists the messages of the event with key.
func (q Q) OutboxOfEvent(ctx context.Context, key string) ([]OutboxMessage, error) {
	return q.outboxWhere(ctx, "key >= ? AND key < ? ORDER BY id", key+"|", key+"}")
}
