-- +goose Up
-- What runs or is planned next for a component in an environment (env_state's
-- next_id, refreshed by every plan and status change) in one index step: without it
-- SQLite sorted every unfinished deployment of the pair, 20 ms a plan on a schedule
-- of 100,000.
CREATE INDEX deployments_open_pair ON deployments (component, environment, status = 'planned', scheduled_start, id)
    WHERE status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled');

-- +goose Down
DROP INDEX deployments_open_pair;
