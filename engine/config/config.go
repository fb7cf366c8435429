// Package config loads Ferry's config.toml: the organisation's timezone, its
// environments, people, services and deployment models.
//
// Every problem in the file is reported with its line ("config.toml:12: unknown key
// "colour" in [[environment]]"), all of them at once, sorted by line. Unknown keys
// are errors, never silently ignored.
package config

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // timezones work on hosts without a zoneinfo database

	"github.com/BurntSushi/toml"
	"golang.org/x/crypto/ssh"

	"ferry/models"
)

// DefaultAdherenceTolerance is how far a start may lie from the planned start and
// still count as on time, when the config does not say.
const DefaultAdherenceTolerance = 15 * time.Minute

// DefaultStartTolerance is how early before its scheduled start a deployment may be
// started, when the config does not say.
const DefaultStartTolerance = 15 * time.Minute

// DefaultReviewAfter is how long a finished deployment may wait for its review
// before it waits in the inbox.
const DefaultReviewAfter = 3 * 24 * time.Hour

// DefaultModelReviewEvery is how long a model may go without a review before it is due.
const DefaultModelReviewEvery = 90 * 24 * time.Hour

// How Ferry knows who is acting ([ferry] identity).
const (
	// IdentityLogin: the person is the one whose unix_user is the OS login; --as
	// another person is for managers only. For a shared host.
	IdentityLogin = "login"
	// IdentityTrust: --as is believed from anyone. For a laptop or a demo.
	IdentityTrust = "trust"
)

// Config is a loaded, validated config file.
type Config struct {
	File               string // path it was loaded from (for messages)
	TimezoneName       string
	Location           *time.Location
	Database           string        // relative to the config file's directory; "" when not set
	AdherenceTolerance time.Duration // a start within this of the planned start is on time
	StartTolerance     time.Duration // how early before its scheduled start a deployment may start
	Identity           string        // IdentityLogin or IdentityTrust
	FailureCategories  []string      // what a review may name as the cause
	ReviewAfter        time.Duration // a finished deployment without a review waits in the inbox after this
	ModelReviewEvery   time.Duration // a model without a review for this long is due
	Environments       []models.Environment
	People             []models.Person
	Services           []models.Service // each Component has Service filled in
	Models             []models.Model   // Version is 0: the store assigns versions
	Notify             models.Notify    // [notify]: channels and rules
	// Notes are what reading the file took one way of two, each "file:line: …": a
	// time in the hour the clocks repeat, taken as the first. The CLI says them on
	// stderr, as it says them of a flag.
	Notes []string

	envs       map[string]int
	people     map[string]int
	unixUsers  map[string]int
	services   map[string]int
	components map[string]models.Component
	models     map[string]int
}

// Load reads and parses the config file at path. A missing file gives an error
// that satisfies errors.Is(err, fs.ErrNotExist).
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(path, data, true)
}

// Parse parses config text; file names it in messages and anchors a relative
// database path. On failure the error is an Errors value listing every problem.
// The scripts its steps run are not looked for: the text may not be on disk (the
// built-in example); Load looks for them.
func Parse(file string, data []byte) (*Config, error) { return parse(file, data, false) }

func parse(file string, data []byte, onDisk bool) (*Config, error) {
	c := &collector{file: file}
	if line, deep := tooDeep(data); deep {
		c.atLine(line, "arrays and inline tables nest more than %d deep here; a Ferry config needs 3 at most", maxNesting)
		return nil, c.errs
	}
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			c.atLine(pe.Position.Line, "%s", syntaxMessage(pe))
		} else {
			c.atLine(0, "%v", err)
		}
		return nil, c.errs
	}
	c.ix = buildLineIndex(string(data))
	p := &parser{c: c, cfg: &Config{File: file}, onDisk: onDisk}
	p.document(newTable(c, "", "", raw))
	if len(c.errs) > 0 {
		return nil, c.errs.sorted()
	}
	p.cfg.index()
	return p.cfg, nil
}

func syntaxMessage(pe toml.ParseError) string {
	msg := strings.TrimPrefix(pe.Message, "toml: ")
	return "TOML syntax error: " + msg
}

// parser reads the decoded document into a Config.
type parser struct {
	c   *collector
	cfg *Config

	envLines       map[string]int // name -> line of its first declaration
	personLines    map[string]int
	keyOwners      map[string]keyOwner // a key's wire form -> the first person to list it
	unixUserLines  map[string]int
	serviceLines   map[string]int
	componentLines map[string]int
	modelLines     map[string]int
	productionSet  bool // an environment says production = true or false
	onDisk         bool // the file is on disk: the scripts steps run are looked for beside it
}

func (p *parser) document(doc *table) {
	p.ferry(doc.sub("ferry"))
	p.environments(doc.tables("environment"))
	p.people(doc.tables("person"))
	p.services(doc.tables("service"))
	p.models(doc.tables("model"))
	p.notify(doc.sub("notify"))
	doc.finish()
	p.defaultProduction()
}

