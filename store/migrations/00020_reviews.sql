-- +goose Up
-- Closing the loop of the guide's first value stream (3.1.1): deployments are
-- reviewed, reviews and failures start improvements, an improvement is carried by a
-- model version, and the version's effect is measured.

-- One review per finished deployment; a second one amends it (the deployment's
-- record keeps each as an event). A score left out is NULL: not answered, so the
-- means count only those who answered.
CREATE TABLE reviews (
    deployment_id          INTEGER PRIMARY KEY REFERENCES deployments (id),
    outcome                TEXT    NOT NULL
        CHECK (outcome IN ('successful', 'successful_with_issues', 'unsuccessful')),
    satisfaction           INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    lead_time_satisfaction INTEGER CHECK (lead_time_satisfaction BETWEEN 1 AND 5),
    quality                INTEGER CHECK (quality BETWEEN 1 AND 5),
    category               TEXT    NOT NULL DEFAULT '',
    lessons                TEXT    NOT NULL,
    reviewer               TEXT    NOT NULL,
    reviewed_at            INTEGER NOT NULL, -- the last time it was written
    model                  TEXT    NOT NULL, -- the deployment's, for listings by model
    model_version          INTEGER NOT NULL
);
CREATE INDEX reviews_model ON reviews (model, reviewed_at);
-- Failures left without a review wait in the inbox: found by when they finished,
-- with their requester, from the index alone (on a big history the table's pages
-- are cold, and reading a row per failure cost a second).
CREATE INDEX deployments_failed_review ON deployments (finished_at, requester)
    WHERE status IN ('failed', 'rolled_back');
-- Deployments with an incident finished lately wait for a review too: their
-- incidents are found by when they were opened.
CREATE INDEX incidents_opened ON incidents (opened_at);

