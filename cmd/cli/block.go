package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
	"ferry/models"
)

// blockedJSON is a blocked version in --json output (documented in the README).
type blockedJSON struct {
	Component string    `json:"component"`
	Version   string    `json:"version"`
	Reason    string    `json:"reason"`
	Actor     string    `json:"actor"`
	At        time.Time `json:"at"`
}

func blockedToJSON(b models.BlockedVersion) blockedJSON {
	return blockedJSON{b.Component, b.Version, b.Reason, b.Actor, b.At.UTC()}
}

func (a *app) blockCmd() *cobra.Command {
	var reason string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "block COMPONENT VERSION --reason R [--json]",
		Short: "Block a bad version: it can no longer be planned or started anywhere (managers)",
		Args:  exactArgs(2, "a component and a version"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return usagef("--reason: %s", engine.NeedVersionReason(args[0], strings.TrimSpace(args[1])))
			}
			if err := a.open(); err != nil {
				return err
			}
			b, err := a.eng.BlockVersion(a.ctx, a.actor, args[0], args[1], reason)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, blockedToJSON(b))
			}
			fmt.Fprintf(a.stdout, "Blocked %s %s: %s\n", b.Component, b.Version, b.Reason)
			fmt.Fprintln(a.stdout, "Its planned deployments are now in a blocked_version conflict ('ferry conflicts').")
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why it is blocked (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the block as JSON")
	return cmd
}

func (a *app) unblockCmd() *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:   "unblock COMPONENT VERSION [--note N]",
		Short: "Lift a version's block (managers)",
		Args:  exactArgs(2, "a component and a version"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.open(); err != nil {
				return err
			}
			if err := a.eng.UnblockVersion(a.ctx, a.actor, args[0], args[1], note); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Unblocked %s %s\n", args[0], args[1])
			return nil
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "a note for the audit log")
	return cmd
}

func (a *app) blockedCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "blocked [--json]",
		Short: "List the blocked versions",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			bs, err := a.eng.BlockedVersions(a.ctx, a.actor)
			if err != nil {
				return err
			}
			if asJSON {
				out := []blockedJSON{}
				for _, b := range bs {
					out = append(out, blockedToJSON(b))
				}
				return writeJSON(a.stdout, out)
			}
			if len(bs) == 0 {
				fmt.Fprintln(a.stdout, "No blocked versions.")
			}
			for _, b := range bs {
				fmt.Fprintf(a.stdout, "%s %s  blocked by %s %s: %s\n", b.Component, b.Version, b.Actor, a.local(b.At), b.Reason)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as a JSON array")
	return cmd
}
