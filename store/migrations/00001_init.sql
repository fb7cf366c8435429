-- +goose Up
-- Times are unix seconds, UTC. Names of environments and people come from config.toml
-- and are stored as text: config is the source of truth for who and where.

-- Each distinct content of a deployment model is stored once; a changed model in
-- config becomes the next version and old deployments keep the version they used.
CREATE TABLE model_versions (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    fingerprint TEXT    NOT NULL,
    definition  TEXT    NOT NULL, -- JSON of models.Model
    created_at  INTEGER NOT NULL,
    UNIQUE (name, version),
    UNIQUE (name, fingerprint)
);

CREATE TABLE deployments (
    id               INTEGER PRIMARY KEY,
    model_version_id INTEGER NOT NULL REFERENCES model_versions (id),
    model            TEXT    NOT NULL,
    model_version    INTEGER NOT NULL,
    service          TEXT    NOT NULL,
    component        TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    version          TEXT    NOT NULL,
    action           TEXT    NOT NULL CHECK (action IN ('deploy', 'remove')),
    environment      TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    assignee         TEXT    NOT NULL DEFAULT '',
    requester        TEXT    NOT NULL DEFAULT '',
    change_ref       TEXT    NOT NULL DEFAULT '',
    scheduled_start  INTEGER NOT NULL,
    scheduled_end    INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    after_id         INTEGER REFERENCES deployments (id),
    steps_done       INTEGER NOT NULL DEFAULT 0,
    steps_total      INTEGER NOT NULL DEFAULT 0,
    CHECK (scheduled_end > scheduled_start)
);
-- History: newest first, optionally by environment or status, keyset on (start, id).
CREATE INDEX deployments_start ON deployments (scheduled_start, id);
CREATE INDEX deployments_env_start ON deployments (environment, scheduled_start, id);
CREATE INDEX deployments_status_start ON deployments (status, scheduled_start, id);
CREATE INDEX deployments_assignee_start ON deployments (assignee, scheduled_start);
-- Schedule, dashboard and conflict detection: only what has not finished yet. It
-- covers every column detection reads, so loading all unfinished deployments reads
-- this index alone, never the table.
CREATE INDEX deployments_open ON deployments (scheduled_start, id, scheduled_end, environment, component,
    version, assignee, model, action, after_id, status)
    WHERE status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled');

-- One row per model step of a deployment; what the step is lives in the model version
-- (seq is its position in Model.StepsFor(environment)), so rows stay lean.
CREATE TABLE step_runs (
    deployment_id INTEGER NOT NULL REFERENCES deployments (id),
    seq           INTEGER NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'pending',
    actor         TEXT    NOT NULL DEFAULT '',
    at            INTEGER,
    note          TEXT    NOT NULL DEFAULT '',
    exit_code     INTEGER,
    PRIMARY KEY (deployment_id, seq)
) WITHOUT ROWID;

-- The deployment record: appended to, never edited.
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    deployment_id INTEGER NOT NULL REFERENCES deployments (id),
    at            INTEGER NOT NULL,
    actor         TEXT    NOT NULL,
    type          TEXT    NOT NULL,
    detail        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX events_deployment ON events (deployment_id, id);
-- +goose StatementBegin
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the deployment record is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the deployment record is append-only');
END;
-- +goose StatementEnd

CREATE TABLE incidents (
    id            INTEGER PRIMARY KEY,
    deployment_id INTEGER NOT NULL REFERENCES deployments (id),
    opened_at     INTEGER NOT NULL,
    resolved_at   INTEGER,
    summary       TEXT    NOT NULL
);
CREATE INDEX incidents_deployment ON incidents (deployment_id);

-- +goose Down
DROP TABLE incidents;
DROP TABLE events;
DROP TABLE step_runs;
DROP TABLE deployments;
DROP TABLE model_versions;
