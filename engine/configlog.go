package engine

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"ferry/models"
	"ferry/store"
)

// A change to config.toml (a freeze removed, a role granted) changes what Ferry
// allows, so it is recorded: when the engine opens a database with a configuration
// whose content differs from the last one recorded, it writes a "config" entry to the
// audit log saying what changed, in words, by whom.

// EntryConfig is the audit log's type for a configuration change.
const EntryConfig = "config"

// configShape is what of the configuration the record keeps: what decides who may do
// what, where and when. Maps, so the JSON is canonical.
type configShape struct {
	Timezone           string              `json:"timezone"`
	Identity           string              `json:"identity"`
	StartTolerance     string              `json:"start_tolerance"`
	AdherenceTolerance string              `json:"adherence_tolerance"`
	Environments       map[string]envShape `json:"environments"`
	People             map[string]whoShape `json:"people"`
	Components         map[string]string   `json:"components"` // name → service/kind
	Models             map[string]int      `json:"models"`     // name → current version
	// Who is told what ([notify]), kept from shape 2 on: a channel's type and a
	// fingerprint of its settings (a Slack URL is a secret, so not the URL itself),
	// each rule in words, its lists sorted.
	Shape    int               `json:"shape,omitempty"`
	Channels map[string]string `json:"channels,omitempty"` // name → "type settings-fingerprint"
	Rules    []string          `json:"rules,omitempty"`
}

// shapeNow is the shape Ferry keeps now: 2 holds the notifications.
const shapeNow = 2

type envShape struct {
	Order       int               `json:"order"`
	Capacity    int               `json:"capacity"`
	RequireMW   bool              `json:"require_maintenance_window"`
	Freezes     map[string]string `json:"freezes"`     // name → window as written
	Maintenance map[string]string `json:"maintenance"` // name → window as written
}

type whoShape struct {
	Roles    []string `json:"roles"`
	UnixUser string   `json:"unix_user"`
	Keys     []string `json:"keys"` // fingerprints
}

// shape reads the configuration the engine runs with.
func (e *Engine) shape() configShape {
	c := e.cfg
	s := configShape{Timezone: c.TimezoneName, Identity: c.Identity, StartTolerance: c.StartTolerance.String(),
		AdherenceTolerance: c.AdherenceTolerance.String(), Environments: map[string]envShape{},
		People: map[string]whoShape{}, Components: map[string]string{}, Models: map[string]int{}}
	for _, env := range c.Environments {
		es := envShape{Order: env.Order, Capacity: env.Capacity, RequireMW: env.RequireMaintenanceWindow,
			Freezes: map[string]string{}, Maintenance: map[string]string{}}
		for _, w := range env.Freeze {
			es.Freezes[w.Name] = w.String()
		}
		for _, w := range env.Maintenance {
			es.Maintenance[w.Name] = w.String()
		}
		s.Environments[env.Name] = es
	}
	for _, p := range c.People {
		w := whoShape{UnixUser: p.UnixUser, Roles: []string{}, Keys: []string{}}
		for _, r := range p.Roles {
			w.Roles = append(w.Roles, string(r))
		}
		for _, line := range p.SSHKeys {
			if pub, _, _, _, err := gossh.ParseAuthorizedKey([]byte(line)); err == nil {
				w.Keys = append(w.Keys, gossh.FingerprintSHA256(pub))
			}
		}
		slices.Sort(w.Roles)
		slices.Sort(w.Keys)
		s.People[p.Name] = w
	}
	for _, comp := range c.Components() {
		s.Components[comp.Name] = comp.Service + "/" + string(comp.Kind)
	}
	for name, cm := range e.current {
		s.Models[name] = cm.model.Version
	}
	s.Shape = shapeNow
	if len(c.Notify.Channels) > 0 {
		s.Channels = map[string]string{}
	}
	for _, ch := range c.Notify.Channels {
		settings := fmt.Sprintf("%q", []any{ch.URL, ch.SecretEnv, ch.SMTP, ch.From, ch.UserEnv, ch.PasswordEnv, ch.TLS, ch.CAFile,
			ch.Run, ch.Dir, ch.Timeout.String(), ch.MaxAge.String()})
		sum := sha256.Sum256([]byte(settings))
		s.Channels[ch.Name] = ch.Type + " " + hex.EncodeToString(sum[:6])
	}
	for _, r := range c.Notify.Rules {
		s.Rules = append(s.Rules, ruleWords(r))
	}
	slices.Sort(s.Rules)
	return s
}

