-- +goose Up
-- What is where: for each component and environment, the deployment that last
-- succeeded there (a removal too: it empties the cell) and the one running there or
-- planned next. Kept in the same transaction as every change of a deployment's status
-- or window (store/where.go), so that the matrix is read from here, not from a million
-- rows of history; WhereDiffs recounts it from the deployments.
CREATE TABLE env_state (
    component   TEXT    NOT NULL,
    environment TEXT    NOT NULL,
    current_id  INTEGER REFERENCES deployments (id),
    next_id     INTEGER REFERENCES deployments (id),
    PRIMARY KEY (component, environment)
) WITHOUT ROWID;
-- The last success of a component in an environment, in one index step.
CREATE INDEX deployments_succeeded ON deployments (component, environment, finished_at, id)
    WHERE status = 'succeeded';
INSERT INTO env_state (component, environment, current_id, next_id)
SELECT p.component, p.environment,
    (SELECT s.id FROM deployments s WHERE s.component = p.component AND s.environment = p.environment
        AND s.status = 'succeeded' ORDER BY s.finished_at DESC, s.id DESC LIMIT 1),
    (SELECT o.id FROM deployments o WHERE o.component = p.component AND o.environment = p.environment
        AND o.status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled')
        ORDER BY o.status = 'planned', o.scheduled_start, o.id LIMIT 1)
FROM (SELECT DISTINCT component, environment FROM deployments) p;
DELETE FROM env_state WHERE current_id IS NULL AND next_id IS NULL;

-- A release: a named set of component versions that moves through environments
-- together. Its deployments are ordinary ones, linked here.
CREATE TABLE releases (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    change_ref TEXT    NOT NULL DEFAULT '',
    notes      TEXT    NOT NULL DEFAULT '',
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE release_components (
    release_id INTEGER NOT NULL REFERENCES releases (id),
    component  TEXT    NOT NULL,
    version    TEXT    NOT NULL,
    PRIMARY KEY (release_id, component)
);
CREATE TABLE release_deployments (
    release_id    INTEGER NOT NULL REFERENCES releases (id),
    deployment_id INTEGER NOT NULL UNIQUE REFERENCES deployments (id),
    PRIMARY KEY (release_id, deployment_id)
);

-- A version blocked from going anywhere (a bad build); unblocking deletes the row,
-- the audit log keeps who blocked and unblocked it and why.
CREATE TABLE blocked_versions (
    component TEXT    NOT NULL,
    version   TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    at        INTEGER NOT NULL,
    PRIMARY KEY (component, version)
);

-- +goose Down
DROP TABLE blocked_versions;
DROP TABLE release_deployments;
DROP TABLE release_components;
DROP TABLE releases;
DROP INDEX deployments_succeeded;
DROP TABLE env_state;
