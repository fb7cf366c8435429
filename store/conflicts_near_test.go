package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"ferry/models"
)

// TestNeighbourhoodScansAgree: the one scan of the index of every unfinished
// deployment that a long span uses finds exactly what the small per-environment,
// component and person indexes find, whatever the neighbourhood; and so does that
// scan split between two readers, each deployment once.
func TestNeighbourhoodScansAgree(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	m, mvid := syncModel(t, s, testModel())
	rng := rand.New(rand.NewPCG(5, 8))
	envs, comps, people := []string{"test", "prod"}, []string{"api", "web", "db"}, []string{"", "sam", "lea"}
	var ids []int64
	plans, asks := 400, 60
	err := s.Write(ctx, func(q Q) error {
		for range plans {
			start := t0.Add(time.Duration(rng.IntN(30*24*4)) * 15 * time.Minute)
			d := models.Deployment{Model: m.Name, ModelVersion: m.Version, Service: "svc",
				Component: comps[rng.IntN(3)], Kind: models.KindSoftware, Version: "1.0", Action: models.ActionDeploy,
				Environment: envs[rng.IntN(2)], Assignee: people[rng.IntN(3)], Status: models.StatusPlanned,
				ScheduledStart: start, ScheduledEnd: start.Add(time.Duration(1+rng.IntN(8)) * time.Hour),
				CreatedAt: t0, UpdatedAt: t0}
			if len(ids) > 0 && rng.IntN(5) == 0 {
				d.After = ids[rng.IntN(len(ids))]
			}
			id, err := q.InsertDeployment(ctx, d, mvid, 1)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	q := s.Read()
	for i := range asks {
		from := t0.Add(time.Duration(rng.IntN(30*24)) * time.Hour)
		n := Neighbourhood{ID: ids[rng.IntN(len(ids))], Environment: envs[rng.IntN(2)], Component: comps[rng.IntN(3)],
			Assignee: people[rng.IntN(3)], After: ids[rng.IntN(len(ids))], From: from,
			To: from.Add(time.Duration(1+rng.IntN(20*24)) * time.Hour)}
		lo, hi := n.From.Unix()-8*3600, n.To.Unix()
		narrow, err := q.openNear(ctx, n, lo, hi)
		if err != nil {
			t.Fatal(err)
		}
		wide, err := q.readNear(ctx, append([]nearPart{wideNear(n, lo, hi)}, linksNear(n)...))
		if err != nil {
			t.Fatal(err)
		}
		if a, b := nearIDs(narrow), nearIDs(wide); !slices.Equal(a, b) || len(a) == 0 {
			t.Fatalf("neighbourhood %d %+v: small indexes found %v, the covering scan %v", i, n, a, b)
		}
		one, err := OpenNearAs(ctx, []Q{q}, n, 0, itself)
		if err != nil {
			t.Fatal(err)
		}
		err = s.Snapshots(ctx, 2, func(qs []Q) error {
			two, err := OpenNearAs(ctx, qs, n, 0, itself)
			if a, b := nearIDs(one), nearIDs(two); err == nil && (!slices.Equal(a, b) || len(a) == 0) {
				t.Fatalf("neighbourhood %d %+v: one reader found %v, two %v", i, n, a, b)
			}
			// What the caller leaves out as it is read leaves no gap, in any part.
			odd, err := OpenNearAs(ctx, qs, n, 3, func(o OpenItem) (int64, bool) { return o.ID, o.ID%2 == 1 })
			want := slices.DeleteFunc(slices.Clone(two), func(o OpenItem) bool { return o.ID%2 == 0 })
			if got := idsOf(want); err == nil && !slices.Equal(slices.Sorted(slices.Values(odd)), got) {
				t.Fatalf("neighbourhood %d %+v: the odd ones read %v, want %v", i, n, odd, got)
			}
			if cap(odd)-len(odd) < 3 {
				t.Fatalf("neighbourhood %d: room for %d more, want 3", i, cap(odd)-len(odd))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func idsOf(items []OpenItem) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	slices.Sort(out)
	return out
}

func nearIDs(items []OpenItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = fmt.Sprintf("%d", it.ID)
	}
	slices.Sort(out)
	return out
}
