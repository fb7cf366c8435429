-- +goose Up
-- Conflicts are kept current as plans change instead of being found again by every
-- reader: opening the console or `ferry conflicts` reads these rows. Each write's
-- transaction refreshes only the neighbourhood of what it changed (the triggers
-- below note which deployments changed and where they were); a change of the rules
-- (config: environments, windows, paths; or the detector itself) recomputes them all.
CREATE TABLE stored_conflicts (
    key         TEXT    PRIMARY KEY,
    kind        TEXT    NOT NULL,
    environment TEXT    NOT NULL DEFAULT '',
    person      TEXT    NOT NULL DEFAULT '',
    start_at    INTEGER NOT NULL,
    end_at      INTEGER NOT NULL,
    ids         TEXT    NOT NULL, -- "1,2,3", ascending
    message     TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE stored_conflict_members (
    deployment_id INTEGER NOT NULL,
    key           TEXT    NOT NULL,
    PRIMARY KEY (deployment_id, key)
) WITHOUT ROWID;

-- basis: what the stored conflicts were computed under (a hash of the rules); empty
-- when they are not current (never computed, or a bulk load under way): readers then
-- detect in memory and the next engine to open recomputes them.
CREATE TABLE conflict_state (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    basis TEXT    NOT NULL DEFAULT ''
);
INSERT INTO conflict_state (id, basis) VALUES (1, '');

-- The deployments changed in the current transaction, with where they were before.
CREATE TABLE conflict_dirty (
    deployment_id INTEGER NOT NULL,
    environment   TEXT    NOT NULL,
    component     TEXT    NOT NULL,
    version       TEXT    NOT NULL,
    start_at      INTEGER NOT NULL,
    end_at        INTEGER NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER conflict_dirty_insert AFTER INSERT ON deployments
WHEN (SELECT basis FROM conflict_state) != ''
BEGIN
    INSERT INTO conflict_dirty VALUES (new.id, new.environment, new.component, new.version,
        new.scheduled_start, new.scheduled_end);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER conflict_dirty_update AFTER UPDATE OF scheduled_start, scheduled_end, environment, status,
    assignee, component, version, after_id, action, model ON deployments
WHEN (SELECT basis FROM conflict_state) != ''
  AND (old.scheduled_start IS NOT new.scheduled_start OR old.scheduled_end IS NOT new.scheduled_end
    OR old.environment IS NOT new.environment OR old.assignee IS NOT new.assignee
    OR old.component IS NOT new.component OR old.version IS NOT new.version OR old.after_id IS NOT new.after_id
    OR old.action IS NOT new.action OR old.model IS NOT new.model
    -- a step from one stage to the next changes no conflict; finishing, or coming
    -- back from finished, does
    OR (old.status IS NOT new.status
        AND (old.status IN ('succeeded', 'failed', 'rolled_back', 'cancelled')
          OR new.status IN ('succeeded', 'failed', 'rolled_back', 'cancelled'))))
BEGIN
    INSERT INTO conflict_dirty VALUES (old.id, old.environment, old.component, old.version,
        old.scheduled_start, old.scheduled_end);
END;
-- +goose StatementEnd

-- Blocking or unblocking a version changes the conflicts of its unfinished
-- deployments without changing them: note them as changed.
-- +goose StatementBegin
CREATE TRIGGER conflict_dirty_block AFTER INSERT ON blocked_versions
WHEN (SELECT basis FROM conflict_state) != ''
BEGIN
    INSERT INTO conflict_dirty SELECT id, environment, component, version, scheduled_start, scheduled_end
    FROM deployments WHERE component = new.component AND version = new.version
        AND status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conflict_dirty_unblock AFTER DELETE ON blocked_versions
WHEN (SELECT basis FROM conflict_state) != ''
BEGIN
    INSERT INTO conflict_dirty SELECT id, environment, component, version, scheduled_start, scheduled_end
    FROM deployments WHERE component = old.component AND version = old.version
        AND status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER conflict_dirty_unblock;
DROP TRIGGER conflict_dirty_block;
DROP TRIGGER conflict_dirty_update;
DROP TRIGGER conflict_dirty_insert;
DROP TABLE conflict_dirty;
DROP TABLE conflict_state;
DROP TABLE stored_conflict_members;
DROP TABLE stored_conflicts;
