package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"ferry/models"
	"ferry/store"
)

// AuditImprovement is the audit log's entry type for the improvement register.
const AuditImprovement = "improvement"

// VerifyMinimum is how many deployments on the version that carries an improvement
// must have finished (succeeded, failed or rolled back) before the improvement may be
// verified: until then its effect is not measured.
const VerifyMinimum = 5

// ImprovementAddedText is the audit log's entry for a new improvement, with why it
// was proposed (note, optional).
func ImprovementAddedText(im models.Improvement, note string) string {
	s := fmt.Sprintf("improvement %d proposed for %s: %s", im.ID, im.Model, im.Title)
	var more []string
	if len(im.From) > 0 {
		ids := make([]string, len(im.From))
		for i, id := range im.From {
			ids[i] = fmt.Sprintf("#%d", id)
		}
		more = append(more, "from "+strings.Join(ids, ", "))
	}
	if im.Owner != "" {
		more = append(more, "owner "+im.Owner)
	}
	if len(more) > 0 {
		s += " (" + strings.Join(more, "; ") + ")"
	}
	return withNote(s, note)
}

// ImprovementSetText is the audit log's entry for a change of status.
func ImprovementSetText(im models.Improvement, note string) string {
	s := fmt.Sprintf("improvement %d %s", im.ID, im.Status.Words())
	if im.InVersion != 0 {
		s += fmt.Sprintf(" in %s v%d", im.Model, im.InVersion)
	}
	return withNote(s, note)
}

// ImprovementRequest is a new entry of the register.
type ImprovementRequest struct {
	Model, Title, Owner string
	From                []int64 // deployments of the model it came from
	Note                string  // why, for the record (the audit log keeps it, not the register)
}

// MayPropose is why p may not propose an improvement, nil when they may: managers
// and practitioners do.
func MayPropose(p models.Person) error {
	if err := Can(p, ActPlan, nil); err != nil {
		return mayNot(p, "propose improvements", "managers and practitioners do")
	}
	return nil
}

// MayMoveImprovement is why p may not move im to status to, nil when they may, as far
// as the improvement as it was read says: who moves it where, and what is final. A
// verification's measure, read when it is made, may still refuse it.
func MayMoveImprovement(p models.Person, im models.Improvement, to models.ImprovementStatus) error {
	if err := mayMoveImprovement(p, to); err != nil {
		return err
	}
	return improvementMove(p, im, to)
}

// AddImprovement proposes an improvement to a model, and writes it to the audit log,
// in one transaction. Managers and practitioners may.
func (e *Engine) AddImprovement(ctx context.Context, actor models.Person, r ImprovementRequest) (models.Improvement, error) {
	im := models.Improvement{Model: r.Model, Title: strings.TrimSpace(r.Title), Owner: r.Owner, From: r.From,
		Status: models.ImprovementProposed, CreatedBy: actor.Name, CreatedAt: e.Now(), UpdatedAt: e.Now()}
	if err := MayPropose(actor); err != nil {
		return im, err
	}
	if im.Title == "" {
		return im, models.Invalidf("%s", NeedImprovementTitle)
	}
	if err := models.CheckText("title", im.Title); err != nil {
		return im, err
	}
	if err := models.CheckText("note", r.Note); err != nil {
		return im, err
	}
	if err := e.knownModel(ctx, im.Model); err != nil {
		return im, err
	}
	if im.Owner != "" {
		owner, err := e.Person(im.Owner)
		if err != nil {
			return im, err
		}
		// An owner carries it out: one who may not move it (an analyst) owned work
		// nobody could do.
		if mayMoveImprovement(owner, models.ImprovementInProgress) != nil {
			return im, models.Invalidf("--owner: %s (%s) may not carry out an improvement: managers and practitioners do",
				owner.Name, owner.MainRole())
		}
	}
	err := e.st.Write(ctx, func(q store.Q) error {
		for _, id := range im.From {
			d, err := q.Deployment(ctx, id)
			if err != nil {
				return err
			}
			if d.Model != im.Model {
				return models.Invalidf("--from: deployment #%d followed %s, not %s: an improvement comes from its model's deployments",
					id, d.Model, im.Model)
			}
		}
		var err error
		if im.ID, err = q.AddImprovement(ctx, im); err != nil {
			return err
		}
		return e.auditImprovement(ctx, q, actor, ImprovementAddedText(im, r.Note))
	})
	return im, err
}

