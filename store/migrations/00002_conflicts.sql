-- +goose Up
-- A conflict a manager accepted, with the reason. Conflicts themselves are computed,
-- not stored: the key names the kind and the deployments, so an override keeps
-- applying while the same plans clash the same way.
CREATE TABLE overrides (
    conflict_key   TEXT    PRIMARY KEY,
    kind           TEXT    NOT NULL,
    deployment_ids TEXT    NOT NULL, -- comma-separated, for reports
    reason         TEXT    NOT NULL CHECK (length(trim(reason)) > 0),
    actor          TEXT    NOT NULL,
    at             INTEGER NOT NULL
);
CREATE INDEX overrides_at ON overrides (at);

-- Promotion checks ask whether a version already succeeded in an environment.
CREATE INDEX deployments_component ON deployments (component, version, environment, status);
-- Dependency checks find what waits for a deployment.
CREATE INDEX deployments_after ON deployments (after_id) WHERE after_id IS NOT NULL;

-- Checking one plan loads only its neighbourhood: unfinished deployments in the same
-- environment, of the same person or component. These partial indexes hold only
-- unfinished rows, so they stay small however long the history grows.
CREATE INDEX deployments_open_env ON deployments (environment, scheduled_start)
    WHERE status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled');
CREATE INDEX deployments_open_assignee ON deployments (assignee, scheduled_start)
    WHERE status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled');
CREATE INDEX deployments_open_component ON deployments (component, scheduled_start)
    WHERE status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled');
-- The longest unfinished window bounds how far back an overlapping one can start.
CREATE INDEX deployments_open_length ON deployments ((scheduled_end - scheduled_start))
    WHERE status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled');

-- +goose Down
DROP INDEX deployments_open_length;
DROP INDEX deployments_open_component;
DROP INDEX deployments_open_assignee;
DROP INDEX deployments_open_env;
DROP INDEX deployments_after;
DROP INDEX deployments_component;
DROP TABLE overrides;
