package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ferry/models"
)

// base is a small valid config. Cases add to it or replace parts of it.
const base = `[ferry]
timezone = "Europe/Berlin"

[[environment]]
name = "test"
order = 1

[[environment]]
name = "production"
order = 2
capacity = 1

[[person]]
name = "ana"
roles = ["manager"]
unix_user = "ana"

[[service]]
name = "web"
  [[service.component]]
  name = "web-frontend"
  kind = "software"

[[model]]
name = "web-service"
kinds = ["software"]
path = ["test", "production"]
default_duration = "45m"
  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "./deploy.sh"
`

// replace returns base with old replaced by new, failing if old is not there.
func replace(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(base, old) {
		t.Fatalf("base has no %q", old)
	}
	return strings.Replace(base, old, new, 1)
}

// markedLine is the line of src holding marker (a comment such as "# <-").
func markedLine(t *testing.T, src, marker string) int {
	t.Helper()
	for i, l := range strings.Split(src, "\n") {
		if strings.HasSuffix(strings.TrimSpace(l), marker) {
			return i + 1
		}
	}
	t.Fatalf("no line marked %q in:\n%s", marker, src)
	return 0
}

func TestBaseParses(t *testing.T) {
	c, err := Parse("base.toml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Environments) != 2 || len(c.People) != 1 || len(c.Models) != 1 || len(c.Components()) != 1 {
		t.Fatalf("unexpected counts: %+v", c)
	}
}

