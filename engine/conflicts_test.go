package engine

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"ferry/internal/race"
	"ferry/models"
)

const scheduleConfig = `
[ferry]
timezone = "Europe/Berlin"

[[environment]]
name = "staging"
order = 1
capacity = 2

[[environment]]
name = "production"
order = 2
capacity = 1
require_maintenance_window = true
  [[environment.maintenance]]
  name = "weekend night"
  weekly = "Sat 22:00 - Sun 04:00"
  [[environment.freeze]]
  name = "year end"
  from = "2026-12-19 00:00"
  to = "2027-01-04 00:00"

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
name = "payments"
  [[service.component]]
  name = "api"
  kind = "software"
  [[service.component]]
  name = "web"
  kind = "software"
  [[service.component]]
  name = "db"
  kind = "software"

[[model]]
name = "web"
kinds = ["software"]
path = ["staging", "production"]
default_duration = "1h"
`

func (f *fixture) planAt(t *testing.T, comp, ver, env, start, who string) models.Deployment {
	t.Helper()
	return f.plan(t, PlanRequest{Model: "web", Component: comp, Version: ver, Environment: env,
		Start: f.local(start), Assignee: who})
}

func conflictKinds(cs []models.Conflict) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c.Kind))
	}
	slices.Sort(out)
	return out
}

func TestPlanWarnsAboutConflictsAndStrictRefuses(t *testing.T) {
	f := newFixtureWith(t, scheduleConfig)
	ana := f.person(t, "ana")
	f.planAt(t, "api", "1", "staging", "2026-11-28 10:00", "")
	f.planAt(t, "api", "1", "production", "2026-11-28 22:00", "sam")
	// Same person, same window, production capacity 1; version 2 never reached staging.
	req := PlanRequest{Model: "web", Component: "web", Version: "2", Environment: "production",
		Start: f.local("2026-11-28 22:30"), Assignee: "sam"}
	d, cs, err := f.e.Plan(f.ctx, ana, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(conflictKinds(cs), " "); got != "capacity person promotion" {
		t.Fatalf("conflicts of #%d: %s", d.ID, got)
	}
	req.Strict = true
	req.Component = "db" // a second, strict try: now it also clashes with #3 for sam
	_, _, err = f.e.Plan(f.ctx, ana, req)
	var ce *ConflictsError
	if !errors.As(err, &ce) || !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), "sam is booked") {
		t.Fatalf("strict plan: %v", err)
	}
	list, _ := f.e.List(f.ctx, ana, models.Filter{})
	if len(list) != 3 {
		t.Fatalf("a refused strict plan must store nothing: %d deployments", len(list))
	}
}

func TestOverrideNeedsManagerAndReasonAndStaysVisible(t *testing.T) {
	f := newFixtureWith(t, scheduleConfig)
	ana, sam := f.person(t, "ana"), f.person(t, "sam")
	d := f.planAt(t, "api", "1", "staging", "2026-11-26 10:00", "")
	f.planAt(t, "api", "1", "staging", "2026-11-26 10:30", "") // same component twice
	cs, err := f.e.Conflicts(f.ctx, ana, ConflictFilter{})
	if err != nil || len(cs) != 1 || cs[0].Kind != models.ConflictComponent || !cs[0].Open() {
		t.Fatalf("conflicts: %+v %v", cs, err)
	}
	id := cs[0].ID
	if _, err := f.e.Override(f.ctx, sam, id, "fine"); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("practitioner override: %v", err)
	}
	if _, err := f.e.Override(f.ctx, ana, id, "  "); !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("override without reason: %v", err)
	}
	if _, err := f.e.Override(f.ctx, ana, "cdeadbe", "x"); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("unknown conflict: %v", err)
	}
	if _, err := f.e.Override(f.ctx, ana, id, "hotfix rides along"); err != nil {
		t.Fatal(err)
	}
	cs, _ = f.e.Conflicts(f.ctx, ana, ConflictFilter{})
	if len(cs) != 1 || cs[0].Status != "overridden" || cs[0].Reason != "hotfix rides along" || cs[0].ID != id {
		t.Fatalf("after override: %+v", cs)
	}
	if open, _ := f.e.Conflicts(f.ctx, ana, ConflictFilter{OpenOnly: true}); len(open) != 0 {
		t.Fatalf("open after override: %+v", open)
	}
	if _, err := f.e.Override(f.ctx, ana, id, "again"); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("overriding twice: %v", err)
	}
	det, _ := f.e.Deployment(f.ctx, ana, d.ID)
	if last := det.Events[len(det.Events)-1]; last.Type != "override" || !strings.Contains(last.Detail, "hotfix rides along") {
		t.Fatalf("record: %+v", last)
	}
}

