-- +goose Up
-- The search rowid (see 00006 and 00007) kept the scheduled start in 32 bits of
-- unsigned seconds, so every start after 2106-02-07 had the same key prefix and
-- searches listed them out of order and paged them wrongly. Now the start takes 33
-- bits (seconds since 1970 up to the year 2242; Ferry keeps 1970-2200) and the id the
-- low 31 (ids up to 2,147,483,647):
--     key = (start - 2^32) * 2^31 + id,  id = key & 0x7FFFFFFF
-- which spans the whole signed 64-bit rowid. store/search.go (searchKey) computes the
-- same. The view and the triggers that spell the key are made again, and every
-- document is written again under its new key, in key order.
DROP TRIGGER search_deployment_update;
DROP TRIGGER search_deployment_facets;
DROP TRIGGER search_deployment_delete;
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

-- +goose StatementBegin
CREATE TRIGGER search_deployment_update
AFTER UPDATE OF id, scheduled_start, service, component, version, change_ref ON deployments
WHEN old.scheduled_start IS NOT new.scheduled_start OR old.service IS NOT new.service
  OR old.component IS NOT new.component OR old.version IS NOT new.version
  OR old.change_ref IS NOT new.change_ref OR old.id IS NOT new.id
BEGIN
    DELETE FROM search WHERE rowid = (min(max(old.scheduled_start, 0), 8589934591) - 4294967296) * 2147483648 + old.id;
    INSERT INTO search (rowid, what, notes, facets) SELECT key, what, notes, facets FROM search_source WHERE id = new.id;
END;
-- +goose StatementEnd
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
    WHERE rowid = (min(max(new.scheduled_start, 0), 8589934591) - 4294967296) * 2147483648 + new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_deployment_delete AFTER DELETE ON deployments
BEGIN
    DELETE FROM search WHERE rowid = (min(max(old.scheduled_start, 0), 8589934591) - 4294967296) * 2147483648 + old.id;
END;
-- +goose StatementEnd

-- A new table rather than DELETE: FTS5 deletes a document by reading its words
-- again, which took 40 s for 200,000 documents.
DROP TABLE search;
CREATE VIRTUAL TABLE search USING fts5(what, notes, facets,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3', columnsize = 0);
INSERT INTO search (rowid, what, notes, facets) SELECT key, what, notes, facets FROM search_source ORDER BY key;

-- +goose Down
DROP TRIGGER search_deployment_update;
DROP TRIGGER search_deployment_facets;
DROP TRIGGER search_deployment_delete;
DROP VIEW search_source;

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

DROP TABLE search;
CREATE VIRTUAL TABLE search USING fts5(what, notes, facets,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3', columnsize = 0);
INSERT INTO search (rowid, what, notes, facets) SELECT key, what, notes, facets FROM search_source ORDER BY key;
