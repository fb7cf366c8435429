package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"

	"ferry/models"
)

// Bulk is one batch of a bulk load: an IMMEDIATE transaction on the writer connection
// with its insert statements prepared once. It is the fast path for loading many
// records at a time (imports, demo data); everyday changes go through Write.
//
// Rows are inserted as given: deployments keep their explicit ids and progress
// counts, so the caller is responsible for their consistency (steps_done counting the
// step runs that are done or skipped, steps_total their number). Inserting rows in
// ascending id and scheduled start order keeps the indexes append-only and the load
// fast. A Bulk is only valid inside the function passed to Store.Bulk.
type Bulk struct {
	ctx context.Context
	tx  *sql.Tx
	// prepared on first use, closed when the batch ends
	deployment, incident, attempt, review *sql.Stmt
	// multi-row statements: flushed every bulkRows rows
	depRows   []any
	stepRows  []any
	eventRows []any
	depMany   *sql.Stmt
	stepMany  *sql.Stmt
	eventMany *sql.Stmt
	n         BulkCounts
	search    *searchPause
	// the events' chain: the last id and link, so each event gets the next id and
	// its link as it is buffered
	lastEvent int64
	lastLink  []byte
	queued    []*queuedEvents // Events not yet buffered as rows
	err       error           // a failure outside fn's view, returned by Store.Bulk
	// the components and environments the batch touched: their state rows are
	// recomputed before it commits
	pairs map[pair]bool
}

// BulkCounts says how many rows a batch inserted.
type BulkCounts struct {
	Deployments, StepRuns, Events, Incidents int
}

// How many buffered rows go into one multi-row INSERT: fewer statements means far
// less per-call overhead in database/sql and the driver (about 1.6× faster), and
// fewer copies of each page the statement changes kept in case it must be undone
// alone (with 32 deployments and 64 events or step runs per statement, those
// copies were 2.6 s of the 1M demo's 66; 256 and 512 made it 60 s).
const (
	bulkRows           = 512
	bulkDeploymentRows = 256
)

const (
	deploymentRowCols = 23
	stepRunCols       = 8
	eventCols         = 8
)

