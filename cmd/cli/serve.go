package cli

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
	"ferry/tui/sshd"
)

// hostKeyName is the host key's file name, next to the database by default.
const hostKeyName = "ferry_host_ed25519"

func (a *app) serveCmd() *cobra.Command {
	var listen, hostKey string
	var idle, every time.Duration
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the console over SSH to the people in config (public keys only)",
		Long: "Serve the console over SSH. A client logs in with a public key listed in a person's\n" +
			"ssh_keys in the config and acts as that person; other keys, passwords and\n" +
			"keyboard-interactive logins are refused and logged. Technicians land on \"My work\".\n" +
			"The host key is created on first start (mode 0600) and kept. Stops on SIGTERM or ^C,\n" +
			"closing the sessions first.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if idle < 0 {
				return usagef("--idle-timeout must not be negative")
			}
			if every <= 0 {
				return usagef("--schedule-every must be positive")
			}
			// openRunner also marks steps a dead ferry left running as interrupted, and
			// settles who acts: the scheduler starts due deployments as that person.
			if err := a.openRunner(); err != nil {
				return err
			}
			if hostKey == "" {
				hostKey = filepath.Join(filepath.Dir(a.databasePath(a.cfg)), hostKeyName)
			}
			srv, err := sshd.New(a.eng, sshd.Options{HostKeyPath: hostKey, IdleTimeout: idle, Log: a.stderr})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			made := "kept"
			if srv.HostKeyCreated {
				made = "created"
			}
			fmt.Fprintf(a.stderr, "ferry: serving the console over SSH on %s\nferry: host key %s (%s) %s\n",
				ln.Addr(), absPath(hostKey), made, srv.HostKeyFingerprint)
			if host, _, err := net.SplitHostPort(listen); err == nil {
				if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
					fmt.Fprintf(a.stderr, "ferry: listening beyond this machine (%s): only keys in the config may log in\n", listen)
				}
			}
			go a.schedule(a.ctx, every)
			return srv.Serve(a.ctx, ln)
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:2222", "address to listen on (loopback unless told otherwise)")
	f.StringVar(&hostKey, "host-key", "", "host key file, created on first start (default: "+hostKeyName+" next to the database)")
	f.DurationVar(&idle, "idle-timeout", sshd.DefaultIdleTimeout, "end a session after this long without input (0: never)")
	f.DurationVar(&every, "schedule-every", 30*time.Second, "how often to start fully automated deployments whose window has begun")
	return cmd
}

// schedule starts, every so often until ctx ends, the fully automated deployments
// whose window has begun, saying on stderr what it started. The SSH sessions do not:
// one scheduler per server.
func (a *app) schedule(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		runs, err := a.eng.RunDue(ctx, a.actor, engine.RunOptions{})
		if err != nil {
			fmt.Fprintln(a.stderr, "ferry: scheduler:", err)
			continue
		}
		for _, r := range runs {
			if r.Skipped != "" {
				continue
			}
			outcome := r.Result.Outcome()
			if r.Err != nil {
				outcome = r.Err.Error()
			}
			fmt.Fprintf(a.stderr, "ferry: scheduler started #%d %s → %s: %s\n", r.Deployment.ID,
				r.Deployment.Component, r.Deployment.Environment, outcome)
		}
	}
}
