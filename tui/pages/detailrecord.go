package pages

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
)

// writeSteps lists the steps stage by stage, then the on-failure steps.
func (d *detailScreen) writeSteps(b *strings.Builder) {
	st := d.c.Styles
	var stage models.Stage
	for _, s := range d.rec.run.Steps {
		if s.Step.Stage != stage {
			stage = s.Step.Stage
			p := d.stageProgress(stage)
			marker := ""
			if p.Current {
				marker = st.Warn.Render("  ◀ now")
			}
			fmt.Fprintf(b, "\n %s %s%s\n", st.Bold.Render(stage.Title()), st.Dim.Render(p.Text()), marker)
		}
		d.writeStep(b, s)
	}
	if len(d.rec.run.OnFailure) > 0 {
		fmt.Fprintf(b, "\n %s %s\n", st.Bold.Render("On failure"), st.Dim.Render("· run when their stage fails"))
		for _, s := range d.rec.run.OnFailure {
			d.writeStep(b, s)
		}
	}
}

func (d *detailScreen) stageProgress(stage models.Stage) engine.StageProgress {
	for _, p := range d.rec.run.Stages {
		if p.Stage == stage {
			return p
		}
	}
	return engine.StageProgress{Stage: stage}
}

// writeStep is one step: its state, who set it and when, its note, and for an
// automated step how its newest attempt ended and the last lines it wrote.
func (d *detailScreen) writeStep(b *strings.Builder, s engine.StepState) {
	st := d.c.Styles
	who := ""
	if s.Actor != "" {
		who = st.Dim.Render(s.Actor + " " + d.c.Local(s.At, "02 Jan 15:04"))
	}
	kind := ""
	if s.Step.Kind != models.StepManual {
		kind = st.Dim.Render(" (" + string(s.Step.Kind) + ")")
	}
	optional := ""
	if !s.Step.Required {
		optional = st.Dim.Render(" (optional)")
	}
	if s.Step.Kind == models.StepAutomated && len(s.Attempts) == 0 && s.Status == models.StepPending {
		who = st.Dim.Render("not run")
	}
	row := common.Hanging("  "+st.StepGlyph(s.Status)+" ", s.Step.Name+kind+optional, d.w)
	if last := row[len(row)-1]; who != "" && lipgloss.Width(last+"  "+who) <= d.w {
		row[len(row)-1] = last + "  " + who
	} else if who != "" { // who and when stay together, under the name
		row = append(row, "      "+who)
	}
	writeLines(b, row)
	note := s.Note
	if a, ok := s.Last(); ok {
		d.writeAttempt(b, s, a)
		if note == a.Detail {
			note = "" // an automated step's note is how its attempt ended: said above
		}
	}
	if s.BlockReason != "" {
		writeLines(b, common.Hanging("      "+st.Bad.Render("blocked: "), s.BlockReason, d.w, st.Bad))
	}
	if note != "" {
		// The quote hangs in the margin: the note's words align under each other.
		writeLines(b, common.Hanging("      "+st.Dim.Render("“"), note+"”", d.w, st.Dim))
	}
}

// writeAttempt says how the newest attempt at s ended and shows its last lines.
func (d *detailScreen) writeAttempt(b *strings.Builder, s engine.StepState, a models.Attempt) {
	st := d.c.Styles
	var facts []string
	if a.ExitCode != nil {
		facts = append(facts, fmt.Sprintf("exit %d", *a.ExitCode))
	}
	if a.Detail != "" && (a.ExitCode == nil || a.Detail != fmt.Sprintf("exit %d", *a.ExitCode)) {
		facts = append(facts, a.Detail)
	}
	if n := len(s.Attempts); n > 1 {
		facts = append(facts, fmt.Sprintf("%d attempts", n))
	}
	if !a.StartedAt.IsZero() && !a.FinishedAt.IsZero() {
		facts = append(facts, elapsed(a.FinishedAt.Sub(a.StartedAt)))
	}
	switch {
	case a.Lines == 0:
		facts = append(facts, "no output")
	case a.Lines > int64(len(d.rec.tails[s.Seq])):
		facts = append(facts, fmt.Sprintf("%d lines · o shows all", a.Lines))
	default:
		facts = append(facts, fmt.Sprintf("%d line%s", a.Lines, common.Plural(int(a.Lines))))
	}
	writeLines(b, common.Hanging("      ", strings.Join(facts, " · "), d.w, st.Dim))
	for _, l := range d.rec.tails[s.Seq] {
		mark, text := st.Dim.Render("│"), common.Fit(strings.ReplaceAll(l.Text, "\t", "    "), max(10, d.w-9))
		if l.Stream == models.StreamErr {
			mark, text = st.Warn.Render("!"), st.Warn.Render(text)
		}
		fmt.Fprintf(b, "      %s %s\n", mark, strings.TrimRight(text, " "))
	}
}

// elapsed is a step's run time: "850ms", "12s", "3m05s".
func elapsed(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return models.HumanDuration(d)
}

// writeIncidents lists the incidents linked to the deployment, or says there are none.
func (d *detailScreen) writeIncidents(b *strings.Builder) {
	st := d.c.Styles
	if len(d.det.Incidents) == 0 {
		hint := ""
		if d.whyNoIncident() == "" {
			hint = " · i records one"
		}
		fmt.Fprintf(b, "\n %s %s\n", st.Bold.Render("Incidents"), st.Dim.Render("none"+hint))
		return
	}
	fmt.Fprintf(b, "\n %s %s\n", st.Bold.Render("Incidents"), st.Dim.Render(fmt.Sprint(len(d.det.Incidents))))
	for _, in := range d.det.Incidents {
		opened := d.c.At(in.OpenedAt)
		until := st.Bad.Render("open")
		if !in.ResolvedAt.IsZero() {
			resolved := d.c.Local(in.ResolvedAt, "15:04") // the day it opened
			if d.c.Local(in.ResolvedAt, "2006-01-02") != d.c.Local(in.OpenedAt, "2006-01-02") {
				resolved = d.c.At(in.ResolvedAt)
			}
			until = resolved + st.Dim.Render(" ("+models.HumanDuration(in.ResolvedAt.Sub(in.OpenedAt))+")")
		}
		fmt.Fprintf(b, "  %s %s → %s\n", st.Bad.Render("!"), opened, until)
		writeLines(b, common.Hanging("    ", in.Summary, d.w))
	}
}

// writeLines writes lines, each ended.
func writeLines(b *strings.Builder, lines []string) {
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
}
