package store

import (
	"database/sql"
	"testing"
)

// TestOpenRecordIsIndexed: the scans that read many unfinished deployments (all of
// them, a suggestion's wide span) take each one's packed record from the index
// deployments_open rather than build it row by row, which is what makes them fast.
// It fails as soon as openRecord and the index's expression differ, even by a column.
func TestOpenRecordIsIndexed(t *testing.T) {
	s := openTemp(t)
	n := Neighbourhood{Environment: "test", Component: "api", Assignee: "sam"}
	wide := wideNear(n, 0, 1<<40)
	for name, c := range map[string]nearPart{
		"every unfinished deployment": {`deployments INDEXED BY deployments_open WHERE ` + notFinished, nil},
		"a suggestion's wide scan":    wide,
	} {
		if builtRecords(t, s.r, `SELECT group_concat(`+openRecord+`, char(30)) FROM `+c.from, c.args...) {
			t.Errorf("%s: the record is built for each row, not read from deployments_open", name)
		}
	}
	// The check itself: a scan by another index builds the record.
	if !builtRecords(t, s.r, `SELECT group_concat(`+openRecord+`, char(30)) FROM deployments INDEXED BY deployments_open_env
		WHERE `+notFinished+` AND environment = ?`, "test") {
		t.Fatal("a scan of deployments_open_env joins no text: the test cannot tell")
	}
}

// builtRecords reports whether SQLite's program for query joins text (||).
func builtRecords(t *testing.T, db *sql.DB, query string, args ...any) bool {
	t.Helper()
	rows, err := db.Query("EXPLAIN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns() // addr, opcode, p1, p2, p3, p4, p5, comment
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	calls := false
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		if op, _ := vals[1].(string); op == "Concat" {
			calls = true
		}
	}
	return calls
}
