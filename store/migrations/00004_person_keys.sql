-- +goose Up
-- SSH public keys added with `ferry people add-key`, beside the ones in config.toml.
-- The key is stored in SSH wire format, which is what a login presents.
CREATE TABLE person_keys (
    key         BLOB    PRIMARY KEY,
    person      TEXT    NOT NULL,
    line        TEXT    NOT NULL, -- as given, authorized_keys form
    fingerprint TEXT    NOT NULL,
    added_by    TEXT    NOT NULL,
    added_at    INTEGER NOT NULL
);

-- +goose Down
DROP TABLE person_keys;
