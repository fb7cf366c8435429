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

// RevokeKey refuses a key from now on, whether config lists it or it was added, and
// drops it from the added keys.
func (q Q) RevokeKey(ctx context.Context, fingerprint, person, by string, at time.Time) error {
	if _, err := q.db.ExecContext(ctx, `DELETE FROM person_keys WHERE fingerprint = ?`, fingerprint); err != nil {
		return mapErr(err)
	}
	_, err := q.db.ExecContext(ctx, `INSERT INTO revoked_keys (fingerprint, person, revoked_by, revoked_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (fingerprint) DO UPDATE SET person = excluded.person, revoked_by = excluded.revoked_by,
		revoked_at = excluded.revoked_at`, fingerprint, person, by, at.Unix())
	return mapErr(err)
}

// Unrevoke lets a revoked key in again (it was added anew).
func (q Q) Unrevoke(ctx context.Context, fingerprint string) error {
	_, err := q.db.ExecContext(ctx, `DELETE FROM revoked_keys WHERE fingerprint = ?`, fingerprint)
	return mapErr(err)
}

// RevokedKeys maps each revoked key's fingerprint to who revoked it.
func (q Q) RevokedKeys(ctx context.Context) (map[string]string, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT fingerprint, revoked_by FROM revoked_keys`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var fp, by string
		if err := rows.Scan(&fp, &by); err != nil {
			return nil, mapErr(err)
		}
		out[fp] = by
	}
	return out, mapErr(rows.Err())
}

// TouchKey notes that a key was used to log in at at.
func (q Q) TouchKey(ctx context.Context, fingerprint string, at time.Time) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO key_use (fingerprint, last_used_at) VALUES (?, ?)
		ON CONFLICT (fingerprint) DO UPDATE SET last_used_at = excluded.last_used_at`, fingerprint, at.Unix())
	return mapErr(err)
}

// KeyUses maps each key's fingerprint to when it was last used to log in.
func (q Q) KeyUses(ctx context.Context) (map[string]time.Time, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT fingerprint, last_used_at FROM key_use`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var fp string
		var at int64
		if err := rows.Scan(&fp, &at); err != nil {
			return nil, mapErr(err)
		}
		out[fp] = time.Unix(at, 0).UTC()
	}
	return out, mapErr(rows.Err())
}
