-- +goose Up
-- The deployments that wait for a review, kept as they change: those that failed or
-- rolled back, or succeeded with an incident, and have no review. The inbox asked
-- this of the history each time, through every incident of the last weeks and each
-- one's deployment row (1,200 rows read at random on the 1M demo, a fifth of the
-- console's first frame); it now reads the few that wait, in order of their finish.
CREATE TABLE reviews_due (
    deployment_id INTEGER PRIMARY KEY REFERENCES deployments (id),
    finished_at   INTEGER NOT NULL,
    requester     TEXT    NOT NULL
);
CREATE INDEX reviews_due_finish ON reviews_due (finished_at);

INSERT INTO reviews_due (deployment_id, finished_at, requester)
SELECT d.id, d.finished_at, d.requester FROM deployments d
WHERE d.finished_at IS NOT NULL
  AND (d.status IN ('failed', 'rolled_back')
    OR (d.status = 'succeeded' AND EXISTS (SELECT 1 FROM incidents i WHERE i.deployment_id = d.id)))
  AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.deployment_id = d.id);

-- A deployment's finish, outcome or requester changed: it waits, or not, by the same
-- rule. (A plan is inserted planned; only a bulk load inserts finished ones.)
-- +goose StatementBegin
CREATE TRIGGER reviews_due_update AFTER UPDATE OF status, finished_at, requester ON deployments
BEGIN
    DELETE FROM reviews_due WHERE deployment_id = new.id;
    INSERT INTO reviews_due (deployment_id, finished_at, requester)
    SELECT new.id, new.finished_at, new.requester
    WHERE new.finished_at IS NOT NULL
      AND (new.status IN ('failed', 'rolled_back')
        OR (new.status = 'succeeded' AND EXISTS (SELECT 1 FROM incidents i WHERE i.deployment_id = new.id)))
      AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.deployment_id = new.id);
END;
-- +goose StatementEnd

-- A deployment inserted finished badly (a bulk load); one inserted succeeded has no
-- incident yet: the incident's trigger adds it.
-- +goose StatementBegin
CREATE TRIGGER reviews_due_insert AFTER INSERT ON deployments
WHEN new.status IN ('failed', 'rolled_back') AND new.finished_at IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO reviews_due (deployment_id, finished_at, requester)
    SELECT new.id, new.finished_at, new.requester
    WHERE NOT EXISTS (SELECT 1 FROM reviews r WHERE r.deployment_id = new.id);
END;
-- +goose StatementEnd

-- An incident on a deployment that succeeded makes it wait for a review.
-- +goose StatementBegin
CREATE TRIGGER reviews_due_incident AFTER INSERT ON incidents
BEGIN
    INSERT OR IGNORE INTO reviews_due (deployment_id, finished_at, requester)
    SELECT d.id, d.finished_at, d.requester FROM deployments d
    WHERE d.id = new.deployment_id AND d.status = 'succeeded' AND d.finished_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.deployment_id = d.id);
END;
-- +goose StatementEnd

-- A review ends the wait.
-- +goose StatementBegin
CREATE TRIGGER reviews_due_review AFTER INSERT ON reviews
BEGIN
    DELETE FROM reviews_due WHERE deployment_id = new.deployment_id;
END;
-- +goose StatementEnd

-- Only the inbox's old question read this index.
DROP INDEX deployments_failed_review;

-- +goose Down
CREATE INDEX deployments_failed_review ON deployments (finished_at, requester)
    WHERE status IN ('failed', 'rolled_back');
DROP TRIGGER reviews_due_review;
DROP TRIGGER reviews_due_incident;
DROP TRIGGER reviews_due_insert;
DROP TRIGGER reviews_due_update;
DROP TABLE reviews_due;
