package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"ferry/models"
)

// DefaultBusyTimeout is how long a write waits for another writer (another ferry
// process, or a server) to finish before it gives up with ErrBusy. SQLite lets
// waiting writers in by polling, not in turn, so the bound is generous: twenty
// writers hammering one file for a minute all get through (store/concurrency_test.go).
const DefaultBusyTimeout = 30 * time.Second

// ErrBusy is returned when a write waited the whole busy timeout for another writer.
var ErrBusy = errors.New("busy")

type busyError struct{ msg string }

func (b busyError) Error() string        { return b.msg }
func (b busyError) Is(target error) bool { return target == ErrBusy }

// Option adjusts how a Store is opened.
type Option func(*Store)

// BusyTimeout sets how long a write waits for another writer; 0 keeps the default.
func BusyTimeout(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.busy = d
		}
	}
}

// Loading opens a store for a bulk load into a new file (a demo), which nobody else
// uses until it is whole and which is thrown away if the load fails:
//   - its writer keeps up to 256 MB of the file's pages in memory, where an everyday
//     writer keeps SQLite's 2 MB. A load touches every index's pages again and
//     again; with the small cache each touch read the page again (the 1M demo took
//     162 s; 148 s with this);
//
// When the file is new (nothing, or empty), also:
//   - it keeps a rollback journal in memory, not the WAL, and is never synced: each
//     page is written once, not to the WAL and again into the file, and a failed
//     batch still rolls back (1M demo: 82 s, 75 s with this). A crash can leave the
//     file broken, which for such a file does not matter. Store.Fill turns the file
//     to the WAL once it is whole; it stays so;
//   - foreign keys are not checked: the loader writes every row's parent first, and
//     checking cost 6.5 s of the 1M demo's 75 (tests check the demo's rows).
func Loading() Option { return func(s *Store) { s.loading = true } }

// newFile reports whether file holds nothing yet.
func newFile(file string) bool {
	st, err := os.Stat(file)
	return errors.Is(err, os.ErrNotExist) || err == nil && st.Size() == 0
}

// writerCache is the writer's cache size setting, "" for SQLite's default.
func (s *Store) writerCache() string {
	if !s.loading {
		return ""
	}
	return "&_pragma=cache_size(-262144)" // in KiB
}

// pragmas are the settings of s's connections: those of every database, but that
// while a new file loads, its connections leave the journal as loadNew set it.
func (s *Store) pragmas(busy time.Duration) string {
	if s.loadingNew {
		return strings.Replace(pragmas(busy), "&_pragma=journal_mode(WAL)", "", 1)
	}
	return pragmas(busy)
}

// loadNew and loadDone set and undo what loading a new file changes on the writer.
// They are statements on the writer's one connection rather than settings of the
// pool, so that a connection the pool opens again after a load (as after a cancelled
// query) is an everyday one in the file's own journal, the WAL.
func (s *Store) loadNew(ctx context.Context) error {
	return execAll(ctx, s.w, "PRAGMA journal_mode = MEMORY", "PRAGMA synchronous = OFF", "PRAGMA foreign_keys = OFF")
}

func (s *Store) loadDone(ctx context.Context) error {
	var mode string
	if err := s.w.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode); err != nil {
		return s.plain(mapErr(err))
	}
	if mode != "wal" {
		return fmt.Errorf("could not turn %s to the WAL (it stays %q): is another program using it?", s.path, mode)
	}
	if err := execAll(ctx, s.w, "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON"); err != nil {
		return s.plain(mapErr(err))
	}
	s.loadingNew = false
	return nil
}

// fileURI is the URI of file for the driver, its path escaped (a '#' or '?' in a
// folder's name is part of the path).
func fileURI(file string) string { return "file:" + (&url.URL{Path: file}).EscapedPath() }

