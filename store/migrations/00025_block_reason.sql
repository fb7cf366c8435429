-- +goose Up
-- A blocked checklist item's reason apart from its notes: blocking wrote the reason
-- over the notes a technician had written on the item, and unblocking cleared both
-- (the record kept them; the item did not). The reason of an item blocked now moves
-- out of its note; search reads block reasons from the events, as before.
ALTER TABLE step_runs ADD COLUMN block_reason TEXT NOT NULL DEFAULT '';
UPDATE step_runs SET block_reason = note, note = '' WHERE status = 'blocked';

-- +goose Down
UPDATE step_runs SET note = block_reason WHERE status = 'blocked';
ALTER TABLE step_runs DROP COLUMN block_reason;