// defaultProduction: when no environment says whether it is production, the last
// environment of each model's path is.
func (p *parser) defaultProduction() {
	if p.productionSet {
		return
	}
	for _, m := range p.cfg.Models {
		if len(m.Path) == 0 {
			continue
		}
		for i := range p.cfg.Environments {
			if p.cfg.Environments[i].Name == m.Path[len(m.Path)-1] {
				p.cfg.Environments[i].Production = true
			}
		}
	}
}

// ---- [ferry] ------------------------------------------------------------------

func (p *parser) ferry(t *table) {
	cfg := p.cfg
	cfg.TimezoneName, cfg.Location = "UTC", time.UTC
	cfg.AdherenceTolerance = DefaultAdherenceTolerance
	cfg.StartTolerance = DefaultStartTolerance
	cfg.Identity = IdentityLogin
	cfg.ReviewAfter, cfg.ModelReviewEvery = DefaultReviewAfter, DefaultModelReviewEvery
	if t == nil {
		return
	}
	if tz, ok := t.str("timezone"); ok {
		loc, err := loadLocation(tz)
		if err != nil {
			t.errKey("timezone", "unknown timezone %q in [ferry]: use an IANA name such as \"Europe/Berlin\" or \"UTC\"", tz)
		} else {
			cfg.TimezoneName, cfg.Location = tz, loc
		}
	}
	if db, ok := t.str("database"); ok {
		if strings.TrimSpace(db) == "" {
			t.errKey("database", "database in [ferry] is empty; leave it out to use the default")
		} else if filepath.IsAbs(db) {
			cfg.Database = db
		} else {
			cfg.Database = filepath.Join(filepath.Dir(cfg.File), db)
		}
	}
	if d, ok := t.duration("adherence_tolerance"); ok {
		cfg.AdherenceTolerance = d
	}
	// Zero is strict, not wrong: no start before the scheduled start.
	if d, ok := t.tolerance("start_tolerance"); ok {
		cfg.StartTolerance = d
	}
	p.failureCategories(t)
	// Zero: a failure waits in the inbox for its review as soon as it ends.
	if d, ok := t.days("review_after", ""); ok {
		cfg.ReviewAfter = d
	}
	if d, ok := t.days("model_review_every", `every model would always be due for review (e.g. "90d")`); ok {
		cfg.ModelReviewEvery = d
	}
	if id, ok := t.str("identity"); ok {
		if id != IdentityLogin && id != IdentityTrust {
			t.errKey("identity", "identity in [ferry] must be \"login\" (the OS login is the person) or \"trust\" (--as is believed), not %q", id)
		} else {
			cfg.Identity = id
		}
	}
	t.finish()
}

// failureCategories reads [ferry] failure_categories: names a review may give as a
// failure's cause, each once.
func (p *parser) failureCategories(t *table) {
	cats, _ := t.strs("failure_categories")
	for i, c := range cats {
		at := indexPath(t.keyPath("failure_categories"), i)
		switch {
		case strings.TrimSpace(c) == "" || strings.TrimSpace(c) != c:
			t.errAt(at, "failure_categories in [ferry]: entry %d %q is empty or has spaces around it", i+1, c)
		case slices.Contains(cats[:i], c):
			t.errAt(at, "failure_categories in [ferry]: %q is listed twice", c)
		}
	}
	p.cfg.FailureCategories = cats
}

func loadLocation(name string) (*time.Location, error) {
	if strings.TrimSpace(name) == "" || name == "Local" {
		return nil, fmt.Errorf("no timezone")
	}
	return time.LoadLocation(name)
}

// ---- [[environment]] ----------------------------------------------------------

func (p *parser) environments(ts []*table) {
	p.envLines = map[string]int{}
	orders := map[int]named{}
	for _, t := range ts {
		t.require("name", "order")
		var e models.Environment
		e.Name = p.name(t, "environment")
		order, orderOK := t.int("order")
		e.Order = order
		e.Description, _ = t.str("description")
		e.Capacity = 1
		if n, ok := t.int("capacity"); ok {
			if n < 1 {
				t.errKey("capacity", "capacity in [[environment]] must be at least 1, not %d", n)
			}
			e.Capacity = n
		}
		e.RequireMaintenanceWindow = t.bool("require_maintenance_window", false)
		if t.has("production") {
			e.Production, p.productionSet = t.bool("production", false), true
		}
		e.Variables = t.strMap("variables")
		variableNames(t, e.Name, e.Variables)
		e.Maintenance = p.windows(t, e.Name, "maintenance")
		e.Freeze = p.windows(t, e.Name, "freeze")
		p.unique(t, "environment", e.Name, p.envLines)
		if orderOK {
			p.uniqueOrder(t, e, orders)
		}
		p.validate(t, e.Validate)
		t.finish()
		p.cfg.Environments = append(p.cfg.Environments, e)
	}
	slices.SortStableFunc(p.cfg.Environments, func(a, b models.Environment) int { return a.Order - b.Order })
}

