package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// Parsing is most of what a write transaction costs: SQLite compiles each statement,
// and an insert or update with the triggers of the record and the rollups compiles
// those too (measured on a reschedule: 62% of its 3.5 ms was the parser). So the
// writer connection keeps every statement it has run, prepared, by its text, and a
// write transaction reuses them.
//
// The writer pool has one connection, which the transaction holds: a statement seen
// for the first time cannot be prepared on the pool then. It runs unprepared and is
// noted; the transaction's caller prepares what was noted once the connection is
// free again (learn), and every later transaction finds it.

// maxStmts bounds the cache: statements built for a number of arguments (IN lists)
// have many texts; past the bound, new texts simply run unprepared.
const maxStmts = 512

type stmtCache struct {
	mu   sync.Mutex
	m    map[string]*sql.Stmt
	seen map[string]bool // run unprepared, to be prepared by learn
}

func newStmtCache() *stmtCache {
	return &stmtCache{m: map[string]*sql.Stmt{}, seen: map[string]bool{}}
}

// get returns the prepared statement for query, or nil after noting it.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.m[query]; st != nil {
		return st
	}
	if len(c.m)+len(c.seen) < maxStmts && cacheable(query) {
		c.seen[query] = true
	}
	return nil
}

// cacheable: one statement (a text of several runs them all only unprepared).
func cacheable(query string) bool {
	return !strings.Contains(strings.TrimRight(strings.TrimSpace(query), ";"), ";")
}

// learn prepares on db the statements noted since the last time. A statement that
// does not prepare (it failed when it ran, too) is dropped.
func (c *stmtCache) learn(ctx context.Context, db *sql.DB) {
	c.mu.Lock()
	if len(c.seen) == 0 {
		c.mu.Unlock()
		return
	}
	seen := c.seen
	c.seen = map[string]bool{}
	c.mu.Unlock()
	for q := range seen {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if c.m[q] == nil {
			c.m[q] = st
			st = nil
		}
		c.mu.Unlock()
		if st != nil {
			_ = st.Close()
		}
	}
}

// close closes every prepared statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		_ = st.Close()
	}
	c.m, c.seen = map[string]*sql.Stmt{}, map[string]bool{}
}

// writeTx is a write transaction that runs its statements prepared where it can.
type writeTx struct {
	*sql.Tx
	c *stmtCache
}

func (w writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st := w.c.get(query)
	if st == nil {
		return w.Tx.ExecContext(ctx, query, args...)
	}
	ts := w.Tx.StmtContext(ctx, st)
	defer ts.Close()
	return ts.ExecContext(ctx, args...)
}

// QueryContext's statement stays open with its rows; the transaction's end closes it.
func (w writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st := w.c.get(query)
	if st == nil {
		return w.Tx.QueryContext(ctx, query, args...)
	}
	return w.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

func (w writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st := w.c.get(query)
	if st == nil {
		return w.Tx.QueryRowContext(ctx, query, args...)
	}
	return w.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}