// ruleWords is a notification rule in words: "failed, rolled_back in production →
// mail to requester, role:manager".
func ruleWords(r models.NotifyRule) string {
	sorted := func(l []string) string { return strings.Join(slices.Sorted(slices.Values(l)), ", ") }
	out := sorted(r.Events) // their order changes nothing
	if len(r.Environments) > 0 {
		out += " in " + sorted(r.Environments)
	}
	out += " → " + r.Channel
	if len(r.To) > 0 {
		out += " to " + sorted(r.To)
	}
	return out
}

// recordConfig writes a "config" entry when the configuration differs from the last
// one recorded, in one write transaction; it writes nothing when it does not.
func (e *Engine) recordConfig(ctx context.Context) error {
	now := e.shape()
	text, err := json.Marshal(now)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(text)
	hash := hex.EncodeToString(sum[:])
	last, err := e.st.Read().LastConfig(ctx)
	if err != nil || last.Hash == hash {
		return err
	}
	var words []string
	if last.Content == "" {
		words = []string{fmt.Sprintf("first recorded: %d environments, %d people, %d components, %d models",
			len(now.Environments), len(now.People), len(now.Components), len(now.Models))}
	} else {
		var before configShape
		if err := json.Unmarshal([]byte(last.Content), &before); err != nil {
			return fmt.Errorf("the configuration last recorded is unreadable: %w", err)
		}
		words = configChanges(before, now)
	}
	detail := fmt.Sprintf("%s (sha256 %s): %s", e.cfg.File, hash[:12], strings.Join(words, "; "))
	return e.st.Write(ctx, func(q store.Q) error {
		if err := q.AddConfigVersion(ctx, store.ConfigVersion{Hash: hash, Content: string(text), At: e.Now()}); err != nil {
			return err
		}
		_, err := q.AddAudit(ctx, models.AuditEntry{At: e.Now(), Actor: SystemActor, Principal: PrincipalOf(ctx),
			Type: EntryConfig, Detail: detail})
		return err
	})
}

// configChanges says in words what changed between two configurations.
func configChanges(a, b configShape) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for _, f := range []struct{ name, a, b string }{{"timezone", a.Timezone, b.Timezone}, {"identity", a.Identity, b.Identity},
		{"start_tolerance", a.StartTolerance, b.StartTolerance}, {"adherence_tolerance", a.AdherenceTolerance, b.AdherenceTolerance}} {
		if f.a != f.b {
			add("%s %s → %s", f.name, f.a, f.b)
		}
	}
	out = append(out, envChanges(a.Environments, b.Environments)...)
	out = append(out, peopleChanges(a.People, b.People)...)
	for _, name := range union(a.Components, b.Components) {
		was, had := a.Components[name]
		is, has := b.Components[name]
		switch {
		case !had:
			add("component %s added (%s)", name, is)
		case !has:
			add("component %s removed", name)
		case was != is:
			add("component %s now %s (was %s)", name, is, was)
		}
	}
	for _, name := range union(a.Models, b.Models) {
		was, had := a.Models[name]
		is, has := b.Models[name]
		switch {
		case !had:
			add("model %s added (v%d)", name, is)
		case !has:
			add("model %s removed", name)
		case was != is:
			add("model %s now v%d", name, is)
		}
	}
	if a.Shape < 2 && b.Shape >= 2 { // recorded before Ferry kept them: not a change
		var chans []string
		for _, name := range slices.Sorted(maps.Keys(b.Channels)) {
			typ, _, _ := strings.Cut(b.Channels[name], " ")
			chans = append(chans, name+" ("+typ+")")
		}
		add("notifications kept in this record from now on: channels %s; rules %s", cmp.Or(strings.Join(chans, ", "), "none"),
			cmp.Or(strings.Join(b.Rules, "; "), "none"))
		return out
	}
	for _, name := range union(a.Channels, b.Channels) {
		was, had := a.Channels[name]
		is, has := b.Channels[name]
		wasType, _, _ := strings.Cut(was, " ")
		isType, _, _ := strings.Cut(is, " ")
		switch {
		case !had:
			add("notification channel %s added (%s)", name, isType)
		case !has:
			add("notification channel %s removed", name)
		case wasType != isType:
			add("notification channel %s now %s (was %s)", name, isType, wasType)
		case was != is:
			add("notification channel %s changed its settings", name)
		}
	}
	for _, r := range b.Rules {
		if !slices.Contains(a.Rules, r) {
			add("notification rule added: %s", r)
		}
	}
	for _, r := range a.Rules {
		if !slices.Contains(b.Rules, r) {
			add("notification rule removed: %s", r)
		}
	}
	if len(out) == 0 {
		out = append(out, "no change Ferry acts on (comments, order or layout)")
	}
	return out
}

