package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

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
	_, err := q.db.ExecContext(ctx, dropEmptyEnvState, p.component, p.environment)
	return mapErr(err)
}

// dropEmptyEnvState removes the row of a pair with neither a current nor a next.
const dropEmptyEnvState = `DELETE FROM env_state WHERE component = ? AND environment = ?
	AND current_id IS NULL AND next_id IS NULL`

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
// component then environment: one statement, which joins each cell's two
// deployments, reading only the columns the matrix shows.
func (q Q) EnvState(ctx context.Context, component string) ([]StateCell, error) {
	query := `SELECT s.component, s.environment, ` + cellCols("c") + `, ` + cellCols("n") + `
		FROM env_state s LEFT JOIN deployments c ON c.id = s.current_id LEFT JOIN deployments n ON n.id = s.next_id`
	var args []any
	if component != "" {
		query += ` WHERE s.component = ?`
		args = append(args, component)
	}
	rows, err := q.db.QueryContext(ctx, query+` ORDER BY s.component, s.environment`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []StateCell
	for rows.Next() {
		var c StateCell
		var cur, next cellDeployment
		if err := rows.Scan(append(append([]any{&c.Component, &c.Environment}, cur.dest()...), next.dest()...)...); err != nil {
			return nil, mapErr(err)
		}
		c.Current, c.Next = cur.deployment(), next.deployment()
		out = append(out, c)
	}
	return out, mapErr(rows.Err())
}

// cellCols are the columns of a cell's deployment (alias t) that the matrix reads.
func cellCols(t string) string {
	var cols []string
	for _, c := range []string{"id", "model", "service", "component", "kind", "version", "action", "environment", "status",
		"assignee", "requester", "scheduled_start", "scheduled_end", "started_at", "finished_at"} {
		cols = append(cols, t+"."+c)
	}
	return strings.Join(cols, ", ")
}

// cellDeployment scans cellCols of a deployment that may be missing (NULLs).
type cellDeployment struct {
	id                                                                                sql.NullInt64
	model, service, component, kind, version, action, environment, status, who, asker sql.NullString
	start, end, started, finished                                                     sql.NullInt64
}

func (c *cellDeployment) dest() []any {
	return []any{&c.id, &c.model, &c.service, &c.component, &c.kind, &c.version, &c.action, &c.environment, &c.status,
		&c.who, &c.asker, &c.start, &c.end, &c.started, &c.finished}
}

func (c *cellDeployment) deployment() *models.Deployment {
	if !c.id.Valid {
		return nil
	}
	return &models.Deployment{ID: c.id.Int64, Model: c.model.String, Service: c.service.String, Component: c.component.String,
		Kind: models.Kind(c.kind.String), Version: c.version.String, Action: models.Action(c.action.String),
		Environment: c.environment.String, Status: models.Status(c.status.String), Assignee: c.who.String,
		Requester:      c.asker.String,
		ScheduledStart: time.Unix(c.start.Int64, 0).UTC(), ScheduledEnd: time.Unix(c.end.Int64, 0).UTC(),
		StartedAt: fromUnix(c.started), FinishedAt: fromUnix(c.finished)}
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
