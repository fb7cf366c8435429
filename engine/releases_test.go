package engine

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"ferry/models"
)

func (f *fixture) release(t *testing.T, name string, comps ...string) models.Release {
	t.Helper()
	r := NewRelease{Name: name, ChangeRef: "CHG-9"}
	for _, c := range comps {
		comp, ver, _ := strings.Cut(c, "=")
		r.Components = append(r.Components, models.ReleaseComponent{Component: comp, Version: ver})
	}
	rel, err := f.e.CreateRelease(f.ctx, f.person(t, "ana"), r)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

func TestCreateReleaseRefusesWhatIsWrong(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	ana := f.person(t, "ana")
	f.release(t, "r1", "api=1")
	for _, c := range []struct {
		r    NewRelease
		want string
	}{
		{NewRelease{Name: "r1", Components: []models.ReleaseComponent{{Component: "api", Version: "2"}}}, `release called "r1" exists already`},
		{NewRelease{Name: "r2"}, "at least one component"},
		{NewRelease{Name: "r2", Components: []models.ReleaseComponent{{Component: "nope", Version: "1"}}}, `unknown component "nope"`},
		{NewRelease{Name: "r2", Components: []models.ReleaseComponent{{Component: "api", Version: "1"}, {Component: "api", Version: "2"}}}, "api is given twice"},
		{NewRelease{Name: "r2", Components: []models.ReleaseComponent{{Component: "api", Version: ""}}}, "a version is needed"},
		{NewRelease{Name: "r2", Components: []models.ReleaseComponent{{Component: "api", Version: "1.2web=3"}}}, `a version may not contain "="`},
		{NewRelease{Name: "r 2", Components: []models.ReleaseComponent{{Component: "api", Version: "1"}}}, "release name"},
	} {
		if _, err := f.e.CreateRelease(f.ctx, ana, c.r); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.r, err, c.want)
		}
	}
	if _, err := f.e.CreateRelease(f.ctx, f.person(t, "tom"), NewRelease{Name: "r3",
		Components: []models.ReleaseComponent{{Component: "api", Version: "1"}}}); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a technician may not create a release: %v", err)
	}
}

