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
// inbox but its conflicts, which the dashboard counts from its Conflicts, and but the
// failures waiting for a review after the oldest ReviewsShown, which it counts.
func TestDashboardBesideIsOneRead(t *testing.T) {
	ctx := context.Background()
	cfg := benchdb.Config(t)
	now := benchdb.Now
	eng := fixture.OpenDemo(t, filepath.Join(t.TempDir(), "ferry.db"), cfg, &demo.Options{Deployments: 20000, Now: now},
		engine.WithClock(func() time.Time { return now }))
	kinds, mostReviews := map[string]bool{}, 0
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
		shown, reviews := dashboardPart(inOne)
		if !reflect.DeepEqual(shown, one.Inbox) {
			t.Fatalf("%s: the dashboard's inbox is not the inbox but its conflicts and later reviews:\n dashboard %+v\n inbox %+v", p.Name, one.Inbox, shown)
		}
		mostReviews = max(mostReviews, reviews)
		if reviews < engine.ReviewLimit && one.ReviewsWaiting != reviews || one.ReviewsWaiting < reviews {
			t.Fatalf("%s: the dashboard counts %d failures waiting for a review, the inbox lists %d", p.Name, one.ReviewsWaiting, reviews)
		}
		for _, it := range inOne {
			kinds[it.Kind] = true
		}
		if one.Last30.Total == 0 {
			t.Fatalf("%s: the 30 days' figures are empty: %+v", p.Name, one.Last30)
		}
	}
	if mostReviews <= engine.ReviewsShown {
		t.Errorf("no inbox had more than %d failures waiting for a review (at most %d): the count went unseen", engine.ReviewsShown, mostReviews)
	}
	// Both sides had something to say.
	for _, k := range []string{engine.InboxReview, engine.InboxModel, engine.InboxConflict} {
		if !kinds[k] {
			t.Errorf("no inbox had a %s item: %v", k, kinds)
		}
	}
}

// dashboardPart is what of an inbox's items the dashboard lists (nil for none, as
// the dashboard leaves an empty inbox): all but the conflicts and the reviews after
// the first ReviewsShown; and how many review items the inbox has.
func dashboardPart(items []engine.InboxItem) ([]engine.InboxItem, int) {
	var out []engine.InboxItem
	reviews := 0
	for _, it := range items {
		switch {
		case it.Kind == engine.InboxConflict:
		case it.Kind == engine.InboxReview:
			if reviews++; reviews <= engine.ReviewsShown {
				out = append(out, it)
			}
		default:
			out = append(out, it)
		}
	}
	return out, reviews
}
