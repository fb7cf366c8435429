package cli

import (
	"cmp"
	"io"
	"time"

	"github.com/spf13/cobra"

	"ferry/engine"
	"ferry/engine/export"
)

func (a *app) scheduleCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "The schedule, for other tools",
		Args:  noArgs,
	}
	cmd.AddCommand(a.scheduleExportCmd())
	return cmd
}

func (a *app) scheduleExportCmd() *cobra.Command {
	var format, env, from, to, out string
	cmd := &cobra.Command{
		Use:   "export --format ics [--env E] [--from D] [--to D] [--out FILE]",
		Short: "Planned deployments, freezes and maintenance windows as an iCalendar file",
		Long: "Writes the planned deployments, freeze windows and maintenance windows from --from (default\n" +
			"today) to --to (default 90 days later) as iCalendar (RFC 5545), in UTC. Each entry keeps its\n" +
			"UID, so a calendar that imports the file again, or subscribes to it, updates rather than\n" +
			"duplicates.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "ics" {
				return usagef("--format %q: only ics is written", format)
			}
			if err := writable(out); err != nil {
				return err
			}
			if err := a.open(); err != nil {
				return err
			}
			f := engine.CalendarFilter{Environment: env}
			var err error
			if f.From, err = a.flagDate("--from", from); err != nil {
				return err
			}
			if f.From.IsZero() {
				y, m, d := a.eng.Now().In(a.cfg.Location).Date()
				f.From = time.Date(y, m, d, 0, 0, 0, 0, a.cfg.Location)
			}
			if f.To, err = a.flagDate("--to", to); err != nil {
				return err
			}
			if f.To.IsZero() {
				f.To = f.From.AddDate(0, 0, 90)
			}
			if !f.To.After(f.From) { // as history and report refuse it: a usage error
				return usagef("--to: %s is not after --from %s: nothing could match%s", to,
					cmp.Or(from, f.From.Format("2006-01-02")+" (today)"), a.dayAfterHint(to))
			}
			events, err := a.eng.Calendar(a.ctx, a.actor, f)
			if err != nil {
				return err
			}
			write := func(w io.Writer) error { return export.WriteICS(w, events, a.eng.Now()) }
			if out == "" {
				// iCalendar's lines end in CRLF, which the safe writer would show as a
				// picture; WriteICS escapes every stored text itself.
				return write(a.rawStdout())
			}
			return a.writeOut(out, write)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "ics", "ics (iCalendar)")
	fl.StringVar(&env, "env", "", "only this environment")
	fl.StringVar(&from, "from", "", "from this date or time (default today)")
	fl.StringVar(&to, "to", "", "until this date or time, exclusive (default 90 days after --from)")
	fl.StringVar(&out, "out", "", "write to this file instead of standard output")
	return cmd
}
