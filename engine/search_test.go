package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"ferry/models"
)

// The search finds what people wrote about a deployment through the engine's own
// write paths, in the listing's order, with the other filters and the technician's
// own-work rule.
func TestSearchFindsWhatWasWritten(t *testing.T) {
	f := newFixture(t)
	ana, tom := f.person(t, "ana"), f.person(t, "tom")
	list := func(who models.Person, flt models.Filter) string {
		t.Helper()
		ds, err := f.e.List(f.ctx, who, flt)
		if err != nil {
			t.Fatalf("list %+v: %v", flt, err)
		}
		var out []string
		for _, d := range ds {
			out = append(out, fmt.Sprint(d.ID))
		}
		return strings.Join(out, " ")
	}
	pay := f.plan(t, webReq()) // payments-api 4.12.0 in test, CHG-1
	req := webReq()
	req.Version, req.ChangeRef, req.Start = "4.13.0", "CHG-2", req.Start.Add(24*time.Hour)
	pay2 := f.plan(t, req)
	rack := f.plan(t, PlanRequest{Model: "rack", Component: "rack-b07", Version: "1", Environment: "production",
		Start: req.Start.Add(24 * time.Hour), Assignee: "tom"})
	id := func(d models.Deployment) string { return fmt.Sprint(d.ID) }
	both := id(pay2) + " " + id(pay)
	for q, want := range map[string]string{
		"pay":          id(rack) + " " + both, // the rack belongs to the payments service too
		"payments-api": both, "api": both, "4.12": id(pay), "4.1": both, "chg-2": id(pay2), "rack": id(rack),
		"b07": id(rack), "hotfix": "", "outlet": "", "latency": "",
	} {
		if got := list(ana, models.Filter{Search: q}); got != want {
			t.Errorf("search %q: %q, want %q", q, got, want)
		}
	}

	// A note added later.
	if _, err := f.e.NoteStep(f.ctx, ana, pay.ID, 2, "waiting for the vendor hotfix"); err != nil {
		t.Fatal(err)
	}
	// A block reason, still found once the item is unblocked; the unblock note too.
	for _, to := range []models.Status{models.StatusVerifyingComponents, models.StatusVerifyingEnvironment} {
		if _, err := f.e.Move(f.ctx, ana, rack.ID, to, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.e.BlockStep(f.ctx, tom, rack.ID, 1, "PDU B has no free outlet"); err != nil {
		t.Fatal(err)
	}
	if got := list(ana, models.Filter{Search: "outlet"}); got != id(rack) {
		t.Fatalf("block reason: %q", got)
	}
	if _, err := f.e.UnblockStep(f.ctx, tom, rack.ID, 1, "extension cable fitted"); err != nil {
		t.Fatal(err)
	}
	// An incident summary, a cancellation reason.
	// (on the rack, which has started: an incident is recorded against a deployment that ran)
	if _, err := f.e.AddIncident(f.ctx, ana, rack.ID, f.now, time.Time{}, "Checkout latency doubled"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Cancel(f.ctx, ana, pay.ID, "superseded by 4.13"); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"hotfix": id(pay), "vendor hotfix": id(pay), "outlet": id(rack), "pdu": id(rack), "extension": id(rack),
		"latency": id(rack), "checkout latency": id(rack), "superseded": id(pay), "4.13": id(pay2) + " " + id(pay),
		"Power feeds": "", // a step's name is not what was written about it
	} {
		if got := list(ana, models.Filter{Search: q}); got != want {
			t.Errorf("search %q: %q, want %q", q, got, want)
		}
	}

	// With the other filters.
	for _, c := range []struct {
		f    models.Filter
		want string
	}{
		{models.Filter{Search: "api", Environment: "production"}, ""},
		{models.Filter{Search: "pay", Environment: "production"}, id(rack)},
		{models.Filter{Search: "pay", Environment: "test"}, both},
		{models.Filter{Search: "pay", Statuses: []models.Status{models.StatusCancelled}}, id(pay)},
		{models.Filter{Search: "pay", Oldest: true}, id(pay) + " " + id(pay2) + " " + id(rack)},
		{models.Filter{Search: "pay", From: pay2.ScheduledStart}, id(rack) + " " + id(pay2)},
		{models.Filter{Search: "pay", To: pay2.ScheduledStart}, id(pay)},
		{models.Filter{Search: "pay", After: models.CursorOf(pay2)}, id(pay)},
		{models.Filter{Search: "pay", Limit: 1}, id(rack)},
		{models.Filter{Search: "pay", Assignee: "sam", Component: "payments-api", Kind: models.KindSoftware}, both},
	} {
		if got := list(ana, c.f); got != c.want {
			t.Errorf("%+v: %q, want %q", c.f, got, c.want)
		}
	}
	// A technician finds only their own deployments.
	if got := list(tom, models.Filter{Search: "pay"}) + "/" + list(tom, models.Filter{Search: "api"}); got != id(rack)+"/" {
		t.Errorf("technician: %q", got)
	}
	// Rescheduling moves a deployment in the search's order too.
	if _, err := f.e.Reschedule(f.ctx, ana, pay2.ID, pay.ScheduledStart.Add(-2*time.Hour), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := list(ana, models.Filter{Search: "4.1"}); got != id(pay)+" "+id(pay2) {
		t.Errorf("after rescheduling: %q", got)
	}
	// Assigning and moving a deployment changes what a filtered search finds, at once.
	if _, err := f.e.Assign(f.ctx, ana, pay2.ID, "tom"); err != nil {
		t.Fatal(err)
	}
	if got := list(tom, models.Filter{Search: "pay"}); got != id(rack)+" "+id(pay2) {
		t.Errorf("technician after assigning: %q", got)
	}
	if got := list(ana, models.Filter{Search: "pay", Assignee: "sam"}); got != id(pay) {
		t.Errorf("sam after assigning: %q", got)
	}
	if _, err := f.e.Move(f.ctx, ana, pay2.ID, models.StatusVerifyingComponents, ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		st   []models.Status
		want string
	}{
		{[]models.Status{models.StatusVerifyingComponents}, id(pay2)},
		{[]models.Status{models.StatusPlanned}, ""},
		{[]models.Status{models.StatusCancelled, models.StatusVerifyingComponents}, id(pay) + " " + id(pay2)},
	} {
		if got := list(ana, models.Filter{Search: "4.1", Statuses: c.st}); got != c.want {
			t.Errorf("after moving, %v: %q, want %q", c.st, got, c.want)
		}
	}
}
