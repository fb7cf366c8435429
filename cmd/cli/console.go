package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"ferry/tui"
)

// firstRunDemo is the size of the history a brand-new database gets when the console
// opens it, so a first look shows every screen at work (a few seconds to make).
const firstRunDemo = 30000

func (a *app) runConsole(cmd *cobra.Command, _ []string) error {
	if !isTerminal(os.Stdin) || !isTerminal(os.Stdout) {
		return fmt.Errorf("the console needs a terminal; for scripts use the commands (ferry --help)")
	}
	tui.Preheat()
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	if path := a.databasePath(cfg); !fileExists(path) && os.Getenv("FERRY_NO_DEMO") == "" {
		fmt.Fprintf(a.stderr, "ferry: %s is new; filling it with demo data (set FERRY_NO_DEMO=1 to start empty)\n", path)
		if err := a.fillDemo(firstRunDemo, 1); err != nil {
			return err
		}
	}
	// openRunner also marks steps a dead ferry left running as interrupted, and says so.
	if err := a.openRunner(); err != nil {
		return err
	}
	// Who the person acts as, when no --as said so, shows in the console too: what was
	// printed before it is hidden until it closes.
	hello := ""
	if a.as == "" || a.actor.Unmapped {
		hello = a.identity.Note
	}
	return tui.Run(a.ctx, a.eng, a.actor, tui.Options{Hello: hello, RunsDue: a.consoleRunsDue, Recovered: true})
}
