package models

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"
)

// Stage is a lifecycle stage that holds steps (guide Table 3.4).
type Stage string

const (
	StageVerifyComponents  Stage = "verify_components"
	StageVerifyEnvironment Stage = "verify_environment"
	StageExecute           Stage = "execute"
	StageVerifyDeployment  Stage = "verify_deployment"
)

// Stages lists the step-holding stages in the order they run.
var Stages = []Stage{StageVerifyComponents, StageVerifyEnvironment, StageExecute, StageVerifyDeployment}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return slices.Contains(Stages, s) }

// Title is the stage name for people.
func (s Stage) Title() string {
	switch s {
	case StageVerifyComponents:
		return "Verify components"
	case StageVerifyEnvironment:
		return "Verify environment"
	case StageExecute:
		return "Execute"
	case StageVerifyDeployment:
		return "Verify deployment"
	}
	return string(s)
}

// StepKind says how a step gets done.
type StepKind string

const (
	StepManual    StepKind = "manual"    // a checklist item a person ticks
	StepGate      StepKind = "gate"      // an approval by an authorised role
	StepAutomated StepKind = "automated" // a command or a built-in check
)

// Step is one action inside a stage of a deployment model.
type Step struct {
	Stage        Stage         `json:"stage"`
	Name         string        `json:"name"`
	Kind         StepKind      `json:"kind"`
	Hint         string        `json:"hint,omitempty"`
	Required     bool          `json:"required"`
	Run          string        `json:"run,omitempty"`
	Check        string        `json:"check,omitempty"` // http | checksum
	URL          string        `json:"url,omitempty"`
	ExpectStatus int           `json:"expect_status,omitempty"`
	Artifact     string        `json:"artifact,omitempty"`
	SHA256       string        `json:"sha256,omitempty"`
	SHA256File   string        `json:"sha256_file,omitempty"` // a file holding the expected checksum (sha256sum's form)
	Timeout      time.Duration `json:"timeout,omitempty"`
	Retries      int           `json:"retries,omitempty"`
	Roles        []Role        `json:"roles,omitempty"`        // who may approve a gate
	Environments []string      `json:"environments,omitempty"` // empty: every environment
	OnFailure    bool          `json:"on_failure,omitempty"`
}

// AppliesTo reports whether the step runs in environment env.
func (s Step) AppliesTo(env string) bool {
	return len(s.Environments) == 0 || slices.Contains(s.Environments, env)
}

// Validate checks the step's own fields.
func (s Step) Validate() error {
	if s.Name == "" {
		return Invalidf("step has no name")
	}
	if !s.Stage.Valid() {
		return Invalidf("step %q: unknown stage %q (one of verify_components, verify_environment, execute, verify_deployment)", s.Name, s.Stage)
	}
	if s.Run != "" && s.Check != "" {
		return Invalidf("step %q: has both run and check; a step does one thing", s.Name)
	}
	if s.Kind == StepGate && (s.Run != "" || s.Check != "") {
		return Invalidf("step %q: a gate cannot also run a command or a check", s.Name)
	}
	switch s.Check {
	case "":
	case "http":
		if s.URL == "" {
			return Invalidf("step %q: check \"http\" needs url", s.Name)
		}
	case "checksum":
		if s.Artifact == "" {
			return Invalidf("step %q: check \"checksum\" needs artifact", s.Name)
		}
	default:
		return Invalidf("step %q: unknown check %q (http or checksum)", s.Name, s.Check)
	}
	for _, r := range s.Roles {
		if !r.Valid() {
			return Invalidf("step %q: unknown role %q", s.Name, r)
		}
	}
	return nil
}

// Model is a deployment model: a repeatable approach for one type of deployment.
type Model struct {
	Name        string `json:"name"`
	Version     int    `json:"version"` // assigned by the store; 0 until stored
	Description string `json:"description,omitempty"`
	// ChangeNote says what this version changed; stored with the version, it does not
	// make a new version by itself.
	ChangeNote      string        `json:"change_note,omitempty"`
	Kinds           []Kind        `json:"kinds"`
	Path            []string      `json:"path"`
	DefaultDuration time.Duration `json:"default_duration"`
	SelfApproval    bool          `json:"self_approval"`
	// ParallelEnvironments allows moving the same component in several
	// environments at once; by default one environment at a time.
	ParallelEnvironments bool   `json:"parallel_environments"`
	Steps                []Step `json:"steps"`
	OnFailure            []Step `json:"on_failure,omitempty"`
}

