package engine

import (
	"context"
	"fmt"
	"os"
	"os/user"

	"ferry/engine/config"
	"ferry/models"
)

// principalKey carries, in a context, who really acts: the OS login and host, or the
// SSH key, whatever --as said. Every event records it.
type principalKey struct{}

// WithPrincipal returns ctx carrying principal, for every event written under it.
func WithPrincipal(ctx context.Context, principal string) context.Context {
	return context.WithValue(ctx, principalKey{}, principal)
}

// PrincipalOf is the principal ctx carries, or "" when none.
func PrincipalOf(ctx context.Context) string {
	p, _ := ctx.Value(principalKey{}).(string)
	return p
}

// Login is who runs this process, as the operating system says.
type Login struct{ User, Host string }

// OSLogin reads the login ($USER, else the account) and the host name.
func OSLogin() Login {
	l := Login{User: os.Getenv("USER")}
	if l.User == "" {
		if u, err := user.Current(); err == nil {
			l.User = u.Username
		}
	}
	if h, err := os.Hostname(); err == nil {
		l.Host = h
	}
	return l
}

func (l Login) String() string {
	if l.Host == "" {
		return l.User
	}
	return l.User + "@" + l.Host
}

// Identity is who acts, who really does (recorded on every event), and how that was
// settled, in words for the person.
type Identity struct {
	Actor     models.Person
	Principal string
	Note      string
}

// Identify settles who acts for a process run by login that asked to act as `as`
// ("" when it did not), by the configuration's identity rule:
//   - login: the person is the one whose unix_user is the login; a login that maps to
//     nobody may read but change nothing; only a manager may act as someone else.
//   - trust: --as is believed from anyone; without it, the login's person, else the
//     first manager.
func (e *Engine) Identify(login Login, as string) (Identity, error) {
	own, mapped := e.cfg.PersonByUnixUser(login.User)
	mapped = mapped && login.User != ""
	if as == "" || mapped && as == own.Name {
		return e.identifyOwn(login, own, mapped)
	}
	p, err := e.Person(as)
	if err != nil {
		return Identity{}, models.Invalidf("--as: %v", err)
	}
	by := login.String()
	if mapped {
		by = own.Name + " (" + by + ")"
	}
	if e.cfg.Identity == config.IdentityLogin {
		switch {
		case !mapped:
			return Identity{}, models.Forbiddenf("--as %s: your login %q maps to no person in %s, and only a manager may act "+
				"as someone else (identity = \"login\"); add unix_user = %q to your [[person]]", as, login.User, e.cfg.File, login.User)
		case !own.Has(models.RoleManager):
			return Identity{}, models.Forbiddenf("--as %s: only a manager may act as someone else (identity = \"login\" in %s); "+
				"you are %s (%s)", as, e.cfg.File, own.Name, own.MainRole())
		}
	}
	return Identity{Actor: p, Principal: by + " as " + p.Name, Note: fmt.Sprintf("acting as %s, %s", p.Name, by)}, nil
}

// identifyOwn is the identity of a login that did not ask to act as someone else.
func (e *Engine) identifyOwn(login Login, own models.Person, mapped bool) (Identity, error) {
	switch {
	case mapped:
		return Identity{Actor: own, Principal: login.String(),
			Note: fmt.Sprintf("acting as %s (unix user %s)", own.Name, login.User)}, nil
	case e.cfg.Identity == config.IdentityLogin:
		guest := models.Person{Name: login.User, Roles: []models.Role{models.RoleAnalyst}, Unmapped: true}
		return Identity{Actor: guest, Principal: login.String(),
			Note: fmt.Sprintf("your login %q maps to no person in %s: you may read but change nothing; "+
				"to act, add unix_user = %q to your [[person]]", login.User, e.cfg.File, login.User)}, nil
	}
	m, ok := e.cfg.FirstManager()
	if !ok {
		return Identity{}, models.Invalidf("%s declares no manager and no person with unix_user %q; use --as", e.cfg.File, login.User)
	}
	return Identity{Actor: m, Principal: login.String() + " as " + m.Name,
		Note: fmt.Sprintf("acting as %s, the first manager in %s (no person has unix_user %q; use --as)",
			m.Name, e.cfg.File, login.User)}, nil
}
