package store

import (
	"context"
	"database/sql"
	"errors"
)

// A fill indexes every document in one statement with FTS5's hash big enough to hold
// them all (fillHash), so the index is written once, as one segment, with no merges
// (the 1M demo: 53 s, against 57 s with 64 MB and the merges). FTS5 puts a new
// segment on level 0, where every later write adds its own small one; there FTS5
// would soon merge the big one with them, in steps at first and then, when level 0
// holds 16 segments, in one go inside somebody's write (planning one deployment
// into the 1M demo took 50 ms instead of 7). So the fill moves its segment up to the
// level FTS5's own merges would have carried it to: a segment of P pages, made of
// writes of one page merged four at a time, sits on level log4(P).
//
// The move rewrites the index's structure record (search_data row 10; its format is
// FTS5's, fts5_index.c: a cookie, then varints: levels, segments, writes, and for
// each level its merge count, its segments and each segment's id and first and last
// page). It is done only for an index of exactly one segment on level 0, which is
// what a fill leaves, and through a connection of its own, so that every other
// connection, the writer too, reads the new structure rather than one it keeps.

// fillHash is the FTS5 hash size a fill indexes with: 1 GB, more than a million
// deployments' documents need, so that they stay in memory until the one write.
const fillHash = 1 << 30

// liftSegment moves the index's one segment from level 0 to where merges would have
// put it; any other structure is left as it is.
func (s *Store) liftSegment(ctx context.Context) error {
	db, err := sql.Open("sqlite", fileURI(s.path)+"?"+pragmas(s.busy))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback() //nolint:errcheck // committed below when there is something to keep
	var block []byte
	if err := tx.QueryRowContext(ctx, `SELECT block FROM search_data WHERE id = 10`).Scan(&block); err != nil {
		return mapErr(err)
	}
	lifted, ok := liftedStructure(block)
	if !ok {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE search_data SET block = ? WHERE id = 10`, lifted); err != nil {
		return mapErr(err)
	}
	return mapErr(tx.Commit())
}

// liftedStructure is the structure record b with its one segment moved from level 0
// to level log4(its pages), or false when b is not one segment on level 0.
func liftedStructure(b []byte) ([]byte, bool) {
	if len(b) < 8 || string(b[4:8]) == "\xff\x00\x00\x01" { // FTS5's version 2 record: left as it is
		return nil, false
	}
	r := varintReader{b: b, i: 4}
	levels, segments, writes := r.next(), r.next(), r.next()
	merging, onLevel0 := r.next(), r.next()
	id, first, last := r.next(), r.next(), r.next()
	if r.err != nil || r.i != len(b) || levels != 1 || segments != 1 || merging != 0 || onLevel0 != 1 || last < first {
		return nil, false
	}
	level := uint64(0)
	for pages := last - first + 1; pages >= 4 && level < 63; pages /= 4 {
		level++
	}
	if level == 0 {
		return nil, false
	}
	out := append([]byte(nil), b[:4]...)
	out = appendVarint(out, level+1)
	out = appendVarint(out, 1)
	out = appendVarint(out, writes)
	for range level {
		out = append(out, 0, 0) // no merge, no segment
	}
	out = append(out, 0, 1)
	for _, v := range []uint64{id, first, last} {
		out = appendVarint(out, v)
	}
	return out, true
}

// varintReader reads SQLite's varints: big-endian, seven bits a byte, the ninth byte
// whole.
type varintReader struct {
	b   []byte
	i   int
	err error
}

func (r *varintReader) next() uint64 {
	var v uint64
	for n := 0; n < 9; n++ {
		if r.i >= len(r.b) {
			r.err = errors.New("structure record ends in a varint")
			return 0
		}
		c := r.b[r.i]
		r.i++
		if n == 8 {
			return v<<8 | uint64(c)
		}
		v = v<<7 | uint64(c&0x7f)
		if c&0x80 == 0 {
			return v
		}
	}
	return v
}

// appendVarint appends v as SQLite's varint.
func appendVarint(b []byte, v uint64) []byte {
	if v > 1<<56-1 { // nine bytes: the last holds eight bits
		var buf [9]byte
		buf[8] = byte(v)
		v >>= 8
		for i := 7; i >= 0; i-- {
			buf[i] = byte(v&0x7f) | 0x80
			v >>= 7
		}
		return append(b, buf[:]...)
	}
	var buf [8]byte
	i := len(buf) - 1
	buf[i] = byte(v & 0x7f)
	for v >>= 7; v > 0; v >>= 7 {
		i--
		buf[i] = byte(v&0x7f) | 0x80
	}
	return append(b, buf[i:]...)
}