// variableNames refuses a variable a step's command could not use. Variables are
// put in the command's environment as NAME=value and it runs under /bin/sh, which
// reads only names of letters, digits and '_', not starting with a digit: "BAD NAME"
// could never be read as $BAD NAME, and a name with '=' would be split elsewhere.
func variableNames(t *table, env string, vars map[string]string) {
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		if !validEnvName(name) {
			t.errAt(joinPath(t.keyPath("variables"), name),
				"environment %q: variable name %q cannot be an environment variable of a step's command: use letters, digits and '_', not starting with a digit (e.g. %q)",
				env, name, envNameLike(name))
		}
	}
}

// envNameLike is name made into a usable variable name, to suggest one.
func envNameLike(name string) string {
	s := strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, name)
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		s = "_" + s
	}
	return s
}

// named is something declared with a name, and the line it was declared at.
type named struct {
	name string
	line int
}

// uniqueOrder refuses an order another environment already has: order is each
// environment's place on the promotion chain (how lists and the timeline show
// them), and two in one place would be put in whichever order they are written.
func (p *parser) uniqueOrder(t *table, e models.Environment, seen map[int]named) {
	line := p.c.ix.line(t.keyPath("order"))
	first, dup := seen[e.Order]
	if !dup {
		seen[e.Order] = named{e.Name, line}
		return
	}
	t.errKey("order", "environments %q (line %d) and %q (line %d) both have order %d: the promotion chain would be ambiguous; give each environment its own order",
		first.name, first.line, e.Name, line, e.Order)
}

// oneName says, for each kind of window, why its name must be its own within an
// environment.
var oneName = map[string]string{
	"freeze":      "a freeze is known by its name (its conflicts, a manager's override of one, the audit log)",
	"maintenance": "the audit log records maintenance windows by name, so a change to one of the two would go unrecorded",
}

// windows reads an environment's windows of one kind ("maintenance" or "freeze"),
// refusing a name given twice (see oneName for why).
func (p *parser) windows(t *table, env, kind string) []models.Window {
	var out []models.Window
	lines := map[string]int{}
	for _, wt := range t.tables(kind) {
		w, ok := p.window(wt)
		if !ok {
			continue
		}
		line := p.c.ix.line(wt.keyPath("name"))
		if first, dup := lines[w.Name]; dup {
			wt.errKey("name", "environment %q has two %s windows called %q (lines %d and %d): %s; give each its own name",
				env, kind, w.Name, first, line, oneName[kind])
			continue
		}
		lines[w.Name] = line
		out = append(out, w)
	}
	return out
}

// window reads a maintenance or freeze window: weekly, or one-off from + to.
func (p *parser) window(t *table) (models.Window, bool) {
	var w models.Window
	w.Name, _ = t.str("name")
	// The name is in its conflicts' keys, which are stored and read packed between
	// control characters (store.StoredConflicts), and it is shown.
	if err := models.CheckLabel("window name", w.Name); err != nil {
		t.errKey("name", "%v", err)
	}
	weekly, hasWeekly := t.str("weekly")
	from, hasFrom := p.localTime(t, "from")
	to, hasTo := p.localTime(t, "to")
	_, fromSet := t.m["from"]
	_, toSet := t.m["to"]
	_, weeklySet := t.m["weekly"]
	switch {
	case weeklySet && (fromSet || toSet):
		t.errTable("a window in %s is either weekly or from + to, not both", t.name)
	case weeklySet:
		if hasWeekly {
			span, err := models.ParseWeekly(weekly)
			if err != nil {
				t.errKey("weekly", "%v", err)
			}
			w.Weekly = span
		}
	case fromSet && !toSet:
		t.errTable("missing key \"to\" in %s: a one-off window needs from and to", t.name)
	case toSet && !fromSet:
		t.errTable("missing key \"from\" in %s: a one-off window needs from and to", t.name)
	case fromSet && toSet:
		if hasFrom && hasTo && !from.Before(to) {
			t.errKey("to", "window %q in %s ends (%s) before it starts (%s)", w.Name, t.name,
				to.Format(models.LocalLayout), from.Format(models.LocalLayout))
		}
		w.From, w.To = from, to
	default:
		t.errTable("a window in %s needs weekly = \"Sat 22:00 - Sun 04:00\" or from and to = \"YYYY-MM-DD HH:MM\"", t.name)
	}
	if w.Name == "" && !t.bad {
		w.Name = w.String()
	}
	t.finish()
	return w, !t.bad
}

// localTime reads "YYYY-MM-DD HH:MM" (or a TOML local date-time) as wall-clock
// time in the configured zone.
func (p *parser) localTime(t *table, k string) (time.Time, bool) {
	v, ok := t.get(k)
	if !ok {
		return time.Time{}, false
	}
	loc := p.cfg.Location
	switch v := v.(type) {
	case time.Time:
		switch v.Location().String() {
		case "datetime-local", "date-local":
			// A TOML local date-time or date carries no zone: read it in the configured one.
			return p.wallClock(t, k, v.Format(models.LocalLayout))
		case "time-local":
			t.errKey(k, "%s in %s needs a date: \"YYYY-MM-DD HH:MM\"", k, t.name)
			return time.Time{}, false
		}
		return p.inYears(t, k, v.Format(time.RFC3339), v.In(loc))
	case string:
		return p.wallClock(t, k, v)
	}
	t.typeErr(k, "a time \"YYYY-MM-DD HH:MM\"", v)
	return time.Time{}, false
}

