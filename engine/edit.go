package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"ferry/models"
	"ferry/store"
)

// Edit is a change to a deployment that has not finished; nil fields stay as they
// are. A new window is for planned deployments only (a reschedule).
type Edit struct {
	Start     *time.Time     // a new start
	Duration  *time.Duration // a new length (with Start or alone)
	Assignee  *string        // another person
	ChangeRef *string        // another change or release reference
	After     *int64         // the deployment it waits for (0: none)
}

// Empty reports whether the edit changes nothing.
func (ed Edit) Empty() bool {
	return ed.Start == nil && ed.Duration == nil && ed.Assignee == nil && ed.ChangeRef == nil && ed.After == nil
}

// EditDeployment changes a deployment in one act: its window (a reschedule), who
// carries it out, its change reference, what it waits for. Each change is checked as
// its own act would be and recorded; the outcome carries the conflicts it is in after.
func (e *Engine) EditDeployment(ctx context.Context, actor models.Person, id int64, ed Edit) (Outcome, error) {
	if ed.Empty() {
		return Outcome{}, models.Invalidf("nothing to change")
	}
	return e.actChecked(ctx, actor, id, ActRead, func(q store.Q, d *models.Deployment) (string, error) {
		return e.edit(ctx, q, actor, d, ed)
	})
}

// edit applies ed inside the caller's write transaction and says what it did.
func (e *Engine) edit(ctx context.Context, q store.Q, actor models.Person, d *models.Deployment, ed Edit) (string, error) {
	if d.Status.Final() {
		return "", models.Conflictf("deployment #%d %s; it can no longer be changed", d.ID, d.Status.Phrase())
	}
	if err := e.checkEdit(*d, ed); err != nil {
		return "", err
	}
	var did []string
	if ed.Start != nil || ed.Duration != nil {
		if err := Can(actor, ActReschedule, d); err != nil {
			return "", err
		}
		if start, end := editedWindow(*d, ed); !sameWindow(*d, start, end) { // the same window is no change
			w, err := e.reschedule(ctx, q, actor, d, start, end)
			if err != nil {
				return "", err
			}
			did = append(did, w)
		}
	}
	if ed.Assignee != nil && *ed.Assignee != d.Assignee {
		w, err := e.reassign(ctx, q, actor, d, *ed.Assignee)
		if err != nil {
			return "", err
		}
		did = append(did, w)
	}
	if ed.ChangeRef != nil || ed.After != nil {
		if err := Can(actor, ActReschedule, d); err != nil {
			return "", err
		}
	}
	if ed.ChangeRef != nil && strings.TrimSpace(*ed.ChangeRef) != d.ChangeRef {
		w, err := e.setChangeRef(ctx, q, actor, d, strings.TrimSpace(*ed.ChangeRef))
		if err != nil {
			return "", err
		}
		did = append(did, w)
	}
	if ed.After != nil && *ed.After != d.After {
		w, err := e.setAfter(ctx, q, actor, d, *ed.After)
		if err != nil {
			return "", err
		}
		did = append(did, w)
	}
	if len(did) == 0 {
		return "", models.Invalidf("deployment #%d already is as asked: nothing changed", d.ID)
	}
	return strings.Join(did, "; "), nil
}

// checkEdit refuses the values of ed that no edit of d may take, before anything is
// changed or previewed, under the flags that gave them: a new length out of bounds
// (a kept one still moves, see newWindow), a person who cannot carry it out ("" is
// nobody, which may be).
func (e *Engine) checkEdit(d models.Deployment, ed Edit) error {
	if ed.Duration != nil && *ed.Duration != d.ScheduledEnd.Sub(d.ScheduledStart) {
		if err := models.CheckWindowLength(*ed.Duration); err != nil {
			return models.Invalidf("--duration: %v", err)
		}
	}
	if ed.Assignee != nil && *ed.Assignee != "" && *ed.Assignee != d.Assignee {
		return e.checkAssignee("--assignee", *ed.Assignee)
	}
	return nil
}

// editedWindow is the window an edit asks for: a new start keeps the length unless a
// new one is given, and a new length alone keeps the start.
func editedWindow(d models.Deployment, ed Edit) (time.Time, time.Time) {
	start, length := d.ScheduledStart, d.ScheduledEnd.Sub(d.ScheduledStart)
	if ed.Start != nil {
		start = *ed.Start
	}
	if ed.Duration != nil {
		length = *ed.Duration
	}
	return start, start.Add(length)
}