func TestParseRefuses(t *testing.T) {
	type tc struct {
		name string
		src  string
		want string // part of the message; the line is the one marked "# <-"
	}
	cases := func(t *testing.T) []tc {
		return []tc{
			// TOML syntax
			{"syntax: unterminated string", base + "[[environment]]\nname = \"stage # <-\norder = 3\n", "TOML syntax error"},
			{"syntax: bad header", base + "\n[[environment] # <-\nname = \"x\"\n", "TOML syntax error"},
			{"syntax: duplicate key", replace(t, "order = 1\n", "order = 1\norder = 2 # <-\n"), "TOML syntax error"},

			// unknown keys, everywhere
			{"unknown key in [[environment]]", replace(t, "order = 2\n", "order = 2\ncolour = \"blue\" # <-\n"), `unknown key "colour" in [[environment]]`},
			{"unknown key in [ferry]", replace(t, "[ferry]\n", "[ferry]\ndb = \"x.db\" # <-\n"), `unknown key "db" in [ferry]`},
			{"unknown key at the top", "title = \"x\" # <-\n" + base, `unknown key "title" at the top level`},
			{"unknown table, with a suggestion", base + "\n[[enviroment]] # <-\nname = \"x\"\n", `unknown key "enviroment" at the top level (did you mean "environment"?)`},
			{"unknown key in [[person]]", replace(t, "unix_user = \"ana\"\n", "unix_user = \"ana\"\nphone = \"+351 555\" # <-\n"), `unknown key "phone" in [[person]]`},
			{"unknown key in [[service.component]]", replace(t, "  kind = \"software\"\n", "  kind = \"software\"\n  version = \"1.0\" # <-\n"), `unknown key "version" in [[service.component]]`},
			{"unknown key in [[model]]", replace(t, "default_duration = \"45m\"\n", "default_duration = \"45m\"\nowner = \"ana\" # <-\n"), `unknown key "owner" in [[model]]`},
			{"unknown key in the second [[model.step]]", base + "  [[model.step]]\n  stage = \"verify_deployment\"\n  name = \"Smoke\"\n  command = \"./smoke.sh\" # <-\n", `unknown key "command" in [[model.step]]`},
			{"unknown key in [[model.on_failure]]", base + "  [[model.on_failure]]\n  stage = \"execute\"\n  name = \"Roll back\"\n  runs = \"./rollback.sh\" # <-\n", `unknown key "runs" in [[model.on_failure]] (did you mean "run"?)`},
			{"unknown key in [[environment.maintenance]] of the second environment", replace(t, "capacity = 1\n", "capacity = 1\n  [[environment.maintenance]]\n  name = \"w\"\n  weekly = \"Sat 22:00 - Sun 04:00\"\n  [[environment.maintenance]]\n  name = \"w2\"\n  weekly = \"Tue 22:00 - Wed 02:00\"\n  every = \"week\" # <-\n"), `unknown key "every" in [[environment.maintenance]]`},
			{"unknown sub-table of [[environment]]", replace(t, "capacity = 1\n", "capacity = 1\n  [[environment.window]] # <-\n  name = \"w\"\n"), `unknown key "window" in [[environment]]`},

			// review settings
			{"a failure category twice", replace(t, "[ferry]\n", "[ferry]\nfailure_categories = [\"config\", \"config\"] # <-\n"), `failure_categories in [ferry]: "config" is listed twice`},
			{"an empty failure category", replace(t, "[ferry]\n", "[ferry]\nfailure_categories = [\"config\", \"\"] # <-\n"), `entry 2 "" is empty`},
			{"review_after not a duration", replace(t, "[ferry]\n", "[ferry]\nreview_after = \"three days\" # <-\n"), `review_after in [ferry]: "three days" is not a duration`},
			{"model_review_every of 0", replace(t, "[ferry]\n", "[ferry]\nmodel_review_every = \"0d\" # <-\n"), `model_review_every in [ferry] must be more than 0, not "0d": every model would always be due for review (e.g. "90d")`},
			{"negative review_after", replace(t, "[ferry]\n", "[ferry]\nreview_after = \"-1d\" # <-\n"), `review_after in [ferry]: duration "-1d" must not be negative`},
			{"production must be a boolean", replace(t, "capacity = 1\n", "capacity = 1\nproduction = \"yes\" # <-\n"), `production in [[environment]] must be`},

			// wrong value types
			{"order must be an integer", replace(t, "order = 2\n", "order = \"2\" # <-\n"), `order in [[environment]] must be an integer, not a string ("2")`},
			{"capacity must be an integer", replace(t, "capacity = 1\n", "capacity = 1.5 # <-\n"), `capacity in [[environment]] must be an integer, not a float`},
			{"roles must be an array", replace(t, "roles = [\"manager\"]\n", "roles = \"manager\" # <-\n"), `roles in [[person]] must be an array of strings, not a string`},
			{"array element of the wrong type", replace(t, "kinds = [\"software\"]\n", "kinds = [\"software\", 3] # <-\n"), `kinds in [[model]] must be an array of strings, but element 2 is an integer`},
			{"required must be a boolean", base + "  required = \"no\" # <-\n", `required in [[model.step]] must be true or false, not a string`},
			{"environment must be an array of tables", "[environment] # <-\nname = \"test\"\norder = 1\n", `environment must be an array of tables, written [[environment]]`},
			{"variables must be strings", replace(t, "capacity = 1\n", "capacity = 1\nvariables = { REGION = \"eu\", PORT = 8080 } # <-\n"), `variables.PORT in [[environment]] must be a string, not an integer`},

			{"variable name with a space", replace(t, "capacity = 1\n", "capacity = 1\nvariables = { REGION = \"eu\", \"BAD NAME\" = \"x\" } # <-\n"),
				`environment "production": variable name "BAD NAME" cannot be an environment variable of a step's command: use letters, digits and '_', not starting with a digit (e.g. "BAD_NAME")`},
			{"variable name starting with a digit", replace(t, "capacity = 1\n", "capacity = 1\n  [environment.variables]\n  REGION = \"eu\"\n  9LIVES = \"x\" # <-\n"),
				`variable name "9LIVES" cannot be an environment variable of a step's command: use letters, digits and '_', not starting with a digit (e.g. "_9LIVES")`},

			// duplicate names, at the second declaration
			{"duplicate environment", base + "\n[[environment]]\nname = \"test\" # <-\norder = 3\n", `duplicate environment "test" (first declared at line 5)`},
			{"duplicate person", base + "\n[[person]]\nname = \"ana\" # <-\nroles = [\"analyst\"]\n", `duplicate person "ana" (first declared at line 14)`},
			{"duplicate unix_user", base + "\n[[person]]\nname = \"bob\"\nroles = [\"analyst\"]\nunix_user = \"ana\" # <-\n", `unix_user "ana" is already used by another person (line 16)`},
			{"duplicate service", base + "\n[[service]]\nname = \"web\" # <-\n", `duplicate service "web" (first declared at line 19)`},
			{"duplicate component across services", base + "\n[[service]]\nname = \"shop\"\n  [[service.component]]\n  name = \"web-frontend\" # <-\n  kind = \"software\"\n", `duplicate component "web-frontend" (first declared at line 21)`},
			{"two environments with one order", replace(t, "order = 2\n", "order = 1 # <-\n"), `environments "test" (line 6) and "production" (line 10) both have order 1: the promotion chain would be ambiguous; give each environment its own order`},
			{"duplicate model", base + "\n[[model]]\nname = \"web-service\" # <-\nkinds = [\"software\"]\npath = [\"test\"]\ndefault_duration = \"1h\"\n", `duplicate model "web-service" (first declared at line 25)`},

			// depends_on
			{"depends_on names an unknown component", replace(t, "  kind = \"software\"\n", "  kind = \"software\"\n  depends_on = [\"ledger\"] # <-\n"), `component "web-frontend" depends on "ledger", which no [[service.component]] declares`},
			{"depends_on names itself", replace(t, "  kind = \"software\"\n", "  kind = \"software\"\n  depends_on = [\"web-frontend\"] # <-\n"), `component "web-frontend" depends on itself`},
			{"depends_on in a circle", replace(t, "  kind = \"software\"\n", "  kind = \"software\"\n  depends_on = [\"db\"] # <-\n  [[service.component]]\n  name = \"db\"\n  kind = \"software\"\n  depends_on = [\"cache\"]\n  [[service.component]]\n  name = \"cache\"\n  kind = \"software\"\n  depends_on = [\"web-frontend\"]\n"), `components depend on each other in a circle: web-frontend → db → cache → web-frontend`},

			// references to environments and roles
			{"model path names an unknown environment", replace(t, "path = [\"test\", \"production\"]\n", "path = [\"test\", \"prod\"] # <-\n"), `model "web-service": path names unknown environment "prod" (declared: test, production)`},
			{"model path names an environment twice", replace(t, "path = [\"test\", \"production\"]\n", "path = [\"test\", \"test\"] # <-\n"), `model "web-service": environment "test" is on the path twice`},
			{"step names an unknown environment", base + "  environments = [\"prod\"] # <-\n", `model "web-service", step "Roll out": unknown environment "prod"`},
			{"step names an environment off the path", replace(t, "path = [\"test\", \"production\"]\n", "path = [\"production\"]\n") + "  environments = [\"test\"] # <-\n", `environment "test" is not on the model's path (production)`},
			{"step with an unknown role", base + "  [[model.step]]\n  stage = \"execute\"\n  name = \"Approve\"\n  gate = true\n  roles = [\"manager\", \"boss\"] # <-\n", `model "web-service", step "Approve": unknown role "boss"`},
			{"person with an unknown role", replace(t, "roles = [\"manager\"]\n", "roles = [\"admin\"] # <-\n"), `person "ana": unknown role "admin" (one of manager, practitioner, technician, analyst)`},

			// steps
			{"step without a name", base + "  [[model.step]] # <-\n  stage = \"execute\"\n  run = \"./x.sh\"\n", `missing key "name" in [[model.step]]`},
			{"step with an empty name", base + "  [[model.step]]\n  stage = \"execute\"\n  name = \"\" # <-\n", `model "web-service": step name is empty`},
			{"step without a stage", base + "  [[model.step]] # <-\n  name = \"Check\"\n", `missing key "stage" in [[model.step]]`},
			{"step with an unknown stage", base + "  [[model.step]]\n  stage = \"deploy\" # <-\n  name = \"Check\"\n", `model "web-service", step "Check": unknown stage "deploy" (one of verify_components, verify_environment, execute, verify_deployment)`},
			{"step with an unknown check", base + "  [[model.step]]\n  stage = \"verify_deployment\"\n  name = \"Ping\"\n  check = \"ping\" # <-\n", `unknown check "ping" (http or checksum)`},
			{"url without an http check", base + "  url = \"http://x\" # <-\n", `url only applies to check = "http"`},
			{"two steps with one name in one stage", base + "  [[model.step]]\n  stage = \"execute\"\n  name = \"Roll out\" # <-\n  run = \"./deploy-again.sh\"\n",
				`model "web-service" has two steps called "Roll out" in stage execute (lines 31 and 35): ferry models diff tells a stage's steps apart by name; give each its own name`},
			{"two on-failure steps with one name in one stage", base + "  [[model.on_failure]]\n  stage = \"execute\"\n  name = \"Roll back\"\n  run = \"./a.sh\"\n  [[model.on_failure]]\n  stage = \"execute\"\n  name = \"Roll back\" # <-\n  run = \"./b.sh\"\n",
				`model "web-service" has two on-failure steps called "Roll back" in stage execute (lines 35 and 39)`},
			{"retries beyond the bound", base + "  retries = 1000000 # <-\n", `model "web-service", step "Roll out": retries must be at most 10, not 1000000: a step is tried at most 11 times`},
			{"negative retries", base + "  retries = -1 # <-\n", `retries must not be negative`},

			// windows
			{"unparseable weekly window", replace(t, "capacity = 1\n", "capacity = 1\n  [[environment.maintenance]]\n  name = \"w\"\n  weekly = \"Sat 22:00 - Sun 25:00\" # <-\n"), `weekly window "Sat 22:00 - Sun 25:00": "25:00" is not a time of day HH:MM`},
			{"window name with a control character", replace(t, "capacity = 1\n", "capacity = 1\n  [[environment.freeze]]\n  name = \"year\\u001fend\" # <-\n  weekly = \"Fri 14:00 - Fri 23:59\"\n"), `window name "year\x1fend" contains a control character (U+001F)`},
			{"weekly window without a dash", replace(t, "capacity = 1\n", "capacity = 1\n  [[environment.freeze]]\n  weekly = \"Saturday night\" # <-\n"), `weekly window "Saturday night": want "Day HH:MM - Day HH:MM"`},
			{"unparseable one-off from", replace(t, "capacity = 1\n", "capacity = 1\n  [[environment.freeze]]\n  name = \"year end\"\n  from = \"19.12.2026 00:00\" # <-\n  to = \"2027-01-04 00:00\"\n"), `from in [[environment.freeze]]: "19.12.2026 00:00" is not a time "YYYY-MM-DD HH:MM"`},
			{"one-off time the clocks skip", replace(t, "capacity = 1\n", "capacity = 1\n  [[environment.freeze]]\n  name = \"spring\"\n  from = \"2026-03-29 02:30\" # <-\n  to = \"2026-03-29 05:00\"\n"), `from in [[environment.freeze]]: "2026-03-29 02:30" does not exist in Europe/Berlin`},
			{"window with weekly and from", replace(t, "capacity = 1\n", "capacity = 1\n  [[environment.freeze]] # <-\n  name = \"both\"\n  weekly = \"Fri 14:00 - Fri 23:59\"\n  from = \"2026-12-19 00:00\"\n  to = \"2027-01-04 00:00\"\n"), `a window in [[environment.freeze]] is either weekly or from + to, not both`},
			{"window with neither", replace(t, "capacity = 1\n", "capacity = 1\n  [[environment.freeze]] # <-\n  name = \"empty\"\n"), `a window in [[environment.freeze]] needs weekly`},
			{"window with from only", replace(t, "capacity = 1\n", "capacity = 1\n  [[environment.freeze]] # <-\n  name = \"half\"\n  from = \"2026-12-19 00:00\"\n"), `missing key "to" in [[environment.freeze]]`},
			{"two freezes with one name", replace(t, "capacity = 1\n", "capacity = 1\n  [[environment.freeze]]\n  name = \"year end\"\n  from = \"2026-12-19 00:00\"\n  to = \"2027-01-04 00:00\"\n  [[environment.freeze]]\n  name = \"year end\" # <-\n  weekly = \"Fri 14:00 - Fri 23:59\"\n"),
				`environment "production" has two freeze windows called "year end" (lines 13 and 17): a freeze is known by its name (its conflicts, a manager's override of one, the audit log); give each its own name`},
			{"two maintenance windows with one name", replace(t, "capacity = 1\n", "capacity = 1\n  [[environment.maintenance]]\n  name = \"night\"\n  weekly = \"Tue 22:00 - Wed 02:00\"\n  [[environment.maintenance]]\n  name = \"night\" # <-\n  weekly = \"Thu 22:00 - Fri 02:00\"\n"),
				`environment "production" has two maintenance windows called "night" (lines 13 and 16): the audit log records maintenance windows by name, so a change to one of the two would go unrecorded; give each its own name`},
			{"window ending before it starts", replace(t, "capacity = 1\n", "capacity = 1\n  [[environment.freeze]]\n  name = \"backwards\"\n  from = \"2027-01-04 00:00\"\n  to = \"2026-12-19 00:00\" # <-\n"), `window "backwards" in [[environment.freeze]] ends (2026-12-19 00:00) before it starts (2027-01-04 00:00)`},

			{"freeze past the years kept", replace(t, "capacity = 1\n", "capacity = 1\n  [[environment.freeze]]\n  name = \"far\"\n  from = \"2027-01-01 00:00\"\n  to = \"2300-01-02 00:00\" # <-\n"), `to in [[environment.freeze]]: "2300-01-02 00:00" is outside the years 1970–2200 Ferry keeps`},
			{"freeze before the years kept, as a TOML date-time", replace(t, "capacity = 1\n", "capacity = 1\n  [[environment.freeze]]\n  name = \"old\"\n  from = 1960-01-01T00:00:00Z # <-\n  to = \"2026-01-02 00:00\"\n"), `from in [[environment.freeze]]: "1960-01-01T00:00:00Z" is outside the years 1970–2200 Ferry keeps`},

			// durations
			{"unparseable default_duration", replace(t, "default_duration = \"45m\"\n", "default_duration = \"45 minutes\" # <-\n"), `default_duration in [[model]]: "45 minutes" is not a duration`},
			{"zero default_duration", replace(t, "default_duration = \"45m\"\n", "default_duration = \"0s\" # <-\n"), `default_duration in [[model]]: duration "0s" must be positive`},
			{"default_duration over a year", replace(t, "default_duration = \"45m\"\n", "default_duration = \"400d\" # <-\n"), `default_duration in [[model]] "web-service": a window of 400d is longer than a year`},
			{"default_duration under a minute", replace(t, "default_duration = \"45m\"\n", "default_duration = \"30s\" # <-\n"), `default_duration in [[model]] "web-service": a window of 30s is shorter than a minute`},
			{"unparseable timeout", base + "  timeout = \"ten minutes\" # <-\n", `timeout in [[model.step]]: "ten minutes" is not a duration`},
			{"negative start_tolerance", replace(t, "[ferry]\n", "[ferry]\nstart_tolerance = \"-5m\" # <-\n"), `start_tolerance in [ferry]: duration "-5m" must not be negative`},
			{"unparseable adherence_tolerance", replace(t, "[ferry]\n", "[ferry]\nadherence_tolerance = \"quarter hour\" # <-\n"), `adherence_tolerance in [ferry]: "quarter hour" is not a duration`},

			// the rest of the declarations
			{"unknown timezone", replace(t, "timezone = \"Europe/Berlin\"\n", "timezone = \"Europe/Berln\" # <-\n"), `unknown timezone "Europe/Berln" in [ferry]`},
			{"unknown component kind", replace(t, "  kind = \"software\"\n", "  kind = \"firmware\" # <-\n"), `component "web-frontend": unknown kind "firmware" (one of software, hardware, documentation, licence, data)`},
			{"unknown model kind", replace(t, "kinds = [\"software\"]\n", "kinds = [\"software\", \"firmware\"] # <-\n"), `model "web-service": unknown kind "firmware"`},
			{"capacity below 1", replace(t, "capacity = 1\n", "capacity = 0 # <-\n"), `capacity in [[environment]] must be at least 1, not 0`},
			{"invalid ssh key", replace(t, "unix_user = \"ana\"\n", "unix_user = \"ana\"\nssh_keys = [\"ssh-ed25519 AAAAC3... ana@laptop\"] # <-\n"), `person "ana": ssh_keys entry 1 is not a public key`},
			{"DSA key", replace(t, "unix_user = \"ana\"\n", "unix_user = \"ana\"\nssh_keys = [\"ssh-dss AAAAB3NzaC1kc3MAAACBAP ana@old\"] # <-\n"), `person "ana": ssh_keys entry 1: a DSA key is too weak`},
			{"RSA key under 2048 bits", replace(t, "unix_user = \"ana\"\n", "unix_user = \"ana\"\nssh_keys = [\""+rsaLine(t, 1024)+"\"] # <-\n"), `person "ana": ssh_keys entry 1: an RSA key of 1024 bits is too weak: at least 2048 are needed`},

			// missing required keys, at the table header
			{"environment without order", replace(t, "[[environment]]\nname = \"production\"\norder = 2\n", "[[environment]] # <-\nname = \"production\"\n"), `missing key "order" in [[environment]]`},
			{"environment without name", base + "\n[[environment]] # <-\norder = 3\n", `missing key "name" in [[environment]]`},
			{"model without kinds", replace(t, "kinds = [\"software\"]\n", ""), `missing key "kinds" in [[model]]`},
			{"model without path", replace(t, "path = [\"test\", \"production\"]\n", ""), `missing key "path" in [[model]]`},
			{"model without default_duration", replace(t, "default_duration = \"45m\"\n", ""), `missing key "default_duration" in [[model]]`},
			{"component without kind", replace(t, "  kind = \"software\"\n", ""), `missing key "kind" in [[service.component]]`},
			{"person without roles", replace(t, "roles = [\"manager\"]\n", ""), `missing key "roles" in [[person]]`},

			// the models' own validation, at the line of the name
			{"environment name with a space", base + "\n[[environment]]\nname = \"pro duction\" # <-\norder = 3\n", `environment name "pro duction" may only use letters, digits`},
			{"maintenance required but none declared", replace(t, "name = \"production\"\n", "name = \"production\" # <-\nrequire_maintenance_window = true\n"), `environment "production" requires a maintenance window but declares none`},
			{"step with run and check", base + "  [[model.step]]\n  stage = \"verify_deployment\"\n  name = \"Both\" # <-\n  run = \"./x.sh\"\n  check = \"http\"\n  url = \"http://x\"\n", `model "web-service": step "Both": has both run and check`},
			{"gate with a command", base + "  [[model.step]]\n  stage = \"execute\"\n  name = \"Gate\" # <-\n  gate = true\n  run = \"./x.sh\"\n", `step "Gate": a gate cannot also run a command`},
			{"http check without url", base + "  [[model.step]]\n  stage = \"verify_deployment\"\n  name = \"Health\" # <-\n  check = \"http\"\n", `step "Health": check "http" needs url`},
			{"a checksum that can never be found", base + "  [[model.step]]\n  stage = \"verify_components\"\n  name = \"Sum\"\n  check = \"checksum\"\n  artifact = \"a.tgz\"\n  sha256 = \"${FERRY_ARTIFACT_SHA256}\" # <-\n",
				`step "Sum": a checksum that can never be found: no software component declares sha256; set sha256 or sha256_file on the step`},
			{"sha256_file without a checksum", base + "  [[model.step]]\n  stage = \"verify_components\"\n  name = \"Sum\"\n  run = \"true\"\n  sha256_file = \"a.sha256\" # <-\n",
				`sha256_file only applies to check = "checksum"`},
			{"model name with a slash", replace(t, "name = \"web-service\"\n", "name = \"web/service\" # <-\n"), `model name "web/service" may only use letters`},

			// notifications
			{"person email that is no address", replace(t, "unix_user = \"ana\"\n", "unix_user = \"ana\"\nemail = \"ana at example\" # <-\n"), `person "ana": email "ana at example" is not an address`},
			{"unknown key in [[notify.channel]]", base + notifyHook + "  secret = \"x\" # <-\n", `unknown key "secret" in [[notify.channel]]`},
			{"unknown key in [notify]", base + "[notify]\nretries = 3 # <-\n", `unknown key "retries" in [notify]`},
			{"unknown key in [[notify.rule]]", base + notifyHook + notifyRule + "  when = \"always\" # <-\n", `unknown key "when" in [[notify.rule]]`},
			{"channel of an unknown type", base + "[[notify.channel]]\n  name = \"x\"\n  type = \"pager\" # <-\n", `channel "x": unknown type "pager" (one of webhook, slack, email, command)`},
			{"channel without a type", base + "[[notify.channel]] # <-\n  name = \"x\"\n", `missing key "type" in [[notify.channel]]`},
			{"webhook without url", base + "[[notify.channel]] # <-\n  name = \"x\"\n  type = \"webhook\"\n", `missing key "url" in [[notify.channel]]`},
			{"webhook url that is no URL", base + "[[notify.channel]]\n  name = \"x\"\n  type = \"webhook\"\n  url = \"hooks.example.org\" # <-\n", `channel "x": url "hooks.example.org" is not an http or https URL`},
			{"key of another channel type", base + notifyHook + "  smtp = \"mail:25\" # <-\n", `channel "ops-hook": smtp applies to email channels, not webhook`},
			{"secret_env that is no variable name", base + "[[notify.channel]]\n  name = \"x\"\n  type = \"webhook\"\n  url = \"https://h/x\"\n  secret_env = \"my secret\" # <-\n", `secret_env must name an environment variable`},
			{"email without from", base + "[[notify.channel]] # <-\n  name = \"mail\"\n  type = \"email\"\n  smtp = \"mail.example.org:587\"\n", `missing key "from" in [[notify.channel]]`},
			{"email smtp without port", base + "[[notify.channel]]\n  name = \"mail\"\n  type = \"email\"\n  smtp = \"mail.example.org\" # <-\n  from = \"f@example.org\"\n", `smtp must be "host:port"`},
			{"email user_env without password_env", base + "[[notify.channel]] # <-\n  name = \"mail\"\n  type = \"email\"\n  smtp = \"m:587\"\n  from = \"f@example.org\"\n  user_env = \"U\"\n", `user_env and password_env go together`},
			{"email tls unknown", base + "[[notify.channel]]\n  name = \"mail\"\n  type = \"email\"\n  smtp = \"m:587\"\n  from = \"f@example.org\"\n  tls = \"ssl\" # <-\n", `tls must be "starttls"`},
			{"command without run", base + "[[notify.channel]] # <-\n  name = \"x\"\n  type = \"command\"\n", `missing key "run" in [[notify.channel]]`},
			{"duplicate channel", base + notifyHook + "[[notify.channel]]\n  name = \"ops-hook\" # <-\n  type = \"command\"\n  run = \"cat\"\n", `duplicate channel "ops-hook"`},
			{"rule with an unknown event", base + notifyHook + "[[notify.rule]]\n  events = [\"failed\", \"exploded\"] # <-\n  channel = \"ops-hook\"\n", `rule: unknown event "exploded"`},
			{"rule with an unknown channel", base + notifyHook + "[[notify.rule]]\n  events = [\"failed\"]\n  channel = \"mail\" # <-\n", `rule: unknown channel "mail" (declared: ops-hook)`},
			{"rule with an unknown environment", base + notifyHook + "[[notify.rule]]\n  events = [\"failed\"]\n  environments = [\"prod\"] # <-\n  channel = \"ops-hook\"\n", `rule: unknown environment "prod"`},
			{"rule to an unknown person", base + notifyHook + "[[notify.rule]]\n  events = [\"failed\"]\n  channel = \"ops-hook\"\n  to = [\"requester\", \"person:zed\"] # <-\n", `rule: no person "zed"`},
			{"rule to an unknown role", base + notifyHook + "[[notify.rule]]\n  events = [\"failed\"]\n  channel = \"ops-hook\"\n  to = [\"role:boss\"] # <-\n", `rule: unknown role in "role:boss"`},
			{"rule to something else", base + notifyHook + "[[notify.rule]]\n  events = [\"failed\"]\n  channel = \"ops-hook\"\n  to = [\"everyone\"] # <-\n", `rule: to "everyone" is not requester, assignee, role:ROLE or person:NAME`},
			{"email rule to a person without email", base + notifyMail + "[[notify.rule]]\n  events = [\"failed\"]\n  channel = \"mail\"\n  to = [\"person:ana\"] # <-\n", `rule: ana has no email, and channel "mail" sends email`},
			{"email rule to nobody", base + notifyMail + "[[notify.rule]] # <-\n  events = [\"failed\"]\n  channel = \"mail\"\n", `channel "mail" sends email: say to whom`},
			{"max_age not positive", base + "[notify]\nmax_age = \"0s\" # <-\n", `max_age in [notify]`},
		}
	}
	for _, c := range cases(t) {
		t.Run(c.name, func(t *testing.T) {
			src := c.src
			if !strings.Contains(src, "# <-") {
				// Missing keys are reported at the header of the table that lacks them.
				src = markHeader(t, src, c.want)
			}
			line := markedLine(t, src, "# <-")
			cfg, err := Parse("bad.toml", []byte(src))
			if err == nil {
				t.Fatalf("accepted:\n%s\n%+v", src, cfg)
			}
			if cfg != nil {
				t.Errorf("a config came back with the error")
			}
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("error is %T, not Errors: %v", err, err)
			}
			if !errors.Is(err, models.ErrInvalid) {
				t.Errorf("error does not wrap models.ErrInvalid")
			}
			if len(es) != 1 {
				t.Errorf("want exactly one problem, got %d:\n%v", len(es), err)
			}
			prefix := fmt.Sprintf("bad.toml:%d: ", line)
			for _, e := range es {
				if strings.HasPrefix(e.Error(), prefix) && strings.Contains(e.Error(), c.want) {
					return
				}
			}
			t.Errorf("want %q at %q, got:\n%v", c.want, prefix, err)
		})
	}
}

