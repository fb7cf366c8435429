package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"ferry/models"
)

// OpenItem is an unfinished deployment as conflict detection needs it.
type OpenItem struct {
	ID          int64
	Model       string
	Component   string
	Version     string
	Action      models.Action
	Environment string
	Assignee    string
	Status      models.Status
	Start, End  time.Time
	After       int64
}

const notFinished = `status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled')`

// OpenItems loads every deployment that has not finished, by start, from the
// partial index of unfinished deployments alone.
//
// Why the odd shape: SQLite reads 100,000 such rows in about 20 ms, but scanning
// them column by column through database/sql and the pure-Go driver costs ten times
// that. So SQLite packs each row into one record (openRecord) and all records into
// one string, and Go splits it. The index deployments_open holds each unfinished
// deployment's record, built as it is written (migration 00029), so a scan copies
// records rather than building them: reading all 100,000 went from 81 to 20 ms, a
// suggestion's 90-day scan from 6.6 to 3.4 ms. A scan of the index visits it in
// order, and group_concat joins in the order it is given; OpenItems checks it (an
// aggregate's ORDER BY would sort 100,000 records again: 71 ms).
func (q Q) OpenItems(ctx context.Context) ([]OpenItem, error) {
	out, err := q.openItems(ctx, `deployments INDEXED BY deployments_open WHERE `+notFinished)
	if err == nil && !slices.IsSortedFunc(out, byStartID) {
		slices.SortFunc(out, byStartID)
	}
	return out, err
}

func byStartID(a, b OpenItem) int {
	return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID))
}

// openRecord is an unfinished deployment as one packed record, its fields joined by
// the unit separator; every column is NOT NULL but after_id, read as 0 when there is
// none. Plain || rather than concat_ws, which costs less to build row by row: the
// index builds it once, and a sqlite3 shell older than 3.44 (Debian 12's) does not
// know concat_ws, so it could no longer write to the table. Names are ids
// ([A-Za-z0-9._-], checked by config), so the unit separator cannot occur in them;
// the version, free text, comes last and takes the rest of its record, and records
// are separated by the record separator, which versions may not contain (see
// models.Deployment.Validate).
//
// The index deployments_open holds this very expression (migration 00029): SQLite
// reads it from there only while the two are the same (TestOpenRecordIsIndexed).
const openRecord = `id || char(31) || scheduled_start || char(31) || scheduled_end || char(31) || ifnull(after_id, 0) || char(31) || status || char(31) || action || char(31) || environment || char(31) || component || char(31) || assignee || char(31) || model || char(31) || version`

// openItems loads the unfinished deployments that "FROM from" selects, packed (see
// OpenItems), in the order SQLite visits them.
func (q Q) openItems(ctx context.Context, from string, args ...any) ([]OpenItem, error) {
	return openAs(ctx, q, nearPart{from, args}, itself)
}

func itself(o OpenItem) (OpenItem, bool) { return o, true }

// openAs is openItems with each deployment made a T by as as it is unpacked (one it
// returns false for is left out).
func openAs[T any](ctx context.Context, q Q, p nearPart, as func(OpenItem) (T, bool)) ([]T, error) {
	packed, err := q.packedOpen(ctx, p)
	if err != nil || packed == "" {
		return nil, err
	}
	out := make([]T, records(packed))
	n, err := unpackInto(out, packed, as)
	return out[:n], err
}

// packedOpen is what p selects, packed: records of openRecord joined by the record
// separator, "" when none.
func (q Q) packedOpen(ctx context.Context, p nearPart) (string, error) {
	var packed sql.NullString
	err := q.db.QueryRowContext(ctx, `SELECT group_concat(`+openRecord+`, char(30)) FROM `+p.from, p.args...).Scan(&packed)
	return packed.String, mapErr(err)
}

// records is how many records packed holds.
func records(packed string) int {
	if packed == "" {
		return 0
	}
	return strings.Count(packed, "\x1e") + 1
}

// unpackInto unpacks the records of packed into dst, which has room for them all,
// each made a T by as (one it says false for is left out), and says how many it put.
func unpackInto[T any](dst []T, packed string, as func(OpenItem) (T, bool)) (int, error) {
	if packed == "" {
		return 0, nil
	}
	n := 0
	for rec := range strings.SplitSeq(packed, "\x1e") {
		it, err := unpackOpenItem(rec)
		if err != nil {
			return n, err
		}
		if t, ok := as(it); ok {
			dst[n] = t
			n++
		}
	}
	return n, nil
}

