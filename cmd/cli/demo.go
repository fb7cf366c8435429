package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"ferry/internal/demo"
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
			return a.fillDemo(n, seed)
		},
	}
	cmd.Flags().IntVar(&n, "deployments", 20000, "how many deployments to generate")
	cmd.Flags().Int64Var(&seed, "seed", 1, "random seed; the same seed gives the same history")
	return cmd
}

// fillDemo generates the history before the engine starts, so that the demo's older
// model versions are stored before the config's current ones.
func (a *app) fillDemo(n int, seed int64) error {
	if err := a.openStore(); err != nil {
		return err
	}
	tty := isTerminal(a.stderr)
	res, err := demo.Generate(a.ctx, a.st, a.cfg, demo.Options{
		Deployments: n, Seed: seed, Now: time.Now(),
		Progress: func(done, total int) {
			if tty {
				fmt.Fprintf(a.stderr, "\rgenerating demo history: %d/%d deployments", done, total)
			}
		},
	})
	if tty {
		fmt.Fprintln(a.stderr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Demo history in %s: %d deployments, %d steps, %d events, %d incidents in %.1fs\n",
		absPath(a.st.Path()), res.Deployments, res.Steps, res.Events, res.Incidents, res.Elapsed.Seconds())
	return a.open()
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
