package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"ferry/models"
)

// holdWriteLock begins a write on s and keeps it open until the test releases it;
// it returns once the lock is held.
func holdWriteLock(t *testing.T, s *Store) (release func()) {
	t.Helper()
	held, done, finished := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		finished <- s.Write(context.Background(), func(q Q) error {
			if _, err := q.db.ExecContext(context.Background(), `UPDATE rollup_basis SET stale = stale`); err != nil {
				return err
			}
			close(held)
			<-done
			return nil
		})
	}()
	select {
	case <-held:
	case err := <-finished:
		t.Fatal(err)
	}
	var once bool
	release = func() {
		if !once {
			once = true
			close(done)
			if err := <-finished; err != nil {
				t.Error(err)
			}
		}
	}
	t.Cleanup(release)
	return release
}

func TestOpenAndReadWhileAnotherWriterHoldsTheLock(t *testing.T) {
	a := openTemp(t)
	m, mvid := syncModel(t, a, testModel())
	plan(t, a, m, mvid, "test", t0)
	holdWriteLock(t, a)

	// A second process's view: its own pools on the same file.
	b, err := Open(context.Background(), a.Path(), BusyTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatalf("opening a current database while a writer holds the lock: %v", err)
	}
	defer b.Close()
	if _, err := b.Read().Deployment(context.Background(), 1); err != nil {
		t.Fatalf("reading while a writer holds the lock: %v", err)
	}
}

func TestAWriteThatWaitsTooLongSaysSoPlainly(t *testing.T) {
	a := openTemp(t)
	holdWriteLock(t, a)
	b, err := Open(context.Background(), a.Path(), BusyTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Write(context.Background(), func(q Q) error { return q.markStale(context.Background()) })
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("err = %v, want ErrBusy", err)
	}
	msg := err.Error()
	for _, want := range []string{a.Path(), "another ferry", "100ms", "nothing was changed"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "SQLITE") || strings.Contains(msg, "(5)") {
		t.Errorf("message %q shows SQLite's own words", msg)
	}
}

func TestOpeningADatabaseOfANewerFerryIsRefusedUntouched(t *testing.T) {
	s := openTemp(t)
	file := s.Path()
	s.Close()
	raw, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatal(err)
	}
	// A newer Ferry applied a migration this build does not have.
	if _, err := raw.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99, 1); PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}

	_, err = Open(context.Background(), file)
	want := fmt.Sprintf("written by a newer Ferry (schema 99); this is %d", newestKnown())
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), file) {
		t.Fatalf("err = %v, want it to name %s and say %q", err, file, want)
	}
	after, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the refused database was written to")
	}
	if wal, err := os.Stat(file + "-wal"); err == nil && wal.Size() > 0 {
		t.Errorf("the refused database has %d bytes of new WAL", wal.Size())
	}
}

func TestWhatIsNotAFerryDatabaseIsSaidInASentence(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	noise := make([]byte, 5000)
	rand.Read(noise)
	if err := os.WriteFile(garbage, noise, 0o644); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder.db")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "foreign.db")
	raw, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE invoices (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	missing := filepath.Join(dir, "no-such-folder", "ferry.db")
	damaged := filepath.Join(dir, "damaged.db")
	s, err := Open(context.Background(), damaged)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw, err = sql.Open("sqlite", damaged)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`PRAGMA foreign_keys = OFF; DROP TABLE step_runs`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	for _, c := range []struct{ file, says string }{
		{garbage, "not a Ferry database (not an SQLite file at all)"},
		{folder, "is a folder, not a database file"},
		{foreign, "an SQLite database but not Ferry's (it has a table invoices"},
		{missing, "its folder " + filepath.Dir(missing) + " does not exist"},
		{filepath.Join(garbage, "x.db"), garbage + " is a file, not a folder"},
		{damaged, "damaged: its table step_runs is missing"},
	} {
		_, err := Open(context.Background(), c.file)
		if err == nil {
			t.Errorf("%s: opened", c.file)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, c.file) || !strings.Contains(msg, c.says) {
			t.Errorf("%s: %q, want it to name the file and say %q", filepath.Base(c.file), msg, c.says)
		}
		for _, raw := range []string{"(26)", "(14)", "unable to open", "SQL logic", "no such table", "failed to initialize"} {
			if strings.Contains(msg, raw) {
				t.Errorf("%s: %q shows SQLite's words %q", filepath.Base(c.file), msg, raw)
			}
		}
	}
	// The foreign database was not given Ferry's tables.
	raw, _ = sql.Open("sqlite", foreign)
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the foreign database has %d tables (%v), want its 1", n, err)
	}
}

