package schedule

import (
	"cmp"
	"slices"
	"time"

	"ferry/models"
)

// Horizon is how far ahead a suggestion searches.
const Horizon = 90 * 24 * time.Hour

// Slot is a start time that would create no conflict of any kind.
type Slot struct{ Start, End time.Time }

// Skipped is a start that was tried and why it would not do.
type Skipped struct {
	Start     time.Time
	Reason    string            // the first conflict it would be in
	Conflicts []models.Conflict // every conflict it would be in
}

// Stuck is, when no free slot was found, a conflict of a kind every start passed
// over was in (its Reasons); of several such kinds, one no move settles (a blocked
// version, a promotion not made yet, a dependency) before one a start elsewhere in
// time might (outside the maintenance windows, say). ok is false when there is a
// slot, or no kind of conflict was in every start tried.
func (s Suggestion) Stuck() (stuck models.Conflict, ok bool) {
	if len(s.Slots) > 0 || s.Passed == 0 {
		return models.Conflict{}, false
	}
	for _, r := range s.Reasons {
		if r.Count < s.Passed || len(r.First.Conflicts) == 0 {
			continue
		}
		if !ok || settledByTime(stuck.Kind) && !settledByTime(r.Kind) {
			stuck, ok = r.First.Conflicts[0], true
		}
	}
	return stuck, ok
}

// settledByTime is whether a conflict of kind k may be settled by starting at another
// time: not a blocked version, a promotion or a dependency, which wait on other
// deployments (or a manager).
func settledByTime(k models.ConflictKind) bool {
	switch k {
	case models.ConflictBlocked, models.ConflictPromotion, models.ConflictDependency:
		return false
	}
	return true
}

// Suggestion is the free slot nearest the wanted start and a few alternatives, plus
// why nearer starts were passed over.
type Suggestion struct {
	Slots   []Slot // nearest the wanted start first; empty when nothing is free within the horizon
	Skipped []Skipped
	// Passed is how many starts nearer the wanted one than the first free one were
	// passed over, and Last the last of them when Skipped does not reach it: a slot
	// weeks away says why the week before it would not do (a freeze, say), not only
	// the first tries.
	Passed int
	Last   *Skipped
	// Reasons say what the starts counted in Passed were in, a kind of conflict each,
	// most first: a start in two kinds counts in both. A slot a month away then says
	// what filled the month (a freeze, a person's other plans, the maintenance
	// windows), where the first starts tried said only what was near the wanted one.
	Reasons []Reason
}

// Reason is one kind of conflict starts were passed over for: how many of them were
// in it, and the nearest the wanted start of those, with its conflict of that kind.
type Reason struct {
	Kind  models.ConflictKind
	Count int
	First Skipped
}

// passed counts a start passed over (try) in the reasons for each kind of conflict it
// is in (kinds); cs is its conflicts when already found, else they are found for a
// kind not met before, for its example.
func (s *Suggestion) passed(chk *checker, try Item, kinds []models.ConflictKind, cs []models.Conflict) {
	s.Passed++
	for _, k := range kinds {
		i := slices.IndexFunc(s.Reasons, func(r Reason) bool { return r.Kind == k })
		if i < 0 {
			if cs == nil {
				cs = chk.check(try)
			}
			j := slices.IndexFunc(cs, func(c models.Conflict) bool { return c.Kind == k })
			if j < 0 { // kinds answers what check answers (TestClearAgreesWithCheck)
				continue
			}
			s.Reasons = append(s.Reasons, Reason{Kind: k, First: Skipped{try.Start, cs[j].Message, cs[j : j+1 : j+1]}})
			i = len(s.Reasons) - 1
		}
		s.Reasons[i].Count++
	}
}

// kindsOf is the kinds of cs, each once, in the order of their names (as kinds).
func kindsOf(cs []models.Conflict) []models.ConflictKind {
	var out []models.ConflictKind
	for _, c := range cs {
		if !slices.Contains(out, c.Kind) {
			out = append(out, c.Kind)
		}
	}
	slices.Sort(out)
	return out
}