// pragmas apply to every connection; see ../shared/docs/sqlite-notes.md.
func pragmas(busy time.Duration) string {
	return fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)", busy.Milliseconds()) +
		"&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)" +
		// Pages are read from the file's memory map rather than copied in one read
		// call each: on the 1M demo a dashboard's reads spent more time in those calls
		// than in SQLite. SQLite maps at most 2 GB; beyond, it reads as before.
		"&_pragma=mmap_size(2147418112)"
}

// Open opens (creating if needed) the database at file and brings its schema up to
// date. A database whose schema is current is opened without a write, so reading
// never waits for (or fails on) a writer holding the lock; a file that cannot be
// written is opened to read. Whatever is wrong with the file is said in a sentence
// that names it.
func Open(ctx context.Context, file string, opts ...Option) (*Store, error) {
	s := &Store{path: file, busy: DefaultBusyTimeout, stmts: newStmtCache()}
	for _, o := range opts {
		o(s)
	}
	s.loadingNew = s.loading && newFile(file)
	if err := checkFile(file); err != nil {
		return nil, err
	}
	err := s.open(ctx)
	if err != nil && isReadOnly(err) {
		// A file or folder ferry may not write: read it as it stands.
		s.close()
		s.readOnly = true
		err = s.open(ctx)
	}
	if err != nil && s.readOnly && isReadOnly(err) {
		// Nor may it make the WAL's shared-memory file: read the file alone.
		s.close()
		s.immutable = true
		err = s.open(ctx)
	}
	if err != nil {
		s.close()
		return nil, s.describe(err)
	}
	return s, nil
}

// open opens the pools and, unless the schema is current, migrates.
func (s *Store) open(ctx context.Context) error {
	base := fileURI(s.path) + "?"
	var err error
	switch {
	case s.immutable:
		// Without a writable folder SQLite cannot make the WAL's shared-memory file:
		// the file is read as it is, without what a WAL left beside it may hold.
		s.r, err = sql.Open("sqlite", base+"mode=ro&immutable=1&_pragma=query_only(1)")
	case s.readOnly:
		s.r, err = sql.Open("sqlite", base+"mode=ro&_pragma=query_only(1)&"+
			fmt.Sprintf("_pragma=busy_timeout(%d)", s.busy.Milliseconds()))
	default:
		s.r, err = sql.Open("sqlite", base+s.pragmas(s.busy)+"&_pragma=query_only(1)")
	}
	if err != nil {
		return err
	}
	s.r.SetMaxOpenConns(max(4, runtime.NumCPU()))
	v, err := s.firstLook(ctx)
	if err != nil {
		return err
	}
	if err := v.check(); err != nil {
		return err
	}
	if s.readOnly {
		if !v.current() {
			return fmt.Errorf("its schema needs bringing up to date (schema %d; this is %d), but it is read-only", v.newest(), newestKnown())
		}
		return nil
	}
	// The writer does not wait inside SQLite: begin waits its turn (store.go).
	if s.w, err = sql.Open("sqlite", base+s.pragmas(0)+s.writerCache()+"&_txlock=immediate"); err != nil {
		return err
	}
	s.w.SetMaxOpenConns(1)
	if s.loadingNew {
		if err := s.loadNew(ctx); err != nil {
			return err
		}
	}
	if !v.current() {
		if err := s.migrate(ctx); err != nil {
			return err
		}
		// Events written before the records were chained get their links once.
		if err := s.linkUnlinked(ctx); err != nil {
			return fmt.Errorf("linking the record: %w", err)
		}
	}
	// The writer's statements are prepared at its first write (Write), so a process
	// that only reads spends nothing on them.
	return nil
}

// firstLook reads the schema's versions, waiting its turn like a writer: a
// connection's first read of a new file that another ferry is turning to WAL at that
// moment fails at once with "database is locked", whatever the busy timeout (one
// open in twenty, with twenty processes opening the same new file).
func (s *Store) firstLook(ctx context.Context) (versions, error) {
	start := time.Now()
	for {
		v, err := readVersions(ctx, s.r)
		if err == nil || !isBusy(err) || time.Since(start) >= s.busy {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(pollAfter(time.Since(start))):
		}
	}
}

