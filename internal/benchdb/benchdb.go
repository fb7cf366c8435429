// Package benchdb builds the big databases benchmarks run on, once, and keeps them
// in the temp directory (or $FERRY_BENCH_DIR) named after the schema, so a new
// migration builds new ones. Each benchmark gets a private copy.
package benchdb

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ferry"
	"ferry/engine"
	"ferry/engine/config"
	"ferry/internal/demo"
	"ferry/store"
)

// Now is the "today" of every benchmark database.
var Now = time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)

// Config is the example organisation the benchmark databases are built for.
func Config(tb testing.TB) *config.Config {
	cfg, err := config.Parse("config.toml", ferry.DefaultConfig)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// Cached returns a private copy of the database called name, building the kept
// original with fill the first time.
func Cached(tb testing.TB, name string, fill func(ctx context.Context, st *store.Store) error) string {
	tb.Helper()
	dir := os.Getenv("FERRY_BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	kept := filepath.Join(dir, fmt.Sprintf("ferry-bench-%s-%s.db", name, store.SchemaKey()))
	if _, err := os.Stat(kept); err != nil {
		tb.Logf("building %s (once)", kept)
		tmp := kept + ".building"
		os.Remove(tmp)
		ctx := context.Background()
		st, err := store.Open(ctx, tmp, store.Loading())
		if err != nil {
			tb.Fatal(err)
		}
		start := time.Now()
		if err := fill(ctx, st); err != nil {
			tb.Fatal(err)
		}
		if err := st.Close(); err != nil {
			tb.Fatal(err)
		}
		if err := settle(ctx, tb, tmp); err != nil {
			tb.Fatal(err)
		}
		tb.Logf("built in %s", time.Since(start).Round(time.Second))
		if err := os.Rename(tmp, kept); err != nil {
			tb.Fatal(err)
		}
	}
	private := filepath.Join(tb.TempDir(), "bench.db")
	if err := copyFile(kept, private); err != nil {
		tb.Fatal(err)
	}
	return private
}

// Million is a private copy of the 1,000,000-deployment demo history.
func Million(tb testing.TB) string {
	return Cached(tb, "1m", func(ctx context.Context, st *store.Store) error {
		_, err := demo.Generate(ctx, st, Config(tb), demo.Options{Deployments: 1_000_000, Seed: 1, Now: Now})
		return err
	})
}

// settle opens the built database once as a command does, so that what a first
// open writes (the stored conflicts, the rollups brought to their basis, the
// configuration's record) is done here, not by the first command a benchmark times:
// a benchmark pairing one command with the shell measured that one-off work.
func settle(ctx context.Context, tb testing.TB, path string) error {
	st, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	cfg := Config(tb)
	e, err := engine.New(ctx, st, cfg)
	if err != nil {
		return err
	}
	mgr, _ := cfg.FirstManager()
	_, err = e.Dashboard(ctx, mgr) // it reads through the rollups, on their basis
	return err
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
