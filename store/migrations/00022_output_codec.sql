-- +goose Up
-- A chunk's text may be stored compressed: codec NULL is plain text, 's2' an S2
-- block (github.com/klauspost/compress/s2) of it. Logs compress two to four times,
-- and writing fewer pages is most of what storing output costs.
ALTER TABLE step_output_chunks ADD COLUMN codec TEXT CHECK (codec IS NULL OR codec = 's2');

-- +goose Down
-- An older Ferry reads every chunk as plain text, so going back is refused (a CHECK
-- that fails) while any compressed chunk is stored.
CREATE TEMP TABLE down_guard (compressed_output_chunks INTEGER CHECK (compressed_output_chunks = 0));
INSERT INTO down_guard SELECT count(*) FROM step_output_chunks WHERE codec IS NOT NULL;
DROP TABLE down_guard;
ALTER TABLE step_output_chunks DROP COLUMN codec;
