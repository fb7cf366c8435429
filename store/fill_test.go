package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ferry/models"
)

// A fill leaves what batch-by-batch bulk loads leave: the same search documents and
// rollups, the same waiting reviews, every trigger back, and a store whose next
// writes keep the index as usual.
func TestFillLeavesWhatBatchesWould(t *testing.T) {
	ctx := context.Background()
	basis := Basis{Location: time.UTC, Tolerance: 15 * time.Minute}
	plain := openTemp(t)
	_, mvid := syncModel(t, plain, testModel())
	bulkLoad(t, plain, mvid, 1, 101)
	bulkLoad(t, plain, mvid, 201, 50)
	badlyEnded(t, plain, mvid, 251)
	if err := plain.UseBasis(ctx, basis); err != nil {
		t.Fatal(err)
	}

	filled, err := Open(ctx, filepath.Join(t.TempDir(), "filled.db"), Loading()) // new, as ferry demo fills it
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { filled.Close() })
	_, fmvid := syncModel(t, filled, testModel())
	if err := filled.Fill(ctx, basis, func() error {
		bulkLoad(t, filled, fmvid, 1, 101)
		bulkLoad(t, filled, fmvid, 201, 50)
		badlyEnded(t, filled, fmvid, 251)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := filled.UseBasis(ctx, basis); err != nil {
		t.Fatal(err)
	}
	for _, query := range []string{
		`SELECT group_concat(rowid || '|' || what || '|' || notes || '|' || facets, char(10)) FROM (SELECT rowid AS rowid, what, notes, facets FROM search ORDER BY rowid)`,
		`SELECT group_concat(deployment_id, ',') FROM (SELECT deployment_id FROM reviews_due ORDER BY 1)`,
		`SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name)`,
		`SELECT stale FROM rollup_basis`,
	} {
		if got, want := one(t, filled, query), one(t, plain, query); got != want || want == "" {
			t.Errorf("%s:\nfilled %.300q\n plain %.300q", query, got, want)
		}
	}
	if diffs, err := filled.Read().RollupDiffs(ctx); err != nil || len(diffs) > 0 {
		t.Errorf("rollups after the fill differ from a recount: %v %v", diffs, err)
	}
	bulkLoad(t, filled, fmvid, 301, 1) // after the fill: indexed batch by batch again
	if got := one(t, filled, `SELECT count(*) FROM search WHERE rowid = (SELECT key FROM search_source WHERE id = 301)`); got != "1" {
		t.Errorf("a deployment loaded after the fill has %s documents, want 1", got)
	}
}

// A fill is for a new database: one with deployments is refused, and left as it was.
func TestFillRefusesADatabaseWithDeployments(t *testing.T) {
	s := openTemp(t)
	_, mvid := syncModel(t, s, testModel())
	bulkLoad(t, s, mvid, 1, 3)
	ran := false
	err := s.Fill(context.Background(), Basis{Location: time.UTC}, func() error { ran = true; return nil })
	if !errors.Is(err, models.ErrInvalid) || ran {
		t.Fatalf("Fill on a database with deployments: %v, ran %v; want it refused before the load", err, ran)
	}
	if got := one(t, s, `SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search\_%' ESCAPE '\'`); got == "0" {
		t.Error("the refused fill set the search triggers aside")
	}
}

// badlyEnded loads three deployments from id first that failed or rolled back, the
// last with its review.
func badlyEnded(t *testing.T, s *Store, mvid int64, first int64) {
	t.Helper()
	err := s.Bulk(context.Background(), func(b *Bulk) error {
		for i, status := range []models.Status{models.StatusFailed, models.StatusRolledBack, models.StatusFailed} {
			id, start := first+int64(i), t0.Add(time.Duration(first+int64(i))*time.Hour)
			d := models.Deployment{ID: id, Model: "web", ModelVersion: 1, Service: "svc", Component: "api",
				Kind: models.KindSoftware, Version: "2.0.0", Action: models.ActionDeploy, Environment: "prod",
				Status: status, Assignee: "bo", Requester: "ana", ScheduledStart: start, ScheduledEnd: start.Add(time.Hour),
				StartedAt: start, FinishedAt: start.Add(time.Minute), CreatedAt: t0, UpdatedAt: start.Add(time.Minute)}
			if _, err := b.Deployment(d, mvid); err != nil {
				return err
			}
		}
		return b.Review(models.Review{DeploymentID: first + 2, Outcome: models.OutcomeUnsuccessful, Satisfaction: 2, Reviewer: "ana",
			ReviewedAt: t0.Add(100 * 24 * time.Hour), Model: "web", ModelVersion: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// one reads one value of query, as text.
func one(t *testing.T, s *Store, query string) string {
	t.Helper()
	var v sql.NullString
	if err := s.r.QueryRowContext(context.Background(), query).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v.String
}

// A fill's index is one segment, lifted to the level merges would have carried it
// to, and FTS5 finds it whole, before and after later writes.
func TestFillLiftsItsSegment(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "a#b?c%d") // a name the file's URI must escape
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, filepath.Join(dir, "filled.db"), Loading())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	_, mvid := syncModel(t, s, testModel())
	if err := s.Fill(ctx, Basis{Location: time.UTC}, func() error { bulkLoad(t, s, mvid, 1, 3000); return nil }); err != nil {
		t.Fatal(err)
	}
	var block []byte
	if err := s.r.QueryRowContext(ctx, `SELECT block FROM search_data WHERE id = 10`).Scan(&block); err != nil {
		t.Fatal(err)
	}
	r := varintReader{b: block, i: 4}
	levels, segments, _ := r.next(), r.next(), r.next()
	for range levels - 1 {
		if merging, n := r.next(), r.next(); merging != 0 || n != 0 {
			t.Fatalf("a level below the segment holds %d segments (%d merging)", n, merging)
		}
	}
	merging, n, _, first, last := r.next(), r.next(), r.next(), r.next(), r.next()
	want := uint64(0)
	for p := last - first + 1; p >= 4; p /= 4 {
		want++
	}
	if r.err != nil || segments != 1 || merging != 0 || n != 1 || levels-1 != want || want < 2 {
		t.Fatalf("structure after the fill: %d levels, %d segments (%v); want one segment of %d pages on level %d",
			levels, segments, r.err, last-first+1, want)
	}
	integrity := func(when string) {
		t.Helper()
		if err := s.Write(ctx, func(q Q) error {
			_, err := q.db.ExecContext(ctx, `INSERT INTO search(search, rank) VALUES ('integrity-check', 1)`)
			return err
		}); err != nil {
			t.Fatalf("FTS5 integrity check %s: %v", when, err)
		}
	}
	integrity("after the fill")
	for i := range 40 { // enough small segments for FTS5 to merge some
		bulkLoad(t, s, mvid, 5001+i, 1)
	}
	integrity("after later writes")
	if got := one(t, s, `SELECT count(*) FROM search WHERE search MATCH 'api'`); got != "3040" {
		t.Errorf("a search after the fill finds %s of 3040 documents", got)
	}
}

func TestVarintsRoundTrip(t *testing.T) {
	for _, v := range []uint64{0, 1, 127, 128, 240, 2287, 16383, 16384, 1<<21 - 1, 1 << 21, 1<<56 - 1, 1 << 56, 1<<64 - 1} {
		b := appendVarint(nil, v)
		r := varintReader{b: b}
		if got := r.next(); got != v || r.i != len(b) || r.err != nil {
			t.Errorf("%d: encoded %x, read back %d (%d of %d bytes, %v)", v, b, got, r.i, len(b), r.err)
		}
	}
}

// Only one segment on level 0, not merging, is lifted; any other structure is left
// to FTS5.
func TestLiftedStructureLeavesOthersAlone(t *testing.T) {
	record := func(v2 bool, nums ...uint64) []byte {
		b := []byte{0, 0, 0, 7}
		if v2 {
			b = append(b, 0xff, 0, 0, 1)
		}
		for _, n := range nums {
			b = appendVarint(b, n)
		}
		return b
	}
	// levels, segments, writes, then per level merging, count, and id, first, last
	one := record(false, 1, 1, 99, 0, 1, 3, 1000, 1000+255) // 256 pages: level 4
	got, ok := liftedStructure(one)
	if want := record(false, 5, 1, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 1000, 1255); !ok || string(got) != string(want) {
		t.Errorf("one segment of 256 pages: %x %v, want %x", got, ok, want)
	}
	for name, b := range map[string][]byte{
		"version 2":        record(true, 1, 1, 99, 0, 1, 3, 1000, 1255),
		"two segments":     record(false, 1, 2, 99, 0, 2, 3, 1000, 1255, 4, 1256, 1300),
		"merging":          record(false, 2, 2, 99, 1, 1, 3, 1000, 1255, 0, 1, 4, 1256, 1300),
		"on level 1":       record(false, 2, 1, 99, 0, 0, 0, 1, 3, 1000, 1255),
		"three pages":      record(false, 1, 1, 99, 0, 1, 3, 1000, 1002),
		"cut short":        record(false, 1, 1, 99, 0, 1, 3, 1000),
		"something beyond": append(record(false, 1, 1, 99, 0, 1, 3, 1000, 1255), 1),
	} {
		if got, ok := liftedStructure(b); ok {
			t.Errorf("%s: lifted to %x", name, got)
		}
	}
}