// markHeader marks the header of the table the "missing key" message names: the
// only one of its kind that lacks the key in the cases above is the last such
// header before the first line that should have had it.
func markHeader(t *testing.T, src, want string) string {
	t.Helper()
	var key, header string
	if _, err := fmt.Sscanf(want, "missing key %q in %s", &key, &header); err != nil {
		t.Fatalf("case without a marked line: %q", want)
	}
	lines := strings.Split(src, "\n")
	mark := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == header {
			if !hasKey(lines[i+1:], key) {
				mark = i
			}
		}
	}
	if mark < 0 {
		t.Fatalf("no %s without %q", header, key)
	}
	lines[mark] += " # <-"
	return strings.Join(lines, "\n")
}

// hasKey reports whether the table starting at lines (until the next header) sets key.
func hasKey(lines []string, key string) bool {
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "[") {
			return false
		}
		if k, _, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == key {
			return true
		}
	}
	return false
}

const notifyHook = `
[[notify.channel]]
  name = "ops-hook"
  type = "webhook"
  url = "https://hooks.example.org/ferry"
`

const notifyMail = `
[[notify.channel]]
  name = "mail"
  type = "email"
  smtp = "mail.example.org:587"
  from = "ferry@example.org"
`

const notifyRule = `
[[notify.rule]]
  events = ["failed"]
  channel = "ops-hook"
`

