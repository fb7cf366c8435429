package engine

import (
	"fmt"
	"testing"
	"time"

	"ferry/models"
	"ferry/store"
)

// What the outbox adds to an act's transaction: the same reschedule with rules that
// take it (a webhook, and a mail to the requester and the managers: 3 messages) and
// without any rule. The difference is the outbox's cost.

const benchRules = `
[[notify.rule]]
events = ["rescheduled"]
channel = "hook"
to = ["requester", "assignee"]

[[notify.rule]]
events = ["rescheduled"]
channel = "mail"
to = ["requester", "role:manager"]
`

// noRules takes no event the benchmarks raise.
const noRules = `
[[notify.rule]]
events = ["incident_opened"]
channel = "hook"
`

func benchReschedule(b *testing.B, rules string, perOp int) {
	f := newNotifyFixture(b, rules)
	ana, _ := f.e.Person("ana")
	d, _, err := f.e.Plan(f.ctx, ana, PlanRequest{Model: "web", Component: "payments-api", Version: "1", Environment: "production",
		Start: f.now.Add(24 * time.Hour), Assignee: "sam", Requester: "ana"})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		if _, err := f.e.Reschedule(f.ctx, ana, d.ID, f.now.Add(24*time.Hour+time.Duration(i)*time.Minute), time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	if n := len(f.outbox(b, "")); n != perOp*i {
		b.Fatalf("%d messages after %d reschedules, want %d each", n, i, perOp)
	}
}

func BenchmarkRescheduleNoOutbox(b *testing.B)   { benchReschedule(b, noRules, 0) }
func BenchmarkRescheduleWithOutbox(b *testing.B) { benchReschedule(b, benchRules, 3) }

// BenchmarkOutboxRaise is the outbox alone: one write transaction that raises a
// notice (an event and 3 messages), against BenchmarkOutboxEmptyWrite, the same
// transaction with nothing in it.
func BenchmarkOutboxRaise(b *testing.B) {
	f := newNotifyFixture(b, benchRules)
	ana, _ := f.e.Person("ana")
	d := models.Deployment{ID: 1, Model: "web", Component: "payments-api", Version: "1", Environment: "production",
		Requester: "ana", Assignee: "sam", Status: models.StatusPlanned, ScheduledStart: f.now, ScheduledEnd: f.now.Add(time.Hour)}
	if _, _, err := f.e.Plan(f.ctx, ana, PlanRequest{Model: "web", Component: "payments-api", Version: "1",
		Environment: "production", Start: f.now.Add(time.Hour), Assignee: "sam"}); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		after := d
		after.ScheduledStart = d.ScheduledStart.Add(time.Duration(i) * time.Minute)
		if err := f.e.st.Write(f.ctx, func(q store.Q) error { return f.e.noticeRescheduled(f.ctx, q, ana, d, after) }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEventTransaction is the transaction of a reschedule as the engine writes
// it (the new window and the record's event), alternately without and with the
// outbox (its notice: an event and 3 messages), timed apart in the same run so that
// WAL checkpoints and the disk weigh on both alike. It reports each mean, their
// difference, and the time spent in raise itself, inside the transaction.
func BenchmarkEventTransaction(b *testing.B) {
	f := newNotifyFixture(b, benchRules)
	ana, _ := f.e.Person("ana")
	d, _, err := f.e.Plan(f.ctx, ana, PlanRequest{Model: "web", Component: "payments-api", Version: "1",
		Environment: "production", Start: f.now.Add(time.Hour), Assignee: "sam"})
	if err != nil {
		b.Fatal(err)
	}
	var base, with, inRaise time.Duration
	i := 0
	for b.Loop() {
		for _, outbox := range []bool{false, true} {
			i++
			after := d
			after.ScheduledStart = d.ScheduledStart.Add(time.Duration(i) * time.Minute)
			after.ScheduledEnd = after.ScheduledStart.Add(45 * time.Minute)
			began := time.Now()
			err := f.e.st.Write(f.ctx, func(q store.Q) error {
				if err := q.SetSchedule(f.ctx, d.ID, after.ScheduledStart, after.ScheduledEnd, f.now); err != nil {
					return err
				}
				if err := q.AddEvent(f.ctx, f.e.event(f.ctx, d.ID, ana, EventRescheduled, "moved")); err != nil {
					return err
				}
				if !outbox {
					return nil
				}
				r := time.Now()
				err := f.e.noticeRescheduled(f.ctx, q, ana, d, after)
				inRaise += time.Since(r)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			if outbox {
				with += time.Since(began)
			} else {
				base += time.Since(began)
			}
		}
	}
	n := float64(b.N)
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) / n }
	b.ReportMetric(us(base), "µs-without")
	b.ReportMetric(us(with), "µs-with")
	b.ReportMetric(us(with-base), "µs-added")
	b.ReportMetric(us(inRaise), "µs-in-raise")
}

func BenchmarkOutboxEmptyWrite(b *testing.B) {
	f := newNotifyFixture(b, benchRules)
	for b.Loop() {
		if err := f.e.st.Write(f.ctx, func(q store.Q) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeliverWebhook sends messages to a webhook receiver on the loopback
// address, signed, through the whole deliverer (claim, send, record); it reports
// messages a second.
func BenchmarkDeliverWebhook(b *testing.B) {
	f := newNotifyFixture(b, `
[[notify.rule]]
events = ["rescheduled"]
channel = "hook"
to = ["requester"]
`)
	ana, _ := f.e.Person("ana")
	const batch = 2000
	d := models.Deployment{ID: 1, Environment: "production", Requester: "ana", Status: models.StatusPlanned,
		ScheduledStart: f.now, ScheduledEnd: f.now.Add(time.Hour)}
	n := 0
	var sent int
	var took time.Duration
	for b.Loop() {
		b.StopTimer()
		err := f.e.st.Write(f.ctx, func(q store.Q) error {
			for range batch {
				n++
				after := d
				after.ScheduledStart = d.ScheduledStart.Add(time.Duration(n) * time.Minute)
				if err := f.e.noticeRescheduled(f.ctx, q, ana, d, after); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		began := time.Now()
		st, err := f.e.Deliver(f.ctx, f.opts())
		took += time.Since(began)
		if err != nil || st.Sent != batch {
			b.Fatalf("%+v %v", st, err)
		}
		sent += st.Sent
	}
	b.ReportMetric(float64(sent)/took.Seconds(), "msgs/s")
	if got := len(f.hook.requests("/hook")); got != sent {
		b.Fatalf("the receiver got %d of %d", got, sent)
	}
}

var _ = fmt.Sprint