// Clone is a copy of m that shares no slice with it.
func (m Model) Clone() Model {
	m.Kinds, m.Path = slices.Clone(m.Kinds), slices.Clone(m.Path)
	m.Steps, m.OnFailure = cloneSteps(m.Steps), cloneSteps(m.OnFailure)
	return m
}

func cloneSteps(steps []Step) []Step {
	if steps == nil {
		return nil
	}
	out := make([]Step, len(steps))
	for i, s := range steps {
		s.Roles, s.Environments = slices.Clone(s.Roles), slices.Clone(s.Environments)
		out[i] = s
	}
	return out
}

// Fingerprint identifies the model's content (not its version number): a changed
// model gets a new fingerprint and so a new stored version.
func (m Model) Fingerprint() string {
	m.Version, m.ChangeNote = 0, ""
	b, _ := json.Marshal(m) // a struct of plain fields always marshals
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// AppliesToKind reports whether the model can move components of kind k.
func (m Model) AppliesToKind(k Kind) bool { return slices.Contains(m.Kinds, k) }

// OnPath reports whether env is on the model's promotion path.
func (m Model) OnPath(env string) bool { return slices.Contains(m.Path, env) }

// StepsFor returns the steps (not on-failure ones) that apply in env, in run order:
// grouped by stage, keeping the order written in config within a stage.
func (m Model) StepsFor(env string) []Step { return inRunOrder(m.Steps, env) }

// StepOrderFor is StepsFor as positions in m.Steps: what a caller that looks steps up
// by their run order needs, without a copy of each (a step is a few hundred bytes,
// and a checklist's reload looks up hundreds).
func (m Model) StepOrderFor(env string) []int { return runOrder(m.Steps, env) }

// OnFailureFor returns the on-failure steps that apply in env, in run order: grouped
// by stage, keeping the order written in config within a stage.
func (m Model) OnFailureFor(env string) []Step { return inRunOrder(m.OnFailure, env) }

// runOrder is the positions in steps of those that apply in env, in run order.
func runOrder(steps []Step, env string) []int {
	out := make([]int, 0, len(steps))
	for _, st := range Stages {
		for i, s := range steps {
			if s.Stage == st && s.AppliesTo(env) {
				out = append(out, i)
			}
		}
	}
	return out
}

// inRunOrder copies the steps that apply in env, in run order.
func inRunOrder(steps []Step, env string) []Step {
	order := runOrder(steps, env)
	out := make([]Step, len(order))
	for i, at := range order {
		out[i] = steps[at]
	}
	return out
}

// Automated reports whether every step that applies in env runs without a person.
func (m Model) Automated(env string) bool {
	for _, s := range m.StepsFor(env) {
		if s.Kind != StepAutomated {
			return false
		}
	}
	return true
}

// Validate checks the model's own fields. Whether its environments exist is checked
// by the config, which knows them.
func (m Model) Validate() error {
	if err := CheckIdentifier("model", m.Name); err != nil {
		return err
	}
	if len(m.Kinds) == 0 {
		return Invalidf("model %q applies to no component kinds", m.Name)
	}
	for _, k := range m.Kinds {
		if !k.Valid() {
			return Invalidf("model %q: unknown kind %q (one of software, hardware, documentation, licence, data)", m.Name, k)
		}
	}
	if len(m.Path) == 0 {
		return Invalidf("model %q has an empty path", m.Name)
	}
	if m.DefaultDuration <= 0 {
		return Invalidf("model %q needs a positive default_duration", m.Name)
	}
	for _, s := range append(append([]Step{}, m.Steps...), m.OnFailure...) {
		if err := s.Validate(); err != nil {
			return Invalidf("model %q: %v", m.Name, err)
		}
	}
	return nil
}

// ModelVersionInfo is one stored version of a model, as its history lists it.
type ModelVersionInfo struct {
	Name        string
	Version     int
	Fingerprint string
	CreatedAt   time.Time
	ChangeNote  string // what the version changed, as config said when it was stored
}
