package common

import (
	"strings"
	"testing"

	"ferry/engine"
	"ferry/models"
)

func TestCleanReachesEveryStoredText(t *testing.T) {
	bad := "x\x1b[2J\u202E"
	v := engine.DeploymentView{}
	v.Detail.Deployment.ChangeRef = bad
	v.Detail.Events = []models.Event{{Detail: bad}}
	v.Detail.Incidents = []models.Incident{{Summary: bad}}
	v.Tails = map[int][]models.OutputLine{1: {{Text: bad}}}
	v.Run.Waiting = &engine.Waiting{Message: bad}
	Clean(&v)
	for name, got := range map[string]string{"change": v.Detail.ChangeRef, "event": v.Detail.Events[0].Detail,
		"incident": v.Detail.Incidents[0].Summary, "tail": v.Tails[1][0].Text, "waiting": v.Run.Waiting.Message} {
		if strings.ContainsAny(got, "\x1b\u202E") || !strings.Contains(got, "␛[2J") {
			t.Errorf("%s: %q", name, got)
		}
	}
}
