// Package cli is the ferry command line: every subcommand and the global flags.
// It only parses, calls the engine and prints; the rules live in the engine.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"ferry"
	"ferry/cmd/sshd"
	"ferry/engine"
	"ferry/engine/config"
	"ferry/models"
	"ferry/store"
)

// Exit codes, documented in the README.
const (
	ExitOK      = 0
	ExitFailed  = 1 // refused or failed, including an unknown id
	ExitUsage   = 2 // unknown flag, missing argument
	ExitWaiting = 3 // reserved: a run waits for a person
)

// app is what one invocation shares between its commands.
type app struct {
	ctx        context.Context
	stdout     io.Writer
	stderr     io.Writer
	configPath string
	dbPath     string
	as         string
	noted      bool // the note on who acts was printed (settleActor)
	// consoleRunsDue: the console's --run-due (it starts due automated deployments)
	consoleRunsDue bool

	cfg      *config.Config
	st       *store.Store
	eng      *engine.Engine
	actor    models.Person
	identity engine.Identity // how actor was settled
	closer   []func() error
	// shared: the store and engine are a server's, lent to one command run for a
	// person over SSH: nothing is opened, migrated or recovered for it, and a usage
	// hint names the way to help there (usageHint).
	shared bool
	// recovered: opening marked what dead runners left (recoverQuietly), so a run
	// command need not do it again.
	recovered bool
	// actsForNobody: the command acts on no one's behalf (a demo fills a new file), so
	// who it would act as is not worth saying.
	actsForNobody bool
}

// usageError marks mistakes in how ferry was called (exit 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Main runs ferry with args and returns the exit code. It is the composition root:
// the one place that opens the store and builds the engine (and the console) for
// this process.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{ctx: ctx, stdout: newSafeWriter(stdout), stderr: newSafeWriter(stderr)}
	defer a.close()
	return a.execute(args)
}

// execute runs one command line with this app's store and engine.
func (a *app) execute(args []string) int {
	stderr := a.stderr
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetOut(a.stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(a.ctx)
	if err == nil {
		return ExitOK
	}
	var ex exitError
	if errors.As(err, &ex) {
		return ex.code
	}
	if a.noted && errors.Is(err, engine.ErrUnmappedLogin) {
		return ExitFailed // the note on who acts said it already: a login of no person changes nothing
	}
	fmt.Fprintln(stderr, "ferry:", err)
	if isUsage(err) {
		fmt.Fprintln(stderr, a.usageHint(cmd))
		return ExitUsage
	}
	return ExitFailed
}

// usageHint says where to read how to call cmd. Over SSH ferry --help is refused
// (only the read-only commands run there), so it names the command's own help,
// which runs: the command got this far, so it is one of them.
func (a *app) usageHint(cmd *cobra.Command) string {
	name := "COMMAND"
	if cmd != nil && cmd.HasParent() {
		name = commandName(cmd)
	}
	if a.shared {
		return fmt.Sprintf("Run '%s -- %s --help' for usage.", sshd.Via(a.ctx), name)
	}
	if name == "COMMAND" {
		return "Run 'ferry --help' or 'ferry COMMAND --help' for usage."
	}
	return fmt.Sprintf("Run 'ferry %s --help' for usage.", name)
}

// exitError ends the command with a code after it printed its own message.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func isUsage(err error) bool {
	var u usageError
	if errors.As(err, &u) {
		return true
	}
	// cobra reports unknown commands and flags as plain errors.
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "flag needs an argument",
		"invalid argument", "required flag", "accepts ", "requires "} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func (a *app) close() {
	for i := len(a.closer) - 1; i >= 0; i-- {
		_ = a.closer[i]()
	}
}

// loadConfig reads --config, $FERRY_CONFIG, ./config.toml, or the built-in example.
func (a *app) loadConfig() (*config.Config, error) {
	if a.cfg != nil {
		return a.cfg, nil
	}
	path, from := a.configPath, "--config"
	if path == "" {
		path, from = os.Getenv("FERRY_CONFIG"), "$FERRY_CONFIG"
	}
	var err error
	switch {
	case path != "":
		a.cfg, err = loadConfigFile(from, path)
	case fileExists("config.toml"):
		a.cfg, err = config.Load("config.toml")
	default:
		fmt.Fprintln(a.stderr, "ferry: no config.toml here; using the built-in example organisation")
		a.cfg, err = config.Parse("(built-in config.toml)", ferry.DefaultConfig)
	}
	if err == nil {
		for _, n := range a.cfg.Notes { // a time in the repeated hour, as a flag's is said
			fmt.Fprintln(a.stderr, "ferry: note: "+n)
		}
	}
	return a.cfg, err
}

