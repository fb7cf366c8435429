package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"ferry/internal/demo"
	"ferry/models"
)

func (a *app) demoCmd() *cobra.Command {
	var n int
	var seed int64
	cmd := &cobra.Command{
		Use:   "demo [--deployments N] [--seed S]",
		Short: "Fill a new database with a realistic demo history",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < demo.MinDeployments {
				return usagef("--deployments: must be at least %d, got %d", demo.MinDeployments, n)
			}
			if n > demo.MaxDeployments {
				return usagef("--deployments: at most %s, got %s: a demo is built in memory (1,000,000 took 3.2 GB)",
					models.Thousands(demo.MaxDeployments), models.Thousands(int64(n)))
			}
			a.actsForNobody = true
			return a.fillDemo(n, seed)
		},
	}
	cmd.Flags().IntVar(&n, "deployments", 20000, "how many deployments to generate")
	cmd.Flags().Int64Var(&seed, "seed", 1, "random seed; the same seed gives the same history")
	return cmd
}

// fillDemo generates the history before the engine starts, so that the demo's older
// model versions are stored before the config's current ones.
//
// It fills a file beside the database (DB.demo-partial) and gives it the database's
// name only once the history is whole: a demo killed half way leaves no database
// that looks like a demo history, and the next ferry demo (or first console) starts
// again from nothing.
func (a *app) fillDemo(n int, seed int64) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	path := a.databasePath(cfg)
	if err := refuseFilled(a, path); err != nil {
		return err
	}
	partial := path + ".demo-partial"
	removeDB(partial) // what a killed demo left
	st, err := a.openOther(partial)
	if err != nil {
		removeDB(partial) // a SIGTERM while it was made left it half made
		return a.demoStopped(err)
	}
	tty := isTerminal(a.stderr)
	now := time.Now()
	res, err := demo.Generate(a.ctx, st, a.cfg, demo.Options{
		Deployments: n, Seed: seed, Now: now,
		Progress: func(done, total int) {
			if tty {
				fmt.Fprintf(a.stderr, "\rgenerating demo history: %d/%d deployments", done, total)
			}
		},
	})
	if tty {
		fmt.Fprintln(a.stderr)
	}
	improved := 0
	if err == nil {
		improved, err = demo.Improvements(a.ctx, st, a.cfg, now)
	}
	err = errors.Join(err, st.Close()) // closing folds the WAL into the file
	if err == nil {
		// An empty database there is replaced, with its WAL files.
		_ = os.Remove(path + "-wal")
		_ = os.Remove(path + "-shm")
		err = os.Rename(partial, path)
	}
	if err != nil {
		removeDB(partial)
		return a.demoStopped(err)
	}
	fmt.Fprintf(a.stdout, "Demo history in %s: %s, %s, %s, %s, %s in %.1fs\n", absPath(path),
		counted(res.Deployments, "deployment"), counted(res.Steps, "step"), counted(res.Events, "event"),
		counted(res.Incidents, "incident"), counted(improved, "improvement"), res.Elapsed.Seconds())
	return a.open()
}

// demoStopped is err, or, when a signal (Ctrl-C, SIGTERM) stopped the demo, that
// it stopped and kept nothing: whichever step the signal reached said it its own way
// (a schema migration, the calibration, the generator).
func (a *app) demoStopped(err error) error {
	if a.ctx.Err() == nil {
		return err
	}
	return fmt.Errorf("demo stopped (%v); nothing was kept: %w", context.Cause(a.ctx), err)
}

// refuseFilled refuses to put a demo where a database with deployments is.
func refuseFilled(a *app, path string) error {
	if !fileExists(path) {
		return nil
	}
	if err := a.openStore(); err != nil {
		return err
	}
	n, err := a.st.Read().CountDeployments(a.ctx)
	if err == nil && n > 0 {
		err = models.Invalidf("database %s already has %d deployments; give a new file (--db)", path, n)
	}
	a.closer = a.closer[:len(a.closer)-1]
	err = errors.Join(err, a.st.Close())
	a.st = nil
	return err
}

// removeDB removes a database file and its WAL and shared-memory files, if any.
func removeDB(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		_ = os.Remove(p)
	}
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// counted is n and its noun, singular or plural: "1 incident", "2 incidents".
func counted[N int | int64](n N, noun string) string {
	return fmt.Sprintf("%d %s%s", n, noun, models.Plural(int(n)))
}
