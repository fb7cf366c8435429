package engine

import (
	"fmt"
	"strings"
	"time"

	"ferry/engine/schedule"
	"ferry/models"
)

// What an act needs written, in the words every way in says it: the engine refuses
// the act without it, and an entry point that asks before the act (the CLI, under its
// flag; the console, under its field) says what the engine would, not words of its
// own for the same rule.
const (
	NeedCancelReason     = "say why the deployment is cancelled"
	NeedFailReason       = "say why the deployment failed"
	NeedOverrideReason   = "say why this conflict is accepted; it is kept as an audit finding"
	NeedRejectReason     = "say why the gate is refused; it is kept on the record"
	NeedBlockReason      = "say what blocks the item"
	NeedIncidentSummary  = "say what happened"
	NeedLessons          = "say what was learned (what went well, what should change)"
	NeedImprovementTitle = "say what should change"
	NeedFindingSummary   = "say what was found"
)

// NoSlot is what a suggestion that found nothing says, in every way in: the
// horizon's days are the engine's (schedule.Horizon), not each page's.
var NoSlot = fmt.Sprintf("no conflict-free slot within %d days", HorizonDays)

// HorizonDays is how many days either way a suggestion searches.
const HorizonDays = int(schedule.Horizon / (24 * time.Hour))

// NeedVersionReason is what blocking a version needs written.
func NeedVersionReason(component, version string) string {
	return fmt.Sprintf("say why %s %s is blocked; people who try to use it read it", component, version)
}

// NeedInVersion is what marking improvement id of model implemented needs: the
// model version that carries it.
func NeedInVersion(id int64, model string) string {
	return fmt.Sprintf("say which version of %s implements improvement %d", model, id)
}

// Written refuses text left empty (or blank) for an act that needs it, saying need,
// one of the Need sentences.
func Written(text, need string) error {
	if strings.TrimSpace(text) == "" {
		return models.Invalidf("%s", need)
	}
	return nil
}
