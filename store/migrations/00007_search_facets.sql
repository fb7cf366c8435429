-- +goose Up
-- Search documents get a third column, facets: one token per exact filter value of the
-- deployment (environment, status, assignee, model, kind, requester), so that a search
-- with one of those filters intersects inside FTS5 instead of walking every match of
-- its words and checking the filter row by row (payments in production: 270 of 270,000
-- matches; see store/search.go).
--
-- A facet token is U+01C2 'ǂ', a letter for the field (e environment, s status,
-- a assignee, m model, k kind, r requester) and the hex of the value's bytes:
-- production -> ǂe70726F64756374696F6E. Hex keeps every value one unicode61 token
-- and no two values the same (dashes, dots, capitals, spaces, other scripts, quotes,
-- a NUL), and costs next to nothing to compute: a readable spelling that escaped what
-- needed escaping took 4-5 s per million documents in SQL functions (GLOB or trim,
-- replace) against 1 s for hex, for ~40 MB less text. facetToken in store/search.go
-- spells them the same way, and a test holds the two together.
--
-- The lead 'ǂ' keeps facet tokens and their 1-3 character prefix-index entries apart
-- from every word people write or search for: no other character folds to it, and a
-- search takes it out of what was typed (store/search.go, matchQuery).
DROP TRIGGER search_event_insert;
DROP TRIGGER search_incident_update;
DROP TRIGGER search_incident_insert;
DROP TRIGGER search_step_note;
DROP TRIGGER search_step_insert;
DROP TRIGGER search_deployment_delete;
DROP TRIGGER search_deployment_update;
DROP TRIGGER search_deployment_insert;
DROP VIEW search_source;
DROP TABLE search;

