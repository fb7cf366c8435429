package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
	"ferry/models"
)

type reviewJSON struct {
	DeploymentID         int64     `json:"deployment_id"`
	Model                string    `json:"model"`
	ModelVersion         int       `json:"model_version"`
	Outcome              string    `json:"outcome"`
	Satisfaction         *int      `json:"satisfaction"` // null: not answered
	LeadTimeSatisfaction *int      `json:"lead_time_satisfaction"`
	Quality              *int      `json:"quality"`
	Category             string    `json:"category"`
	Lessons              string    `json:"lessons"`
	Reviewer             string    `json:"reviewer"`
	ReviewedAt           time.Time `json:"reviewed_at"`
}

func optScore(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func reviewToJSON(r models.Review) reviewJSON {
	return reviewJSON{DeploymentID: r.DeploymentID, Model: r.Model, ModelVersion: r.ModelVersion, Outcome: string(r.Outcome),
		Satisfaction: optScore(r.Satisfaction), LeadTimeSatisfaction: optScore(r.LeadTimeSatisfaction),
		Quality: optScore(r.Quality), Category: r.Category, Lessons: r.Lessons, Reviewer: r.Reviewer,
		ReviewedAt: r.ReviewedAt.UTC()}
}

func (a *app) reviewCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "review", Short: "Review finished deployments: outcome, satisfaction, lessons", Args: noArgs}
	cmd.AddCommand(a.reviewAddCmd(), a.reviewShowCmd(), a.reviewListCmd())
	return cmd
}

func (a *app) reviewAddCmd() *cobra.Command {
	var outcome, category, lessons string
	var sat, lead, quality int
	var asJSON bool
	cmd := &cobra.Command{
		Use: "add ID [--outcome successful|successful_with_issues|unsuccessful] [--lessons TEXT] [--satisfaction 1-5]\n" +
			"      [--lead-time-satisfaction 1-5] [--quality 1-5] [--category C]   (--outcome and --lessons for a new review)",
		Short: "Review a finished deployment (its requester, a manager or a practitioner); again amends it, keeping what no flag names",
		Args:  exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			if fl.Changed("outcome") && !models.Outcome(outcome).Valid() {
				return usagef("--outcome: %q is not successful, successful_with_issues or unsuccessful", outcome)
			}
			for _, sc := range []struct {
				flag string
				v    int
			}{{"--satisfaction", sat}, {"--lead-time-satisfaction", lead}, {"--quality", quality}} {
				if fl.Changed(sc.flag[2:]) && (sc.v < 0 || sc.v > 5) {
					return usagef("%s: %d is not a score from 1 (poor) to 5 (excellent), or 0 to clear it", sc.flag, sc.v)
				}
			}
			if fl.Changed("lessons") && strings.TrimSpace(lessons) == "" {
				return usagef("--lessons: %s", engine.NeedLessons)
			}
			if err := a.open(); err != nil {
				return err
			}
			// Amending says what changes: a flag not given keeps what the review has
			// (an amended lesson cleared the scores it did not name).
			var ch engine.ReviewChange
			o := models.Outcome(outcome)
			given := func(name string) bool { return fl.Changed(name) }
			ch.Outcome = when(given("outcome"), &o)
			ch.Satisfaction = when(given("satisfaction"), &sat)
			ch.LeadTimeSatisfaction = when(given("lead-time-satisfaction"), &lead)
			ch.Quality = when(given("quality"), &quality)
			ch.Category = when(given("category"), &category)
			ch.Lessons = when(given("lessons"), &lessons)
			r, amended, err := a.eng.ChangeReview(a.ctx, a.actor, id, ch)
			if errors.Is(err, models.ErrInvalid) && strings.Contains(err.Error(), "required for a new review") {
				return usageError{err} // a flag missing, as a required flag's is said (exit 2)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, reviewToJSON(r))
			}
			did := "Reviewed"
			if amended {
				did = "Amended the review of"
			}
			fmt.Fprintf(a.stdout, "%s #%d: %s.\n", did, id, engine.OutcomeText(r.Outcome))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&outcome, "outcome", "", "successful, successful_with_issues or unsuccessful (required for a new review)")
	fl.IntVar(&sat, "satisfaction", 0, "satisfaction with the deployment, 1-5 (0 clears it)")
	fl.IntVar(&lead, "lead-time-satisfaction", 0, "satisfaction with its lead time, 1-5 (0 clears it)")
	fl.IntVar(&quality, "quality", 0, "quality of what was deployed, 1-5 (0 clears it)")
	fl.StringVar(&category, "category", "", "a failure category of [ferry] failure_categories")
	fl.StringVar(&lessons, "lessons", "", "what was learned (required for a new review)")
	fl.BoolVar(&asJSON, "json", false, "print the review as JSON")
	return cmd
}

