package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"ferry/models"
)

// Fill runs fn, a bulk load (Store.Bulk, batch after batch) into a database that has
// no deployments yet, and then makes what the load bypassed whole in one transaction:
// the search index, written at once, and the rollups, counted with b.
//
// For the whole load the search triggers are set aside, and with them
// conflict_dirty_insert, which does nothing while a bulk load has marked the stored
// conflicts stale but costs a subquery per row, and reviews_due_insert, done for all
// rows at the end. Written batch by batch, FTS5 flushes each batch as a segment and
// merges the segments again and again as they pile up: on the 1M demo that was 27 of
// its 90 s, against 13 s for every document at once.
// While the writer indexes the documents, a reader computes them and then recounts
// the rollups, on the other core.
//
// Until Fill returns, other connections see deployments without documents. It is
// meant for a file that nobody uses before it is whole and that is thrown away if the
// fill fails (ferry demo's partial file, opened with Loading): when fn fails, the
// triggers stay set aside.
func (s *Store) Fill(ctx context.Context, b Basis, fn func() error) error {
	var aside []string
	err := s.bulkTx(ctx, func(tx *sql.Tx) error {
		q := Q{db: tx}
		n, err := q.CountDeployments(ctx)
		if err == nil && n > 0 {
			err = models.Invalidf("a fill needs a database with no deployments; this one has %d", n)
		}
		if err == nil {
			err = q.MarkConflictsStale(ctx)
		}
		if err == nil {
			aside, err = dropTriggers(ctx, tx, fillAside)
		}
		if err == nil {
			err = searchHash(ctx, tx, fillHash)
		}
		return err
	})
	if err != nil {
		return err
	}
	if err := fn(); err != nil {
		return err
	}
	if err := s.finishFill(ctx, b, aside); err != nil {
		return err
	}
	// A new file is loaded in a rollback journal, unsynced (Loading); from now on it
	// is used as every database is, and its close syncs it.
	if err := s.loadDone(ctx); err != nil {
		return err
	}
	if err := s.liftSegment(ctx); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	// Later bulk loads write a batch's documents at once, in 64 MB at most.
	return s.bulkTx(ctx, func(tx *sql.Tx) error { return searchHash(ctx, tx, bulkHash) })
}

// fillAside names the triggers a fill sets aside.
const fillAside = `name LIKE 'search\_%' ESCAPE '\' OR name IN ('conflict_dirty_insert', 'reviews_due_insert')`

// failedWaitForReview is what reviews_due_insert does (migration 27), for every
// deployment at once: one that finished badly waits for a review unless it has one.
const failedWaitForReview = `INSERT OR IGNORE INTO reviews_due (deployment_id, finished_at, requester)
	SELECT d.id, d.finished_at, d.requester FROM deployments d
	WHERE d.status IN ('failed', 'rolled_back') AND d.finished_at IS NOT NULL
	  AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.deployment_id = d.id)`

// A fill's documents travel from the reader to the writer docRows at a time.
const docRows = 64

type searchDoc struct {
	key                 int64
	what, notes, facets string
}

// recounted is what the reader counted: the rollups and outages, or why not.
type recounted struct {
	t       tally
	outages []Outage
	err     error
}

