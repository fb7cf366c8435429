package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
	"ferry/models"
)

type improvementJSON struct {
	ID        int64     `json:"id"`
	Model     string    `json:"model"`
	Title     string    `json:"title"`
	Owner     string    `json:"owner"`
	Status    string    `json:"status"`
	InVersion *int      `json:"in_version"` // null while no version carries it
	From      []int64   `json:"from"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func improvementToJSON(im models.Improvement) improvementJSON {
	from := im.From
	if from == nil {
		from = []int64{}
	}
	return improvementJSON{ID: im.ID, Model: im.Model, Title: im.Title, Owner: im.Owner, Status: string(im.Status),
		InVersion: optScore(im.InVersion), From: from, CreatedBy: im.CreatedBy, CreatedAt: im.CreatedAt.UTC(),
		UpdatedAt: im.UpdatedAt.UTC()}
}

func (a *app) improvementCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "improvement", Short: "The improvement register: changes to models that reviews and failures suggest", Args: noArgs}
	cmd.AddCommand(a.improvementAddCmd(), a.improvementListCmd(), a.improvementShowCmd(), a.improvementSetCmd())
	return cmd
}

func (a *app) improvementAddCmd() *cobra.Command {
	var model, title, owner, note string
	var from []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "add --model M --title T [--from ID]... [--owner P] [--note N]",
		Short: "Propose an improvement to a model (managers and practitioners)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(title) == "" {
				return usagef("--title: %s", engine.NeedImprovementTitle)
			}
			var ids []int64
			for _, f := range from {
				id, err := parseID(f)
				if err != nil {
					return usagef("--from: %v", err)
				}
				ids = append(ids, id)
			}
			if err := a.open(); err != nil {
				return err
			}
			im, err := a.eng.AddImprovement(a.ctx, a.actor, engine.ImprovementRequest{Model: model, Title: title, Owner: owner, From: ids,
				Note: note})
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, improvementToJSON(im))
			}
			fmt.Fprintf(a.stdout, "Improvement %d proposed for %s: %s\n", im.ID, im.Model, im.Title)
			return nil
		},
	}
	cmd.Flags().StringVar(&model, "model", "", "the model it changes (required)")
	cmd.Flags().StringVar(&title, "title", "", "what should change (required)")
	cmd.Flags().StringVar(&owner, "owner", "", "who carries it out")
	cmd.Flags().StringArrayVar(&from, "from", nil, "a deployment (reviewed or failed) it came from; repeat for several")
	cmd.Flags().StringVar(&note, "note", "", "why, for the record")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print it as JSON")
	_ = cmd.MarkFlagRequired("model")
	_ = cmd.MarkFlagRequired("title")
	return cmd
}

func (a *app) improvementListCmd() *cobra.Command {
	var model string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--model M] [--json]",
		Short: "The register, oldest first",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			list, err := a.eng.Improvements(a.ctx, a.actor, model)
			if err != nil {
				return err
			}
			return writeList(a.stdout, asJSON, list, improvementToJSON, "No improvements.", "ID\tMODEL\tSTATUS\tIN\tOWNER\tFROM\tTITLE",
				func(im models.Improvement) string {
					return fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s\t%s", im.ID, im.Model, im.Status.Words(), versionText(im.InVersion),
						orDash(im.Owner), idsText(im.From), cell(im.Title))
				})
		},
	}
	cmd.Flags().StringVar(&model, "model", "", "only this model's")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as a JSON array")
	return cmd
}

func versionText(v int) string {
	if v == 0 {
		return "—"
	}
	return "v" + strconv.Itoa(v)
}

func idsText(ids []int64) string {
	if len(ids) == 0 {
		return "—"
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprintf("#%d", id)
	}
	return strings.Join(s, ",")
}

func (a *app) improvementShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID [--json]",
		Short: "An improvement: its history, and the measured effect of the version that carries it",
		Args:  exactArgs(1, "one improvement ID (ferry improvement list shows them)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseNumbered(args[0], "an improvement")
			if err != nil {
				return err
			}
			if err := a.open(); err != nil {
				return err
			}
			v, err := a.eng.Improvement(a.ctx, a.actor, id)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, improvementToJSON(v.Improvement))
			}
			tw := table(a.stdout)
			fmt.Fprintf(tw, "improvement\t%d: %s\n", v.ID, cell(v.Title))
			fmt.Fprintf(tw, "model\t%s, %s\n", v.Model, engine.VersionText(v.Improvement))
			fmt.Fprintf(tw, "status\t%s\n", v.Status.Words())
			fmt.Fprintf(tw, "owner\t%s\n", orDash(v.Owner))
			fmt.Fprintf(tw, "from\t%s\n", idsText(v.From))
			if v.Effect != nil {
				fmt.Fprintf(tw, "effect\t%s\n", engine.EffectText(v.Model, *v.Effect))
				if v.Before != nil {
					fmt.Fprintf(tw, "before\t%s\n", engine.EffectText(v.Model, *v.Before))
				}
			}
			tw.Flush()
			fmt.Fprintln(a.stdout, "\nHistory")
			for _, h := range v.History {
				fmt.Fprintf(a.stdout, "  %s  %s  %s\n", a.local(h.At), h.Actor, cell(h.Detail))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print it as JSON")
	return cmd
}

func (a *app) improvementSetCmd() *cobra.Command {
	var note string
	var version string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "set ID proposed|approved|in_progress|implemented|verified|rejected [--note N] [--in-version V]",
		Short: "Move an improvement on (managers approve, reject and verify)",
		Args:  exactArgs(2, "an improvement ID and a status"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseNumbered(args[0], "an improvement")
			if err != nil {
				return err
			}
			// as list and show print it ("in progress") or as stored ("in_progress")
			to, ok := models.ParseImprovementStatus(args[1])
			if !ok {
				return usagef("status %q: use proposed, approved, in_progress, implemented, verified or rejected", args[1])
			}
			inVersion := 0
			if cmd.Flags().Changed("in-version") {
				if inVersion, err = modelVersionArg("--in-version", version); err != nil {
					return err
				}
			}
			if err := a.open(); err != nil {
				return err
			}
			im, err := a.eng.SetImprovement(a.ctx, a.actor, id, to, note, inVersion)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, improvementToJSON(im))
			}
			// the audit log's sentence ("improvement 3 implemented in web v2"), capitalised
			done := engine.ImprovementSetText(im, "")
			fmt.Fprintf(a.stdout, "%s%s.\n", strings.ToUpper(done[:1]), done[1:])
			return nil
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "why, for the record")
	cmd.Flags().StringVar(&version, "in-version", "", "the model version that carries it, 2 or v2 (needed for implemented)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print it as JSON")
	return cmd
}
