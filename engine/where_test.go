package engine

import (
	"errors"
	"ferry/store"
	"fmt"
	"strings"
	"testing"
	"time"

	"ferry/models"
)

// whereConfig has a model without steps, so that a deployment moves to succeeded
// by advancing it.
const whereConfig = `
[ferry]
timezone = "Europe/Berlin"
start_tolerance = "168h"

[[environment]]
name = "test"
order = 1
capacity = 5

[[environment]]
name = "production"
order = 2
capacity = 5

[[person]]
name = "ana"
roles = ["manager"]

[[person]]
name = "sam"
roles = ["practitioner"]

[[person]]
name = "tom"
roles = ["technician"]

[[service]]
name = "shop"
  [[service.component]]
  name = "api"
  kind = "software"
  [[service.component]]
  name = "web"
  kind = "software"
  [[service.component]]
  name = "db"
  kind = "software"

[[service]]
name = "ledger"
  [[service.component]]
  name = "books"
  kind = "software"

[[model]]
name = "plain"
kinds = ["software"]
path = ["test", "production"]
default_duration = "1h"
`

// finish advances d to the end of its lifecycle as sam.
func (f *fixture) finish(t *testing.T, id int64) {
	t.Helper()
	sam := f.person(t, "sam")
	for range 6 {
		out, err := f.e.Advance(f.ctx, sam, id, "")
		if err != nil {
			t.Fatalf("advance #%d: %v", id, err)
		}
		if out.Deployment.Status.Final() {
			return
		}
	}
	t.Fatalf("#%d did not finish", id)
}

func (f *fixture) planWhere(t *testing.T, comp, ver, env string, start time.Time, action models.Action) models.Deployment {
	t.Helper()
	return f.plan(t, PlanRequest{Model: "plain", Component: comp, Version: ver, Environment: env, Start: start,
		Assignee: "sam", Action: action})
}

func (f *fixture) where(t *testing.T, flt WhereFilter) Where {
	t.Helper()
	w, err := f.e.Where(f.ctx, f.person(t, "ana"), flt)
	if err != nil {
		t.Fatal(err)
	}
	if diffs, err := f.e.st.Read().WhereDiffs(f.ctx); err != nil || len(diffs) > 0 {
		t.Fatalf("the state table differs from a recount of the deployments: %v %v", diffs, err)
	}
	return w
}

func cellAt(t *testing.T, w Where, comp, env string) WhereCell {
	t.Helper()
	for _, r := range w.Rows {
		if r.Component == comp {
			if c, ok := r.Cell(env); ok {
				return c
			}
		}
	}
	t.Fatalf("no cell %s/%s in %+v", comp, env, w)
	return WhereCell{}
}

