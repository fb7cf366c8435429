package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ferry/models"
)

// ConflictBasis is what the stored conflicts were computed under, "" when they are
// not current.
func (q Q) ConflictBasis(ctx context.Context) (string, error) {
	var basis string
	err := q.db.QueryRowContext(ctx, `SELECT basis FROM conflict_state WHERE id = 1`).Scan(&basis)
	return basis, mapErr(err)
}

// MarkConflictsStale says the stored conflicts are not current (a bulk load is about
// to write deployments without noting each): readers detect in memory until an
// engine recomputes them.
func (q Q) MarkConflictsStale(ctx context.Context) error {
	_, err := q.db.ExecContext(ctx, `UPDATE conflict_state SET basis = '' WHERE id = 1;
		DELETE FROM conflict_dirty`)
	return mapErr(err)
}

// ReplaceConflicts stores cs as every current conflict, computed under basis.
func (q Q) ReplaceConflicts(ctx context.Context, basis string, cs []models.Conflict) error {
	if _, err := q.db.ExecContext(ctx, `DELETE FROM stored_conflicts; DELETE FROM stored_conflict_members;
		DELETE FROM conflict_dirty`); err != nil {
		return mapErr(err)
	}
	if err := q.AddConflicts(ctx, cs); err != nil {
		return err
	}
	_, err := q.db.ExecContext(ctx, `UPDATE conflict_state SET basis = ? WHERE id = 1`, basis)
	return mapErr(err)
}