func (e *Engine) auditImprovement(ctx context.Context, q store.Q, actor models.Person, detail string) error {
	_, err := q.AddAudit(ctx, models.AuditEntry{At: e.Now(), Actor: actor.Name, Principal: PrincipalOf(ctx),
		Type: AuditImprovement, Detail: detail})
	return err
}

// ImprovementOwners are the people who may own an improvement: those who may carry
// it out (managers and practitioners), as AddImprovement holds an owner to.
func (e *Engine) ImprovementOwners() []models.Person {
	var out []models.Person
	for _, p := range e.cfg.People {
		if mayMoveImprovement(p, models.ImprovementInProgress) == nil {
			out = append(out, p)
		}
	}
	return out
}

// mayMoveImprovement: managers approve, reject and verify; practitioners propose and
// carry an improvement out (in progress, implemented).
func mayMoveImprovement(p models.Person, to models.ImprovementStatus) error {
	if err := Can(p, ActPlan, nil); err != nil {
		return models.Forbiddenf("%s (%s) may not change improvements: managers and practitioners do", p.Name, p.MainRole())
	}
	switch to {
	case models.ImprovementApproved, models.ImprovementRejected, models.ImprovementVerified:
		if !p.Has(models.RoleManager) {
			return models.Forbiddenf("%s (%s) may not set an improvement %s: only managers approve, reject and verify",
				p.Name, p.MainRole(), to)
		}
	}
	return nil
}

// SetImprovement moves an improvement to status to, with an optional note for the
// record and the model version that carries it. Implemented needs that version;
// verified needs the version's effect measured (VerifyMinimum finished deployments on
// it). Verified and rejected are final.
func (e *Engine) SetImprovement(ctx context.Context, actor models.Person, id int64, to models.ImprovementStatus,
	note string, inVersion int) (models.Improvement, error) {
	var im models.Improvement
	if !to.Valid() {
		return im, models.Invalidf("status %q: use proposed, approved, in_progress, implemented, verified or rejected", to)
	}
	if err := models.CheckText("note", note); err != nil {
		return im, err
	}
	if err := mayMoveImprovement(actor, to); err != nil {
		return im, err
	}
	if err := e.useBasis(ctx); err != nil {
		return im, err
	}
	err := e.st.Write(ctx, func(q store.Q) error {
		var err error
		if im, err = q.Improvement(ctx, id); err != nil {
			return err
		}
		if err := e.checkImprovementMove(ctx, q, actor, &im, to, inVersion); err != nil {
			return err
		}
		im.Status, im.UpdatedAt = to, e.Now()
		if err := q.SetImprovement(ctx, im); err != nil {
			return err
		}
		return e.auditImprovement(ctx, q, actor, ImprovementSetText(im, note))
	})
	return im, err
}

// improvementMove is what im's status says of p's move to to: verified and rejected
// are final, work starts on an approved improvement only (in progress or implemented
// straight from proposed skipped the manager's approval), only an implemented one is
// verified, a move to where it is changes nothing (an implemented one may name
// another version), and only a manager sends back to proposed one that was approved:
// that withdraws the approval.
func improvementMove(p models.Person, im models.Improvement, to models.ImprovementStatus) error {
	if im.Status == models.ImprovementVerified || im.Status == models.ImprovementRejected {
		return models.Conflictf("improvement %d is %s: that is final", im.ID, im.Status)
	}
	if im.Status == to && to != models.ImprovementImplemented {
		return models.Conflictf("improvement %d is %s already", im.ID, to.Words())
	}
	if im.Status == models.ImprovementProposed && (to == models.ImprovementInProgress || to == models.ImprovementImplemented) {
		return models.Conflictf("improvement %d is proposed: work starts once a manager approves it", im.ID)
	}
	if to == models.ImprovementProposed && !p.Has(models.RoleManager) {
		return models.Forbiddenf("%s (%s) may not set improvement %d back to proposed: it is %s, and only managers withdraw an approval",
			p.Name, p.MainRole(), im.ID, im.Status.Words())
	}
	if to == models.ImprovementVerified && im.Status != models.ImprovementImplemented {
		return models.Conflictf("improvement %d is %s: only an implemented improvement is verified",
			im.ID, im.Status.Words())
	}
	return nil
}