// Suggest finds up to n starts nearest the wanted one (candidate.Start), on either
// side of it but never before notBefore, keeping the candidate's duration, at which
// it would be in no conflict, searching Horizon either way; no two of them overlap.
// A plan moves as little as it can: a freeze on the 19th sends it to the free
// evening of the 13th rather than to the 5th of next month; of two starts as near,
// the earlier. What it waits for (--after), the previous environment of its path and
// those that wait for it bound it as conflicts do.
//
// The nearest free start is always the wanted one, notBefore, or an "event point":
// later, the end of a deployment it would clash with, the end of a freeze, the start
// of a maintenance window; earlier, the start that ends it as one of them begins (or
// a maintenance window ends). So only those are tried, nearest first, instead of
// every quarter hour.
func Suggest(candidate Item, notBefore time.Time, others []Item, w World, n int) Suggestion {
	return SuggestWithin(candidate, notBefore, others, w, n, Horizon)
}

// SuggestWithin is Suggest searching only starts within reach of the wanted one
// either way: others need only hold the plans that overlap [start-reach,
// end+reach). Its first slot is Suggest's whenever it finds one; it may offer fewer
// alternatives.
func SuggestWithin(candidate Item, notBefore time.Time, others []Item, w World, n int, reach time.Duration) Suggestion {
	dur := candidate.End.Sub(candidate.Start)
	want := candidate.Start
	rel := relevant(candidate, others)
	for _, o := range rel {
		if o.ID == candidate.After && o.End.After(notBefore) { // it starts once what it waits for ends
			notBefore = o.End
		}
	}
	chk := newChecker(rel, w)
	var sug Suggestion
	var last *Item // the last start passed over that Skipped does not explain
	from, until := searchSpan(candidate, notBefore, reach)
	next := &starts{want: want, pts: nearestFirst(want, eventPoints(candidate, rel, w, notBefore, reach)), from: from, until: until}
	for start, ok := next.pop(); ok; start, ok = next.pop() {
		try := candidate
		try.Start, try.End = start, start.Add(dur)
		if overlapsSlot(sug.Slots, try) {
			// Another start in a window already offered is no real choice: 10:00,
			// 10:05 and 10:10 read as one offer three times.
			continue
		}
		explain := len(sug.Slots) == 0 && len(sug.Skipped) < maxSkipped
		if !explain {
			// No message is needed: before the first slot, the kinds a start is in
			// (the reasons count them; none is free); after it, yes or no.
			var free bool
			if len(sug.Slots) == 0 {
				ks := chk.kinds(try)
				if free = len(ks) == 0; !free {
					sug.passed(chk, try, ks, nil)
					last = &try
				}
			} else {
				free = chk.clear(try)
			}
			if !free {
				continue
			}
			if len(sug.Slots) == 0 && last != nil { // the one message more that says why
				if cs := chk.check(*last); len(cs) > 0 {
					sug.Last = &Skipped{last.Start, cs[0].Message, cs}
				}
			}
			sug.Slots = append(sug.Slots, Slot{try.Start, try.End})
			if len(sug.Slots) == n {
				break
			}
			next.around(try)
			continue
		}
		cs := chk.check(try)
		if len(cs) == 0 {
			sug.Slots = append(sug.Slots, Slot{try.Start, try.End})
			if len(sug.Slots) == n {
				break
			}
			next.around(try)
			continue
		}
		sug.passed(chk, try, kindsOf(cs), cs)
		sug.Skipped = append(sug.Skipped, Skipped{start, cs[0].Message, cs})
	}
	// Most first; of as many, in the order of their names.
	slices.SortStableFunc(sug.Reasons, func(a, b Reason) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Kind, b.Kind)) })
	return sug
}

// starts gives the starts to try, nearest the wanted one first: the event points,
// and beside each slot offered the next start that does not overlap it. Those are
// free starts no event point names: a free afternoon offered at 14:00 has 15:00 for
// an hour-long plan, where the next event point may be days away.
type starts struct {
	want        time.Time
	pts         []time.Time // nearest first
	extra       []time.Time // nearest first
	from, until time.Time   // the search's span, as eventPoints has it
	last        time.Time   // the start given last
}

func (s *starts) pop() (time.Time, bool) {
	switch {
	case len(s.extra) > 0 && (len(s.pts) == 0 || nearer(s.want, s.extra[0], s.pts[0])):
		s.last, s.extra = s.extra[0], s.extra[1:]
	case len(s.pts) > 0:
		s.last, s.pts = s.pts[0], s.pts[1:]
	default:
		return time.Time{}, false
	}
	return s.last, true
}

