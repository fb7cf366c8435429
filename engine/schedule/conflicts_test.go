package schedule

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"ferry/models"
)

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// at is a wall-clock time in Berlin.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func weekly(name, spec string) models.Window {
	w, err := models.ParseWeekly(spec)
	if err != nil {
		panic(err)
	}
	return models.Window{Name: name, Weekly: w}
}

func world() World {
	return World{
		Loc: berlin,
		Envs: map[string]models.Environment{
			"dev":     {Name: "dev", Order: 1, Capacity: 2},
			"staging": {Name: "staging", Order: 2, Capacity: 2},
			"production": {Name: "production", Order: 3, Capacity: 1, RequireMaintenanceWindow: true,
				Maintenance: []models.Window{weekly("weekend night", "Sat 22:00 - Sun 04:00")},
				Freeze: []models.Window{{Name: "year end", From: at("2026-12-19 00:00"), To: at("2027-01-04 00:00")},
					weekly("friday afternoons", "Fri 14:00 - Fri 23:59")}},
		},
		Models: map[string]models.Model{
			"web":  {Name: "web", Path: []string{"dev", "staging", "production"}},
			"docs": {Name: "docs", Path: []string{"staging", "production"}, ParallelEnvironments: true},
		},
		// By default every version already went through the earlier environments.
		Succeeded: func(component, version, env string) bool { return true },
	}
}

func item(id int64, env, comp, who, start string, hours float64) Item {
	s := at(start)
	return Item{ID: id, Model: "web", Component: comp, Version: "1.0", Action: models.ActionDeploy,
		Environment: env, Assignee: who, Start: s, End: s.Add(time.Duration(hours * float64(time.Hour)))}
}

// kinds summarises conflicts as "kind:ids" strings for comparison.
func kinds(cs []models.Conflict) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Key)
	}
	slices.Sort(out)
	return out
}

