package store

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
)

// migrationProvider opens the database file at path as goose sees it, with every
// migration Ferry has: a test brings it up (or down) to the one it needs.
func migrationProvider(t *testing.T, path string) (*goose.Provider, *sql.DB) {
	t.Helper()
	return providerOf(t, path, migrationFiles(t))
}

// migrationFiles is Ferry's migrations, as goose reads them.
func migrationFiles(t *testing.T) fs.FS {
	t.Helper()
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// providerOf opens the database file at path as goose sees it, with the
// migrations in files.
func providerOf(t *testing.T, path string, files fs.FS) (*goose.Provider, *sql.DB) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, files)
	if err != nil {
		t.Fatal(err)
	}
	return p, db
}

// oldDatabase makes the database at path as a Ferry of migration version left it,
// for a test to fill before the Ferry of now opens it; the caller closes it.
func oldDatabase(t *testing.T, path string, version int64) *sql.DB {
	t.Helper()
	p, db := migrationProvider(t, path)
	if _, err := p.UpTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return db
}

// migrated is the database a Ferry of migration version left with what statements
// put in it, opened by the Ferry of now (which brings it up to date); closed when the
// test ends.
func migrated(t *testing.T, version int64, statements ...string) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db := oldDatabase(t, path, version)
	for _, q := range statements {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
