package models

import (
	"slices"
	"strings"
)

// Role is what a person may do in Ferry.
type Role string

const (
	RoleManager      Role = "manager"
	RolePractitioner Role = "practitioner"
	RoleTechnician   Role = "technician"
	RoleAnalyst      Role = "analyst"
)

// Roles lists every role in order of decreasing power.
var Roles = []Role{RoleManager, RolePractitioner, RoleTechnician, RoleAnalyst}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Person is someone who plans, runs, installs or reads deployments.
type Person struct {
	Name     string // the id used everywhere: --as, assignee, requester
	FullName string
	Roles    []Role
	UnixUser string
	SSHKeys  []string
	Email    string // where email notifications go ("" none)
	Slack    string // how Slack messages mention them: a member ID (U024BE7LH) or a name (@ana)
	// Unmapped: an OS login that maps to no person in config. It may read but
	// change nothing (identity "login").
	Unmapped bool
}

// Has reports whether the person holds role r.
func (p Person) Has(r Role) bool { return slices.Contains(p.Roles, r) }

// MainRole is the most powerful role the person holds, for display.
func (p Person) MainRole() Role {
	for _, r := range Roles {
		if p.Has(r) {
			return r
		}
	}
	return ""
}

// Validate checks the person's own fields.
func (p Person) Validate() error {
	if strings.TrimSpace(p.Name) == "" {
		return Invalidf("person has no name")
	}
	if err := CheckIdentifier("person", p.Name); err != nil {
		return err
	}
	if len(p.Roles) == 0 {
		return Invalidf("person %q has no roles (one of manager, practitioner, technician, analyst)", p.Name)
	}
	for _, r := range p.Roles {
		if !r.Valid() {
			return Invalidf("person %q: unknown role %q (one of manager, practitioner, technician, analyst)", p.Name, r)
		}
	}
	return nil
}

// CheckIdentifier refuses name as the name of a kind of thing declared in the config
// (a person, an environment, a component, a model) unless validName accepts it.
func CheckIdentifier(kind, name string) error {
	if !validName(name) {
		return Invalidf("%s name %q may only use letters, digits, '.', '_' and '-'", kind, name)
	}
	return nil
}

// validName accepts the identifiers used for people, environments, models and components.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}
