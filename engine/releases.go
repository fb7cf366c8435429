package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"ferry/models"
	"ferry/store"
)

// A release is a named set of component versions that moves through the
// environments together. Planning it into an environment plans one ordinary
// deployment per component, all in one transaction; its status in each environment
// is read from those deployments.

// NewRelease is what a person gives to create a release.
type NewRelease struct {
	Name       string
	Components []models.ReleaseComponent
	ChangeRef  string
	Notes      string
}

// ReleaseView is a release with its deployments and its status in each environment.
type ReleaseView struct {
	models.Release
	Deployments []models.Deployment
	Status      []ReleaseAt // one per environment of the configuration, in order
}

// ReleaseAt is a release's status in one environment.
type ReleaseAt struct {
	Environment string
	Status      models.ReleaseStatus
	IDs         []int64 // its latest deployment there of each component, in run order
}

// At is the release's status in env.
func (v ReleaseView) At(env string) models.ReleaseStatus {
	for _, s := range v.Status {
		if s.Environment == env {
			return s.Status
		}
	}
	return models.ReleaseNone
}

// NextEnvironment is the environment of the path (the configuration's, in order)
// after the furthest one the release went to (planned, running, done or partly
// failed there; a cancelled one it did not go to): where planning it goes on. The
// first for one planned nowhere; "" for one that went to the last.
func (v ReleaseView) NextEnvironment() string {
	next := 0
	for i, s := range v.Status {
		if s.Status != models.ReleaseNone && s.Status != models.ReleaseCancelled {
			next = i + 1
		}
	}
	if next >= len(v.Status) {
		return ""
	}
	return v.Status[next].Environment
}

// ReleaseThereError refuses to plan a release into an environment it is planned,
// running or done in already. Its text points to the CLI's 'ferry release show'; a
// screen says it in its own words from the fields. It is a conflict (errors.Is
// models.ErrConflict).
type ReleaseThereError struct {
	Name, Environment string
	Status            models.ReleaseStatus
}

func (e *ReleaseThereError) Error() string {
	return fmt.Sprintf("release %s is %s in %s already (see 'ferry release show %s')", e.Name, e.Status, e.Environment, e.Name)
}

func (e *ReleaseThereError) Unwrap() error { return models.ErrConflict }

// ParseReleaseComponents reads a release's components as people write them:
// COMPONENT=VERSION, several separated by commas or spaces ("payments-api=3.35.0,
// ledger-db=2.1"). What it cannot read is said with the entry it could not.
func ParseReleaseComponents(s string) ([]models.ReleaseComponent, error) {
	var out []models.ReleaseComponent
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		name, version, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(name) == "" || strings.TrimSpace(version) == "" {
			return nil, models.Invalidf("%q: write each as COMPONENT=VERSION", part)
		}
		out = append(out, models.ReleaseComponent{Component: name, Version: version})
	}
	if len(out) == 0 {
		return nil, models.Invalidf("name at least one component, as COMPONENT=VERSION")
	}
	return out, nil
}

// CreateRelease stores a new release (planners): a name not taken, known components,
// each once, each with a version.
func (e *Engine) CreateRelease(ctx context.Context, actor models.Person, r NewRelease) (models.Release, error) {
	if err := CanCreateRelease(actor); err != nil {
		return models.Release{}, err
	}
	rel, err := e.checkRelease(r)
	if err != nil {
		return rel, err
	}
	rel.CreatedBy, rel.CreatedAt = actor.Name, e.Now()
	err = e.st.Write(ctx, func(q store.Q) error {
		var err error
		rel.ID, err = q.InsertRelease(ctx, rel)
		if err != nil && strings.Contains(err.Error(), "UNIQUE") {
			return models.Conflictf("a release called %q exists already", rel.Name)
		}
		if err != nil {
			return err
		}
		// On the organisation's record, which also tells every console to reload.
		return e.audit(ctx, q, actor, EntryRelease, ReleaseCreatedText(rel))
	})
	return rel, err
}

