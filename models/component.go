package models

import "slices"

// Kind is the kind of service component being moved.
type Kind string

const (
	KindSoftware      Kind = "software"
	KindHardware      Kind = "hardware"
	KindDocumentation Kind = "documentation"
	KindLicence       Kind = "licence"
	KindData          Kind = "data"
)

// Kinds lists every component kind.
var Kinds = []Kind{KindSoftware, KindHardware, KindDocumentation, KindLicence, KindData}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Service groups the components that together deliver one service.
type Service struct {
	Name       string
	Components []Component
}

// Component is what gets deployed: software, hardware, documentation, a licence, data.
type Component struct {
	Name     string
	Kind     Kind
	Service  string
	Artifact string // optional path of the artifact, may use ${FERRY_*} variables
	SHA256   string // optional declared checksum of the artifact
	// DependsOn names the components this one depends on (depends_on): moving it
	// while one of them moves in the same environment is a "related" conflict.
	DependsOn []string
}

// Validate checks the component's own fields.
func (c Component) Validate() error {
	if err := CheckIdentifier("component", c.Name); err != nil {
		return err
	}
	if !c.Kind.Valid() {
		return Invalidf("component %q: unknown kind %q (one of software, hardware, documentation, licence, data)", c.Name, c.Kind)
	}
	return nil
}