// loadConfigFile loads the config at path, named by from (the flag or variable that
// gave it): a file that cannot be read is refused by where it was named, in words.
func loadConfigFile(from, path string) (*config.Config, error) {
	cfg, err := config.Load(path)
	var pe *fs.PathError
	if err == nil || !errors.As(err, &pe) {
		return cfg, err
	}
	why := pe.Err.Error()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		why = "no such file"
	case errors.Is(err, fs.ErrPermission):
		why = "this user may not read it"
	case errors.Is(err, syscall.EISDIR):
		why = "is a directory, not a config file"
	}
	return nil, fmt.Errorf("%s %s: %s", from, path, why)
}

// open loads config, opens the store and the engine, and settles who is acting.
func (a *app) open() error {
	if a.eng != nil {
		return nil
	}
	if err := a.openStore(); err != nil {
		return err
	}
	// Until the actor is settled, what the engine records on opening (a changed
	// configuration) is by the OS login.
	a.ctx = engine.WithPrincipal(a.ctx, a.login().String())
	var err error
	if a.eng, err = engine.New(a.ctx, a.st, a.cfg); err != nil {
		return err
	}
	a.recoverQuietly()
	return a.settleActor()
}

// recoverWait bounds how long a command that only reads waits to write a recovery.
const recoverWait = 2 * time.Second

// recoverQuietly marks the steps of runners that died as interrupted (and stops what
// they left running) at the start of every command, so that deploy show and list
// say so without waiting for a run command. Reading must not wait on it: a database
// that is busy or read-only is read as it stands, and the run commands, which
// recover before they act, say what stops them.
func (a *app) recoverQuietly() {
	if a.st.ReadOnly() {
		return
	}
	ctx, cancel := context.WithTimeout(a.ctx, recoverWait)
	defer cancel()
	rec, err := a.eng.RecoverInterrupted(ctx)
	a.sayRecovered(rec)
	a.recovered = err == nil
}

// openStore loads config and opens the database, without starting the engine (which
// stores the config's models as their newest versions).
func (a *app) openStore() error {
	if a.st != nil {
		return nil
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	busy, err := busyTimeout()
	if err != nil {
		return err
	}
	if a.st, err = store.Open(a.ctx, a.databasePath(cfg), store.BusyTimeout(busy)); err != nil {
		return err
	}
	a.closer = append(a.closer, a.st.Close)
	return nil
}

// busyTimeout is $FERRY_BUSY_TIMEOUT: how long a write waits for another writer
// (0: the store's default).
func busyTimeout() (time.Duration, error) {
	v := os.Getenv("FERRY_BUSY_TIMEOUT")
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usagef("FERRY_BUSY_TIMEOUT=%q: want a positive duration such as 30s or 2m", v)
	}
	return d, nil
}

// openOther opens (creating) a database that is not this command's own, for a bulk
// load: the file a demo fills before it takes the database's name.
func (a *app) openOther(path string) (*store.Store, error) {
	return store.Open(a.ctx, path, store.Loading())
}

func (a *app) databasePath(cfg *config.Config) string {
	switch {
	case a.dbPath != "":
		return a.dbPath
	case os.Getenv("FERRY_DB") != "":
		return os.Getenv("FERRY_DB")
	case cfg.Database != "":
		return cfg.Database
	}
	return "ferry.db"
}

// settleActor settles who acts by the config's identity rule, and carries who really
// does (the OS login and host) on the context, for every event this process writes.
func (a *app) settleActor() error {
	id, err := a.eng.Identify(a.login(), a.as)
	if err != nil {
		if errors.Is(err, models.ErrInvalid) {
			return usageError{err}
		}
		return err
	}
	a.actor, a.identity = id.Actor, id
	a.ctx = engine.WithPrincipal(a.ctx, id.Principal)
	if (a.as == "" || id.Actor.Unmapped) && !a.actsForNobody {
		fmt.Fprintln(a.stderr, "ferry:", id.Note)
		a.noted = true
	}
	return nil
}

// login is who runs this process, as the OS says.
func (a *app) login() engine.Login { return engine.OSLogin() }

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// absPath is for messages: where a file really is.
func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}