// Bulk runs fn in one IMMEDIATE write transaction with prepared insert statements and
// commits what fn inserted, or nothing if fn fails. Call it once per batch: around
// 10,000 deployments with their step runs and events per call keeps transactions
// short enough for other writers and long enough to be fast.
//
// The search index is written once, at the end of the batch, for every deployment the
// batch inserted or added rows to, before the batch commits.
func (s *Store) Bulk(ctx context.Context, fn func(b *Bulk) error) error {
	return s.bulkTx(ctx, func(tx *sql.Tx) error {
		b := &Bulk{ctx: ctx, tx: tx, pairs: map[pair]bool{}}
		defer b.close()
		q := Q{db: tx}
		var err error
		if b.lastEvent, b.lastLink, err = q.lastLink(ctx, "events"); err != nil {
			return err
		}
		if err := q.markStale(ctx); err != nil {
			return err
		}
		// Stored conflicts are not kept row by row through a bulk load: the next engine
		// to open recomputes them once.
		if err := q.MarkConflictsStale(ctx); err != nil {
			return err
		}
		if b.search, err = pauseSearch(ctx, tx); err != nil {
			return err
		}
		if err := cmp.Or(fn(b), b.err); err != nil {
			return err
		}
		if err := b.Flush(); err != nil {
			return err
		}
		if err := b.search.resume(ctx, tx); err != nil {
			return err
		}
		for p := range b.pairs {
			if err := q.refreshPair(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
}

// bulkTx runs fn in a write transaction on the writer connection, without the hook
// before commit: a bulk load's own steps.
func (s *Store) bulkTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return s.plain(err)
	}
	return s.plain(mapErr(tx.Commit()))
}

// Q runs any other query inside the batch's transaction. Call Flush first if the
// query must see the rows buffered so far. The first call puts the search index's
// triggers back (see searchPause), so that what Q writes is indexed: the rest of the
// batch is then slower.
func (b *Bulk) Q() Q {
	if err := b.search.resume(b.ctx, b.tx); err != nil && b.err == nil {
		b.err = err // the batch fails
	}
	return Q{db: b.tx}
}

// Counts is what the batch has inserted so far, buffered rows included.
func (b *Bulk) Counts() BulkCounts { return b.n }

func (b *Bulk) close() {
	for _, st := range []*sql.Stmt{b.deployment, b.incident, b.attempt, b.review, b.depMany, b.stepMany, b.eventMany} {
		if st != nil {
			st.Close()
		}
	}
}

func (b *Bulk) prepare(st **sql.Stmt, query string) (*sql.Stmt, error) {
	if *st == nil {
		p, err := b.tx.PrepareContext(b.ctx, query)
		if err != nil {
			return nil, mapErr(err)
		}
		*st = p
	}
	return *st, nil
}

// Deployment inserts a deployment row as it is, with its status, times and progress
// counts, and returns its id. Step runs are not created: add them with StepRun.
//
// When d.ID is set (it must be new) the row is buffered and written together with
// others, which is much faster; a constraint error may then surface on a later call or
// when the batch ends. When it is zero, SQLite assigns the id at once.
func (b *Bulk) Deployment(d models.Deployment, modelVersionID int64) (int64, error) {
	b.pairs[pair{d.Component, d.Environment}] = true
	if d.ID == 0 {
		if err := b.flushDeployments(); err != nil {
			return 0, err
		}
		st, err := b.prepare(&b.deployment, deploymentInsert+values(1, deploymentRowCols))
		if err != nil {
			return 0, err
		}
		res, err := st.ExecContext(b.ctx, deploymentArgs(nil, d, modelVersionID)...)
		if err != nil {
			return 0, fmt.Errorf("deployment of %s %s to %s: %w", d.Component, d.Version, d.Environment, mapErr(err))
		}
		b.n.Deployments++
		id, err := res.LastInsertId()
		b.search.touch(id)
		return id, err
	}
	b.search.touch(d.ID)
	b.depRows = deploymentArgs(b.depRows, d, modelVersionID)
	b.n.Deployments++
	if len(b.depRows) == bulkDeploymentRows*deploymentRowCols {
		return d.ID, b.flushDeployments()
	}
	return d.ID, nil
}

func deploymentArgs(args []any, d models.Deployment, modelVersionID int64) []any {
	var id sql.NullInt64
	if d.ID != 0 {
		id = sql.NullInt64{Int64: d.ID, Valid: true}
	}
	return append(args, id, modelVersionID, d.Model, d.ModelVersion, d.Service, d.Component,
		string(d.Kind), d.Version, string(d.Action), d.Environment, string(d.Status), d.Assignee, d.Requester,
		d.ChangeRef, d.ScheduledStart.Unix(), d.ScheduledEnd.Unix(), unix(d.StartedAt), unix(d.FinishedAt),
		d.CreatedAt.Unix(), d.UpdatedAt.Unix(), d.StepsDone, d.StepsTotal, d.PlannedBy)
}

// StepRun inserts the state of one step of a deployment inserted before (in this
// batch or an earlier one). Rows are buffered and written several at a time; a
// constraint error may therefore surface on a later call or when the batch ends.
func (b *Bulk) StepRun(r models.StepRun) error {
	var exit sql.NullInt64
	if r.ExitCode != nil {
		exit = sql.NullInt64{Int64: int64(*r.ExitCode), Valid: true}
	}
	status := r.Status
	if status == "" {
		status = models.StepPending
	}
	if r.Note != "" {
		b.search.touch(r.DeploymentID)
	}
	b.stepRows = append(b.stepRows, r.DeploymentID, r.Seq, string(status), r.Actor, unix(r.At), r.Note, r.BlockReason, exit)
	b.n.StepRuns++
	if len(b.stepRows) == bulkRows*stepRunCols {
		return b.flushSteps()
	}
	return nil
}

// Event appends an entry to a deployment's record, with the next id and its link in
// the record's chain (e.ID, when set, must be that id); the record lists a
// deployment's events in id order. Rows are buffered like step runs.
func (b *Bulk) Event(e models.Event) error {
	if err := b.linkQueued(); err != nil {
		return err
	}
	if err := nextEvent(e, b.lastEvent+1); err != nil {
		return err
	}
	e.ID = b.lastEvent + 1
	b.lastLink, b.lastEvent = e.Link(b.lastLink), e.ID
	b.search.touch(e.DeploymentID)
	b.eventRows = append(b.eventRows, e.ID, e.DeploymentID, e.At.Unix(), e.Actor, e.Type, e.Detail, e.Principal, b.lastLink)
	b.n.Events++
	if len(b.eventRows) == bulkRows*eventCols {
		return b.flushEvents()
	}
	return nil
}

// Events queues a batch's events, in order, to be appended after the batch's other
// rows: each gets the next id (e.ID, when set, must be that id) and its link, which
// another goroutine computes while the batch's deployments and steps are written
// (on the 1M demo, 6.1M links took 1.7 s of the writer's time). That goroutine reads
// list: leave it as it is until the batch ends.
func (b *Bulk) Events(list []models.Event) error {
	if err := b.linkQueued(); err != nil { // Event and Events take their turn
		return err
	}
	first := b.lastEvent + 1
	for i, e := range list {
		if err := nextEvent(e, first+int64(i)); err != nil {
			return err
		}
	}
	q := &queuedEvents{list: list, first: first, links: make(chan []byte, 1)}
	go q.link(b.lastLink)
	b.queued = append(b.queued, q)
	b.lastEvent += int64(len(list))
	b.n.Events += len(list)
	return nil
}

// nextEvent refuses e when it names an id other than next, the one it gets.
func nextEvent(e models.Event, next int64) error {
	if e.ID != 0 && e.ID != next {
		return fmt.Errorf("event id %d: the record's next id is %d (events are appended in order)", e.ID, next)
	}
	return nil
}

// queuedEvents are events whose links are being computed.
type queuedEvents struct {
	list  []models.Event
	first int64
	out   [][]byte    // each event's link, once links has sent the last
	links chan []byte // the last link
}

func (q *queuedEvents) link(prev []byte) {
	q.out = make([][]byte, len(q.list))
	for i := range q.list {
		e := q.list[i]
		e.ID = q.first + int64(i)
		prev = e.Link(prev)
		q.out[i] = prev
	}
	q.links <- prev
}

// linkQueued buffers the queued events as rows, in order, once they are linked.
func (b *Bulk) linkQueued() error {
	for len(b.queued) > 0 {
		if b.err != nil { // a flush failed: the batch fails, and nothing waits again
			return b.err
		}
		q := b.queued[0]
		b.queued = b.queued[1:]
		last := <-q.links
		for i, e := range q.list {
			b.search.touch(e.DeploymentID)
			b.eventRows = append(b.eventRows, q.first+int64(i), e.DeploymentID, e.At.Unix(), e.Actor, e.Type, e.Detail,
				e.Principal, q.out[i])
			if len(b.eventRows) == bulkRows*eventCols {
				if err := b.flushEvents(); err != nil {
					b.err = cmp.Or(b.err, err)
					return err
				}
			}
		}
		if len(q.list) > 0 {
			b.lastLink = last
		}
	}
	return nil
}

// Attempt keeps a finished attempt at an automated step (the demo's rollbacks, which
// are recorded only as attempts: their seq follows the checklist's steps).
func (b *Bulk) Attempt(a models.Attempt) error {
	if err := b.flushDeployments(); err != nil {
		return err
	}
	st, err := b.prepare(&b.attempt, `INSERT INTO step_attempts (deployment_id, seq, attempt, status, holder, host,
		boot_id, started_at, finished_at, exit_code, lines, bytes, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	var exit sql.NullInt64
	if a.ExitCode != nil {
		exit = sql.NullInt64{Int64: int64(*a.ExitCode), Valid: true}
	}
	if _, err := st.ExecContext(b.ctx, a.DeploymentID, a.Seq, max(a.Attempt, 1), a.Status, a.Holder, a.Host, a.BootID,
		a.StartedAt.UnixMilli(), unixMilli(a.FinishedAt), exit, a.Lines, a.Bytes, a.Detail); err != nil {
		return fmt.Errorf("attempt at step %d of deployment #%d: %w", a.Seq, a.DeploymentID, mapErr(err))
	}
	return nil
}

// Review keeps a deployment's review (the demo's reviews; the engine writes through
// SetReview).
func (b *Bulk) Review(r models.Review) error {
	if err := b.flushDeployments(); err != nil {
		return err
	}
	st, err := b.prepare(&b.review, `INSERT INTO reviews (deployment_id, outcome, satisfaction,
		lead_time_satisfaction, quality, category, lessons, reviewer, reviewed_at, model, model_version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	if _, err := st.ExecContext(b.ctx, r.DeploymentID, r.Outcome, score(r.Satisfaction),
		score(r.LeadTimeSatisfaction), score(r.Quality), r.Category, r.Lessons, r.Reviewer, r.ReviewedAt.Unix(),
		r.Model, r.ModelVersion); err != nil {
		return fmt.Errorf("review of deployment #%d: %w", r.DeploymentID, mapErr(err))
	}
	b.search.touch(r.DeploymentID)
	return nil
}

// Incident links a disruption to a deployment; in.ID is used when set. A zero
// ResolvedAt stores an incident that is still open.
func (b *Bulk) Incident(in models.Incident) error {
	if err := b.flushDeployments(); err != nil {
		return err
	}
	st, err := b.prepare(&b.incident,
		`INSERT INTO incidents (id, deployment_id, opened_at, resolved_at, summary) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	var id sql.NullInt64
	if in.ID != 0 {
		id = sql.NullInt64{Int64: in.ID, Valid: true}
	}
	if _, err := st.ExecContext(b.ctx, id, in.DeploymentID, in.OpenedAt.Unix(), unix(in.ResolvedAt), in.Summary); err != nil {
		return fmt.Errorf("incident of deployment #%d: %w", in.DeploymentID, mapErr(err))
	}
	b.search.touch(in.DeploymentID)
	b.n.Incidents++
	return nil
}

const (
	deploymentInsert = `INSERT INTO deployments (id, model_version_id, model, model_version,
		service, component, kind, version, action, environment, status, assignee, requester, change_ref,
		scheduled_start, scheduled_end, started_at, finished_at, created_at, updated_at, steps_done, steps_total, planned_by)
		VALUES `
	stepRunInsert = `INSERT INTO step_runs (deployment_id, seq, status, actor, at, note, block_reason, exit_code) VALUES `
	eventInsert   = `INSERT INTO events (id, deployment_id, at, actor, type, detail, principal, hash) VALUES `
)

// values is "(?, ?), (?, ?)" for rows rows of cols columns.
func values(rows, cols int) string {
	one := make([]byte, 0, 3*cols+2)
	one = append(one, '(')
	for i := range cols {
		if i > 0 {
			one = append(one, ',')
		}
		one = append(one, '?')
	}
	one = append(one, ')')
	out := make([]byte, 0, rows*(len(one)+1))
	for i := range rows {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, one...)
	}
	return string(out)
}

// flushRows writes buffered rows of cols columns with one multi-row INSERT: the
// prepared statement for a full buffer of full rows, a one-off one for the rest.
func (b *Bulk) flushRows(buf *[]any, cols, full int, many **sql.Stmt, insert, what string) error {
	rows := len(*buf) / cols
	if rows == 0 {
		return nil
	}
	var st *sql.Stmt
	var err error
	if rows == full {
		st, err = b.prepare(many, insert+values(full, cols))
	} else {
		st, err = b.tx.PrepareContext(b.ctx, insert+values(rows, cols))
		if err == nil {
			defer st.Close()
		}
	}
	if err != nil {
		return mapErr(err)
	}
	if _, err := st.ExecContext(b.ctx, (*buf)...); err != nil {
		return fmt.Errorf("%s: %w", what, mapErr(err))
	}
	*buf = (*buf)[:0]
	return nil
}

func (b *Bulk) flushDeployments() error {
	if len(b.depRows) == 0 {
		return nil
	}
	what := fmt.Sprintf("deployments #%v to #%v", b.depRows[0].(sql.NullInt64).Int64,
		b.depRows[len(b.depRows)-deploymentRowCols].(sql.NullInt64).Int64)
	return b.flushRows(&b.depRows, deploymentRowCols, bulkDeploymentRows, &b.depMany, deploymentInsert, what)
}

// flushSteps writes the buffered step runs, after the deployments they refer to.
func (b *Bulk) flushSteps() error {
	if len(b.stepRows) == 0 {
		return nil
	}
	if err := b.flushDeployments(); err != nil {
		return err
	}
	what := fmt.Sprintf("step runs of deployments #%v to #%v", b.stepRows[0], b.stepRows[len(b.stepRows)-stepRunCols])
	return b.flushRows(&b.stepRows, stepRunCols, bulkRows, &b.stepMany, stepRunInsert, what)
}

// flushEvents writes the buffered events, after the deployments they refer to.
func (b *Bulk) flushEvents() error {
	if len(b.eventRows) == 0 {
		return nil
	}
	if err := b.flushDeployments(); err != nil {
		return err
	}
	what := fmt.Sprintf("events of deployments #%v to #%v", b.eventRows[1], b.eventRows[len(b.eventRows)-eventCols+1])
	return b.flushRows(&b.eventRows, eventCols, bulkRows, &b.eventMany, eventInsert, what)
}

// Flush writes the buffered step runs and events now; the batch does it by itself
// before it commits.
func (b *Bulk) Flush() error {
	if err := b.flushDeployments(); err != nil {
		return err
	}
	if err := b.linkQueued(); err != nil {
		return err
	}
	if err := b.flushSteps(); err != nil {
		return err
	}
	return b.flushEvents()
}

// CountDeployments is how many deployments the database holds.
func (q Q) CountDeployments(ctx context.Context) (int, error) {
	var n int
	err := q.db.QueryRowContext(ctx, `SELECT count(*) FROM deployments`).Scan(&n)
	return n, mapErr(err)
}
