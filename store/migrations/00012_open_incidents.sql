-- +goose Up
-- Open incidents stay on every dashboard until resolved, and the dashboard reloads
-- within a second of any change: this index holds only the open ones, newest first,
-- so the look costs the same with 30 incidents or 30,000 resolved ones.
CREATE INDEX incidents_open ON incidents (opened_at, id) WHERE resolved_at IS NULL;

-- +goose Down
DROP INDEX incidents_open;