func TestSuggestAndRescheduleSuggestedClearConflicts(t *testing.T) {
	f := newFixtureWith(t, scheduleConfig)
	ana := f.person(t, "ana")
	f.planAt(t, "api", "1", "staging", "2026-11-20 10:00", "")
	// Inside the year-end freeze (19 Dec – 4 Jan): the nearest free slot is the last
	// hour of the weekend window before it (12/13 Dec), not the first one after it (9 Jan).
	d := f.planAt(t, "api", "1", "production", "2026-12-19 22:00", "")
	sug, err := f.e.Suggest(f.ctx, ana, d.ID)
	if err != nil || len(sug.Slots) == 0 || !sug.Slots[0].Start.Equal(f.local("2026-12-13 03:00")) {
		t.Fatalf("suggestion: %+v %v", sug, err)
	}
	out, err := f.e.RescheduleSuggested(f.ctx, ana, d.ID)
	moved, cs := out.Deployment, out.Conflicts
	if err != nil || len(cs) != 0 || !moved.ScheduledStart.Equal(f.local("2026-12-13 03:00")) {
		t.Fatalf("rescheduled to %v with %+v, %v", moved.ScheduledStart, cs, err)
	}
	// Asked again where it is free, it says so and stays: no move is recorded.
	if _, err := f.e.RescheduleSuggested(f.ctx, ana, d.ID); !errors.Is(err, models.ErrConflict) ||
		!strings.Contains(err.Error(), "is in no conflict where it is") {
		t.Fatalf("a suggested move of one in no conflict: %v", err)
	}
}

func TestDependencyAndAfter(t *testing.T) {
	f := newFixtureWith(t, scheduleConfig)
	ana := f.person(t, "ana")
	first := f.planAt(t, "db", "1", "staging", "2026-11-26 10:00", "")
	_, cs, err := f.e.Plan(f.ctx, ana, PlanRequest{Model: "web", Component: "api", Version: "1", Environment: "staging",
		Start: f.local("2026-11-26 10:30"), After: first.ID})
	if err != nil || len(cs) != 1 || cs[0].Kind != models.ConflictDependency {
		t.Fatalf("plan after: %+v %v", cs, err)
	}
	if _, _, err := f.e.Plan(f.ctx, ana, PlanRequest{Model: "web", Component: "api", Version: "1",
		Environment: "staging", Start: f.local("2026-11-26 12:00"), After: 999}); !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("after an unknown deployment: %v", err)
	}
}

func TestFreezeImpactAndApply(t *testing.T) {
	f := newFixtureWith(t, scheduleConfig)
	ana, tom := f.person(t, "ana"), f.person(t, "tom")
	f.planAt(t, "api", "1", "staging", "2026-11-20 10:00", "")
	f.planAt(t, "web", "1", "staging", "2026-11-20 12:00", "")
	a := f.planAt(t, "api", "1", "production", "2026-12-19 22:00", "")
	b := f.planAt(t, "web", "1", "production", "2026-12-26 22:00", "")
	hits, err := f.e.FreezeImpact(f.ctx, ana)
	if err != nil || len(hits) != 2 || hits[0].Deployment.ID != a.ID || hits[1].Deployment.ID != b.ID {
		t.Fatalf("impact: %+v %v", hits, err)
	}
	if _, err := f.e.FreezeApply(f.ctx, tom); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("technician applies: %v", err)
	}
	moved, err := f.e.FreezeApply(f.ctx, ana)
	if err != nil || len(moved) != 2 {
		t.Fatalf("apply: %+v %v", moved, err)
	}
	// Each to the free start nearest it, both before the freeze (12/13 Dec is nearer
	// 26 Dec than 9 Jan is); production takes one at a time: the second goes beside the
	// first in that window, not into the same hour.
	if !moved[0].ScheduledStart.Equal(f.local("2026-12-13 03:00")) || !moved[1].ScheduledStart.Equal(f.local("2026-12-13 02:00")) {
		t.Fatalf("moved to %v and %v", moved[0].ScheduledStart, moved[1].ScheduledStart)
	}
	if cs, _ := f.e.Conflicts(f.ctx, ana, ConflictFilter{OpenOnly: true}); len(cs) != 0 {
		t.Fatalf("conflicts left: %+v", cs)
	}
}