func TestPlanReleaseSequentialChainsAndStatusFollows(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	ana := f.person(t, "ana")
	f.release(t, "spring", "api=2.0", "web=3.0")
	start := f.now.Add(2 * time.Hour)
	out, err := f.e.PlanRelease(f.ctx, ana, ReleasePlan{Name: "spring", Environment: "test", Start: start, Sequential: true, Assignee: "sam"})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deployments) != 2 {
		t.Fatalf("one deployment per component: %+v", out.Deployments)
	}
	a, w := out.Deployments[0], out.Deployments[1]
	if !a.ScheduledStart.Equal(start) || !w.ScheduledStart.Equal(a.ScheduledEnd) || w.After != a.ID || a.After != 0 ||
		a.ChangeRef != "CHG-9" || a.Version != "2.0" || w.Version != "3.0" {
		t.Fatalf("sequential: the second starts when the first ends and waits for it: %+v %+v", a, w)
	}
	status := func(env string) models.ReleaseStatus {
		v, err := f.e.Release(f.ctx, ana, "spring")
		if err != nil {
			t.Fatal(err)
		}
		return v.At(env)
	}
	if s := status("test"); s != models.ReleasePlanned {
		t.Fatalf("planned: %q", s)
	}
	_, err = f.e.PlanRelease(f.ctx, ana, ReleasePlan{Name: "spring", Environment: "test", Start: start})
	var there *ReleaseThereError
	if !errors.Is(err, models.ErrConflict) || !errors.As(err, &there) ||
		*there != (ReleaseThereError{Name: "spring", Environment: "test", Status: models.ReleasePlanned}) ||
		err.Error() != "release spring is planned in test already (see 'ferry release show spring')" {
		t.Fatalf("planning it twice into test should be refused, in words a screen can make its own: %v", err)
	}
	if _, err := f.e.Advance(f.ctx, ana, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	if s := status("test"); s != models.ReleaseRunning {
		t.Fatalf("running: %q", s)
	}
	f.finish(t, a.ID)
	if _, err := f.e.PromoteRelease(f.ctx, ana, ReleasePlan{Name: "spring", Environment: "production", Start: start.Add(24 * time.Hour)}); err == nil ||
		!strings.Contains(err.Error(), "is planned in test") {
		t.Fatalf("promotion before the release is done in test: %v", err)
	}
	if _, err := f.e.Advance(f.ctx, ana, w.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Move(f.ctx, ana, w.ID, models.StatusFailed, "broke"); err != nil {
		t.Fatal(err)
	}
	if s := status("test"); s != models.ReleasePartlyFailed {
		t.Fatalf("one failed: %q", s)
	}
	// Its failed part run again is the release's too: once it succeeds, the release
	// is done in test and goes on (it stayed partly failed, and could not).
	// Run again and that cancelled, it is still partly failed there.
	dropped, err := f.e.Again(f.ctx, ana, w.ID, f.now.Add(3*time.Hour))
	if err == nil {
		_, err = f.e.Cancel(f.ctx, ana, dropped.Deployment.ID, "not today")
	}
	if err != nil {
		t.Fatal(err)
	}
	if s := status("test"); s != models.ReleasePartlyFailed {
		t.Fatalf("its failed part planned again and cancelled: %q", s)
	}
	again, err := f.e.Again(f.ctx, ana, w.ID, f.now.Add(4*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if s := status("test"); s != models.ReleasePlanned {
		t.Fatalf("its failed part planned again: %q", s)
	}
	if _, err := f.e.Advance(f.ctx, ana, again.Deployment.ID, ""); err != nil {
		t.Fatal(err)
	}
	f.finish(t, again.Deployment.ID)
	if s := status("test"); s != models.ReleaseDone {
		t.Fatalf("its failed part succeeded again: %q", s)
	}
	if _, err := f.e.PromoteRelease(f.ctx, ana, ReleasePlan{Name: "spring", Environment: "production", Start: start.Add(24 * time.Hour)}); err != nil {
		t.Fatalf("promoted once done in test: %v", err)
	}
}

// TestReleaseNextEnvironment: where planning a release goes on is the environment
// after the furthest it went to: the first for one planned nowhere, none past the
// last; a cancelled plan is not a step on the way.
func TestReleaseNextEnvironment(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	ana := f.person(t, "ana")
	f.release(t, "r", "api=2.0")
	next := func() string {
		t.Helper()
		v, err := f.e.Release(f.ctx, ana, "r")
		if err != nil {
			t.Fatal(err)
		}
		return v.NextEnvironment()
	}
	if n := next(); n != "test" {
		t.Fatalf("planned nowhere: next %q, want the first, test", n)
	}
	out, err := f.e.PlanRelease(f.ctx, ana, ReleasePlan{Name: "r", Environment: "test", Start: f.now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if n := next(); n != "production" {
		t.Fatalf("planned in test: next %q, want production", n)
	}
	if _, err := f.e.Cancel(f.ctx, ana, out.Deployments[0].ID, "not now"); err != nil {
		t.Fatal(err)
	}
	if n := next(); n != "test" {
		t.Fatalf("cancelled in test: next %q, want test again", n)
	}
	if _, err := f.e.PlanRelease(f.ctx, ana, ReleasePlan{Name: "r", Environment: "production", Start: f.now.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n := next(); n != "" {
		t.Fatalf("planned in the last environment: next %q, want none", n)
	}
}

func TestPromoteReleaseGoesToTheNextEnvironmentOnceDone(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	ana := f.person(t, "ana")
	f.release(t, "r", "api=2.0", "web=3.0")
	start := f.now.Add(time.Hour)
	if _, err := f.e.PromoteRelease(f.ctx, ana, ReleasePlan{Name: "r", Environment: "test", Start: start}); err == nil ||
		!strings.Contains(err.Error(), "planned nowhere yet") {
		t.Fatalf("promoting a release planned nowhere: %v", err)
	}
	out, err := f.e.PlanRelease(f.ctx, ana, ReleasePlan{Name: "r", Environment: "test", Start: start})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range out.Deployments {
		if !d.ScheduledStart.Equal(start) || d.After != 0 {
			t.Fatalf("parallel: all at the start, none waiting: %+v", d)
		}
		f.finish(t, d.ID)
	}
	if v, _ := f.e.Release(f.ctx, ana, "r"); v.At("test") != models.ReleaseDone {
		t.Fatalf("done in test: %+v", v.Status)
	}
	if _, err := f.e.PromoteRelease(f.ctx, ana, ReleasePlan{Name: "r", Environment: "test", Start: start}); err == nil ||
		!strings.Contains(err.Error(), "next environment of the path is production") {
		t.Fatalf("promoting into the wrong environment: %v", err)
	}
	p, err := f.e.PromoteRelease(f.ctx, ana, ReleasePlan{Name: "r", Environment: "production", Start: start.Add(24 * time.Hour)})
	if err != nil || len(p.Deployments) != 2 || p.Deployments[0].Environment != "production" {
		t.Fatalf("promote to production: %+v %v", p, err)
	}
	if len(p.Conflicts) != 0 {
		t.Fatalf("done in test, the promotion is in no conflict: %+v", p.Conflicts)
	}
}

// A release is planned whole or not at all: with --strict, a conflict of its second
// component leaves the first unplanned too.
func TestPlanReleaseIsAllOrNone(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	ana := f.person(t, "ana")
	start := f.now.Add(3 * time.Hour)
	busy := f.planWhere(t, "web", "9", "test", start, models.ActionDeploy) // web is moved then already
	f.release(t, "r", "api=2.0", "web=3.0")
	_, err := f.e.PlanRelease(f.ctx, ana, ReleasePlan{Name: "r", Environment: "test", Start: start, Strict: true})
	var ce *ConflictsError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "web 3.0") {
		t.Fatalf("strict: the web clash refuses the release: %v", err)
	}
	ds, err := f.e.st.Read().Deployments(f.ctx, models.Filter{Limit: 10})
	if err != nil || len(ds) != 1 || ds[0].ID != busy.ID {
		t.Fatalf("nothing of the release is stored: %+v %v", ds, err)
	}
	// Without --strict it is planned, with the clash reported once.
	out, err := f.e.PlanRelease(f.ctx, ana, ReleasePlan{Name: "r", Environment: "test", Start: start})
	if err != nil || len(out.Deployments) != 2 || len(out.Conflicts) != 1 || out.Conflicts[0].Kind != models.ConflictComponent {
		t.Fatalf("planned with its conflict: %+v %v", out, err)
	}
}

// A new release is on the organisation's record, and moves the change mark every
// console watches, so an open Releases page shows it within a second.
func TestCreatingAReleaseIsRecordedAndSeen(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	before, err := f.e.ChangeMark(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.release(t, "r1", "api=1")
	if after, err := f.e.ChangeMark(f.ctx); err != nil || after <= before {
		t.Fatalf("change mark %d → %d (%v): a console would not reload", before, after, err)
	}
	log, err := f.e.AuditLog(f.ctx, f.person(t, "ana"), AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range log {
		found = found || (l.Type == EntryRelease && l.Actor == "ana" && l.Detail == "created release r1: api=1, change CHG-9")
	}
	if !found {
		t.Fatalf("no release entry in the audit log: %+v", log)
	}
}

// A release's preview is what planning it would do, conflicts included, and keeps
// nothing: no deployment, no event, the release still unplanned there.
func TestPreviewReleaseKeepsNothing(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	ana := f.person(t, "ana")
	f.release(t, "spring", "api=2.0", "web=3.0")
	before, _ := f.e.ChangeMark(f.ctx)
	rp := ReleasePlan{Name: "spring", Environment: "test", Start: f.now.Add(2 * time.Hour), Assignee: "sam"}
	pre, err := f.e.PreviewRelease(f.ctx, ana, rp)
	if err != nil || len(pre.Deployments) != 2 {
		t.Fatalf("preview: %+v %v", pre, err)
	}
	// Both at once, both assigned to sam: he cannot do two at a time.
	person := false
	for _, c := range pre.Conflicts {
		person = person || c.Kind == models.ConflictPerson
		// The IDs of the rolled-back plans are nobody's: a later plan takes them.
		if regexp.MustCompile(`#\d`).MatchString(c.Message) || len(c.IDs) != 0 || c.ID != "" {
			t.Errorf("a preview's conflict names deployments that are not stored: %+v", c)
		}
		if !strings.Contains(c.Message, "this release's api") || !strings.Contains(c.Message, "this release's web") {
			t.Errorf("a preview's conflict should name this release's deployments: %q", c.Message)
		}
	}
	if !person {
		t.Errorf("the preview should find sam's two deployments at once: %+v", pre.Conflicts)
	}
	if after, _ := f.e.ChangeMark(f.ctx); after != before {
		t.Errorf("the preview wrote to the record: mark %d → %d", before, after)
	}
	if v, err := f.e.Release(f.ctx, ana, "spring"); err != nil || v.At("test") != models.ReleaseNone {
		t.Errorf("after a preview the release is %s in test (%v)", v.At("test"), err)
	}
	out, err := f.e.PlanRelease(f.ctx, ana, rp)
	if err != nil || len(out.Conflicts) != len(pre.Conflicts) {
		t.Fatalf("the plan should leave what the preview said: %d conflicts, previewed %d (%v)", len(out.Conflicts), len(pre.Conflicts), err)
	}
}

// A release planned one after the other puts each component after those it depends
// on, directly or through another, whatever order the release lists them in: the
// database's schema goes before the service that reads it.
func TestPlanReleaseSequentialPutsDependenciesFirst(t *testing.T) {
	cfg := strings.Replace(whereConfig, `  name = "api"
  kind = "software"`, `  name = "api"
  kind = "software"
  depends_on = ["db"]`, 1)
	cfg = strings.Replace(cfg, `  name = "web"
  kind = "software"`, `  name = "web"
  kind = "software"
  depends_on = ["api"]`, 1)
	f := newFixtureWith(t, cfg)
	ana := f.person(t, "ana")
	f.release(t, "autumn", "web=4", "books=1", "api=3", "db=7")
	out, err := f.e.PlanRelease(f.ctx, ana, ReleasePlan{Name: "autumn", Environment: "test",
		Start: f.now.Add(2 * time.Hour), Sequential: true})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for i, d := range out.Deployments {
		order = append(order, d.Component)
		if i > 0 && d.After != out.Deployments[i-1].ID {
			t.Errorf("%s should wait for the one before it: %+v", d.Component, d)
		}
	}
	if got := strings.Join(order, " "); got != "books db api web" {
		t.Fatalf("planned in the order %q, want books db api web (db before api before web, books as listed)", got)
	}
	if len(out.Conflicts) != 0 {
		t.Fatalf("one after the other, related components do not conflict: %+v", out.Conflicts)
	}
}

// A promotion to where the release went already, or to before it, is refused in
// terms of the promotion asked for, not only of where the release stands.
func TestPromoteBackIsRefusedAsAPromotion(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	ana := f.person(t, "ana")
	f.release(t, "r1", "api=1")
	start := f.now.Add(2 * time.Hour)
	if _, err := f.e.PlanRelease(f.ctx, ana, ReleasePlan{Name: "r1", Environment: "production", Start: start}); err != nil {
		t.Fatal(err)
	}
	for env, want := range map[string]string{
		"test":       "--env test: release r1 is planned in production already, which comes after test; a release is promoted onwards, never back",
		"production": "--env production: release r1 is planned there already; it is the last environment of the path",
	} {
		_, err := f.e.PromoteRelease(f.ctx, ana, ReleasePlan{Name: "r1", Environment: env, Start: start.Add(24 * time.Hour)})
		if !errors.Is(err, models.ErrInvalid) || err.Error() != want {
			t.Errorf("promote into %s: got %v, want %q", env, err, want)
		}
	}
	// Failed there, the way on is its failed part run again.
	v, err := f.e.Release(f.ctx, ana, "r1")
	if err != nil {
		t.Fatal(err)
	}
	d := v.Deployments[0]
	if _, err := f.e.Start(f.ctx, ana, d.ID, "the test starts it early"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Move(f.ctx, ana, d.ID, models.StatusFailed, "broke"); err != nil {
		t.Fatal(err)
	}
	_, err = f.e.PromoteRelease(f.ctx, ana, ReleasePlan{Name: "r1", Environment: "production", Start: start.Add(24 * time.Hour)})
	if err == nil || !strings.HasSuffix(err.Error(), "partly failed there already; it is the last environment of the path: "+
		"what failed there is run again ('ferry deploy again ID')") {
		t.Errorf("promote into production where it failed: %v", err)
	}
}
