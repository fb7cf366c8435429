package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ferry/cmd/sshd"
	"ferry/engine"
	"ferry/models"
)

// hostKeyName is the host key's file name, next to the database by default.
const hostKeyName = "ferry_host_ed25519"

func (a *app) serveCmd() *cobra.Command {
	var listen, hostKey string
	var idle, every time.Duration
	var perAddress int
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the console over SSH to the people in config (public keys only)",
		Long: "Serve the console over SSH. A client logs in with a public key listed in a person's\n" +
			"ssh_keys in the config and acts as that person; other keys, passwords and\n" +
			"keyboard-interactive logins are refused and logged. Technicians land on \"My work\".\n" +
			"The host key is created on first start (mode 0600) and kept. Stops on SIGTERM or ^C,\n" +
			"closing the sessions first. It also starts fully automated deployments when due\n" +
			"(--schedule-every) and delivers notifications (as ferry notify run --follow).",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if idle < 0 {
				return usagef("--idle-timeout must not be negative")
			}
			if every < time.Second {
				// Each tick reads the database; faster than a second only burns it.
				return usagef("--schedule-every %s: must be at least 1s", every)
			}
			if perAddress < 1 {
				return usagef("--max-per-address must be at least 1")
			}
			if _, port, err := net.SplitHostPort(listen); err != nil {
				return usagef("--listen %q: %v: give HOST:PORT, e.g. 127.0.0.1:2222", listen, err)
			} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
				return usagef("--listen %q: port %q is not a number from 0 to 65535", listen, port)
			}
			// openRunner also marks steps a dead ferry left running as interrupted, and
			// settles who acts: the scheduler starts due deployments as that person.
			if err := a.openRunner(); err != nil {
				return err
			}
			if hostKey == "" {
				hostKey = filepath.Join(filepath.Dir(a.databasePath(a.cfg)), hostKeyName)
			}
			srv, err := sshd.New(a.eng, sshd.Options{HostKeyPath: hostKey, IdleTimeout: idle, Log: a.stderr,
				Command: a.readOnlyCommand, Limits: sshd.Limits{PerAddress: perAddress}})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return fmt.Errorf("--listen %s: %w", listen, err)
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
			if err := engine.CanRunDue(a.actor); err != nil {
				// Said once, not every tick: the server still serves the console.
				fmt.Fprintf(a.stderr, "ferry: not starting automated deployments: %v\n", err)
			} else {
				go a.schedule(a.ctx, every)
			}
			if len(a.cfg.Notify.Channels) > 0 {
				// Stamped as the server's own lines are, a line a Write: a retry read
				// with no time beside lines that had one.
				out := sshd.Stamped(&lockedWriter{w: a.stderr}, a.eng)
				go a.eng.DeliverFollow(a.ctx, engine.DeliverOptions{Sender: a.sender(), ScanEvery: every,
					OnDelivery: func(d engine.Delivered) {
						if d.Status != models.OutboxSent {
							fmt.Fprintln(out, "notify: "+deliveryLine(d, a.cfg.Location))
						}
					}}, func(err error) { fmt.Fprintln(out, "notify:", err) })
			}
			err = srv.Serve(a.ctx, ln)
			a.stopRuns()
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:2222", "address to listen on (loopback unless told otherwise)")
	f.StringVar(&hostKey, "host-key", "", "host key file, created on first start (default: "+hostKeyName+" next to the database)")
	f.DurationVar(&idle, "idle-timeout", sshd.DefaultIdleTimeout, "end a session after this long without input (0: never)")
	f.IntVar(&perAddress, "max-per-address", sshd.DefaultPerAddress,
		"connections one address may hold at once (people behind one NAT share an address)")
	f.DurationVar(&every, "schedule-every", 30*time.Second, "how often to start fully automated deployments whose window has begun")
	return cmd
}

