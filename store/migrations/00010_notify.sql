-- +goose Up
-- Notifications: an outbox written in the same transaction as what causes it, and
-- delivered afterwards, at least once, by ferry serve or ferry notify run.

-- One row per thing that happened and that some rule wants told. key says what it
-- was (e.g. failed:d12, gate_waiting:d12:s3, overdue:d40:1796280000): a second
-- enqueue of the same key (a rescan, a repeated check) adds nothing.
CREATE TABLE notify_events (
    id            INTEGER PRIMARY KEY,
    key           TEXT    NOT NULL UNIQUE,
    type          TEXT    NOT NULL,
    deployment_id INTEGER,
    at            INTEGER NOT NULL,       -- unix seconds, the engine's clock
    payload       TEXT    NOT NULL        -- the event's JSON, without id, channel and recipients
);

-- One row per message: an event for one channel and recipient. key is the
-- idempotency key (a hash of event key, channel and recipient), sent along with
-- every try. Times are unix milliseconds of the wall clock.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    event_id      INTEGER NOT NULL REFERENCES notify_events (id),
    channel       TEXT    NOT NULL,
    recipient     TEXT    NOT NULL DEFAULT '',  -- who, in words: "ana" or "ana,bob"; '' for nobody in particular
    recipients    TEXT    NOT NULL DEFAULT '[]', -- JSON: [{name, full_name, email, slack}]
    address       TEXT    NOT NULL DEFAULT '',  -- email: the one address it goes to
    key           TEXT    NOT NULL UNIQUE,
    status        TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    next_at       INTEGER NOT NULL,
    claimed_by    TEXT    NOT NULL DEFAULT '',
    claimed_until INTEGER NOT NULL DEFAULT 0,
    done_at       INTEGER,                      -- sent or dead
    last_error    TEXT    NOT NULL DEFAULT '',
    error_at      INTEGER
);
CREATE INDEX outbox_due ON outbox (next_at, id) WHERE status = 'pending';
CREATE INDEX outbox_channel ON outbox (channel, status, done_at);

-- +goose Down
DROP TABLE outbox;
DROP TABLE notify_events;