func TestNotifyParses(t *testing.T) {
	src := replace(t, "unix_user = \"ana\"\n", "unix_user = \"ana\"\nemail = \"Ana Sousa <ana@example.org>\"\nslack = \"U024BE7LH\"\n") + `
[notify]
max_age = "6h"

[[notify.channel]]
  name = "ops-hook"
  type = "webhook"
  url = "https://hooks.example.org/ferry"
  secret_env = "FERRY_HOOK_SECRET"
  timeout = "3s"

[[notify.channel]]
  name = "mail"
  type = "email"
  smtp = "mail.example.org:587"
  from = "ferry@example.org"
  user_env = "FERRY_SMTP_USER"
  password_env = "FERRY_SMTP_PASSWORD"
  ca_file = "ca.pem"
  max_age = "1h"

[[notify.channel]]
  name = "chat"
  type = "slack"
  url = "https://hooks.slack.com/services/T/B/X"

[[notify.channel]]
  name = "log"
  type = "command"
  run = "cat >> notifications.log"

[[notify.rule]]
  events = ["gate_waiting", "failed", "rolled_back"]
  environments = ["production"]
  channel = "mail"
  to = ["requester", "role:manager", "person:ana"]

[[notify.rule]]
  events = ["planned"]
  channel = "ops-hook"
`
	c, err := Parse("/etc/ferry/config.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	n := c.Notify
	if n.MaxAge != 6*time.Hour || len(n.Channels) != 4 || len(n.Rules) != 2 {
		t.Fatalf("notify: %+v", n)
	}
	hook, mail := n.Channels[0], n.Channels[1]
	if hook.SecretEnv != "FERRY_HOOK_SECRET" || hook.Timeout != 3*time.Second || hook.MaxAge != 6*time.Hour {
		t.Errorf("webhook: %+v", hook)
	}
	if mail.TLS != models.TLSStartTLS || mail.CAFile != "/etc/ferry/ca.pem" || mail.MaxAge != time.Hour || mail.Timeout != models.DefaultChannelTimeout {
		t.Errorf("email: %+v", mail)
	}
	if n.Channels[3].Dir != "/etc/ferry" {
		t.Errorf("a command runs in the config's directory, not %q", n.Channels[3].Dir)
	}
	if !n.Rules[0].Matches("failed", "production") || n.Rules[0].Matches("failed", "test") || !n.Rules[1].Matches("planned", "test") {
		t.Errorf("rules: %+v", n.Rules)
	}
	ana, _ := c.Person("ana")
	if ana.Email != "Ana Sousa <ana@example.org>" || ana.Slack != "U024BE7LH" {
		t.Errorf("ana: %+v", ana)
	}
}

func TestAllProblemsSortedByLine(t *testing.T) {
	src := `[ferry]
timezone = "Mars/Olympus"
colour = "red"

[[environment]]
name = "test"
order = "one"

[[model]]
name = "m"
kinds = ["software"]
path = ["nowhere"]
default_duration = "soon"
`
	_, err := Parse("many.toml", []byte(src))
	want := `many.toml:2: unknown timezone "Mars/Olympus" in [ferry]: use an IANA name such as "Europe/Berlin" or "UTC"
many.toml:3: unknown key "colour" in [ferry]
many.toml:7: order in [[environment]] must be an integer, not a string ("one")
many.toml:12: model "m": path names unknown environment "nowhere" (declared: test)
many.toml:13: default_duration in [[model]]: "soon" is not a duration (e.g. "45m", "4h", "1h30m", "2d")`
	if err == nil || err.Error() != want {
		t.Fatalf("got:\n%v\nwant:\n%s", err, want)
	}
}

func TestLineIndexSurvivesTrickySyntax(t *testing.T) {
	src := `# [[environment]] in a comment
[ferry]
timezone = "UTC" # a comment with [brackets] and key = value

[[environment]]
name = "a"
order = 1
notes = """
[[environment]]
colour = "not a key"
"""
variables = {
  A = "x",
  B = 'y',
}
'literal' = '''it's'''

[[environment]]
name = "b"
order = 2
roles = [
  "x",
  # a comment inside an array
  "y",
]
colour = "red"
`
	_, err := Parse("tricky.toml", []byte(src))
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("want Errors, got %v", err)
	}
	want := []string{
		`tricky.toml:8: unknown key "notes" in [[environment]]`,
		`tricky.toml:16: unknown key "literal" in [[environment]]`,
		`tricky.toml:21: unknown key "roles" in [[environment]]`,
		`tricky.toml:26: unknown key "colour" in [[environment]]`,
	}
	if len(es) != len(want) {
		t.Fatalf("got:\n%v", err)
	}
	for i, w := range want {
		if !strings.HasPrefix(es[i].Error(), w) {
			t.Errorf("problem %d: got %q, want %q", i, es[i].Error(), w)
		}
	}
}