func envChanges(a, b map[string]envShape) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for _, name := range union(a, b) {
		was, had := a[name]
		is, has := b[name]
		switch {
		case !had:
			add("environment %s added", name)
			continue
		case !has:
			add("environment %s removed", name)
			continue
		}
		if was.Capacity != is.Capacity {
			add("%s capacity %d → %d", name, was.Capacity, is.Capacity)
		}
		if was.Order != is.Order {
			add("%s order %d → %d", name, was.Order, is.Order)
		}
		if was.RequireMW != is.RequireMW {
			add("%s require_maintenance_window %v → %v", name, was.RequireMW, is.RequireMW)
		}
		out = append(out, windowChanges(name, "freeze", was.Freezes, is.Freezes)...)
		out = append(out, windowChanges(name, "maintenance window", was.Maintenance, is.Maintenance)...)
	}
	return out
}

func windowChanges(env, what string, a, b map[string]string) []string {
	var out []string
	for _, name := range union(a, b) {
		was, had := a[name]
		is, has := b[name]
		switch {
		case !had:
			out = append(out, fmt.Sprintf("%s %q added to %s (%s)", what, name, env, is))
		case !has:
			out = append(out, fmt.Sprintf("%s %q removed from %s (was %s)", what, name, env, was))
		case was != is:
			out = append(out, fmt.Sprintf("%s %q of %s moved: %s → %s", what, name, env, was, is))
		}
	}
	return out
}

func peopleChanges(a, b map[string]whoShape) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for _, name := range union(a, b) {
		was, had := a[name]
		is, has := b[name]
		switch {
		case !had:
			add("%s added (%s)", name, strings.Join(is.Roles, ", "))
			continue
		case !has:
			add("%s removed", name)
			continue
		}
		for _, r := range is.Roles {
			if !slices.Contains(was.Roles, r) {
				add("%s gained %s", name, r)
			}
		}
		for _, r := range was.Roles {
			if !slices.Contains(is.Roles, r) {
				add("%s lost %s", name, r)
			}
		}
		if was.UnixUser != is.UnixUser {
			add("%s unix_user %q → %q", name, was.UnixUser, is.UnixUser)
		}
		for _, k := range is.Keys {
			if !slices.Contains(was.Keys, k) {
				add("%s gained SSH key %s", name, k)
			}
		}
		for _, k := range was.Keys {
			if !slices.Contains(is.Keys, k) {
				add("%s lost SSH key %s", name, k)
			}
		}
	}
	return out
}

// union is the sorted keys of two maps.
func union[V any](a, b map[string]V) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