// close closes what open opened.
func (s *Store) close() {
	s.stmts.close()
	if s.r != nil {
		_ = s.r.Close()
	}
	if s.w != nil {
		_ = s.w.Close()
	}
	s.r, s.w = nil, nil
}

// sqliteHeader starts every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// checkFile refuses what cannot be a database before SQLite says it its own way: a
// folder, a missing folder, a file that is not SQLite.
func checkFile(file string) error {
	st, err := os.Stat(file)
	switch {
	case errors.Is(err, os.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		switch dir, derr := os.Stat(filepath.Dir(file)); {
		case derr != nil:
			return fmt.Errorf("database %s: its folder %s does not exist", file, filepath.Dir(file))
		case !dir.IsDir():
			return fmt.Errorf("database %s: %s is a file, not a folder", file, filepath.Dir(file))
		}
		return nil
	case err != nil:
		return fmt.Errorf("database %s: %w", file, err)
	case st.IsDir():
		return fmt.Errorf("database %s is a folder, not a database file", file)
	case st.Size() == 0:
		return nil
	}
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("database %s cannot be read: %w", file, errors.Unwrap(err))
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteHeader) {
		return fmt.Errorf("%s is not a Ferry database (not an SQLite file at all)", file)
	}
	return nil
}

// versions is what a database says of its schema.
type versions struct {
	goose   bool    // it has the migrations table
	applied []int64 // migrations applied, in order
	tables  []string
}

// readVersions reads the tables and the applied migrations in one read transaction:
// another ferry may be migrating the same new file, and tables seen before its
// commit beside versions seen after it would look like a damaged database.
func readVersions(ctx context.Context, db *sql.DB) (v versions, err error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return v, err
	}
	defer func() { err = errors.Join(err, tx.Rollback()) }()
	return readVersionsIn(ctx, tx)
}

func readVersionsIn(ctx context.Context, db *sql.Tx) (versions, error) {
	var v versions
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return v, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return v, err
		}
		v.goose = v.goose || n == "goose_db_version"
		v.tables = append(v.tables, n)
	}
	if err := rows.Err(); err != nil || !v.goose {
		return v, err
	}
	vrows, err := db.QueryContext(ctx, `SELECT DISTINCT version_id FROM goose_db_version WHERE is_applied AND version_id > 0 ORDER BY version_id`)
	if err != nil {
		return v, err
	}
	defer vrows.Close()
	for vrows.Next() {
		var n int64
		if err := vrows.Scan(&n); err != nil {
			return v, err
		}
		v.applied = append(v.applied, n)
	}
	return v, vrows.Err()
}

// check refuses a database this build must not touch: one written by a newer Ferry
// (a migration this build does not know), or an SQLite file that is not Ferry's.
func (v versions) check() error {
	if len(v.applied) == 0 {
		others := slices.DeleteFunc(slices.Clone(v.tables), func(t string) bool { return t == "goose_db_version" })
		if len(others) > 0 {
			return fmt.Errorf("an SQLite database but not Ferry's (it has %s and no Ferry schema)", tableList(others))
		}
		return nil
	}
	known := migrationVersions()
	if len(v.applied) > 0 {
		// A Ferry database has these whatever its schema; without one it is damaged.
		for _, t := range []string{"deployments", "step_runs", "events", "model_versions"} {
			if !slices.Contains(v.tables, t) {
				return fmt.Errorf("damaged: its table %s is missing (restore it from a backup)", t)
			}
		}
	}
	for _, a := range v.applied {
		if !slices.Contains(known, a) {
			return fmt.Errorf("written by a newer Ferry (schema %d); this is %d. Nothing was changed: use that Ferry or a newer one",
				v.newest(), newestKnown())
		}
	}
	return nil
}

