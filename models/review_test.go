package models

import "testing"

func TestParseImprovementStatus(t *testing.T) {
	for in, want := range map[string]ImprovementStatus{
		"proposed": ImprovementProposed, "in_progress": ImprovementInProgress,
		"in progress": ImprovementInProgress, "rejected": ImprovementRejected,
	} {
		if got, ok := ParseImprovementStatus(in); !ok || got != want {
			t.Errorf("ParseImprovementStatus(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "in-progress", "In progress", "done"} {
		if got, ok := ParseImprovementStatus(in); ok {
			t.Errorf("ParseImprovementStatus(%q) = %q, true; want false", in, got)
		}
	}
}
