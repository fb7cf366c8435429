package pages

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"ferry/engine"
	"ferry/models"
)

// A step tried again shows its attempts one under the other with a rule between,
// and what it wrote to standard error is marked with !.
func TestRunLogSeparatesAttempts(t *testing.T) {
	t.Parallel()
	v := newRunView(newTestCommon(t, "ana"), 1)
	v.w = 80
	v.add([]models.OutputLine{
		{ID: 1, Seq: 2, Attempt: 1, Text: "smoke: FAIL", Stream: models.StreamErr},
		{ID: 2, Seq: 2, Attempt: 2, Text: "smoke: ok", Stream: models.StreamOut},
		{ID: 3, Seq: 3, Attempt: 1, Text: "next step"},
	})
	// The first attempt was interrupted: its rule says so.
	v.st.Steps = []engine.StepState{{}, {StepRun: models.StepRun{Seq: 2, Status: models.StepDone}, Attempts: []models.Attempt{
		{Seq: 2, Attempt: 1, Status: models.StepInterrupted}, {Seq: 2, Attempt: 2, Status: models.StepDone}}}}
	v.setLog()
	got := ansi.Strip(v.vp.GetContent())
	lines := strings.Split(got, "\n")
	// Each attempt under its rule, the first too; a step run once has none.
	if len(lines) != 5 || !strings.Contains(lines[0], "step 2, attempt 1 (interrupted)") || !strings.HasPrefix(lines[1], "  2!smoke: FAIL") ||
		!strings.Contains(lines[2], "step 2, attempt 2 ─") || !strings.HasPrefix(lines[3], "  2 smoke: ok") ||
		!strings.HasPrefix(lines[4], "  3 next step") {
		t.Fatalf("the log:\n%s", got)
	}
}

// A long line is wrapped, not cut: the end of a failing command's line is often why.
func TestRunLogWrapsLongLines(t *testing.T) {
	t.Parallel()
	v := newRunView(newTestCommon(t, "ana"), 1)
	v.w = 60
	why := "sha256sum: artifacts/payments-api-4.12.0.tar.gz: No such file or directory"
	v.add([]models.OutputLine{{ID: 1, Seq: 1, Attempt: 1, Text: "checking " + why, Stream: models.StreamErr}})
	v.setLog()
	got := ansi.Strip(v.vp.GetContent())
	if joined := strings.Join(strings.Fields(got), " "); !strings.Contains(joined, "No such file or directory") ||
		strings.Contains(got, "…") {
		t.Fatalf("the log:\n%s", got)
	}
	for _, l := range strings.Split(got, "\n") {
		if ansi.StringWidth(l) > v.w {
			t.Fatalf("a line wider than the view (%d):\n%s", v.w, got)
		}
	}
}

// A poll's answer that comes after the answer asked once the run ended is not shown
// over it: the view went back to "executing" with the output of a step before.
func TestRunViewKeepsTheNewerAnswer(t *testing.T) {
	t.Parallel()
	v := newRunView(newTestCommon(t, "ana"), 1)
	v.w, v.h = 80, 30
	older, newer := v.Refresh(), v.Refresh()
	oldMsg, newMsg := older().(runLoadedMsg), newer().(runLoadedMsg)
	oldMsg.view.Run.Deployment.Status = models.StatusExecuting // as a poll read it a moment before
	newMsg.view.Run.Deployment.Status = models.StatusSucceeded
	v.Update(newMsg)
	v.Update(oldMsg)
	if got := v.st.Deployment.Status; got != models.StatusSucceeded {
		t.Fatalf("the older answer was shown over the newer: %s", got)
	}
}
