package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"ferry/internal/race"
	"ferry/models"
	"ferry/store"
)

// movesWrittenOneByOne is the freeze apply made the plain way, the oracle for
// freezePlan: each deployment rescheduled in a write transaction (rolled back), the
// next suggestion asked of the database with the moves before it written.
func (e *Engine) movesWrittenOneByOne(ctx context.Context, actor models.Person) ([]models.Deployment, error) {
	var moved []models.Deployment
	err := e.st.Try(ctx, func(q store.Q) error {
		hits, err := e.freezeHits(ctx, q, actor)
		if err != nil {
			return err
		}
		for _, h := range hits {
			d := h.Deployment
			sug, err := e.suggest(ctx, q, d)
			if err != nil {
				return err
			}
			if len(sug.Slots) == 0 {
				return models.Conflictf("#%d has %s; nothing was moved%s", d.ID, NoSlot, NoSlotWhy(d.ID, sug))
			}
			if _, err := e.reschedule(ctx, q, actor, &d, sug.Slots[0].Start, sug.Slots[0].End); err != nil {
				return err
			}
			if d, err = q.Deployment(ctx, d.ID); err != nil {
				return err
			}
			moved = append(moved, d)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return moved, nil
}

// windows lists ds as "#id start–end", to compare and to read in a failure.
func windows(ds []models.Deployment) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "#%d %s–%s; ", d.ID, d.ScheduledStart.Format("Jan 02 15:04"), d.ScheduledEnd.Format("15:04"))
	}
	return b.String()
}

// TestFreezePreviewAsksHistoryWithTheMovedPlans: api 1 succeeded in staging long ago
// and is planned there again inside a short staging freeze, just before its
// production plan inside production's. The staging plan moves first, to after the
// production plan's start: only the history of staging then allows production the
// free hour before its freeze, and the preview must ask it as the apply, having
// written the first move, does.
func TestFreezePreviewAsksHistoryWithTheMovedPlans(t *testing.T) {
	f := newFixtureWith(t, strings.Replace(scheduleConfig, `capacity = 2
`, `capacity = 2
  [[environment.freeze]]
  name = "staging days"
  from = "2026-12-18 00:00"
  to = "2026-12-21 00:00"
`, 1))
	ana := f.person(t, "ana")
	f.finish(t, f.plan(t, PlanRequest{Model: "web", Component: "api", Version: "1", Environment: "staging",
		Start: f.now.Add(10 * time.Minute), Assignee: "sam"}).ID)
	staging := f.planAt(t, "api", "1", "staging", "2026-12-20 20:00", "")
	prod := f.planAt(t, "api", "1", "production", "2026-12-20 22:00", "")
	oracle, err := f.e.movesWrittenOneByOne(f.ctx, ana)
	if err != nil || len(oracle) != 2 || oracle[0].ID != staging.ID || !oracle[0].ScheduledStart.Equal(f.local("2026-12-21 00:00")) ||
		oracle[1].ID != prod.ID || !oracle[1].ScheduledStart.Equal(f.local("2026-12-13 03:00")) {
		t.Fatalf("written one by one: %s %v", windows(oracle), err)
	}
	preview, err := f.e.PreviewFreezeApply(f.ctx, ana)
	if err != nil || windows(preview) != windows(oracle) {
		t.Fatalf("preview %s, written one by one %s (%v)", windows(preview), windows(oracle), err)
	}
	moved, err := f.e.FreezeApply(f.ctx, ana)
	if err != nil || windows(moved) != windows(preview) {
		t.Fatalf("apply moved %s, preview said %s (%v)", windows(moved), windows(preview), err)
	}
}