func TestDetect(t *testing.T) {
	// Thu 26 Nov 2026; dev takes 2 at once, production 1 and needs its weekend window.
	cases := []struct {
		name  string
		items []Item
		w     func(*World)
		want  []string
	}{
		{"back to back in a capacity-1 env is fine",
			[]Item{item(1, "production", "a", "", "2026-11-28 22:00", 1), item(2, "production", "b", "", "2026-11-28 23:00", 1)},
			nil, nil},
		{"overlap in a capacity-1 env",
			[]Item{item(1, "production", "a", "", "2026-11-28 22:00", 2), item(2, "production", "b", "", "2026-11-28 23:00", 1)},
			nil, []string{"capacity:1,2:production"}},
		{"two at once in a capacity-2 env is fine, three is not",
			[]Item{item(1, "dev", "a", "", "2026-11-26 10:00", 3), item(2, "dev", "b", "", "2026-11-26 11:00", 1),
				item(3, "dev", "c", "", "2026-11-26 12:30", 1), item(4, "dev", "d", "", "2026-11-26 11:30", 1)},
			nil, []string{"capacity:1,2,4:dev"}},
		{"three in the same window are one crowd, not a pair and a triple",
			[]Item{item(1, "production", "a", "", "2026-11-28 22:00", 2), item(2, "production", "b", "", "2026-11-28 22:00", 2),
				item(3, "production", "c", "", "2026-11-28 22:00", 2)},
			nil, []string{"capacity:1,2,3:production"}},
		{"a pair that overran longer than a third joined it stays a conflict of its own",
			[]Item{item(1, "production", "a", "", "2026-11-28 22:00", 4), item(2, "production", "b", "", "2026-11-28 23:00", 2),
				item(3, "production", "c", "", "2026-11-28 23:30", 0.25)},
			nil, []string{"capacity:1,2,3:production", "capacity:1,2:production"}},
		{"a chain of overlaps is a conflict for each pair that runs at once",
			[]Item{item(1, "production", "a", "", "2026-11-28 22:00", 2), item(2, "production", "b", "", "2026-11-28 23:00", 2),
				item(3, "production", "c", "", "2026-11-29 00:30", 1)},
			nil, []string{"capacity:1,2:production", "capacity:2,3:production"}},
		{"same component in two environments at once",
			[]Item{item(1, "dev", "api", "", "2026-11-26 10:00", 1), item(2, "staging", "api", "", "2026-11-26 10:30", 1)},
			nil,
			[]string{"component:1,2:api"}},
		{"parallel environments allowed by the model",
			[]Item{{ID: 1, Model: "docs", Component: "runbook", Version: "2", Environment: "staging", Start: at("2026-11-26 10:00"), End: at("2026-11-26 11:00")},
				{ID: 2, Model: "docs", Component: "runbook", Version: "3", Environment: "production", Start: at("2026-11-28 22:00"), End: at("2026-11-28 23:00")},
				{ID: 3, Model: "docs", Component: "runbook", Version: "2", Environment: "staging", Start: at("2026-11-26 10:30"), End: at("2026-11-26 11:30")}},
			nil,
			[]string{"component:1,3:runbook"}},
		{"one person booked twice",
			[]Item{item(1, "dev", "a", "tom", "2026-11-26 10:00", 2), item(2, "staging", "b", "tom", "2026-11-26 11:59", 1)},
			nil,
			[]string{"person:1,2:tom"}},
		{"inside a one-off freeze",
			[]Item{item(1, "production", "a", "", "2026-12-19 22:00", 2)},
			nil,
			[]string{"freeze:1:year end"}},
		{"ending exactly when a freeze starts is fine",
			[]Item{item(1, "production", "a", "", "2026-12-19 22:00", 2)},
			func(w *World) {
				env := w.Envs["production"]
				env.Freeze = []models.Window{{Name: "x", From: at("2026-12-20 00:00"), To: at("2026-12-21 00:00")}}
				w.Envs["production"] = env
			}, nil},
		{"weekly freeze touched",
			[]Item{item(1, "staging", "a", "", "2026-11-27 13:30", 1)},
			func(w *World) {
				w.Envs["staging"] = models.Environment{Name: "staging", Capacity: 2,
					Freeze: []models.Window{weekly("friday afternoons", "Fri 14:00 - Fri 23:59")}}
			}, []string{"freeze:1:friday afternoons"}},
		{"maintenance window crossing midnight contains it",
			[]Item{item(1, "production", "a", "", "2026-11-28 23:30", 3)},
			nil, nil},
		{"running past the end of the maintenance window",
			[]Item{item(1, "production", "a", "", "2026-11-29 03:00", 2)},
			nil,
			[]string{"maintenance:1"}},
		{"DST week: the window keeps its local hours (Sun 25 Oct 2026, clocks go back)",
			// 22:00 CEST Saturday to 04:00 CET Sunday is 7 real hours; a 6h30 job fits.
			[]Item{item(1, "production", "a", "", "2026-10-24 22:00", 6.5)},
			nil, nil},
		{"DST week: spring forward leaves only 5 real hours (Sun 29 Mar 2026)",
			[]Item{item(1, "production", "a", "", "2026-03-28 22:00", 5.5)},
			nil,
			[]string{"maintenance:1"}},
		{"promotion: staging before dev finished",
			[]Item{item(1, "dev", "api", "", "2026-11-26 10:00", 2), item(2, "staging", "api", "", "2026-11-26 11:00", 1)},
			nothingSucceeded, []string{"component:1,2:api", "promotion:2:dev"}},
		{"promotion: staging planned right after dev ends is fine",
			[]Item{item(1, "dev", "api", "", "2026-11-26 10:00", 1), item(2, "staging", "api", "", "2026-11-26 11:00", 1)},
			nothingSucceeded, nil},
		{"promotion: removals are exempt, first env is exempt",
			[]Item{{ID: 1, Model: "web", Component: "api", Version: "9", Action: models.ActionRemove, Environment: "staging",
				Start: at("2026-11-26 10:00"), End: at("2026-11-26 11:00")}, item(2, "dev", "b", "", "2026-11-26 10:00", 1)},
			nothingSucceeded, nil},
		{"dependency chain: the last starts before its dependency ends",
			[]Item{item(1, "dev", "a", "", "2026-11-26 10:00", 1), withAfter(item(2, "dev", "b", "", "2026-11-26 11:00", 1), 1),
				withAfter(item(3, "dev", "c", "", "2026-11-26 11:30", 1), 2)},
			nil, []string{"dependency:3,2"}},
		{"dependency on a cancelled deployment",
			[]Item{withAfter(item(2, "dev", "b", "", "2026-11-26 11:00", 1), 1)},
			func(w *World) {
				w.Finished = func(id int64) (Done, bool) { return Done{Status: models.StatusCancelled}, id == 1 }
			}, []string{"dependency:2,1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := world()
			if c.w != nil {
				c.w(&w)
			}
			got := kinds(Detect(c.items, w))
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
}

func nothingSucceeded(w *World) { w.Succeeded = func(string, string, string) bool { return false } }

func withAfter(it Item, after int64) Item { it.After = after; return it }

func TestMessagesSayWhatAndWhen(t *testing.T) {
	w := world()
	nothingSucceeded(&w)
	cs := Detect([]Item{item(1, "production", "a", "tom", "2026-12-19 22:00", 2)}, w)
	var msgs []string
	for _, c := range cs {
		msgs = append(msgs, c.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{`#1 touches freeze "year end" in production (Sat 19 Dec 2026 00:00 – Mon 04 Jan 2027 00:00)`,
		"a 1.0 goes to production (#1) before it has succeeded in staging"} {
		if !strings.Contains(all, want) {
			t.Errorf("messages lack %q:\n%s", want, all)
		}
	}
	// Within a day the end is a clock time after an unspaced dash, in every kind alike.
	cs = Detect([]Item{item(2, "production", "a", "tom", "2026-12-14 10:00", 2),
		item(3, "production", "b", "tom", "2026-12-14 11:00", 2)}, w)
	msgs = msgs[:0]
	for _, c := range cs {
		msgs = append(msgs, c.Message)
	}
	all = strings.Join(msgs, "\n")
	for _, want := range []string{"#2 (Mon 14 Dec 10:00–12:00) is not inside a maintenance window of production",
		"tom is booked on #2 and #3 at once (Mon 14 Dec 11:00–12:00)"} {
		if !strings.Contains(all, want) {
			t.Errorf("messages lack %q:\n%s", want, all)
		}
	}
	// Across the March change both ends name their zone: five hours read as five.
	cs = Detect([]Item{item(4, "production", "a", "", "2027-03-27 23:00", 5)}, w)
	msgs = msgs[:0]
	for _, c := range cs {
		msgs = append(msgs, c.Message)
	}
	if all = strings.Join(msgs, "\n"); !strings.Contains(all, "#4 (Sat 27 Mar 23:00 CET – Sun 28 Mar 05:00 CEST)") {
		t.Errorf("a window across the change should name both zones:\n%s", all)
	}
}

func TestCheckAgreesWithDetect(t *testing.T) {
	// Once with every version through the earlier environments, once with none, so
	// that a promotion rests on the plans in the environment before finishing first.
	for _, succeeded := range []bool{true, false} {
		t.Run(fmt.Sprint("succeeded-", succeeded), func(t *testing.T) { checkAgreesWithDetect(t, succeeded) })
	}
}

func checkAgreesWithDetect(t *testing.T, succeeded bool) {
	w := world()
	w.Succeeded = func(string, string, string) bool { return succeeded }
	w.Blocked = func(c, v string) (string, bool) { return "by ana: bad build", c == "etl" }
	w.Depends = map[string][]string{"api": {"db"}, "web": {"api", "auth"}}
	rng := rand.New(rand.NewPCG(1, 2))
	items := randomItems(rng, 300)
	all := Detect(items, w)
	// The kinds the comparison must cover are among what is compared.
	kinds := []models.ConflictKind{models.ConflictBlocked, models.ConflictRelated}
	if !succeeded {
		kinds = append(kinds, models.ConflictPromotion)
	}
	for _, k := range kinds {
		if !slices.ContainsFunc(all, func(c models.Conflict) bool { return c.Kind == k }) {
			t.Fatalf("no %s conflict among the random plans: the comparison would not cover it", k)
		}
	}
	for _, it := range items[:60] {
		var others []Item
		for _, o := range items {
			if o.ID != it.ID {
				others = append(others, o)
			}
		}
		var want []string
		for _, c := range all {
			if c.Involves(it.ID) && c.Kind != models.ConflictCapacity {
				want = append(want, c.Key)
			}
		}
		var got []string
		for _, c := range Check(it, others, w) {
			if c.Kind != models.ConflictCapacity {
				got = append(got, c.Key)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("#%d: Check %v, Detect %v", it.ID, got, want)
		}
	}
}

func randomItems(rng *rand.Rand, n int) []Item {
	envs := []string{"dev", "staging", "production"}
	comps := []string{"api", "web", "db", "etl", "auth", "docs"}
	people := []string{"", "tom", "sam", "ana"}
	base := at("2026-11-23 00:00")
	var out []Item
	for i := range n {
		start := base.Add(time.Duration(rng.IntN(14*24*4)) * 15 * time.Minute)
		out = append(out, Item{ID: int64(i + 1), Model: "web", Component: comps[rng.IntN(len(comps))],
			Version: "1", Action: models.ActionDeploy, Environment: envs[rng.IntN(len(envs))],
			Assignee: people[rng.IntN(len(people))], Start: start,
			End: start.Add(time.Duration(1+rng.IntN(8)) * 30 * time.Minute)})
	}
	return out
}

// TestSuggestedSlotsNeverConflict is the property the suggestion promises: its slots
// are free, nearest the wanted start first, never before notBefore, and no start on
// the quarter-hour grid nearer the wanted one than the first slot is free.
func TestSuggestedSlotsNeverConflict(t *testing.T) {
	w := world()
	w.Succeeded = func(component, version, env string) bool { return env == "dev" }
	rng := rand.New(rand.NewPCG(7, 7))
	lasts, earlier := 0, 0
	for round := range 40 {
		items := randomItems(rng, 80+rng.IntN(200))
		cand := items[rng.IntN(len(items))]
		var others []Item
		for _, o := range items {
			if o.ID != cand.ID {
				others = append(others, o)
			}
		}
		notBefore := cand.Start.Add(-time.Duration(rng.IntN(4*24*4)) * 15 * time.Minute)
		sug := Suggest(cand, notBefore, others, w, 3)
		if len(sug.Slots) == 0 {
			t.Fatalf("round %d: no slot within 90 days for %+v", round, cand)
		}
		dist := func(s time.Time) time.Duration { return max(s.Sub(cand.Start), cand.Start.Sub(s)) }
		prev := time.Duration(-1)
		for _, s := range sug.Slots {
			moved := cand
			moved.Start, moved.End = s.Start, s.End
			if cs := Check(moved, others, w); len(cs) > 0 {
				t.Fatalf("round %d: suggested %s conflicts: %s", round, local(s.Start, berlin), cs[0].Message)
			}
			if s.Start.Before(notBefore) || dist(s.Start) < prev || s.End.Sub(s.Start) != cand.End.Sub(cand.Start) {
				t.Fatalf("round %d: slot %v breaks order, bound or duration", round, s)
			}
			prev = dist(s.Start)
		}
		first := sug.Slots[0].Start
		if first.Before(cand.Start) {
			earlier++
		}
		// Nothing nearer than the first slot was free.
		d := dist(first)
		for at := cand.Start.Add(-d).Truncate(15 * time.Minute); at.Before(cand.Start.Add(d)); at = at.Add(15 * time.Minute) {
			if at.Before(notBefore) || dist(at) >= d {
				continue
			}
			moved := cand
			moved.Start, moved.End = at, at.Add(cand.End.Sub(cand.Start))
			if len(Check(moved, others, w)) == 0 {
				t.Fatalf("round %d: %s is free and nearer %s than the slot %s", round,
					local(at, berlin), local(cand.Start, berlin), local(first, berlin))
			}
		}
		for _, sk := range sug.Skipped {
			if dist(sk.Start) > d || sk.Reason == "" {
				t.Fatalf("round %d: skipped %+v farther than the first slot", round, sk)
			}
		}
		// The reasons count the passed starts by kind, truly: each start in one or more.
		sum := 0
		for _, r := range sug.Reasons {
			moved := cand
			moved.Start, moved.End = r.First.Start, r.First.Start.Add(cand.End.Sub(cand.Start))
			cs := Check(moved, others, w)
			if r.Count < 1 || r.Count > sug.Passed || dist(r.First.Start) > d ||
				!slices.ContainsFunc(cs, func(c models.Conflict) bool { return c.Kind == r.Kind && c.Message == r.First.Reason }) {
				t.Fatalf("round %d: reason %+v (passed %d, check %v)", round, r, sug.Passed, cs)
			}
			sum += r.Count
		}
		if sum < sug.Passed || sug.Passed > 0 && len(sug.Reasons) == 0 {
			t.Fatalf("round %d: %d passed over, the reasons count %d", round, sug.Passed, sum)
		}
		// Past the explained ones, the last start passed over says why, truly.
		if l := sug.Last; l != nil {
			lasts++
			moved := cand
			moved.Start, moved.End = l.Start, l.Start.Add(cand.End.Sub(cand.Start))
			cs := Check(moved, others, w)
			if dist(l.Start) > d || dist(l.Start) < dist(sug.Skipped[len(sug.Skipped)-1].Start) ||
				len(cs) == 0 || cs[0].Message != l.Reason || sug.Passed <= len(sug.Skipped) {
				t.Fatalf("round %d: last passed over %+v (passed %d, first slot %v, check %v)", round, l, sug.Passed, sug.Slots[0], cs)
			}
		} else if sug.Passed != len(sug.Skipped) {
			t.Fatalf("round %d: %d passed over, %d explained and no last", round, sug.Passed, len(sug.Skipped))
		}
	}
	if lasts == 0 {
		t.Error("no round passed over more starts than it explains: the last one is untested")
	}
	if earlier == 0 {
		t.Error("no round found its slot before the wanted start: the earlier side is untested")
	}
}

func TestSuggestExplainsSkippedSlots(t *testing.T) {
	w := world()
	w.Succeeded = func(string, string, string) bool { return true }
	// Wanted inside the year-end freeze, and nothing earlier may do: the first free
	// start is the first weekend maintenance window after it, Sat 9 Jan 2027 22:00.
	cand := item(1, "production", "a", "", "2026-12-19 22:00", 2)
	sug := Suggest(cand, cand.Start, nil, w, 3)
	if len(sug.Slots) != 3 || !sug.Slots[0].Start.Equal(at("2027-01-09 22:00")) {
		t.Fatalf("slots %v", sug.Slots)
	}
	if len(sug.Skipped) == 0 || !strings.Contains(sug.Skipped[0].Reason, `freeze "year end"`) {
		t.Fatalf("skipped %+v", sug.Skipped)
	}
	// A dependent must not be overtaken.
	dep := withAfter(item(2, "dev", "b", "", "2026-11-26 12:00", 1), 1)
	mine := item(1, "dev", "a", "", "2026-11-26 11:00", 1)
	sug = Suggest(mine, mine.Start, []Item{dep}, w, 1)
	if len(sug.Slots) != 1 || !sug.Slots[0].Start.Equal(mine.Start) {
		t.Fatalf("fits before its dependent: %v", sug.Slots)
	}
	mine.End = mine.Start.Add(2 * time.Hour)
	sug = Suggest(mine, mine.Start, []Item{dep}, w, 1)
	if len(sug.Slots) != 0 && sug.Slots[0].End.After(dep.Start) {
		t.Fatalf("suggested %v overtakes dependent #2", sug.Slots)
	}
}

// TestRelatedComponents: a component and one it depends on (either way round) moved
// in one environment at overlapping times; not in two environments, not back to back.
func TestRelatedComponents(t *testing.T) {
	w := world()
	w.Depends = map[string][]string{"ledger": {"rack"}}
	items := []Item{
		item(1, "staging", "ledger", "", "2026-11-24 10:00", 2),
		item(2, "staging", "rack", "", "2026-11-24 11:00", 2),  // overlaps #1: related
		item(3, "dev", "rack", "", "2026-11-24 10:30", 1),      // another environment
		item(4, "staging", "rack", "", "2026-11-24 12:00", 1),  // back to back with #1, overlaps #2 (same component)
		item(5, "staging", "other", "", "2026-11-24 10:00", 1), // not related
	}
	var got []string
	for _, c := range Detect(items, w) {
		if c.Kind == models.ConflictRelated {
			got = append(got, c.Key)
			if !strings.Contains(c.Message, "ledger (#1) depends on rack (#2)") {
				t.Errorf("message: %s", c.Message)
			}
		}
	}
	if want := []string{"related:1,2:staging"}; !slices.Equal(got, want) {
		t.Fatalf("related: got %v, want %v", got, want)
	}
	cs := Check(items[1], append(slices.Clone(items[:1]), items[2:]...), w)
	if !slices.ContainsFunc(cs, func(c models.Conflict) bool { return c.Key == "related:1,2:staging" }) {
		t.Fatalf("the one-plan check finds it too: %v", kinds(cs))
	}
}

// TestSuggestNearestEitherSide: a plan caught by a freeze moves to the free start
// nearest it, before the freeze when that is nearer than after it, never before
// notBefore nor before what it waits for; the alternatives follow by nearness.
func TestSuggestNearestEitherSide(t *testing.T) {
	w := world()
	w.Succeeded = func(string, string, string) bool { return true }
	cand := item(1, "production", "a", "", "2026-12-19 22:00", 2)
	// From Thu 10 Dec: the weekend window of 12/13 Dec is a week nearer than 9 Jan.
	sug := Suggest(cand, at("2026-12-10 09:00"), nil, w, 3)
	if len(sug.Slots) != 3 || !sug.Slots[0].Start.Equal(at("2026-12-13 02:00")) {
		t.Fatalf("slots %v, want the last start of the 12/13 Dec window first", sug.Slots)
	}
	for _, s := range sug.Slots[1:] {
		if !s.Start.Before(cand.Start) && s.Start.Before(at("2027-01-04 00:00")) {
			t.Fatalf("alternative %v inside the freeze", s)
		}
	}
	if len(sug.Skipped) == 0 || !strings.Contains(sug.Skipped[0].Reason, `freeze "year end"`) {
		t.Fatalf("skipped %+v: the wanted start first, for the freeze", sug.Skipped)
	}
	// Not before notBefore: from Sun 13 Dec 03:00 that window has gone; 9 Jan it is.
	sug = Suggest(cand, at("2026-12-13 03:00"), nil, w, 1)
	if len(sug.Slots) != 1 || !sug.Slots[0].Start.Equal(at("2027-01-09 22:00")) {
		t.Fatalf("slots %v, want 9 Jan", sug.Slots)
	}
	// Not before what it waits for: #9 ends Sun 13 Dec 01:00, so 13 Dec 02:00 is still fine,
	// but ending at 03:00 it leaves no room that weekend.
	waits := withAfter(cand, 9)
	for _, c := range []struct {
		end  string
		want string
	}{{"2026-12-13 01:00", "2026-12-13 02:00"}, {"2026-12-13 03:00", "2027-01-09 22:00"}} {
		before := item(9, "staging", "b", "", "2026-12-12 20:00", at(c.end).Sub(at("2026-12-12 20:00")).Hours())
		sug = Suggest(waits, at("2026-12-10 09:00"), []Item{before}, w, 1)
		if len(sug.Slots) != 1 || !sug.Slots[0].Start.Equal(at(c.want)) {
			t.Fatalf("waiting for #9 ending %s: slots %v, want %s", c.end, sug.Slots, c.want)
		}
	}
}

// TestSuggestedAlternativesDoNotOverlap: a start a few minutes after one already
// offered is the same choice again, so alternatives are windows of their own, the
// nearest ones: the start just clear of an offer is one.
func TestSuggestedAlternativesDoNotOverlap(t *testing.T) {
	w := world()
	cand := item(1, "dev", "a", "", "2026-11-26 10:00", 1)
	others := []Item{
		item(2, "dev", "a", "", "2026-11-26 09:30", 1),       // the same component until 10:30
		item(3, "dev", "b", "", "2026-11-26 10:00", 35.0/60), // ends 10:35: a free start too, 5 minutes on
	}
	sug := Suggest(cand, at("2026-11-26 00:00"), others, w, 3)
	var got []string
	for _, s := range sug.Slots {
		got = append(got, s.Start.In(berlin).Format("2006-01-02 15:04"))
	}
	// 10:35 is inside the 10:30 offer; 11:30, just clear of it, is as near as 08:30
	// and later, where no event point names it.
	if want := []string{"2026-11-26 10:30", "2026-11-26 08:30", "2026-11-26 11:30"}; !slices.Equal(got, want) {
		t.Fatalf("slots %v, want %v", got, want)
	}
}

// TestClearAgreesWithCheck: the suggestion's quick yes or no (clear) answers what the
// full check answers, in environments of capacity 2 crowded with long plans, and so
// do the kinds it counts a passed start under. clear
// once swept a candidate's capacity with the candidate put after all it overlaps,
// not in its place by start, and found a long window free that starts in a crowd
// which ends before the last of the others begins: the suggestion offered it.
func TestClearAgreesWithCheck(t *testing.T) {
	w := world()
	for name, e := range w.Envs {
		e.Capacity = 2
		w.Envs[name] = e
	}
	w.Succeeded = func(string, string, string) bool { return true }
	rng := rand.New(rand.NewPCG(3, 4))
	crowded := 0
	for range 200 {
		items := randomItems(rng, 150)
		cand := items[0]
		chk := newChecker(relevant(cand, items[1:]), w)
		for j := range 50 {
			try := cand
			try.Start = cand.Start.Add(time.Duration(j*15) * time.Minute)
			try.End = try.Start.Add(3 * time.Hour)
			cs := chk.check(try)
			if chk.clear(try) != (len(cs) == 0) {
				t.Fatalf("#%d at %s: clear says %v, check finds %v", try.ID, local(try.Start, berlin), chk.clear(try), cs)
			}
			if got, kinds := chk.kinds(try), kindsOf(cs); !slices.Equal(got, kinds) {
				t.Fatalf("#%d at %s: kinds says %v, check finds %v", try.ID, local(try.Start, berlin), got, kinds)
			}
			if slices.ContainsFunc(cs, func(c models.Conflict) bool { return c.Kind == models.ConflictCapacity }) {
				crowded++
			}
		}
	}
	if crowded == 0 {
		t.Fatal("no try was over capacity: the test says nothing of the sweep")
	}
}
