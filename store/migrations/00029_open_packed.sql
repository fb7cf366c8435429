-- +goose Up
-- The index of unfinished deployments holds each one as the record conflict detection
-- and suggestions read (store.openRecord, the same expression, character for
-- character): SQLite reads the record from the index instead of building it for
-- every row, which was half of what a suggestion's 90-day scan cost (a malloc and
-- ten numbers turned into text a row). The columns a scan filters on stay as keys.
DROP INDEX deployments_open;
CREATE INDEX deployments_open ON deployments (scheduled_start, id, environment, component, assignee,
    id || char(31) || scheduled_start || char(31) || scheduled_end || char(31) || ifnull(after_id, 0) || char(31) || status || char(31) || action || char(31) || environment || char(31) || component || char(31) || assignee || char(31) || model || char(31) || version)
    WHERE status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled');

-- +goose Down
DROP INDEX deployments_open;
CREATE INDEX deployments_open ON deployments (scheduled_start, id, scheduled_end, environment, component,
    version, assignee, model, action, after_id, status)
    WHERE status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled');