func TestLineIndexPaths(t *testing.T) {
	src := `[[model]]
name = "a"
  [[model.step]]
  name = "a1"
  [[model.step]]
  name = "a2"
[[model]]
name = "b"
  [[model.on_failure]]
  name = "b-f1"
  [[model.step]]
  name = "b1"
  [[model.step]]
  name = "b2"
  roles = ["x",
    "y"]
`
	ix := buildLineIndex(src)
	for path, want := range map[string]int{
		"model[0]":                  1,
		"model[0].step[1].name":     6,
		"model[1]":                  7,
		"model[1].on_failure[0]":    9,
		"model[1].step[0].name":     12,
		"model[1].step[1].name":     14,
		"model[1].step[1].roles":    15,
		"model[1].step[1].roles[1]": 16,
		"model[1].step[1].nope":     13, // unknown: its table's header
	} {
		if got := ix.line(path); got != want {
			t.Errorf("line(%q) = %d, want %d", path, got, want)
		}
	}
}

func FuzzLineIndex(f *testing.F) {
	f.Add(base)
	f.Add("a = \"\"\"\nx\\\"\"\"\"\n[b]\n")
	f.Add("x = [ [1, 2], {a = [3]} ]\n[[y.z]]\n")
	f.Fuzz(func(t *testing.T, src string) {
		ix := buildLineIndex(src) // must terminate without panicking, on any text
		for p, l := range ix.lines {
			if l < 1 || l > strings.Count(src, "\n")+1 {
				t.Fatalf("line(%q) = %d out of range", p, l)
			}
		}
	})
}