// current: every migration this build knows has been applied.
func (v versions) current() bool {
	for _, k := range migrationVersions() {
		if !slices.Contains(v.applied, k) {
			return false
		}
	}
	return true
}

func (v versions) newest() int64 {
	if len(v.applied) == 0 {
		return 0
	}
	return slices.Max(v.applied)
}

func newestKnown() int64 { return slices.Max(migrationVersions()) }

func tableList(t []string) string {
	if len(t) > 3 {
		return "tables " + strings.Join(t[:3], ", ") + ", …"
	}
	if len(t) == 1 {
		return "a table " + t[0]
	}
	return "tables " + strings.Join(t, ", ")
}

// sqliteCode is the primary result code of an SQLite error in err, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

func isBusy(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// migrate brings the schema up to date, waiting its turn like any writer: another
// ferry may be migrating the same file at the same moment.
func (s *Store) migrate(ctx context.Context) error {
	start := time.Now()
	before := -1
	for {
		if v, err := readVersions(ctx, s.r); err == nil {
			before = len(v.applied)
		}
		err := migrate(ctx, s.w)
		if err == nil {
			return nil
		}
		// Another ferry opening the same new file may have applied a migration
		// between this one's look at the versions and its own attempt ("table ...
		// already exists", "duplicate column"): what counts is that the schema is
		// now current. While migrations are still being applied, try again; a
		// migration that fails with nothing applied meanwhile is an error.
		v, verr := readVersions(ctx, s.r)
		if verr == nil && v.current() {
			return nil
		}
		progressed := verr == nil && len(v.applied) > before
		if (!isBusy(err) && !progressed) || time.Since(start) >= s.busy {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pollAfter(time.Since(start))):
		}
	}
}

func isReadOnly(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_READONLY || c == sqlite3.SQLITE_CANTOPEN || c == sqlite3.SQLITE_PERM
}

// describe turns what went wrong opening the file into a sentence naming it.
func (s *Store) describe(err error) error {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("%s is not a Ferry database (not an SQLite file at all)", s.path)
	case sqlite3.SQLITE_CORRUPT:
		return fmt.Errorf("database %s is damaged (%v); restore it from a backup", s.path, err)
	case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM:
		return fmt.Errorf("database %s cannot be opened: %s", s.path, whyCannotOpen(s.path))
	case sqlite3.SQLITE_BUSY:
		return s.plain(mapErr(err))
	}
	if strings.Contains(err.Error(), "no such table") || strings.Contains(err.Error(), "already exists") {
		return fmt.Errorf("database %s has a damaged or foreign schema (%v); it is not one Ferry can use", s.path, err)
	}
	return fmt.Errorf("database %s: %w", s.path, err)
}

// whyCannotOpen says why SQLite could not open path: a file that is there this user
// may not read; one that is not could not be made in its folder (as root, which may
// write anywhere, this is not met: the tests cannot show it).
func whyCannotOpen(path string) string {
	if _, err := os.Stat(path); err == nil {
		return "this user may not read it"
	}
	// checkFile has refused a missing folder already.
	return fmt.Sprintf("it does not exist, and this user may not create files in %s", filepath.Dir(path))
}

// plain turns the SQLite errors a user can meet on a write into sentences: another
// writer held the file past the busy timeout, or the file may not be written.
func (s *Store) plain(err error) error {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return busyError{fmt.Sprintf("database %s: another ferry has been writing to it for more than %s; nothing was changed, try again",
			s.path, s.busy)}
	case sqlite3.SQLITE_READONLY:
		return s.readOnlyErr()
	}
	return err
}

func (s *Store) readOnlyErr() error {
	return models.Forbiddenf("database %s is read-only: ferry can show it but not change it", s.path)
}

// ReadOnly reports whether the database was opened to read only.
func (s *Store) ReadOnly() bool { return s.readOnly }
