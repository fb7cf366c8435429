package pages

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"ferry/engine"
)

// A release's preview says why a component of it is left out, as the CLI does.
func TestReleasePreviewSaysWhyAComponentIsSkipped(t *testing.T) {
	c := newTestCommon(t, "ana")
	p := NewReleasePlan(c, "").(*releasePlanForm)
	p.v.env = "dev"
	p.preview = releasePreview{gen: 1, out: engine.PlannedRelease{Skipped: []string{"rack-b07-db-server"}}}
	got := strings.Join(strings.Fields(ansi.Strip(strings.Join(p.previewLines(40, 20), " "))), " ")
	if !strings.Contains(got, "rack-b07-db-server skipped: no model takes it to dev") {
		t.Fatalf("the preview: %q", got)
	}
}