// wallClock reads "YYYY-MM-DD HH:MM" in the configured zone as every time input is
// read (models.ParseLocal), refusing a time the clocks skip when summer time starts.
func (p *parser) wallClock(t *table, k, v string) (time.Time, bool) {
	tm, ok, exists := models.ParseLocal(v, p.cfg.Location)
	if !ok {
		t.errKey(k, "%s in %s: %q is not a time \"YYYY-MM-DD HH:MM\"", k, t.name, v)
		return time.Time{}, false
	}
	if !exists {
		t.errKey(k, "%s in %s: %q does not exist in %s (the clocks skip it)", k, t.name, v, p.cfg.TimezoneName)
		return time.Time{}, false
	}
	if note := models.TwiceNote(v, p.cfg.Location); note != "" {
		at := &Error{File: p.c.file, Line: p.c.ix.line(t.keyPath(k)), Msg: k + " in " + t.name + ": " + note}
		p.cfg.Notes = append(p.cfg.Notes, at.Error())
	}
	return p.inYears(t, k, v, tm.In(p.cfg.Location))
}

// inYears refuses a time outside the years Ferry keeps (models.CheckYear), as a flag
// or a field refuses it; typed is how the file wrote it.
func (p *parser) inYears(t *table, k, typed string, tm time.Time) (time.Time, bool) {
	if err := models.CheckYear(typed, tm); err != nil {
		t.errKey(k, "%s in %s: %v", k, t.name, err)
		return time.Time{}, false
	}
	return tm, true
}

// checkSSHKey accepts one line in authorized_keys form: "ssh-ed25519 AAAA... comment".
func checkSSHKey(k string) (ssh.PublicKey, error) {
	if IsDSA(k) {
		return nil, ErrDSA
	}
	pub, _, _, rest, err := ssh.ParseAuthorizedKey([]byte(k))
	if err != nil {
		return nil, err
	}
	if len(strings.TrimSpace(string(rest))) > 0 {
		return nil, errors.New("one key per entry")
	}
	return pub, nil
}

// keyOwner is who listed a key first, and where.
type keyOwner struct {
	person string
	line   int
}

// oneOwner refuses entry i of person's ssh_keys when another person lists the same
// key: a key says who logs in, so it names one person.
func (p *parser) oneOwner(t *table, pub ssh.PublicKey, person string, i int) {
	path := indexPath(t.keyPath("ssh_keys"), i)
	k := string(pub.Marshal())
	if first, dup := p.keyOwners[k]; dup && first.person != person {
		t.errAt(path, "person %q: ssh_keys entry %d (%s) is %q's key too (line %d): a key names one person",
			person, i+1, ssh.FingerprintSHA256(pub), first.person, first.line)
		return
	}
	if _, seen := p.keyOwners[k]; !seen {
		p.keyOwners[k] = keyOwner{person, p.c.ix.line(path)}
	}
}

// ErrDSA refuses a DSA key, which the SSH library no longer even reads.
var ErrDSA = errors.New("a DSA key is too weak (1024 bits, SHA-1): use an ed25519 key (ssh-keygen -t ed25519)")

// IsDSA reports whether an authorized_keys line holds a DSA key: said as such, not as
// a line that does not parse.
func IsDSA(line string) bool {
	f := strings.Fields(line)
	return len(f) > 0 && f[0] == ssh.KeyAlgoDSA
}

// MinRSABits is the smallest RSA key that logs anyone in: smaller ones are within
// reach of factoring, and OpenSSH refuses them too.
const MinRSABits = 2048

// WeakKey says why a user key is too weak to log in with, or nil: RSA under
// MinRSABits bits, and DSA (1024 bits and SHA-1 by definition). The same rule holds
// for keys in config, keys added with people add-key, and keys offered at login.
func WeakKey(pub ssh.PublicKey) error {
	if cert, ok := pub.(*ssh.Certificate); ok {
		pub = cert.Key
	}
	switch pub.Type() {
	case ssh.KeyAlgoDSA:
		return ErrDSA
	case ssh.KeyAlgoRSA:
		ck, ok := pub.(ssh.CryptoPublicKey)
		if !ok {
			return nil
		}
		if k, ok := ck.CryptoPublicKey().(*rsa.PublicKey); ok && k.N.BitLen() < MinRSABits {
			return fmt.Errorf("an RSA key of %d bits is too weak: at least %d are needed (or use ssh-keygen -t ed25519)",
				k.N.BitLen(), MinRSABits)
		}
	}
	return nil
}

// ---- [[person]] ---------------------------------------------------------------

