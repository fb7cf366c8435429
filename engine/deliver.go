package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"ferry/engine/notify"
	"ferry/models"
	"ferry/store"
)

// DeliverOptions tune the deliverer; zero fields take the defaults.
type DeliverOptions struct {
	// Backoff is the wait before the first retry of a message; it doubles with each
	// try (±20% jitter) up to MaxBackoff. Defaults 5s and 15m.
	Backoff, MaxBackoff time.Duration
	// Poll is how often a following deliverer looks for new messages (1s), ScanEvery
	// how often it raises the notices time makes: overdue, overrun, freeze_ahead, review_due (30s).
	Poll, ScanEvery time.Duration
	// KeepDone is how long sent and dead messages stay in the outbox (30 days).
	KeepDone time.Duration
	Sender   *notify.Sender // default: notify.NewSender("ferry")
	// OnDelivery hears how each try ended (logs); called from several goroutines.
	OnDelivery func(Delivered)
}

func (o DeliverOptions) withDefaults() DeliverOptions {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Backoff, 5*time.Second)
	def(&o.MaxBackoff, 15*time.Minute)
	def(&o.Poll, time.Second)
	def(&o.ScanEvery, 30*time.Second)
	def(&o.KeepDone, 30*24*time.Hour)
	if o.Sender == nil {
		o.Sender = notify.NewSender("ferry")
	}
	return o
}

// Delivered is how one try of one message ended.
type Delivered struct {
	ID        int64
	Channel   string
	Event     string // the event type
	Recipient string
	Key       string // the idempotency key
	Status    string // sent, pending (tried again at Next) or dead
	Attempts  int    // tries so far, this one included
	Next      time.Time
	Err       error
}

// DeliverStats counts what a delivery pass did.
type DeliverStats struct {
	Sent, Retried, Dead int
}

func (s *DeliverStats) add(d Delivered) {
	switch d.Status {
	case models.OutboxSent:
		s.Sent++
	case models.OutboxDead:
		s.Dead++
	default:
		s.Retried++
	}
}

// concurrency is how many messages one channel sends at once: a Slack channel and
// a command take them one at a time, in order (a chat reads top down; a script that
// appends to a file should not race itself).
func concurrency(ch models.Channel) int {
	switch ch.Type {
	case models.ChannelWebhook:
		return 16
	case models.ChannelEmail:
		return 4
	}
	return 1
}

// deliverer is one process's delivery of the outbox: a claim holder.
type deliverer struct {
	e     *Engine
	opts  DeliverOptions
	h     holder
	claim string // h as the outbox stores it: host|boot|pid|random
	mu    sync.Mutex
	stats DeliverStats
}

func (e *Engine) newDeliverer(opts DeliverOptions) *deliverer {
	h := newHolder()
	return &deliverer{e: e, opts: opts.withDefaults(), h: h,
		claim: strings.Join([]string{h.host, h.boot, strconv.Itoa(h.pid), h.id}, "|")}
}

// staleHolder reports whether a claim was made by a process on this machine that has
// died (kill -9, a crash): its messages are taken over at once.
func staleHolder(claim string) bool {
	parts := strings.SplitN(claim, "|", 4)
	if len(parts) != 4 {
		return false
	}
	pid, err := strconv.Atoi(parts[2])
	return err == nil && sameBoot(parts[0], parts[1]) && pid != os.Getpid() && !pidAlive(pid)
}

// Deliver sends every message that is due now, once each (a failed one is set to be
// tried again later, or dead after its channel's max_age), and returns. Each channel
// is sent on by itself, so a slow or failing one holds up no other; a channel whose
// send fails is left alone until the retry is due. Messages are claimed in the
// database before they are sent and marked after, outside any transaction that
// changes deployments: a process killed while sending leaves its claimed messages to
// the next deliverer, which sends them again with the same idempotency key.
func (e *Engine) Deliver(ctx context.Context, opts DeliverOptions) (DeliverStats, error) {
	d := e.newDeliverer(opts)
	err := d.pass(ctx)
	return d.stats, err
}

