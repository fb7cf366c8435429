package cli_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"
)

// Reading never waits for a writer: while another process holds the write lock,
// list and show answer at once; a write waits the busy timeout and then says so in a
// sentence (exit 1), changing nothing.
func TestReadsDoNotWaitAndBusyWritesSaySo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.planIn("dev", "1.0", "2030-12-01 10:00")
	db, err := sql.Open("sqlite", f.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK") //nolint:errcheck // the test's own lock

	f.env = append(f.env, "FERRY_BUSY_TIMEOUT=300ms")
	if got := f.list(); len(got) != 1 {
		t.Errorf("deploy list under a writer's lock: %d deployments", len(got))
	}
	f.ok("--as", "ana", "deploy", "show", strconv.FormatInt(d.ID, 10))
	f.refused(1, []string{"database " + f.db + ": another ferry has been writing to it for more than 300ms",
		"nothing was changed"}, "--as", "ana", "step", "note", strconv.FormatInt(d.ID, 10), "1", "hello")
	f.env = append(f.env, "FERRY_BUSY_TIMEOUT=soon")
	f.refused(2, []string{"FERRY_BUSY_TIMEOUT", "positive duration"}, "--as", "ana", "deploy", "list")
}

// A database of a newer Ferry is refused with both schema numbers, before anything
// is written; files that are not Ferry databases are named in a sentence.
func TestDatabaseVersionsAreChecked(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.planIn("dev", "1.0", "2030-12-01 10:00")
	db, err := sql.Open("sqlite", f.db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (98, 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r := f.refused(1, []string{f.db, "written by a newer Ferry (schema 98); this is "}, "--as", "ana", "deploy", "list")
	if strings.Contains(r.stderr, "migrate") {
		t.Errorf("raw migration words:\n%s", r)
	}

	f.db = f.dir // a folder
	f.refused(1, []string{f.dir + " is a folder, not a database file"}, "--as", "ana", "deploy", "list")
	f.db = f.cfg // a text file
	f.refused(1, []string{f.cfg + " is not a Ferry database"}, "--as", "ana", "deploy", "list")
}
