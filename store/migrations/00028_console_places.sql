-- +goose Up
-- Where each person's console over SSH was when their last session ended (the page
-- open, text typed into a field and not sent), so that the next session opens there
-- even after the server restarted. Not part of the record: overwritten, not audited.
CREATE TABLE console_places (
    person   TEXT    PRIMARY KEY,
    place    TEXT    NOT NULL,
    saved_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE console_places;
