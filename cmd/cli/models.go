package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"ferry/engine/config"
)

func (a *app) modelsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "models", Short: "Check and list deployment models", Args: noArgs}
	cmd.AddCommand(a.modelsValidateCmd(), a.modelsListCmd(), a.modelsDiffCmd(), a.modelsReviewDueCmd())
	return cmd
}

func (a *app) modelsValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate [FILE]",
		Short: "Check a config file: environments, people, services and models",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("%s takes at most one FILE", commandName(cmd))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var cfg *config.Config
			var err error
			if len(args) == 1 {
				cfg, err = loadConfigFile("models validate", args[0])
			} else {
				cfg, err = a.loadConfig()
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s is valid: %d environments, %d people, %d components, %d models\n",
				cfg.File, len(cfg.Environments), len(cfg.People), len(cfg.Components()), len(cfg.Models))
			tw := table(a.stdout)
			for _, m := range cfg.Models {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%d steps\t%s\n", m.Name, joinAny(m.Kinds, "/"),
					strings.Join(m.Path, " → "), len(m.Steps)+len(m.OnFailure), m.Fingerprint())
			}
			return tw.Flush()
		},
	}
}

func (a *app) modelsListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List every stored version of every model",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			versions, err := a.eng.ModelVersions(a.ctx, a.actor)
			if err != nil {
				return err
			}
			tw := table(a.stdout)
			fmt.Fprintln(tw, "MODEL\tVERSION\tSTORED\tFINGERPRINT\tCURRENT\tCHANGE NOTE")
			for _, v := range versions {
				cur := ""
				if m, ok := a.eng.Model(v.Name); ok && m.Version == v.Version {
					cur = "✓"
				}
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", v.Name, v.Version, a.local(v.CreatedAt), v.Fingerprint, cur,
					cell(v.ChangeNote))
			}
			return tw.Flush()
		},
	}
}

func (a *app) modelsDiffCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "diff MODEL A B",
		Short: "What changed between two stored versions of a model: steps added, removed and changed",
		Args:  exactArgs(3, "a model and two of its versions (ferry models list shows them)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var vs [2]int
			for i, s := range args[1:] {
				n, err := modelVersionArg("", s)
				if err != nil {
					return err
				}
				vs[i] = n
			}
			if err := a.open(); err != nil {
				return err
			}
			changes, err := a.eng.ModelDiff(a.ctx, a.actor, args[0], vs[0], vs[1])
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s v%d → v%d\n", args[0], vs[0], vs[1])
			if len(changes) == 0 {
				fmt.Fprintln(a.stdout, "  no step or setting changed")
			}
			for _, c := range changes {
				fmt.Fprintf(a.stdout, "  %s %s\n", c.Mark, cell(c.Text))
			}
			return nil
		},
	}
}

func joinAny[T ~string](xs []T, sep string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, sep)
}

// modelVersionArg reads a model version as Ferry writes it, "v2", or as a number;
// flag names where it was given ("" for an argument).
func modelVersionArg(flag, s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(s, "v"))
	if err != nil || n < 1 {
		if flag != "" {
			flag += ": "
		}
		return 0, usagef("%s%q is not a version number (1, 2, … or v1, v2, …)", flag, s)
	}
	return n, nil
}
