// Package store keeps Ferry's records in a SQLite file (modernc.org/sqlite, no cgo).
//
// Writes go through one connection and begin IMMEDIATE, so concurrent writers queue
// instead of failing with SQLITE_BUSY; reads use a separate pool. The caller owns
// transactions: engine code calls Write with a function that does all of one change.
package store

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"ferry/models"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is an open Ferry database.
type Store struct {
	path string
	w    *sql.DB // the one writer connection
	r    *sql.DB // readers
	// basis is what report rollups are counted with; until UseBasis sets it, writes
	// mark the rollups stale instead of counting. Sessions read it concurrently.
	basis atomic.Pointer[Basis]
	// stmts are statements prepared on the writer connection (preparedSQL), by text,
	// at the first write: a process that only reads never opens the writer connection.
	stmts    map[string]*sql.Stmt
	prepared sync.Once
	// beforeCommit runs at the end of every write transaction (see BeforeCommit).
	beforeCommit atomic.Pointer[func(context.Context, Q) error]
}

// prepare prepares the hot statements of write transactions on the writer pool;
// database/sql keeps them on its one connection and prepares them again should it
// be replaced. Should preparing fail, writes run the statements unprepared.
func (s *Store) prepare(ctx context.Context) {
	s.prepared.Do(func() {
		stmts := map[string]*sql.Stmt{}
		for _, q := range preparedSQL {
			st, err := s.w.PrepareContext(ctx, q)
			if err != nil {
				return
			}
			stmts[q] = st
		}
		s.stmts = stmts
	})
}

// stmt is a statement to run with q: the prepared one, bound to q's transaction,
// or q itself (reads, or a store without prepared statements).
type stmt interface {
	ExecContext(ctx context.Context, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, args ...any) *sql.Row
}

type unprepared struct {
	db    querier
	query string
}

func (u unprepared) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return u.db.ExecContext(ctx, u.query, args...)
}

func (u unprepared) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return u.db.QueryRowContext(ctx, u.query, args...)
}

func (q Q) prepared(ctx context.Context, query string) stmt {
	if q.tx != nil && q.stmts != nil {
		if st, ok := q.stmts[query]; ok {
			return q.tx.StmtContext(ctx, st)
		}
	}
	return unprepared{q.db, query}
}

// pragmas apply to every connection; see ../shared/docs/sqlite-notes.md.
const pragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)"

// Open opens (creating if needed) the database at path and brings its schema up to date.
func Open(ctx context.Context, file string) (*Store, error) {
	base := "file:" + (&url.URL{Path: file}).EscapedPath() + "?" + pragmas
	w, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", file, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", file, err)
	}
	r.SetMaxOpenConns(max(4, runtime.NumCPU()))
	// A database whose schema is current is opened without a write, so that reading
	// never waits for (or fails on) a writer holding the lock.
	if current, err := schemaCurrent(ctx, r); err != nil || !current {
		if err == nil {
			err = migrate(ctx, w)
		}
		if err != nil {
			r.Close()
			w.Close()
			return nil, fmt.Errorf("open %s: %w", file, err)
		}
		// Events written before the records were chained get their links once.
		s := &Store{path: file, w: w, r: r}
		if err := s.linkUnlinked(ctx); err != nil {
			s.Close()
			return nil, fmt.Errorf("open %s: linking the record: %w", file, err)
		}
		return s, nil
	}
	return &Store{path: file, w: w, r: r}, nil
}

// schemaCurrent reports whether every migration this build knows has been applied,
// reading only. A database without the version table is not current.
func schemaCurrent(ctx context.Context, db *sql.DB) (bool, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`).
		Scan(&n); err != nil || n == 0 {
		return false, err
	}
	rows, err := db.QueryContext(ctx, `SELECT version_id FROM goose_db_version WHERE is_applied AND version_id > 0`)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return false, err
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return false, err
	}
	for _, v := range migrationVersions() {
		if !applied[v] {
			return false, nil
		}
	}
	return true, nil
}

// migrationVersions are the versions of the embedded migrations, in order.
func migrationVersions() []int64 {
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	var out []int64
	for _, n := range names {
		if v, err := strconv.ParseInt(strings.SplitN(path.Base(n), "_", 2)[0], 10, 64); err == nil {
			out = append(out, v)
		}
	}
	return out
}

func migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	return nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes both pools.
func (s *Store) Close() error {
	for _, st := range s.stmts {
		_ = st.Close()
	}
	return errors.Join(s.r.Close(), s.w.Close())
}

// Read returns queries over the reader pool.
func (s *Store) Read() Q { return Q{db: s.r, basis: s.basis.Load()} }

// Snapshot runs fn in one read transaction on the reader pool: every query fn makes
// sees the database as it was at its first read, whatever writers do meanwhile, and
// nothing waits for a writer (WAL).
func (s *Store) Snapshot(ctx context.Context, fn func(Q) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback() //nolint:errcheck // a read transaction has nothing to keep
	return fn(Q{db: tx, basis: s.basis.Load()})
}

// Write runs fn in one IMMEDIATE transaction on the writer connection: all of fn's
// changes land together or not at all.
func (s *Store) Write(ctx context.Context, fn func(Q) error) error {
	s.prepare(ctx)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	q := Q{db: tx, basis: s.basis.Load(), tx: tx, stmts: s.stmts}
	err = fn(q)
	if hook := s.beforeCommit.Load(); err == nil && hook != nil {
		err = (*hook)(ctx, q)
	}
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	return mapErr(tx.Commit())
}

// BeforeCommit sets what every write transaction does last, before it commits: the
// engine keeps its stored conclusions (the conflicts) current there, in the same
// transaction as the change, whoever made it.
func (s *Store) BeforeCommit(fn func(context.Context, Q) error) { s.beforeCommit.Store(&fn) }

// Optimize lets SQLite refresh its query planner statistics; cheap, call now and then.
func (s *Store) Optimize(ctx context.Context) error {
	_, err := s.w.ExecContext(ctx, "PRAGMA optimize")
	return err
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Q runs queries on a reader pool or inside a write transaction.
type Q struct {
	db    querier
	basis *Basis // nil: do not count rollups (see reroll)
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

// mapErr turns SQLite errors into domain errors the callers can test with errors.Is.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return models.NotFoundf("not found")
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %s", models.ErrConflict, se.Error())
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: refers to a record that does not exist", models.ErrInvalid)
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_TRIGGER:
			return fmt.Errorf("%w: %s", models.ErrInvalid, se.Error())
		}
	}
	return err
}

// SchemaKey names the schema this build migrates to: a hash of its migrations.
// Benchmarks key their cached databases with it.
func SchemaKey() string {
	h := sha1.New()
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	for _, n := range names { // Glob sorts
		data, _ := migrations.ReadFile(n)
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:10]
}