func TestDefaultsAndDatabasePath(t *testing.T) {
	c, err := Parse("config.toml", []byte("[[environment]]\nname = \"dev\"\norder = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.TimezoneName != "UTC" || c.Location != time.UTC {
		t.Errorf("timezone %q %v, want UTC", c.TimezoneName, c.Location)
	}
	if c.AdherenceTolerance != 15*time.Minute {
		t.Errorf("adherence tolerance %v, want 15m", c.AdherenceTolerance)
	}
	if c.Database != "" {
		t.Errorf("database %q, want empty", c.Database)
	}
	if e, _ := c.Environment("dev"); e.Capacity != 1 {
		t.Errorf("default capacity %d, want 1", e.Capacity)
	}

	for file, want := range map[string]string{
		"config.toml":                "ferry.db",
		"etc/ferry/config.toml":      filepath.Join("etc", "ferry", "ferry.db"),
		"/etc/ferry/config.toml":     "/etc/ferry/ferry.db",
		"/etc/ferry/abs/config.toml": "/etc/ferry/abs/ferry.db",
	} {
		c, err := Parse(file, []byte("[ferry]\ndatabase = \"ferry.db\"\n"))
		if err != nil {
			t.Fatal(err)
		}
		if c.Database != want {
			t.Errorf("%s: database %q, want %q", file, c.Database, want)
		}
	}
	c, err = Parse("/etc/ferry/config.toml", []byte("[ferry]\ndatabase = \"/var/lib/ferry/ferry.db\"\n"))
	if err != nil || c.Database != "/var/lib/ferry/ferry.db" {
		t.Errorf("absolute database: %v %v", c, err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "missing.toml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "deploy.sh"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.File != path {
		t.Errorf("File %q, want %q", c.File, path)
	}
	if err := os.WriteFile(path, []byte(base+"oops = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	if want := fmt.Sprintf("%s:%d: unknown key \"oops\"", path, strings.Count(base, "\n")+1); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %v, want %s", err, want)
	}
}

// Load looks for the scripts steps run beside the file: missing, or not executable,
// is a problem at the run line.
func TestLoadFindsTheScripts(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	write := func(name string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	runLine := strings.Count(base[:strings.Index(base, "run = ")], "\n") + 1
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(),
		fmt.Sprintf("config.toml:%d: model \"web-service\", step \"Roll out\": ./deploy.sh does not exist", runLine)) {
		t.Errorf("a missing script: %v", err)
	}
	write("deploy.sh", 0o644)
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "./deploy.sh is not executable (chmod +x") {
		t.Errorf("a script that is not executable: %v", err)
	}
	write("deploy.sh", 0o755)
	if err := os.Chmod(filepath.Join(dir, "deploy.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Errorf("an executable script: %v", err)
	}
	if _, err := Parse(path, []byte(strings.Replace(base, "./deploy.sh", "./elsewhere.sh", 1))); err != nil {
		t.Errorf("Parse does not look for scripts (the built-in example is not on disk): %v", err)
	}
}

func TestStepKindsAndDefaults(t *testing.T) {
	src := base + `
  [[model.step]]
  stage = "execute"
  name = "Approve"
  gate = true

  [[model.step]]
  stage = "verify_deployment"
  name = "Health"
  check = "http"
  url = "http://127.0.0.1:8080/healthz"

  [[model.step]]
  stage = "verify_components"
  name = "Look at it"
  required = false

  [[model.on_failure]]
  stage = "execute"
  name = "Roll back"
  run = "./rollback.sh"
`
	c, err := Parse("steps.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m, ok := c.Model("web-service")
	if !ok {
		t.Fatal("no model")
	}
	if m.Version != 0 || m.SelfApproval || m.ParallelEnvironments {
		t.Errorf("defaults: %+v", m)
	}
	steps := map[string]models.Step{}
	for _, s := range m.Steps {
		steps[s.Name] = s
	}
	if s := steps["Roll out"]; s.Kind != models.StepAutomated || !s.Required || s.OnFailure {
		t.Errorf("Roll out: %+v", s)
	}
	if s := steps["Approve"]; s.Kind != models.StepGate || len(s.Roles) != 1 || s.Roles[0] != models.RoleManager {
		t.Errorf("Approve: %+v", s)
	}
	if s := steps["Health"]; s.Kind != models.StepAutomated || s.ExpectStatus != 200 {
		t.Errorf("Health: %+v", s)
	}
	if s := steps["Look at it"]; s.Kind != models.StepManual || s.Required {
		t.Errorf("Look at it: %+v", s)
	}
	if len(m.OnFailure) != 1 || !m.OnFailure[0].OnFailure || m.OnFailure[0].Kind != models.StepAutomated {
		t.Errorf("on_failure: %+v", m.OnFailure)
	}
	if comp, _ := c.Component("web-frontend"); comp.Service != "web" || comp.Kind != models.KindSoftware {
		t.Errorf("component: %+v", comp)
	}
}

func TestOneOffWindowInConfiguredZone(t *testing.T) {
	// Summer time starts in Berlin on 2026-03-29 at 02:00 (clocks jump to 03:00),
	// so three wall-clock hours from 01:00 to 04:00 are only two real hours.
	doc := func(tz string) string {
		return fmt.Sprintf(`[ferry]
timezone = %q
[[environment]]
name = "production"
order = 1
  [[environment.freeze]]
  name = "spring"
  from = "2026-03-29 01:00"
  to = "2026-03-29 04:00"
  [[environment.freeze]]
  name = "summer"
  from = "2026-07-01 12:00"
  to = 2026-07-01T13:00:00
`, tz)
	}
	c, err := Parse("tz.toml", []byte(doc("Europe/Berlin")))
	if err != nil {
		t.Fatal(err)
	}
	e, _ := c.Environment("production")
	spring, summer := e.Freeze[0], e.Freeze[1]
	if got := spring.To.Sub(spring.From); got != 2*time.Hour {
		t.Errorf("spring window lasts %v, want 2h", got)
	}
	if want := time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC); !spring.From.Equal(want) {
		t.Errorf("spring starts %v, want %v", spring.From.UTC(), want)
	}
	if want := time.Date(2026, 3, 29, 2, 0, 0, 0, time.UTC); !spring.To.Equal(want) {
		t.Errorf("spring ends %v, want %v", spring.To.UTC(), want)
	}
	if spring.From.Location().String() != "Europe/Berlin" {
		t.Errorf("window is in %v, want the configured zone", spring.From.Location())
	}
	if want := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC); !summer.From.Equal(want) {
		t.Errorf("summer starts %v, want %v (CEST is UTC+2)", summer.From.UTC(), want)
	}
	if want := time.Date(2026, 7, 1, 11, 0, 0, 0, time.UTC); !summer.To.Equal(want) {
		t.Errorf("summer ends (TOML local date-time) %v, want %v", summer.To.UTC(), want)
	}
	occ := spring.Occurrences(time.Date(2026, 3, 28, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC), c.Location)
	if len(occ) != 1 || occ[0].End.Sub(occ[0].Start) != 2*time.Hour {
		t.Errorf("occurrences %v", occ)
	}

	c, err = Parse("tz.toml", []byte(doc("UTC")))
	if err != nil {
		t.Fatal(err)
	}
	e, _ = c.Environment("production")
	if got := e.Freeze[0].To.Sub(e.Freeze[0].From); got != 3*time.Hour {
		t.Errorf("in UTC the window lasts %v, want 3h", got)
	}
}

// A one-digit hour and extra spaces are read as people type them, not refused as a
// time the clocks skip (in December).
func TestOneOffWindowAsTyped(t *testing.T) {
	c, err := Parse("typed.toml", []byte(`[ferry]
timezone = "Europe/Berlin"
[[environment]]
name = "production"
order = 1
  [[environment.freeze]]
  name = "year end"
  from = "2026-12-19 0:00"
  to = "2027-01-04  09:00"
`))
	if err != nil {
		t.Fatal(err)
	}
	e, _ := c.Environment("production")
	w := e.Freeze[0]
	if want := time.Date(2026, 12, 18, 23, 0, 0, 0, time.UTC); !w.From.Equal(want) {
		t.Errorf("from %v, want %v", w.From.UTC(), want)
	}
	if want := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC); !w.To.Equal(want) {
		t.Errorf("to %v, want %v", w.To.UTC(), want)
	}
}

