package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"ferry/engine"
	"ferry/engine/export"
	"ferry/models"
)

// The --json shapes. Field names are a stable interface, documented in the README:
// add fields, never rename or remove them.

// deploymentJSON is the deployment's shape, shared with the console's exports.
type deploymentJSON = export.DeploymentJSON

type stepJSON struct {
	Seq      int        `json:"seq"`
	Stage    string     `json:"stage"`
	Name     string     `json:"name"`
	Kind     string     `json:"kind"`
	Required bool       `json:"required"`
	Status   string     `json:"status"`
	Actor    string     `json:"actor"`
	At       *time.Time `json:"at"`
	Note     string     `json:"note"`
	Blocked  string     `json:"block_reason,omitempty"` // while blocked: why
	ExitCode *int       `json:"exit_code"`
}

func stepToJSON(s models.StepRun) stepJSON {
	return stepJSON{Seq: s.Seq, Stage: string(s.Step.Stage), Name: s.Step.Name, Kind: string(s.Step.Kind),
		Required: s.Step.Required, Status: string(s.Status), Actor: s.Actor, At: optTime(s.At), Note: s.Note,
		Blocked: s.BlockReason, ExitCode: s.ExitCode}
}

type eventJSON struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	Principal string    `json:"principal"`
	Type      string    `json:"type"`
	Detail    string    `json:"detail"`
}

type incidentJSON struct {
	ID           int64      `json:"id"`
	DeploymentID int64      `json:"deployment_id,omitempty"`
	OpenedAt     time.Time  `json:"opened_at"`
	ResolvedAt   *time.Time `json:"resolved_at"`
	Summary      string     `json:"summary"`
}

type detailJSON struct {
	deploymentJSON
	Steps     []stepJSON     `json:"steps"`
	OnFailure []stepJSON     `json:"on_failure"` // the on-failure steps that apply, numbered after steps
	Events    []eventJSON    `json:"events"`
	Incidents []incidentJSON `json:"incidents"`
	Findings  []findingJSON  `json:"findings"`
	Review    *reviewJSON    `json:"review"` // null while it has no review
	// Conflicts it is in now, open and overridden (an unfinished deployment; a
	// finished one keeps them as findings)
	Conflicts []conflictJSON `json:"conflicts"`
}

type findingJSON struct {
	Kind          string    `json:"kind"` // override, emergency, at_start, unresolved, overrun
	Rule          string    `json:"rule"` // window, or a conflict kind
	ConflictID    string    `json:"conflict_id"`
	DeploymentIDs []int64   `json:"deployment_ids"`
	Message       string    `json:"message"`
	Reason        string    `json:"reason"`
	Actor         string    `json:"actor"`
	At            time.Time `json:"at"`
}

func findingToJSON(f models.Finding) findingJSON {
	ids := f.DeploymentIDs
	if ids == nil {
		ids = []int64{}
	}
	return findingJSON{Kind: f.Kind, Rule: f.Rule, ConflictID: f.ConflictID, DeploymentIDs: ids, Message: f.Message,
		Reason: f.Reason, Actor: f.Actor, At: f.At.UTC()}
}

var (
	stageName = export.StageName
	optTime   = export.OptTime
	toJSON    = export.JSONOf
)

func detailToJSON(det engine.Detail) detailJSON {
	out := detailJSON{deploymentJSON: toJSON(det.Deployment),
		Steps: []stepJSON{}, OnFailure: []stepJSON{}, Events: []eventJSON{}, Incidents: []incidentJSON{}, Findings: []findingJSON{},
		Conflicts: conflictsToJSON(det.Conflicts)}
	for _, f := range det.Findings {
		out.Findings = append(out.Findings, findingToJSON(f))
	}
	if det.Review != nil {
		r := reviewToJSON(*det.Review)
		out.Review = &r
	}
	for _, s := range det.Steps {
		out.Steps = append(out.Steps, stepToJSON(s))
	}
	for _, s := range det.OnFailure {
		out.OnFailure = append(out.OnFailure, stepToJSON(s.StepRun))
	}
	for _, e := range det.Events {
		out.Events = append(out.Events, eventJSON{ID: e.ID, At: e.At.UTC(), Actor: e.Actor, Principal: e.Principal,
			Type: e.Type, Detail: e.Detail})
	}
	for _, in := range det.Incidents {
		out.Incidents = append(out.Incidents, incidentJSON{ID: in.ID, OpenedAt: in.OpenedAt.UTC(),
			ResolvedAt: optTime(in.ResolvedAt), Summary: in.Summary})
	}
	return out
}

// writeList prints a list command's answer: with --json an array of toJSON's
// objects (empty, not null, when there are none); else a table under header, a row
// (tab-separated cells) each, or none when the list is empty.
func writeList[T, J any](w io.Writer, asJSON bool, list []T, toJSON func(T) J, none, header string, row func(T) string) error {
	if asJSON {
		out := make([]J, 0, len(list))
		for _, x := range list {
			out = append(out, toJSON(x))
		}
		return writeJSON(w, out)
	}
	if len(list) == 0 {
		_, err := fmt.Fprintln(w, none)
		return err
	}
	tw := table(w)
	fmt.Fprintln(tw, header)
	for _, x := range list {
		fmt.Fprintln(tw, row(x))
	}
	return tw.Flush()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
