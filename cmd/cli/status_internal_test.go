package cli

import (
	"testing"

	"ferry/models"
)

// A finished deployment is not "interrupted": its step stays as the cancel or the
// failure left it, and nobody is to resume it (deploy show said "cancelled,
// interrupted").
func TestStatusTextOfAFinishedDeployment(t *testing.T) {
	for _, c := range []struct {
		s    models.Status
		want string
	}{{models.StatusExecuting, "executing, interrupted"}, {models.StatusCancelled, "cancelled"},
		{models.StatusFailed, "failed"}} {
		if got := statusText(models.Deployment{Status: c.s}, true); got != c.want {
			t.Errorf("%s with an interrupted step: %q, want %q", c.s, got, c.want)
		}
	}
}