// ReleaseCreatedText is the audit log entry of a new release.
func ReleaseCreatedText(r models.Release) string {
	parts := make([]string, len(r.Components))
	for i, c := range r.Components {
		parts[i] = c.Component + "=" + c.Version
	}
	s := fmt.Sprintf("created release %s: %s", r.Name, strings.Join(parts, " "))
	if r.ChangeRef != "" {
		s += ", change " + r.ChangeRef
	}
	return s
}

func (e *Engine) checkRelease(r NewRelease) (models.Release, error) {
	rel := models.Release{Name: strings.TrimSpace(r.Name), ChangeRef: strings.TrimSpace(r.ChangeRef), Notes: strings.TrimSpace(r.Notes)}
	if err := models.CheckName("release name", rel.Name); err != nil {
		return rel, err
	}
	if err := models.CheckLabel("change reference", rel.ChangeRef); err != nil {
		return rel, err
	}
	if err := models.CheckText("notes", rel.Notes); err != nil {
		return rel, err
	}
	var err error
	rel.Components, err = e.CheckReleaseComponents(r.Components)
	return rel, err
}

// CheckReleaseComponents checks a release's component versions, as creating it does
// (the console's form checks the field with it before saving): at least one, each a
// component of the configuration, once, with a version. It returns them trimmed.
func (e *Engine) CheckReleaseComponents(cs []models.ReleaseComponent) ([]models.ReleaseComponent, error) {
	if len(cs) == 0 {
		return nil, models.Invalidf("--component: a release needs at least one component version (C=V)")
	}
	var out []models.ReleaseComponent
	seen := map[string]bool{}
	for _, c := range cs {
		c.Component, c.Version = strings.TrimSpace(c.Component), strings.TrimSpace(c.Version)
		if _, ok := e.cfg.Component(c.Component); !ok {
			return nil, models.Invalidf("--component %s=%s: unknown component %q", c.Component, c.Version, c.Component)
		}
		if seen[c.Component] {
			return nil, models.Invalidf("--component: %s is given twice; a release holds one version of each component", c.Component)
		}
		seen[c.Component] = true
		if c.Version == "" {
			return nil, models.Invalidf("--component %s=: a version is needed", c.Component)
		}
		if strings.Contains(c.Version, "=") { // two components run together: "api=1.2db=3"
			return nil, models.Invalidf("--component %s=%s: a version may not contain \"=\" (two components run together?): separate them with commas or spaces",
				c.Component, c.Version)
		}
		if err := models.CheckLabel("version", c.Version); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Releases lists every release, newest first, with its status per environment.
func (e *Engine) Releases(ctx context.Context, actor models.Person) ([]ReleaseView, error) {
	if err := Can(actor, ActRead, nil); err != nil {
		return nil, err
	}
	var out []ReleaseView
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		rels, err := q.Releases(ctx)
		if err != nil {
			return err
		}
		for _, r := range rels {
			v, err := e.releaseView(ctx, q, r)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// Release is one release with its deployments and status per environment.
func (e *Engine) Release(ctx context.Context, actor models.Person, name string) (ReleaseView, error) {
	if err := Can(actor, ActRead, nil); err != nil {
		return ReleaseView{}, err
	}
	var v ReleaseView
	err := e.st.Snapshot(ctx, func(q store.Q) error {
		r, err := q.Release(ctx, name)
		if err != nil {
			return err
		}
		v, err = e.releaseView(ctx, q, r)
		return err
	})
	return v, err
}

func (e *Engine) releaseView(ctx context.Context, q store.Q, r models.Release) (ReleaseView, error) {
	ds, err := q.ReleaseDeployments(ctx, r.ID)
	if err != nil {
		return ReleaseView{}, err
	}
	v := ReleaseView{Release: r, Deployments: ds}
	for _, env := range e.cfg.Environments {
		v.Status = append(v.Status, e.releaseAt(r, ds, env.Name))
	}
	return v, nil
}

// releaseAt reads the release's status in env from the latest deployment there of
// each of its components that goes there (the latest not cancelled, when one is).
func (e *Engine) releaseAt(r models.Release, ds []models.Deployment, env string) ReleaseAt {
	at := ReleaseAt{Environment: env}
	latest := map[string]models.Deployment{}
	for _, d := range ds { // oldest first: the last one wins, but a cancelled one does not hide what ran
		if d.Environment != env {
			continue
		}
		// A failure run again and the new one cancelled is still a failure there, and
		// a part done there stays done: they read "planned" and "cancelled".
		if was, ok := latest[d.Component]; ok && d.Status == models.StatusCancelled && was.Status != models.StatusCancelled {
			continue
		}
		latest[d.Component] = d
	}
	var statuses []models.Status
	var run []models.Deployment
	for _, c := range r.Components {
		if d, ok := latest[c.Component]; ok {
			statuses = append(statuses, d.Status)
			run = append(run, d)
		}
	}
	// In the order they run (a sequential release: each after what it waits for),
	// not as the release lists its components.
	slices.SortStableFunc(run, func(a, b models.Deployment) int {
		return cmp.Or(a.ScheduledStart.Compare(b.ScheduledStart), cmp.Compare(a.ID, b.ID))
	})
	for _, d := range run {
		at.IDs = append(at.IDs, d.ID)
	}
	planned, _ := e.releaseParts(r, env)
	at.Status = models.StatusOfRelease(len(planned), statuses)
	return at
}

// releaseParts splits a release's components into those that go to env (with the
// model each is planned with: the first of the configuration that takes its kind
// there) and those no model takes there.
func (e *Engine) releaseParts(r models.Release, env string) (goes []PlanRequest, skipped []string) {
	for _, c := range r.Components {
		comp, _ := e.cfg.Component(c.Component)
		m, ok := e.modelFor(comp.Kind, env)
		if !ok {
			skipped = append(skipped, c.Component)
			continue
		}
		goes = append(goes, PlanRequest{Model: m.Name, Component: c.Component, Version: c.Version,
			Environment: env, ChangeRef: cmpOr(r.ChangeRef, r.Name)})
	}
	return goes, skipped
}

// modelFor is the first model of the configuration that takes kind into env: the one
// a release's component is planned with there; none, and nothing of that kind goes
// there (Where's cells off the path).
func (e *Engine) modelFor(kind models.Kind, env string) (models.Model, bool) {
	i := slices.IndexFunc(e.cfg.Models, func(m models.Model) bool { return m.AppliesToKind(kind) && m.OnPath(env) })
	if i < 0 {
		return models.Model{}, false
	}
	return e.cfg.Models[i], true
}

// dependenciesFirst orders a release's deployments so that each comes after those
// of the components it depends on (directly or through others), otherwise as the
// release lists them: planned one after the other, a database's schema goes before
// the service that reads it. The configuration refuses circular dependencies.
func (e *Engine) dependenciesFirst(goes []PlanRequest) []PlanRequest {
	out := make([]PlanRequest, 0, len(goes))
	placed := make([]bool, len(goes))
	waits := func(i int) bool { // on one not placed yet
		for j := range goes {
			if !placed[j] && j != i && e.dependsOn(goes[i].Component, goes[j].Component) {
				return true
			}
		}
		return false
	}
	for len(out) < len(goes) {
		next := slices.Index(placed, false) // a circle the configuration refuses: as listed
		for i := range goes {
			if !placed[i] && !waits(i) {
				next = i
				break
			}
		}
		placed[next] = true
		out = append(out, goes[next])
	}
	return out
}

// dependsOn reports whether component a depends on b, directly or through others.
func (e *Engine) dependsOn(a, b string) bool {
	seen := map[string]bool{a: true}
	todo := []string{a}
	for len(todo) > 0 {
		c := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, d := range e.depends[c] {
			if d == b {
				return true
			}
			if !seen[d] {
				seen[d] = true
				todo = append(todo, d)
			}
		}
	}
	return false
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ReleasePlan asks to plan a release into one environment.
type ReleasePlan struct {
	Name        string
	Environment string
	Start       time.Time
	Sequential  bool // one after the other, each waiting for the one before (--after); else all at Start
	Assignee    string
	Strict      bool // refuse the whole plan if any deployment would be in conflict
}

// PlannedRelease is what planning a release did.
type PlannedRelease struct {
	Release     models.Release
	Deployments []models.Deployment
	Skipped     []string // components no model takes into the environment
	Conflicts   []models.Conflict
}

// PlanRelease plans one deployment per component of the release into an
// environment, in one transaction: all are planned or none. Each is checked for
// conflicts like any plan (with Strict, one in conflict refuses them all).
func (e *Engine) PlanRelease(ctx context.Context, actor models.Person, rp ReleasePlan) (PlannedRelease, error) {
	var out PlannedRelease
	err := e.st.Write(ctx, func(q store.Q) error {
		var err error
		out, err = e.planRelease(ctx, q, actor, rp)
		return err
	})
	return out, err
}

// PreviewRelease is what PlanRelease would plan and the conflicts it would leave,
// without keeping any of it: the plan is made in a transaction that is rolled back,
// so its deployments are checked against each other as they would be.
func (e *Engine) PreviewRelease(ctx context.Context, actor models.Person, rp ReleasePlan) (PlannedRelease, error) {
	var out PlannedRelease
	err := e.st.Try(ctx, func(q store.Q) error {
		var err error
		out, err = e.planRelease(ctx, q, actor, rp)
		return err
	})
	unstored(&out)
	return out, err
}

// unstored words a previewed release as not stored: the IDs its deployments had in
// the transaction rolled back are nobody's (a later plan takes them), so messages
// name them "this release's payments-api", as a plan's preview says "this plan".
func unstored(out *PlannedRelease) {
	names := map[int64]string{}
	for i := range out.Deployments {
		d := &out.Deployments[i]
		names[d.ID] = "this release's " + d.Component
		d.ID, d.After = 0, 0
	}
	for i := range out.Conflicts {
		unstoredIn(&out.Conflicts[i], names)
	}
}

func (e *Engine) planRelease(ctx context.Context, q store.Q, actor models.Person, rp ReleasePlan) (PlannedRelease, error) {
	out := PlannedRelease{}
	if err := Can(actor, ActPlan, nil); err != nil {
		return out, err
	}
	if err := e.cfg.CheckEnvironment("--env", rp.Environment); err != nil {
		return out, err
	}
	r, err := q.Release(ctx, rp.Name)
	if err != nil {
		return out, err
	}
	out.Release = r
	v, err := e.releaseView(ctx, q, r)
	if err != nil {
		return out, err
	}
	switch s := v.At(rp.Environment); s {
	case models.ReleasePlanned, models.ReleaseRunning, models.ReleaseDone:
		return out, &ReleaseThereError{Name: r.Name, Environment: rp.Environment, Status: s}
	}
	goes, skipped := e.releaseParts(r, rp.Environment)
	goes = e.dependenciesFirst(goes) // planned in that order (a status view only counts them)
	if len(goes) == 0 {
		return out, models.Invalidf("no model takes any component of release %s into %s", r.Name, rp.Environment)
	}
	out.Skipped = skipped
	start, after := rp.Start, int64(0)
	for _, req := range goes {
		req.Start, req.Assignee, req.Strict, req.After = start, rp.Assignee, rp.Strict, after
		d, _, err := e.plan(ctx, q, actor, req)
		if err != nil {
			return out, fmt.Errorf("release %s, %s %s: %w", r.Name, req.Component, req.Version, err)
		}
		if err := q.LinkRelease(ctx, r.ID, d.ID); err != nil {
			return out, err
		}
		out.Deployments = append(out.Deployments, d)
		if rp.Sequential {
			start, after = d.ScheduledEnd, d.ID
		}
	}
	out.Conflicts, err = e.conflictsOfAll(ctx, q, out.Deployments)
	return out, err
}

// conflictsOfAll is every conflict any of ds is in, each once: checked once all are
// stored, so that a clash between two of them is found whichever came first.
func (e *Engine) conflictsOfAll(ctx context.Context, q store.Q, ds []models.Deployment) ([]models.Conflict, error) {
	var out []models.Conflict
	seen := map[string]bool{}
	for _, d := range ds {
		cs, err := e.check(ctx, q, d)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if !seen[c.Key] {
				seen[c.Key] = true
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// PromoteRelease plans a release into the next environment of the promotion path:
// the one after the last environment where it went, and only once it is done there
// (every component that goes there succeeded: the release is promoted as a whole).
func (e *Engine) PromoteRelease(ctx context.Context, actor models.Person, rp ReleasePlan) (PlannedRelease, error) {
	var out PlannedRelease
	// Who may plan at all first, as planning it says: a technician was told where the
	// release stands, and tried again when it was done.
	if err := Can(actor, ActPlan, nil); err != nil {
		return out, err
	}
	err := e.st.Write(ctx, func(q store.Q) error {
		r, err := q.Release(ctx, rp.Name)
		if err != nil {
			return err
		}
		v, err := e.releaseView(ctx, q, r)
		if err != nil {
			return err
		}
		if err := e.nextOnPath(v, rp.Environment); err != nil {
			return err
		}
		out, err = e.planRelease(ctx, q, actor, rp)
		return err
	})
	return out, err
}

// promotedBack refuses env when the release went there or beyond already (last is
// the index of the furthest environment it went to): said of the promotion asked
// for, since the state of the furthest environment alone ("is planned in
// production") did not say why staging was refused.
func promotedBack(v ReleaseView, last int, env string) error {
	i := slices.IndexFunc(v.Status, func(s ReleaseAt) bool { return s.Environment == env })
	from := v.Status[last]
	if i < 0 || i > last || (i == last && from.Status == models.ReleaseDone) { // done: nextOnPath names the next
		return nil
	}
	if i == last {
		again := "what failed there is run again ('ferry deploy again ID')"
		var onward string
		switch isLast, failed := last == len(v.Status)-1, from.Status == models.ReleasePartlyFailed; {
		case isLast && failed:
			onward = "it is the last environment of the path: " + again
		case isLast: // there is none after the last
			onward = "it is the last environment of the path"
		case failed:
			onward = "a promotion goes on to the environment after it, once " + again + " and succeeds"
		default:
			onward = "a promotion goes on to the environment after it"
		}
		return models.Invalidf("--env %s: release %s is %s there already; %s", env, v.Name, from.Status, onward)
	}
	return models.Invalidf("--env %s: release %s is %s in %s already, which comes after %s; a release is promoted onwards, never back",
		env, v.Name, from.Status, from.Environment, env)
}

// nextOnPath accepts env if it is the environment after the last one (in promotion
// order) the release went to, and the release is done there.
func (e *Engine) nextOnPath(v ReleaseView, env string) error {
	last := -1
	for i, s := range v.Status {
		if s.Status != models.ReleaseNone && s.Status != models.ReleaseCancelled {
			last = i
		}
	}
	if last < 0 {
		return models.Conflictf("release %s is planned nowhere yet: plan it into the first environment with 'ferry release plan'", v.Name)
	}
	from := v.Status[last]
	if err := promotedBack(v, last, env); err != nil {
		return err
	}
	if from.Status != models.ReleaseDone {
		// Asked for an environment further on, it names the next too: "is planned in
		// test" alone, of a promotion to production, read as test being in the way.
		if last+1 < len(v.Status) && v.Status[last+1].Environment != env {
			return models.Invalidf("--env %s: release %s is %s in %s; once every component succeeded there, it is promoted to %s, the next environment of the path",
				env, v.Name, from.Status, from.Environment, v.Status[last+1].Environment)
		}
		return models.Conflictf("release %s is %s in %s: it is promoted once every component succeeded there", v.Name, from.Status, from.Environment)
	}
	if last+1 >= len(v.Status) {
		return models.Conflictf("release %s is done in %s, the last environment of the path", v.Name, from.Environment)
	}
	if next := v.Status[last+1].Environment; next != env {
		return models.Invalidf("--env %s: release %s is done in %s, so the next environment of the path is %s", env, v.Name, from.Environment, next)
	}
	return nil
}