// unitFields splits a packed record into len(f) fields at the unit separator, the
// last taking the rest of the record, and says how many it found.
func unitFields(rec string, f []string) int {
	rest := rec
	for i := range len(f) - 1 {
		var ok bool
		if f[i], rest, ok = strings.Cut(rest, "\x1f"); !ok {
			return i + 1
		}
	}
	f[len(f)-1] = rest
	return len(f)
}

func unpackOpenItem(rec string) (OpenItem, error) {
	var it OpenItem
	var f [11]string
	if n := unitFields(rec, f[:]); n < len(f) {
		return it, fmt.Errorf("unfinished deployment record %q has %d fields, want %d", rec, n, len(f))
	}
	var nums [4]int64
	for i := range nums {
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return it, fmt.Errorf("unfinished deployment record %q: %w", rec, err)
		}
		nums[i] = n
	}
	it.ID, it.Start, it.End, it.After = nums[0], time.Unix(nums[1], 0).UTC(), time.Unix(nums[2], 0).UTC(), nums[3]
	it.Status, it.Action = models.Status(f[4]), models.Action(f[5])
	it.Environment, it.Component, it.Assignee, it.Model, it.Version = f[6], f[7], f[8], f[9], f[10]
	return it, nil
}

// Neighbourhood is what one deployment could clash with, wherever in [From, To) it goes.
type Neighbourhood struct {
	ID          int64 // the deployment itself (0 for a new plan); its dependents are included
	Environment string
	Component   string
	Assignee    string
	After       int64
	From, To    time.Time
}

