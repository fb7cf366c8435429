-- +goose Up
-- Notices: what an act's transaction writes for notifications, one row per event
-- however many messages it makes. messages is a JSON array of the pending messages
-- the rules chose, each [channel, recipient, address] (one that cannot be sent goes
-- to the outbox dead at once). The deliverer, and notify status, spread notices into
-- the outbox, one row per message, in their own transaction: an act pays for one row
-- in a table without indexes instead of a row and two index entries per message (a
-- reschedule told to 3: 142-161 µs added to its transaction before, 85-91 µs now).
-- repeat marks the events that may be raised again with the same key (a conflict
-- seen again, an overdue plan at the next scan): only those are looked up by key,
-- so only those are indexed.
CREATE TABLE notices (
    id            INTEGER PRIMARY KEY,
    key           TEXT    NOT NULL,
    repeat        INTEGER NOT NULL DEFAULT 0,
    event         TEXT    NOT NULL,
    deployment_id INTEGER,
    at            INTEGER NOT NULL,
    payload       TEXT    NOT NULL,
    messages      TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX notices_repeat ON notices (key) WHERE repeat = 1;

-- +goose Down
DROP TABLE notices;
