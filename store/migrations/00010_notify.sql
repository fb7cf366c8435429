-- +goose Up
-- Notifications: an outbox written in the same transaction as what causes it, and
-- delivered afterwards, at least once, by ferry serve or ferry notify run.
--
-- One row per message: an event told to one channel for one recipient (for email, one
-- person; for the other channels, everyone the rules name, in one message). key is
-- "event key|channel|recipient", e.g. "failed:d12|mail|ana": enqueueing it again (a
-- rescan, a repeated check) adds nothing, and a prefix of it finds an event. The
-- idempotency key sent along is a hash of it. payload is the event as it was, in
-- JSON. created_at, next_at, claimed_until, done_at and error_at are unix
-- milliseconds of the wall clock; at is the event's time, unix seconds.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    key           TEXT    NOT NULL UNIQUE,
    event         TEXT    NOT NULL,
    deployment_id INTEGER,
    at            INTEGER NOT NULL,
    payload       TEXT    NOT NULL,
    channel       TEXT    NOT NULL,
    recipient     TEXT    NOT NULL DEFAULT '', -- person names, comma-separated; '' for nobody in particular
    address       TEXT    NOT NULL DEFAULT '', -- email: the one address it goes to
    status        TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    next_at       INTEGER NOT NULL,
    claimed_by    TEXT    NOT NULL DEFAULT '',
    claimed_until INTEGER NOT NULL DEFAULT 0,
    done_at       INTEGER,
    last_error    TEXT    NOT NULL DEFAULT '',
    error_at      INTEGER
);
-- Both indexes are partial, so that enqueueing a message (in an act's transaction)
-- touches only one of them.
CREATE INDEX outbox_due ON outbox (next_at, id) WHERE status = 'pending';
CREATE INDEX outbox_done ON outbox (channel, status, done_at) WHERE status IN ('sent', 'dead');

-- +goose Down
DROP TABLE outbox;
