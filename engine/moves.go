package engine

import "ferry/engine/schedule"

// moves are plans moved in a batch not yet written (a freeze apply worked out in a
// read snapshot), each at its new window. A suggestion made among them sees each plan
// where it is going, as it would once the moves before it were written: the next
// plan of a full hour goes beside the first, not into the same hour. A nil *moves is
// no move at all.
type moves struct {
	byID map[int64]int // index in list
	list []schedule.Item
}

// add moves plan it.ID to its window; each plan moves once.
func (m *moves) add(it schedule.Item) {
	if m.byID == nil {
		m.byID = map[int64]int{}
	}
	m.byID[it.ID] = len(m.list)
	m.list = append(m.list, it)
}

// at is it where the moves put it.
func (m *moves) at(it schedule.Item) schedule.Item {
	if m == nil {
		return it
	}
	if i, ok := m.byID[it.ID]; ok {
		it.Start, it.End = m.list[i].Start, m.list[i].End
	}
	return it
}

// rest appends to items the moved plans not in it, other than the candidate (id):
// those a load by stored windows missed, because a plan now lies where it was not.
// All of them, not only the ones that could clash: a suggestion's sweep keeps only
// the plans that could clash with its candidate, and where (schedule.relevant, its
// span), so more plans than it needs change nothing, as the store's own wider scans
// already give it more.
func (m *moves) rest(items []schedule.Item, candidate int64) []schedule.Item {
	if m == nil {
		return items
	}
	in := make([]bool, len(m.list))
	for _, it := range items {
		if i, ok := m.byID[it.ID]; ok {
			in[i] = true
		}
	}
	for i, it := range m.list {
		if !in[i] && it.ID != candidate {
			items = append(items, it)
		}
	}
	return items
}