// AddConflicts stores conflicts; one already stored (the same key) is kept.
func (q Q) AddConflicts(ctx context.Context, cs []models.Conflict) error {
	for _, c := range cs {
		res, err := q.db.ExecContext(ctx, `INSERT OR IGNORE INTO stored_conflicts
			(key, kind, environment, person, start_at, end_at, ids, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Key, string(c.Kind), c.Environment, c.Person, c.Start.Unix(), c.End.Unix(), joinIDs(c.IDs), c.Message)
		if err != nil {
			return mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		for _, id := range c.IDs {
			if _, err := q.db.ExecContext(ctx, `INSERT OR IGNORE INTO stored_conflict_members (deployment_id, key)
				VALUES (?, ?)`, id, c.Key); err != nil {
				return mapErr(err)
			}
		}
	}
	return nil
}

// DropConflictsOf removes every stored conflict that involves one of ids, of kind
// (any kind if "").
func (q Q) DropConflictsOf(ctx context.Context, ids []int64, kind models.ConflictKind) error {
	if len(ids) == 0 {
		return nil
	}
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{`CREATE TEMP TABLE IF NOT EXISTS dropped_conflicts (key TEXT PRIMARY KEY) WITHOUT ROWID`, nil},
		{`DELETE FROM temp.dropped_conflicts`, nil},
		{`INSERT OR IGNORE INTO temp.dropped_conflicts SELECT m.key FROM stored_conflict_members m
			JOIN stored_conflicts c ON c.key = m.key
			WHERE m.deployment_id IN (SELECT value FROM json_each('[' || ?1 || ']')) AND (?2 = '' OR c.kind = ?2)`,
			[]any{joinIDs(ids), string(kind)}},
		{`DELETE FROM stored_conflicts WHERE key IN (SELECT key FROM temp.dropped_conflicts)`, nil},
		{`DELETE FROM stored_conflict_members WHERE key IN (SELECT key FROM temp.dropped_conflicts)`, nil},
	} {
		if _, err := q.db.ExecContext(ctx, stmt.sql, stmt.args...); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// StoredConflicts lists the stored conflicts by start, kind and key, as detection
// sorts them. They are read packed, as OpenItems are: SQLite joins every row into one
// string and Go splits it, where scanning 1,536 conflicts column by column through
// database/sql took 18 ms of the console's first frame on the 100k-planned database.
// Keys, kinds, environments and people are names; the message comes last and takes
// the rest of its record (a record separator in one, which no stored text may hold,
// is read as a space). They are sorted here, not by SQLite, whose sorter copies rows.
func (q Q) StoredConflicts(ctx context.Context) ([]models.Conflict, error) {
	return q.storedConflicts(ctx, `key, kind, environment, person, start_at, end_at, ids, replace(message, char(30), ' ')`)
}

// StoredConflictHeads is StoredConflicts with each conflict's key, kind, window and
// deployments alone, what counting them and marking their deployments needs: without
// their messages, environments and people, a third of the text to join and copy.
func (q Q) StoredConflictHeads(ctx context.Context) ([]models.Conflict, error) {
	return q.storedConflicts(ctx, `key, kind, '', '', start_at, end_at, ids, ''`)
}

// storedConflicts reads the stored conflicts packed, the fields unpackConflict reads
// given by columns.
func (q Q) storedConflicts(ctx context.Context, columns string) ([]models.Conflict, error) {
	var packed sql.NullString
	err := q.db.QueryRowContext(ctx, `SELECT group_concat(concat_ws(char(31), `+columns+`), char(30))
		FROM stored_conflicts`).Scan(&packed)
	if err != nil || !packed.Valid || packed.String == "" {
		return nil, mapErr(err)
	}
	out := make([]models.Conflict, 0, strings.Count(packed.String, "\x1e")+1)
	for rec := range strings.SplitSeq(packed.String, "\x1e") {
		c, err := unpackConflict(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	slices.SortFunc(out, models.CompareConflicts)
	return out, nil
}

func unpackConflict(rec string) (models.Conflict, error) {
	var c models.Conflict
	var f [8]string
	if n := unitFields(rec, f[:]); n < len(f) {
		return c, fmt.Errorf("stored conflict record %q has %d fields, want %d", rec, n, len(f))
	}
	start, err1 := strconv.ParseInt(f[4], 10, 64)
	end, err2 := strconv.ParseInt(f[5], 10, 64)
	ids, err3 := splitIDs(f[6])
	if err := errors.Join(err1, err2, err3); err != nil {
		return c, fmt.Errorf("stored conflict %s: %w", f[0], err)
	}
	c = models.Conflict{Key: f[0], Kind: models.ConflictKind(f[1]), Environment: f[2], Person: f[3],
		Start: time.Unix(start, 0).UTC(), End: time.Unix(end, 0).UTC(), IDs: ids, Message: f[7]}
	return c, nil
}

// Dirty is a deployment changed in this transaction, with where it was before.
type Dirty struct {
	ID                              int64
	Environment, Component, Version string
	Start, End                      time.Time
}

// TakeDirty returns the deployments this transaction changed, and forgets them.
func (q Q) TakeDirty(ctx context.Context) ([]Dirty, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT deployment_id, environment, component, version, start_at, end_at
		FROM conflict_dirty`)
	if err != nil {
		return nil, mapErr(err)
	}
	var out []Dirty
	for rows.Next() {
		var d Dirty
		var start, end int64
		if err := rows.Scan(&d.ID, &d.Environment, &d.Component, &d.Version, &start, &end); err != nil {
			rows.Close()
			return nil, mapErr(err)
		}
		d.Start, d.End = time.Unix(start, 0).UTC(), time.Unix(end, 0).UTC()
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, mapErr(err)
	}
	_, err = q.db.ExecContext(ctx, `DELETE FROM conflict_dirty`)
	return out, mapErr(err)
}

// OpenOverlapping loads the unfinished deployments in env that overlap [from, to).
func (q Q) OpenOverlapping(ctx context.Context, env string, from, to time.Time) ([]OpenItem, error) {
	var longest int64
	if err := q.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(scheduled_end - scheduled_start), 0) FROM deployments
		WHERE `+notFinished).Scan(&longest); err != nil {
		return nil, mapErr(err)
	}
	return q.openItems(ctx, `deployments WHERE `+notFinished+` AND environment = ? AND scheduled_start >= ?
		AND scheduled_start < ? AND scheduled_end > ?`, env, from.Unix()-longest, to.Unix(), from.Unix())
}

// OpenAfter loads the unfinished deployments that wait for id.
func (q Q) OpenAfter(ctx context.Context, id int64) ([]OpenItem, error) {
	return q.openItems(ctx, `deployments WHERE `+notFinished+` AND after_id = ?`, id)
}

// OpenAssignedTo loads the unfinished deployments assigned to person.
func (q Q) OpenAssignedTo(ctx context.Context, person string) ([]OpenItem, error) {
	return q.openItems(ctx, `deployments WHERE `+notFinished+` AND assignee = ?`, person)
}

// OpenByID loads those of ids that are unfinished.
func (q Q) OpenByID(ctx context.Context, ids []int64) ([]OpenItem, error) {
	return q.openItems(ctx, `deployments WHERE `+notFinished+
		` AND id IN (SELECT value FROM json_each('[' || ? || ']'))`, joinIDs(ids))
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

func splitIDs(s string) ([]int64, error) {
	var out []int64
	for part := range strings.SplitSeq(s, ",") {
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("deployment list %q: %w", s, err)
		}
		out = append(out, id)
	}
	return out, nil
}

// OpenInvolving is the IDs of the unfinished deployments person requested or is
// assigned, read from two partial indexes alone: what an inbox matches the open
// conflicts' members against before it loads the few that are the person's.
func (q Q) OpenInvolving(ctx context.Context, person string) (map[int64]bool, error) {
	return q.idSet(ctx, `SELECT id FROM deployments INDEXED BY deployments_open_assignee
			WHERE `+notFinished+` AND assignee = ?1
		UNION ALL SELECT id FROM deployments INDEXED BY deployments_open_requester
			WHERE `+notFinished+` AND requester = ?1`, person)
}

// EventCounts says how many events each of ids has on its record.
func (q Q) EventCounts(ctx context.Context, ids []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.db.QueryContext(ctx, `SELECT deployment_id, count(*) FROM events
		WHERE deployment_id IN (SELECT value FROM json_each('[' || ? || ']')) GROUP BY deployment_id`, joinIDs(ids))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, mapErr(err)
		}
		out[id] = n
	}
	return out, mapErr(rows.Err())
}