func TestWhereShowsLastSuccessAndWhatComesNext(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	at := func(h int) time.Time { return f.now.Add(time.Duration(h) * time.Hour) }
	a1 := f.planWhere(t, "api", "1.0", "test", at(1), models.ActionDeploy)
	f.finish(t, a1.ID)
	a2 := f.planWhere(t, "api", "1.1", "test", at(30), models.ActionDeploy)
	a3 := f.planWhere(t, "api", "1.2", "test", at(50), models.ActionDeploy)

	c := cellAt(t, f.where(t, WhereFilter{}), "api", "test")
	if c.Version() != "1.0" || c.Current.ID != a1.ID || c.Current.Assignee != "sam" || c.Current.FinishedAt.IsZero() {
		t.Fatalf("api in test should run 1.0 by sam (#%d), got %+v", a1.ID, c.Current)
	}
	if c.Next == nil || c.Next.ID != a2.ID || !c.Differs {
		t.Fatalf("next in test should be #%d 1.1, marked as differing: %+v", a2.ID, c)
	}
	// Moving the later plan before the earlier one makes it the next.
	if _, err := f.e.Reschedule(f.ctx, f.person(t, "ana"), a3.ID, at(20), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if c := cellAt(t, f.where(t, WhereFilter{}), "api", "test"); c.Next == nil || c.Next.ID != a3.ID {
		t.Fatalf("after the reschedule the next should be #%d: %+v", a3.ID, c.Next)
	}
	// Cancelling both leaves nothing coming; what runs stays.
	for _, id := range []int64{a2.ID, a3.ID} {
		if _, err := f.e.Cancel(f.ctx, f.person(t, "ana"), id, "not now"); err != nil {
			t.Fatal(err)
		}
	}
	if c := cellAt(t, f.where(t, WhereFilter{}), "api", "test"); c.Next != nil || c.Version() != "1.0" || c.Differs {
		t.Fatalf("after cancelling, 1.0 and nothing next: %+v", c)
	}
	// Nothing ever reached production.
	if c := cellAt(t, f.where(t, WhereFilter{}), "api", "production"); c.Current != nil || c.Next != nil {
		t.Fatalf("production should be empty: %+v", c)
	}
}

func TestWhereRemovalEmptiesTheCellAndRunningComesFirst(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	at := func(h int) time.Time { return f.now.Add(time.Duration(h) * time.Hour) }
	f.finish(t, f.planWhere(t, "web", "2.0", "test", at(1), models.ActionDeploy).ID)
	rm := f.planWhere(t, "web", "2.0", "test", at(3), models.ActionRemove)
	if c := cellAt(t, f.where(t, WhereFilter{}), "web", "test"); c.Version() != "2.0" || c.Next.ID != rm.ID || !c.Differs {
		t.Fatalf("a planned removal is what comes next, marked: %+v", c)
	}
	f.finish(t, rm.ID)
	c := cellAt(t, f.where(t, WhereFilter{}), "web", "test")
	if c.Current != nil || c.Version() != "" || c.Removed == nil || c.Removed.ID != rm.ID {
		t.Fatalf("a succeeded removal empties the cell: %+v", c)
	}
	// A running deployment is what is next, even if another is planned earlier.
	late := f.planWhere(t, "web", "3.0", "test", at(10), models.ActionDeploy)
	f.planWhere(t, "web", "2.9", "test", at(8), models.ActionDeploy)
	if _, err := f.e.Advance(f.ctx, f.person(t, "sam"), late.ID, ""); err != nil {
		t.Fatal(err)
	}
	if c := cellAt(t, f.where(t, WhereFilter{}), "web", "test"); c.Next == nil || c.Next.ID != late.ID || !c.Differs {
		t.Fatalf("the running #%d should be next: %+v", late.ID, c.Next)
	}
}

func TestWhereFiltersAndRefusesTechnicians(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	w := f.where(t, WhereFilter{Service: "ledger"})
	if len(w.Rows) != 1 || w.Rows[0].Component != "books" || len(w.Rows[0].Cells) != 2 {
		t.Fatalf("--service ledger: %+v", w)
	}
	if w := f.where(t, WhereFilter{Component: "db"}); len(w.Rows) != 1 || w.Rows[0].Component != "db" {
		t.Fatalf("--component db: %+v", w)
	}
	if _, err := f.e.Where(f.ctx, f.person(t, "ana"), WhereFilter{Component: "nope"}); err == nil {
		t.Fatal("an unknown component should be refused")
	}
	if _, err := f.e.Where(f.ctx, f.person(t, "tom"), WhereFilter{}); err == nil {
		t.Fatal("a technician sees only their own work, not the matrix")
	}
}

// TestRelatedComponentsConflict: api depends on db; moving both in test at
// overlapping times is a related conflict, found when planning and by the full
// detection; in two environments, or one after the other, it is not.
func TestRelatedComponentsConflict(t *testing.T) {
	f := newFixtureWith(t, strings.Replace(whereConfig, `  name = "api"
  kind = "software"`, `  name = "api"
  kind = "software"
  depends_on = ["db"]`, 1))
	at := func(h int) time.Time { return f.now.Add(time.Duration(h) * time.Hour) }
	db := f.planWhere(t, "db", "7", "test", at(2), models.ActionDeploy)
	f.planWhere(t, "api", "3", "production", at(2), models.ActionDeploy) // another environment
	f.planWhere(t, "api", "3", "test", at(3), models.ActionDeploy)       // after db ends
	_, cs, err := f.e.Plan(f.ctx, f.person(t, "ana"), PlanRequest{Model: "plain", Component: "api", Version: "4",
		Environment: "test", Start: at(2).Add(30 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	var related []models.Conflict
	for _, c := range cs {
		if c.Kind == models.ConflictRelated {
			related = append(related, c)
		}
	}
	if len(related) != 1 || !related[0].Involves(db.ID) || !strings.Contains(related[0].Message, "depends on db") {
		t.Fatalf("planning api over db in test: %+v", cs)
	}
	all, err := f.e.Conflicts(f.ctx, f.person(t, "ana"), ConflictFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range all {
		if c.Kind == models.ConflictRelated {
			n++
			if c.Key != related[0].Key {
				t.Fatalf("the full detection finds another related conflict: %+v", c)
			}
		}
	}
	if n != 1 {
		t.Fatalf("one related conflict in all: %+v", all)
	}
}

// Failing a finished deployment says so as failing: "there is nothing to run" was
// the run's word for it.
func TestFailingAFinishedDeploymentSaysWhy(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	d := f.planWhere(t, "api", "1", "test", f.now.Add(time.Hour), models.ActionDeploy)
	f.finish(t, d.ID)
	_, err := f.e.Fail(f.ctx, f.person(t, "ana"), d.ID, "it broke", false)
	if !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), "only one not yet finished can be failed") {
		t.Fatalf("failing a finished deployment: %v", err)
	}
}

// A deployment another waits for (--after) cannot move later without breaking that
// one: the refusal says to move the one that waits first (a release planned one
// after the other met this dead end with "change the plan").
func TestNoSlotForTheOneWaitedForSaysMoveTheOtherFirst(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	ana := f.person(t, "ana")
	a := f.planWhere(t, "api", "1", "test", f.now.Add(time.Hour), models.ActionDeploy)
	b := f.plan(t, PlanRequest{Model: "plain", Component: "web", Version: "1", Environment: "test",
		Start: a.ScheduledEnd, Assignee: "tom", After: a.ID})
	f.planWhere(t, "db", "1", "test", f.now.Add(time.Hour), models.ActionDeploy) // sam at once: a is in conflict
	_, err := f.e.RescheduleSuggested(f.ctx, ana, a.ID)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("#%d waits for it (--after): a later start breaks that, so move #%d later first", b.ID, b.ID)) {
		t.Fatalf("moving #%d, which #%d waits for: %v", a.ID, b.ID, err)
	}
}

// Deployments may not wait for each other in a circle (#1 after #3, #3 after #2, #2
// after #1): none could start. The edit that would close it is refused and changes
// nothing; the dry run says the same.
func TestWaitingInACircleIsRefused(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	ana := f.person(t, "ana")
	var ids []int64
	for i := range 3 {
		d := f.planWhere(t, "api", fmt.Sprint(i+1), "test", f.now.Add(time.Duration(i+1)*24*time.Hour), models.ActionDeploy)
		ids = append(ids, d.ID)
	}
	after := func(id, on int64) error {
		_, err := f.e.EditDeployment(f.ctx, ana, id, Edit{After: &on})
		return err
	}
	if err := after(ids[1], ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := after(ids[2], ids[1]); err != nil {
		t.Fatal(err)
	}
	err := after(ids[0], ids[2])
	want := fmt.Sprintf("#%d cannot wait for #%d, which waits for #%d, which waits for #%d: a circle", ids[0], ids[2], ids[1], ids[0])
	if !errors.Is(err, models.ErrInvalid) || !strings.Contains(err.Error(), want) {
		t.Fatalf("closing a circle: %v, want %q", err, want)
	}
	if d, err := f.e.Deployment(f.ctx, ana, ids[0]); err != nil || d.Deployment.After != 0 {
		t.Fatalf("the refused edit changed #%d: after %d %v", ids[0], d.Deployment.After, err)
	}
}

// An edit's values are checked alike in its preview and the edit: a person config
// does not know is refused by both; "" unassigns (deploy edit --assignee none); a new
// length is held to a minute or more, but a window kept as it was planned before that
// rule (30 seconds) still moves.
func TestEditAndItsPreviewCheckAlike(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	ana := f.person(t, "ana")
	d := f.planWhere(t, "api", "1", "test", f.now.Add(24*time.Hour), models.ActionDeploy)
	nosuch, nobody, short := "nosuch", "", 30*time.Second
	if _, _, err := f.e.PreviewEdit(f.ctx, ana, d.ID, Edit{Assignee: &nosuch}); err == nil || !strings.Contains(err.Error(), `--assignee: no person "nosuch"`) {
		t.Fatalf("a preview of an unknown person: %v", err)
	}
	if _, err := f.e.EditDeployment(f.ctx, ana, d.ID, Edit{Assignee: &nosuch}); err == nil || !strings.Contains(err.Error(), `--assignee: no person "nosuch"`) {
		t.Fatalf("an edit to an unknown person: %v", err)
	}
	out, err := f.e.EditDeployment(f.ctx, ana, d.ID, Edit{Assignee: &nobody})
	if err != nil || out.Deployment.Assignee != "" {
		t.Fatalf("unassigning: %+v %v", out.Deployment.Assignee, err)
	}
	if _, _, err := f.e.PreviewEdit(f.ctx, ana, d.ID, Edit{Duration: &short}); err == nil || !strings.Contains(err.Error(), "--duration: a window of 30s is shorter than a minute") {
		t.Fatalf("a preview of a 30 s window: %v", err)
	}
	if err := f.e.st.Write(f.ctx, func(q store.Q) error {
		return q.SetSchedule(f.ctx, d.ID, d.ScheduledStart, d.ScheduledStart.Add(short), f.now)
	}); err != nil {
		t.Fatal(err)
	}
	later := d.ScheduledStart.Add(time.Hour)
	if _, err := f.e.Reschedule(f.ctx, ana, d.ID, later, time.Time{}); err != nil {
		t.Fatalf("moving a window planned at 30 s before the rule: %v", err)
	}
}