// finishFill writes every deployment's document and the rollups, and puts the
// triggers set aside back, in one transaction, while a reader computes the
// documents and then recounts the rollups. The reader takes its snapshot before the
// writer begins and lets it go before the writer commits: in a loading store's
// rollback journal, a commit waits for every reader, and while one reads the writer
// keeps its changes in its cache rather than spill them into the file (in the WAL
// instead, every page would be written twice: 1.5 s of the 1M demo).
func (s *Store) finishFill(ctx context.Context, b Basis, aside []string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	_, txs, err := s.readersAtOnce(ctx, 1)
	if err != nil {
		for _, tx := range txs {
			_ = tx.Rollback()
		}
		return err
	}
	docs := make(chan []searchDoc, 16)
	done := make(chan recounted, 1)
	go func() {
		q := Q{db: txs[0]}
		r := recounted{err: q.streamDocs(ctx, docs)}
		close(docs)
		if r.err == nil {
			r.t, r.outages, r.err = q.recount(ctx, b)
		}
		_ = txs[0].Rollback() // a read has nothing to keep; in a rollback journal the writer's commit waits for it
		done <- r
	}()
	ran := false
	err = s.bulkTx(ctx, func(tx *sql.Tx) error {
		ran = true
		q := Q{db: tx}
		err := q.writeDocs(ctx, docs)
		if err != nil {
			cancel()
		}
		r := <-done
		if err = errors.Join(err, r.err); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, failedWaitForReview); err != nil {
			return mapErr(err)
		}
		if err := q.replaceRollups(ctx, b, r.t, r.outages); err != nil {
			return err
		}
		return restoreTriggers(ctx, tx, aside)
	})
	if !ran { // the writer could not begin: let the reader finish
		cancel()
		for range docs {
		}
		<-done
	}
	return err
}

// streamDocs sends every deployment's search document, docRows at a time, in the
// order of their keys (scheduled start, then id), so FTS5 takes them as one run.
func (q Q) streamDocs(ctx context.Context, out chan<- []searchDoc) error {
	rows, err := q.db.QueryContext(ctx, `SELECT s.key, s.what, s.notes, s.facets
		FROM deployments d INDEXED BY deployments_start JOIN search_source s ON s.id = d.id
		ORDER BY d.scheduled_start, d.id`)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	batch := make([]searchDoc, 0, docRows)
	send := func() error {
		select {
		case out <- batch:
			batch = make([]searchDoc, 0, docRows)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for rows.Next() {
		var d searchDoc
		if err := rows.Scan(&d.key, &d.what, &d.notes, &d.facets); err != nil {
			return mapErr(err)
		}
		if batch = append(batch, d); len(batch) == docRows {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return mapErr(err)
	}
	if len(batch) > 0 {
		return send()
	}
	return nil
}

// writeDocs indexes the documents that come from in until it is closed, with one
// statement (see fill_feed.go).
func (q Q) writeDocs(ctx context.Context, in <-chan []searchDoc) error {
	n := openFeed(in)
	defer closeFeed(n)
	if _, err := q.db.ExecContext(ctx, fmt.Sprintf(`CREATE VIRTUAL TABLE temp.fill_docs USING %s(%d)`,
		feedModule, n)); err != nil {
		return mapErr(err)
	}
	if _, err := q.db.ExecContext(ctx, `INSERT INTO search (rowid, what, notes, facets)
		SELECT key, what, notes, facets FROM temp.fill_docs`); err != nil {
		return fmt.Errorf("search documents: %w", mapErr(err))
	}
	_, err := q.db.ExecContext(ctx, `DROP TABLE temp.fill_docs`)
	return mapErr(err)
}

// dropTriggers drops the triggers whose sqlite_master rows match where and returns
// their CREATE statements, nil if there were none.
func dropTriggers(ctx context.Context, tx *sql.Tx, where string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND (`+where+`)
		ORDER BY name`)
	if err != nil {
		return nil, mapErr(err)
	}
	var names, triggers []string
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			rows.Close()
			return nil, mapErr(err)
		}
		names, triggers = append(names, name), append(triggers, create)
	}
	if err := rows.Close(); err != nil {
		return nil, mapErr(err)
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER "`+strings.ReplaceAll(name, `"`, `""`)+`"`); err != nil {
			return nil, mapErr(err)
		}
	}
	return triggers, nil
}

// restoreTriggers creates again the triggers dropTriggers set aside.
func restoreTriggers(ctx context.Context, tx *sql.Tx, creates []string) error {
	return mapErr(execAll(ctx, tx, creates...))
}