// TestFreezePreviewSeesAPlanMovedIntoReach: in a month-long staging freeze, sam's
// first plan moves out at its end, nine days on, next to his second plan's, into the
// week either side of it that the second plan's suggestion loads first and where the
// first plan was not. The second plan goes beside it, not onto it.
func TestFreezePreviewSeesAPlanMovedIntoReach(t *testing.T) {
	f := newFixtureWith(t, strings.Replace(scheduleConfig, `capacity = 2
`, `capacity = 2
  [[environment.freeze]]
  name = "staging month"
  from = "2026-12-01 00:00"
  to = "2026-12-31 00:00"
`, 1))
	ana := f.person(t, "ana")
	first := f.planAt(t, "api", "1", "staging", "2026-12-22 20:00", "sam")
	second := f.planAt(t, "web", "1", "staging", "2026-12-30 22:00", "sam")
	oracle, err := f.e.movesWrittenOneByOne(f.ctx, ana)
	if err != nil || len(oracle) != 2 || oracle[0].ID != first.ID || !oracle[0].ScheduledStart.Equal(f.local("2026-12-31 00:00")) ||
		oracle[1].ID != second.ID || !oracle[1].ScheduledStart.Equal(f.local("2026-12-31 01:00")) {
		t.Fatalf("written one by one: %s %v", windows(oracle), err)
	}
	preview, err := f.e.PreviewFreezeApply(f.ctx, ana)
	if err != nil || windows(preview) != windows(oracle) {
		t.Fatalf("preview %s, written one by one %s (%v)", windows(preview), windows(oracle), err)
	}
}

// freezeBothConfig is scheduleConfig with a freeze in staging too: plans of one
// version move in both environments, and a production plan's promotion depends on
// where its staging plan went.
var freezeBothConfig = strings.Replace(scheduleConfig, `capacity = 2
`, `capacity = 2
  [[environment.freeze]]
  name = "staging week"
  from = "2026-12-21 00:00"
  to = "2026-12-28 00:00"
`, 1)

// TestFreezePreviewAgreesWithTheApplyAtRandom plans a freeze full of random plans
// (both environments, people, versions, some waiting for another, some blocking the
// free hours) and holds the preview to the moves written one by one and to what the
// apply then stores, refusal included.
func TestFreezePreviewAgreesWithTheApplyAtRandom(t *testing.T) {
	cases, moving := 24, 0
	if race.Enabled { // sequential: -race only multiplies its time
		cases = 10
	}
	for seed := range uint64(cases) {
		if freezeRandomCase(t, seed) {
			moving++
		}
	}
	if moving < cases/2 {
		t.Fatalf("only %d of %d cases moved two plans or more: the test says little", moving, cases)
	}
}

// freezeRandomCase runs one case of TestFreezePreviewAgreesWithTheApplyAtRandom and
// says whether it moved two plans or more.
func freezeRandomCase(t *testing.T, seed uint64) bool {
	t.Helper()
	f := newFixtureWith(t, freezeBothConfig)
	ana := f.person(t, "ana")
	rng := rand.New(rand.NewPCG(seed, 7))
	planRandomFreeze(t, f, rng)
	oracle, oerr := f.e.movesWrittenOneByOne(f.ctx, ana)
	preview, perr := f.e.PreviewFreezeApply(f.ctx, ana)
	if fmt.Sprint(perr) != fmt.Sprint(oerr) || windows(preview) != windows(oracle) {
		t.Fatalf("seed %d: preview %s (%v), written one by one %s (%v)", seed, windows(preview), perr, windows(oracle), oerr)
	}
	if perr == nil { // the impact list suggests each where the apply moves it
		hits, err := f.e.FreezeImpact(f.ctx, ana)
		suggested := make([]models.Deployment, len(hits))
		for i, h := range hits {
			suggested[i] = h.Deployment
			if len(h.Suggestion.Slots) > 0 {
				suggested[i].ScheduledStart, suggested[i].ScheduledEnd = h.Suggestion.Slots[0].Start, h.Suggestion.Slots[0].End
			}
		}
		if err != nil || windows(suggested) != windows(preview) {
			t.Fatalf("seed %d: impact suggests %s (%v), preview moves %s", seed, windows(suggested), err, windows(preview))
		}
	}
	moved, err := f.e.FreezeApply(f.ctx, ana)
	if fmt.Sprint(err) != fmt.Sprint(perr) || windows(moved) != windows(preview) {
		t.Fatalf("seed %d: apply moved %s (%v), preview said %s (%v)", seed, windows(moved), err, windows(preview), perr)
	}
	for _, p := range preview {
		d, err := f.e.st.Read().Deployment(f.ctx, p.ID)
		if err != nil || windows([]models.Deployment{d}) != windows([]models.Deployment{p}) {
			t.Fatalf("seed %d: stored %s, preview said %s (%v)", seed, windows([]models.Deployment{d}),
				windows([]models.Deployment{p}), err)
		}
	}
	return err == nil && len(moved) >= 2
}