// OpenNearAs loads the unfinished deployments that share the environment, person or
// component with n and could overlap [From, To), plus its dependency and dependents:
// a handful of indexed range scans instead of every unfinished deployment. It reads
// through qs, transactions that see the same state (see Store.Snapshots), and
// returns each deployment once, made a T by as (and left out when as says false), in
// a slice with room for extra more.
//
// Over a short span each of environment, component and person has its own small
// partial index; but those hold only the start, so every row found costs a lookup in
// the table. Over a long span (a suggestion's 90 days) one scan of the index of every
// unfinished deployment, which holds each one's record, filtered as it goes, reads
// fewer pages (~3x less CPU in the shell at 100k planned); that scan is split among
// qs and read at once (the scan was half of a suggestion that found nothing free
// within a week), and each reader's thousands are unpacked at once too, straight
// into the one slice returned: made once, not grown or joined, as a suggestion's
// garbage is what the collector spends its time on.
func OpenNearAs[T any](ctx context.Context, qs []Q, n Neighbourhood, extra int, as func(OpenItem) (T, bool)) ([]T, error) {
	var longest int64
	if err := qs[0].db.QueryRowContext(ctx, `SELECT COALESCE(MAX(scheduled_end - scheduled_start), 0) FROM deployments
		WHERE `+notFinished).Scan(&longest); err != nil {
		return nil, mapErr(err)
	}
	from, to := n.From.Unix()-longest, n.To.Unix()
	if to-from <= wideSpan {
		found, err := qs[0].openNear(ctx, n, from, to)
		return made(found, extra, as), err
	}
	// The span in equal parts, a reader each; the first reads the links too, and
	// keeps those the scans do not find.
	packed, errs := make([]string, len(qs)), make([]error, len(qs))
	var links []OpenItem
	each(len(qs), func(i int) {
		q := qs[i]
		a, b := from+(to-from)*int64(i)/int64(len(qs)), from+(to-from)*int64(i+1)/int64(len(qs))
		packed[i], errs[i] = q.packedOpen(ctx, wideNear(n, a, b))
		if i == 0 && errs[i] == nil {
			links, errs[i] = q.readNear(ctx, linksNear(n))
			links = slices.DeleteFunc(links, func(o OpenItem) bool { return n.scanned(o, from, to) })
		}
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	at, kept := make([]int, len(qs)+1), make([]int, len(qs))
	for i, p := range packed {
		at[i+1] = at[i] + records(p)
	}
	out := make([]T, at[len(qs)], at[len(qs)]+len(links)+extra)
	each(len(qs), func(i int) { kept[i], errs[i] = unpackInto(out[at[i]:at[i+1]], packed[i], as) })
	// What as left out leaves gaps at the ends of the parts: close them.
	end := kept[0]
	for i := 1; i < len(qs); i++ {
		end += copy(out[end:], out[at[i]:at[i]+kept[i]])
	}
	out = out[:end]
	for _, o := range links {
		if t, ok := as(o); ok {
			out = append(out, t)
		}
	}
	return out, errors.Join(errs...)
}

// each runs f(0) … f(n-1) at once, and waits for them.
func each(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}

// made is items each made a T by as, those it says false for left out, with room
// for extra more.
func made[T any](items []OpenItem, extra int, as func(OpenItem) (T, bool)) []T {
	out := make([]T, 0, len(items)+extra)
	for i := range items {
		if t, ok := as(items[i]); ok {
			out = append(out, t)
		}
	}
	return out
}

// scanned reports whether the scan of starts in [from, to) (wideNear) finds o.
func (n Neighbourhood) scanned(o OpenItem, from, to int64) bool {
	start := o.Start.Unix()
	return start >= from && start < to &&
		(o.Environment == n.Environment || o.Component == n.Component || (n.Assignee != "" && o.Assignee == n.Assignee))
}

// nearPart is one of the queries OpenNear's answer is made of.
type nearPart struct {
	from string
	args []any
}

// openNear is OpenNearAs over a short span, starts in [from, to): a scan of each of
// the small indexes by environment, component and person, and the links.
func (q Q) openNear(ctx context.Context, n Neighbourhood, from, to int64) ([]OpenItem, error) {
	sel := `deployments WHERE ` + notFinished + ` AND `
	parts := []nearPart{
		{sel + `environment = ? AND scheduled_start >= ? AND scheduled_start < ?`, []any{n.Environment, from, to}},
		{sel + `component = ? AND scheduled_start >= ? AND scheduled_start < ?`, []any{n.Component, from, to}},
	}
	if n.Assignee != "" {
		parts = append(parts, nearPart{sel + `assignee = ? AND scheduled_start >= ? AND scheduled_start < ?`,
			[]any{n.Assignee, from, to}})
	}
	return q.readNear(ctx, append(parts, linksNear(n)...))
}

// wideNear is the scan of the index of every unfinished deployment over starts in
// [from, to), filtered as it goes: a long span's.
func wideNear(n Neighbourhood, from, to int64) nearPart {
	return nearPart{`deployments INDEXED BY deployments_open WHERE ` + notFinished +
		` AND scheduled_start >= ? AND scheduled_start < ?
		AND (environment = ? OR component = ? OR (? <> '' AND assignee = ?))`,
		[]any{from, to, n.Environment, n.Component, n.Assignee, n.Assignee}}
}

// linksNear are n's dependency and dependents, wherever they start.
func linksNear(n Neighbourhood) []nearPart {
	sel := `deployments WHERE ` + notFinished
	parts := []nearPart{{sel + ` AND id = ?`, []any{n.After}}}
	if n.ID != 0 {
		parts = append(parts, nearPart{sel + ` AND after_id = ?`, []any{n.ID}})
	}
	return parts
}

// readNear reads parts, each deployment once.
func (q Q) readNear(ctx context.Context, parts []nearPart) ([]OpenItem, error) {
	found := make([][]OpenItem, len(parts))
	for i, p := range parts {
		var err error
		if found[i], err = q.openItems(ctx, p.from, p.args...); err != nil {
			return nil, err
		}
	}
	return mergeOpen(found), nil
}

// mergeOpen joins the parts' rows, each deployment once, in the order first found.
// A busy environment's day holds hundreds: an OpenItem is big, so the result is sized
// once rather than grown, and a single part (often the whole answer) is returned as is.
func mergeOpen(found [][]OpenItem) []OpenItem {
	total, nonEmpty := 0, 0
	for _, items := range found {
		total += len(items)
		if len(items) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty <= 1 {
		for _, items := range found {
			if len(items) > 0 {
				return items
			}
		}
		return nil
	}
	seen := make(map[int64]struct{}, total)
	out := make([]OpenItem, 0, total)
	for _, items := range found {
		for _, it := range items {
			if _, dup := seen[it.ID]; !dup {
				seen[it.ID] = struct{}{}
				out = append(out, it)
			}
		}
	}
	return out
}

// wideSpan is the span, in seconds, from which OpenNear scans the covering index.
const wideSpan = 2 * 24 * 3600

// OpenOfVersion loads unfinished deployments of one component version (promotion
// checks look for the one in the previous environment).
func (q Q) OpenOfVersion(ctx context.Context, component, version string) ([]OpenItem, error) {
	return q.openItems(ctx, `deployments WHERE `+notFinished+` AND component = ? AND version = ?`, component, version)
}

// VersionKey names one version of a component in one environment.
type VersionKey struct{ Component, Version, Environment string }

// Succeeded returns which of the given component versions already succeeded in the
// given environments: one statement, whatever the number asked.
func (q Q) Succeeded(ctx context.Context, keys []VersionKey) (map[VersionKey]bool, error) {
	out := map[VersionKey]bool{}
	if len(keys) == 0 {
		return out, nil
	}
	arr := make([][3]string, len(keys))
	for i, k := range keys {
		arr[i] = [3]string{k.Component, k.Version, k.Environment}
	}
	b, err := json.Marshal(arr)
	if err != nil {
		return nil, err
	}
	rows, err := q.db.QueryContext(ctx, `SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2 FROM json_each(?) j
		WHERE EXISTS (SELECT 1 FROM deployments d WHERE d.component = j.value ->> 0 AND d.version = j.value ->> 1
			AND d.environment = j.value ->> 2 AND d.status = 'succeeded')`, string(b))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k VersionKey
		if err := rows.Scan(&k.Component, &k.Version, &k.Environment); err != nil {
			return nil, mapErr(err)
		}
		out[k] = true
	}
	return out, mapErr(rows.Err())
}

// SucceededAfter returns which of the failures ds (by ID) a deployment of the same
// component version succeeded after (or in the same second), in the same
// environment: one statement.
func (q Q) SucceededAfter(ctx context.Context, ds []models.Deployment) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ds) == 0 {
		return out, nil
	}
	arr := make([][5]any, len(ds))
	for i, d := range ds {
		arr[i] = [5]any{d.ID, d.Component, d.Version, d.Environment, d.FinishedAt.Unix()}
	}
	b, err := json.Marshal(arr)
	if err != nil {
		return nil, err
	}
	return q.idSet(ctx, `SELECT j.value ->> 0 FROM json_each(?) j
		WHERE EXISTS (SELECT 1 FROM deployments d WHERE d.component = j.value ->> 1 AND d.version = j.value ->> 2
			AND d.environment = j.value ->> 3 AND d.status = 'succeeded' AND d.finished_at >= j.value ->> 4)`, string(b))
}

