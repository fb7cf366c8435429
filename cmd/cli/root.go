package cli

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"ferry/models"
)

// Version is set at build time with -ldflags "-X ferry/cmd/cli.Version=...".
var Version = "dev"

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "ferry",
		Short: "Ferry — deployment management console",
		Long: "Ferry plans, schedules, runs and records deployments: moving hardware, software,\n" +
			"documentation, licences and data into controlled environments.\n\n" +
			"Run without a command to open the console.",
		Args:          noArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE:          a.runConsole,
	}
	root.Flags().BoolVar(&a.consoleRunsDue, "run-due", false,
		"the console also starts fully automated deployments whose window has begun, every 30s, as ferry run-due does (quitting stops what it started)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{plainFlagError(err)} })
	pf := root.PersistentFlags()
	// The defaults as the README's table of global flags gives them, in the order they
	// are tried: $FERRY_CONFIG and $FERRY_DB come first.
	pf.StringVar(&a.configPath, "config", "", "config file (default: $FERRY_CONFIG, else ./config.toml, else the built-in example)")
	pf.StringVar(&a.dbPath, "db", "", "database file (default: $FERRY_DB, else the config's database, else ./ferry.db)")
	pf.StringVar(&a.as, "as", "", "act as this person (default: the person whose unix_user is your login, else with identity = \"trust\" "+
		"the first manager); with identity = \"login\" only a manager may act as someone else")
	root.AddCommand(a.versionCmd(), a.demoCmd(), a.deployCmd(), a.modelsCmd(), a.conflictsCmd(), a.freezeCmd())
	root.AddCommand(a.serveCmd(), a.peopleCmd(), a.historyCmd(), a.incidentCmd(), a.reportCmd(), a.auditCmd(), a.inboxCmd(), a.notifyCmd(), a.whereCmd(), a.releaseCmd(), a.scheduleCmd())
	root.AddCommand(a.reviewCmd(), a.improvementCmd(), a.findingCmd())
	root.AddCommand(a.runCmds()...)
	groupsRefuseUnknown(root)
	onceEach(root)
	return root
}

// onceEach makes every flag that holds one value refuse to be given twice: the parser
// kept the last silently, so "report --env production --env dev" reported dev
// alone. Flags that gather values (StringArray) and switches are left as they are.
func onceEach(cmd *cobra.Command) {
	wrap := func(f *pflag.Flag) {
		switch f.Value.Type() {
		case "string", "int", "int64", "duration":
			f.Value = &onceValue{Value: f.Value, name: f.Name, list: strings.Contains(f.Usage, "comma-separated")}
		}
	}
	cmd.PersistentFlags().VisitAll(wrap)
	cmd.LocalNonPersistentFlags().VisitAll(wrap)
	for _, c := range cmd.Commands() {
		onceEach(c)
	}
}

// onceValue is a flag's value that may be set once.
type onceValue struct {
	pflag.Value
	name string
	list bool // it takes several, comma-separated
	set  bool
}

// givenTwice is the refusal of a flag given a second time.
type givenTwice struct {
	name, first, again string
	list               bool
}

func (g givenTwice) Error() string {
	if g.list {
		return fmt.Sprintf("--%s given twice (%q, then %q): give it once, the values separated by commas (--%s %s,%s)",
			g.name, g.first, g.again, g.name, g.first, g.again)
	}
	return fmt.Sprintf("--%s given twice (%q, then %q): give it once", g.name, g.first, g.again)
}

func (o *onceValue) Set(v string) error {
	if o.set {
		return givenTwice{o.name, o.Value.String(), v, o.list}
	}
	o.set = true
	if o.name == "as" && strings.TrimSpace(v) == "" { // it acted as the first manager, saying nothing
		return valueRefused{errors.New("--as: empty: name a person of the configuration ('ferry people' lists them)")}
	}
	if freeText[o.name] {
		if err := models.CheckText("--"+o.name, v); err != nil {
			return valueRefused{err}
		}
	}
	return o.Value.Set(v)
}

// freeText names the flags that take what a person writes (a note, a reason, a
// summary): one longer than models.MaxText is refused as it is read, under its flag,
// before anything else is (the engine refuses it too, for the console's fields).
var freeText = map[string]bool{"summary": true, "note": true, "reason": true, "lessons": true,
	"override-reason": true, "urgency-reason": true, "title": true, "notes": true}

// valueRefused is a flag's value refused as it is read (a free text longer than
// models.MaxText, an empty --as), said without the value, which pflag quotes whole.
type valueRefused struct{ error }

// groupsRefuseUnknown makes a command that only groups others (ferry deploy) refuse
// an unknown subcommand with exit 2: left to cobra it printed the group's help and
// exited 0, so a script's typo (ferry deploy frob) passed as done.
func groupsRefuseUnknown(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		if c.HasSubCommands() && !c.Runnable() {
			c.Args = noArgs
			c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
		}
		groupsRefuseUnknown(c)
	}
}

// plainFlagError says what a flag's value should be, instead of the parser's words
// ("strconv.ParseInt: parsing \"x\": invalid syntax").
func plainFlagError(err error) error {
	var twice givenTwice
	if errors.As(err, &twice) {
		return twice
	}
	var long valueRefused
	if errors.As(err, &long) {
		return long.error // without the value, which pflag's message quotes whole
	}
	var bad *pflag.InvalidValueError
	if !errors.As(err, &bad) {
		return err
	}
	if errors.Is(err, strconv.ErrRange) {
		return fmt.Errorf("--%s: %q is too large", bad.GetFlag().Name, bad.GetValue())
	}
	want := map[string]string{"int": "a whole number", "int64": "a whole number", "uint": "a whole number",
		"float64": "a number", "bool": "true or false", "duration": "a duration such as 90m or 2h"}[bad.GetFlag().Value.Type()]
	if want == "" {
		return err
	}
	return fmt.Errorf("--%s: %q is not %s", bad.GetFlag().Name, bad.GetValue(), want)
}

// commandName is the command as a refusal names it, after "ferry: " ("deploy show",
// not "ferry deploy show"; the root is "ferry").
func commandName(cmd *cobra.Command) string {
	if !cmd.HasParent() {
		return cmd.Name()
	}
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if cmd.HasSubCommands() {
			return usagef("unknown command %q for %q", args[0], commandName(cmd))
		}
		return usagef("%s takes no arguments, got %q", commandName(cmd), args)
	}
	return nil
}

func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s needs %s", commandName(cmd), names)
		}
		return nil
	}
}

func (a *app) versionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print ferry's version; block or unblock a component's version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := Version
			if info, ok := debug.ReadBuildInfo(); ok && v == "dev" {
				for _, s := range info.Settings {
					if s.Key == "vcs.revision" && len(s.Value) >= 12 {
						v += " (" + s.Value[:12] + ")"
					}
				}
				fmt.Fprintf(a.stdout, "ferry %s %s\n", v, info.GoVersion)
				return nil
			}
			fmt.Fprintf(a.stdout, "ferry %s\n", v)
			return nil
		},
	}
	cmd.AddCommand(a.blockCmd(), a.unblockCmd(), a.blockedCmd())
	return cmd
}
