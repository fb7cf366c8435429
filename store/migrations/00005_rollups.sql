-- +goose Up
-- Report rollups: live SQL over years of history is too slow for reports (686 ms for
-- an all-time monthly report on 1M deployments), so every change to a deployment also
-- updates these counters in the same transaction. A test recomputes them from the raw
-- rows and compares.
--
-- One row per local day (the organisation's time zone) and deployment group. Each
-- counter is counted on its own day, named in its comment:
--   scheduled: the day of the planned start;  requested: the day it was created;
--   closed: the day it finished or was cancelled;  done: the day it finished
--   (succeeded, failed or rolled back);  restored: the day an outage ended (see
--   outages), under the group of the deployment that began it.
CREATE TABLE rollup_days (
    day           INTEGER NOT NULL, -- local date as YYYYMMDD
    week          INTEGER NOT NULL, -- the Monday of its ISO week, YYYYMMDD
    environment   TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    model_version INTEGER NOT NULL,
    service       TEXT    NOT NULL,
    deployments   INTEGER NOT NULL DEFAULT 0, -- scheduled
    succeeded     INTEGER NOT NULL DEFAULT 0, -- scheduled, status now succeeded
    failed        INTEGER NOT NULL DEFAULT 0, -- scheduled
    rolled_back   INTEGER NOT NULL DEFAULT 0, -- scheduled
    cancelled     INTEGER NOT NULL DEFAULT 0, -- scheduled
    started       INTEGER NOT NULL DEFAULT 0, -- scheduled, has started
    on_time       INTEGER NOT NULL DEFAULT 0, -- scheduled, started within the tolerance
    adherent      INTEGER NOT NULL DEFAULT 0, -- scheduled, on time and finished inside its window
    incidents     INTEGER NOT NULL DEFAULT 0, -- scheduled, incidents linked
    with_incident INTEGER NOT NULL DEFAULT 0, -- scheduled, deployments with at least one incident
    requested     INTEGER NOT NULL DEFAULT 0, -- requested
    closed        INTEGER NOT NULL DEFAULT 0, -- closed
    done          INTEGER NOT NULL DEFAULT 0, -- done
    done_ok       INTEGER NOT NULL DEFAULT 0, -- done, succeeded
    done_bad      INTEGER NOT NULL DEFAULT 0, -- done, failed, rolled back or with an incident
    lead_hist     TEXT    NOT NULL DEFAULT '', -- done: lead times as "bucket:count ..."
    restores      INTEGER NOT NULL DEFAULT 0,  -- restored: outages ended
    restore_hist  TEXT    NOT NULL DEFAULT '', -- restored: times to restore, as lead_hist
    PRIMARY KEY (day, environment, model, model_version, service)
) WITHOUT ROWID;

-- Outages for time to restore: from the first failed or rolled-back deployment of a
-- component in an environment to the next successful one there.
CREATE TABLE outages (
    id            INTEGER PRIMARY KEY,
    component     TEXT    NOT NULL,
    environment   TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    model_version INTEGER NOT NULL,
    service       TEXT    NOT NULL,
    failed_id     INTEGER NOT NULL REFERENCES deployments (id),
    failed_at     INTEGER NOT NULL,
    restored_id   INTEGER REFERENCES deployments (id),
    restored_at   INTEGER
);
CREATE UNIQUE INDEX outages_open ON outages (component, environment) WHERE restored_at IS NULL;
CREATE INDEX outages_restored ON outages (restored_at);

-- What the rollups were counted with. When the time zone or the adherence tolerance
-- in config changes, or a bulk load bypassed the counters, they are rebuilt.
CREATE TABLE rollup_basis (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    time_zone  TEXT    NOT NULL,
    tolerance  INTEGER NOT NULL, -- seconds
    stale      INTEGER NOT NULL DEFAULT 0
);
-- Existing databases start stale, so the first engine to open them counts everything.
INSERT INTO rollup_basis (one, time_zone, tolerance, stale) VALUES (1, '', 0, 1);

-- +goose Down
DROP TABLE rollup_basis;
DROP TABLE outages;
DROP TABLE rollup_days;