// idSet is the IDs query returns, as a set.
func (q Q) idSet(ctx context.Context, query string, args ...any) (map[int64]bool, error) {
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, mapErr(err)
		}
		out[id] = true
	}
	return out, mapErr(rows.Err())
}

// Outcome of finished deployments that unfinished ones depend on.
func (q Q) FinishedStatus(ctx context.Context, ids []int64) (map[int64]models.Status, error) {
	out := map[int64]models.Status{}
	if len(ids) == 0 {
		return out, nil
	}
	b, _ := json.Marshal(ids)
	rows, err := q.db.QueryContext(ctx, `SELECT d.id, d.status FROM json_each(?) j JOIN deployments d ON d.id = j.value
		WHERE d.status IN ('succeeded', 'failed', 'rolled_back', 'cancelled')`, string(b))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var s models.Status
		if err := rows.Scan(&id, &s); err != nil {
			return nil, mapErr(err)
		}
		out[id] = s
	}
	return out, mapErr(rows.Err())
}

// AddOverride records an accepted conflict.
func (q Q) AddOverride(ctx context.Context, o models.Override) error {
	ids := make([]string, len(o.IDs))
	for i, id := range o.IDs {
		ids[i] = itoa(id)
	}
	_, err := q.db.ExecContext(ctx, `INSERT INTO overrides (conflict_key, kind, deployment_ids, reason, actor, at)
		VALUES (?, ?, ?, ?, ?, ?)`, o.Key, o.Kind, strings.Join(ids, ","), o.Reason, o.Actor, o.At.Unix())
	return mapErr(err)
}

// Overrides returns every recorded override by key.
func (q Q) Overrides(ctx context.Context) (map[string]models.Override, error) {
	list, err := q.overrides(ctx, ``)
	out := make(map[string]models.Override, len(list))
	for _, o := range list {
		out[o.Key] = o
	}
	return out, err
}

// OverridesBetween lists overrides made in [from, to), oldest first.
func (q Q) OverridesBetween(ctx context.Context, from, to time.Time) ([]models.Override, error) {
	return q.overrides(ctx, `WHERE at >= ? AND at < ? ORDER BY at`, from.Unix(), to.Unix())
}

func (q Q) overrides(ctx context.Context, where string, args ...any) ([]models.Override, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT conflict_key, kind, deployment_ids, reason, actor, at FROM overrides `+where, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []models.Override
	for rows.Next() {
		var o models.Override
		var ids string
		var at int64
		if err := rows.Scan(&o.Key, &o.Kind, &ids, &o.Reason, &o.Actor, &at); err != nil {
			return nil, mapErr(err)
		}
		for f := range strings.SplitSeq(ids, ",") {
			if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
				o.IDs = append(o.IDs, id)
			}
		}
		o.At = time.Unix(at, 0).UTC()
		out = append(out, o)
	}
	return out, mapErr(rows.Err())
}
