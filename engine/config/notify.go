package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"ferry/models"
)

// ---- [notify], [[notify.channel]], [[notify.rule]] -------------------------------

func (p *parser) notify(t *table) {
	n := &p.cfg.Notify
	n.MaxAge = models.DefaultNotifyMaxAge
	if t == nil {
		return
	}
	if d, ok := t.duration("max_age"); ok {
		if d <= 0 {
			t.errKey("max_age", "max_age in [notify] must be positive")
		} else {
			n.MaxAge = d
		}
	}
	lines := map[string]int{}
	for _, ct := range t.tables("channel") {
		c := p.channel(ct, n.MaxAge)
		p.unique(ct, "channel", c.Name, lines)
		n.Channels = append(n.Channels, c)
	}
	for _, rt := range t.tables("rule") {
		n.Rules = append(n.Rules, p.rule(rt, n))
	}
	t.finish()
}

// channelKeys are the keys each channel type takes besides name, type, timeout and max_age.
var channelKeys = map[string][]string{
	models.ChannelWebhook: {"url", "secret_env"},
	models.ChannelSlack:   {"url"},
	models.ChannelEmail:   {"smtp", "from", "user_env", "password_env", "tls", "ca_file"},
	models.ChannelCommand: {"run"},
}

func (p *parser) channel(t *table, maxAge time.Duration) models.Channel {
	t.require("name", "type")
	c := models.Channel{Timeout: models.DefaultChannelTimeout, MaxAge: maxAge}
	c.Name, _ = t.str("name")
	if t.has("name") && !validID(c.Name) {
		t.errKey("name", "channel name %q may only use letters, digits, '.', '_' and '-'", c.Name)
	}
	label := fmt.Sprintf("channel %q", c.Name)
	typ, hasType := t.str("type")
	if hasType && !slices.Contains(models.ChannelTypes, typ) {
		t.errKey("type", "%s: unknown type %q (one of %s)", label, typ, strings.Join(models.ChannelTypes, ", "))
		hasType = false
	}
	c.Type = typ
	// Keys of another type are errors, said as such (not as unknown keys).
	if hasType {
		for other, keys := range channelKeys {
			for _, k := range keys {
				if other != typ && t.has(k) && !slices.Contains(channelKeys[typ], k) {
					t.errKey(k, "%s: %s applies to %s channels, not %s", label, k, typesWith(k), typ)
					t.known[k] = true
				}
			}
		}
	}
	if d, ok := t.duration("timeout"); ok {
		if d <= 0 {
			t.errKey("timeout", "%s: timeout must be positive", label)
		}
		c.Timeout = d
	}
	if d, ok := t.duration("max_age"); ok {
		if d <= 0 {
			t.errKey("max_age", "%s: max_age must be positive", label)
		}
		c.MaxAge = d
	}
	envName := func(k string) string {
		v, ok := t.str(k)
		if ok && !validEnvName(v) {
			t.errKey(k, "%s: %s must name an environment variable (letters, digits, '_'), not %q", label, k, v)
		}
		return v
	}
	switch typ {
	case models.ChannelWebhook, models.ChannelSlack:
		t.require("url")
		if u, ok := t.str("url"); ok {
			if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
				t.errKey("url", "%s: url %q is not an http or https URL", label, u)
			}
			c.URL = u
		}
		if typ == models.ChannelWebhook {
			c.SecretEnv = envName("secret_env")
		}
	case models.ChannelEmail:
		t.require("smtp", "from")
		if hp, ok := t.str("smtp"); ok {
			host, port, err := net.SplitHostPort(hp)
			if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
				t.errKey("smtp", "%s: smtp must be \"host:port\" (e.g. \"mail.example.org:587\"), not %q", label, hp)
			}
			c.SMTP = hp
		}
		if from, ok := t.str("from"); ok {
			if err := checkEmail(from); err != nil {
				t.errKey("from", "%s: from %q is not an address (%v)", label, from, err)
			}
			c.From = from
		}
		c.UserEnv, c.PasswordEnv = envName("user_env"), envName("password_env")
		if t.has("user_env") != t.has("password_env") {
			t.errTable("%s: user_env and password_env go together (both, or neither for no login)", label)
		}
		c.TLS = models.TLSStartTLS
		if v, ok := t.str("tls"); ok {
			if v != models.TLSStartTLS && v != models.TLSImplicit && v != models.TLSNone {
				t.errKey("tls", "%s: tls must be \"starttls\" (the default), \"tls\" (implicit, port 465) or \"none\", not %q", label, v)
			}
			c.TLS = v
		}
		if ca, ok := t.str("ca_file"); ok && ca != "" {
			if !filepath.IsAbs(ca) {
				ca = filepath.Join(filepath.Dir(p.cfg.File), ca)
			}
			c.CAFile = ca
		}
	case models.ChannelCommand:
		t.require("run")
		if run, ok := t.str("run"); ok {
			if strings.TrimSpace(run) == "" {
				t.errKey("run", "%s: run is empty", label)
			}
			c.Run = run
		}
		c.Dir = filepath.Dir(p.cfg.File)
	}
	t.finish()
	return c
}

