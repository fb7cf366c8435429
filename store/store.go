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
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

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
	busy time.Duration // how long a write waits for another writer
	// readOnly: the file (or its folder) cannot be written; it is read, and every
	// write is refused with a sentence that says why.
	readOnly   bool
	immutable  bool    // read-only, and SQLite may not even make the WAL's files
	loading    bool    // opened for a bulk load (Loading)
	loadingNew bool    // ... into a new file
	w          *sql.DB // the one writer connection
	r          *sql.DB // readers
	// basis is what report rollups are counted with; until UseBasis sets it, writes
	// mark the rollups stale instead of counting. Sessions read it concurrently.
	basis atomic.Pointer[Basis]
	// stmts are the write transactions' statements, prepared on the writer
	// connection as they are first used (see stmtcache.go).
	stmts *stmtCache
	// beforeCommit runs at the end of every write transaction (see BeforeCommit).
	beforeCommit atomic.Pointer[func(context.Context, Q) error]
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
	// Migrations are numbered by the work that adds them, not by when they land: a
	// database may have 00015 and not yet 00013. Each one stands alone, so one that
	// is missing is applied whatever came after it.
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub, goose.WithAllowOutofOrder(true))
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
	s.stmts.close()
	if s.w == nil {
		return s.r.Close()
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

// Snapshots runs fn with n read transactions on n reader connections that all see
// the same state of the database, so that one long question can be split across
// cores. Readers do not agree by themselves (each sees what was committed when it
// took its first read); holding the database's write lock while they start means no
// commit, from this process or another, lands between them. The lock is let go
// before fn runs. A read-only store cannot take the lock, so fn gets one.
func (s *Store) Snapshots(ctx context.Context, n int, fn func([]Q) error) error {
	if n <= 1 || s.readOnly {
		return s.Snapshot(ctx, func(q Q) error { return fn([]Q{q}) })
	}
	lock, err := s.begin(ctx)
	if err != nil {
		return err
	}
	qs, txs, err := s.readersAtOnce(ctx, n)
	_ = lock.Rollback() // nothing was written under it
	for _, tx := range txs {
		defer tx.Rollback() //nolint:errcheck // read transactions have nothing to keep
	}
	if err != nil {
		return err
	}
	return fn(qs)
}

// readersAtOnce begins n read transactions and takes each one's snapshot with a
// first read; on an error it returns those it began, for the caller to end.
func (s *Store) readersAtOnce(ctx context.Context, n int) ([]Q, []*sql.Tx, error) {
	qs, txs := make([]Q, 0, n), make([]*sql.Tx, 0, n)
	for range n {
		tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return nil, txs, mapErr(err)
		}
		txs = append(txs, tx)
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM sqlite_schema LIMIT 1`).Scan(&one); err != nil {
			return nil, txs, mapErr(err)
		}
		qs = append(qs, Q{db: tx, basis: s.basis.Load()})
	}
	return qs, txs, nil
}

// Write runs fn in one IMMEDIATE transaction on the writer connection: all of fn's
// changes land together or not at all.
func (s *Store) Write(ctx context.Context, fn func(Q) error) error {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer s.stmts.learn(ctx, s.w)
	q := Q{db: writeTx{tx, s.stmts}, basis: s.basis.Load()}
	err = fn(q)
	if hook := s.beforeCommit.Load(); err == nil && hook != nil {
		err = (*hook)(ctx, q)
	}
	if err != nil {
		_ = tx.Rollback()
		return s.plain(err)
	}
	return s.plain(mapErr(tx.Commit()))
}

// Try runs fn in a write transaction as Write does, the hook before commit included,
// and then rolls it back whatever fn did: what a change would come to, for a preview
// that needs the rows it would write (a release's deployments waiting one for the
// other). It holds the write lock for as long as fn runs.
func (s *Store) Try(ctx context.Context, fn func(Q) error) error {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer s.stmts.learn(ctx, s.w)
	defer tx.Rollback() //nolint:errcheck // nothing of it is kept, by design
	q := Q{db: writeTx{tx, s.stmts}, basis: s.basis.Load()}
	err = fn(q)
	if hook := s.beforeCommit.Load(); err == nil && hook != nil {
		err = (*hook)(ctx, q)
	}
	return s.plain(err)
}

// begin starts a write transaction, waiting up to the busy timeout for another
// writer (this process's or another's) to finish.
//
// SQLite lets waiting writers in by whoever polls first after the lock is released,
// so with its own busy handler a writer can lose to newcomers again and again: 4 in
// 800 writes of twenty ferry processes gave up after 5 s. Here the writer connection
// does not wait inside SQLite; begin polls, and the longer a writer has waited the
// more often it polls, so the oldest waiter is nearly always the next one in.
func (s *Store) begin(ctx context.Context) (*sql.Tx, error) {
	if s.readOnly {
		return nil, s.readOnlyErr()
	}
	start := time.Now()
	for {
		tx, err := s.w.BeginTx(ctx, nil)
		if err == nil {
			return tx, nil
		}
		waited := time.Since(start)
		if !isBusy(err) || waited >= s.busy {
			return nil, s.plain(mapErr(err))
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pollAfter(waited)):
		}
	}
}

// pollAfter is how long a writer that has waited so long sleeps before it tries
// again: 50 ms at first, down to 1 ms after a second.
func pollAfter(waited time.Duration) time.Duration {
	return max(time.Millisecond, 50*time.Millisecond/(1+waited/(20*time.Millisecond)))
}

// BeforeCommit sets what every write transaction does last, before it commits: the
// engine keeps its stored conclusions (the conflicts) current there, in the same
// transaction as the change, whoever made it.
func (s *Store) BeforeCommit(fn func(context.Context, Q) error) { s.beforeCommit.Store(&fn) }

// Optimize lets SQLite refresh its query planner statistics; cheap, call now and then.
func (s *Store) Optimize(ctx context.Context) error {
	if s.readOnly {
		return nil
	}
	_, err := s.w.ExecContext(ctx, "PRAGMA optimize")
	return err
}

// querier is what *sql.DB and *sql.Tx have in common.
// execAll runs stmts on db one after the other, stopping at the first that fails.
func execAll(ctx context.Context, db querier, stmts ...string) error {
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

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
