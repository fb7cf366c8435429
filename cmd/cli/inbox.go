package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
	"ferry/models"
)

type inboxJSON struct {
	Kind       string          `json:"kind"`       // gate, blocked, failure, conflict, review, model, channel
	Deployment *deploymentJSON `json:"deployment"` // null for a channel or a model
	Channel    string          `json:"channel,omitempty"`
	Model      string          `json:"model,omitempty"`
	Step       int             `json:"step,omitempty"`
	ConflictID string          `json:"conflict_id,omitempty"`
	Message    string          `json:"message"`
	Since      time.Time       `json:"since"`
	Next       string          `json:"next"`
}

func (a *app) inboxCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inbox [--json]",
		Short: "What waits for you: gates to approve, blocked items, recent failures, your conflicts",
		Long: "Gates you may approve on any deployment, checklist items blocked and steps\n" +
			"interrupted on deployments you work on, deployments that failed or rolled back in\n" +
			"the last 24 hours (by when they failed), runs past their end and plans whose start\n" +
			"passed, open conflicts of deployments you requested or are assigned (until nothing\n" +
			"in one is still planned, once a manager let one start against it), failing\n" +
			"notification channels, failures left without a review for [ferry] review_after,\n" +
			"and models due for review: yours, or all for managers (but the conflicts, which\n" +
			"are of your own deployments for everyone: ferry conflicts --open lists them all).\n" +
			"The console's \"Needs you\" is the same list, but that it counts the open\n" +
			"conflicts it shows by kind (all of them; a technician's, their own) rather than\n" +
			"listing yours, lists the three oldest failures waiting for a review with how many\n" +
			"more, and shows open incidents (an analyst's \"To watch\" shows everyone's\n" +
			"failures and lateness).",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			items, err := a.eng.Inbox(a.ctx, a.actor)
			if err != nil {
				return err
			}
			if asJSON {
				out := []inboxJSON{}
				for _, it := range items {
					out = append(out, a.inboxItemJSON(it))
				}
				return writeJSON(a.stdout, out)
			}
			if len(items) == 0 {
				fmt.Fprintf(a.stdout, "Nothing waits for %s.\n", a.actor.Name)
				return nil
			}
			label := len("conflict") // the kinds' column, wider for "interrupted"
			for _, it := range items {
				label = max(label, len(it.Kind))
			}
			for _, it := range items {
				what := it.Message
				// Led by its deployment, unless the message names it first already.
				if id := fmt.Sprintf("#%d", it.Deployment.ID); it.Kind != engine.InboxChannel && it.Kind != engine.InboxModel &&
					!strings.HasPrefix(what, id+" ") {
					what = id + " " + what
				}
				fmt.Fprintf(a.stdout, "%-*s %s\n%*s %s\n", label, it.Kind, what, label, "", a.inboxNext(it))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as a JSON array")
	return cmd
}

func (a *app) inboxItemJSON(it engine.InboxItem) inboxJSON {
	j := inboxJSON{Kind: it.Kind, Channel: it.Channel, Model: it.Model, Step: it.Seq, Message: it.Message,
		Since: it.At.UTC(), Next: a.inboxNext(it)}
	if it.Deployment.ID != 0 { // a channel or a model is about none: null, not a zero deployment of year 1
		d := toJSON(it.Deployment)
		j.Deployment = &d
	}
	if it.Conflict != nil {
		j.ConflictID = it.Conflict.ID
	}
	return j
}

// inboxNext is the command that deals with an item.
func (a *app) inboxNext(it engine.InboxItem) string {
	id := it.Deployment.ID
	switch it.Kind {
	case engine.InboxGate:
		return fmt.Sprintf("ferry gate approve %d  (or gate reject %d --reason R)", id, id)
	case engine.InboxBlocked:
		return fmt.Sprintf("ferry step unblock %d %d --note N", id, it.Seq)
	case engine.InboxInterrupted:
		return fmt.Sprintf("ferry deploy resume %d  (or deploy retry %d --from-step %d, deploy fail %d --reason R)", id, id, it.Seq, id)
	case engine.InboxFailure:
		return fmt.Sprintf("ferry deploy show %d", id)
	case engine.InboxOverrun:
		return fmt.Sprintf("ferry deploy show %d  (it goes on; the overrun is kept when it finishes)", id)
	case engine.InboxOverdue:
		if engine.Can(a.actor, engine.ActReschedule, &it.Deployment) != nil {
			return fmt.Sprintf("ferry deploy show %d  (ask a manager or its requester to move or cancel it)", id)
		}
		return fmt.Sprintf("ferry deploy reschedule %d --start now  (or deploy run %d, deploy cancel %d --reason R)", id, id, id)
	case engine.InboxConflict:
		switch {
		case it.Movable == 0 && engine.Can(a.actor, engine.ActOverride, &it.Deployment) == nil:
			// Nothing in it moves (its deployments are under way): a manager weighs it.
			return fmt.Sprintf("ferry conflicts override %s --reason R  (nothing in it can move now)", it.Conflict.ID)
		case it.Movable == 0 && it.Deployment.Status != models.StatusPlanned:
			return fmt.Sprintf("ferry deploy show %d  (it is under way and no longer moves: a manager may override the conflict)", id)
		case it.Movable == 0:
			return "ferry conflicts  (ask a manager to move or resolve it)"
		}
		return fmt.Sprintf("ferry deploy suggest %d", it.Movable)
	case engine.InboxModel:
		return fmt.Sprintf("ferry review list --model %s  (and ferry improvement add --model %s …)", it.Model, it.Model)
	case engine.InboxReview:
		return fmt.Sprintf("ferry review add %d --outcome O --lessons TEXT  (or w on its record in the console)", id)
	case engine.InboxChannel:
		return fmt.Sprintf("ferry notify status  (then ferry notify test %s)", it.Channel)
	}
	return ""
}
