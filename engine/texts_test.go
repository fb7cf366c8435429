package engine

import (
	"strings"
	"testing"
	"time"

	"ferry/models"
)

// An act that needs something written refuses it left blank in the Need sentence,
// which the CLI puts under its flag and the console under its field: the engine
// said "a reason is needed to cancel a deployment" where the CLI said "say why the
// deployment is cancelled", for the same rule.
func TestBlankTextIsRefusedInTheNeedWords(t *testing.T) {
	f := newFixture(t)
	ana := f.person(t, "ana")
	d := f.plan(t, webReq())
	for _, c := range []struct {
		act  string
		need string
		err  func() error
	}{
		{"cancel", NeedCancelReason, func() error { _, err := f.e.Cancel(f.ctx, ana, d.ID, " "); return err }},
		{"fail", NeedFailReason, func() error { _, err := f.e.Fail(f.ctx, ana, d.ID, " ", false); return err }},
		{"override", NeedOverrideReason, func() error { _, err := f.e.Override(f.ctx, ana, "c1234567", " "); return err }},
		{"reject", NeedRejectReason, func() error { _, err := f.e.RejectGate(f.ctx, ana, d.ID, " "); return err }},
		{"block a step", NeedBlockReason, func() error { _, err := f.e.BlockStep(f.ctx, ana, d.ID, 1, " "); return err }},
		{"block a version", NeedVersionReason("payments-api", "4.12.0"), func() error {
			_, err := f.e.BlockVersion(f.ctx, ana, "payments-api", "4.12.0", " ")
			return err
		}},
		{"incident", NeedIncidentSummary, func() error {
			_, err := f.e.AddIncident(f.ctx, ana, d.ID, f.now.Add(-time.Hour), time.Time{}, " ")
			return err
		}},
		{"improvement", NeedImprovementTitle, func() error {
			_, err := f.e.AddImprovement(f.ctx, ana, ImprovementRequest{Model: "web", Title: " "})
			return err
		}},
		{"finding", NeedFindingSummary, func() error {
			_, err := f.e.AddAuditFinding(f.ctx, ana, models.AuditFinding{Kind: models.FindingAudit, Model: "web", Summary: " "})
			return err
		}},
	} {
		err := c.err()
		if err == nil || !strings.HasSuffix(err.Error(), c.need) {
			t.Errorf("%s with blank text: want the refusal %q, got %v", c.act, c.need, err)
		}
	}
}

// A free text past models.MaxText is refused by the engine, naming its field, so the
// console obeys the limit the CLI checks under its flags.
func TestFreeTextPastTheLimitIsRefused(t *testing.T) {
	f := newFixture(t)
	ana := f.person(t, "ana")
	d := f.plan(t, webReq())
	huge := strings.Repeat("a", models.MaxText+1)
	for _, c := range []struct {
		act string
		err func() error
	}{
		{"cancel", func() error { _, err := f.e.Cancel(f.ctx, ana, d.ID, huge); return err }},
		{"block a step", func() error { _, err := f.e.BlockStep(f.ctx, ana, d.ID, 1, huge); return err }},
		{"note a step", func() error { _, err := f.e.NoteStep(f.ctx, ana, d.ID, 1, huge); return err }},
		{"override", func() error { _, err := f.e.Override(f.ctx, ana, "c1234567", huge); return err }},
		{"incident", func() error {
			_, err := f.e.AddIncident(f.ctx, ana, d.ID, f.now.Add(-time.Hour), time.Time{}, huge)
			return err
		}},
		{"improvement", func() error {
			_, err := f.e.AddImprovement(f.ctx, ana, ImprovementRequest{Model: "web", Title: huge})
			return err
		}},
		{"finding", func() error {
			_, err := f.e.AddAuditFinding(f.ctx, ana, models.AuditFinding{Kind: models.FindingAudit, Model: "web", Summary: huge})
			return err
		}},
	} {
		if err := c.err(); err == nil || !strings.HasSuffix(err.Error(), "10001 characters long: 10000 at most") {
			t.Errorf("%s with %d characters: want it refused for its length, got %v", c.act, len(huge), err)
		}
	}
}
