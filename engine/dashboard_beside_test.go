package engine_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"ferry/engine"
	"ferry/internal/benchdb"
	"ferry/internal/demo"
	"ferry/internal/fixture"
)

// The dashboard and the inbox read what is due to learn from (and the dashboard its
// 30 days' figures) on a reader of its own, beside the rest: they say what one reader
// says, for every person of the example organisation. The dashboard's inbox is the
// inbox but its conflicts, which the dashboard counts from its Conflicts.
func TestDashboardBesideIsOneRead(t *testing.T) {
	ctx := context.Background()
	cfg := benchdb.Config(t)
	now := benchdb.Now
	eng := fixture.OpenDemo(t, filepath.Join(t.TempDir(), "ferry.db"), cfg, &demo.Options{Deployments: 20000, Now: now},
		engine.WithClock(func() time.Time { return now }))
	kinds := map[string]bool{}
	for _, p := range cfg.People {
		if _, err := eng.Dashboard(ctx, p); err != nil { // as the console asks first
			t.Fatal(err)
		}
		one, err := eng.DashboardWith(ctx, p, 1)
		if err != nil {
			t.Fatal(err)
		}
		two, err := eng.DashboardWith(ctx, p, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(one, two) {
			t.Fatalf("%s: read beside, the dashboard differs from one read:\n one %+v\n two %+v", p.Name, one, two)
		}
		inOne, err := eng.InboxWith(ctx, p, 1)
		if err != nil {
			t.Fatal(err)
		}
		inTwo, err := eng.InboxWith(ctx, p, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(inOne, inTwo) {
			t.Fatalf("%s: read beside, the inbox differs from one read:\n one %+v\n two %+v", p.Name, inOne, inTwo)
		}
		if butConflicts := withoutConflicts(inOne); !reflect.DeepEqual(butConflicts, one.Inbox) {
			t.Fatalf("%s: the dashboard's inbox is not the inbox but its conflicts:\n dashboard %+v\n inbox %+v", p.Name, one.Inbox, butConflicts)
		}
		for _, it := range inOne {
			kinds[it.Kind] = true
		}
		if one.Last30.Total == 0 {
			t.Fatalf("%s: the 30 days' figures are empty: %+v", p.Name, one.Last30)
		}
	}
	// Both sides had something to say.
	for _, k := range []string{engine.InboxReview, engine.InboxModel, engine.InboxConflict} {
		if !kinds[k] {
			t.Errorf("no inbox had a %s item: %v", k, kinds)
		}
	}
}

// withoutConflicts is items but those of kind conflict, nil for none (as the
// dashboard leaves an empty inbox).
func withoutConflicts(items []engine.InboxItem) []engine.InboxItem {
	var out []engine.InboxItem
	for _, it := range items {
		if it.Kind != engine.InboxConflict {
			out = append(out, it)
		}
	}
	return out
}
