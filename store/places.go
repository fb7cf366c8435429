package store

import (
	"context"
	"time"
)

// SavePlace keeps where person's console was (see engine.SavePlace); an empty place
// forgets it.
func (q Q) SavePlace(ctx context.Context, person, place string, at time.Time) error {
	if place == "" {
		_, err := q.db.ExecContext(ctx, `DELETE FROM console_places WHERE person = ?`, person)
		return mapErr(err)
	}
	_, err := q.db.ExecContext(ctx, `INSERT INTO console_places (person, place, saved_at) VALUES (?, ?, ?)
		ON CONFLICT (person) DO UPDATE SET place = excluded.place, saved_at = excluded.saved_at`,
		person, place, at.Unix())
	return mapErr(err)
}

// Place is where person's console was, or "" when nothing is kept.
func (q Q) Place(ctx context.Context, person string) (string, error) {
	var place string
	err := q.db.QueryRowContext(ctx, `SELECT place FROM console_places WHERE person = ?`, person).Scan(&place)
	if err := mapErr(err); isNotFound(err) {
		return "", nil
	}
	return place, mapErr(err)
}