CREATE VIRTUAL TABLE search USING fts5(what, notes, facets,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3', columnsize = 0);

-- The deployment columns a document is made of, and its facets: spelled here only.
CREATE VIEW search_facets AS
SELECT d.id AS id, d.scheduled_start AS scheduled_start, d.service AS service, d.component AS component,
    d.version AS version, d.change_ref AS change_ref,
    'ǂe' || hex(d.environment) || ' ǂs' || hex(d.status) || ' ǂa' || hex(d.assignee) ||
    ' ǂm' || hex(d.model) || ' ǂk' || hex(d.kind) || ' ǂr' || hex(d.requester) AS facets
FROM deployments d;

-- As in 00006, plus facets.
CREATE VIEW search_source AS
SELECT d.id AS id,
    (min(max(d.scheduled_start, 0), 4294967295) - 2147483648) * 4294967296 + d.id AS key,
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

-- As in 00006, with the facets column.
-- +goose StatementBegin
CREATE TRIGGER search_deployment_insert AFTER INSERT ON deployments
BEGIN
    INSERT INTO search (rowid, what, notes, facets) SELECT key, what, notes, facets FROM search_source WHERE id = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_deployment_update
AFTER UPDATE OF id, scheduled_start, service, component, version, change_ref ON deployments
WHEN old.scheduled_start IS NOT new.scheduled_start OR old.service IS NOT new.service
  OR old.component IS NOT new.component OR old.version IS NOT new.version
  OR old.change_ref IS NOT new.change_ref OR old.id IS NOT new.id
BEGIN
    DELETE FROM search WHERE rowid = (min(max(old.scheduled_start, 0), 4294967295) - 2147483648) * 4294967296 + old.id;
    INSERT INTO search (rowid, what, notes, facets) SELECT key, what, notes, facets FROM search_source WHERE id = new.id;
END;
-- +goose StatementEnd
-- A status change, a reassignment: the same document with new facets. (When the
-- key or the what column changes too, the trigger above rewrites all of it.) A
-- trigger of its own rather than one more column list on the one above: SQLite
-- compiles the triggers an UPDATE may fire each time the UPDATE is prepared, and
-- this one is small (a status change: ~0.4 ms instead of ~0.5 ms on 1M).
-- +goose StatementBegin
CREATE TRIGGER search_deployment_facets
AFTER UPDATE OF environment, status, assignee, model, kind, requester ON deployments
WHEN (old.environment IS NOT new.environment OR old.status IS NOT new.status
   OR old.assignee IS NOT new.assignee OR old.model IS NOT new.model
   OR old.kind IS NOT new.kind OR old.requester IS NOT new.requester)
  AND old.scheduled_start IS new.scheduled_start AND old.service IS new.service
  AND old.component IS new.component AND old.version IS new.version
  AND old.change_ref IS new.change_ref AND old.id IS new.id
BEGIN
    UPDATE search SET facets = (SELECT facets FROM search_facets WHERE id = new.id)
    WHERE rowid = (min(max(new.scheduled_start, 0), 4294967295) - 2147483648) * 4294967296 + new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_deployment_delete AFTER DELETE ON deployments
BEGIN
    DELETE FROM search WHERE rowid = (min(max(old.scheduled_start, 0), 4294967295) - 2147483648) * 4294967296 + old.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_step_insert AFTER INSERT ON step_runs WHEN new.note != ''
BEGIN
    DELETE FROM search WHERE rowid = (SELECT key FROM search_source WHERE id = new.deployment_id);
    INSERT INTO search (rowid, what, notes, facets) SELECT key, what, notes, facets FROM search_source WHERE id = new.deployment_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_step_note AFTER UPDATE OF note ON step_runs WHEN old.note IS NOT new.note
BEGIN
    DELETE FROM search WHERE rowid = (SELECT key FROM search_source WHERE id = new.deployment_id);
    INSERT INTO search (rowid, what, notes, facets) SELECT key, what, notes, facets FROM search_source WHERE id = new.deployment_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_incident_insert AFTER INSERT ON incidents
BEGIN
    DELETE FROM search WHERE rowid = (SELECT key FROM search_source WHERE id = new.deployment_id);
    INSERT INTO search (rowid, what, notes, facets) SELECT key, what, notes, facets FROM search_source WHERE id = new.deployment_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_incident_update AFTER UPDATE OF summary ON incidents WHEN old.summary IS NOT new.summary
BEGIN
    DELETE FROM search WHERE rowid = (SELECT key FROM search_source WHERE id = new.deployment_id);
    INSERT INTO search (rowid, what, notes, facets) SELECT key, what, notes, facets FROM search_source WHERE id = new.deployment_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_event_insert AFTER INSERT ON events
WHEN new.type = 'note' OR new.type = 'cancelled'
  OR (new.type = 'step' AND (substr(new.detail, 1, 8) = 'blocked ' OR substr(new.detail, 1, 10) = 'unblocked '))
BEGIN
    DELETE FROM search WHERE rowid = (SELECT key FROM search_source WHERE id = new.deployment_id);
    INSERT INTO search (rowid, what, notes, facets) SELECT key, what, notes, facets FROM search_source WHERE id = new.deployment_id;
END;
-- +goose StatementEnd

-- Every document again, in rowid order (FTS5 then only appends).
INSERT INTO search (rowid, what, notes, facets) SELECT key, what, notes, facets FROM search_source ORDER BY key;

-- +goose Down
DROP TRIGGER search_deployment_facets;
DROP TRIGGER search_event_insert;
DROP TRIGGER search_incident_update;
DROP TRIGGER search_incident_insert;
DROP TRIGGER search_step_note;
DROP TRIGGER search_step_insert;
DROP TRIGGER search_deployment_delete;
DROP TRIGGER search_deployment_update;
DROP TRIGGER search_deployment_insert;
DROP VIEW search_source;
DROP VIEW search_facets;
DROP TABLE search;

CREATE VIRTUAL TABLE search USING fts5(what, notes,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3', columnsize = 0);

CREATE VIEW search_source AS
SELECT d.id AS id,
    (min(max(d.scheduled_start, 0), 4294967295) - 2147483648) * 4294967296 + d.id AS key,
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
    ) AS notes
FROM deployments d;

-- +goose StatementBegin
CREATE TRIGGER search_deployment_insert AFTER INSERT ON deployments
BEGIN
    INSERT INTO search (rowid, what, notes) SELECT key, what, notes FROM search_source WHERE id = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_deployment_update
AFTER UPDATE OF id, scheduled_start, service, component, version, change_ref ON deployments
WHEN old.scheduled_start IS NOT new.scheduled_start OR old.service IS NOT new.service
  OR old.component IS NOT new.component OR old.version IS NOT new.version
  OR old.change_ref IS NOT new.change_ref OR old.id IS NOT new.id
BEGIN
    DELETE FROM search WHERE rowid = (min(max(old.scheduled_start, 0), 4294967295) - 2147483648) * 4294967296 + old.id;
    INSERT INTO search (rowid, what, notes) SELECT key, what, notes FROM search_source WHERE id = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_deployment_delete AFTER DELETE ON deployments
BEGIN
    DELETE FROM search WHERE rowid = (min(max(old.scheduled_start, 0), 4294967295) - 2147483648) * 4294967296 + old.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_step_insert AFTER INSERT ON step_runs WHEN new.note != ''
BEGIN
    DELETE FROM search WHERE rowid = (SELECT key FROM search_source WHERE id = new.deployment_id);
    INSERT INTO search (rowid, what, notes) SELECT key, what, notes FROM search_source WHERE id = new.deployment_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_step_note AFTER UPDATE OF note ON step_runs WHEN old.note IS NOT new.note
BEGIN
    DELETE FROM search WHERE rowid = (SELECT key FROM search_source WHERE id = new.deployment_id);
    INSERT INTO search (rowid, what, notes) SELECT key, what, notes FROM search_source WHERE id = new.deployment_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_incident_insert AFTER INSERT ON incidents
BEGIN
    DELETE FROM search WHERE rowid = (SELECT key FROM search_source WHERE id = new.deployment_id);
    INSERT INTO search (rowid, what, notes) SELECT key, what, notes FROM search_source WHERE id = new.deployment_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_incident_update AFTER UPDATE OF summary ON incidents WHEN old.summary IS NOT new.summary
BEGIN
    DELETE FROM search WHERE rowid = (SELECT key FROM search_source WHERE id = new.deployment_id);
    INSERT INTO search (rowid, what, notes) SELECT key, what, notes FROM search_source WHERE id = new.deployment_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_event_insert AFTER INSERT ON events
WHEN new.type = 'note' OR new.type = 'cancelled'
  OR (new.type = 'step' AND (substr(new.detail, 1, 8) = 'blocked ' OR substr(new.detail, 1, 10) = 'unblocked '))
BEGIN
    DELETE FROM search WHERE rowid = (SELECT key FROM search_source WHERE id = new.deployment_id);
    INSERT INTO search (rowid, what, notes) SELECT key, what, notes FROM search_source WHERE id = new.deployment_id;
END;
-- +goose StatementEnd

INSERT INTO search (rowid, what, notes) SELECT key, what, notes FROM search_source ORDER BY key;
