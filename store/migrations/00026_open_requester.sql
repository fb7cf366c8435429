-- +goose Up
-- The unfinished deployments a person requested, beside those assigned to them
-- (deployments_open_assignee): an inbox asks which of the open conflicts' members
-- are the person's, and both halves of that are read from these indexes alone.
CREATE INDEX deployments_open_requester ON deployments (requester, scheduled_start)
    WHERE status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled');

-- +goose Down
DROP INDEX deployments_open_requester;