// planRandomFreeze plans a few deployments inside the freezes, their versions in
// staging before (or inside its freeze, or not at all), and a few plans in the
// maintenance windows before the freeze that take the free hours.
func planRandomFreeze(t *testing.T, f *fixture, rng *rand.Rand) {
	t.Helper()
	comps, people := []string{"api", "web", "db"}, []string{"", "sam", "tom"}
	at := func(day string, hours int) time.Time {
		return f.local(day + " 00:00").Add(time.Duration(hours) * time.Hour)
	}
	var ids []int64
	plan := func(comp, ver, env string, start time.Time, hours int) {
		var after int64
		if len(ids) > 0 && rng.IntN(10) == 0 {
			after = ids[rng.IntN(len(ids))]
		}
		d := f.plan(t, PlanRequest{Model: "web", Component: comp, Version: ver, Environment: env, Start: start,
			Duration: time.Duration(hours) * time.Hour, Assignee: people[rng.IntN(len(people))], After: after})
		ids = append(ids, d.ID)
	}
	for range 1 + rng.IntN(3) { // taking the weekend nights before the freeze
		plan(comps[rng.IntN(3)], "0", "production", at([]string{"2026-12-12", "2026-12-05"}[rng.IntN(2)], 22+rng.IntN(5)), 1)
	}
	for range 3 + rng.IntN(5) {
		comp, ver := comps[rng.IntN(3)], fmt.Sprint(1+rng.IntN(2))
		switch rng.IntN(12) {
		case 0, 1, 2: // into staging's freeze
			plan(comp, ver, "staging", at("2026-12-21", rng.IntN(7*24)), 1+rng.IntN(2))
		case 3: // never to staging: a promotion no move settles
		default:
			plan(comp, ver, "staging", at("2026-11-27", rng.IntN(4*24)), 1)
		}
		plan(comp, ver, "production", at("2026-12-19", rng.IntN(16*24)), 1+rng.IntN(2))
	}
}

// TestFreezePreviewTakesNoWriteLock: while another change holds the one write
// connection, the preview still answers: it reads, so the people ticking checklists
// and the runner never wait for it (nor it for them).
func TestFreezePreviewTakesNoWriteLock(t *testing.T) {
	f := newFixtureWith(t, scheduleConfig)
	ana := f.person(t, "ana")
	f.planAt(t, "api", "1", "staging", "2026-11-20 10:00", "")
	f.planAt(t, "web", "1", "staging", "2026-11-20 12:00", "")
	f.planAt(t, "api", "1", "production", "2026-12-19 22:00", "")
	f.planAt(t, "web", "1", "production", "2026-12-26 22:00", "")
	holding, release, written := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		written <- f.e.st.Write(f.ctx, func(store.Q) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	// Only a bound for the failure: a preview that waits for the writer would wait
	// until the store's busy timeout (30 s).
	ctx, cancel := context.WithTimeout(f.ctx, 10*time.Second)
	defer cancel()
	preview, err := f.e.PreviewFreezeApply(ctx, ana)
	close(release)
	if werr := <-written; werr != nil {
		t.Fatalf("the writer: %v", werr)
	}
	if err != nil || len(preview) != 2 {
		t.Fatalf("preview beside a writer: %s %v (waited for it: %t)", windows(preview), err, errors.Is(err, context.DeadlineExceeded))
	}
}
