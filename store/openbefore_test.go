package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"ferry"
	"ferry/engine/config"
	"ferry/internal/demo"
	"ferry/store"
)

// The backlog a report opens with is the same counted forward over the history and
// back from the deployments open now, on a demo history, for days across it and every
// grouping; both ways agree with the rollups summed by hand.
func TestOpenBeforeBothWays(t *testing.T) {
	ctx := context.Background()
	cfg, err := config.Parse("config.toml", ferry.DefaultConfig)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "demo.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := demo.Generate(ctx, st, cfg, demo.Options{Deployments: 2000, Seed: 3,
		Now: time.Date(2026, 11, 26, 10, 30, 0, 0, cfg.Location)}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var days []int
	rows, err := db.Query(`SELECT DISTINCT day FROM rollup_days ORDER BY day`)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; rows.Next(); i++ {
		var d int
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		if i%23 == 0 {
			days = append(days, d, d+1)
		}
	}
	rows.Close()
	days = append(days, 19000101, 29991231)
	groups := map[string]string{"": "''", "environment": "environment", "model": "model", "service": "service",
		"model-version": "model || ' v' || model_version"}
	for by, ge := range groups {
		for _, day := range days {
			want := map[string]int64{}
			rs, err := db.Query(`SELECT `+ge+`, SUM(requested) - SUM(closed) FROM rollup_days WHERE day < ? GROUP BY 1`, day)
			if err != nil {
				t.Fatal(err)
			}
			for rs.Next() {
				var g string
				var n int64
				if err := rs.Scan(&g, &n); err != nil {
					t.Fatal(err)
				}
				want[g] = n
			}
			rs.Close()
			for _, back := range []bool{false, true} {
				got, err := st.Read().OpenBeforeCounted(ctx, day, by, back)
				if err != nil {
					t.Fatal(err)
				}
				if diff := backlogDiff(got, want); diff != "" {
					t.Fatalf("by %q before %d, %s: %s", by, day, map[bool]string{false: "forward", true: "back"}[back], diff)
				}
			}
		}
	}
}

// backlogDiff compares two backlogs by group, a group missing from one counting 0.
func backlogDiff(got, want map[string]int64) string {
	for g, n := range want {
		if got[g] != n {
			return fmt.Sprintf("group %q opens with %d, by hand %d", g, got[g], n)
		}
	}
	for g, n := range got {
		if want[g] != n {
			return fmt.Sprintf("group %q opens with %d, by hand %d", g, n, want[g])
		}
	}
	return ""
}
