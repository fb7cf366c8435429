package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
	"ferry/models"
)

type auditFindingJSON struct {
	ID           int64     `json:"id"`
	DeploymentID *int64    `json:"deployment_id"` // null for a finding about a model
	Model        string    `json:"model"`
	Kind         string    `json:"kind"` // audit or compliance
	Summary      string    `json:"summary"`
	Actor        string    `json:"actor"`
	At           time.Time `json:"at"`
}

func auditFindingToJSON(f models.AuditFinding) auditFindingJSON {
	j := auditFindingJSON{ID: f.ID, Model: f.Model, Kind: f.Kind, Summary: f.Summary, Actor: f.Actor, At: f.At.UTC()}
	if f.DeploymentID != 0 {
		id := f.DeploymentID
		j.DeploymentID = &id
	}
	return j
}

func (a *app) findingCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "finding", Short: "Audit and compliance findings, about a deployment or a model", Args: noArgs}
	cmd.AddCommand(a.findingAddCmd(), a.findingListCmd())
	return cmd
}

func (a *app) findingAddCmd() *cobra.Command {
	var deployment int64
	var model, kind, summary string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "add (--deployment ID | --model M) --kind audit|compliance --summary S",
		Short: "Record an audit or compliance finding (managers)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (deployment == 0) == (model == "") {
				return usagef("--deployment or --model: a finding is about one deployment or one model")
			}
			if kind != models.FindingAudit && kind != models.FindingCompliance {
				return usagef("--kind: %q is not audit or compliance", kind)
			}
			if strings.TrimSpace(summary) == "" {
				return usagef("--summary: %s", engine.NeedFindingSummary)
			}
			if err := a.open(); err != nil {
				return err
			}
			f, err := a.eng.AddAuditFinding(a.ctx, a.actor, models.AuditFinding{DeploymentID: deployment, Model: model,
				Kind: kind, Summary: summary})
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, auditFindingToJSON(f))
			}
			fmt.Fprintf(a.stdout, "Recorded %s.\n", engine.AuditFindingText(f))
			return nil
		},
	}
	cmd.Flags().Int64Var(&deployment, "deployment", 0, "the deployment it is about")
	cmd.Flags().StringVar(&model, "model", "", "the model it is about")
	cmd.Flags().StringVar(&kind, "kind", "", "audit or compliance (required)")
	cmd.Flags().StringVar(&summary, "summary", "", "what was found (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print it as JSON")
	_ = cmd.MarkFlagRequired("kind")
	_ = cmd.MarkFlagRequired("summary")
	return cmd
}

func (a *app) findingListCmd() *cobra.Command {
	var kind string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--kind audit|compliance] [--json]",
		Short: "Audit and compliance findings, oldest first",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if kind != "" && kind != models.FindingAudit && kind != models.FindingCompliance {
				return usagef("--kind: %q is not audit or compliance", kind)
			}
			if err := a.open(); err != nil {
				return err
			}
			list, err := a.eng.AuditFindings(a.ctx, a.actor, kind)
			if err != nil {
				return err
			}
			return writeList(a.stdout, asJSON, list, auditFindingToJSON, "No findings.", "ID\tKIND\tABOUT\tBY\tWHEN\tSUMMARY",
				func(f models.AuditFinding) string {
					about := "model " + f.Model
					if f.DeploymentID != 0 {
						about = fmt.Sprintf("#%d", f.DeploymentID)
					}
					return fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s", f.ID, f.Kind, about, f.Actor, a.local(f.At), cell(f.Summary))
				})
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "", "only audit or only compliance findings")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as a JSON array")
	return cmd
}

type modelDueJSON struct {
	Model      string     `json:"model"`
	LastReview *time.Time `json:"last_review"` // null: never reviewed
	Since      time.Time  `json:"since"`
	Failures   int64      `json:"failures"`
	Overdue    bool       `json:"overdue"`
	Message    string     `json:"message"`
}

func (a *app) modelsReviewDueCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "review-due [--json]",
		Short: "Models due for review: none for [ferry] model_review_every, or failures since the last",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			due, err := a.eng.ModelsReviewDue(a.ctx, a.actor)
			if err != nil {
				return err
			}
			if asJSON {
				out := []modelDueJSON{}
				for _, d := range due {
					out = append(out, modelDueJSON{Model: d.Model, LastReview: optTime(d.LastReview), Since: d.Since.UTC(),
						Failures: d.Failures, Overdue: d.Overdue, Message: engine.ModelDueText(d, a.cfg.Location)})
				}
				return writeJSON(a.stdout, out)
			}
			if len(due) == 0 {
				fmt.Fprintln(a.stdout, "No model is due for review.")
				return nil
			}
			for _, d := range due {
				fmt.Fprintln(a.stdout, engine.ModelDueText(d, a.cfg.Location))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as a JSON array")
	return cmd
}