// when is v when its flag was given, else nil (kept as it is).
func when[T any](given bool, v *T) *T {
	if given {
		return v
	}
	return nil
}

func (a *app) reviewShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID [--json]",
		Short: "A deployment's review",
		Args:  exactArgs(1, "one deployment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			if err := a.open(); err != nil {
				return err
			}
			r, err := a.eng.Review(a.ctx, a.actor, id)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, reviewToJSON(r))
			}
			tw := table(a.stdout)
			fmt.Fprintf(tw, "deployment\t#%d (%s v%d)\n", r.DeploymentID, r.Model, r.ModelVersion)
			fmt.Fprintf(tw, "outcome\t%s\n", engine.OutcomeText(r.Outcome))
			fmt.Fprintf(tw, "satisfaction\t%s\n", scoreText(r.Satisfaction))
			fmt.Fprintf(tw, "lead time satisfaction\t%s\n", scoreText(r.LeadTimeSatisfaction))
			fmt.Fprintf(tw, "quality\t%s\n", scoreText(r.Quality))
			fmt.Fprintf(tw, "category\t%s\n", orDash(r.Category))
			for i, l := range cellLines(r.Lessons) { // each line in the column, under the first
				if i == 0 {
					fmt.Fprintf(tw, "lessons\t%s\n", l)
				} else {
					fmt.Fprintf(tw, "\t%s\n", l)
				}
			}
			fmt.Fprintf(tw, "by\t%s, %s\n", r.Reviewer, a.local(r.ReviewedAt))
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the review as JSON")
	return cmd
}

func scoreText(n int) string {
	if n == 0 {
		return "—"
	}
	return fmt.Sprintf("%d/5", n)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (a *app) reviewListCmd() *cobra.Command {
	var model, category string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--model M] [--category C] [--json]",
		Short: "Reviews, the latest first",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			list, err := a.eng.Reviews(a.ctx, a.actor, engine.ReviewFilter{Model: model, Category: category})
			if err != nil {
				return err
			}
			if len(list) == 0 && category != "" && !slices.Contains(a.eng.FailureCategories(), category) {
				// as history notes a name config does not know: a typo read as "No reviews."
				a.noteUnknown("--category", category, "failure category", a.eng.FailureCategories()...)
			}
			return writeList(a.stdout, asJSON, list, reviewToJSON, "No reviews.",
				"DEPLOYMENT\tMODEL\tOUTCOME\tSAT\tLEAD\tQUALITY\tCATEGORY\tBY\tWHEN\tLESSONS",
				func(r models.Review) string {
					return fmt.Sprintf("#%d\t%s v%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", r.DeploymentID, r.Model, r.ModelVersion,
						engine.OutcomeText(r.Outcome), scoreText(r.Satisfaction), scoreText(r.LeadTimeSatisfaction),
						scoreText(r.Quality), orDash(r.Category), r.Reviewer, a.local(r.ReviewedAt), cell(r.Lessons))
				})
		},
	}
	cmd.Flags().StringVar(&model, "model", "", "only this model's")
	cmd.Flags().StringVar(&category, "category", "", "only this failure category")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as a JSON array")
	return cmd
}
