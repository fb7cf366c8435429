-- +goose Up
-- A block of a version already blocked says why anew (an upsert: an UPDATE, which
-- the insert trigger does not see): its deployments' conflicts must say the new
-- reason, so they are noted as changed too. They kept the first reason.
-- +goose StatementBegin
CREATE TRIGGER conflict_dirty_reblock AFTER UPDATE ON blocked_versions
WHEN (SELECT basis FROM conflict_state) != ''
BEGIN
    INSERT INTO conflict_dirty SELECT id, environment, component, version, scheduled_start, scheduled_end
    FROM deployments WHERE component = new.component AND version = new.version
        AND status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER conflict_dirty_reblock;