// checkImprovementMove decides whether p may move im to status to, setting its version.
func (e *Engine) checkImprovementMove(ctx context.Context, q store.Q, p models.Person, im *models.Improvement, to models.ImprovementStatus, inVersion int) error {
	if err := improvementMove(p, *im, to); err != nil {
		return err
	}
	if im.Status == models.ImprovementImplemented && to == im.Status && (inVersion == 0 || inVersion == im.InVersion) {
		return models.Conflictf("improvement %d is implemented in %s v%d already: name another version to change it",
			im.ID, im.Model, im.InVersion)
	}
	if inVersion != 0 {
		if _, err := q.ModelVersion(ctx, im.Model, inVersion); err != nil {
			return err
		}
		if err := laterThanItsCause(ctx, q, *im, inVersion); err != nil {
			return err
		}
		im.InVersion = inVersion
	}
	switch to {
	case models.ImprovementImplemented:
		if im.InVersion == 0 {
			return models.Invalidf("--in-version: %s", NeedInVersion(im.ID, im.Model))
		}
	case models.ImprovementVerified:
		eff, err := e.versionEffect(ctx, q, im.Model, im.InVersion)
		if err != nil {
			return err
		}
		return NotMeasuredYet(*im, eff)
	}
	return nil
}

// NotMeasuredYet refuses to verify im while its version's effect, eff, rests on
// fewer than VerifyMinimum finished deployments; nil once it does. A page that has
// the effect offers v only then (it opened the form and refused after enter).
func NotMeasuredYet(im models.Improvement, eff VersionEffect) error {
	if eff.Finished < VerifyMinimum {
		return models.Conflictf("improvement %d: %s v%d has %d finished deployment%s; its effect is measured from %d on",
			im.ID, im.Model, im.InVersion, eff.Finished, models.Plural(int(eff.Finished)), VerifyMinimum)
	}
	return nil
}

// laterThanItsCause refuses a version that cannot carry im: one no later than the
// model version a deployment it came from ran. Named v1, with thousands of old
// deployments, an improvement proposed from a failure of v2 was verified a minute
// later on v1's figures. One proposed from no deployment may name any version: the
// model may have been changed before the register was written.
func laterThanItsCause(ctx context.Context, q store.Q, im models.Improvement, version int) error {
	least, why := 0, ""
	for _, id := range im.From {
		d, err := q.Deployment(ctx, id)
		if err != nil {
			return err
		}
		if d.ModelVersion >= least {
			least, why = d.ModelVersion, fmt.Sprintf("#%d ran %s v%d", d.ID, im.Model, d.ModelVersion)
		}
	}
	if version > least {
		return nil
	}
	way := fmt.Sprintf("change the model in config.toml, and the next ferry stores it as v%d", least+1)
	if _, err := q.ModelVersion(ctx, im.Model, least+1); err == nil {
		way = fmt.Sprintf("name v%d or later", least+1) // the model has moved on already
	}
	return models.Conflictf("--in-version: improvement %d cannot be carried by %s v%d: %s, so the change comes in a later version (%s)",
		im.ID, im.Model, version, why, way)
}

func (e *Engine) versionEffect(ctx context.Context, q store.Q, model string, version int) (store.VersionEffect, error) {
	all, err := q.VersionEffects(ctx, model)
	return effectOf(all, version), err
}