func (p *parser) people(ts []*table) {
	p.personLines = map[string]int{}
	p.unixUserLines = map[string]int{}
	p.keyOwners = map[string]keyOwner{}
	for _, t := range ts {
		t.require("name", "roles")
		var per models.Person
		per.Name = p.name(t, "person")
		per.FullName, _ = t.str("full_name")
		per.UnixUser, _ = t.str("unix_user")
		roles, _ := t.strs("roles")
		for i, r := range roles {
			if !models.Role(r).Valid() {
				t.errAt(indexPath(t.keyPath("roles"), i), "person %q: unknown role %q (one of manager, practitioner, technician, analyst)", per.Name, r)
			}
			per.Roles = append(per.Roles, models.Role(r))
		}
		keys, _ := t.strs("ssh_keys")
		for i, k := range keys {
			at := indexPath(t.keyPath("ssh_keys"), i)
			pub, err := checkSSHKey(k)
			if err == nil {
				err = WeakKey(pub)
			}
			switch {
			case err == nil:
				p.oneOwner(t, pub, per.Name, i)
			case pub == nil && !errors.Is(err, ErrDSA): // a DSA key is a key, too weak, as WeakKey says
				t.errAt(at, "person %q: ssh_keys entry %d is not a public key in authorized_keys form (%v)", per.Name, i+1, err)
			default:
				t.errAt(at, "person %q: ssh_keys entry %d: %v", per.Name, i+1, err)
			}
		}
		per.SSHKeys = keys
		if email, ok := t.str("email"); ok {
			if err := checkEmail(email); err != nil {
				t.errKey("email", "person %q: email %q is not an address (%v)", per.Name, email, err)
			}
			per.Email = email
		}
		if slack, ok := t.str("slack"); ok {
			if strings.TrimSpace(slack) == "" {
				t.errKey("slack", "person %q: slack is empty; leave it out, or give a member ID (U024BE7LH) or @name", per.Name)
			}
			per.Slack = strings.TrimSpace(slack)
		}
		p.unique(t, "person", per.Name, p.personLines)
		if per.UnixUser != "" {
			if first, dup := p.unixUserLines[per.UnixUser]; dup {
				t.errKey("unix_user", "unix_user %q is already used by another person (line %d)", per.UnixUser, first)
			} else {
				p.unixUserLines[per.UnixUser] = p.c.ix.line(t.keyPath("unix_user"))
			}
		}
		p.validate(t, per.Validate)
		t.finish()
		p.cfg.People = append(p.cfg.People, per)
	}
}

// ---- [[service]] and [[service.component]] ------------------------------------

func (p *parser) services(ts []*table) {
	p.serviceLines = map[string]int{}
	p.componentLines = map[string]int{}
	var deps []declared
	for _, t := range ts {
		t.require("name")
		var s models.Service
		s.Name, _ = t.str("name")
		if t.has("name") && strings.TrimSpace(s.Name) == "" {
			t.errKey("name", "service name is empty")
		}
		p.unique(t, "service", s.Name, p.serviceLines)
		for _, ct := range t.tables("component") {
			ct.require("name", "kind")
			comp := models.Component{Service: s.Name}
			comp.Name = p.name(ct, "component")
			if k, ok := ct.str("kind"); ok {
				comp.Kind = models.Kind(k)
				if !comp.Kind.Valid() {
					ct.errKey("kind", "component %q: unknown kind %q (one of software, hardware, documentation, licence, data)", comp.Name, k)
				}
			}
			comp.Artifact, _ = ct.str("artifact")
			comp.SHA256, _ = ct.str("sha256")
			if comp.SHA256 != "" && !strings.Contains(comp.SHA256, "${") && !isSHA256(comp.SHA256) {
				ct.errKey("sha256", "component %q: sha256 must be 64 hexadecimal digits", comp.Name)
			}
			comp.DependsOn, _ = ct.strs("depends_on")
			p.unique(ct, "component", comp.Name, p.componentLines)
			p.validate(ct, comp.Validate)
			ct.finish()
			s.Components = append(s.Components, comp)
			deps = append(deps, declared{ct, comp})
		}
		t.finish()
		p.cfg.Services = append(p.cfg.Services, s)
	}
	p.dependencies(deps)
}

// declared is a component with the table it was declared in, for messages.
type declared struct {
	t    *table
	comp models.Component
}

// dependencies checks every depends_on once all components are known: each names a
// declared component other than itself, once, and no chain of them comes back to
// where it started.
func (p *parser) dependencies(all []declared) {
	graph := map[string][]string{}
	for _, d := range all {
		seen := map[string]bool{}
		for _, dep := range d.comp.DependsOn {
			switch _, known := p.componentLines[dep]; {
			case dep == d.comp.Name:
				d.t.errKey("depends_on", "component %q depends on itself", dep)
			case !known:
				d.t.errKey("depends_on", "component %q depends on %q, which no [[service.component]] declares", d.comp.Name, dep)
			case seen[dep]:
				d.t.errKey("depends_on", "component %q names %q twice in depends_on", d.comp.Name, dep)
			default:
				graph[d.comp.Name] = append(graph[d.comp.Name], dep)
			}
			seen[dep] = true
		}
	}
	for _, d := range all {
		if cycle := cycleFrom(d.comp.Name, graph); cycle != nil {
			d.t.errKey("depends_on", "components depend on each other in a circle: %s", strings.Join(cycle, " → "))
			return // one message for the circle, at its first member
		}
	}
}

