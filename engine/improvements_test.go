package engine

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"ferry/engine/config"
	"ferry/models"
	"ferry/store"
)

// storeVersion stores m as the next version of its model, as a changed config would.
func storeVersion(t *testing.T, f *fixture, m models.Model) models.Model {
	t.Helper()
	err := f.e.st.Write(f.ctx, func(q store.Q) error {
		var err error
		m, _, err = q.SyncModel(f.ctx, m, f.now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// An improvement is proposed from a model's deployments, approved by a manager,
// implemented in a version of the model, and verified only once that version's effect
// is measured; each move is in the audit log.
func TestImprovementRegister(t *testing.T) {
	h := history{t, newFixture(t)}
	ana, sam, eve := h.f.person(t, "ana"), h.f.person(t, "sam"), h.f.person(t, "eve")
	failed := h.add("test", "2026-11-01 11:00", "2026-11-02 10:00")
	h.end(failed, models.StatusFailed, "2026-11-02 10:00", "2026-11-02 10:20")
	req := ImprovementRequest{Model: "web", Title: "Smoke tests wait for the cache", From: []int64{failed.ID}, Owner: "sam"}
	if _, err := h.f.e.AddImprovement(h.f.ctx, eve, req); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("an analyst proposes nothing: %v", err)
	}
	bad := req
	bad.Model = "rack"
	if _, err := h.f.e.AddImprovement(h.f.ctx, sam, bad); !errors.Is(err, models.ErrInvalid) || !strings.Contains(err.Error(), "followed web, not rack") {
		t.Errorf("from another model's deployment: %v", err)
	}
	bad = req
	bad.Owner = "zed"
	if _, err := h.f.e.AddImprovement(h.f.ctx, sam, bad); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("an unknown owner: %v", err)
	}
	bad.Owner = "eve"
	if _, err := h.f.e.AddImprovement(h.f.ctx, sam, bad); !errors.Is(err, models.ErrInvalid) ||
		!strings.Contains(err.Error(), "--owner: eve (analyst) may not carry out an improvement") {
		t.Errorf("an owner who may not carry it out: %v", err)
	}
	for _, p := range h.f.e.ImprovementOwners() { // what the console offers as owners
		if !p.Has(models.RoleManager) && !p.Has(models.RolePractitioner) {
			t.Errorf("%s (%s) is offered as an owner", p.Name, p.MainRole())
		}
	}
	if len(h.f.e.ImprovementOwners()) == 0 {
		t.Error("nobody may own an improvement")
	}
	im, err := h.f.e.AddImprovement(h.f.ctx, sam, req)
	if err != nil || im.ID == 0 || im.Status != models.ImprovementProposed {
		t.Fatalf("sam proposes: %+v %v", im, err)
	}
	if _, err := h.f.e.SetImprovement(h.f.ctx, sam, im.ID, models.ImprovementApproved, "", 0); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a practitioner approves nothing: %v", err)
	}
	if _, err := h.f.e.SetImprovement(h.f.ctx, ana, im.ID, models.ImprovementApproved, "worth it", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := h.f.e.SetImprovement(h.f.ctx, sam, im.ID, models.ImprovementImplemented, "", 0); !errors.Is(err, models.ErrInvalid) ||
		!strings.Contains(err.Error(), "--in-version") {
		t.Errorf("implemented needs its version: %v", err)
	}
	if _, err := h.f.e.SetImprovement(h.f.ctx, sam, im.ID, models.ImprovementImplemented, "", 7); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a version that does not exist: %v", err)
	}
	// v1, which the failure ran, does not carry what the failure taught: verified at
	// once on v1's old figures, the register would say the lesson worked.
	if _, err := h.f.e.SetImprovement(h.f.ctx, sam, im.ID, models.ImprovementImplemented, "", 1); !errors.Is(err, models.ErrConflict) ||
		!strings.Contains(err.Error(), fmt.Sprintf("cannot be carried by web v1: #%d ran web v1", failed.ID)) {
		t.Errorf("implemented in the version that failed: %v", err)
	}
	// The model changes in config: the next engine to open the file stores v2, with its note.
	changed := strings.Replace(testConfig, `  [[model.step]]
  stage = "execute"
  name = "Tell support"`, `  [[model.step]]
  stage = "verify_deployment"
  name = "Cache warm"
  [[model.step]]
  stage = "execute"
  name = "Tell support"`, 1)
	changed = strings.Replace(changed, `name = "web"
`, `name = "web"
change_note = "smoke tests wait for the cache"
`, 1)
	cfg, err := config.Parse("test.toml", []byte(changed))
	if err != nil {
		t.Fatal(err)
	}
	if h.f.e, err = New(h.f.ctx, h.f.e.st, cfg, WithClock(func() time.Time { return h.f.now })); err != nil {
		t.Fatal(err)
	}
	v2, _ := h.f.e.Model("web")
	if _, err := h.f.e.SetImprovement(h.f.ctx, sam, im.ID, models.ImprovementImplemented, "", 1); err == nil ||
		!strings.Contains(err.Error(), "(name v2 or later)") {
		t.Errorf("with v2 stored, v1 is refused naming it: %v", err)
	}
	if im, err = h.f.e.SetImprovement(h.f.ctx, sam, im.ID, models.ImprovementImplemented, "", v2.Version); err != nil || im.InVersion != 2 {
		t.Fatalf("implemented in v2: %+v %v", im, err)
	}
	if _, err := h.f.e.SetImprovement(h.f.ctx, ana, im.ID, models.ImprovementVerified, "", 0); !errors.Is(err, models.ErrConflict) ||
		!strings.Contains(err.Error(), "web v2 has 0 finished deployments; its effect is measured from 5 on") {
		t.Errorf("verified before the effect is measured: %v", err)
	}
	// Five deployments on v2 finish: the effect is measured.
	for i := range VerifyMinimum {
		day := fmt.Sprintf("2026-11-%02d ", 10+i)
		d := h.add("test", day+"08:00", day+"10:00")
		if d.ModelVersion != 2 {
			t.Fatalf("planned with v2: %d", d.ModelVersion)
		}
		h.end(d, models.StatusSucceeded, day+"10:00", day+"10:30")
	}
	h.exact()
	if im, err = h.f.e.SetImprovement(h.f.ctx, ana, im.ID, models.ImprovementVerified, "fewer failures", 0); err != nil {
		t.Fatalf("verified once measured: %v", err)
	}
	if _, err := h.f.e.SetImprovement(h.f.ctx, ana, im.ID, models.ImprovementRejected, "", 0); !errors.Is(err, models.ErrConflict) {
		t.Errorf("verified is final: %v", err)
	}
	v, err := h.f.e.Improvement(h.f.ctx, eve, im.ID)
	if err != nil || v.Effect == nil || v.Effect.Finished != VerifyMinimum || v.Effect.OK != VerifyMinimum ||
		v.Before == nil || v.Before.Finished != 1 || v.Before.OK != 0 {
		t.Fatalf("effect beside the version before: %+v %v", v, err)
	}
	var hist []string
	for _, a := range v.History {
		hist = append(hist, a.Actor+": "+a.Detail)
	}
	want := "sam: improvement 1 proposed for web: Smoke tests wait for the cache (from #1; owner sam)|" +
		"ana: improvement 1 approved: worth it|sam: improvement 1 implemented in web v2|" +
		"ana: improvement 1 verified in web v2: fewer failures"
	if strings.Join(hist, "|") != want {
		t.Errorf("history:\n%s\nwant\n%s", strings.Join(hist, "|"), want)
	}
	// The model's versions: the note kept with v2, and what changed.
	vs, _ := h.f.e.ModelVersions(h.f.ctx, eve)
	if len(vs) < 3 || vs[len(vs)-1].ChangeNote != "smoke tests wait for the cache" {
		t.Errorf("versions and their notes: %+v", vs)
	}
	diff, err := h.f.e.ModelDiff(h.f.ctx, eve, "web", 1, 2)
	if err != nil || len(diff) != 1 || diff[0].Mark != "+" || diff[0].Text != `verify_deployment "Cache warm" (manual)` {
		t.Errorf("diff v1 v2: %+v %v", diff, err)
	}
}

// ModelDiff names each changed field of a step, and removed steps.
func TestModelDiffNamesTheChanges(t *testing.T) {
	f := newFixture(t)
	eve := f.person(t, "eve")
	web, _ := f.e.Model("web")
	web.Steps[1].Run, web.Steps[1].Kind, web.Steps[1].Timeout = "./switch.sh", models.StepAutomated, 5*time.Minute
	web.Steps = web.Steps[:2]
	web.DefaultDuration = time.Hour
	storeVersion(t, f, web)
	diff, err := f.e.ModelDiff(f.ctx, eve, "web", 1, 2)
	var got []string
	for _, c := range diff {
		got = append(got, c.Mark+" "+c.Text)
	}
	want := `~ default duration: 45m → 1h00m|~ execute "Switch traffic": kind manual → automated; run none → ./switch.sh; timeout none → 5m|` +
		`- execute "Tell support" (manual)`
	if err != nil || strings.Join(got, "|") != want {
		t.Errorf("diff:\n%s\nwant\n%s (%v)", strings.Join(got, "|"), want, err)
	}
	if _, err := f.e.ModelDiff(f.ctx, eve, "web", 1, 9); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a version that does not exist: %v", err)
	}
}

