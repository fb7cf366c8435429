package engine

import (
	"context"
	"fmt"
	"strings"

	"ferry/models"
	"ferry/store"
)

// AuditFindingText is the record's text of an audit or compliance finding (the
// deployment's record, or the audit log for one about a model).
func AuditFindingText(f models.AuditFinding) string {
	return fmt.Sprintf("%s finding %d: %s", f.Kind, f.ID, f.Summary)
}

// AddAuditFinding records an audit or compliance finding about a deployment (id not
// 0) or a model, with its text on the deployment's record or in the audit log, in
// one transaction. Managers may (analysts, who may be the auditors, only read: they
// pass their findings to a manager).
func (e *Engine) AddAuditFinding(ctx context.Context, actor models.Person, f models.AuditFinding) (models.AuditFinding, error) {
	f.Summary, f.Actor, f.At = strings.TrimSpace(f.Summary), actor.Name, e.Now()
	if err := Can(actor, ActAdmin, nil); err != nil {
		return f, mayNot(actor, "record audit findings", "only managers may")
	}
	switch {
	case f.Kind != models.FindingAudit && f.Kind != models.FindingCompliance:
		return f, models.Invalidf("kind %q: use audit or compliance", f.Kind)
	case f.Summary == "":
		return f, models.Invalidf("%s", NeedFindingSummary)
	case models.CheckText("summary", f.Summary) != nil:
		return f, models.CheckText("summary", f.Summary)
	case (f.DeploymentID == 0) == (f.Model == ""):
		return f, models.Invalidf("a finding is about one deployment or one model")
	}
	if f.Model != "" {
		if err := e.knownModel(ctx, f.Model); err != nil {
			return f, err
		}
	}
	err := e.st.Write(ctx, func(q store.Q) error {
		if f.DeploymentID != 0 {
			if _, err := q.Deployment(ctx, f.DeploymentID); err != nil {
				return err
			}
		}
		var err error
		if f.ID, err = q.AddAuditFinding(ctx, f); err != nil {
			return err
		}
		if f.DeploymentID != 0 {
			return q.AddEvent(ctx, e.event(ctx, f.DeploymentID, actor, EventFinding, AuditFindingText(f)))
		}
		_, err = q.AddAudit(ctx, models.AuditEntry{At: e.Now(), Actor: actor.Name, Principal: PrincipalOf(ctx),
			Type: "finding", Detail: AuditFindingText(f) + " (model " + f.Model + ")"})
		return err
	})
	return f, err
}

// AuditFindings lists audit and compliance findings, oldest first; kind narrows them.
func (e *Engine) AuditFindings(ctx context.Context, actor models.Person, kind string) ([]models.AuditFinding, error) {
	if err := Can(actor, ActRead, nil); err != nil {
		return nil, err
	}
	if SeesOnlyOwn(actor) {
		return nil, models.Forbiddenf("%s (%s) may not list audit findings: technicians see only their own deployments",
			actor.Name, actor.MainRole())
	}
	return e.st.Read().AuditFindings(ctx, store.AuditFindingFilter{Kind: kind})
}
