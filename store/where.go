package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"ferry/models"
)

// The current state of each component in each environment (table env_state): the
// deployment that last succeeded there and the one running there or planned next. It
// is kept in the transaction of every change that can move either: a new deployment,
// a status change, a new window (see reroll and rollNew), and a bulk load.

// pair is one component in one environment.
type pair struct{ component, environment string }

// refreshEnvState recomputes the row of one component and environment from the
// deployments, through two index look-ups; a pair with neither loses its row.
const refreshEnvState = `INSERT INTO env_state (component, environment, current_id, next_id)
	SELECT ?1, ?2,
		(SELECT id FROM deployments INDEXED BY deployments_succeeded WHERE component = ?1 AND environment = ?2
			AND status = 'succeeded' ORDER BY finished_at DESC, id DESC LIMIT 1),
		(SELECT id FROM deployments WHERE component = ?1 AND environment = ?2
			AND status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled')
			ORDER BY status = 'planned', scheduled_start, id LIMIT 1)
	ON CONFLICT (component, environment) DO UPDATE SET current_id = excluded.current_id, next_id = excluded.next_id`

func (q Q) refreshPair(ctx context.Context, p pair) error {
	if _, err := q.db.ExecContext(ctx, refreshEnvState, p.component, p.environment); err != nil {
		return mapErr(err)
	}
	_, err := q.db.ExecContext(ctx, `DELETE FROM env_state WHERE component = ? AND environment = ?
		AND current_id IS NULL AND next_id IS NULL`, p.component, p.environment)
	return mapErr(err)
}

// refreshOf refreshes the pair of deployment id.
func (q Q) refreshOf(ctx context.Context, id int64) error {
	var p pair
	if err := q.db.QueryRowContext(ctx, `SELECT component, environment FROM deployments WHERE id = ?`, id).
		Scan(&p.component, &p.environment); err != nil {
		return mapErr(err)
	}
	return q.refreshPair(ctx, p)
}

// StateCell is one component in one environment: the deployment that last
// succeeded there (Current, nil if none; it may be a removal) and the one running
// or planned next (Next, nil if none).
type StateCell struct {
	Component, Environment string
	Current, Next          *models.Deployment
}

// EnvState lists the cells of the state table, optionally for one component, by
// component then environment: one read of the table, one of the deployments named.
func (q Q) EnvState(ctx context.Context, component string) ([]StateCell, error) {
	query := `SELECT component, environment, current_id, next_id FROM env_state`
	var args []any
	if component != "" {
		query += ` WHERE component = ?`
		args = append(args, component)
	}
	rows, err := q.db.QueryContext(ctx, query+` ORDER BY component, environment`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	type ids struct{ current, next sql.NullInt64 }
	var cells []StateCell
	var refs []ids
	for rows.Next() {
		var c StateCell
		var r ids
		if err := rows.Scan(&c.Component, &c.Environment, &r.current, &r.next); err != nil {
			rows.Close()
			return nil, mapErr(err)
		}
		cells, refs = append(cells, c), append(refs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	var want []int64
	for _, r := range refs {
		for _, id := range []sql.NullInt64{r.current, r.next} {
			if id.Valid {
				want = append(want, id.Int64)
			}
		}
	}
	byID, err := q.deploymentsByID(ctx, want)
	if err != nil {
		return nil, err
	}
	for i, r := range refs {
		cells[i].Current, cells[i].Next = byID[r.current.Int64], byID[r.next.Int64]
	}
	return cells, nil
}

// deploymentsByID loads the deployments with the given ids.
func (q Q) deploymentsByID(ctx context.Context, ids []int64) (map[int64]*models.Deployment, error) {
	out := make(map[int64]*models.Deployment, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		rows, err := q.db.QueryContext(ctx, `SELECT `+deploymentCols+` FROM deployments WHERE id IN (?`+
			strings.Repeat(",?", n-1)+`)`, args...)
		if err != nil {
			return nil, mapErr(err)
		}
		for rows.Next() {
			d, err := scanDeployment(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[d.ID] = &d
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapErr(err)
		}
		ids = ids[n:]
	}
	return out, nil
}

// WhereDiffs recomputes the state table from the deployments, in Go and by another
// route than the one that keeps it, and lists every place the stored table differs;
// none means the matrix is exact.
func (q Q) WhereDiffs(ctx context.Context) ([]string, error) {
	want, err := q.recountWhere(ctx)
	if err != nil {
		return nil, err
	}
	stored := map[pair][2]int64{}
	rows, err := q.db.QueryContext(ctx, `SELECT component, environment, coalesce(current_id, 0), coalesce(next_id, 0) FROM env_state`)
	if err != nil {
		return nil, mapErr(err)
	}
	for rows.Next() {
		var p pair
		var v [2]int64
		if err := rows.Scan(&p.component, &p.environment, &v[0], &v[1]); err != nil {
			rows.Close()
			return nil, mapErr(err)
		}
		stored[p] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	var diffs []string
	for p, w := range want {
		if s, ok := stored[p]; !ok || s != w {
			diffs = append(diffs, fmt.Sprintf("%s in %s: stored current #%d next #%d, recounted current #%d next #%d",
				p.component, p.environment, s[0], s[1], w[0], w[1]))
		}
	}
	for p, s := range stored {
		if _, ok := want[p]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s in %s: stored current #%d next #%d, recounted nothing", p.component, p.environment, s[0], s[1]))
		}
	}
	slices.Sort(diffs)
	return diffs, nil
}

// recountWhere replays every deployment: the last success of each pair, and its
// running (else earliest planned) one.
func (q Q) recountWhere(ctx context.Context) (map[pair][2]int64, error) {
	type best struct {
		cur       int64
		curAt     int64
		next      int64
		nextRun   bool
		nextStart int64
	}
	rows, err := q.db.QueryContext(ctx, `SELECT id, component, environment, status, coalesce(finished_at, 0), scheduled_start FROM deployments`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	all := map[pair]*best{}
	for rows.Next() {
		var id, fin, start int64
		var p pair
		var s models.Status
		if err := rows.Scan(&id, &p.component, &p.environment, &s, &fin, &start); err != nil {
			return nil, mapErr(err)
		}
		b := all[p]
		if b == nil {
			b = &best{}
		}
		switch {
		case s == models.StatusSucceeded:
			if b.cur == 0 || cmp.Or(cmp.Compare(fin, b.curAt), cmp.Compare(id, b.cur)) > 0 {
				b.cur, b.curAt = id, fin
			}
		case !s.Final():
			run := s.Running()
			if b.next == 0 || (run && !b.nextRun) ||
				(run == b.nextRun && cmp.Or(cmp.Compare(start, b.nextStart), cmp.Compare(id, b.next)) < 0) {
				b.next, b.nextRun, b.nextStart = id, run, start
			}
		}
		if b.cur != 0 || b.next != 0 {
			all[p] = b
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	out := make(map[pair][2]int64, len(all))
	for p, b := range all {
		out[p] = [2]int64{b.cur, b.next}
	}
	return out, nil
}
