package demo

import "ferry/models"

// The words people write in the history: why a deployment was cancelled, notes on
// ticked items, why a step failed or an approval was refused, and incident summaries
// (by kind; %[1]s is the component, %[2]s the version, %[3]s the environment).

var cancelReasons = []string{
	"superseded by a newer version",
	"change request withdrawn by the requester",
	"requester asked to postpone",
	"environment unavailable, replanned",
	"dependency not ready yet",
	"duplicate of another deployment",
	"vendor delivery delayed",
	"postponed after the go/no-go meeting",
}

var tickNotes = []string{
	"all good",
	"checked with the second on shift",
	"photos attached to the change",
	"serial numbers match the order",
	"second pair of eyes on this one",
	"done, no remarks",
	"labels printed and applied",
	"as in the runbook",
}

// manualFailures are why a person failed a checklist item, by what was deployed: a
// documentation deployment does not fail on a dead power supply.
var manualFailures = map[models.Kind][]string{
	models.KindHardware: {
		"rails do not fit the rack, wrong kit delivered",
		"one power supply dead on arrival",
		"POST fails: memory error on DIMM B2",
		"serial number differs from the order",
	},
	models.KindSoftware: {
		"does not match: see note in the change",
		"screenshots show the old version",
		"login page shows an error after the switch",
	},
	models.KindData: {
		"row counts do not match the source",
		"does not match: see note in the change",
	},
	models.KindDocumentation: {
		"publishing job stopped: the link check found broken links",
		"screenshots show the old version",
		"links to the old pages still published",
	},
	models.KindLicence: {
		"seat count differs from the purchase order",
		"licence key rejected by the vendor portal",
	},
}

var refusals = []string{
	"load test results missing",
	"too close to the month-end closing",
	"rollback plan not documented",
	"open incident on the same service",
}

// reviewLessons are what a review says was learned from a deployment that went
// well, and lessonGate one about its approval (for models with a gate).
var reviewLessons = []string{"went as planned", "the checklist was clear", "smooth; the window was generous",
	"good communication with the requester"}

const lessonGate = "lead time too long: approval waited a day"

// failureLessons are what a review of a failure says was learned, by what was
// deployed; lessonRollback is said of a rollback only.
var failureLessons = map[models.Kind][]string{
	models.KindSoftware: {"the smoke tests did not cover the new endpoint", "configuration drift between staging and production",
		"capacity was not checked before the start", "test data did not match production"},
	models.KindData: {"test data did not match production", "the migration was not tried on a full-size copy",
		"capacity was not checked before the start"},
	models.KindHardware: {"the supplier's package was incomplete", "the rack survey was out of date",
		"spare parts were not on site"},
	models.KindDocumentation: {"the review started too late", "screenshots were taken before the release"},
	models.KindLicence:       {"the supplier's package was incomplete", "the seat count was not checked with purchasing"},
}

const lessonRollback = "the rollback worked, but took too long"

var incidentTexts = map[models.Kind][]string{
	models.KindSoftware: {
		"%[1]s %[2]s: error rate above 5%% in %[3]s after the rollout",
		"%[1]s %[2]s: p95 latency doubled in %[3]s",
		"%[1]s %[2]s: memory leak, pods restarted every 40 minutes",
		"Login failures for some users after %[1]s %[2]s reached %[3]s",
		"%[1]s %[2]s: feature flags reset to defaults in %[3]s",
		"%[1]s %[2]s: queue backlog growing, consumers crash on old messages",
		"%[1]s %[2]s: TLS certificate chain incomplete, partner calls fail",
	},
	models.KindData: {
		"%[1]s %[2]s: reconciliation report shows missing rows in %[3]s",
		"%[1]s %[2]s: migration locked tables for 25 minutes in %[3]s",
		"Reports empty after %[1]s %[2]s in %[3]s",
		"%[1]s %[2]s: index missing, nightly batch ran four hours late",
	},
	models.KindHardware: {
		"%[1]s: ECC memory errors after installation",
		"%[1]s: one power supply failed, running on a single feed",
		"%[1]s: not reachable from monitoring after cabling",
		"%[1]s: fan failure alarm, inlet temperature high",
	},
	models.KindDocumentation: {
		"%[1]s %[2]s: failover step in the runbook is wrong, on-call escalated",
		"%[1]s %[2]s: broken links in %[3]s",
		"%[1]s %[2]s: published page shows internal hostnames",
	},
	models.KindLicence: {
		"%[1]s %[2]s: seat limit reached, users locked out",
		"%[1]s %[2]s: licence server rejects the new key",
	},
}