-- The improvement register: what a review or a failure taught, proposed against a
-- model, carried by one of its versions, verified once that version has been measured.
-- Each change is in the audit log (type 'improvement').
CREATE TABLE improvements (
    id         INTEGER PRIMARY KEY,
    model      TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    owner      TEXT    NOT NULL DEFAULT '',
    status     TEXT    NOT NULL DEFAULT 'proposed'
        CHECK (status IN ('proposed', 'approved', 'in_progress', 'implemented', 'verified', 'rejected')),
    in_version INTEGER, -- the model version that carries it
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX improvements_model ON improvements (model, id);
-- The deployments (reviewed or failed) an improvement came from.
CREATE TABLE improvement_sources (
    improvement_id INTEGER NOT NULL REFERENCES improvements (id),
    deployment_id  INTEGER NOT NULL REFERENCES deployments (id),
    PRIMARY KEY (improvement_id, deployment_id)
) WITHOUT ROWID;

-- Audit and compliance findings (guide table 2.4), written by people about a
-- deployment or a model: records of their own, apart from the controls' findings.
CREATE TABLE audit_findings (
    id            INTEGER PRIMARY KEY,
    deployment_id INTEGER REFERENCES deployments (id),
    model         TEXT    NOT NULL DEFAULT '',
    kind          TEXT    NOT NULL CHECK (kind IN ('audit', 'compliance')),
    summary       TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    at            INTEGER NOT NULL,
    CHECK ((deployment_id IS NULL) != (model = ''))
);
CREATE INDEX audit_findings_at ON audit_findings (at);
-- +goose StatementBegin
CREATE TRIGGER audit_findings_no_update BEFORE UPDATE ON audit_findings
BEGIN
    SELECT RAISE(ABORT, 'findings are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_findings_no_delete BEFORE DELETE ON audit_findings
BEGIN
    SELECT RAISE(ABORT, 'findings are append-only');
END;
-- +goose StatementEnd

-- Rollup counters for the reviews and the adoption of the agreed approach, counted
-- on the day of the planned start like the rest of what is about a deployment itself
-- (see 00005). A score's mean is its sum over its count of answers.
ALTER TABLE rollup_days ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_days ADD COLUMN satisfaction_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_days ADD COLUMN satisfaction_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_days ADD COLUMN lead_sat_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_days ADD COLUMN lead_sat_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_days ADD COLUMN quality_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_days ADD COLUMN quality_n INTEGER NOT NULL DEFAULT 0;
-- Finished, not in the emergency lane, no start override, no required step skipped.
ALTER TABLE rollup_days ADD COLUMN adopted INTEGER NOT NULL DEFAULT 0;
-- The new counters are not counted yet: the first engine to open the file recounts.
UPDATE rollup_basis SET stale = 1;

-- Review text is found by search: the view the search documents are made of, as in
-- 00019, plus the review's category and lessons.
DROP VIEW search_source;
CREATE VIEW search_source AS
SELECT d.id AS id,
    (min(max(d.scheduled_start, 0), 8589934591) - 4294967296) * 2147483648 + d.id AS key,
    d.service || ' ' || d.component || ' ' || d.version || ' ' || d.change_ref AS what,
    trim(
        coalesce((SELECT group_concat(note, ' ') FROM step_runs
            WHERE deployment_id = d.id AND note != ''), '') || ' ' ||
        coalesce((SELECT group_concat(CASE type WHEN 'cancelled' THEN substr(detail, instr(detail, ': ') + 2)
                                                ELSE substr(detail, instr(detail, '": ') + 3) END, ' ')
            FROM events INDEXED BY events_search
            WHERE deployment_id = d.id AND (type = 'note' OR type = 'cancelled'
               OR (type = 'step' AND (substr(detail, 1, 8) = 'blocked ' OR substr(detail, 1, 10) = 'unblocked ')))
              AND instr(detail, CASE type WHEN 'cancelled' THEN ': ' ELSE '": ' END) > 0), '') || ' ' ||
        coalesce((SELECT group_concat(summary, ' ') FROM incidents WHERE deployment_id = d.id), '') || ' ' ||
        coalesce((SELECT category || ' ' || lessons FROM reviews WHERE deployment_id = d.id), '')
    ) AS notes,
    d.facets AS facets
FROM search_facets d;

-- +goose StatementBegin
CREATE TRIGGER search_review_insert AFTER INSERT ON reviews
BEGIN
    DELETE FROM search WHERE rowid = (SELECT key FROM search_source WHERE id = new.deployment_id);
    INSERT INTO search (rowid, what, notes, facets) SELECT key, what, notes, facets FROM search_source WHERE id = new.deployment_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_review_update AFTER UPDATE OF category, lessons ON reviews
WHEN old.category IS NOT new.category OR old.lessons IS NOT new.lessons
BEGIN
    DELETE FROM search WHERE rowid = (SELECT key FROM search_source WHERE id = new.deployment_id);
    INSERT INTO search (rowid, what, notes, facets) SELECT key, what, notes, facets FROM search_source WHERE id = new.deployment_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER search_review_update;
DROP TRIGGER search_review_insert;
DROP VIEW search_source;
CREATE VIEW search_source AS
SELECT d.id AS id,
    (min(max(d.scheduled_start, 0), 8589934591) - 4294967296) * 2147483648 + d.id AS key,
    d.service || ' ' || d.component || ' ' || d.version || ' ' || d.change_ref AS what,
    trim(
        coalesce((SELECT group_concat(note, ' ') FROM step_runs
            WHERE deployment_id = d.id AND note != ''), '') || ' ' ||
        coalesce((SELECT group_concat(CASE type WHEN 'cancelled' THEN substr(detail, instr(detail, ': ') + 2)
                                                ELSE substr(detail, instr(detail, '": ') + 3) END, ' ')
            FROM events INDEXED BY events_search
            WHERE deployment_id = d.id AND (type = 'note' OR type = 'cancelled'
               OR (type = 'step' AND (substr(detail, 1, 8) = 'blocked ' OR substr(detail, 1, 10) = 'unblocked ')))
              AND instr(detail, CASE type WHEN 'cancelled' THEN ': ' ELSE '": ' END) > 0), '') || ' ' ||
        coalesce((SELECT group_concat(summary, ' ') FROM incidents WHERE deployment_id = d.id), '')
    ) AS notes,
    d.facets AS facets
FROM search_facets d;
ALTER TABLE rollup_days DROP COLUMN adopted;
ALTER TABLE rollup_days DROP COLUMN quality_n;
ALTER TABLE rollup_days DROP COLUMN quality_sum;
ALTER TABLE rollup_days DROP COLUMN lead_sat_n;
ALTER TABLE rollup_days DROP COLUMN lead_sat_sum;
ALTER TABLE rollup_days DROP COLUMN satisfaction_n;
ALTER TABLE rollup_days DROP COLUMN satisfaction_sum;
ALTER TABLE rollup_days DROP COLUMN reviewed;
DROP TRIGGER audit_findings_no_delete;
DROP TRIGGER audit_findings_no_update;
DROP TABLE audit_findings;
DROP TABLE improvement_sources;
DROP TABLE improvements;
DROP INDEX incidents_opened;
DROP INDEX deployments_failed_review;
DROP TABLE reviews;
