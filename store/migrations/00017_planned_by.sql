-- +goose Up
-- Who planned a deployment, beside who requested it: separation of duties judges a
-- gate's approver against both, so naming someone else as requester does not let the
-- planner approve their own work. Deployments planned before this column take it from
-- their record's "planned" event (the first one), which has always named the planner.
ALTER TABLE deployments ADD COLUMN planned_by TEXT NOT NULL DEFAULT '';
UPDATE deployments SET planned_by = coalesce((SELECT e.actor FROM events e
    WHERE e.deployment_id = deployments.id AND e.type = 'planned' ORDER BY e.id LIMIT 1), '');

-- +goose Down
ALTER TABLE deployments DROP COLUMN planned_by;