// effectOf is version's effect among a model's, none finished when it has none.
func effectOf(all []store.VersionEffect, version int) store.VersionEffect {
	for _, v := range all {
		if v.Version == version {
			return v
		}
	}
	return store.VersionEffect{Version: version}
}

// VersionEffect is what the rollups measured of one model version.
type VersionEffect = store.VersionEffect

// VersionText is the model version that carries im, in words: "in v2", or "no
// version yet".
func VersionText(im models.Improvement) string {
	if im.InVersion == 0 {
		return "no version yet"
	}
	return fmt.Sprintf("in v%d", im.InVersion)
}

// EffectText is what the reports measured of a version, in the words of every way in
// (improvement show, the console's improvement page), its counts written as the
// Reports write theirs ("1,568").
func EffectText(model string, e VersionEffect) string {
	s := fmt.Sprintf("%s v%d: %s finished", model, e.Version, models.Thousands(e.Finished))
	if e.Finished > 0 {
		s += fmt.Sprintf(", %.1f%% succeeded", 100*float64(e.OK)/float64(e.Finished))
	}
	if e.SatN > 0 {
		s += fmt.Sprintf(", satisfaction %.1f (%s answered)", float64(e.SatSum)/float64(e.SatN), models.Thousands(e.SatN))
	}
	if e.Finished < VerifyMinimum {
		s += fmt.Sprintf(" — not measured yet (verified from %d finished)", VerifyMinimum)
	}
	return s
}

// ImprovementView is an improvement with its history and the measured effect of the
// version that carries it, beside the version before.
type ImprovementView struct {
	models.Improvement
	History        []models.AuditEntry
	Effect, Before *VersionEffect // nil: no version yet, or none before it
}

// Improvements lists the register, oldest first; model narrows it.
func (e *Engine) Improvements(ctx context.Context, actor models.Person, model string) ([]models.Improvement, error) {
	if err := Can(actor, ActRead, nil); err != nil {
		return nil, err
	}
	if model != "" {
		if err := e.knownModel(ctx, model); err != nil {
			return nil, err
		}
	}
	return e.st.Read().Improvements(ctx, model)
}

// ImplementedEffects is the measured effect of the version that carries each
// implemented improvement of list, by its ID: the register says why v may not
// verify one yet before it opens the form, as an improvement's page does.
func (e *Engine) ImplementedEffects(ctx context.Context, actor models.Person, list []models.Improvement) (map[int64]VersionEffect, error) {
	if err := Can(actor, ActRead, nil); err != nil {
		return nil, err
	}
	out := map[int64]VersionEffect{}
	byModel := map[string][]VersionEffect{}
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		for _, im := range list {
			if im.Status != models.ImprovementImplemented || im.InVersion == 0 {
				continue
			}
			effects, ok := byModel[im.Model]
			if !ok {
				var err error
				if effects, err = q.VersionEffects(ctx, im.Model); err != nil {
					return err
				}
				byModel[im.Model] = effects
			}
			out[im.ID] = effectOf(effects, im.InVersion)
		}
		return nil
	})
	return out, err
}

// Improvement is one improvement with its history and measured effect.
func (e *Engine) Improvement(ctx context.Context, actor models.Person, id int64) (ImprovementView, error) {
	var v ImprovementView
	if err := Can(actor, ActRead, nil); err != nil {
		return v, err
	}
	if err := e.useBasis(ctx); err != nil {
		return v, err
	}
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		var err error
		if v.Improvement, err = q.Improvement(ctx, id); err != nil {
			return err
		}
		log, err := q.AuditLog(ctx, AuditImprovement)
		if err != nil {
			return err
		}
		prefix := fmt.Sprintf("improvement %d ", id)
		for _, a := range log {
			if strings.HasPrefix(a.Detail, prefix) {
				v.History = append(v.History, a)
			}
		}
		if v.InVersion == 0 {
			return nil
		}
		effects, err := q.VersionEffects(ctx, v.Model)
		for i := range effects {
			switch effects[i].Version {
			case v.InVersion:
				v.Effect = &effects[i]
			case v.InVersion - 1:
				v.Before = &effects[i]
			}
		}
		if v.Effect == nil {
			v.Effect = &store.VersionEffect{Version: v.InVersion}
		}
		return err
	})
	return v, err
}

