-- +goose Up
-- Controls that hold, and a record an auditor can trust.

-- How urgent a deployment is: an emergency may start inside a freeze or outside the
-- maintenance windows, with the authority and reason on its record.
ALTER TABLE deployments ADD COLUMN urgency TEXT NOT NULL DEFAULT 'normal'
    CHECK (urgency IN ('normal', 'expedited', 'emergency'));
ALTER TABLE deployments ADD COLUMN urgency_reason TEXT NOT NULL DEFAULT '';

-- Who really acted, whatever --as said (the OS login and host, or the SSH key), and
-- each entry's link in the record's hash chain (see store/chain.go): changing,
-- deleting, inserting or reordering a row breaks the chain at that row.
ALTER TABLE events ADD COLUMN principal TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN hash BLOB;

-- Findings: what a deployment's record keeps of the controls around it, never deleted:
--   override      a manager started it against a rule (window, freeze, maintenance,
--                 or a conflict kind), with the reason;
--   emergency     it started in the emergency lane (rule: freeze, maintenance or window);
--   at_start      a conflict it was in when it started (open or overridden);
--   unresolved    a conflict still open when it finished;
--   overrun       it ran past its scheduled end.
CREATE TABLE findings (
    id             INTEGER PRIMARY KEY,
    deployment_id  INTEGER NOT NULL REFERENCES deployments (id),
    kind           TEXT    NOT NULL,
    rule           TEXT    NOT NULL,
    conflict_key   TEXT    NOT NULL DEFAULT '',
    conflict_id    TEXT    NOT NULL DEFAULT '',
    deployment_ids TEXT    NOT NULL DEFAULT '', -- comma-separated, the conflict's deployments
    message        TEXT    NOT NULL,
    reason         TEXT    NOT NULL DEFAULT '',
    actor          TEXT    NOT NULL,
    at             INTEGER NOT NULL
);
CREATE INDEX findings_deployment ON findings (deployment_id, id);
CREATE INDEX findings_at ON findings (at);
-- +goose StatementBegin
CREATE TRIGGER findings_no_update BEFORE UPDATE ON findings
BEGIN
    SELECT RAISE(ABORT, 'findings are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER findings_no_delete BEFORE DELETE ON findings
BEGIN
    SELECT RAISE(ABORT, 'findings are append-only');
END;
-- +goose StatementEnd

-- The organisation's record, chained like events: configuration changes, keys added
-- and revoked, rollups repaired.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    principal TEXT    NOT NULL,
    type      TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    hash      BLOB    NOT NULL
);
CREATE INDEX audit_log_type ON audit_log (type, id);
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- +goose StatementEnd

-- The configuration as last recorded, to say in words what changed the next time.
CREATE TABLE config_versions (
    id      INTEGER PRIMARY KEY,
    hash    TEXT    NOT NULL,
    content TEXT    NOT NULL, -- JSON of what matters (see engine/configlog.go)
    at      INTEGER NOT NULL
);

-- SSH keys: when each was last used, and the ones revoked (config's keys too: a
-- revoked key stays refused even while config still lists it).
CREATE TABLE key_use (
    fingerprint  TEXT    PRIMARY KEY,
    last_used_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE revoked_keys (
    fingerprint TEXT    PRIMARY KEY,
    person      TEXT    NOT NULL,
    revoked_by  TEXT    NOT NULL,
    revoked_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- Failures by when they failed, whatever their planned window (the inbox, Needs you).
CREATE INDEX deployments_failed_finish ON deployments (finished_at)
    WHERE status IN ('failed', 'rolled_back');

-- Emergency deployments, counted apart in the reports (by planned start, like the rest).
ALTER TABLE rollup_days ADD COLUMN emergency INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE rollup_days DROP COLUMN emergency;
DROP INDEX deployments_failed_finish;
DROP TABLE revoked_keys;
DROP TABLE key_use;
DROP TABLE config_versions;
DROP TABLE audit_log;
DROP TABLE findings;
ALTER TABLE events DROP COLUMN hash;
ALTER TABLE events DROP COLUMN principal;
ALTER TABLE deployments DROP COLUMN urgency_reason;
ALTER TABLE deployments DROP COLUMN urgency;