// DeliverFollow delivers until ctx ends: due messages as they come (looking every
// Poll), the notices time makes (every ScanEvery), and sent and dead messages older
// than KeepDone pruned now and then. Errors go to report and it goes on.
func (e *Engine) DeliverFollow(ctx context.Context, opts DeliverOptions, report func(error)) {
	d := e.newDeliverer(opts)
	var lastScan, lastPrune time.Time
	for ctx.Err() == nil {
		if time.Since(lastScan) >= d.opts.ScanEvery {
			lastScan = time.Now()
			if _, err := e.ScanNotices(ctx); err != nil && ctx.Err() == nil {
				report(fmt.Errorf("notify scan: %w", err))
			}
		}
		if time.Since(lastPrune) >= time.Hour {
			lastPrune = time.Now()
			if err := e.PruneOutbox(ctx, d.opts.KeepDone); err != nil && ctx.Err() == nil {
				report(fmt.Errorf("notify prune: %w", err))
			}
		}
		if err := d.pass(ctx); err != nil && ctx.Err() == nil {
			report(err)
		}
		t := time.NewTimer(d.opts.Poll)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

// PruneOutbox deletes sent and dead messages finished longer than keep ago.
func (e *Engine) PruneOutbox(ctx context.Context, keep time.Duration) error {
	return e.st.Write(ctx, func(q store.Q) error {
		_, err := q.PruneOutbox(ctx, time.Now().Add(-keep))
		return err
	})
}

// pass delivers what is due on every channel that has messages, concurrently, each
// channel until nothing of it is due.
func (d *deliverer) pass(ctx context.Context) error {
	if err := d.e.spreadNotices(ctx); err != nil {
		return err
	}
	stale, err := d.staleClaims(ctx)
	if err != nil {
		return err
	}
	chans, err := d.channelsDue(ctx)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, len(chans))
	for i, name := range chans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = d.drain(ctx, name, stale)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// staleClaims are the claims of deliverers that died on this machine.
func (d *deliverer) staleClaims(ctx context.Context) ([]string, error) {
	holders, err := d.e.st.Read().ClaimHolders(ctx, time.Now())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, h := range holders {
		if staleHolder(h) {
			out = append(out, h)
		}
	}
	return out, nil
}

// channelsDue are the channels with messages due now, in config or not.
func (d *deliverer) channelsDue(ctx context.Context) ([]string, error) {
	return d.e.st.Read().PendingChannels(ctx, time.Now())
}

// drain sends channel's due messages, a batch at a time, until none is due or a
// send fails in a way worth waiting for.
func (d *deliverer) drain(ctx context.Context, channel string, stale []string) error {
	ch, known := d.e.cfg.Notify.Channel(channel)
	if !known {
		ch = models.Channel{Name: channel, Timeout: models.DefaultChannelTimeout, MaxAge: d.e.cfg.Notify.MaxAge}
	}
	workers := concurrency(ch)
	for ctx.Err() == nil {
		now := time.Now()
		var batch []store.OutboxMessage
		err := d.e.st.Write(ctx, func(q store.Q) error {
			var err error
			batch, err = q.ClaimOutbox(ctx, store.Claim{Holder: d.claim, Now: now, Stale: stale, Channel: channel,
				Until: now.Add(4*ch.Timeout + 30*time.Second), Limit: workers * 4})
			return err
		})
		if err != nil || len(batch) == 0 {
			return err
		}
		paused, err := d.sendBatch(ctx, ch, known, batch, workers)
		if err != nil || paused {
			return err
		}
	}
	return ctx.Err()
}

// sendBatch sends claimed messages, workers at a time, and records how each ended
// as they end: every few messages or 20ms, in one short transaction, so that a
// process killed mid-batch leaves little sent but unrecorded (that is sent again,
// with the same key). After a failure worth retrying, the messages not yet tried are
// released until that retry (paused).
func (d *deliverer) sendBatch(ctx context.Context, ch models.Channel, known bool, batch []store.OutboxMessage, workers int) (bool, error) {
	var mu sync.Mutex
	var pauseUntil time.Time
	next := 0
	done := make(chan store.Delivery, len(batch))
	var wg sync.WaitGroup
	for range min(workers, len(batch)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if next >= len(batch) {
					mu.Unlock()
					return
				}
				i := next
				next++
				if !pauseUntil.IsZero() || ctx.Err() != nil {
					until := pauseUntil
					mu.Unlock()
					done <- store.Delivery{ID: batch[i].ID, Holder: d.claim, Status: models.OutboxPending, NextAt: until}
					continue
				}
				mu.Unlock()
				res, sendErr := d.send(ctx, ch, known, batch[i])
				if res.Status == models.OutboxPending && res.Tried {
					mu.Lock()
					if pauseUntil.IsZero() || res.NextAt.Before(pauseUntil) {
						pauseUntil = res.NextAt
					}
					mu.Unlock()
				}
				if d.opts.OnDelivery != nil {
					m := batch[i]
					d.opts.OnDelivery(Delivered{ID: m.ID, Channel: m.Channel, Event: m.Event, Recipient: m.Recipient,
						Key: MessageKey(m.EventKey, m.Channel, m.Recipient), Status: res.Status, Attempts: m.Attempts + 1,
						Next: res.NextAt, Err: sendErr})
				}
				done <- res
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	// What was sent is recorded even when ctx ended: a repeat is the only harm of
	// not recording it, and recording it avoids that.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var firstErr error
	var pending []store.Delivery
	flush := func() {
		if len(pending) == 0 {
			return
		}
		err := d.e.st.Write(wctx, func(q store.Q) error { return q.FinishOutbox(wctx, pending) })
		if err == nil {
			d.mu.Lock()
			for _, r := range pending {
				if r.Tried || r.Status == models.OutboxDead {
					d.stats.add(Delivered{Status: r.Status})
				}
			}
			d.mu.Unlock()
		} else if firstErr == nil {
			firstErr = err
		}
		pending = pending[:0]
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for open := true; open; {
		select {
		case r, ok := <-done:
			if !ok {
				open = false
				break
			}
			pending = append(pending, r)
			if len(pending) >= workers {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
	flush()
	mu.Lock()
	paused := !pauseUntil.IsZero()
	mu.Unlock()
	return paused, firstErr
}

// send tries one message: sent, dead (a permanent refusal, or max_age passed), or
// pending again after a backoff.
func (d *deliverer) send(ctx context.Context, ch models.Channel, known bool, m store.OutboxMessage) (store.Delivery, error) {
	res := store.Delivery{ID: m.ID, Holder: d.claim, Tried: true}
	var err error
	if !known {
		err = &notify.Error{Err: fmt.Errorf("channel %q is no longer in %s", ch.Name, d.e.cfg.File), Permanent: true}
		res.Tried = false
	} else {
		var msg notify.Message
		if msg, err = d.e.messageOf(m); err == nil {
			err = d.opts.Sender.Send(ctx, ch, msg)
		}
	}
	res.At = time.Now()
	switch {
	case err == nil:
		res.Status = models.OutboxSent
	case notify.IsPermanent(err):
		res.Status, res.Error = models.OutboxDead, oneLineErr(err)
	default:
		tries := m.Attempts + 1
		res.Error = oneLineErr(err)
		wait := max(retryWait(d.opts.Backoff, d.opts.MaxBackoff, tries), notify.RetryAfter(err))
		res.NextAt = res.At.Add(wait)
		if res.NextAt.Sub(m.CreatedAt) > ch.MaxAge {
			res.Status = models.OutboxDead
			res.Error = fmt.Sprintf("gave up after %d tries in %s: %s", tries, models.HumanDuration(res.At.Sub(m.CreatedAt)), res.Error)
		} else {
			res.Status = models.OutboxPending
		}
	}
	return res, err
}

// retryWait is the wait after try n (from 1): base doubling, at most top, ±20%.
func retryWait(base, top time.Duration, n int) time.Duration {
	w := base
	for i := 1; i < n && w < top; i++ {
		w *= 2
	}
	w = min(w, top)
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(w) * jitter)
}

func oneLineErr(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}

// NotifyStatus is how each channel's messages stand: every channel in config (with
// zeros when it has none) and any other the outbox still holds.
func (e *Engine) NotifyStatus(ctx context.Context, actor models.Person) ([]models.ChannelStatus, error) {
	if !actor.Has(models.RoleManager) {
		return nil, models.Forbiddenf("%s (%s) may not see the notification channels: only managers may", actor.Name, actor.MainRole())
	}
	if err := e.spreadNotices(ctx); err != nil {
		return nil, err
	}
	st, err := e.st.Read().NotifyStatus(ctx)
	if err != nil {
		return nil, err
	}
	byName := map[string]models.ChannelStatus{}
	for _, s := range st {
		byName[s.Channel] = s
	}
	var out []models.ChannelStatus
	for _, ch := range e.cfg.Notify.Channels {
		s := byName[ch.Name]
		s.Channel, s.Type = ch.Name, ch.Type
		delete(byName, ch.Name)
		out = append(out, s)
	}
	for _, s := range st {
		if _, left := byName[s.Channel]; left {
			s.Type = "(not in config)"
			out = append(out, s)
		}
	}
	return out, nil
}

// TestChannel sends a test message over a channel now, through the outbox like any
// other (so notify status counts it), and says how it went: nil when it was sent. A
// test is tried once: if it fails it is dead at once, with the error. to is the
// address for an email channel (default: the actor's email).
func (e *Engine) TestChannel(ctx context.Context, actor models.Person, channel, to string, sender *notify.Sender) (Delivered, error) {
	if !actor.Has(models.RoleManager) {
		return Delivered{}, models.Forbiddenf("%s (%s) may not test notification channels: only managers may", actor.Name, actor.MainRole())
	}
	ch, ok := e.cfg.Notify.Channel(channel)
	if !ok {
		return Delivered{}, models.NotFoundf("no channel %q in %s%s", channel, e.cfg.File, channelList(e.cfg.Notify.Channels))
	}
	address := strings.TrimSpace(to)
	switch {
	case address != "" && ch.Type != models.ChannelEmail:
		return Delivered{}, models.Invalidf("--to: channel %q is a %s channel, which has no addresses: --to is for email channels", ch.Name, ch.Type)
	case address != "":
		// A typo sent the test nowhere, and marked the channel failing in every
		// manager's inbox.
		if a, err := mail.ParseAddress(address); err != nil || a.Address != address {
			return Delivered{}, models.Invalidf("--to: %q is not an email address (name@example.org)", address)
		}
	default:
		address = actor.Email
	}
	if ch.Type == models.ChannelEmail && address == "" {
		return Delivered{}, models.Invalidf("%s has no email in %s: say where to send the test with --to ADDRESS", actor.Name, e.cfg.File)
	}
	rec := actor
	if to != "" {
		rec = models.Person{Name: address, Email: address}
	}
	key := fmt.Sprintf("test:%s:%d", ch.Name, time.Now().UnixNano())
	n := notice{typ: models.NotifyTest, key: key, actor: actor.Name,
		summary: fmt.Sprintf("Test message from Ferry to channel %q, sent by %s", ch.Name, actor.Name),
		text:    "If you read this, channel " + ch.Name + " (" + ch.Type + ") works."}
	t := &channelTargets{ch: ch, people: []models.Person{rec}}
	t.people[0].Email = address
	var ids []int64
	err := e.st.Write(ctx, func(q store.Q) error {
		if err := e.enqueue(ctx, q, n, []*channelTargets{t}); err != nil {
			return err
		}
		ms, err := q.OutboxOfEvent(ctx, key)
		if err != nil {
			return err
		}
		for _, m := range ms {
			ids = append(ids, m.ID)
		}
		return nil
	})
	if err != nil {
		return Delivered{}, err
	}
	opts := DeliverOptions{Sender: sender}.withDefaults()
	d := e.newDeliverer(opts)
	var batch []store.OutboxMessage
	now := time.Now()
	err = e.st.Write(ctx, func(q store.Q) error {
		var err error
		batch, err = q.ClaimOutbox(ctx, store.Claim{Holder: d.claim, Now: now, Until: now.Add(ch.Timeout + 30*time.Second),
			Channel: ch.Name, IDs: ids, Limit: len(ids)})
		return err
	})
	if err != nil {
		return Delivered{}, err
	}
	if len(batch) == 0 {
		return Delivered{}, fmt.Errorf("the test message of channel %q could not be claimed", ch.Name)
	}
	res, sendErr := d.send(ctx, ch, true, batch[0])
	if res.Status == models.OutboxPending {
		res.Status = models.OutboxDead // a test is tried once
	}
	if err := e.st.Write(ctx, func(q store.Q) error { return q.FinishOutbox(ctx, []store.Delivery{res}) }); err != nil {
		return Delivered{}, err
	}
	m := batch[0]
	return Delivered{ID: m.ID, Channel: m.Channel, Event: m.Event, Recipient: m.Recipient, Key: MessageKey(m.EventKey, m.Channel, m.Recipient),
		Status: res.Status, Attempts: 1, Err: sendErr}, nil
}

func channelList(cs []models.Channel) string {
	if len(cs) == 0 {
		return " (no [[notify.channel]] is declared)"
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return " (declared: " + strings.Join(names, ", ") + ")"
}