func (e *Engine) reassign(ctx context.Context, q store.Q, actor models.Person, d *models.Deployment, person string) (string, error) {
	if err := Can(actor, ActAssign, d); err != nil {
		return "", err
	}
	if err := q.SetAssignee(ctx, d.ID, person, e.Now()); err != nil {
		return "", err
	}
	did := AssignedText(d.Assignee, person)
	return "assigned " + did, q.AddEvent(ctx, e.event(ctx, d.ID, actor, EventAssigned, did))
}

func (e *Engine) setChangeRef(ctx context.Context, q store.Q, actor models.Person, d *models.Deployment, ref string) (string, error) {
	if err := models.CheckLabel("change reference", ref); err != nil {
		return "", err
	}
	if err := q.SetChangeRef(ctx, d.ID, ref, e.Now()); err != nil {
		return "", err
	}
	did := fmt.Sprintf("change %s → %s", dashIfEmpty(d.ChangeRef), dashIfEmpty(ref))
	return did, q.AddEvent(ctx, e.event(ctx, d.ID, actor, EventChanged, did))
}

func (e *Engine) setAfter(ctx context.Context, q store.Q, actor models.Person, d *models.Deployment, after int64) (string, error) {
	if err := checkAfter(ctx, q, d.ID, after); err != nil {
		return "", err
	}
	if err := q.SetAfter(ctx, d.ID, after, e.Now()); err != nil {
		return "", err
	}
	did := fmt.Sprintf("waits for %s (was %s)", afterText(after), afterText(d.After))
	return did, q.AddEvent(ctx, e.event(ctx, d.ID, actor, EventChanged, did))
}

// checkAfter refuses a deployment for id to wait for that is no deployment, or itself.
func checkAfter(ctx context.Context, q store.Q, id, after int64) error {
	switch {
	case after == id:
		return models.Invalidf("--after: deployment #%d cannot wait for itself", id)
	case after < 0:
		return models.Invalidf("--after: %d is not a deployment", after)
	case after != 0:
		d, err := q.Deployment(ctx, after)
		if err != nil {
			return models.Invalidf("--after: deployment #%d does not exist", after)
		}
		return noCircle(ctx, q, id, d)
	}
	return nil
}

// noCircle refuses id waiting for d when d already waits for id, directly or
// through others: none of them could ever start.
func noCircle(ctx context.Context, q store.Q, id int64, d models.Deployment) error {
	chain := []string{fmt.Sprintf("#%d", d.ID)}
	seen := map[int64]bool{d.ID: true}
	for {
		switch {
		case d.After == 0 || seen[d.After]:
			return nil // the end of the chain, or a circle of others a check before this missed
		case d.After == id:
			return models.Invalidf("--after: #%d cannot wait for %s, which waits for #%d: a circle, in which none could start",
				id, strings.Join(chain, ", which waits for "), id)
		}
		seen[d.After] = true
		chain = append(chain, fmt.Sprintf("#%d", d.After))
		next, err := q.Deployment(ctx, d.After)
		switch {
		case errors.Is(err, models.ErrNotFound):
			return nil // the chain ends at one since gone
		case err != nil:
			return err
		}
		d = next
	}
}

func afterText(id int64) string {
	if id == 0 {
		return "nothing"
	}
	return fmt.Sprintf("#%d", id)
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// PreviewEdit finds the deployment as ed would leave it and the conflicts it would
// be in then, without a write
// transaction (one read snapshot), so a form can show them as the person chooses. A
// window the edit would refuse (one that has ended, a start in the past, a deployment
// that has started) is refused here too.
func (e *Engine) PreviewEdit(ctx context.Context, actor models.Person, id int64, ed Edit) (models.Deployment, []models.Conflict, error) {
	var (
		cs     []models.Conflict
		edited models.Deployment
	)
	err := e.readable(ctx, actor, id, func(q store.Q, d models.Deployment) error {
		if err := e.checkEdit(d, ed); err != nil {
			return err
		}
		if start, end := editedWindow(d, ed); (ed.Start != nil || ed.Duration != nil) && !sameWindow(d, start, end) {
			start, end, err := e.newWindow(d, start, end) // as edit: the window it has is no change
			if err != nil {
				return err
			}
			d.ScheduledStart, d.ScheduledEnd = start, end
		}
		if ed.Assignee != nil {
			d.Assignee = *ed.Assignee
		}
		if ed.After != nil {
			if err := checkAfter(ctx, q, d.ID, *ed.After); err != nil {
				return err // the edit would refuse it, so the preview does not invent its conflict
			}
			d.After = *ed.After
		}
		var err error
		cs, err = e.check(ctx, q, d)
		edited = d
		return err
	})
	return edited, cs, err
}
