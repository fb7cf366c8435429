package store

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite/vtab"
)

// A fill's documents reach FTS5 through a virtual table that reads them from a Go
// channel, fill_docs, so that one INSERT ... SELECT indexes them all as they come.
// FTS5 writes what it holds as a new segment at each statement of a transaction that
// could roll back on its own, as every multi-row INSERT could: fed 64 at a time, the
// 1M demo's documents made 16,000 segments to merge; through a temporary table, they
// held 400 MB of memory.
//
// `CREATE VIRTUAL TABLE temp.fill_docs USING ferry_feed(N)` reads the feed that
// openFeed registered as N.

const feedModule = "ferry_feed"

func init() {
	if err := vtab.RegisterModule(nil, feedModule, feedTables{}); err != nil {
		panic(fmt.Sprintf("store: registering %s: %v", feedModule, err))
	}
}

var (
	feeds    sync.Map // int64 -> <-chan []searchDoc
	lastFeed atomic.Int64
)

// openFeed registers in under a new number; closeFeed forgets it.
func openFeed(in <-chan []searchDoc) int64 {
	n := lastFeed.Add(1)
	feeds.Store(n, in)
	return n
}

func closeFeed(n int64) { feeds.Delete(n) }

type feedTables struct{}

func (feedTables) Create(ctx vtab.Context, args []string) (vtab.Table, error) {
	return connectFeed(ctx, args)
}
func (feedTables) Connect(ctx vtab.Context, args []string) (vtab.Table, error) {
	return connectFeed(ctx, args)
}

// connectFeed finds the feed named by the table's one argument (args are the
// module's name, the schema's, the table's, then the arguments).
func connectFeed(ctx vtab.Context, args []string) (vtab.Table, error) {
	if len(args) != 4 {
		return nil, fmt.Errorf("%s: want one argument, the feed's number", feedModule)
	}
	n, err := strconv.ParseInt(args[3], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s: feed %q: %w", feedModule, args[3], err)
	}
	in, ok := feeds.Load(n)
	if !ok {
		return nil, fmt.Errorf("%s: no feed %d", feedModule, n)
	}
	if err := ctx.Declare(`CREATE TABLE x (key INTEGER, what TEXT, notes TEXT, facets TEXT)`); err != nil {
		return nil, err
	}
	return feedTable{in.(<-chan []searchDoc)}, nil
}

type feedTable struct{ in <-chan []searchDoc }

func (feedTable) BestIndex(*vtab.IndexInfo) error { return nil } // read once, in order
func (t feedTable) Open() (vtab.Cursor, error)    { return &feedCursor{in: t.in}, nil }
func (feedTable) Disconnect() error               { return nil }
func (feedTable) Destroy() error                  { return nil }

// feedCursor walks the documents as they arrive; a feed can be read once.
type feedCursor struct {
	in    <-chan []searchDoc
	batch []searchDoc
	i     int
	eof   bool
}

func (c *feedCursor) Filter(int, string, []vtab.Value) error { return c.Next() }

func (c *feedCursor) Next() error {
	c.i++
	for c.i >= len(c.batch) && !c.eof {
		c.batch, c.i = nil, 0
		b, ok := <-c.in
		c.batch, c.eof = b, !ok
	}
	return nil
}

func (c *feedCursor) Eof() bool { return c.eof }

func (c *feedCursor) Column(col int) (vtab.Value, error) {
	d := &c.batch[c.i]
	switch col {
	case 0:
		return d.key, nil
	case 1:
		return d.what, nil
	case 2:
		return d.notes, nil
	case 3:
		return d.facets, nil
	}
	return nil, fmt.Errorf("%s: no column %d", feedModule, col)
}

func (c *feedCursor) Rowid() (int64, error) { return c.batch[c.i].key, nil }
func (c *feedCursor) Close() error          { return nil }