// around offers the starts just clear of slot on either side. One nearer the wanted
// start than the last given is not: the order never goes back, so slots stay nearest
// first (and such a start overlaps what made the slot's own start an event point).
func (s *starts) around(slot Item) {
	dur := slot.End.Sub(slot.Start)
	for _, t := range []time.Time{slot.End, slot.Start.Add(-dur)} {
		if t.Before(s.from) || !t.Before(s.until) || nearer(s.want, t, s.last) {
			continue
		}
		i, _ := slices.BinarySearchFunc(s.extra, t, func(a, t time.Time) int {
			if nearer(s.want, a, t) {
				return -1
			}
			return 1
		})
		s.extra = slices.Insert(s.extra, i, t)
	}
}

// nearer is whether a is tried before b: nearer want, or as near and earlier.
func nearer(want, a, b time.Time) bool {
	da, db := a.Sub(want).Abs(), b.Sub(want).Abs()
	return da < db || da == db && a.Before(b)
}

// overlapsSlot is whether try's window overlaps one of slots.
func overlapsSlot(slots []Slot, try Item) bool {
	return slices.ContainsFunc(slots, func(s Slot) bool { return s.Start.Before(try.End) && try.Start.Before(s.End) })
}

// nearestFirst orders pts (sorted) by their distance from want, the earlier of two as
// near first.
func nearestFirst(want time.Time, pts []time.Time) []time.Time {
	i, _ := slices.BinarySearchFunc(pts, want, func(a, b time.Time) int { return a.Compare(b) })
	out := make([]time.Time, 0, len(pts))
	lo, hi := i-1, i // pts[lo] before want, pts[hi] at or after it
	for lo >= 0 || hi < len(pts) {
		if hi >= len(pts) || lo >= 0 && want.Sub(pts[lo]) <= pts[hi].Sub(want) {
			out = append(out, pts[lo])
			lo--
			continue
		}
		out = append(out, pts[hi])
		hi++
	}
	return out
}

// maxSkipped is how many passed-over starts a suggestion explains.
const maxSkipped = 8

// relevant keeps only the plans that could clash with the candidate wherever it goes:
// same environment, component, person or version, its dependency and its dependents.
func relevant(c Item, others []Item) []Item {
	out := make([]Item, 0, len(others))
	for _, o := range others {
		if o.ID == c.ID {
			continue
		}
		if o.Environment == c.Environment || o.Component == c.Component ||
			(c.Assignee != "" && o.Assignee == c.Assignee) || o.ID == c.After || o.After == c.ID {
			out = append(out, o)
		}
	}
	return out
}

// searchSpan is where a suggestion's starts lie: [notBefore, wanted+reach) and within
// reach of the wanted start.
func searchSpan(c Item, notBefore time.Time, reach time.Duration) (from, until time.Time) {
	from, until = notBefore, c.Start.Add(reach)
	if from.Before(c.Start.Add(-reach)) {
		from = c.Start.Add(-reach)
	}
	return from, until
}

// eventPoints lists, in order and without repeats, the starts worth trying in
// [notBefore, wanted+reach) and within reach of the wanted start: the wanted one, notBefore, and
// the edges of the spans free of each thing it could clash with (a free span's first
// start, and its last, which ends as the next thing begins).
func eventPoints(c Item, rel []Item, w World, notBefore time.Time, reach time.Duration) []time.Time {
	want, dur := c.Start, c.End.Sub(c.Start)
	from, until := searchSpan(c, notBefore, reach)
	if want.Before(from) {
		want = from
	}
	pts := []time.Time{want, from}
	add := func(t time.Time) {
		if !t.Before(from) && t.Before(until) {
			pts = append(pts, t)
		}
	}
	early := from.Before(c.Start) // earlier starts are worth trying at all
	for _, o := range rel {
		add(o.End)
		if early && o.Start.Before(c.Start.Add(dur)) {
			add(o.Start.Add(-dur))
		}
	}
	env := w.Envs[c.Environment]
	for _, f := range env.Freeze {
		for _, occ := range f.Occurrences(from, until.Add(dur), w.Loc) {
			add(occ.End)
			if early {
				add(occ.Start.Add(-dur))
			}
		}
	}
	for _, m := range env.Maintenance {
		for _, occ := range m.Occurrences(from, until.Add(dur), w.Loc) {
			add(occ.Start)
			if early {
				add(occ.End.Add(-dur))
			}
		}
	}
	slices.SortFunc(pts, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(pts, func(a, b time.Time) bool { return a.Equal(b) })
}
