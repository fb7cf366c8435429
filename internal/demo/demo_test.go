package demo

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"ferry"
	"ferry/engine"
	"ferry/engine/config"
	"ferry/internal/race"
	"ferry/models"
	"ferry/store"
)

func testConfig(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Parse("config.toml", ferry.DefaultConfig)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// testNow is a Thursday morning in Berlin.
func testNow(t testing.TB, cfg *config.Config) time.Time {
	return time.Date(2026, 11, 26, 10, 30, 0, 0, cfg.Location)
}

func generate(t testing.TB, path string, n int, seed int64) (*store.Store, Result) {
	t.Helper()
	return generateBatched(t, path, n, seed, batchSize)
}

// generateBatched is generate writing batch deployments per transaction.
func generateBatched(t testing.TB, path string, n int, seed int64, batch int) (*store.Store, Result) {
	t.Helper()
	st, res, err := build(path, n, seed, batch)
	if st != nil {
		t.Cleanup(func() { st.Close() })
	}
	if err != nil {
		t.Fatal(err)
	}
	return st, res
}

// build writes a demo history of n deployments into a new database at path.
func build(path string, n int, seed int64, batch int) (*store.Store, Result, error) {
	cfg, err := config.Parse("config.toml", ferry.DefaultConfig)
	if err != nil {
		return nil, Result{}, err
	}
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Loading()) // as ferry demo opens it
	if err != nil {
		return nil, Result{}, err
	}
	res, err := generateInBatches(ctx, st, cfg, Options{Deployments: n, Seed: seed, Now: time.Date(2026, 11, 26, 10, 30, 0, 0, cfg.Location)}, batch)
	return st, res, err
}

// The tests that only read share one history, built once: building it is most of
// their time, under the race detector most of all. It is written in several
// batches, so the bulk load's batch boundaries are covered too.
const (
	sharedN     = 3000
	sharedSeed  = 7
	sharedBatch = 1000
)

var shared struct {
	once      sync.Once
	dir, path string
	st        *store.Store
	res       Result
	err       error
}