// StepChange is one difference between two versions of a model.
type StepChange struct {
	Mark string // "+" added, "-" removed, "~" changed
	Text string
}

// ModelDiff says what changed between two stored versions of a model: its steps
// (added, removed, changed and how) and its other settings.
func (e *Engine) ModelDiff(ctx context.Context, actor models.Person, name string, a, b int) ([]StepChange, error) {
	if err := Can(actor, ActRead, nil); err != nil && !onlyOwn(actor) {
		return nil, err
	}
	q := e.st.Read()
	ma, err := q.ModelVersion(ctx, name, a)
	if err != nil {
		return nil, err
	}
	mb, err := q.ModelVersion(ctx, name, b)
	if err != nil {
		return nil, err
	}
	out := settingChanges(ma, mb)
	return append(out, stepChanges(ma, mb)...), nil
}

// settingChanges compares what a model says besides its steps.
func settingChanges(a, b models.Model) []StepChange {
	var out []StepChange
	add := func(what, from, to string) {
		if from != to {
			out = append(out, StepChange{"~", fmt.Sprintf("%s: %s → %s", what, from, to)})
		}
	}
	add("path", strings.Join(a.Path, " → "), strings.Join(b.Path, " → "))
	add("kinds", joinKinds(a.Kinds), joinKinds(b.Kinds))
	add("default duration", models.HumanDuration(a.DefaultDuration), models.HumanDuration(b.DefaultDuration))
	add("self approval", fmt.Sprint(a.SelfApproval), fmt.Sprint(b.SelfApproval))
	add("parallel environments", fmt.Sprint(a.ParallelEnvironments), fmt.Sprint(b.ParallelEnvironments))
	return out
}

// stepKey names a step across versions: its stage, name and whether it runs on failure.
func stepKey(s models.Step) string {
	k := string(s.Stage) + ` "` + s.Name + `"`
	if s.OnFailure {
		k = "on failure of " + k
	}
	return k
}

// stepChanges lists the steps added, removed and changed from a to b, in b's order
// (removed ones in a's).
func stepChanges(a, b models.Model) []StepChange {
	old := map[string]models.Step{}
	for _, s := range append(slices.Clone(a.Steps), a.OnFailure...) {
		old[stepKey(s)] = s
	}
	var out []StepChange
	seen := map[string]bool{}
	for _, s := range append(slices.Clone(b.Steps), b.OnFailure...) {
		k := stepKey(s)
		seen[k] = true
		o, ok := old[k]
		if !ok {
			out = append(out, StepChange{"+", fmt.Sprintf("%s (%s)", k, s.Kind)})
			continue
		}
		if what := fieldChanges(o, s); what != "" {
			out = append(out, StepChange{"~", k + ": " + what})
		}
	}
	for _, s := range append(slices.Clone(a.Steps), a.OnFailure...) {
		if k := stepKey(s); !seen[k] {
			out = append(out, StepChange{"-", fmt.Sprintf("%s (%s)", k, s.Kind)})
		}
	}
	return out
}

// fieldChanges names each field of a step that differs, with its old and new value.
func fieldChanges(a, b models.Step) string {
	fa, fb := stepFields(a), stepFields(b)
	var parts []string
	for _, k := range union(fa, fb) {
		if fa[k] != fb[k] {
			parts = append(parts, fmt.Sprintf("%s %s → %s", k, orNone(fa[k]), orNone(fb[k])))
		}
	}
	return strings.Join(parts, "; ")
}

func stepFields(s models.Step) map[string]string {
	var m map[string]any
	b, _ := json.Marshal(s) // a struct of plain fields always marshals
	_ = json.Unmarshal(b, &m)
	out := map[string]string{}
	for k, v := range m {
		if k == "timeout" {
			v = models.HumanDuration(s.Timeout)
		}
		out[k] = fmt.Sprint(v)
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