// cycleFrom is a chain of dependencies from start back to start, or nil.
func cycleFrom(start string, graph map[string][]string) []string {
	var path []string
	seen := map[string]bool{}
	var walk func(n string) bool
	walk = func(n string) bool {
		path = append(path, n)
		for _, next := range graph[n] {
			if next == start {
				path = append(path, start)
				return true
			}
			if !seen[next] {
				seen[next] = true
				if walk(next) {
					return true
				}
			}
		}
		path = path[:len(path)-1]
		return false
	}
	if walk(start) {
		return path
	}
	return nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// ---- [[model]], [[model.step]], [[model.on_failure]] --------------------------

func (p *parser) models(ts []*table) {
	p.modelLines = map[string]int{}
	for _, t := range ts {
		t.require("name", "kinds", "path", "default_duration")
		var m models.Model
		m.Name = p.name(t, "model")
		m.Description, _ = t.str("description")
		m.ChangeNote, _ = t.str("change_note")
		kinds, _ := t.strs("kinds")
		for i, k := range kinds {
			if !models.Kind(k).Valid() {
				t.errAt(indexPath(t.keyPath("kinds"), i), "model %q: unknown kind %q (one of software, hardware, documentation, licence, data)", m.Name, k)
			}
			m.Kinds = append(m.Kinds, models.Kind(k))
		}
		path, _ := t.strs("path")
		for i, env := range path {
			ep := indexPath(t.keyPath("path"), i)
			switch {
			case !p.hasEnv(env):
				t.errAt(ep, "model %q: path names unknown environment %q%s", m.Name, env, p.envHint())
			case slices.Contains(path[:i], env):
				t.errAt(ep, "model %q: environment %q is on the path twice", m.Name, env)
			}
		}
		m.Path = path
		var ok bool
		if m.DefaultDuration, ok = t.duration("default_duration"); ok {
			// It is the window of every plan that gives no length: one no plan may
			// have would refuse each of them, blaming a --duration nobody gave.
			if err := models.CheckWindowLength(m.DefaultDuration); err != nil {
				t.errKey("default_duration", "default_duration in [[model]] %q: %v", m.Name, err)
			}
		}
		m.SelfApproval = t.bool("self_approval", false)
		m.ParallelEnvironments = t.bool("parallel_environments", false)
		p.modelSteps(t, &m)
		p.unique(t, "model", m.Name, p.modelLines)
		p.validate(t, m.Validate)
		t.finish()
		p.cfg.Models = append(p.cfg.Models, m)
	}
}

// MaxRetries bounds a step's retries. The runner waits 1s before the first retry,
// doubling to at most 30s, so ten retries already span minutes of failing; a step
// that fails eleven times in a row needs a person, and a million tries would hold
// the deployment (and its environment's capacity) for most of a year.
const MaxRetries = 10

// retries reads a step's retries: 0 to MaxRetries.
func retries(t *table, label string) int {
	n, ok := t.int("retries")
	switch {
	case !ok:
		return 0
	case n < 0:
		t.errKey("retries", "%s: retries must not be negative", label)
	case n > MaxRetries:
		t.errKey("retries", "%s: retries must be at most %d, not %d: a step is tried at most %d times, with waits of 1s, 2s, 4s … up to 30s between tries; one that fails that often needs a person",
			label, MaxRetries, n, MaxRetries+1)
	}
	return n
}

// modelSteps reads a model's steps and on-failure steps.
func (p *parser) modelSteps(t *table, m *models.Model) {
	steps, onFailure := t.tables("step"), t.tables("on_failure")
	for _, st := range steps {
		m.Steps = append(m.Steps, p.step(st, *m, false))
	}
	for _, st := range onFailure {
		m.OnFailure = append(m.OnFailure, p.step(st, *m, true))
	}
	p.uniqueSteps(m.Name, "steps", steps, m.Steps)
	p.uniqueSteps(m.Name, "on-failure steps", onFailure, m.OnFailure)
}

func (p *parser) step(t *table, m models.Model, onFailure bool) models.Step {
	t.require("name", "stage")
	s := models.Step{OnFailure: onFailure}
	s.Name, _ = t.str("name")
	label := fmt.Sprintf("model %q, step %q", m.Name, s.Name)
	if t.has("name") && strings.TrimSpace(s.Name) == "" {
		t.errKey("name", "model %q: step name is empty", m.Name)
	}
	if st, ok := t.str("stage"); ok {
		s.Stage = models.Stage(st)
		if !s.Stage.Valid() {
			t.errKey("stage", "%s: unknown stage %q (one of verify_components, verify_environment, execute, verify_deployment)", label, st)
		}
	}
	s.Hint, _ = t.str("hint")
	s.Required = t.bool("required", true)
	s.Run, _ = t.str("run")
	s.Check, _ = t.str("check")
	if s.Check != "" && s.Check != "http" && s.Check != "checksum" {
		t.errKey("check", "%s: unknown check %q (http or checksum)", label, s.Check)
	}
	s.URL, _ = t.str("url")
	if n, ok := t.int("expect_status"); ok {
		s.ExpectStatus = n
		if n < 100 || n > 599 {
			t.errKey("expect_status", "%s: expect_status %d is not an HTTP status", label, n)
		}
	}
	if s.Check != "http" {
		for _, k := range []string{"url", "expect_status"} {
			if t.has(k) {
				t.errKey(k, "%s: %s only applies to check = \"http\"", label, k)
			}
		}
	} else if s.ExpectStatus == 0 {
		s.ExpectStatus = 200
	}
	s.Artifact, _ = t.str("artifact")
	s.SHA256, _ = t.str("sha256")
	s.SHA256File, _ = t.str("sha256_file")
	if s.Check != "checksum" {
		for _, k := range []string{"artifact", "sha256", "sha256_file"} {
			if t.has(k) {
				t.errKey(k, "%s: %s only applies to check = \"checksum\"", label, k)
			}
		}
	}
	s.Timeout, _ = t.duration("timeout")
	s.Retries = retries(t, label)
	gate := t.bool("gate", false)
	roles, _ := t.strs("roles")
	for i, r := range roles {
		if !models.Role(r).Valid() {
			t.errAt(indexPath(t.keyPath("roles"), i), "%s: unknown role %q (one of manager, practitioner, technician, analyst)", label, r)
		}
		s.Roles = append(s.Roles, models.Role(r))
	}
	envs, _ := t.strs("environments")
	for i, env := range envs {
		ep := indexPath(t.keyPath("environments"), i)
		switch {
		case !p.hasEnv(env):
			t.errAt(ep, "%s: unknown environment %q%s", label, env, p.envHint())
		case len(m.Path) > 0 && !m.OnPath(env):
			t.errAt(ep, "%s: environment %q is not on the model's path (%s)", label, env, strings.Join(m.Path, ", "))
		}
	}
	s.Environments = envs
	switch {
	case gate:
		s.Kind = models.StepGate
		if len(s.Roles) == 0 {
			s.Roles = []models.Role{models.RoleManager}
		}
	case s.Run != "" || s.Check != "":
		s.Kind = models.StepAutomated
	default:
		s.Kind = models.StepManual
	}
	p.validate(t, func() error {
		if err := s.Validate(); err != nil {
			return fmt.Errorf("model %q: %w", m.Name, err)
		}
		return nil
	})
	p.checksumFindsASum(t, m, s, label)
	p.scriptExists(t, s, label)
	t.finish()
	return s
}

// uniqueSteps refuses two steps of one stage with one name (ts are the tables
// steps were read from). Steps are run, ticked and recorded by their number, so
// the same name in two stages, or for a step and an on-failure step, is harmless;
// but ferry models diff knows a step across versions by its stage and name, and
// with two alike it would compare the wrong ones.
func (p *parser) uniqueSteps(model, what string, ts []*table, steps []models.Step) {
	lines := map[string]int{}
	for i, s := range steps {
		if s.Name == "" || !s.Stage.Valid() {
			continue // already reported
		}
		k := string(s.Stage) + "\x00" + s.Name
		line := p.c.ix.line(ts[i].keyPath("name"))
		if first, dup := lines[k]; dup {
			ts[i].errKey("name", "model %q has two %s called %q in stage %s (lines %d and %d): ferry models diff tells a stage's steps apart by name; give each its own name",
				model, what, s.Name, s.Stage, first, line)
			continue
		}
		lines[k] = line
	}
}

// checksumFindsASum reports a checksum step that can never find the checksum it
// compares with: no sha256 or sha256_file of its own, and no component it can move
// declares one.
func (p *parser) checksumFindsASum(t *table, m models.Model, s models.Step, label string) {
	if s.Check != "checksum" || s.SHA256File != "" || (s.SHA256 != "" && !strings.Contains(s.SHA256, "FERRY_ARTIFACT_SHA256")) {
		return
	}
	for _, comp := range p.cfg.Components() {
		if m.AppliesToKind(comp.Kind) && comp.SHA256 != "" {
			return
		}
	}
	at := "check"
	if t.has("sha256") {
		at = "sha256"
	}
	t.errKey(at, "%s: a checksum that can never be found: no %s component declares sha256; set sha256 or sha256_file on the step",
		label, joinKinds(m.Kinds))
}

// scriptExists reports a run step whose program is a path (./scripts/deploy.sh) that
// does not exist beside the config file or is not executable.
func (p *parser) scriptExists(t *table, s models.Step, label string) {
	fields := strings.Fields(s.Run)
	if !p.onDisk || len(fields) == 0 || !strings.Contains(fields[0], "/") {
		return
	}
	path := fields[0]
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(p.cfg.File), path)
	}
	switch st, err := os.Stat(path); {
	case err != nil:
		t.errKey("run", "%s: %s does not exist (paths are relative to %s)", label, fields[0], filepath.Dir(p.cfg.File))
	case st.IsDir():
		t.errKey("run", "%s: %s is a directory, not a program", label, fields[0])
	case st.Mode().Perm()&0o111 == 0:
		t.errKey("run", "%s: %s is not executable (chmod +x %s)", label, fields[0], path)
	}
}

