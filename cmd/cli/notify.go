package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
	"ferry/engine/notify"
	"ferry/models"
)

func (a *app) notifyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notify",
		Short: "Notifications: deliver the outbox, see how channels stand, test a channel",
		Args:  noArgs,
	}
	cmd.AddCommand(a.notifyRunCmd(), a.notifyStatusCmd(), a.notifyTestCmd())
	return cmd
}

func (a *app) sender() *notify.Sender { return notify.NewSender("ferry/" + Version) }

// minPoll is the shortest --poll: a message waits at most this long to be seen.
const minPoll = 100 * time.Millisecond

func (a *app) notifyRunCmd() *cobra.Command {
	var follow bool
	var opts engine.DeliverOptions
	cmd := &cobra.Command{
		Use:   "run [--follow]",
		Short: "Send the notifications waiting in the outbox (cron, a systemd timer, or --follow)",
		Long: "Raise the notices time makes (overdue, overrun, freeze_ahead, review_due), then send every message\n" +
			"of the outbox that is due, each channel on its own. A message that fails is tried again\n" +
			"later, waiting longer each time, until its channel's max_age: then it is dead, with its\n" +
			"last error. With --follow it goes on until stopped (ferry serve does the same).\n\n" +
			"Exit status: 0 nothing died; 1 a message died in this run.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Each look reads the database: more often than this only spins a core.
			if opts.Poll < minPoll {
				return usagef("--poll %s: must be at least %s", opts.Poll, minPoll)
			}
			if opts.ScanEvery < time.Second {
				return usagef("--scan-every %s: must be at least 1s", opts.ScanEvery)
			}
			if opts.Backoff < 0 {
				return usagef("--backoff %s: a wait cannot be negative", opts.Backoff)
			}
			if err := a.open(); err != nil {
				return err
			}
			out := &lockedWriter{w: a.stdout}
			opts.Sender = a.sender()
			opts.OnDelivery = func(d engine.Delivered) { printDelivery(out, d, a.cfg.Location) }
			if follow {
				fmt.Fprintf(a.stderr, "ferry: delivering notifications until stopped (%d channels)\n", len(a.cfg.Notify.Channels))
				a.eng.DeliverFollow(a.ctx, opts, func(err error) { fmt.Fprintln(a.stderr, "ferry: notify:", err) })
				return nil
			}
			if _, err := a.eng.ScanNotices(a.ctx); err != nil {
				return err
			}
			st, err := a.eng.Deliver(a.ctx, opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "sent %d, to retry %d, dead %d\n", st.Sent, st.Retried, st.Dead)
			if st.Dead > 0 {
				return exitError{ExitFailed}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&follow, "follow", false, "keep delivering until stopped")
	f.DurationVar(&opts.Poll, "poll", time.Second, "with --follow: how often to look for new messages")
	f.DurationVar(&opts.ScanEvery, "scan-every", 30*time.Second, "with --follow: how often to look for overdue, overrun, freeze_ahead and review_due")
	f.DurationVar(&opts.Backoff, "backoff", 5*time.Second, "wait before the first retry of a message (doubling, at most 15m)")
	_ = f.MarkHidden("backoff")
	return cmd
}

// printDelivery says what became of a message; a retry's time is in the
// organisation's zone, as every time Ferry shows (it was the process's, UTC on a
// server).
func printDelivery(out *lockedWriter, d engine.Delivered, loc *time.Location) {
	fmt.Fprintln(out, deliveryLine(d, loc))
}

// deliveryLine is what became of one message, in one line.
func deliveryLine(d engine.Delivered, loc *time.Location) string {
	who := d.Recipient
	if who == "" {
		who = "-"
	}
	line := fmt.Sprintf("%-7s %s %s → %s (%s)", d.Status, d.Channel, d.Event, who, d.Key)
	switch {
	case d.Status == models.OutboxPending:
		line = fmt.Sprintf("retry   %s %s → %s (%s) at %s, try %d failed: %v", d.Channel, d.Event, who, d.Key,
			d.Next.In(loc).Format("15:04:05 MST"), d.Attempts, d.Err)
	case d.Err != nil:
		line += ": " + d.Err.Error()
	}
	return line
}

type channelStatusJSON struct {
	Channel       string     `json:"channel"`
	Type          string     `json:"type"`
	Pending       int        `json:"pending"`
	Sent          int        `json:"sent"`
	Dead          int        `json:"dead"`
	Failing       bool       `json:"failing"`
	Retrying      bool       `json:"retrying"` // messages wait and the last try since the last send failed
	LastError     string     `json:"last_error"`
	LastErrorAt   *time.Time `json:"last_error_at"`
	LastSentAt    *time.Time `json:"last_sent_at"`
	OldestPending *time.Time `json:"oldest_pending"`
}

func (a *app) notifyStatusCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [--json]",
		Short: "Each channel's messages: pending, sent, dead, and the last error (managers)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			st, err := a.eng.NotifyStatus(a.ctx, a.actor)
			if err != nil {
				return err
			}
			if asJSON {
				out := []channelStatusJSON{}
				for _, s := range st {
					out = append(out, channelStatusJSON{Channel: s.Channel, Type: s.Type, Pending: s.Pending, Sent: s.Sent,
						Dead: s.Dead, Failing: s.Failing, Retrying: s.Retrying(), LastError: s.LastError, LastErrorAt: optTime(s.LastErrorAt),
						LastSentAt: optTime(s.LastSentAt), OldestPending: optTime(s.OldestPending)})
				}
				return writeJSON(a.stdout, out)
			}
			if len(st) == 0 {
				fmt.Fprintf(a.stdout, "No notification channels in %s ([[notify.channel]]).\n", a.cfg.File)
				return nil
			}
			fmt.Fprintf(a.stdout, "%-16s %-8s %8s %8s %6s  %s\n", "CHANNEL", "TYPE", "PENDING", "SENT", "DEAD", "LAST ERROR")
			for _, s := range st {
				last := "—"
				if s.LastError != "" {
					last = a.eng.Local(s.LastErrorAt) + ": " + s.LastError
				}
				mark := ""
				switch {
				case s.Failing:
					mark = "  ✗ failing"
				case s.Retrying():
					mark = "  ⟳ retrying"
				}
				fmt.Fprintf(a.stdout, "%-16s %-8s %8d %8d %6d  %s%s\n", s.Channel, s.Type, s.Pending, s.Sent, s.Dead, last, mark)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as a JSON array")
	return cmd
}

func (a *app) notifyTestCmd() *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "test CHANNEL [--to ADDRESS]",
		Short: "Send a test message over a channel now, and say how it went (managers)",
		Long: "Send a test message over CHANNEL at once, through the outbox (notify status counts it).\n" +
			"An email channel sends it to you (your email in config) or to --to. A test is tried\n" +
			"once: when it fails, the error is printed and the exit status is 1.",
		Args: exactArgs(1, "a CHANNEL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.open(); err != nil {
				return err
			}
			d, err := a.eng.TestChannel(a.ctx, a.actor, args[0], to, a.sender())
			if err != nil {
				return err
			}
			if d.Err != nil {
				fmt.Fprintf(a.stderr, "ferry: the test message on %s failed: %v\n", args[0], d.Err)
				return exitError{ExitFailed}
			}
			who := ""
			if d.Recipient != "" {
				who = " to " + strings.ReplaceAll(d.Recipient, ",", ", ")
			}
			fmt.Fprintf(a.stdout, "Sent a test message on %s%s (idempotency key %s).\n", args[0], who, d.Key)
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "email channels: the address to send the test to (default: your email)")
	return cmd
}
