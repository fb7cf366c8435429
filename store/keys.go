package store

import (
	"context"
	"ferry/models"
	"time"
)

// AddPersonKey stores a key; a key already stored is a conflict.
func (q Q) AddPersonKey(ctx context.Context, k models.PersonKey) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO person_keys (key, person, line, fingerprint, added_by, added_at)
		VALUES (?, ?, ?, ?, ?, ?)`, k.Key, k.Person, k.Line, k.Fingerprint, k.AddedBy, k.AddedAt.Unix())
	return mapErr(err)
}

// KeyOwner is the person an added key belongs to, or "" when nobody's.
func (q Q) KeyOwner(ctx context.Context, key []byte) (string, error) {
	var person string
	err := q.db.QueryRowContext(ctx, `SELECT person FROM person_keys WHERE key = ?`, key).Scan(&person)
	if err := mapErr(err); isNotFound(err) {
		return "", nil
	}
	return person, mapErr(err)
}

// PersonKeys lists the added keys by person, oldest first.
func (q Q) PersonKeys(ctx context.Context) ([]models.PersonKey, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT key, person, line, fingerprint, added_by, added_at
		FROM person_keys ORDER BY person, added_at`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.PersonKey
	for rows.Next() {
		var k models.PersonKey
		var at int64
		if err := rows.Scan(&k.Key, &k.Person, &k.Line, &k.Fingerprint, &k.AddedBy, &at); err != nil {
			return nil, mapErr(err)
		}
		k.AddedAt = time.Unix(at, 0).UTC()
		out = append(out, k)
	}
	return out, mapErr(rows.Err())
}