func joinKinds(ks []models.Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, "/")
}

// ---- shared checks ------------------------------------------------------------

// unique reports a name already declared for the same kind of entity, at the
// second declaration's name line.
func (p *parser) unique(t *table, what, name string, seen map[string]int) {
	if name == "" {
		return
	}
	line := p.c.ix.line(t.keyPath("name"))
	if first, dup := seen[name]; dup {
		t.errKey("name", "duplicate %s %q (first declared at line %d)", what, name, first)
		return
	}
	seen[name] = line
}

// name reads a table's name, refusing at its line one no command could type (kind
// says what it names). It is checked here, not only by the entity's Validate, which
// runs only when nothing else in the table is wrong: a bad name beside a bad role
// went unreported, though every problem in a config is reported at once.
func (p *parser) name(t *table, kind string) string {
	name, _ := t.str("name")
	if name == "" {
		return name // missing or empty: require and Validate say so
	}
	if err := models.CheckIdentifier(kind, name); err != nil {
		t.errKey("name", "%v", err)
	}
	return name
}

// validate runs the entity's own validation when nothing more precise was
// reported for it, at the line of its name.
func (p *parser) validate(t *table, check func() error) {
	if t.bad {
		return
	}
	if err := check(); err != nil {
		t.errKey("name", "%v", err)
	}
}

