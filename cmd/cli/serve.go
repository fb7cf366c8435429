package cli

import (
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
	var idle time.Duration
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
			if err := a.openStore(); err != nil {
				return err
			}
			var err error
			if a.eng, err = engine.New(a.ctx, a.st, a.cfg); err != nil {
				return err
			}
			recovered, err := a.eng.RecoverInterrupted(a.ctx)
			if err != nil {
				return err
			}
			for _, r := range recovered {
				fmt.Fprintf(a.stderr, "ferry: #%d step %d %q was interrupted (%d output lines kept); resume, retry or fail it\n",
					r.DeploymentID, r.Seq, r.Step, r.Lines)
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
			return srv.Serve(a.ctx, ln)
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:2222", "address to listen on (loopback unless told otherwise)")
	f.StringVar(&hostKey, "host-key", "", "host key file, created on first start (default: "+hostKeyName+" next to the database)")
	f.DurationVar(&idle, "idle-timeout", sshd.DefaultIdleTimeout, "end a session after this long without input (0: never)")
	return cmd
}