// schedule starts, every so often until ctx ends, the fully automated deployments
// whose window has begun, saying on stderr what it started. The SSH sessions do not:
// one scheduler per server.
// stopRuns stops the runs the server has going (the scheduler's and the consoles'),
// recording each running step stopped, as the CLI does when it is stopped, instead of
// leaving them running in the record until the next ferry finds them interrupted.
func (a *app) stopRuns() {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(a.ctx), stopRunsWait)
	defer cancel()
	if err := a.eng.StopRuns(ctx, errServerStopping); err != nil {
		fmt.Fprintf(a.stderr, "ferry: stopping: runs did not end within %s; the next ferry will find them interrupted\n", stopRunsWait)
	}
}

// stopRunsWait bounds how long a stopping server waits for its runs to end.
const stopRunsWait = 30 * time.Second

var errServerStopping = errors.New("the server is stopping")

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
			outcome := r.Result.Result()
			if r.Err != nil {
				outcome = r.Err.Error()
			}
			fmt.Fprintf(a.stderr, "ferry: scheduler started #%d %s → %s: %s\n", r.Deployment.ID,
				r.Deployment.Component, r.Deployment.Environment, outcome)
		}
	}
}

// readOnly lists the commands a session may name over SSH: the ones that only read,
// so that nothing changes without the console's or the CLI's own user.
var readOnly = [][]string{
	{"deploy", "list"}, {"deploy", "show"}, {"deploy", "logs"}, {"deploy", "suggest"},
	{"conflicts"}, {"freeze", "impact"}, {"models", "list"}, {"where"}, {"release", "list"}, {"release", "show"},
	{"version", "blocked"}, {"version"}, {"history"}, {"report"},
	// Reviews and what follows them, for an analyst who reads them from afar.
	{"review", "list"}, {"review", "show"}, {"incident", "list"}, {"improvement", "list"}, {"improvement", "show"},
	{"finding", "list"},
}

// withWritingSubcommands are the read-only commands that have subcommands which
// write (conflicts override, version block and unblock): only the command itself
// is read-only.
var withWritingSubcommands = []string{"conflicts", "version"}

// readOnlyCommand runs a read-only ferry command for person, over SSH with a terminal
// or without (ssh host -- deploy list --json), with this server's config and database.
func (a *app) readOnlyCommand(ctx context.Context, person models.Person, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "ferry" {
		args = args[1:]
	}
	if !isReadOnly(args) {
		fmt.Fprintf(stderr, "ferry: over SSH only these read-only commands run: %s; "+
			"everything else is in the console (%s, no command)\n", readOnlyList(), strings.Replace(sshd.Via(ctx), "ssh ", "ssh -t ", 1))
		return ExitUsage
	}
	for _, arg := range args {
		if arg == "--config" || arg == "--db" || arg == "--as" || strings.HasPrefix(arg, "--config=") ||
			strings.HasPrefix(arg, "--db=") || strings.HasPrefix(arg, "--as=") {
			fmt.Fprintf(stderr, "ferry: %s is set by the server\n", strings.SplitN(arg, "=", 2)[0])
			return ExitUsage
		}
		if arg == "--out" || strings.HasPrefix(arg, "--out=") { // the file would be written on the server
			fmt.Fprintln(stderr, "ferry: --out writes on the server: over SSH the report comes on standard output "+
				"("+sshd.Via(ctx)+" -- report --format csv > FILE)")
			return ExitUsage
		}
	}
	// The server's own store and engine, lent to this command as this person.
	sub := &app{ctx: ctx, stdout: newSafeWriter(stdout), stderr: newSafeWriter(stderr), cfg: a.cfg, st: a.st, eng: a.eng, actor: person, shared: true}
	return sub.execute(args)
}

// isReadOnly reports whether args start with one of the read-only commands and go
// no deeper (conflicts, but not conflicts override).
func isReadOnly(args []string) bool {
	var words []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			break
		}
		words = append(words, a)
	}
	for _, ro := range readOnly {
		if len(words) >= len(ro) && slices.Equal(words[:len(ro)], ro) {
			// What follows a read-only command may be its arguments (an ID), but not a
			// subcommand of it that writes.
			return !(len(ro) == 1 && slices.Contains(withWritingSubcommands, ro[0]) && len(words) > 1)
		}
	}
	return false
}

func readOnlyList() string {
	var out []string
	for _, ro := range readOnly {
		out = append(out, strings.Join(ro, " "))
	}
	return strings.Join(out, ", ")
}
