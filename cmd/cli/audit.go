package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
)

func (a *app) auditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Check that the record holds, and read the audit log",
		Long: "Every event of every deployment, and every entry of the organisation's record (a\n" +
			"configuration change, a key added or revoked), is chained to the one before it by a\n" +
			"hash: a row changed, deleted, inserted or moved outside Ferry breaks the chain there.",
		Args: noArgs,
	}
	cmd.AddCommand(a.auditVerifyCmd(), a.auditHeadCmd(), a.auditLogCmd())
	return cmd
}

func (a *app) auditVerifyCmd() *cobra.Command {
	var head string
	cmd := &cobra.Command{
		Use:   "verify [--head H]",
		Short: "Walk the record's chain; name the first event changed, deleted, inserted or moved",
		Long: "Walk both records from the first row to the last. Exit 0 with the count and the head\n" +
			"when every link holds; exit 1 naming the first row that does not. With --head (as\n" +
			"'ferry audit head' printed it earlier and you kept it elsewhere), the rows it named must\n" +
			"still carry its links, so a record rewritten and chained again does not pass either.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var kept *engine.RecordHead
			if head != "" {
				h, err := engine.ParseRecordHead(head)
				if err != nil {
					return usagef("--head: %v", err)
				}
				kept = &h
			}
			if err := a.open(); err != nil {
				return err
			}
			h, err := a.eng.VerifyRecord(a.ctx, a.actor, kept)
			if err != nil { // a BrokenRecordError names the first row that does not hold
				return err
			}
			fmt.Fprintf(a.stdout, "The record holds: %d events, %d audit entries.\nhead %s\n", h.Events, h.Entries, h)
			return nil
		},
	}
	cmd.Flags().StringVar(&head, "head", "", "a head printed earlier, to check it is still in the record")
	return cmd
}

func (a *app) auditHeadCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "head",
		Short: "Print the record's head, to keep elsewhere",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			h, err := a.eng.VerifyRecord(a.ctx, a.actor, nil)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, h)
			return nil
		},
	}
}

type logJSON struct {
	At           time.Time `json:"at"`
	Actor        string    `json:"actor"`
	Principal    string    `json:"principal"`
	Type         string    `json:"type"`
	Detail       string    `json:"detail"`
	DeploymentID *int64    `json:"deployment_id"` // null for the organisation's record
}

func (a *app) auditLogCmd() *cobra.Command {
	var configOnly, asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:   "log [--config-only] [--limit N] [--json]",
		Short: "The newest entries of the record across every deployment and the organisation",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 1 {
				return usagef("--limit: must be at least 1, got %d", limit)
			}
			if err := a.open(); err != nil {
				return err
			}
			log, err := a.eng.AuditLog(a.ctx, a.actor, engine.AuditQuery{ConfigOnly: configOnly, Events: true, Limit: limit})
			if err != nil {
				return err
			}
			if asJSON {
				out := []logJSON{}
				for _, l := range log {
					j := logJSON{At: l.At.UTC(), Actor: l.Actor, Principal: l.Principal, Type: l.Type, Detail: l.Detail}
					if l.DeploymentID != 0 {
						id := l.DeploymentID
						j.DeploymentID = &id
					}
					out = append(out, j)
				}
				return writeJSON(a.stdout, out)
			}
			tw := table(a.stdout)
			fmt.Fprintln(tw, "WHEN\tWHERE\tWHO\tTYPE\tWHAT")
			for _, l := range log {
				where := "organisation"
				if l.DeploymentID != 0 {
					where = fmt.Sprintf("#%d", l.DeploymentID)
				}
				who := l.Actor
				if l.Principal != "" && l.Principal != l.Actor {
					who += " (" + l.Principal + ")"
				}
				typ, detail := l.Words()
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.local(l.At), where, who, typ, cell(detail))
			}
			return tw.Flush()
		},
	}
	// Not --config: that is every command's config file.
	cmd.Flags().BoolVar(&configOnly, "config-only", false, "only the configuration's changes")
	cmd.Flags().IntVar(&limit, "limit", 50, "how many of the newest entries")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as a JSON array")
	return cmd
}