// The rules the console asks before an act, to say why a key is off, are the ones
// the acts obey: who proposes and who moves an improvement where, what is final; and
// the why of a proposal is on the record.
func TestImprovementRulesAskedBeforeTheAct(t *testing.T) {
	f := newFixture(t)
	ana, sam, eve := f.person(t, "ana"), f.person(t, "sam"), f.person(t, "eve")
	if err := MayPropose(eve); !errors.Is(err, models.ErrForbidden) || !strings.Contains(err.Error(), "may not propose improvements") {
		t.Errorf("an analyst proposes nothing: %v", err)
	}
	if err := MayPropose(sam); err != nil {
		t.Errorf("a practitioner proposes: %v", err)
	}
	im, err := f.e.AddImprovement(f.ctx, sam, ImprovementRequest{Model: "web", Title: "Warm the cache", Note: "two failures"})
	if err != nil {
		t.Fatal(err)
	}
	if err := MayMoveImprovement(sam, im, models.ImprovementApproved); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a practitioner approves nothing: %v", err)
	}
	if err := MayMoveImprovement(ana, im, models.ImprovementVerified); !errors.Is(err, models.ErrConflict) {
		t.Errorf("a proposal is not verified: %v", err)
	}
	if err := MayMoveImprovement(ana, im, models.ImprovementApproved); err != nil {
		t.Errorf("a manager approves: %v", err)
	}
	for _, to := range []models.ImprovementStatus{models.ImprovementInProgress, models.ImprovementImplemented} {
		if err := MayMoveImprovement(sam, im, to); !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), "work starts once a manager approves it") {
			t.Errorf("work on a proposal, %s, before its approval: %v", to, err)
		}
		if _, err := f.e.SetImprovement(f.ctx, sam, im.ID, to, "", 2); !errors.Is(err, models.ErrConflict) {
			t.Errorf("a practitioner skipped the approval to %s: %v", to, err)
		}
	}
	if im, err = f.e.SetImprovement(f.ctx, ana, im.ID, models.ImprovementApproved, "", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.SetImprovement(f.ctx, sam, im.ID, models.ImprovementImplemented, "", 0); err == nil ||
		!strings.HasPrefix(err.Error(), "--in-version: "+NeedInVersion(im.ID, "web")) {
		t.Errorf("implemented names the version it needs: %v", err)
	}
	if im, err = f.e.SetImprovement(f.ctx, ana, im.ID, models.ImprovementRejected, "", 0); err != nil {
		t.Fatal(err)
	}
	if err := MayMoveImprovement(ana, im, models.ImprovementApproved); !errors.Is(err, models.ErrConflict) {
		t.Errorf("rejected is final: %v", err)
	}
	v, err := f.e.Improvement(f.ctx, eve, im.ID)
	if err != nil || len(v.History) == 0 || !strings.HasSuffix(v.History[0].Detail, "Warm the cache: two failures") {
		t.Errorf("the why of the proposal is in its history: %+v %v", v.History, err)
	}
}

