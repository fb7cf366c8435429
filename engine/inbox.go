package engine

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"ferry/models"
	"ferry/store"
)

// What waits in a person's inbox.
const (
	InboxGate    = "gate"    // a gate they may approve
	InboxBlocked = "blocked" // a checklist item blocked, on a deployment they may work on
	// a step whose runner stopped, on a deployment of theirs (or any, for managers)
	// they may run: resume, retry or fail it
	InboxInterrupted = "interrupted"
	InboxFailure     = "failure"  // a deployment that failed or rolled back in the last day
	InboxOverrun     = "overrun"  // a deployment of theirs running past its scheduled end
	InboxOverdue     = "overdue"  // a plan of theirs whose start passed: start, move or cancel it
	InboxConflict    = "conflict" // an open conflict of a deployment they requested or are assigned
	InboxChannel     = "channel"  // managers: a notification channel whose messages die
	InboxReview      = "review"   // a failure left without a review (theirs, or any for managers)
	InboxModel       = "model"    // managers: a model due for review
)

// InboxItem is one thing waiting for a person.
type InboxItem struct {
	Kind       string
	Deployment models.Deployment
	Seq        int              // the step, for a gate or a blocked item
	Conflict   *models.Conflict // for a conflict
	Channel    string           // for a channel
	Model      string           // for a model due for review
	Movable    int64            // for a conflict: a planned deployment in it the person may move, 0 when none
	Message    string
	At         time.Time // when it began to wait
}

// failureWindow is how long a failure stays in the inbox.
const failureWindow = 24 * time.Hour

// reviewHorizon is how long a failure left without a review waits in the inbox once
// review_after has passed; after that the model's review-due still counts it (its
// failures since its last review). The bound keeps the inbox about what is still
// fresh to learn from, and its look cheap on years of history.
const reviewHorizon = 14 * 24 * time.Hour

// reviewLimit bounds the review items of one inbox.
const reviewLimit = 100

// ReviewsShown is how many failures waiting for a review the dashboard lists (the
// oldest); Dashboard.ReviewsWaiting counts them all.
const ReviewsShown = 3

// Inbox lists what waits for actor, most pressing first (inboxRank), read in one snapshot: gates they
// may approve on any deployment, blocked items they may act on, failures and
// rollbacks of the last 24 hours (by when they failed), and the open conflicts of
// deployments they requested or are assigned. The dashboard's "Needs you" is this.
func (e *Engine) Inbox(ctx context.Context, actor models.Person) ([]InboxItem, error) {
	if err := e.useBasis(ctx); err != nil { // models due for review read the rollups
		return nil, err
	}
	return e.inboxWith(ctx, actor, e.readers())
}

// inboxWith reads actor's inbox with readers readers at one state.
func (e *Engine) inboxWith(ctx context.Context, actor models.Person, readers int) ([]InboxItem, error) {
	var now, side []InboxItem
	err := e.st.Snapshots(ctx, readers, func(qs []store.Q) error {
		return beside(qs, func(q store.Q) error {
			running, err := q.Running(ctx)
			if err != nil {
				return err
			}
			waits, err := e.waits(ctx, q, running)
			if err != nil {
				return err
			}
			overdue, err := e.overdue(ctx, q, actor)
			if err != nil {
				return err
			}
			now, err = e.inboxNow(ctx, q, actor, running, overdue, waits)
			return err
		}, func(q store.Q) error {
			var err error
			_, side, err = e.inboxBeside(ctx, q, actor)
			return err
		})
	})
	return joinInbox(now, side), err
}

// joinInbox is an inbox of the items read on two readers, in its order.
func joinInbox(now, side []InboxItem) []InboxItem {
	out := append(now, side...)
	sortInbox(out)
	return out
}

