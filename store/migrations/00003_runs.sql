-- +goose Up
-- Running deployments: who holds the run, every attempt of every automated step, and
-- the output those attempts wrote. step_runs stays as it is (lean); everything a run
-- produces lives here.

-- A lease per deployment: while a runner works on a deployment it holds this row and
-- renews expires_at every few seconds. Another runner may take the deployment only
-- once the lease has expired (or its holder, on the same machine, is gone).
CREATE TABLE leases (
    deployment_id INTEGER PRIMARY KEY REFERENCES deployments (id),
    holder        TEXT    NOT NULL, -- unique per runner: host:pid:nonce
    host          TEXT    NOT NULL,
    boot_id       TEXT    NOT NULL, -- the host's boot, so a pid is only trusted within it
    pid           INTEGER NOT NULL,
    actor         TEXT    NOT NULL, -- the person the run acts for
    acquired_at   INTEGER NOT NULL, -- unix milliseconds
    expires_at    INTEGER NOT NULL  -- unix milliseconds
);

-- One row per attempt of an automated step (retries, resumes and re-runs each add one).
-- seq is the step's position in Model.StepsFor(environment); on-failure steps follow
-- them: seq = steps_total + position in Model.OnFailureFor(environment).
CREATE TABLE step_attempts (
    deployment_id INTEGER NOT NULL REFERENCES deployments (id),
    seq           INTEGER NOT NULL,
    attempt       INTEGER NOT NULL, -- from 1
    status        TEXT    NOT NULL CHECK (status IN ('running', 'done', 'failed', 'interrupted')),
    holder        TEXT    NOT NULL, -- the lease holder that ran it
    host          TEXT    NOT NULL,
    boot_id       TEXT    NOT NULL,
    pgid          INTEGER NOT NULL DEFAULT 0, -- process group of the command, 0 for built-in checks
    pgid_start    INTEGER NOT NULL DEFAULT 0, -- its leader's start time (clock ticks since boot)
    started_at    INTEGER NOT NULL, -- unix milliseconds
    finished_at   INTEGER,
    exit_code     INTEGER,
    lines         INTEGER NOT NULL DEFAULT 0,
    bytes         INTEGER NOT NULL DEFAULT 0,
    detail        TEXT    NOT NULL DEFAULT '', -- why it failed: "exit 1", "timed out after 10m" ...
    PRIMARY KEY (deployment_id, seq, attempt)
) WITHOUT ROWID;
-- Start-up recovery looks only for attempts still marked running.
CREATE INDEX step_attempts_running ON step_attempts (deployment_id) WHERE status = 'running';

-- Output of automated steps, one row per line, appended as it arrives and never
-- changed. The rowid orders lines in time, so "lines after id X" follows new output.
-- No foreign key here: the attempt row (which has one) is written before any line,
-- and a lookup per line would slow down ingesting large outputs.
CREATE TABLE step_output (
    id            INTEGER PRIMARY KEY,
    deployment_id INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    attempt       INTEGER NOT NULL,
    line_no       INTEGER NOT NULL, -- from 1 within the attempt, stdout and stderr together
    stream        TEXT    NOT NULL CHECK (stream IN ('out', 'err')),
    at            INTEGER NOT NULL, -- unix milliseconds
    text          TEXT    NOT NULL
);
-- Each index ends with the rowid: a deployment's lines in order, and one step's lines
-- in order (attempt by attempt), both also from a given id on.
CREATE INDEX step_output_deployment ON step_output (deployment_id);
CREATE INDEX step_output_step ON step_output (deployment_id, seq);
-- +goose StatementBegin
CREATE TRIGGER step_output_no_update BEFORE UPDATE ON step_output
BEGIN
    SELECT RAISE(ABORT, 'step output is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER step_output_no_delete BEFORE DELETE ON step_output
BEGIN
    SELECT RAISE(ABORT, 'step output is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE step_output;
DROP TABLE step_attempts;
DROP TABLE leases;
