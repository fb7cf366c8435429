package store

import (
	"database/sql"
	"errors"
	"strconv"
	"time"

	"ferry/models"
)

func isNotFound(err error) bool { return errors.Is(err, models.ErrNotFound) }

// unix stores a time as unix seconds; the zero time is NULL.
func unix(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.Unix(), Valid: true}
}

// fromUnix reads unix seconds back as UTC; NULL is the zero time.
func fromUnix(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(n.Int64, 0).UTC()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