// TestFreezePreviewSaysWhereTheApplyMoves: a person confirming the apply is told
// where each deployment will land. Found alone, both plans would be offered the same
// free hour of production; the preview works the moves out as the apply does, each
// with the moves before it, so the second goes beside the first, as writing the first
// and asking again puts it (movesWrittenOneByOne); it keeps nothing, and is refused
// to whom the apply is. The impact list suggests the same slots: what a person reads
// under each deployment is where the apply puts it.
func TestFreezePreviewSaysWhereTheApplyMoves(t *testing.T) {
	f := newFixtureWith(t, scheduleConfig)
	ana, tom := f.person(t, "ana"), f.person(t, "tom")
	f.planAt(t, "api", "1", "staging", "2026-11-20 10:00", "") // on the path before production
	f.planAt(t, "web", "1", "staging", "2026-11-20 12:00", "")
	a := f.planAt(t, "api", "1", "production", "2026-12-19 22:00", "")
	b := f.planAt(t, "web", "1", "production", "2026-12-26 22:00", "")
	for _, d := range []models.Deployment{a, b} {
		if sug, err := f.e.Suggest(f.ctx, ana, d.ID); err != nil || len(sug.Slots) == 0 ||
			!sug.Slots[0].Start.Equal(f.local("2026-12-13 03:00")) {
			t.Fatalf("#%d alone is offered %+v (%v), not the free hour both would take", d.ID, sug.Slots, err)
		}
	}
	hits, err := f.e.FreezeImpact(f.ctx, ana)
	if err != nil || len(hits) != 2 || len(hits[0].Suggestion.Slots) == 0 || len(hits[1].Suggestion.Slots) == 0 {
		t.Fatalf("impact: %+v %v", hits, err)
	}
	if _, err := f.e.PreviewFreezeApply(f.ctx, tom); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("a technician previews what he may not do: %v", err)
	}
	preview, err := f.e.PreviewFreezeApply(f.ctx, ana)
	if err != nil || len(preview) != 2 {
		t.Fatalf("preview: %+v %v", preview, err)
	}
	if oracle, err := f.e.movesWrittenOneByOne(f.ctx, ana); err != nil || windows(oracle) != windows(preview) {
		t.Fatalf("preview %s, written one by one %s (%v)", windows(preview), windows(oracle), err)
	}
	for _, id := range []int64{a.ID, b.ID} {
		d, err := f.e.Deployment(f.ctx, ana, id)
		if err != nil || !d.ScheduledStart.Equal(map[int64]time.Time{a.ID: a.ScheduledStart, b.ID: b.ScheduledStart}[id]) ||
			hasEventType(d.Events, EventRescheduled) {
			t.Fatalf("the preview moved #%d: %+v %v", id, d.Deployment, err)
		}
	}
	moved, err := f.e.FreezeApply(f.ctx, ana)
	if err != nil || len(moved) != len(preview) {
		t.Fatalf("apply: %+v %v", moved, err)
	}
	for i := range moved {
		if moved[i].ID != preview[i].ID || !moved[i].ScheduledStart.Equal(preview[i].ScheduledStart) ||
			!moved[i].ScheduledEnd.Equal(preview[i].ScheduledEnd) {
			t.Fatalf("#%d: previewed at %v, moved to %v", moved[i].ID, preview[i].ScheduledStart, moved[i].ScheduledStart)
		}
	}
	if moved[0].ScheduledStart.Equal(moved[1].ScheduledStart) {
		t.Fatalf("both went to the same hour: %v", moved[0].ScheduledStart)
	}
	for i, h := range hits {
		if h.Deployment.ID != moved[i].ID || !h.Suggestion.Slots[0].Start.Equal(moved[i].ScheduledStart) {
			t.Fatalf("the impact suggested #%d %v, the apply moved #%d to %v", h.Deployment.ID,
				h.Suggestion.Slots[0].Start, moved[i].ID, moved[i].ScheduledStart)
		}
	}
}

