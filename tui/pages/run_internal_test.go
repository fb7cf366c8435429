package pages

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

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
	v.setLog()
	got := ansi.Strip(v.vp.GetContent())
	lines := strings.Split(got, "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "  2!smoke: FAIL") || !strings.Contains(lines[1], "step 2, attempt 2") ||
		!strings.HasPrefix(lines[2], "  2 smoke: ok") || !strings.HasPrefix(lines[3], "  3 next step") {
		t.Fatalf("the log:\n%s", got)
	}
}