// Sending an approved improvement back to proposed withdraws a manager's approval:
// only a manager may. A move to where it already is changes nothing, and is refused
// rather than written to the record.
func TestImprovementBackToProposedIsAManagers(t *testing.T) {
	f := newFixture(t)
	ana, sam := f.person(t, "ana"), f.person(t, "sam")
	im, err := f.e.AddImprovement(f.ctx, sam, ImprovementRequest{Model: "web", Title: "Warm the cache"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.SetImprovement(f.ctx, sam, im.ID, models.ImprovementProposed, "", 0); !errors.Is(err, models.ErrConflict) ||
		!strings.Contains(err.Error(), "is proposed already") {
		t.Errorf("a proposal proposed again: %v", err)
	}
	if im, err = f.e.SetImprovement(f.ctx, ana, im.ID, models.ImprovementApproved, "", 0); err != nil {
		t.Fatal(err)
	}
	if err := MayMoveImprovement(sam, im, models.ImprovementProposed); !errors.Is(err, models.ErrForbidden) ||
		!strings.Contains(err.Error(), "only managers withdraw an approval") {
		t.Errorf("the console offers a practitioner to withdraw an approval: %v", err)
	}
	if _, err := f.e.SetImprovement(f.ctx, sam, im.ID, models.ImprovementProposed, "", 0); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a practitioner withdrew a manager's approval: %v", err)
	}
	if got, err := f.e.Improvement(f.ctx, sam, im.ID); err != nil || got.Status != models.ImprovementApproved || len(got.History) != 2 {
		t.Errorf("after the refusals it is %s with %d entries in its history (want approved, 2): %v", got.Status, len(got.History), err)
	}
	if im, err = f.e.SetImprovement(f.ctx, sam, im.ID, models.ImprovementInProgress, "", 0); err != nil {
		t.Fatalf("a practitioner starts the work: %v", err)
	}
	if _, err := f.e.SetImprovement(f.ctx, ana, im.ID, models.ImprovementProposed, "not this quarter", 0); err != nil {
		t.Errorf("a manager withdraws the approval: %v", err)
	}
}

// An implemented improvement may name another version; implemented again in the
// same one (or none) changes nothing and is refused rather than written.
func TestImplementedAgainNamesAnotherVersion(t *testing.T) {
	f := newFixture(t)
	ana, sam := f.person(t, "ana"), f.person(t, "sam")
	im, err := f.e.AddImprovement(f.ctx, sam, ImprovementRequest{Model: "web", Title: "Warm the cache"})
	if err != nil {
		t.Fatal(err)
	}
	web, _ := f.e.Model("web")
	v := web.Version
	for _, step := range []struct {
		who models.Person
		to  models.ImprovementStatus
		in  int
	}{{ana, models.ImprovementApproved, 0}, {sam, models.ImprovementImplemented, v}} {
		if _, err := f.e.SetImprovement(f.ctx, step.who, im.ID, step.to, "", step.in); err != nil {
			t.Fatal(err)
		}
	}
	for _, in := range []int{0, v} {
		if _, err := f.e.SetImprovement(f.ctx, sam, im.ID, models.ImprovementImplemented, "", in); !errors.Is(err, models.ErrConflict) ||
			!strings.Contains(err.Error(), "already: name another version") {
			t.Errorf("implemented again in version %d: %v", in, err)
		}
	}
	if got, err := f.e.Improvement(f.ctx, sam, im.ID); err != nil || len(got.History) != 3 {
		t.Errorf("its history holds %d entries, want 3 (proposed, approved, implemented): %v", len(got.History), err)
	}
}

// A version's effect counts as the Reports count: "9,261 finished", not "9261".
func TestEffectTextGroupsThousands(t *testing.T) {
	got := EffectText("rack-server", VersionEffect{Version: 3, Finished: 9261, OK: 9261, SatSum: 4 * 1568, SatN: 1568})
	want := "rack-server v3: 9,261 finished, 100.0% succeeded, satisfaction 4.0 (1,568 answered)"
	if got != want {
		t.Errorf("EffectText = %q, want %q", got, want)
	}
}