func TestChangedStepChangesFingerprint(t *testing.T) {
	model := func(src string) models.Model {
		t.Helper()
		c, err := Parse("fp.toml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		m, _ := c.Model("web-service")
		return m
	}
	a := model(base)
	if again := model(base); again.Fingerprint() != a.Fingerprint() {
		t.Errorf("same text, different fingerprints")
	}
	// A comment or layout change is not a change of the model.
	if spaced := model(strings.Replace(base, "run = \"./deploy.sh\"", "run   =   \"./deploy.sh\"   # roll out", 1)); spaced.Fingerprint() != a.Fingerprint() {
		t.Errorf("a comment changed the fingerprint")
	}
	for name, src := range map[string]string{
		"changed command": strings.Replace(base, "./deploy.sh", "./deploy.sh --canary", 1),
		"added timeout":   base + "  timeout = \"5m\"\n",
		"renamed step":    strings.Replace(base, "Roll out", "Roll out slowly", 1),
		"added step":      base + "  [[model.step]]\n  stage = \"verify_deployment\"\n  name = \"Look\"\n",
		"parallel":        strings.Replace(base, "default_duration = \"45m\"\n", "default_duration = \"45m\"\nparallel_environments = true\n", 1),
	} {
		if model(src).Fingerprint() == a.Fingerprint() {
			t.Errorf("%s: fingerprint unchanged", name)
		}
	}
}

// A change note says what a version changed: it is kept with the version, and a note
// changed alone makes no new version.
func TestChangeNoteIsNotContent(t *testing.T) {
	noted := replace(t, "default_duration = \"45m\"\n", "default_duration = \"45m\"\nchange_note = \"slower roll out\"\n")
	a, err := Parse("a.toml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("b.toml", []byte(noted))
	if err != nil {
		t.Fatal(err)
	}
	ma, _ := a.Model("web-service")
	mb, _ := b.Model("web-service")
	if mb.ChangeNote != "slower roll out" || ma.Fingerprint() != mb.Fingerprint() {
		t.Errorf("note %q, fingerprints %s %s: want the note kept and the same fingerprint", mb.ChangeNote, ma.Fingerprint(), mb.Fingerprint())
	}
}

// Review settings and production environments: defaults, days, the last environment
// of each path unless an environment says.
func TestReviewSettingsAndProduction(t *testing.T) {
	c, err := Parse("c.toml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if c.ReviewAfter != 3*24*time.Hour || c.ModelReviewEvery != 90*24*time.Hour || len(c.FailureCategories) != 0 {
		t.Errorf("defaults: review_after %v, model_review_every %v, categories %v", c.ReviewAfter, c.ModelReviewEvery, c.FailureCategories)
	}
	if test, _ := c.Environment("test"); test.Production {
		t.Errorf("test is production by default")
	}
	if prod, _ := c.Environment("production"); !prod.Production {
		t.Errorf("production (last of the path) is not production by default")
	}
	c, err = Parse("c.toml", []byte(replace(t, "[ferry]\n", "[ferry]\nreview_after = \"2d\"\nmodel_review_every = \"36h\"\nfailure_categories = [\"config\", \"test gap\"]\n")+
		""))
	if err != nil {
		t.Fatal(err)
	}
	if c.ReviewAfter != 48*time.Hour || c.ModelReviewEvery != 36*time.Hour || strings.Join(c.FailureCategories, ",") != "config,test gap" {
		t.Errorf("read: review_after %v, model_review_every %v, categories %v", c.ReviewAfter, c.ModelReviewEvery, c.FailureCategories)
	}
	c, err = Parse("c.toml", []byte(replace(t, "order = 1\n", "order = 1\nproduction = true\n")))
	if err != nil {
		t.Fatal(err)
	}
	test, _ := c.Environment("test")
	prod, _ := c.Environment("production")
	if !test.Production || prod.Production {
		t.Errorf("said: test production %v, production production %v; want only the one that says so", test.Production, prod.Production)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(base)
	f.Add(base + "  [[model.step]]\n  stage = \"execute\"\n  name = \"x\"\n  environments = [1]\n")
	f.Add("[ferry]\ntimezone = \"Europe/Berlin\"\n[[environment]]\nname = \"p\"\norder = 1\n  [[environment.freeze]]\n  from = 2026-03-29T02:30:00\n  to = 2026-03-29\n")
	f.Fuzz(func(t *testing.T, src string) {
		c, err := Parse("fuzz.toml", []byte(src)) // must not panic
		if (c == nil) == (err == nil) {
			t.Fatalf("want exactly one of config and error, got %v and %v", c, err)
		}
		var es Errors
		if err != nil && (!errors.As(err, &es) || len(es) == 0) {
			t.Fatalf("error is not a non-empty Errors: %v", err)
		}
	})
}

func TestDependsOnParses(t *testing.T) {
	src := replace(t, "  kind = \"software\"\n", "  kind = \"software\"\n  depends_on = [\"db\"]\n  [[service.component]]\n  name = \"db\"\n  kind = \"data\"\n")
	c, err := Parse("deps.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if comp, _ := c.Component("web-frontend"); len(comp.DependsOn) != 1 || comp.DependsOn[0] != "db" {
		t.Fatalf("depends_on: %+v", comp)
	}
}

// Thousands of nested arrays or inline tables are refused at once, at their line,
// before the TOML library and the line index spend time and memory in the square of
// the depth on them (a 64 KB file took 6.6 s and 1.6 GB). Brackets inside strings and
// comments do not count.
func TestDeepNestingIsRefusedAtOnce(t *testing.T) {
	for _, deep := range []string{
		"x = " + strings.Repeat("[", 30000) + strings.Repeat("]", 30000) + "\n",
		"x = " + strings.Repeat("{a=", 20000) + "1" + strings.Repeat("}", 20000) + "\n",
	} {
		_, err := Parse("deep.toml", []byte(base+"\n"+deep))
		want := fmt.Sprintf("deep.toml:%d: arrays and inline tables nest more than 32 deep", strings.Count(base, "\n")+2)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %.200v, want %q", err, want)
		}
	}
	quoted := base + "\n[[environment]]\nname = \"brackets\"\norder = 9\n# " + strings.Repeat("[", 40) + "\n" +
		"description = \"" + strings.Repeat("[{", 40) + "\"\n"
	if _, err := Parse("quoted.toml", []byte(quoted)); err != nil && strings.Contains(err.Error(), "nest more than") {
		t.Errorf("brackets in strings and comments counted: %v", err)
	}
}

// Freezes may overlap, one inside another: each is a rule of its own. Only their
// names must differ.
func TestFreezesMayOverlap(t *testing.T) {
	src := replace(t, "capacity = 1\n", "capacity = 1\n"+
		"  [[environment.freeze]]\n  name = \"year end\"\n  from = \"2026-12-19 00:00\"\n  to = \"2027-01-04 00:00\"\n"+
		"  [[environment.freeze]]\n  name = \"christmas\"\n  from = \"2026-12-24 00:00\"\n  to = \"2026-12-27 00:00\"\n")
	c, err := Parse("c.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if prod, _ := c.Environment("production"); len(prod.Freeze) != 2 {
		t.Errorf("freezes %v, want both", prod.Freeze)
	}
}

// A step name may come back in another stage, or as an on-failure step: steps are
// run, ticked and recorded by number, and models diff tells those apart.
func TestStepNamesMayRepeatAcrossStages(t *testing.T) {
	src := base + "  [[model.step]]\n  stage = \"verify_deployment\"\n  name = \"Roll out\"\n  hint = \"Look at the dashboard\"\n" +
		"  [[model.on_failure]]\n  stage = \"execute\"\n  name = \"Roll out\"\n  run = \"./rollback.sh\"\n"
	c, err := Parse("c.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := c.Model("web-service"); len(m.Steps) != 2 || len(m.OnFailure) != 1 {
		t.Errorf("steps %d, on-failure %d: want 2 and 1", len(m.Steps), len(m.OnFailure))
	}
}

// MaxRetries itself is allowed.
func TestRetriesUpToTheBound(t *testing.T) {
	c, err := Parse("c.toml", []byte(base+fmt.Sprintf("  retries = %d\n", MaxRetries)))
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := c.Model("web-service"); m.Steps[0].Retries != MaxRetries {
		t.Errorf("retries %d, want %d", m.Steps[0].Retries, MaxRetries)
	}
}

// start_tolerance = "0m" is strict, not wrong: a deployment may start at its
// scheduled start and not before.
func TestZeroStartTolerance(t *testing.T) {
	c, err := Parse("c.toml", []byte(replace(t, "[ferry]\n", "[ferry]\nstart_tolerance = \"0m\"\n")))
	if err != nil {
		t.Fatal(err)
	}
	if c.StartTolerance != 0 {
		t.Errorf("start_tolerance %v, want 0", c.StartTolerance)
	}
}

// review_after = "0d" means at once: a failure waits in the inbox for its review as
// soon as it ends (the inbox asks for those finished before now - review_after).
func TestZeroReviewAfter(t *testing.T) {
	c, err := Parse("c.toml", []byte(replace(t, "[ferry]\n", "[ferry]\nreview_after = \"0d\"\n")))
	if err != nil {
		t.Fatal(err)
	}
	if c.ReviewAfter != 0 {
		t.Errorf("review_after %v, want 0", c.ReviewAfter)
	}
}

// A table's bad name is reported with the table's other problems: it was checked
// only when nothing else in the table was wrong, so name = "a b" beside an unknown
// role reported the role alone.
func TestBadNameReportedBesideOtherProblems(t *testing.T) {
	src := `[ferry]
timezone = "UTC"

[[environment]]
name = "d v"
order = "one"

[[person]]
name = "a b"
roles = ["boss"]
`
	_, err := Parse("names.toml", []byte(src))
	want := `names.toml:5: environment name "d v" may only use letters, digits, '.', '_' and '-'
names.toml:6: order in [[environment]] must be an integer, not a string ("one")
names.toml:9: person name "a b" may only use letters, digits, '.', '_' and '-'
names.toml:10: person "a b": unknown role "boss" (one of manager, practitioner, technician, analyst)`
	if err == nil || err.Error() != want {
		t.Fatalf("got:\n%v\nwant:\n%s", err, want)
	}
}

// A one-off time in the hour the clocks repeat is taken as the first, and the file
// says so where it was written, as a flag's is said: it was taken silently.
func TestRepeatedHourInConfigIsNoted(t *testing.T) {
	c, err := Parse("twice.toml", []byte(`[ferry]
timezone = "Europe/Berlin"
[[environment]]
name = "production"
order = 1
  [[environment.freeze]]
  name = "autumn"
  from = "2027-10-31 02:30"
  to = "2027-10-31 05:00"
`))
	if err != nil {
		t.Fatal(err)
	}
	want := `twice.toml:8: from in [[environment.freeze]]: 2027-10-31 02:30 happens twice in Europe/Berlin; taken as 02:30 CEST, the first`
	if len(c.Notes) != 1 || !strings.HasPrefix(c.Notes[0], want) {
		t.Fatalf("notes %q, want one starting %q", c.Notes, want)
	}
	if e, _ := c.Environment("production"); !e.Freeze[0].From.Equal(time.Date(2027, 10, 31, 0, 30, 0, 0, time.UTC)) {
		t.Fatalf("from %v, want the first 02:30 (00:30 UTC)", e.Freeze[0].From.UTC())
	}
	if c, _ := Parse("once.toml", []byte(`[ferry]
timezone = "Europe/Berlin"
[[environment]]
name = "production"
order = 1
  [[environment.freeze]]
  name = "autumn"
  from = "2027-10-31 03:30"
  to = "2027-10-31 05:00"
`)); len(c.Notes) != 0 {
		t.Fatalf("03:30 happens once: %q", c.Notes)
	}
}