// typesWith names the channel types that take key k: "webhook and slack".
func typesWith(k string) string {
	var out []string
	for _, typ := range models.ChannelTypes {
		if slices.Contains(channelKeys[typ], k) {
			out = append(out, typ)
		}
	}
	return strings.Join(out, " and ")
}

func (p *parser) rule(t *table, n *models.Notify) models.NotifyRule {
	t.require("events", "channel")
	var r models.NotifyRule
	events, _ := t.strs("events")
	for i, ev := range events {
		if !models.ValidNotifyEvent(ev) {
			t.errAt(indexPath(t.keyPath("events"), i), "rule: unknown event %q (one of %s)", ev, strings.Join(models.NotifyEvents, ", "))
		}
	}
	if t.has("events") && len(events) == 0 && !t.bad {
		t.errKey("events", "rule: events is empty; name at least one event")
	}
	r.Events = events
	envs, _ := t.strs("environments")
	for i, env := range envs {
		if !p.hasEnv(env) {
			t.errAt(indexPath(t.keyPath("environments"), i), "rule: unknown environment %q%s", env, p.envHint())
		}
	}
	r.Environments = envs
	var ch models.Channel
	var hasCh bool
	if name, ok := t.str("channel"); ok {
		r.Channel = name
		if ch, hasCh = n.Channel(name); !hasCh {
			t.errKey("channel", "rule: unknown channel %q%s", name, channelHint(n))
		}
	}
	to, _ := t.strs("to")
	for i, target := range to {
		at := indexPath(t.keyPath("to"), i)
		switch {
		case target == models.ToRequester, target == models.ToAssignee:
		case strings.HasPrefix(target, models.ToRole):
			if role := models.Role(strings.TrimPrefix(target, models.ToRole)); !role.Valid() {
				t.errAt(at, "rule: unknown role in %q (one of manager, practitioner, technician, analyst)", target)
			}
		case strings.HasPrefix(target, models.ToPerson):
			name := strings.TrimPrefix(target, models.ToPerson)
			per, ok := p.person(name)
			switch {
			case !ok:
				t.errAt(at, "rule: no person %q in this file", name)
			case hasCh && ch.Type == models.ChannelEmail && per.Email == "":
				t.errAt(at, "rule: %s has no email, and channel %q sends email", name, ch.Name)
			}
		default:
			t.errAt(at, "rule: to %q is not requester, assignee, role:ROLE or person:NAME", target)
		}
	}
	r.To = to
	if hasCh && ch.Type == models.ChannelEmail && len(to) == 0 && !t.bad {
		t.errTable("rule: channel %q sends email: say to whom with to = [...]", ch.Name)
	}
	t.finish()
	return r
}

func channelHint(n *models.Notify) string {
	if len(n.Channels) == 0 {
		return " (no [[notify.channel]] is declared)"
	}
	names := make([]string, len(n.Channels))
	for i, c := range n.Channels {
		names[i] = c.Name
	}
	return " (declared: " + strings.Join(names, ", ") + ")"
}

// person finds a person declared so far.
func (p *parser) person(name string) (models.Person, bool) {
	for _, per := range p.cfg.People {
		if per.Name == name {
			return per, true
		}
	}
	return models.Person{}, false
}

// checkEmail accepts a bare address, "ana@example.org", or one with a name.
func checkEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return err
	}
	if !strings.Contains(a.Address, "@") {
		return fmt.Errorf("no @")
	}
	return nil
}

func validID(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func validEnvName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
