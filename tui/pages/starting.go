package pages

import (
	"fmt"
	"strings"

	"ferry/engine"
	"ferry/models"
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

// why is why deployment id cannot be started now by actor, or "".
func (s starting) why(actor models.Person, id int64) string {
	if len(s.breaks) == 0 || s.mayOverride {
		return ""
	}
	return refusedText(actor, id, s.breaks)
}

// refusedText is a start refused for bs: what breaks, and the ways on.
func refusedText(actor models.Person, id int64, bs []engine.Break) string {
	return fmt.Sprintf("#%d cannot start now: %s; %s", id, engine.BreaksFor(actor, bs), waysOn(actor, bs))
}

// refusedBrief is refusedText with what breaks named by kind ("window, capacity ×4,
// person"), for where the whole does not fit: a phone's footer, the top of a
// checklist.
func refusedBrief(actor models.Person, id int64, bs []engine.Break) string {
	return fmt.Sprintf("#%d cannot start now (%s); %s", id, engine.BreaksBrief(bs), waysOn(actor, bs))
}

// waysOn says what lets a refused start go ahead: in the console's keys the ways the
// person may take, and who to ask for the rest (the engine says which are whose).
func waysOn(actor models.Person, bs []engine.Break) string {
	ways := engine.WaysText(actor, bs, map[engine.Way]string{
		engine.WayMove:     "move it (m on its page)",
		engine.WayResolve:  "resolve its conflicts (s on its page)",
		engine.WayOverride: "start it anyway, with a reason",
	}, map[engine.Way]string{engine.WayMove: "move it", engine.WayResolve: "resolve its conflicts",
		engine.WayOverride: "start it anyway"})
	return "ways on: " + strings.Join(ways, ", ")
}

// instead is what a manager may do rather than start against bs, "" when nothing
// else settles them: asked for an override's reason alone, a manager was never told
// that moving a late deployment (m) starts it with no audit finding.
func instead(actor models.Person, bs []engine.Break) string {
	var ways []string
	for _, w := range engine.WaysText(actor, bs, map[engine.Way]string{
		engine.WayMove:    "move it (m on its page)",
		engine.WayResolve: "resolve its conflicts (s on its page)",
	}, nil) {
		if w != "" {
			ways = append(ways, w)
		}
	}
	if len(ways) == 0 {
		return ""
	}
	return "; rather than override, esc and " + engine.OrList(ways)
}

// needsReason reports whether a start breaks a control, which this person may
// override with a reason.
func (s starting) needsReason() bool { return len(s.breaks) > 0 && s.mayOverride }
