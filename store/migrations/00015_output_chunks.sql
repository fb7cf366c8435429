-- +goose Up
-- Step output is stored a batch of lines to a row. A row a line cost a B-tree insert
-- and two index entries per line, which held ingestion near 40 MB/s; a row per batch
-- (at most a few thousand lines, about a megabyte) costs one. A line's place is (chunk
-- id, index in the chunk): its ID is id << 16 | index, increasing as before. lens
-- holds each line's length in bytes, comma-separated; errs is NULL when every line
-- went to stdout, else one character a line ('1' for stderr, '0' for stdout); at is
-- when the chunk's first line came.
CREATE TABLE step_output_chunks (
    id            INTEGER PRIMARY KEY,
    deployment_id INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    attempt       INTEGER NOT NULL,
    first_line    INTEGER NOT NULL, -- line_no of the chunk's first line
    lines         INTEGER NOT NULL CHECK (lines BETWEEN 1 AND 65536),
    at            INTEGER NOT NULL, -- unix milliseconds
    lens          TEXT    NOT NULL,
    errs          TEXT,
    text          TEXT    NOT NULL
);
CREATE INDEX step_output_chunks_deployment ON step_output_chunks (deployment_id);
CREATE INDEX step_output_chunks_step ON step_output_chunks (deployment_id, seq, attempt);
-- +goose StatementBegin
CREATE TRIGGER step_output_chunks_no_update BEFORE UPDATE ON step_output_chunks
BEGIN
    SELECT RAISE(ABORT, 'step output is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER step_output_chunks_no_delete BEFORE DELETE ON step_output_chunks
BEGIN
    SELECT RAISE(ABORT, 'step output is append-only');
END;
-- +goose StatementEnd
-- The lines stored so far move over, one to a chunk, keeping their order.
INSERT INTO step_output_chunks (id, deployment_id, seq, attempt, first_line, lines, at, lens, errs, text)
SELECT id, deployment_id, seq, attempt, line_no, 1, at, CAST(length(CAST(text AS BLOB)) AS TEXT),
       CASE stream WHEN 'err' THEN '1' END, text
FROM step_output ORDER BY id;
DROP TABLE step_output;

-- +goose Down
-- Back to a row a line; chunks of one line move back (an older Ferry cannot split
-- the longer ones, which are dropped with the table).
CREATE TABLE step_output (
    id            INTEGER PRIMARY KEY,
    deployment_id INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    attempt       INTEGER NOT NULL,
    line_no       INTEGER NOT NULL,
    stream        TEXT    NOT NULL CHECK (stream IN ('out', 'err')),
    at            INTEGER NOT NULL,
    text          TEXT    NOT NULL
);
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
INSERT INTO step_output (id, deployment_id, seq, attempt, line_no, stream, at, text)
SELECT id, deployment_id, seq, attempt, first_line, CASE errs WHEN '1' THEN 'err' ELSE 'out' END, at, text
FROM step_output_chunks WHERE lines = 1;
DROP TABLE step_output_chunks;