func (p *parser) hasEnv(name string) bool {
	_, ok := p.envLines[name]
	return ok
}

// envHint lists the declared environments for a message.
func (p *parser) envHint() string {
	if len(p.cfg.Environments) == 0 {
		return " (no environments are declared)"
	}
	names := make([]string, len(p.cfg.Environments))
	for i, e := range p.cfg.Environments {
		names[i] = e.Name
	}
	return " (declared: " + strings.Join(names, ", ") + ")"
}

// ---- lookups ------------------------------------------------------------------

func (c *Config) index() {
	c.envs = map[string]int{}
	for i, e := range c.Environments {
		c.envs[e.Name] = i
	}
	c.people = map[string]int{}
	c.unixUsers = map[string]int{}
	for i, p := range c.People {
		c.people[p.Name] = i
		if p.UnixUser != "" {
			c.unixUsers[p.UnixUser] = i
		}
	}
	c.services = map[string]int{}
	c.components = map[string]models.Component{}
	for i, s := range c.Services {
		c.services[s.Name] = i
		for _, comp := range s.Components {
			c.components[comp.Name] = comp
		}
	}
	c.models = map[string]int{}
	for i, m := range c.Models {
		c.models[m.Name] = i
	}
}

// Environment returns the environment called name.
func (c *Config) Environment(name string) (models.Environment, bool) {
	i, ok := c.envs[name]
	if !ok {
		return models.Environment{}, false
	}
	return c.Environments[i], true
}

// CheckEnvironment refuses an environment c does not declare, naming flag (what the
// person gave it as: "--env"), the name and the environments there are. The CLI asks
// it before the database opens; the engine asks it of every act that names one.
func (c *Config) CheckEnvironment(flag, name string) error {
	if _, ok := c.Environment(name); ok {
		return nil
	}
	return models.Invalidf("%s: unknown environment %q (known: %s)", flag, name, strings.Join(c.EnvironmentNames(), ", "))
}

// EnvironmentNames are the environments' names, in promotion order.
func (c *Config) EnvironmentNames() []string {
	out := make([]string, len(c.Environments))
	for i, e := range c.Environments {
		out[i] = e.Name
	}
	return out
}

// Person returns the person whose id is name.
func (c *Config) Person(name string) (models.Person, bool) {
	i, ok := c.people[name]
	if !ok {
		return models.Person{}, false
	}
	return c.People[i], true
}

// PersonByUnixUser returns the person whose unix_user is u.
func (c *Config) PersonByUnixUser(u string) (models.Person, bool) {
	i, ok := c.unixUsers[u]
	if !ok || u == "" {
		return models.Person{}, false
	}
	return c.People[i], true
}

// Service returns the service called name.
func (c *Config) Service(name string) (models.Service, bool) {
	i, ok := c.services[name]
	if !ok {
		return models.Service{}, false
	}
	return c.Services[i], true
}

// Component returns the component called name, with its Service set.
func (c *Config) Component(name string) (models.Component, bool) {
	comp, ok := c.components[name]
	return comp, ok
}

// Components returns every component of every service, in the order declared.
func (c *Config) Components() []models.Component {
	var out []models.Component
	for _, s := range c.Services {
		out = append(out, s.Components...)
	}
	return out
}

// Model returns the deployment model called name (Version 0).
func (c *Config) Model(name string) (models.Model, bool) {
	i, ok := c.models[name]
	if !ok {
		return models.Model{}, false
	}
	return c.Models[i], true
}

// FirstManager returns the first person declared with the manager role.
func (c *Config) FirstManager() (models.Person, bool) {
	for _, p := range c.People {
		if p.Has(models.RoleManager) {
			return p, true
		}
	}
	return models.Person{}, false
}

// PeopleWithRole returns everyone holding role r, in the order declared.
func (c *Config) PeopleWithRole(r models.Role) []models.Person {
	var out []models.Person
	for _, p := range c.People {
		if p.Has(r) {
			out = append(out, p)
		}
	}
	return out
}
