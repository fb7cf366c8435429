package store

import (
	"context"
	"errors"
	"testing"
)

// A write transaction's statements are kept prepared and reused: the same text with
// other arguments gives their results, a failing statement keeps failing with its
// own error, and a text of several statements runs them all.
func TestWritesReuseTheirStatements(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	write := func(fn func(Q) error) {
		t.Helper()
		if err := s.Write(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	write(func(q Q) error {
		_, err := q.db.ExecContext(ctx, `CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)`)
		return err
	})
	const put = `INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`
	const get = `SELECT v FROM kv WHERE k = ?`
	for i := range 3 {
		write(func(q Q) error {
			if _, err := q.db.ExecContext(ctx, put, "a", i); err != nil {
				return err
			}
			var v int
			if err := q.db.QueryRowContext(ctx, get, "a").Scan(&v); err != nil || v != i {
				t.Errorf("write %d: read back %d, %v", i, v, err)
			}
			return nil
		})
	}
	if s.stmts.m[put] == nil || s.stmts.m[get] == nil {
		t.Fatalf("after three writes the statements are not kept prepared: %d kept", len(s.stmts.m))
	}
	// A column added after the statement was prepared: SQLite prepares it again.
	write(func(q Q) error {
		_, err := q.db.ExecContext(ctx, `ALTER TABLE kv ADD COLUMN note TEXT`)
		return err
	})
	write(func(q Q) error {
		_, err := q.db.ExecContext(ctx, put, "b", 7)
		return err
	})
	var n int
	if err := s.Read().db.QueryRowContext(ctx, `SELECT count(*) FROM kv`).Scan(&n); err != nil || n != 2 {
		t.Errorf("rows: %d, %v", n, err)
	}
	// A failing statement fails each time with its own error, and rolls back.
	for range 2 {
		err := s.Write(ctx, func(q Q) error {
			_, err := q.db.ExecContext(ctx, `INSERT INTO nothere VALUES (1)`)
			return err
		})
		if err == nil {
			t.Fatal("insert into a missing table succeeded")
		}
	}
	// Several statements in one text all run (unprepared).
	write(func(q Q) error {
		_, err := q.db.ExecContext(ctx, `UPDATE kv SET v = 1 WHERE k = 'a'; UPDATE kv SET v = 2 WHERE k = 'b'`)
		return err
	})
	var sum int
	if err := s.Read().db.QueryRowContext(ctx, `SELECT sum(v) FROM kv`).Scan(&sum); err != nil || sum != 3 {
		t.Errorf("after two updates in one text: sum %d, %v", sum, err)
	}
	// A statement run in a rolled-back transaction is kept too, and works after.
	errStop := errors.New("stop")
	if err := s.Write(ctx, func(q Q) error {
		_, err := q.db.ExecContext(ctx, `DELETE FROM kv WHERE k = ?`, "a")
		if err != nil {
			return err
		}
		return errStop
	}); !errors.Is(err, errStop) {
		t.Fatal(err)
	}
	write(func(q Q) error {
		_, err := q.db.ExecContext(ctx, `DELETE FROM kv WHERE k = ?`, "b")
		return err
	})
	if err := s.Read().db.QueryRowContext(ctx, `SELECT count(*) FROM kv`).Scan(&n); err != nil || n != 1 {
		t.Errorf("after the rolled-back delete of a and the delete of b: %d rows, %v", n, err)
	}
}