// TestFreezeApplyHoldsToWhatWasAsked: ana was asked to move two deployments; before
// she said yes, one of them was cancelled. The apply would now move another set, so
// it moves nothing and says to look again; asked what it would do now, it moves.
func TestFreezeApplyHoldsToWhatWasAsked(t *testing.T) {
	f := newFixtureWith(t, scheduleConfig)
	ana := f.person(t, "ana")
	f.planAt(t, "api", "1", "staging", "2026-11-20 10:00", "")
	f.planAt(t, "web", "1", "staging", "2026-11-20 12:00", "")
	a := f.planAt(t, "api", "1", "production", "2026-12-19 22:00", "")
	b := f.planAt(t, "web", "1", "production", "2026-12-26 22:00", "")
	asked, err := f.e.PreviewFreezeApply(f.ctx, ana)
	if err != nil || len(asked) != 2 {
		t.Fatalf("preview: %+v %v", asked, err)
	}
	if _, err := f.e.Cancel(f.ctx, ana, b.ID, "not needed after all"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.FreezeApplyAsAsked(f.ctx, ana, asked); !errors.Is(err, models.ErrConflict) ||
		!strings.Contains(err.Error(), "the moves changed since you were asked") {
		t.Fatalf("applied what nobody agreed to: %v", err)
	}
	if d, err := f.e.Deployment(f.ctx, ana, a.ID); err != nil || !d.ScheduledStart.Equal(a.ScheduledStart) {
		t.Fatalf("#%d moved although the apply was refused: %v %v", a.ID, d.ScheduledStart, err)
	}
	asked, err = f.e.PreviewFreezeApply(f.ctx, ana)
	if err != nil || len(asked) != 1 {
		t.Fatalf("preview again: %+v %v", asked, err)
	}
	moved, err := f.e.FreezeApplyAsAsked(f.ctx, ana, asked)
	if err != nil || len(moved) != 1 || !moved[0].ScheduledStart.Equal(asked[0].ScheduledStart) {
		t.Fatalf("apply as asked: %+v %v", moved, err)
	}
}

func hasEventType(es []models.Event, typ string) bool {
	return slices.ContainsFunc(es, func(e models.Event) bool { return e.Type == typ })
}

// TestNeighbourhoodCheckAgreesWithFullDetection: checking one deployment from the few
// rows its indexes load must find what detection over everything finds for it.
func TestNeighbourhoodCheckAgreesWithFullDetection(t *testing.T) {
	f := newFixtureWith(t, scheduleConfig)
	ana := f.person(t, "ana")
	rng := rand.New(rand.NewPCG(3, 4))
	comps, envs, people := []string{"api", "web", "db"}, []string{"staging", "production"}, []string{"", "ana", "sam", "tom"}
	base := f.local("2026-11-23 00:00")
	now := f.now
	f.now = base // planned before the week they fill
	var ids []int64
	plans := 120
	if race.Enabled { // sequential: -race only multiplies its time
		plans = 60
	}
	for range plans {
		start := base.Add(time.Duration(rng.IntN(7*24*4)) * 15 * time.Minute)
		var after int64
		if len(ids) > 0 && rng.IntN(6) == 0 {
			after = ids[rng.IntN(len(ids))]
		}
		d, _, err := f.e.Plan(f.ctx, ana, PlanRequest{Model: "web", Component: comps[rng.IntN(3)],
			Version: string(rune('1' + rng.IntN(3))), Environment: envs[rng.IntN(2)], Assignee: people[rng.IntN(4)],
			Start: start, Duration: time.Duration(1+rng.IntN(6)) * 30 * time.Minute, After: after})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	f.now = now
	// Full detection itself, not the kept conflicts that Conflicts reads.
	_, full, err := f.e.detect(f.ctx, f.e.st.Read())
	all := decorate(full, nil)
	if err != nil || len(all) == 0 {
		t.Fatalf("full detection: %d, %v", len(all), err)
	}
	for _, id := range ids {
		var want []string
		for _, c := range all {
			if c.Involves(id) && c.Kind != models.ConflictCapacity {
				want = append(want, c.ID)
			}
		}
		d, _ := f.e.st.Read().Deployment(f.ctx, id)
		got, err := f.e.check(f.ctx, f.e.st.Read(), d)
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []string
		for _, c := range got {
			if c.Kind != models.ConflictCapacity {
				gotIDs = append(gotIDs, c.ID)
			}
		}
		slices.Sort(want)
		slices.Sort(gotIDs)
		if !slices.Equal(want, gotIDs) {
			t.Fatalf("#%d: neighbourhood %v, full %v", id, gotIDs, want)
		}
	}
}

func TestPreviewPlanStoresNothing(t *testing.T) {
	f := newFixtureWith(t, scheduleConfig)
	ana := f.person(t, "ana")
	f.planAt(t, "api", "1", "staging", "2026-11-28 10:00", "sam")
	d, cs, err := f.e.PreviewPlan(f.ctx, ana, PlanRequest{Model: "web", Component: "web", Version: "1",
		Environment: "staging", Start: f.local("2026-11-28 10:30"), Assignee: "sam"})
	// Nothing is stored, so the candidate has no ID and the message calls it "this plan".
	if err != nil || d.ID != 0 || len(cs) != 1 || cs[0].Kind != models.ConflictPerson ||
		!strings.Contains(cs[0].Message, "#1 and this plan") || slices.Contains(cs[0].IDs, 0) {
		t.Fatalf("preview: %+v %+v %v", d, cs, err)
	}
	if list, _ := f.e.List(f.ctx, ana, models.Filter{}); len(list) != 1 {
		t.Fatalf("a preview stored a deployment: %d", len(list))
	}
	if _, _, err := f.e.PreviewPlan(f.ctx, ana, PlanRequest{Model: "web", Component: "web", Version: "1",
		Environment: "moon", Start: f.local("2026-11-28 10:30")}); !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("preview of a bad request: %v", err)
	}
}

// An edit's preview carries a manager's override of a conflict the edit leaves as it
// was (the same plans clash the same way: the same key), with who and why; a conflict
// the edit makes anew is open.
func TestPreviewEditKeepsTheOverride(t *testing.T) {
	f := newFixtureWith(t, scheduleConfig)
	ana := f.person(t, "ana")
	d := f.planAt(t, "api", "1", "staging", "2026-11-26 10:00", "")
	f.planAt(t, "api", "1", "staging", "2026-11-26 10:30", "") // same component twice
	cs, _ := f.e.Conflicts(f.ctx, ana, ConflictFilter{})
	if len(cs) != 1 {
		t.Fatalf("conflicts: %+v", cs)
	}
	if _, err := f.e.Override(f.ctx, ana, cs[0].ID, "hotfix rides along"); err != nil {
		t.Fatal(err)
	}
	later, change := f.local("2026-11-26 10:15"), "CHG-9"
	for _, ed := range []Edit{{ChangeRef: &change}, {Start: &later}} {
		_, got, err := f.e.PreviewEdit(f.ctx, ana, d.ID, ed)
		if err != nil || len(got) != 1 || got[0].Open() || got[0].ID != cs[0].ID ||
			got[0].OverrideText() != "overridden by ana: hotfix rides along" {
			t.Fatalf("preview of %+v: %+v %v", ed, got, err)
		}
	}
	// Assigned to sam, who is booked beside it: that person conflict is new, and open.
	f.planAt(t, "web", "1", "production", "2026-11-26 10:00", "sam")
	sam := "sam"
	_, got, err := f.e.PreviewEdit(f.ctx, ana, d.ID, Edit{Assignee: &sam})
	if err != nil || len(got) != 2 || CountOpen(got) != 1 {
		t.Fatalf("preview with a new conflict: %+v %v", got, err)
	}
}