// sharedDemo is the shared history: its file, its store (for reading only) and
// what Generate said.
func sharedDemo(t testing.TB) (string, *store.Store, Result) {
	t.Helper()
	shared.once.Do(func() {
		if shared.dir, shared.err = os.MkdirTemp("", "ferry-demo-test-"); shared.err != nil {
			return
		}
		shared.path = filepath.Join(shared.dir, "demo.db")
		shared.st, shared.res, shared.err = build(shared.path, sharedN, sharedSeed, sharedBatch)
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.path, shared.st, shared.res
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.st != nil {
		shared.st.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// rawDB opens the file read-only for queries the store does not offer.
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func scalar[T any](t testing.TB, db *sql.DB, query string, args ...any) T {
	t.Helper()
	var v T
	if err := db.QueryRow(query, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

// tableHash hashes every row of every table, in a fixed order.
func tableHash(t testing.TB, db *sql.DB) string {
	t.Helper()
	h := sha256.New()
	for _, q := range []string{
		`SELECT * FROM model_versions ORDER BY id`,
		`SELECT * FROM deployments ORDER BY id`,
		`SELECT * FROM step_runs ORDER BY deployment_id, seq`,
		`SELECT * FROM events ORDER BY id`,
		`SELECT * FROM incidents ORDER BY id`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(h, vals...)
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestGenerate(t *testing.T) {
	const n = sharedN
	path, st, res := sharedDemo(t)
	ctx := context.Background()
	cfg := testConfig(t)
	now := testNow(t, cfg).UTC()
	t.Logf("result %+v", res)

	if got, err := st.Read().CountDeployments(ctx); err != nil || got != n || res.Deployments != n {
		t.Fatalf("count = %d (%v), result says %d; want %d", got, err, res.Deployments, n)
	}
	db := rawDB(t, path)
	if got := scalar[int](t, db, `SELECT count(*) FROM step_runs`); got != res.Steps {
		t.Fatalf("result says %d steps, table has %d", res.Steps, got)
	}

	// Every deployment follows its model version: environment on the path, kind
	// covered, one step run per step, progress counts matching the step runs.
	versions := map[string]models.Model{}
	rows, err := db.Query(`SELECT name, version FROM model_versions`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var v int
		rows.Scan(&name, &v)
		m, err := st.Read().ModelVersion(ctx, name, v)
		if err != nil {
			t.Fatal(err)
		}
		versions[fmt.Sprintf("%s/%d", name, v)] = m
	}
	rows.Close()
	if len(versions) != len(cfg.Models)+2 {
		t.Fatalf("want every config model plus two older versions, got %d versions", len(versions))
	}
	oldUsed := scalar[int](t, db, `SELECT count(*) FROM deployments d WHERE model_version <
		(SELECT max(version) FROM model_versions v WHERE v.name = d.model)`)
	if oldUsed == 0 {
		t.Errorf("no deployment uses an older model version")
	}
	if late := scalar[int](t, db, `SELECT count(*) FROM deployments d WHERE model_version <
		(SELECT max(version) FROM model_versions v WHERE v.name = d.model) AND scheduled_start > ?`, now.Unix()-100*86400); late > 0 {
		t.Errorf("%d recent deployments use an older model version", late)
	}

	rows, err = db.Query(`SELECT d.id, d.model, d.model_version, d.kind, d.component, d.environment, d.status,
		d.steps_done, d.steps_total, d.scheduled_start, d.scheduled_end, coalesce(d.started_at, 0), coalesce(d.finished_at, 0),
		d.created_at, d.assignee, d.requester, d.change_ref,
		(SELECT count(*) FROM step_runs s WHERE s.deployment_id = d.id),
		(SELECT count(*) FROM step_runs s WHERE s.deployment_id = d.id AND s.status IN ('done', 'skipped')),
		(SELECT count(*) FROM events e WHERE e.deployment_id = d.id)
		FROM deployments d ORDER BY d.id`)
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[models.Status]int{}
	var finished, lateStarts, started, future, overdue, running, withEvents, prodInWindow, prod int
	var prevStart int64
	components := map[string]models.Component{}
	for _, c := range cfg.Components() {
		components[c.Name] = c
	}
	var prodEnv models.Environment
	for _, e := range cfg.Environments {
		if e.RequireMaintenanceWindow {
			prodEnv = e
		}
	}
	for rows.Next() {
		var id, start, end, startedAt, finishedAt, created int64
		var model, kind, comp, env, assignee, requester, chg string
		var status models.Status
		var mver, done, total, nSteps, nDone, nEvents int
		if err := rows.Scan(&id, &model, &mver, &kind, &comp, &env, &status, &done, &total, &start, &end,
			&startedAt, &finishedAt, &created, &assignee, &requester, &chg, &nSteps, &nDone, &nEvents); err != nil {
			t.Fatal(err)
		}
		m, ok := versions[fmt.Sprintf("%s/%d", model, mver)]
		if !ok {
			t.Fatalf("#%d: unknown model version %s v%d", id, model, mver)
		}
		if !m.OnPath(env) || !m.AppliesToKind(models.Kind(kind)) || components[comp].Kind != models.Kind(kind) {
			t.Fatalf("#%d: %s %s (%s) in %s does not fit model %s %v %v", id, comp, kind, components[comp].Kind, env, model, m.Kinds, m.Path)
		}
		if want := len(m.StepsFor(env)); total != want || nSteps != want || done != nDone {
			t.Fatalf("#%d: steps_total %d, step runs %d, model has %d; steps_done %d, done runs %d",
				id, total, nSteps, want, done, nDone)
		}
		if start < prevStart {
			t.Fatalf("#%d: ids are not in scheduled order", id)
		}
		prevStart = start
		if end <= start || created > start && status != models.StatusPlanned && !status.Running() {
			if end <= start || created > startedAt && startedAt != 0 {
				t.Fatalf("#%d: window %d-%d created %d started %d", id, start, end, created, startedAt)
			}
		}
		if assignee == "" || requester == "" || !strings.HasPrefix(chg, "CHG-") {
			t.Fatalf("#%d: assignee %q requester %q change %q", id, assignee, requester, chg)
		}
		if nEvents == 0 {
			t.Fatalf("#%d has no events", id)
		}
		withEvents++
		statuses[status]++
		if status.Final() {
			finished++
			if finishedAt == 0 || finishedAt >= now.Unix() {
				t.Fatalf("#%d: %s but finished at %d (now %d)", id, status, finishedAt, now.Unix())
			}
		}
		if startedAt != 0 {
			started++
			if startedAt-start > 15*60 {
				lateStarts++
			}
		}
		switch {
		case status == models.StatusPlanned && start > now.Unix():
			future++
		case status == models.StatusPlanned:
			overdue++
		case status.Running():
			running++
		}
		if env == prodEnv.Name && status.Final() && startedAt != 0 {
			prod++
			for _, w := range prodEnv.Maintenance {
				if occ := w.Occurrences(time.Unix(start, 0), time.Unix(end, 0), cfg.Location); len(occ) > 0 &&
					!occ[0].Start.After(time.Unix(start, 0)) {
					prodInWindow++
					break
				}
			}
		}
	}
	rows.Close()
	t.Logf("statuses %v; future %d overdue %d running %d; late starts %d of %d; production %d, %d in a window",
		statuses, future, overdue, running, lateStarts, started, prod, prodInWindow)
	share := func(s models.Status) float64 { return float64(statuses[s]) / float64(finished) }
	for _, c := range []struct {
		s        models.Status
		min, max float64
	}{
		{models.StatusSucceeded, 0.91, 0.97},
		{models.StatusFailed, 0.012, 0.045},
		{models.StatusRolledBack, 0.004, 0.03},
		{models.StatusCancelled, 0.006, 0.03},
	} {
		if got := share(c.s); got < c.min || got > c.max {
			t.Errorf("%s: %.1f%% of finished deployments, want %.1f%%-%.1f%%", c.s, 100*got, 100*c.min, 100*c.max)
		}
	}
	if r := float64(lateStarts) / float64(started); r < 0.05 || r > 0.16 {
		t.Errorf("%.1f%% of starts are more than 15 minutes late, want about 10%%", 100*r)
	}
	if prod == 0 || float64(prodInWindow)/float64(prod) < 0.85 {
		t.Errorf("%d of %d production deployments inside a maintenance window", prodInWindow, prod)
	}
	if running < 5 || running > 10 {
		t.Errorf("%d running deployments, want 5-10", running)
	}
	if overdue < 1 || overdue > 3 {
		t.Errorf("%d overdue planned deployments, want 1-3", overdue)
	}
	if future < 20 {
		t.Errorf("only %d planned future deployments", future)
	}
	incidents := scalar[int](t, db, `SELECT count(*) FROM incidents`)
	if r := float64(incidents) / float64(finished-statuses[models.StatusCancelled]); r < 0.01 || r > 0.045 {
		t.Errorf("incidents on %.1f%% of finished deployments, want about 2%%", 100*r)
	}
	if bad := scalar[int](t, db, `SELECT count(*) FROM incidents i JOIN deployments d ON d.id = i.deployment_id
		WHERE d.started_at IS NULL OR d.finished_at IS NULL OR i.opened_at < d.finished_at OR i.resolved_at < i.opened_at
		OR i.opened_at >= ?`, now.Unix()); bad > 0 {
		t.Errorf("%d incidents on a deployment that never started or finished, opened before it finished or after now", bad)
	}

	// Running ones have partly ticked checklists; one is blocked on power.
	partly := scalar[int](t, db, `SELECT count(*) FROM deployments
		WHERE status NOT IN ('planned', 'succeeded', 'failed', 'rolled_back', 'cancelled')
		AND steps_done > 0 AND steps_done < steps_total`)
	if partly < 5 {
		t.Errorf("%d running deployments with partly ticked checklists", partly)
	}
	var blockedNote, blockedKind string
	err = db.QueryRow(`SELECT s.block_reason, d.kind FROM step_runs s JOIN deployments d ON d.id = s.deployment_id
		WHERE s.status = 'blocked'`).Scan(&blockedNote, &blockedKind)
	if err != nil || blockedNote != "no power on PDU B" || blockedKind != "hardware" {
		t.Errorf("blocked step: %q on %q (%v)", blockedNote, blockedKind, err)
	}
	// A step shown running has a runner's attempt behind it, or it could never end:
	// the demo has no runner, so its automated steps under way were interrupted, and
	// the record says so.
	if n := scalar[int](t, db, `SELECT count(*) FROM step_runs s WHERE s.status = 'running' AND NOT EXISTS
		(SELECT 1 FROM step_attempts a WHERE a.deployment_id = s.deployment_id AND a.seq = s.seq AND a.status = 'running')`); n > 0 {
		t.Errorf("%d steps running without a running attempt", n)
	}
	if n := scalar[int](t, db, `SELECT count(*) FROM step_runs s WHERE s.status = 'interrupted' AND NOT EXISTS
		(SELECT 1 FROM events e WHERE e.deployment_id = s.deployment_id AND e.type = 'step'
			AND e.detail LIKE 'interrupted ' || s.seq || ' %')`); n > 0 {
		t.Errorf("%d interrupted steps without their event", n)
	}
	if n := scalar[int](t, db, `SELECT count(*) FROM step_runs s WHERE s.status = 'interrupted'`); n == 0 {
		t.Errorf("no interrupted step: the demo shows no run to retry")
	}
	if n := scalar[int](t, db, `SELECT count(*) FROM step_runs s JOIN deployments d ON d.id = s.deployment_id
		WHERE d.status = 'succeeded' AND s.status <> 'done'`); n > 0 {
		t.Errorf("%d steps of succeeded deployments are not done", n)
	}
	if n := scalar[int](t, db, `SELECT count(*) FROM deployments d WHERE d.status = 'failed' AND NOT EXISTS
		(SELECT 1 FROM step_runs s WHERE s.deployment_id = d.id AND s.status = 'failed') AND d.steps_total > 0`); n > 0 {
		t.Errorf("%d failed deployments without a failed step", n)
	}
	if n := scalar[int](t, db, `SELECT count(*) FROM step_runs WHERE status = 'failed' AND exit_code = 0`); n > 0 {
		t.Errorf("%d failed steps with exit code 0", n)
	}
	// A command that failed is said as the runner says it ("exit 2"): the record's
	// page writes the exit code and then the detail when it says more, and read
	// "exit 1 · exit code 1".
	if n := scalar[int](t, db, `SELECT (SELECT count(*) FROM step_attempts WHERE detail LIKE 'exit code%')
		+ (SELECT count(*) FROM step_runs WHERE note LIKE 'exit code%')`); n > 0 {
		t.Errorf("%d steps or attempts say \"exit code N\" where the runner says \"exit N\"", n)
	}
	// A person's reason for failing an item fits what was deployed: no dead power
	// supply on a documentation deployment.
	fits := map[string]models.Kind{}
	for kind, notes := range manualFailures {
		for _, n := range notes {
			if _, twice := fits[n]; !twice {
				fits[n] = kind
			}
		}
	}
	failRows, err := db.Query(`SELECT d.id, d.kind, s.note FROM step_runs s JOIN deployments d ON d.id = s.deployment_id
		WHERE s.status = 'failed' AND s.exit_code IS NULL AND s.note NOT LIKE 'approval refused%'`)
	if err != nil {
		t.Fatal(err)
	}
	manualFailed := 0
	for failRows.Next() {
		var id int64
		var kind, note string
		if err := failRows.Scan(&id, &kind, &note); err != nil {
			t.Fatal(err)
		}
		manualFailed++
		if !slices.Contains(manualFailures[models.Kind(kind)], note) {
			t.Errorf("#%d (%s) failed a checklist item with %q, a reason for %s", id, kind, note, fits[note])
		}
	}
	failRows.Close()
	if manualFailed == 0 {
		t.Error("no checklist item failed by a person")
	}
	// What a review of a failure says fits what was deployed and how it ended.
	revRows, err := db.Query(`SELECT d.id, d.kind, d.status, r.lessons FROM reviews r JOIN deployments d ON d.id = r.deployment_id
		WHERE d.status IN ('failed', 'rolled_back')`)
	if err != nil {
		t.Fatal(err)
	}
	reviewed := 0
	for revRows.Next() {
		var id int64
		var kind, status, lessons string
		if err := revRows.Scan(&id, &kind, &status, &lessons); err != nil {
			t.Fatal(err)
		}
		reviewed++
		fits := slices.Contains(failureLessons[models.Kind(kind)], lessons) ||
			lessons == lessonRollback && status == string(models.StatusRolledBack)
		if !fits {
			t.Errorf("#%d (%s, %s) reviewed with %q", id, kind, status, lessons)
		}
	}
	revRows.Close()
	if reviewed == 0 {
		t.Error("no failure reviewed")
	}
	// A start is held to its window (from start_tolerance before it, until its end),
	// and no one in the demo overrides that.
	tol := int64(cfg.StartTolerance / time.Second)
	if n := scalar[int](t, db, `SELECT count(*) FROM deployments WHERE started_at IS NOT NULL
		AND (started_at >= scheduled_end OR started_at < scheduled_start - ?)`, tol); n > 0 {
		t.Errorf("%d deployments started outside their window", n)
	}
	// A rollback's steps ran: the record shows them done, as the runner leaves them.
	ranNote := `EXISTS (SELECT 1 FROM events e WHERE e.deployment_id = d.id AND e.type = 'status' AND e.detail LIKE '%; ran %')`
	// Only the runner rolls back, by on-failure steps; the steps after the failure
	// stay pending, as it leaves them.
	if n := scalar[int](t, db, `SELECT count(*) FROM deployments d WHERE d.status = 'rolled_back'`); n == 0 {
		t.Error("no deployment rolled back")
	}
	if n := scalar[int](t, db, `SELECT count(*) FROM deployments d WHERE d.status = 'rolled_back' AND NOT `+ranNote); n > 0 {
		t.Errorf("%d deployments rolled back without on-failure steps to do it", n)
	}
	if n := scalar[int](t, db, `SELECT count(*) FROM step_runs s JOIN deployments d ON d.id = s.deployment_id
		WHERE d.status IN ('failed', 'rolled_back') AND s.status = 'skipped'`); n > 0 {
		t.Errorf("%d steps skipped after a failure", n)
	}
	if n := scalar[int](t, db, `SELECT count(*) FROM deployments d WHERE d.status = 'rolled_back' AND `+ranNote+`
		AND NOT EXISTS (SELECT 1 FROM step_attempts a WHERE a.deployment_id = d.id AND a.seq > d.steps_total
			AND a.status = 'done' AND a.exit_code = 0 AND a.finished_at <= d.finished_at * 1000)`); n > 0 {
		t.Errorf("%d deployments rolled back by on-failure steps that never ran", n)
	}
	// A failure in a stage with on-failure steps ran them too, and the last failed:
	// only that leaves it failed rather than rolled back, as the runner decides.
	failedNote := `EXISTS (SELECT 1 FROM events e WHERE e.deployment_id = d.id AND e.type = 'status' AND e.detail LIKE '%; on-failure step "%" failed: %')`
	if n := scalar[int](t, db, `SELECT count(*) FROM deployments d WHERE d.status = 'failed' AND `+failedNote); n == 0 {
		t.Error("no failed deployment whose on-failure steps failed")
	}
	if n := scalar[int](t, db, `SELECT count(*) FROM deployments d WHERE d.status = 'failed' AND `+failedNote+`
		AND NOT EXISTS (SELECT 1 FROM step_attempts a WHERE a.deployment_id = d.id AND a.seq > d.steps_total
			AND a.status = 'failed' AND a.exit_code = 1)`); n > 0 {
		t.Errorf("%d failed deployments whose failed on-failure step never ran", n)
	}
	if n := scalar[int](t, db, `SELECT count(*) FROM deployments d WHERE d.status = 'failed' AND NOT `+failedNote+`
		AND EXISTS (SELECT 1 FROM step_attempts a WHERE a.deployment_id = d.id)`); n > 0 {
		t.Errorf("%d failed deployments ran on-failure steps the note does not name", n)
	}
	// Events: planned first, a modest number per deployment.
	if n := scalar[int](t, db, `SELECT count(*) FROM deployments d WHERE
		(SELECT type FROM events e WHERE e.deployment_id = d.id ORDER BY id LIMIT 1) <> 'planned'`); n > 0 {
		t.Errorf("%d deployments whose record does not start with planned", n)
	}
	if per := float64(res.Events) / float64(n); per < 3 || per > 8 {
		t.Errorf("%.1f events per deployment", per)
	}
	if n := scalar[int](t, db, `SELECT count(*) FROM events WHERE at > ?`, now.Unix()); n > 0 {
		t.Errorf("%d events after now", n)
	}
	if n := scalar[int](t, db, `SELECT count(*) FROM events e1 JOIN events e2 ON e1.deployment_id = e2.deployment_id
		AND e2.id > e1.id AND e2.at < e1.at`); n > 0 {
		t.Errorf("%d events out of time order within their deployment", n)
	}
}

// TestVersionsMoveAlongThePath checks that a version reaches an environment only
// after it succeeded in the previous one on its model's path, and that versions of a
// component grow over time.
func TestVersionsMoveAlongThePath(t *testing.T) {
	path, _, _ := sharedDemo(t)
	cfg := testConfig(t)
	db := rawDB(t, path)
	rows, err := db.Query(`SELECT id, model, component, version, environment, status, scheduled_start,
		coalesce(finished_at, 0) FROM deployments ORDER BY component, scheduled_start, id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type key struct{ comp, ver, env string }
	succeeded := map[key]int64{} // when it succeeded there
	firstStart := int64(-1)
	lastVer := map[string][]int{}
	var bad, checked int
	for rows.Next() {
		var id, start, finished int64
		var model, comp, ver, env string
		var status models.Status
		if err := rows.Scan(&id, &model, &comp, &ver, &env, &status, &start, &finished); err != nil {
			t.Fatal(err)
		}
		if firstStart < 0 || start < firstStart {
			firstStart = start
		}
		m, _ := cfg.Model(model)
		k := slices.Index(m.Path, env)
		if k > 0 && start > firstStart+60*86400 {
			checked++
			if at, ok := succeeded[key{comp, ver, m.Path[k-1]}]; !ok || at > start {
				bad++
				if bad < 5 {
					t.Errorf("#%d: %s %s goes to %s before it succeeded in %s", id, comp, ver, env, m.Path[k-1])
				}
			}
		}
		if status == models.StatusSucceeded {
			succeeded[key{comp, ver, env}] = finished
		}
		if k == 0 && status.Final() {
			v := semver(ver)
			if prev := lastVer[comp]; prev != nil && slices.Compare(v, prev) < 0 {
				t.Errorf("#%d: %s %s comes after %v", id, comp, ver, prev)
			}
			lastVer[comp] = v
		}
	}
	if bad > 0 || checked < 500 {
		t.Fatalf("%d of %d promotions skip an environment", bad, checked)
	}
}

// TestOneRunOfAComponentAtATime: the demo never moves one component in one
// environment twice at once (Ferry would flag the plans), and of two of its runs
// there the one that ends later moved a newer version: Where, which shows what
// finished last, shows the newest. Releases minutes apart overlapped in dev, and
// Where showed the older version.
func TestOneRunOfAComponentAtATime(t *testing.T) {
	path, _, _ := sharedDemo(t)
	db := rawDB(t, path)
	overlaps := scalar[int](t, db, `WITH r AS (SELECT id, component, environment, started_at s, finished_at f
		FROM deployments WHERE started_at IS NOT NULL AND finished_at IS NOT NULL)
		SELECT count(*) FROM r a JOIN r b ON a.component = b.component AND a.environment = b.environment
		AND a.id < b.id AND a.s < b.f AND b.s < a.f`)
	if overlaps != 0 {
		t.Errorf("%d pairs of runs of one component in one environment overlap", overlaps)
	}
	rows, err := db.Query(`SELECT id, component, environment, version FROM deployments
		WHERE status = 'succeeded' ORDER BY component, environment, finished_at, id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	last := map[[2]string][]int{}
	older := 0
	for rows.Next() {
		var id int64
		var comp, env, ver string
		if err := rows.Scan(&id, &comp, &env, &ver); err != nil {
			t.Fatal(err)
		}
		k := [2]string{comp, env}
		if prev := last[k]; prev != nil && slices.Compare(semver(ver), prev) < 0 {
			if older++; older < 5 {
				t.Errorf("#%d: %s %s in %s ends after %v", id, comp, ver, env, prev)
			}
		}
		last[k] = semver(ver)
	}
	if older > 0 {
		t.Fatalf("%d runs put an older version in place of a newer one", older)
	}
}

func semver(v string) []int {
	var out []int
	for _, p := range strings.Split(v, ".") {
		n, _ := strconv.Atoi(p)
		out = append(out, n)
	}
	return out
}

// TestSameSeedSameData: the same seed gives the same rows, however they are
// batched; another seed gives others.
func TestSameSeedSameData(t *testing.T) {
	n := 1500
	if race.Enabled { // the race detector slows SQLite's writes down a lot
		n = 300
	}
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db"), filepath.Join(dir, "c.db")
	generate(t, a, n, 42)
	generateBatched(t, b, n, 42, n/3)
	generate(t, c, n, 43)
	ha, hb, hc := tableHash(t, rawDB(t, a)), tableHash(t, rawDB(t, b)), tableHash(t, rawDB(t, c))
	if ha != hb {
		t.Fatalf("same seed, different data: %s vs %s", ha, hb)
	}
	if ha == hc {
		t.Fatalf("different seeds, same data")
	}
}

func TestRefusesDatabaseWithDeployments(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	st, _ := generate(t, path, 200, 1)
	cfg := testConfig(t)
	_, err := Generate(context.Background(), st, cfg, Options{Deployments: 200, Now: testNow(t, cfg)})
	if !errors.Is(err, models.ErrInvalid) || !strings.Contains(err.Error(), "already has 200 deployments") {
		t.Fatalf("want a refusal naming the 200 deployments, got %v", err)
	}
	_, err = Generate(context.Background(), st, cfg, Options{Deployments: 10})
	if !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("10 deployments: want ErrInvalid, got %v", err)
	}
}

// A cancelled context stops the calibration of the biggest demo at the next simulated
// day (it used to run every pass to the end: a SIGTERM waited for it), Generate
// returns the context's error, and the database holds no deployment of the demo: a
// new demo fills it.
func TestCancelStopsTheCalibration(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := testConfig(t)
	path := filepath.Join(t.TempDir(), "demo.db")
	st, err := store.Open(ctx, path, store.Loading())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const cancelAt = 200 // a day of the first pass: the history spans more than three years
	var days, after int
	opt := Options{Deployments: MaxDeployments, Now: testNow(t, cfg), simulating: func(pass, day int) {
		days++
		if ctx.Err() != nil {
			after++
		}
		if pass == 0 && day == cancelAt {
			cancel()
		}
	}}
	_, err = Generate(ctx, st, cfg, opt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Generate cancelled while calibrating: got %v, want %v", err, context.Canceled)
	}
	if days != cancelAt+1 || after != 0 {
		t.Errorf("the calibration simulated %d days, %d of them after the cancel; want %d, none after",
			days, after, cancelAt+1)
	}
	db := rawDB(t, path)
	for _, table := range []string{"deployments", "step_runs", "events"} {
		if n := scalar[int](t, db, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("the cancelled demo left %d rows in %s", n, table)
		}
	}
	res, err := Generate(context.Background(), st, cfg, Options{Deployments: 200, Now: testNow(t, cfg)})
	if err != nil || res.Deployments != 200 {
		t.Fatalf("a demo after the cancelled one: %+v, %v", res, err)
	}
}

// TestAfterModelsWereSynced: when the engine stored the config's models first, the
// older versions cannot come before them any more; the rest is generated as usual.
func TestAfterModelsWereSynced(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	path := filepath.Join(t.TempDir(), "demo.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Write(ctx, func(q store.Q) error {
		for _, m := range cfg.Models {
			if _, _, err := q.SyncModel(ctx, m, testNow(t, cfg)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Generate(ctx, st, cfg, Options{Deployments: 500, Now: testNow(t, cfg)})
	if err != nil || res.Deployments != 500 {
		t.Fatalf("got %+v, %v", res, err)
	}
	db := rawDB(t, path)
	if n := scalar[int](t, db, `SELECT count(*) FROM model_versions`); n != len(cfg.Models) {
		t.Fatalf("%d model versions, want one per model", n)
	}
	if n := scalar[int](t, db, `SELECT count(*) FROM deployments WHERE model_version <> 1`); n != 0 {
		t.Fatalf("%d deployments refer to versions that do not exist", n)
	}
}

// TestGenerateMillion writes the full-size demo once; run with FERRY_DEMO_1M=1.
func TestGenerateMillion(t *testing.T) {
	if os.Getenv("FERRY_DEMO_1M") == "" {
		t.Skip("set FERRY_DEMO_1M=1 to generate 1,000,000 deployments")
	}
	dir := os.Getenv("FERRY_DEMO_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "demo-1m.db")
	os.Remove(path)
	cfg := testConfig(t)
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	last := time.Now()
	res, err := Generate(ctx, st, cfg, Options{Deployments: 1_000_000, Seed: 1, Now: testNow(t, cfg),
		Progress: func(done, total int) {
			if time.Since(last) > 10*time.Second {
				t.Logf("%d/%d", done, total)
				last = time.Now()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	var size int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if fi, err := os.Stat(path + suffix); err == nil {
			size += fi.Size()
		}
	}
	t.Logf("1M: %+v, %.1f deployments/s, files %.0f MB", res, float64(res.Deployments)/res.Elapsed.Seconds(), float64(size)/1e6)
}

// The demo's bulk load keeps the environment matrix's state table as it writes:
// the table equals a recount from the deployments, and is not empty.
func TestDemoStateTableMatchesTheDeployments(t *testing.T) {
	path, st, _ := sharedDemo(t)
	diffs, err := st.Read().WhereDiffs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Fatalf("%d cells differ from a recount, e.g. %v", len(diffs), diffs[:min(len(diffs), 5)])
	}
	var n int
	if err := rawDB(t, path).QueryRow(`SELECT count(*) FROM env_state WHERE current_id IS NOT NULL`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("the demo should leave versions in place: %d cells, %v", n, err)
	}
}

// The demo's bulk load bypasses the rollups; Generate counts them at the end, so a
// report over the demo matches the raw rows.
func TestDemoRollupsMatchTheRawRows(t *testing.T) {
	path, st, _ := sharedDemo(t)
	diffs, err := st.Read().RollupDiffs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Fatalf("rollups after the demo differ from a recount: %v", diffs[:min(len(diffs), 5)])
	}
	db := rawDB(t, path)
	for _, c := range []struct{ rollup, raw string }{
		{`SELECT SUM(deployments) FROM rollup_days`, `SELECT count(*) FROM deployments`},
		{`SELECT SUM(failed) FROM rollup_days`, `SELECT count(*) FROM deployments WHERE status = 'failed'`},
		{`SELECT SUM(incidents) FROM rollup_days`, `SELECT count(*) FROM incidents`},
		{`SELECT SUM(requested) - SUM(closed) FROM rollup_days`,
			`SELECT count(*) FROM deployments WHERE status NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled')`},
	} {
		if got, want := scalar[int64](t, db, c.rollup), scalar[int64](t, db, c.raw); got != want || want == 0 {
			t.Errorf("%s = %d, raw %s = %d", c.rollup, got, c.raw, want)
		}
	}
}

// A demo is loaded without the WAL, foreign key checks or some triggers (a fill): the
// file it leaves is whole, every row's parent is there, its record's chain holds, it
// is in the WAL, and every trigger is back.
func TestDemoFileIsWhole(t *testing.T) {
	path, st, res := sharedDemo(t)
	db := rawDB(t, path)
	if got := scalar[string](t, db, `PRAGMA integrity_check`); got != "ok" {
		t.Errorf("integrity check: %s", got)
	}
	rows, err := db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, parent string
		var rowid, fk sql.NullInt64
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			t.Fatal(err)
		}
		t.Errorf("%s row %d refers to a missing %s row", table, rowid.Int64, parent)
	}
	rows.Close()
	if c, err := st.Read().VerifyEvents(context.Background()); err != nil || c.Rows != int64(res.Events) {
		t.Errorf("the record's chain: %+v %v; want %d events linked", c, err, res.Events)
	}
	if got := scalar[string](t, db, `PRAGMA journal_mode`); got != "wal" {
		t.Errorf("journal mode %q, want wal", got)
	}
	fresh := filepath.Join(t.TempDir(), "fresh.db")
	empty, err := store.Open(context.Background(), fresh)
	if err != nil {
		t.Fatal(err)
	}
	empty.Close()
	const triggers = `SELECT group_concat(name || ': ' || sql, char(10)) FROM
		(SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name)`
	if got, want := scalar[string](t, db, triggers), scalar[string](t, rawDB(t, fresh), triggers); got != want {
		t.Errorf("triggers after the demo:\n%s\nwant those of a new database:\n%s", got, want)
	}
}

// TestDemoIsSearchable: the bulk load writes a search document for every deployment
// (over more than one batch), the same the triggers would have written, and a search
// finds what the notes, block reasons and incidents say.
func TestDemoIsSearchable(t *testing.T) {
	const n = sharedN
	if n <= sharedBatch {
		t.Fatalf("the shared history of %d deployments is written in one batch of %d", n, sharedBatch)
	}
	path, st, _ := sharedDemo(t)
	db := rawDB(t, path)
	if got := scalar[int](t, db, `SELECT count(*) FROM search`); got != n {
		t.Fatalf("%d search documents for %d deployments", got, n)
	}
	if got := scalar[int](t, db, `SELECT count(*) FROM search_source v LEFT JOIN search ON search.rowid = v.key
		WHERE search.rowid IS NULL OR search.what IS NOT v.what OR search.notes IS NOT v.notes
		   OR search.facets IS NOT v.facets`); got != 0 {
		t.Fatalf("%d documents differ from their rows", got)
	}
	for _, c := range []struct{ search, where string }{
		{"photos attached", `id IN (SELECT deployment_id FROM step_runs WHERE note LIKE '%photos attached%')`},
		{"PDU", `id IN (SELECT deployment_id FROM step_runs WHERE note LIKE '%PDU%' OR block_reason LIKE '%PDU%')`},
		{"reconciliation", `id IN (SELECT deployment_id FROM incidents WHERE summary LIKE '%reconciliation%')`},
		{"postponed go/no-go", `id IN (SELECT deployment_id FROM events WHERE type = 'cancelled' AND detail LIKE '%go/no-go%')`},
		{"ledger-db", `component = 'ledger-db'`},
	} {
		var want []int64
		rows, err := db.Query(`SELECT id FROM deployments WHERE ` + c.where + ` ORDER BY scheduled_start DESC, id DESC LIMIT 50`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			want = append(want, id)
		}
		rows.Close()
		list, err := st.Read().Deployments(context.Background(), models.Filter{Search: c.search})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, d := range list {
			got = append(got, d.ID)
		}
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("search %q:\n got %v\nwant %v", c.search, got, want)
		}
	}
}

// The demo obeys the controls it shows: a deployment under way that is in an open
// conflict was started against it by a manager, and its record says so (the event,
// the override of that conflict and the conflict kept as one it started in), as a
// start through the engine would have kept it; the conflict says it was started anyway.
func TestRunningWorkInConflictWasOverridden(t *testing.T) {
	cfg := testConfig(t)
	now := testNow(t, cfg)
	ctx := context.Background()
	for seed := range int64(4) { // a few stories: which work runs now differs by seed
		st, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := Generate(ctx, st, cfg, Options{Deployments: 2000, Seed: seed + 1, Now: now}); err != nil {
			t.Fatal(err)
		}
		e, err := engine.New(ctx, st, cfg, engine.WithClock(func() time.Time { return now }))
		if err != nil {
			t.Fatal(err)
		}
		ana, _ := cfg.Person("ana")
		cs, err := e.Conflicts(ctx, ana, engine.ConflictFilter{OpenOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, c := range cs {
			for _, id := range c.IDs {
				det, err := e.Deployment(ctx, ana, id)
				if err != nil {
					t.Fatal(err)
				}
				if det.Status == models.StatusPlanned || det.Status.Final() {
					continue
				}
				checked++
				overridden, atStart := false, false
				for _, f := range det.Findings {
					p, _ := cfg.Person(f.Actor)
					overridden = overridden || (f.Kind == models.FindingOverride && f.ConflictKey == c.Key && p.Has(models.RoleManager))
					atStart = atStart || (f.Kind == models.FindingAtStart && f.ConflictKey == c.Key)
				}
				if !overridden || !atStart || !hasEvent(det.Events, engine.EventOverride) {
					t.Errorf("seed %d: #%d runs in open conflict %s (%s) with no manager's override of it on its record",
						seed+1, id, c.ID, c.Message)
				}
				// The Conflicts screen says who let it start, as after a start through the engine.
				if c.StartedOver == nil || c.StartedOver.DeploymentID != id {
					t.Errorf("seed %d: conflict %s of #%d under way does not say it was started anyway", seed+1, c.ID, id)
				}
				if c.Kind == models.ConflictRelated {
					t.Errorf("seed %d: #%d runs at once with what it depends on: %s", seed+1, id, c.Message)
				}
			}
		}
		if seed == 0 && checked == 0 {
			t.Error("no deployment under way is in a conflict: the override story is not told")
		}
	}
}

func hasEvent(es []models.Event, typ string) bool {
	return slices.ContainsFunc(es, func(e models.Event) bool { return e.Type == typ })
}