// A database that has every migration but 00013 (it was made before 00013 landed,
// with 00015 already in) is brought up to date, and its search lists in order.
func TestAMissingLowerMigrationIsApplied(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.db")
	sub := migrationFiles(t)
	without := fstest.MapFS{}
	names, _ := fs.Glob(sub, "*.sql")
	for _, n := range names {
		if !strings.HasPrefix(n, "00013_") {
			data, _ := fs.ReadFile(sub, n)
			without[n] = &fstest.MapFile{Data: data}
		}
	}
	p, db := providerOf(t, path, without)
	if _, err := p.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("opening a database without 00013: %v", err)
	}
	defer s.Close()
	m, mvid := syncModel(t, s, testModel())
	late := plan(t, s, m, mvid, "test", time.Date(2150, 1, 1, 0, 0, 0, 0, time.UTC))
	early := plan(t, s, m, mvid, "test", time.Date(2120, 1, 1, 0, 0, 0, 0, time.UTC))
	got, err := s.Read().Deployments(context.Background(), models.Filter{Search: "svc", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != late || got[1].ID != early {
		t.Fatalf("search after the migration: %+v", got)
	}
}

// Twenty processes that open the same new file at once all get a current schema:
// one migrates, the others wait or find it done (they used to fail with "table ...
// already exists" when two applied the same migration).
func TestManyFirstOpensAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.db")
	errs := make(chan error, 20)
	for range 20 {
		go func() {
			s, err := Open(context.Background(), path)
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// Readers map the file instead of copying each page in a read call; only a store
// opened for a bulk load gives its writer a cache of 256 MB.
func TestConnectionSettings(t *testing.T) {
	ctx := context.Background()
	setting := func(db *sql.DB, pragma string) int64 {
		t.Helper()
		var n int64
		if err := db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	s := openTemp(t)
	if got := setting(s.r, "mmap_size"); got < 1<<30 {
		t.Errorf("readers' mmap_size %d", got)
	}
	if got := setting(s.w, "cache_size"); got != -2000 {
		t.Errorf("an everyday writer's cache_size %d, want SQLite's -2000", got)
	}
	l, err := Open(ctx, filepath.Join(t.TempDir(), "load.db"), Loading())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got := setting(l.w, "cache_size"); got != -262144 {
		t.Errorf("a loading writer's cache_size %d, want -262144 (256 MB)", got)
	}
	mode := func(db *sql.DB) string {
		var m string
		if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m, sync, fk := mode(l.w), setting(l.w, "synchronous"), setting(l.w, "foreign_keys"); m != "memory" || sync != 0 || fk != 0 {
		t.Errorf("loading a new file: journal %s, synchronous %d, foreign keys %d; want memory, 0, 0", m, sync, fk)
	}
	if err := l.Fill(ctx, Basis{Location: time.UTC}, func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	if m, sync, fk := mode(l.w), setting(l.w, "synchronous"), setting(l.w, "foreign_keys"); m != "wal" || sync != 1 || fk != 1 {
		t.Errorf("after the fill: journal %s, synchronous %d, foreign keys %d; want wal, 1 (normal), 1", m, sync, fk)
	}
}