// inboxNow is what waits for actor now on the running and the late: gates, blocked
// and interrupted items, failures, runs past their end and plans whose start passed;
// and channels that fail.
func (e *Engine) inboxNow(ctx context.Context, q store.Q, actor models.Person,
	running, overdue []models.Deployment, waits map[int64]*Waiting) ([]InboxItem, error) {
	var out []InboxItem
	for _, d := range running {
		items, err := e.waitingFor(ctx, q, actor, d, waits[d.ID])
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	// An analyst or another team's planner has nothing to do about another's.
	wrong, err := e.wrongItems(ctx, q, actor, running, overdue, false)
	if err != nil {
		return nil, err
	}
	out = append(out, wrong...)
	channels, err := e.deadChannels(ctx, q, actor)
	return append(out, channels...), err
}

// inboxBeside is what the dashboard and Inbox read beside the rest, on a reader of
// its own: the open conflicts actor sees (the dashboard shows them too) and those
// of actor's plans, which on a crowded schedule are hundreds of each, and what is due
// to learn from (inboxLater).
func (e *Engine) inboxBeside(ctx context.Context, q store.Q, actor models.Person) ([]models.Conflict, []InboxItem, error) {
	open, err := e.conflicts(ctx, q, actor, ConflictFilter{OpenOnly: true})
	if err != nil {
		return nil, nil, err
	}
	theirs, err := e.theirConflicts(ctx, q, actor, open)
	if err != nil {
		return nil, nil, err
	}
	later, _, err := e.inboxLater(ctx, q, actor, reviewLimit)
	return open, append(theirs, later...), err
}

// inboxLater is what is due for actor to learn from: the first reviews failures
// waiting for a review, and (for managers) models due for theirs; and how many
// failures wait for a review in all.
func (e *Engine) inboxLater(ctx context.Context, q store.Q, actor models.Person, reviews int) ([]InboxItem, int, error) {
	out, waiting, err := e.reviewsDue(ctx, q, actor, reviews)
	if err != nil || !actor.Has(models.RoleManager) {
		return out, waiting, err
	}
	due, err := e.modelsDue(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	for _, d := range due {
		out = append(out, InboxItem{Kind: InboxModel, Model: d.Model, At: d.Since,
			Message: ModelDueText(d, e.cfg.Location)})
	}
	return out, waiting, nil
}

// readers is how many readers the dashboard and the inbox are read with: one the
// first time (a process's first screen, a command's one question), then
// sideReaders. The first time the store has one connection open: a second reads the
// whole schema as it opens, and the two readers' common snapshot needs the writer
// opened too. On two cores that cost more than reading the halves at once saved:
// the console's first frame came 4 ms sooner on one reader, with 7 ms less CPU.
func (e *Engine) readers() int {
	if e.readBefore.Swap(true) {
		return sideReaders()
	}
	return 1
}

// sideReaders is how many readers a question split in two (beside) is read with:
// two when there is a core for each.
func sideReaders() int { return min(2, runtime.NumCPU()) }

// beside runs main on the first of qs and side on the second at the same time, or
// both on the one reader when there is one, and returns when both have. The two must
// not write to the same variables.
func beside(qs []store.Q, main, side func(store.Q) error) error {
	if len(qs) < 2 {
		if err := main(qs[0]); err != nil {
			return err
		}
		return side(qs[0])
	}
	done := make(chan error, 1)
	go func() { done <- side(qs[1]) }()
	err := main(qs[0])
	return cmp.Or(err, <-done)
}

// concerns reports whether what happened to d waits for actor: theirs (requested or
// carried out), or any for managers.
func concerns(actor models.Person, d models.Deployment) bool {
	return actor.Has(models.RoleManager) || d.Requester == actor.Name || d.Assignee == actor.Name
}

// watches reports whether actor watches everything rather than acts: an analyst,
// whose dashboard panel is "To watch" (their inbox has nothing to act on).
func watches(actor models.Person) bool { return actor.MainRole() == models.RoleAnalyst }

// sortInbox puts the most pressing first (inboxRank), the oldest first within a rank.
func sortInbox(items []InboxItem) {
	slices.SortStableFunc(items, func(a, b InboxItem) int {
		return cmp.Or(cmp.Compare(inboxRank[a.Kind], inboxRank[b.Kind]), a.At.Compare(b.At))
	})
}

// inboxRank orders an inbox by what presses: what holds a deployment up now (a gate,
// a blocked item), the day's failures, conflicts to settle before a start, channels
// that lose messages, then what is owed to learning (reviews, models due). Oldest
// first within each; ordered by time alone, weeks-old reviews and models due came
// before a gate raised a minute ago, and a short panel showed only them.
var inboxRank = map[string]int{InboxGate: 0, InboxBlocked: 0, InboxInterrupted: 0, InboxFailure: 1, InboxOverrun: 1,
	InboxOverdue: 1, InboxConflict: 2, InboxChannel: 3, InboxReview: 4, InboxModel: 5}

// reviewsDue are the failures (failed, rolled back, or with an incident) left
// without a review for review_after, within reviewHorizon more: for their requester,
// and every one for managers. Only failures: a review of every routine success would
// bury them (the 1M demo finishes ~900 deployments a day), and the guide's value
// stream starts from failure records. The first limit, and how many wait in all.
func (e *Engine) reviewsDue(ctx context.Context, q store.Q, actor models.Person, limit int) ([]InboxItem, int, error) {
	requester := actor.Name
	if actor.Has(models.RoleManager) {
		requester = ""
	}
	to := e.Now().Add(-e.cfg.ReviewAfter)
	list, waiting, err := q.UnreviewedFailures(ctx, to.Add(-reviewHorizon), to, requester, limit)
	var out []InboxItem
	for _, d := range list {
		out = append(out, InboxItem{Kind: InboxReview, Deployment: d, At: d.FinishedAt.Add(e.cfg.ReviewAfter),
			Message: fmt.Sprintf("#%d %s %s → %s %s %s ago, not reviewed", d.ID, d.Component, d.Version,
				d.Environment, reviewWhat(d), models.HumanDuration(e.Now().Sub(d.FinishedAt).Truncate(time.Hour)))})
	}
	return out, waiting, err
}

// reviewWhat says why a finished deployment waits for a review.
func reviewWhat(d models.Deployment) string {
	if d.Status == models.StatusSucceeded {
		return "succeeded with an incident"
	}
	return d.Status.Words()
}

// waitingFor is what a running deployment waits for that actor may do: approve its
// gate, or act on a blocked item.
func (e *Engine) waitingFor(ctx context.Context, q store.Q, actor models.Person, d models.Deployment, w *Waiting) ([]InboxItem, error) {
	if w == nil {
		return nil, nil
	}
	switch {
	case w.Kind == WaitApproval && e.mayApproveNow(ctx, q, actor, d) == nil:
		return []InboxItem{{Kind: InboxGate, Deployment: d, Seq: w.Seq, Message: w.Message, At: d.UpdatedAt}}, nil
	case w.Kind == WaitBlocked && Can(actor, ActTick, &d) == nil:
		return []InboxItem{{Kind: InboxBlocked, Deployment: d, Seq: w.Seq, Message: w.Message, At: d.UpdatedAt}}, nil
	case w.Kind == WaitInterrupted && concerns(actor, d) && Can(actor, ActRun, &d) == nil:
		return []InboxItem{{Kind: InboxInterrupted, Deployment: d, Seq: w.Seq, Message: w.Message, At: d.UpdatedAt}}, nil
	}
	return nil, nil
}

// waits reads what each of the running deployments waits for a person to do: those
// whose runner works, or that wait for nobody, are left out.
func (e *Engine) waits(ctx context.Context, q store.Q, running []models.Deployment) (map[int64]*Waiting, error) {
	out := map[int64]*Waiting{}
	for _, d := range running {
		w, err := e.waitingNow(ctx, q, d)
		if err != nil {
			return nil, err
		}
		if w != nil {
			out[d.ID] = w
		}
	}
	return out, nil
}

// conflictLimit bounds the conflict items of one inbox, as reviewLimit the reviews':
// the soonest are what presses, and the Conflicts screen and ferry conflicts list
// them all (a planner with 550 plans on a crowded schedule had 549, and loading each
// plan was a third of the console's first frame).
const conflictLimit = 100

// theirConflicts is the open conflicts of the unfinished deployments actor requested
// or is assigned, the soonest conflictLimit of them.
func (e *Engine) theirConflicts(ctx context.Context, q store.Q, actor models.Person, cs []models.Conflict) ([]InboxItem, error) {
	settled, err := settledConflicts(ctx, q, cs)
	if err != nil {
		return nil, err
	}
	picked, theirs, err := e.theirMembers(ctx, q, actor, cs, settled)
	if err != nil {
		return nil, err
	}
	var out []InboxItem
	var others []int64 // the other deployments of conflicts whose own one may not move
	for _, c := range picked {
		for _, id := range c.IDs {
			if d, ok := theirs[id]; ok {
				it := InboxItem{Kind: InboxConflict, Deployment: d, Conflict: c, At: c.Start, Message: c.ID + " " + c.Message}
				if it.Movable = movableIn(actor, d.ID, *c, theirs); it.Movable == 0 {
					others = append(others, c.IDs...)
				}
				out = append(out, it)
				break
			}
		}
	}
	if len(others) == 0 {
		return out, nil
	}
	in, err := q.DeploymentsByID(ctx, others)
	if err != nil {
		return nil, err
	}
	byID := map[int64]models.Deployment{}
	for _, d := range in {
		byID[d.ID] = d
	}
	for i := range out {
		if out[i].Movable == 0 {
			out[i].Movable = movableIn(actor, out[i].Deployment.ID, *out[i].Conflict, byID)
		}
	}
	return out, nil
}

// theirMembers picks, of cs (in order of start) not settled, the first conflictLimit
// with a member actor requested or is assigned, and loads those members. The members
// are found by ID first, so that a person with hundreds of plans does not load them
// all to match a few.
func (e *Engine) theirMembers(ctx context.Context, q store.Q, actor models.Person, cs []models.Conflict, settled map[string]bool) ([]*models.Conflict, map[int64]models.Deployment, error) {
	mine, err := q.OpenInvolving(ctx, actor.Name)
	if err != nil {
		return nil, nil, err
	}
	var picked []*models.Conflict
	var ids []int64
	for i := 0; i < len(cs) && len(picked) < conflictLimit; i++ {
		if settled[cs[i].Key] {
			continue
		}
		if own := slices.DeleteFunc(slices.Clone(cs[i].IDs), func(id int64) bool { return !mine[id] }); len(own) > 0 {
			picked, ids = append(picked, &cs[i]), append(ids, own...)
		}
	}
	ds, err := q.DeploymentsByID(ctx, ids)
	theirs := make(map[int64]models.Deployment, len(ds))
	for _, d := range ds {
		theirs[d.ID] = d
	}
	return picked, theirs, err
}

// settledConflicts are the keys of those of cs a manager let a deployment start
// against and in which nothing planned is left: nothing more to ask of anyone. One
// still holding a plan stays: its start is refused for it until it is settled.
func settledConflicts(ctx context.Context, q store.Q, cs []models.Conflict) (map[string]bool, error) {
	var started []models.Conflict
	for _, c := range cs {
		if c.StartedOver != nil {
			started = append(started, c)
		}
	}
	out := map[string]bool{}
	if len(started) == 0 {
		return out, nil
	}
	ds, err := q.DeploymentsByID(ctx, memberIDs(started))
	if err != nil {
		return nil, err
	}
	planned := map[int64]bool{}
	for _, d := range ds {
		planned[d.ID] = d.Status == models.StatusPlanned
	}
	for _, c := range started {
		if !slices.ContainsFunc(c.IDs, func(id int64) bool { return planned[id] }) {
			out[c.Key] = true
		}
	}
	return out, nil
}

// movableIn is a deployment of conflict c that actor may move to settle it, among
// those byID holds: their own (own) when it is planned, else another planned one; 0
// when they may move none (a running deployment does not move, and technicians move
// nothing). The caller reads the others only when their own may not move: on a busy
// schedule a manager's conflicts are many.
func movableIn(actor models.Person, own int64, c models.Conflict, byID map[int64]models.Deployment) int64 {
	for _, id := range append([]int64{own}, c.IDs...) {
		if o, ok := byID[id]; ok && MayMove(actor, o) {
			return id
		}
	}
	return 0
}

// deadChannels, for managers, are the notification channels whose last message
// died (nothing was sent on them since): people are not being told.
func (e *Engine) deadChannels(ctx context.Context, q store.Q, actor models.Person) ([]InboxItem, error) {
	if !actor.Has(models.RoleManager) {
		return nil, nil
	}
	var out []InboxItem
	for _, ch := range e.cfg.Notify.Channels {
		failing, lastErr, at, err := q.ChannelFailing(ctx, ch.Name)
		if err != nil {
			return nil, err
		}
		if failing {
			out = append(out, InboxItem{Kind: InboxChannel, Channel: ch.Name, At: at,
				Message: fmt.Sprintf("notification channel %q (%s) is failing: messages died, the last at %s: %s",
					ch.Name, ch.Type, e.Local(at), lastErr)})
		}
	}
	return out, nil
}

// RejectGate refuses the gate the deployment's current stage waits at, with a reason:
// the stage fails and its on-failure steps run (the run carries on, see act). The
// gate's roles may reject, as they may approve; the reason is on the record and
// found by search.
func (e *Engine) RejectGate(ctx context.Context, actor models.Person, id int64, reason string, opts ...RunOptions) (Outcome, error) {
	if err := models.CheckText("reason", reason); err != nil { // a paste gone wrong, not an account
		return Outcome{}, err
	}
	reason = strings.TrimSpace(reason)
	if err := Written(reason, NeedRejectReason); err != nil {
		return Outcome{}, err
	}
	return e.act(ctx, actor, id, ActReject, true, firstOpts(opts), func(q store.Q, d *models.Deployment) (string, error) {
		gate, err := waitingGate(ctx, q, *d)
		if err != nil {
			return "", err
		}
		if err := mayReject(actor, *d, gate.Step); err != nil {
			return "", err
		}
		gate.Status, gate.Actor, gate.At, gate.Note = models.StepFailed, actor.Name, e.Now(), "rejected: "+reason
		if err := q.SetStepRun(ctx, gate, e.Now()); err != nil {
			return "", err
		}
		did := RejectedText(gate.Seq, gate.Step.Name, reason)
		return did, q.AddEvent(ctx, e.event(ctx, id, actor, EventStep, did))
	})
}

// mayReject decides whether p may reject gate s of d: the gate's roles, technicians
// only on their own deployments. Unlike approving, the requester may: refusing one's
// own deployment is no conflict of interest.
func mayReject(p models.Person, d models.Deployment, s models.Step) error {
	if err := Can(p, ActReject, &d); err != nil {
		return err
	}
	if roles := gateRoles(s); !slices.ContainsFunc(roles, p.Has) {
		return models.Forbiddenf("%s (%s) may not reject gate %q of deployment #%d: only a %s may",
			p.Name, p.MainRole(), s.Name, d.ID, joinRoles(roles))
	}
	return nil
}

// wrongItems are what went wrong or is late: the day's failures, the runs of running
// past their scheduled end and the plans of overdue, those that concern actor (all
// that actor may read, when watch: see watches).
func (e *Engine) wrongItems(ctx context.Context, q store.Q, actor models.Person, running, overdue []models.Deployment,
	watch bool) ([]InboxItem, error) {
	out := e.lateItems(actor, running, overdue, watch)
	failed, err := q.FailedSince(ctx, e.Now().Add(-failureWindow), 100)
	if err != nil {
		return nil, err
	}
	// A failure that a later run of the same version in its environment made good
	// (its run again, say) needs no one any more; its review, if due, stays an item.
	madeGood, err := q.SucceededAfter(ctx, failed)
	if err != nil {
		return nil, err
	}
	for _, d := range failed {
		if !madeGood[d.ID] && (watch || concerns(actor, d)) && Can(actor, ActRead, &d) == nil {
			out = append(out, InboxItem{Kind: InboxFailure, Deployment: d, At: d.FinishedAt,
				Message: fmt.Sprintf("#%d %s %s → %s %s", d.ID, d.Component, d.Version, d.Environment,
					d.Status.Words())})
		}
	}
	return out, nil
}

// lateItems are the runs of running past their scheduled end, and the plans of
// overdue, that concern actor (all of them, when watch).
func (e *Engine) lateItems(actor models.Person, running, overdue []models.Deployment, watch bool) []InboxItem {
	var out []InboxItem
	now := e.Now()
	for _, d := range running {
		if d.OverrunsAt(now) && (watch || concerns(actor, d)) {
			out = append(out, InboxItem{Kind: InboxOverrun, Deployment: d, At: d.ScheduledEnd,
				Message: fmt.Sprintf("#%d %s %s → %s runs past its end, %s", d.ID, d.Component, d.Version, d.Environment,
					LocalText(d.ScheduledEnd, e.Location()))})
		}
	}
	for _, d := range overdue {
		if (watch || concerns(actor, d)) && Can(actor, ActRead, &d) == nil {
			out = append(out, InboxItem{Kind: InboxOverdue, Deployment: d, At: d.ScheduledStart,
				Message: fmt.Sprintf("#%d %s %s → %s was to start %s: start it, move it or cancel it", d.ID, d.Component,
					d.Version, d.Environment, LocalText(d.ScheduledStart, e.Location()))})
		}
	}
	return out
}
