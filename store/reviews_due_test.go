package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// waitingByRule is the deployments that wait for a review, by the rule itself: they
// failed or rolled back, or succeeded with an incident, and have no review.
func waitingByRule(t *testing.T, db *sql.DB) []int64 {
	t.Helper()
	return rowIDs(t, db, `SELECT d.id FROM deployments d WHERE d.finished_at IS NOT NULL
		AND (d.status IN ('failed', 'rolled_back')
			OR (d.status = 'succeeded' AND EXISTS (SELECT 1 FROM incidents i WHERE i.deployment_id = d.id)))
		AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.deployment_id = d.id) ORDER BY d.id`)
}

func rowIDs(t *testing.T, db *sql.DB, query string) []int64 {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// kept is what the triggers keep: the deployments in reviews_due, checked against
// their rows' finish and requester.
func kept(t *testing.T, db *sql.DB) []int64 {
	t.Helper()
	stale := rowIDs(t, db, `SELECT r.deployment_id FROM reviews_due r JOIN deployments d ON d.id = r.deployment_id
		WHERE r.finished_at IS NOT d.finished_at OR r.requester IS NOT d.requester`)
	if len(stale) > 0 {
		t.Fatalf("reviews_due holds another finish or requester than the deployments %v", stale)
	}
	return rowIDs(t, db, `SELECT deployment_id FROM reviews_due ORDER BY deployment_id`)
}

func mustExec(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s %v: %v", query, args, err)
	}
}

func insertDeployment(t *testing.T, db *sql.DB, id int64, status, requester string, finished any) {
	t.Helper()
	mustExec(t, db, `INSERT INTO deployments (id, model_version_id, model, model_version, service, component, kind, version,
		action, environment, status, requester, scheduled_start, scheduled_end, finished_at, created_at, updated_at)
		VALUES (?, 1, 'web', 1, 'shop', 'web', 'software', '1', 'deploy', 'test', ?, ?, 100, 200, ?, 0, 0)`,
		id, status, requester, finished)
}

func addReview(t *testing.T, db *sql.DB, id int64) {
	t.Helper()
	mustExec(t, db, `INSERT INTO reviews (deployment_id, outcome, lessons, reviewer, reviewed_at, model, model_version)
		VALUES (?, 'unsuccessful', 'learnt', 'ana', 500, 'web', 1)`, id)
}

// A database from before reviews_due finds, on opening, every deployment that waits
// for a review, and the inbox's question reads them, theirs for a requester.
func TestReviewsDueMigrationFindsThoseWaiting(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db := oldDatabase(t, path, 26)
	mustExec(t, db, `INSERT INTO model_versions VALUES (1, 'web', 1, 'f', '{}', 0)`)
	for _, d := range []struct {
		id        int64
		status    string
		requester string
		finished  any
	}{
		{1, "failed", "lea", 1000}, {2, "failed", "lea", 1100}, {3, "succeeded", "tom", 1200}, {4, "succeeded", "lea", 1300},
		{5, "rolled_back", "tom", 1400}, {6, "planned", "lea", nil}, {7, "cancelled", "lea", 1500}, {8, "failed", "lea", 9000},
	} {
		insertDeployment(t, db, d.id, d.status, d.requester, d.finished)
	}
	addReview(t, db, 2)
	mustExec(t, db, `INSERT INTO incidents (deployment_id, opened_at, summary) VALUES (3, 1250, 'checkout down')`)
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, want := kept(t, s.r), []int64{1, 3, 5, 8}; !slices.Equal(got, want) {
		t.Errorf("waiting after the migration %v, want %v", got, want)
	}
	for _, c := range []struct {
		requester string
		want      []int64
	}{{"", []int64{1, 3, 5}}, {"tom", []int64{3, 5}}, {"lea", []int64{1}}} {
		list, total, err := s.Read().UnreviewedFailures(ctx, time.Unix(1000, 0), time.Unix(2000, 0), c.requester, 10)
		if err != nil {
			t.Fatal(err)
		}
		if total != len(c.want) {
			t.Errorf("unreviewed for %q: counted %d, want %d", c.requester, total, len(c.want))
		}
		if page, more, err := s.Read().UnreviewedFailures(ctx, time.Unix(1000, 0), time.Unix(2000, 0), c.requester, 1); err != nil ||
			len(page) != 1 || page[0].ID != c.want[0] || more != len(c.want) {
			t.Errorf("the oldest unreviewed for %q, and the count beyond it: %v, %d (%v)", c.requester, page, more, err)
		}
		var got []int64
		for _, d := range list {
			got = append(got, d.ID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("unreviewed for %q: %v, want %v (oldest first)", c.requester, got, c.want)
		}
	}
}

// Whatever happens to deployments, their incidents and reviews, in whatever order,
// reviews_due holds exactly those the rule says wait.
func TestReviewsDueFollowsEveryChange(t *testing.T) {
	statuses := []string{"planned", "executing", "succeeded", "failed", "rolled_back", "cancelled"}
	people := []string{"lea", "tom"}
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			p, db := migrationProvider(t, filepath.Join(t.TempDir(), "f.db"))
			defer db.Close()
			if _, err := p.Up(context.Background()); err != nil {
				t.Fatal(err)
			}
			mustExec(t, db, `INSERT INTO model_versions VALUES (1, 'web', 1, 'f', '{}', 0)`)
			rng := rand.New(rand.NewPCG(seed, 7))
			reviewed := map[int64]bool{}
			var n int64
			for step := range 300 {
				id := rng.Int64N(n+1) + 1 // an existing deployment, or the next one
				switch op := rng.IntN(6); {
				case id > n || op == 0:
					n++
					status := statuses[rng.IntN(len(statuses))]
					var finished any
					if status != "planned" && status != "executing" {
						finished = 1000 + step
					}
					insertDeployment(t, db, n, status, people[rng.IntN(2)], finished)
				case op == 1 || op == 2:
					status := statuses[rng.IntN(len(statuses))]
					var finished any
					if status != "planned" && status != "executing" {
						finished = 1000 + step
					}
					mustExec(t, db, `UPDATE deployments SET status = ?, finished_at = ? WHERE id = ?`, status, finished, id)
				case op == 3:
					mustExec(t, db, `INSERT INTO incidents (deployment_id, opened_at, summary) VALUES (?, ?, 'down')`, id, 1000+step)
				case op == 4 && !reviewed[id]:
					addReview(t, db, id)
					reviewed[id] = true
				default:
					mustExec(t, db, `UPDATE deployments SET requester = ? WHERE id = ?`, people[rng.IntN(2)], id)
				}
				if got, want := kept(t, db), waitingByRule(t, db); !slices.Equal(got, want) {
					t.Fatalf("step %d: reviews_due %v, the rule says %v", step, got, want)
				}
			}
		})
	}
}
