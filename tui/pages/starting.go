package pages

import (
	"fmt"
	"strings"

	"ferry/engine"
)

// starting is what a page knows of starting a planned deployment: the controls a
// start would break now (its window, a freeze, a maintenance window, an open
// conflict), and whether the person may start it anyway with a reason. The engine
// decides both; the page only asks and shows.
type starting struct {
	breaks      []engine.Break
	mayOverride bool
}

func (s *starting) load(v engine.DeploymentView) {
	s.breaks, s.mayOverride = v.StartBreaks, v.MayOverride
}

// why is why deployment id cannot be started now by this person, or "".
func (s starting) why(id int64) string {
	if len(s.breaks) == 0 || s.mayOverride {
		return ""
	}
	return refusedText(id, s.breaks)
}

// refusedText is a start refused for bs: what breaks, and the ways on.
func refusedText(id int64, bs []engine.Break) string {
	return fmt.Sprintf("#%d cannot start now: %s; %s", id, engine.BreaksText(bs), waysOn(bs))
}

// waysOn says, in the console's keys, what lets a refused start go ahead (the engine
// says which ways there are).
func waysOn(bs []engine.Break) string {
	var ways []string
	for _, w := range engine.StartWays(bs) {
		switch w {
		case engine.WayMove:
			ways = append(ways, "move it (m on its page)")
		case engine.WayResolve:
			ways = append(ways, "resolve its conflicts (s on its page)")
		case engine.WayOverride:
			ways = append(ways, "a manager may start it anyway, with a reason")
		}
	}
	return "ways on: " + strings.Join(ways, ", ")
}

// needsReason reports whether a start breaks a control, which this person may
// override with a reason.
func (s starting) needsReason() bool { return len(s.breaks) > 0 && s.mayOverride }
