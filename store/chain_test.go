package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ferry/models"
)

// chained opens a store with one deployment and n events in its record.
func chained(t *testing.T, n int) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chain.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	m, mvid := syncModel(t, s, testModel())
	id := plan(t, s, m, mvid, "test", t0)
	err = s.Write(context.Background(), func(q Q) error {
		for i := range n {
			if err := q.AddEvent(context.Background(), models.Event{DeploymentID: id, At: t0.Add(time.Duration(i) * time.Minute),
				Actor: "ana", Principal: "ana@host", Type: "note", Detail: "note " + string(rune('a'+i))}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, path
}

// tamper runs SQL on the file as someone with a sqlite shell would: the append-only
// triggers dropped first.
func tamper(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, st := range append([]string{`DROP TRIGGER IF EXISTS events_no_update`, `DROP TRIGGER IF EXISTS events_no_delete`,
		`DROP TRIGGER IF EXISTS audit_log_no_update`, `DROP TRIGGER IF EXISTS audit_log_no_delete`}, stmts...) {
		if _, err := db.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
}

func wantBreak(t *testing.T, s *Store, id int64, why string) {
	t.Helper()
	_, err := s.Read().VerifyEvents(context.Background())
	var b *Break
	if !errors.As(err, &b) || b.ID != id || !strings.Contains(b.Why, why) {
		t.Fatalf("verify: %v; want event #%d named (%s)", err, id, why)
	}
}

func TestChainHoldsAndNamesTheEventTamperedWith(t *testing.T) {
	s, _ := chained(t, 5)
	c, err := s.Read().VerifyEvents(context.Background())
	if err != nil || c.Rows != 5 || len(c.Head) != models.ChainLen {
		t.Fatalf("an intact record: %+v %v", c, err)
	}
	for _, tc := range []struct {
		name  string
		stmts []string
		id    int64
		why   string
	}{
		{"changed", []string{`UPDATE events SET detail = 'nothing to see' WHERE id = 3`}, 3, "changed"},
		{"changed with its link recomputed elsewhere", []string{`UPDATE events SET actor = 'bob', hash = X'00112233445566778899aabbccddeeff' WHERE id = 2`}, 2, "changed"},
		{"deleted", []string{`DELETE FROM events WHERE id = 4`}, 4, "deleted"},
		{"inserted at the end", []string{`INSERT INTO events (id, deployment_id, at, actor, type, detail) VALUES (6, 1, 0, 'x', 'note', 'late')`}, 6, "inserted"},
		{"moved", []string{`UPDATE events SET id = 100 WHERE id = 2`, `UPDATE events SET id = 2 WHERE id = 3`, `UPDATE events SET id = 3 WHERE id = 100`}, 2, "moved"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, path := chained(t, 5)
			tamper(t, path, tc.stmts...)
			wantBreak(t, s, tc.id, tc.why)
		})
	}
}

// Events from before the chain get their links once (Open calls linkUnlinked after
// the migration that adds them).
func TestLinkUnlinked(t *testing.T) {
	s, path := chained(t, 4)
	tamper(t, path, `UPDATE events SET hash = NULL WHERE id >= 2`,
		`CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'append-only'); END`)
	if _, err := s.Read().VerifyEvents(context.Background()); err == nil {
		t.Fatal("unlinked events should not verify")
	}
	if err := s.linkUnlinked(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Read().VerifyEvents(context.Background()); err != nil || c.Rows != 4 {
		t.Fatalf("after linking: %+v %v", c, err)
	}
	// The trigger is back: the record is append-only again.
	err := s.Write(context.Background(), func(q Q) error {
		_, err := q.db.ExecContext(context.Background(), `UPDATE events SET detail = 'x' WHERE id = 1`)
		return err
	})
	if err == nil {
		t.Fatal("events can be updated after linking")
	}
}

func TestAuditLogChain(t *testing.T) {
	s, path := chained(t, 0)
	err := s.Write(context.Background(), func(q Q) error {
		for _, d := range []string{"environment added", "ana gained manager", "freeze moved"} {
			if _, err := q.AddAudit(context.Background(), models.AuditEntry{At: t0, Actor: "ana", Principal: "ana@host",
				Type: "config", Detail: d}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := s.Read().VerifyAudit(context.Background()); err != nil || c.Rows != 3 {
		t.Fatalf("audit chain: %+v %v", c, err)
	}
	tamper(t, path, `DELETE FROM audit_log WHERE id = 2`)
	_, err = s.Read().VerifyAudit(context.Background())
	var b *Break
	if !errors.As(err, &b) || b.ID != 2 || b.Table != "audit_log" || !strings.Contains(b.Error(), "audit entry #2") {
		t.Fatalf("verify audit: %v", err)
	}
}

// The walk in parts finds what one walk finds: the same length and head on an intact
// record, and the same first break wherever a row was changed or deleted, at the
// edges of the parts too.
func TestVerifyInPartsNamesWhatOneWalkNames(t *testing.T) {
	ctx := context.Background()
	const n = 10
	s, _ := chained(t, n)
	one, err := s.Read().VerifyEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, parts := range []int{1, 2, 3, 4, 20} {
		c, err := s.VerifyEventsIn(ctx, parts)
		if err != nil || c.Rows != one.Rows || !bytes.Equal(c.Head, one.Head) {
			t.Fatalf("%d parts, an intact record: %+v %v; one walk: %+v", parts, c, err, one)
		}
	}
	for id := int64(1); id <= n; id++ {
		for _, stmt := range []string{`UPDATE events SET detail = 'x' WHERE id = %d`, `DELETE FROM events WHERE id = %d`,
			`UPDATE events SET hash = NULL WHERE id = %d`} {
			s, path := chained(t, n)
			tamper(t, path, fmt.Sprintf(stmt, id))
			_, want := s.Read().VerifyEvents(ctx)
			if want == nil && !strings.HasPrefix(stmt, "DELETE") {
				t.Fatalf("one walk missed %q on #%d", stmt, id)
			}
			for _, parts := range []int{2, 3, 4} {
				_, got := s.VerifyEventsIn(ctx, parts)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%q on #%d, %d parts: %v; one walk: %v", stmt, id, parts, got, want)
				}
			}
		}
	}
}

// Readers started together see the same state even while another process commits:
// a report read in parts adds up.
func TestSnapshotsSeeOneState(t *testing.T) {
	ctx := context.Background()
	s, path := chained(t, 1)
	other, err := Open(ctx, path) // another process's store on the same file
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	stop, done := make(chan struct{}), make(chan error)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			err := other.Write(ctx, func(q Q) error {
				return q.AddEvent(ctx, models.Event{DeploymentID: 1, At: t0, Actor: "ana", Type: "note", Detail: fmt.Sprint(i)})
			})
			if err != nil {
				done <- err
				return
			}
		}
	}()
	seen := map[int]bool{}
	for i := 0; len(seen) < 10 && i < 5000; i++ {
		err := s.Snapshots(ctx, 3, func(qs []Q) error {
			counts := make([]int, len(qs))
			for i, q := range qs {
				if err := q.db.QueryRowContext(ctx, `SELECT count(*) FROM events`).Scan(&counts[i]); err != nil {
					return err
				}
			}
			if len(qs) != 3 || counts[1] != counts[0] || counts[2] != counts[0] {
				return fmt.Errorf("readers started together see %v", counts)
			}
			seen[counts[0]] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(seen) < 10 {
		t.Fatalf("the other process committed between the snapshots only %d times", len(seen))
	}
}
