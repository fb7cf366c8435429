package cli_test

// These tests run the real ferry binary as a subprocess, the way people and scripts
// call it: exit codes, what goes to stdout and stderr, and the --json shapes that the
// README documents. TestMain builds the binary once; every test works in its own
// temporary directory with its own config file and database.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ferry/cmd/cli"
	"ferry/internal/race"
)

// testVersion is stamped into the binary the way the Makefile stamps the git version.
const testVersion = "v0.0.0-clitest"

var (
	ferryBin   string // the binary under test
	repoConfig string // the shipped ../../config.toml, absolute
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "ferry-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ferryBin = filepath.Join(dir, "ferry")
	if runtime.GOOS == "windows" {
		ferryBin += ".exe"
	}
	if repoConfig, err = filepath.Abs(filepath.Join("..", "..", "config.toml")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// go test puts its own GOROOT/bin first on PATH, so this is the go that runs the tests.
	build := exec.Command("go", "build", "-buildvcs=false", "-ldflags", "-X ferry/cmd/cli.Version="+testVersion,
		"-o", ferryBin, "ferry/cmd/ferry")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building ferry for the CLI tests:", err)
		return 1
	}
	return m.Run()
}

// testConfig is a small organisation: three environments, one person per role, a
// software and a documentation component, and a model for software only.
const testConfig = `# config for the CLI tests
[ferry]
timezone = "Europe/Berlin"
identity = "trust"

[[environment]]
name = "dev"
order = 1
capacity = 2

[[environment]]
name = "test"
order = 2

[[environment]]
name = "production"
order = 3
capacity = 1

[[person]]
name = "ana"
roles = ["manager"]
unix_user = "ana-unix"

[[person]]
name = "sam"
roles = ["practitioner"]
unix_user = "sam-unix"

[[person]]
name = "raj"
roles = ["technician"]
unix_user = "raj-unix"

[[person]]
name = "eve"
roles = ["analyst"]
unix_user = "eve-unix"

[[service]]
name = "web"
  [[service.component]]
  name = "web-frontend"
  kind = "software"

  [[service.component]]
  name = "web-runbook"
  kind = "documentation"

[[model]]
name = "web-service"
kinds = ["software"]
path = ["dev", "test", "production"]
default_duration = "45m"
  [[model.step]]
  stage = "verify_components"
  name = "Release notes read"

  [[model.step]]
  stage = "execute"
  name = "Production approval"
  gate = true
  environments = ["production"]

  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "./deploy.sh"

  [[model.step]]
  stage = "verify_deployment"
  name = "Smoke check"
`

// stepsOutsideProduction is how many of testConfig's steps apply in dev and test.
const stepsOutsideProduction = 3

// deployment is the --json shape of one deployment.
type deployment struct {
	ID             int64      `json:"id"`
	Model          string     `json:"model"`
	ModelVersion   int        `json:"model_version"`
	Service        string     `json:"service"`
	Component      string     `json:"component"`
	Kind           string     `json:"kind"`
	Version        string     `json:"version"`
	Action         string     `json:"action"`
	Environment    string     `json:"environment"`
	Status         string     `json:"status"`
	Stage          string     `json:"stage"`
	Assignee       string     `json:"assignee"`
	After          int64      `json:"after"`
	Requester      string     `json:"requester"`
	ChangeRef      string     `json:"change_ref"`
	ScheduledStart string     `json:"scheduled_start"`
	ScheduledEnd   string     `json:"scheduled_end"`
	StartedAt      *string    `json:"started_at"`
	FinishedAt     *string    `json:"finished_at"`
	StepsTotal     int        `json:"steps_total"`
	Steps          []step     `json:"steps"`
	Events         []event    `json:"events"`
	Findings       []finding  `json:"findings"`
	Urgency        string     `json:"urgency"`
	Incidents      []struct{} `json:"incidents"`
}

type step struct {
	Seq    int    `json:"seq"`
	Stage  string `json:"stage"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
}

type finding struct {
	Kind       string `json:"kind"`
	Rule       string `json:"rule"`
	ConflictID string `json:"conflict_id"`
	Message    string `json:"message"`
	Reason     string `json:"reason"`
	Actor      string `json:"actor"`
}

type event struct {
	At        string `json:"at"`
	Actor     string `json:"actor"`
	Principal string `json:"principal"`
	Type      string `json:"type"`
	Detail    string `json:"detail"`
}

// deploymentKeys are the keys every deployment object has (issue: CLI, --json).
var deploymentKeys = []string{"id", "model", "model_version", "service", "component", "kind", "version",
	"action", "environment", "status", "stage", "assignee", "requester", "change_ref",
	"scheduled_start", "scheduled_end", "started_at", "finished_at"}

// ---- running ferry ------------------------------------------------------------

// fixture is one working directory with a config file and a database path.
type fixture struct {
	t   *testing.T
	dir string
	cfg string
	db  string
	env []string // extra environment, last wins
}

// newFixture writes testConfig into a fresh directory.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{t: t, dir: dir, cfg: filepath.Join(dir, "ferry-test.toml"), db: filepath.Join(dir, "test.db")}
	writeFile(t, f.cfg, testConfig)
	// testConfig's roll-out runs ./deploy.sh, which config validation looks for.
	if err := os.WriteFile(filepath.Join(dir, "deploy.sh"), []byte("#!/bin/sh\necho deployed\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

type result struct {
	code           int
	stdout, stderr string
	args           []string
}

func (r result) String() string {
	return fmt.Sprintf("ferry %s\nexit %d\n--- stdout\n%s--- stderr\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// ferry runs the binary with --config and --db of the fixture before args.
func (f *fixture) ferry(args ...string) result {
	f.t.Helper()
	return f.raw(append([]string{"--config", f.cfg, "--db", f.db}, args...)...)
}

// raw runs the binary with exactly args, in the fixture's directory.
func (f *fixture) raw(args ...string) result {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, ferryBin, args...)
	cmd.Dir = f.dir
	cmd.Env = append(cleanEnv(), f.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), args: args}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		r.code = ee.ExitCode()
	default:
		f.t.Fatalf("ferry %s: %v\n%s", strings.Join(args, " "), err, r)
	}
	return r
}

// cleanEnv is the test's environment without anything that steers ferry, with a
// login that no one in any config has and the console's demo fill switched off.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "FERRY_") || k == "USER" || k == "LOGNAME" || k == "NO_COLOR" {
			continue
		}
		out = append(out, kv)
	}
	return append(out, "USER=nobody-in-config", "LOGNAME=nobody-in-config", "FERRY_NO_DEMO=1")
}

// ok runs ferry and fails the test unless it exits 0.
func (f *fixture) ok(args ...string) result {
	f.t.Helper()
	r := f.ferry(args...)
	if r.code != 0 {
		f.t.Fatalf("want exit 0:\n%s", r)
	}
	return r
}

// refused runs ferry, wants exit code, and wants every part in stderr.
func (f *fixture) refused(code int, parts []string, args ...string) result {
	f.t.Helper()
	r := f.ferry(args...)
	if r.code != code {
		f.t.Errorf("want exit %d:\n%s", code, r)
		return r
	}
	for _, p := range parts {
		if !strings.Contains(r.stderr, p) {
			f.t.Errorf("want %q in stderr:\n%s", p, r)
		}
	}
	if code != 0 && strings.TrimSpace(r.stdout) != "" {
		f.t.Errorf("a refusal should print nothing on stdout:\n%s", r)
	}
	return r
}

// plan plans a deployment as ana and returns it.
func (f *fixture) plan(args ...string) deployment {
	f.t.Helper()
	r := f.ok(append([]string{"--as", "ana", "deploy", "plan", "--json"}, args...)...)
	var d deployment
	decode(f.t, r, &d)
	return d
}

// planIn plans web-frontend at version v into env at start (local time).
func (f *fixture) planIn(env, v, start string, more ...string) deployment {
	f.t.Helper()
	return f.plan(append([]string{"--model", "web-service", "--component", "web-frontend",
		"--version", v, "--env", env, "--start", start}, more...)...)
}

func (f *fixture) list(args ...string) []deployment {
	f.t.Helper()
	r := f.ok(append([]string{"--as", "ana", "deploy", "list", "--json"}, args...)...)
	var ds []deployment
	decode(f.t, r, &ds)
	if ds == nil {
		f.t.Fatalf("deploy list --json must print an array, never null:\n%s", r)
	}
	return ds
}

func (f *fixture) show(id int64) deployment {
	f.t.Helper()
	r := f.ok("--as", "ana", "deploy", "show", strconv.FormatInt(id, 10), "--json")
	var d deployment
	decode(f.t, r, &d)
	return d
}

func decode(t *testing.T, r result, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		t.Fatalf("stdout is not the JSON expected (%v):\n%s", err, r)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ids(ds []deployment) []int64 {
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

// ---- version, help, usage -------------------------------------------------------

func TestVersion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.raw("version")
	if r.code != 0 {
		t.Fatalf("want exit 0:\n%s", r)
	}
	if !strings.Contains(r.stdout, "ferry "+testVersion) {
		t.Errorf("version should print the -X stamped version %q:\n%s", testVersion, r)
	}
	if r := f.raw("version", "extra"); r.code != 2 {
		t.Errorf("version takes no arguments, want exit 2:\n%s", r)
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.raw("--help")
	if r.code != 0 {
		t.Fatalf("want exit 0:\n%s", r)
	}
	for _, cmd := range []string{"deploy", "demo", "models", "version"} {
		if !strings.Contains(r.stdout, cmd) {
			t.Errorf("help should list %q:\n%s", cmd, r)
		}
	}
	r = f.raw("deploy", "plan", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "--start") {
		t.Errorf("deploy plan --help should exit 0 and show --start:\n%s", r)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	plan := []string{"--as", "ana", "deploy", "plan", "--model", "web-service", "--component", "web-frontend",
		"--version", "1.0", "--env", "dev"}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown command", []string{"bogus"}, []string{"unknown command", "bogus"}},
		{"unknown subcommand", []string{"deploy", "frob"}, []string{`ferry: unknown command "frob" for "deploy"`, "Run 'ferry deploy --help' for usage."}},
		{"a missing ID", []string{"deploy", "show"}, []string{"ferry: deploy show needs one deployment ID", "Run 'ferry deploy show --help' for usage."}},
		{"unknown subcommand two deep", []string{"people", "keys", "frob"}, []string{"frob"}},
		{"unknown flag", []string{"deploy", "list", "--bogus"}, []string{"unknown flag", "--bogus"}},
		{"unknown global flag", []string{"--colour", "deploy", "list"}, []string{"unknown flag", "--colour"}},
		{"an empty --as", []string{"--as", "", "deploy", "list"}, []string{"ferry: --as: empty: name a person"}}, // it acted as the first manager
		{"flag without its value", []string{"deploy", "list", "--env"}, []string{"--env"}},
		{"missing required flag", plan, []string{"required flag", "start"}},
		{"missing several required flags", []string{"deploy", "plan", "--model", "web-service"}, []string{"required flag", "component", "version", "env", "start"}},
		{"show without an id", []string{"deploy", "show"}, []string{"needs one deployment ID"}},
		{"show with two ids", []string{"deploy", "show", "1", "2"}, []string{"needs one deployment ID"}},
		{"show with a word for an id", []string{"deploy", "show", "abc"}, []string{`"abc" is not a deployment ID`}},
		{"show with a negative id", []string{"deploy", "show", "--", "-3"}, []string{`"-3" is not a deployment ID`}},
		{"cancel without an id", []string{"deploy", "cancel", "--reason", "x"}, []string{"needs one deployment ID"}},
		{"cancel without --reason", []string{"deploy", "cancel", "1"}, []string{"--reason"}},
		{"cancel with a blank --reason", []string{"deploy", "cancel", "1", "--reason", "  "}, []string{"--reason"}},
		{"start that is not a time", append(plan, "--start", "tomorrow"), []string{"--start", `"tomorrow" is not a time`}},
		{"end that is not a time", append(plan, "--start", "2030-12-01 10:00", "--end", "noon"), []string{"--end", `"noon" is not a time`}},
		{"end and duration", append(plan, "--start", "2030-12-01 10:00", "--end", "2030-12-01 11:00", "--duration", "1h"), []string{"--end and --duration"}},
		{"duration that is not a duration", append(plan, "--start", "2030-12-01 10:00", "--duration", "soon"), []string{"--duration"}},
		{"negative duration", append(plan, "--start", "2030-12-01 10:00", "--duration=-30m"), []string{"--duration", "positive"}},
		{"unknown action", append(plan, "--start", "2030-12-01 10:00", "--action", "sideways"), []string{"--action", "deploy or remove"}},
		{"unknown person for --as", []string{"--as", "nobody", "deploy", "list"}, []string{"--as", `"nobody"`}},
		{"unknown status", []string{"deploy", "list", "--status", "bogus"}, []string{"--status", `"bogus"`, "planned"}},
		{"one unknown status of two", []string{"deploy", "list", "--status", "planned,bogus"}, []string{"--status", `"bogus"`}},
		{"limit zero", []string{"deploy", "list", "--limit", "0"}, []string{"--limit"}},
		{"limit not a number", []string{"deploy", "list", "--limit", "many"}, []string{`--limit: "many" is not a whole number`}},
		{"limit too large", []string{"deploy", "list", "--limit", "99999999999999999999"}, []string{`--limit: "99999999999999999999" is too large`}},
		{"demo of no deployments", []string{"demo", "--deployments", "0"}, []string{"--deployments"}},
		{"demo beyond memory", []string{"demo", "--deployments", "99999999999"}, []string{"--deployments: at most 2,000,000, got 99,999,999,999"}},
		{"a list flag given twice", []string{"deploy", "list", "--status", "planned", "--status", "cancelled"},
			[]string{`--status given twice ("planned", then "cancelled")`, "--status planned,cancelled"}},
		{"a flag given twice", append(plan, "--start", "2030-12-01 10:00", "--env", "test"), []string{`--env given twice ("dev", then "test"): give it once`}},
		{"--as given twice", []string{"--as", "ana", "--as", "marc", "deploy", "list"}, []string{`--as given twice`}},
		{"--limit given twice", []string{"deploy", "list", "--limit", "1", "--limit", "2"}, []string{`--limit given twice ("1", then "2")`}},
		{"models validate with two files", []string{"models", "validate", "a.toml", "b.toml"}, []string{"at most one FILE"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := *f
			f.t = t
			f.refused(2, c.want, c.args...)
		})
	}
	// A usage error points at the help.
	r := f.ferry("deploy", "list", "--bogus")
	if !strings.Contains(r.stderr, "--help") {
		t.Errorf("a usage error should point at --help:\n%s", r)
	}
}

// ---- deploy plan ----------------------------------------------------------------

func TestPlanJSON(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.ok("--as", "ana", "deploy", "plan", "--json", "--model", "web-service", "--component", "web-frontend",
		"--version", "2.4.1", "--env", "test", "--start", "2030-12-01 10:00", "--assignee", "sam",
		"--requester", "eve", "--change", "CHG-1042")

	// Every documented key is there; started_at and finished_at are null until it runs.
	var raw map[string]any
	decode(t, r, &raw)
	for _, k := range deploymentKeys {
		if _, ok := raw[k]; !ok {
			t.Errorf("plan --json has no %q:\n%s", k, r)
		}
	}
	for _, k := range []string{"started_at", "finished_at"} {
		if raw[k] != nil {
			t.Errorf("%s = %v, want null for a planned deployment", k, raw[k])
		}
	}
	if _, ok := raw["id"].(float64); !ok {
		t.Errorf("id should be a JSON number, got %T", raw["id"])
	}

	var d deployment
	decode(t, r, &d)
	want := deployment{ID: d.ID, Model: "web-service", ModelVersion: 1, Service: "web", Component: "web-frontend",
		Kind: "software", Version: "2.4.1", Action: "deploy", Environment: "test", Status: "planned",
		Stage: "planning", Assignee: "sam", Requester: "eve", ChangeRef: "CHG-1042",
		// 10:00 in Berlin in December (CET, UTC+1); the model's default duration is 45m.
		ScheduledStart: "2030-12-01T09:00:00Z", ScheduledEnd: "2030-12-01T09:45:00Z",
		StepsTotal: stepsOutsideProduction, Urgency: "normal"}
	if d.ID < 1 {
		t.Errorf("id = %d, want a positive id", d.ID)
	}
	if fmt.Sprint(d) != fmt.Sprint(want) {
		t.Errorf("plan --json:\n got %+v\nwant %+v", d, want)
	}

	// Without --json: one line naming the new deployment.
	r = f.ok("--as", "ana", "deploy", "plan", "--model", "web-service", "--component", "web-frontend",
		"--version", "2.4.2", "--env", "dev", "--start", "2030-12-02 10:00")
	if !regexp.MustCompile(`^Planned #\d+ web-frontend 2\.4\.2 → dev`).MatchString(r.stdout) {
		t.Errorf("plan should say what it planned:\n%s", r)
	}
}

func TestPlanTimes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cases := []struct {
		name       string
		args       []string
		start, end string
	}{
		{"winter, CET", []string{"--start", "2030-12-01 10:00"}, "2030-12-01T09:00:00Z", "2030-12-01T09:45:00Z"},
		{"summer, CEST", []string{"--start", "2030-07-01 10:00"}, "2030-07-01T08:00:00Z", "2030-07-01T08:45:00Z"},
		{"with --duration", []string{"--start", "2030-12-02 10:00", "--duration", "1h30m"}, "2030-12-02T09:00:00Z", "2030-12-02T10:30:00Z"},
		{"with --end, local", []string{"--start", "2030-07-02 10:00", "--end", "2030-07-02 12:15"}, "2030-07-02T08:00:00Z", "2030-07-02T10:15:00Z"},
		{"RFC 3339 with an offset", []string{"--start", "2030-12-03T10:00:00+01:00", "--end", "2030-12-03T12:00:00Z"}, "2030-12-03T09:00:00Z", "2030-12-03T12:00:00Z"},
		{"RFC 3339 in UTC", []string{"--start", "2030-07-03T06:30:00Z"}, "2030-07-03T06:30:00Z", "2030-07-03T07:15:00Z"},
		// The night the clocks go back (27 October 2030): 4h from 01:00 CEST end at 03:00 CET.
		{"across the end of DST", []string{"--start", "2030-10-27 01:00", "--duration", "4h"}, "2030-10-26T23:00:00Z", "2030-10-27T03:00:00Z"},
	}
	for _, c := range cases {
		d := f.plan(append([]string{"--model", "web-service", "--component", "web-frontend", "--version", "1.0",
			"--env", "dev"}, c.args...)...)
		if d.ScheduledStart != c.start || d.ScheduledEnd != c.end {
			t.Errorf("%s: window %s – %s, want %s – %s", c.name, d.ScheduledStart, d.ScheduledEnd, c.start, c.end)
		}
	}
}

// A --duration that cannot be a window's length is a bad value of the flag, exit 2
// wherever it is given, as one that is no duration is: 0 exited 2 but 1s and 9999d
// exited 1, refused by the engine after the rest was read.
func TestBadDurationIsAUsageError(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.planIn("dev", "1.0", "2030-12-01 10:00")
	id := fmt.Sprint(d.ID)
	for _, bad := range []string{"0", "1s", "9999d", "soon"} {
		for _, args := range [][]string{
			{"deploy", "plan", "--model", "web-service", "--component", "web-frontend", "--version", "1.0", "--env", "dev",
				"--start", "2030-12-02 10:00", "--duration", bad},
			{"deploy", "edit", id, "--duration", bad},
			{"deploy", "reschedule", id, "--start", "2030-12-03 10:00", "--duration", bad},
		} {
			f.refused(2, []string{"--duration"}, append([]string{"--as", "ana"}, args...)...)
		}
	}
}

// TestPlanRefused: every refusal exits 1 or 2 with a message naming the problem, and
// none of them leaves anything behind.
func TestPlanRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	plan := func(model, component, env string) []string {
		return []string{"deploy", "plan", "--model", model, "--component", component, "--version", "1.0",
			"--env", env, "--start", "2030-12-01 10:00"}
	}
	cases := []struct {
		name string
		code int
		args []string
		want []string
	}{
		{"unknown model", 1, append([]string{"--as", "ana"}, plan("teleport", "web-frontend", "dev")...), []string{`--model: unknown model "teleport"`, "web-service"}},
		{"unknown component", 1, append([]string{"--as", "ana"}, plan("web-service", "toaster", "dev")...), []string{`--component: unknown component "toaster"`}},
		{"model not for the component's kind", 1, append([]string{"--as", "ana"}, plan("web-service", "web-runbook", "dev")...), []string{`--model: "web-service" is for software components; web-runbook is documentation`}},
		{"unknown environment", 1, append([]string{"--as", "ana"}, plan("web-service", "web-frontend", "moon")...), []string{`--env: unknown environment "moon"`, "(known: dev, test, production)"}},
		{"unknown environment in a filter", 1, []string{"--as", "ana", "deploy", "list", "--env", "moon"}, []string{"--env", `"moon"`, "dev, test, production"}},
		{"end before start", 1, append([]string{"--as", "ana"}, append(plan("web-service", "web-frontend", "dev"), "--end", "2030-12-01 09:00")...), []string{"--end:", "is not after the start"}},
		{"end equal to start", 1, append([]string{"--as", "ana"}, append(plan("web-service", "web-frontend", "dev"), "--end", "2030-12-01 10:00")...), []string{"--end:", "is not after the start"}},
		{"unknown assignee", 1, append([]string{"--as", "ana"}, append(plan("web-service", "web-frontend", "dev"), "--assignee", "zed")...), []string{"--assignee:", `"zed"`}},
		{"analyst as assignee", 1, append([]string{"--as", "ana"}, append(plan("web-service", "web-frontend", "dev"), "--assignee", "eve")...), []string{"--assignee: eve", "analyst"}},
		{"unknown requester", 1, append([]string{"--as", "ana"}, append(plan("web-service", "web-frontend", "dev"), "--requester", "zed")...), []string{"--requester:", `"zed"`}},
		{"blank version", 1, []string{"--as", "ana", "deploy", "plan", "--model", "web-service", "--component", "web-frontend", "--version", " ", "--env", "dev", "--start", "2030-12-01 10:00"}, []string{"--version: a version is needed"}},
		{"analyst may not plan", 1, append([]string{"--as", "eve"}, plan("web-service", "web-frontend", "dev")...), []string{"eve", "may not plan"}},
		{"technician may not plan", 1, append([]string{"--as", "raj"}, plan("web-service", "web-frontend", "dev")...), []string{"raj", "may not plan"}},
		{"unknown actor", 2, append([]string{"--as", "nobody"}, plan("web-service", "web-frontend", "dev")...), []string{"--as", `"nobody"`}},
		{"start that is not a time", 2, append([]string{"--as", "ana"}, append(plan("web-service", "web-frontend", "dev")[:10], "--start", "tomorrow")...), []string{"--start"}},
		{"window of seconds", 2, append([]string{"--as", "ana"}, append(plan("web-service", "web-frontend", "dev")[:10], "--start", "2030-12-01 10:00", "--duration", "1s")...),
			[]string{"--duration: a window of 1s is shorter than a minute"}},
		{"window beyond a year", 2, append([]string{"--as", "ana"}, append(plan("web-service", "web-frontend", "dev")[:10], "--start", "2030-12-01 10:00", "--duration", "99999d")...),
			[]string{"--duration: a window of 99999d is longer than a year"}},
		{"window that has ended", 1, append([]string{"--as", "ana"}, append(plan("web-service", "web-frontend", "dev")[:10], "--start", "2020-03-02 10:00")...),
			[]string{"the window 2020-03-02 10:00 CET – 10:45 CET has ended", "now)"}},
		{"start in the past", 1, append([]string{"--as", "ana"}, append(plan("web-service", "web-frontend", "dev")[:10], "--start", time.Now().Add(-10*time.Minute).Format(time.RFC3339), "--duration", "4h")...),
			[]string{"is in the past", `give a later start, or "now"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := *f
			f.t = t
			f.refused(c.code, c.want, c.args...)
		})
	}
	staging := *f // a config whose staging is on no model's path
	staging.cfg = configWithStaging(t, f)
	staging.refused(1, []string{`"staging"`, "not on model"}, append([]string{"--as", "ana"}, plan("web-service", "web-frontend", "staging")...)...)

	// Nothing half-written: no deployment, no id used.
	if ds := f.list(); len(ds) != 0 {
		t.Errorf("after refused plans the list should be empty, got %v", ids(ds))
	}
	r := f.ok("--as", "ana", "deploy", "list", "--json")
	if strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("deploy list --json on an empty database should print [], got:\n%s", r)
	}
	f.refused(1, []string{"#1"}, "--as", "ana", "deploy", "show", "1")
	if d := f.planIn("dev", "1.0", "2030-12-01 10:00"); d.ID != 1 {
		t.Errorf("the first deployment that is accepted got id %d, want 1", d.ID)
	}
	if d := f.planIn("dev", "1.0", "now"); d.ID != 2 {
		t.Errorf("a start now is planned: got id %d, want 2", d.ID)
	}
}

// configWithStaging writes a config with a staging environment that the model's path
// does not include, and returns its path.
func configWithStaging(t *testing.T, f *fixture) string {
	t.Helper()
	cfg := strings.Replace(testConfig, "[[environment]]\nname = \"production\"",
		"[[environment]]\nname = \"staging\"\norder = 3\n\n[[environment]]\nname = \"production\"", 1)
	cfg = strings.Replace(cfg, "order = 3\ncapacity = 1", "order = 4\ncapacity = 1", 1)
	path := filepath.Join(f.dir, "with-staging.toml")
	writeFile(t, path, cfg)
	return path
}

// ---- deploy list, show, cancel ---------------------------------------------------

func TestListShowCancel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.planIn("dev", "1.0", "2030-12-01 10:00", "--assignee", "raj")
	b := f.planIn("test", "1.0", "2030-12-03 10:00", "--assignee", "sam")
	c := f.planIn("dev", "1.1", "2030-12-02 10:00")

	// Newest first, by scheduled start.
	if got, want := ids(f.list()), []int64{b.ID, c.ID, a.ID}; !slices.Equal(got, want) {
		t.Errorf("list = %v, want newest first %v", got, want)
	}
	if got, want := ids(f.list("--env", "dev")), []int64{c.ID, a.ID}; !slices.Equal(got, want) {
		t.Errorf("list --env dev = %v, want %v", got, want)
	}
	if got, want := ids(f.list("--limit", "2")), []int64{b.ID, c.ID}; !slices.Equal(got, want) {
		t.Errorf("list --limit 2 = %v, want %v", got, want)
	}
	if got := f.list("--status", "succeeded"); len(got) != 0 {
		t.Errorf("list --status succeeded = %v, want none", ids(got))
	}

	// Every documented key, in every element.
	r := f.ok("--as", "ana", "deploy", "list", "--json")
	var raw []map[string]any
	decode(t, r, &raw)
	for _, d := range raw {
		for _, k := range deploymentKeys {
			if _, ok := d[k]; !ok {
				t.Errorf("list --json element has no %q: %v", k, d)
			}
		}
	}

	// Show: the deployment, its steps and its record.
	d := f.show(a.ID)
	if d.ID != a.ID || d.Status != "planned" || d.Stage != "planning" || d.Assignee != "raj" || d.Version != "1.0" {
		t.Errorf("show %d = %+v", a.ID, d)
	}
	if len(d.Steps) != stepsOutsideProduction {
		t.Errorf("show: %d steps, want %d (the production gate does not apply in dev): %+v",
			len(d.Steps), stepsOutsideProduction, d.Steps)
	}
	for i, s := range d.Steps {
		if s.Seq != i+1 || s.Status != "pending" || s.Name == "" || s.Stage == "" || s.Kind == "" {
			t.Errorf("step %d = %+v, want seq %d pending with a stage, name and kind", i, s, i+1)
		}
	}
	if d.Incidents == nil {
		t.Errorf("show --json should give incidents as an array, even empty")
	}
	if len(d.Events) != 1 || d.Events[0].Type != "planned" || d.Events[0].Actor != "ana" || d.Events[0].At == "" {
		t.Errorf("show: events %+v, want one planned event by ana", d.Events)
	}
	var rawShow map[string]any
	decode(t, f.ok("--as", "ana", "deploy", "show", strconv.FormatInt(a.ID, 10), "--json"), &rawShow)
	for _, k := range append(deploymentKeys, "steps", "events") {
		if _, ok := rawShow[k]; !ok {
			t.Errorf("show --json has no %q", k)
		}
	}
	// "#ID" is accepted too, and the text form shows the steps and the record.
	r = f.ok("--as", "ana", "deploy", "show", fmt.Sprintf("#%d", a.ID))
	for _, part := range []string{"web-frontend", "Release notes read", "Smoke check", "planned"} {
		if !strings.Contains(r.stdout, part) {
			t.Errorf("deploy show should print %q:\n%s", part, r)
		}
	}

	// Cancel, with the reason kept in the record.
	reason := "Supplier delayed the release"
	r = f.ok("--as", "ana", "deploy", "cancel", strconv.FormatInt(a.ID, 10), "--reason", reason)
	if !strings.Contains(r.stdout, fmt.Sprintf("Cancelled #%d", a.ID)) {
		t.Errorf("cancel should say what it cancelled:\n%s", r)
	}
	d = f.show(a.ID)
	if d.Status != "cancelled" || d.Stage != "done" || d.FinishedAt == nil || d.StartedAt != nil {
		t.Errorf("after cancel: status %q stage %q started %v finished %v, want cancelled, done, never started, finished",
			d.Status, d.Stage, d.StartedAt, d.FinishedAt)
	}
	if len(d.Events) != 2 || d.Events[0].Type != "planned" {
		t.Fatalf("after cancel: events %+v, want planned then the cancellation", d.Events)
	}
	if last := d.Events[1]; last.Type != "cancelled" || last.Actor != "ana" || !strings.Contains(last.Detail, reason) {
		t.Errorf("the cancellation event is %+v; want type cancelled by ana with the reason %q", last, reason)
	}
	// Cancelling again is refused and changes nothing.
	f.refused(1, []string{fmt.Sprintf("#%d", a.ID), "cancelled"}, "--as", "ana", "deploy", "cancel",
		strconv.FormatInt(a.ID, 10), "--reason", "again")
	if got := f.show(a.ID); len(got.Events) != 2 {
		t.Errorf("a refused cancel must not add to the record: %+v", got.Events)
	}

	// Status filters, one or several.
	if got, want := ids(f.list("--status", "cancelled")), []int64{a.ID}; !slices.Equal(got, want) {
		t.Errorf("list --status cancelled = %v, want %v", got, want)
	}
	if got, want := ids(f.list("--status", "planned")), []int64{b.ID, c.ID}; !slices.Equal(got, want) {
		t.Errorf("list --status planned = %v, want %v", got, want)
	}
	if got, want := ids(f.list("--status", "planned,cancelled", "--env", "dev")), []int64{c.ID, a.ID}; !slices.Equal(got, want) {
		t.Errorf("list --status planned,cancelled --env dev = %v, want %v", got, want)
	}

	// The table form.
	r = f.ok("--as", "ana", "deploy", "list", "--env", "test")
	if !strings.Contains(r.stdout, "STATUS") || !strings.Contains(r.stdout, "sam") || strings.Contains(r.stdout, "raj") {
		t.Errorf("deploy list --env test should show a table with b only:\n%s", r)
	}
	r = f.ok("--as", "ana", "deploy", "list", "--status", "failed")
	if !strings.Contains(r.stdout, "No deployments") {
		t.Errorf("an empty list should say so:\n%s", r)
	}

	// Unknown ids.
	f.refused(1, []string{"#999"}, "--as", "ana", "deploy", "show", "999")
	f.refused(1, []string{"#999"}, "--as", "ana", "deploy", "show", "999", "--json")
	f.refused(1, []string{"#999"}, "--as", "ana", "deploy", "cancel", "999", "--reason", "gone")
}

// TestPermissions: the engine's role rules hold on the command line.
func TestPermissions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mine := f.planIn("dev", "1.0", "2030-12-01 10:00", "--assignee", "raj")
	other := f.planIn("dev", "1.1", "2030-12-02 10:00", "--assignee", "sam")
	id := func(d deployment) string { return strconv.FormatInt(d.ID, 10) }

	// The analyst reads everything and changes nothing.
	if r := f.ferry("--as", "eve", "deploy", "list", "--json"); r.code != 0 || !strings.Contains(r.stdout, "web-frontend") {
		t.Errorf("an analyst may list:\n%s", r)
	}
	if r := f.ferry("--as", "eve", "deploy", "show", id(other)); r.code != 0 {
		t.Errorf("an analyst may show:\n%s", r)
	}
	f.refused(1, []string{"eve", "may not cancel"}, "--as", "eve", "deploy", "cancel", id(other), "--reason", "no")

	// The technician sees only what is assigned to them, and may not cancel it.
	var ds []deployment
	decode(t, f.ok("--as", "raj", "deploy", "list", "--json"), &ds)
	if got := ids(ds); !slices.Equal(got, []int64{mine.ID}) {
		t.Errorf("technician raj lists %v, want only his %d", got, mine.ID)
	}
	if r := f.ferry("--as", "raj", "deploy", "show", id(mine)); r.code != 0 {
		t.Errorf("a technician may see his own deployment:\n%s", r)
	}
	f.refused(1, []string{"raj", "may not"}, "--as", "raj", "deploy", "show", id(other))
	f.refused(1, []string{"raj", "may not cancel"}, "--as", "raj", "deploy", "cancel", id(mine), "--reason", "no")

	// The practitioner may cancel.
	f.ok("--as", "sam", "deploy", "cancel", id(other), "--reason", "superseded by 1.2")
	if d := f.show(other.ID); d.Status != "cancelled" || d.Events[len(d.Events)-1].Actor != "sam" {
		t.Errorf("after sam cancelled: %+v", d)
	}
	if d := f.show(mine.ID); d.Status != "planned" || len(d.Events) != 1 {
		t.Errorf("refused cancels must leave #%d as it was: %+v", mine.ID, d)
	}
}

// ---- who is acting, which config --------------------------------------------------

func TestDefaultActor(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// No person has the login as unix_user: the first manager acts, and ferry says so.
	r := f.ok("deploy", "plan", "--json", "--model", "web-service", "--component", "web-frontend",
		"--version", "1.0", "--env", "dev", "--start", "2030-12-01 10:00")
	if !strings.Contains(r.stderr, "first manager") || !strings.Contains(r.stderr, "ana") {
		t.Errorf("stderr should say the first manager, ana, acts:\n%s", r)
	}
	var d deployment
	decode(t, r, &d)
	if d.Requester != "ana" {
		t.Errorf("requester = %q, want the acting person ana", d.Requester)
	}
	if e := f.show(d.ID).Events; len(e) == 0 || e[0].Actor != "ana" {
		t.Errorf("the planned event should be by ana: %+v", e)
	}

	// With --as nothing is said about it.
	r = f.ok("--as", "sam", "deploy", "list")
	if strings.Contains(r.stderr, "first manager") || strings.Contains(r.stderr, "acting as") {
		t.Errorf("--as should act silently:\n%s", r)
	}
}

// With identity "login", the OS login is the person: a login that maps to nobody may
// read but change nothing, only managers act as someone else, and every event says who
// really acted.
func TestIdentityLogin(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writeFile(t, f.cfg, strings.Replace(testConfig, `identity = "trust"`, `identity = "login"`, 1))
	plan := []string{"deploy", "plan", "--model", "web-service", "--component", "web-frontend",
		"--version", "1.0", "--env", "dev", "--start", "2030-12-01 10:00"}
	r := f.refused(1, []string{"maps to no person", `unix_user = "nobody-in-config"`}, plan...)
	if !strings.Contains(r.stderr, "you may read but change nothing") || strings.Count(r.stderr, "maps to no person") != 1 {
		t.Errorf("the unmapped login should be told once, before the refusal:\n%s", r)
	}
	// A refusal by another rule than the login's is said, without a role to name.
	if r := f.refused(1, []string{"may not list SSH keys: only managers may"}, "people", "keys"); strings.Contains(r.stderr, "(analyst)") {
		t.Errorf("a login of no person has no role to name:\n%s", r)
	}
	f.ok("deploy", "list") // reading is allowed
	f.refused(1, []string{"only a manager may act as someone else"}, append([]string{"--as", "ana"}, plan...)...)

	f.env = []string{"USER=sam-unix", "LOGNAME=sam-unix"}
	f.refused(1, []string{"only a manager may act as someone else", "you are sam"}, append([]string{"--as", "ana"}, plan...)...)
	f.env = []string{"USER=ana-unix", "LOGNAME=ana-unix"}
	r = f.ok(append(append([]string{"--as", "sam"}, plan...), "--json")...)
	var d deployment
	decode(t, r, &d)
	host, _ := os.Hostname()
	if ev := f.show(d.ID).Events; len(ev) == 0 || ev[0].Actor != "sam" || ev[0].Principal != "ana (ana-unix@"+host+") as sam" {
		t.Errorf("a manager acting as sam: the record should say so: %+v", ev)
	}
}

// TestDefaultActorFromUSER: the issue names $USER as the login that picks the person.
func TestDefaultActorFromUSER(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.env = []string{"USER=sam-unix", "LOGNAME=sam-unix"}
	r := f.ok("deploy", "list")
	if !strings.Contains(r.stderr, "acting as sam") {
		t.Errorf("with USER=sam-unix, sam should act:\n%s", r)
	}
}

func TestConfigFromEnvironment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.env = []string{"FERRY_CONFIG=" + f.cfg}
	r := f.raw("--db", f.db, "--as", "eve", "deploy", "list")
	if r.code != 0 {
		t.Fatalf("$FERRY_CONFIG should name the config:\n%s", r)
	}
	// eve exists only in the test config, so it was read.

	// ./config.toml is the default when neither --config nor $FERRY_CONFIG is given.
	g := newFixture(t)
	writeFile(t, filepath.Join(g.dir, "config.toml"), testConfig)
	if r := g.raw("--db", g.db, "--as", "eve", "deploy", "list"); r.code != 0 {
		t.Errorf("./config.toml should be the default config:\n%s", r)
	}

	// A config that does not exist is an error, not a fallback.
	if r := g.raw("--config", filepath.Join(g.dir, "missing.toml"), "--db", g.db, "deploy", "list"); r.code != 1 ||
		!strings.Contains(r.stderr, "missing.toml") {
		t.Errorf("a missing --config should exit 1 naming the file:\n%s", r)
	}

	// With no config anywhere, ferry says it uses the built-in example.
	h := newFixture(t)
	if err := os.Remove(h.cfg); err != nil {
		t.Fatal(err)
	}
	r = h.raw("--db", h.db, "models", "validate")
	if r.code != 0 || !strings.Contains(r.stderr, "built-in") {
		t.Errorf("without a config ferry should use the built-in example and say so:\n%s", r)
	}
}

func TestBadConfigRefusesCommands(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	bad := strings.Replace(testConfig, "name = \"test\"\norder = 2\n", "name = \"test\"\norder = 2\ncolour = \"blue\"\n", 1)
	writeFile(t, f.cfg, bad)
	line := lineOf(t, bad, `colour = "blue"`)
	f.refused(1, []string{fmt.Sprintf("ferry-test.toml:%d: unknown key", line)}, "--as", "ana", "deploy", "list")
	if _, err := os.Stat(f.db); err == nil {
		t.Errorf("a refused config should not create the database")
	}
}

// ---- models validate -----------------------------------------------------------------

func TestModelsValidate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	// The shipped config.
	r := f.raw("models", "validate", repoConfig)
	if r.code != 0 {
		t.Fatalf("the shipped config.toml should be valid:\n%s", r)
	}
	for _, part := range []string{"is valid", "web-service", "rack-server"} {
		if !strings.Contains(r.stdout, part) {
			t.Errorf("models validate should list %q:\n%s", part, r)
		}
	}

	// Without FILE: the --config file.
	r = f.ferry("models", "validate")
	if r.code != 0 || !strings.Contains(r.stdout, "ferry-test.toml is valid") || !strings.Contains(r.stdout, "web-service") {
		t.Errorf("models validate with --config:\n%s", r)
	}

	// Bad files: each refused with file:line: what is wrong.
	cases := []struct {
		name, old, new, marker, want string
	}{
		{"unknown key", "order = 2\n", "order = 2\ncolour = \"blue\"\n", `colour = "blue"`, "unknown key"},
		{"model path with an unknown environment", `path = ["dev", "test", "production"]`, `path = ["dev", "qa", "production"]`, `path = ["dev", "qa", "production"]`, `"qa"`},
		{"duplicate person", "name = \"eve\"\n", "name = \"sam\"\n", "", "sam"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(testConfig, c.old) {
				t.Fatalf("testConfig has no %q", c.old)
			}
			src := strings.Replace(testConfig, c.old, c.new, 1)
			path := filepath.Join(f.dir, strings.ReplaceAll(c.name, " ", "-")+".toml")
			writeFile(t, path, src)
			r := f.raw("models", "validate", path)
			if r.code != 1 {
				t.Fatalf("want exit 1:\n%s", r)
			}
			prefix := regexp.QuoteMeta(filepath.Base(path)) + `:(\d+): `
			if c.marker != "" {
				prefix = regexp.QuoteMeta(filepath.Base(path)) + fmt.Sprintf(":%d: ", lineOf(t, src, c.marker))
			}
			if !regexp.MustCompile(prefix + ".*" + regexp.QuoteMeta(c.want)).MatchString(r.stderr) {
				t.Errorf("want stderr matching %s%s:\n%s", prefix, c.want, r)
			}
		})
	}

	// A file that is not there.
	r = f.raw("models", "validate", filepath.Join(f.dir, "nope.toml"))
	if r.code != 1 || !strings.Contains(r.stderr, "nope.toml") {
		t.Errorf("models validate on a missing file should exit 1 naming it:\n%s", r)
	}
}

// lineOf is the 1-based line of src that contains part.
func lineOf(t *testing.T, src, part string) int {
	t.Helper()
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, part) {
			return i + 1
		}
	}
	t.Fatalf("no line has %q", part)
	return 0
}

// ---- demo ----------------------------------------------------------------------------

// The history a first `make run` makes is what the README says: 30,000 deployments
// over about fifteen months up to today, and about three weeks of planned work.
func TestFirstRunDemoSpansWhatTheReadmeSays(t *testing.T) {
	if race.Enabled {
		t.Skip("30,000 deployments take minutes under the race detector; go test ./... runs it")
	}
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	claim := fmt.Sprintf("(%d,%03d deployments over about fifteen months up to today and three weeks ahead,",
		cli.FirstRunDemo/1000, cli.FirstRunDemo%1000)
	if !strings.Contains(strings.Join(strings.Fields(string(readme)), " "), claim) {
		t.Fatalf("the README no longer says %q", claim)
	}
	f := newFixture(t)
	f.cfg = repoConfig
	f.db = filepath.Join(f.dir, "demo.db")
	f.ok("demo", "--deployments", strconv.Itoa(cli.FirstRunDemo))
	db, err := sql.Open("sqlite", "file:"+f.db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var first, last, n int64
	if err := db.QueryRow(`SELECT min(scheduled_start), max(scheduled_start), count(*) FROM deployments`).Scan(&first, &last, &n); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	back := now.Sub(time.Unix(first, 0)).Hours() / 24 / 30.44 // months
	ahead := time.Unix(last, 0).Sub(now).Hours() / 24
	if n != int64(cli.FirstRunDemo) || back < 14 || back > 17 || ahead < 14 || ahead > 24 {
		t.Fatalf("%d deployments from %.1f months back to %.1f days ahead", n, back, ahead)
	}
}

func TestDemo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.cfg = repoConfig // the demo covers every model of the shipped organisation
	f.db = filepath.Join(f.dir, "demo.db")
	r := f.ok("demo", "--deployments", "300", "--seed", "7")
	if !strings.Contains(r.stdout, "300 deployments") {
		t.Errorf("demo should report how many deployments it made:\n%s", r)
	}
	if strings.Contains(r.stderr, "acting as") { // it acts for no one
		t.Errorf("demo should not say whom it acts as:\n%s", r)
	}
	ds := f.list("--limit", "500")
	if len(ds) != 300 {
		t.Fatalf("demo --deployments 300 made %d deployments", len(ds))
	}
	statuses := map[string]int{}
	for i, d := range ds {
		statuses[d.Status]++
		if i > 0 && d.ScheduledStart > ds[i-1].ScheduledStart {
			t.Fatalf("list is not newest first at %d: %s after %s", i, d.ScheduledStart, ds[i-1].ScheduledStart)
		}
	}
	if statuses["succeeded"] == 0 || statuses["planned"] == 0 {
		t.Errorf("a demo history should have successes and planned work, got %v", statuses)
	}
	if d := f.show(ds[len(ds)-1].ID); len(d.Events) == 0 {
		t.Errorf("a demo deployment should have a record: %+v", d)
	}
	// The demo keeps its steps' results, not their output: logs say so, not "yet".
	// (Of one whose steps have an exit code: a failure at a checklist item ran none.)
	ranOne := func(id string) bool {
		return slices.ContainsFunc(f.steps(id), func(s stepOut) bool { return s.ExitCode != nil })
	}
	logged := false
	for _, d := range ds {
		if id := strconv.FormatInt(d.ID, 10); !logged && (d.Status == "failed" || d.Status == "succeeded") && ranOne(id) {
			r := f.ok("--as", "ana", "deploy", "logs", id)
			if !strings.Contains(r.stderr, "kept no output of its automated steps: their results are in its record") {
				t.Errorf("logs of the demo's %s #%d:\n%s", d.Status, d.ID, r)
			}
			logged = true
		}
	}
	if !logged {
		t.Error("no finished demo deployment has a step's result to ask the logs of")
	}
	// An export is every row asked for, not the table's first page of 50; with
	// --limit it is a page, and says how to go on.
	csvLines := func(r result) int { return strings.Count(r.stdout, "\n") }
	if r := f.ok("--as", "ana", "history", "--format", "csv"); csvLines(r) != 301 || strings.Contains(r.stderr, "more") {
		t.Errorf("history --format csv should export all 300 rows and a header, got %d lines:\n%s", csvLines(r), r.stderr)
	}
	if r := f.ok("--as", "ana", "history", "--format", "csv", "--limit", "50"); csvLines(r) != 51 ||
		!strings.Contains(r.stderr, "ferry: more deployments match than these 50; to see the next page, run the same command with --after ") {
		t.Errorf("a page of 50 should say how to go on, got %d lines:\n%s", csvLines(r), r.stderr)
	}

	// A second run on the same database is refused and adds nothing.
	r = f.ferry("demo", "--deployments", "300")
	if r.code != 1 {
		t.Errorf("demo on a database that has deployments should exit 1:\n%s", r)
	}
	if n := len(f.list("--limit", "1000")); n != 300 {
		t.Errorf("after the refused demo there are %d deployments, want 300", n)
	}
}

// The demo's improvement register is a team's: what failures of each model taught,
// proposed from those failures and moved on by the engine's rules (so some are on
// their way and one was turned down), each step in the audit log, which holds.
func TestDemoRegisterHoldsWhatFailuresTaught(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.cfg = repoConfig
	f.db = filepath.Join(f.dir, "demo.db")
	if r := f.ok("demo", "--deployments", "10000"); !strings.Contains(r.stdout, " improvements in ") {
		t.Errorf("the demo says how many improvements it proposed:\n%s", r)
	}
	var register []struct {
		ID     int64
		Model  string
		Status string
		From   []int64
	}
	if err := json.Unmarshal([]byte(f.ok("--as", "kim", "improvement", "list", "--json").stdout), &register); err != nil {
		t.Fatal(err)
	}
	statuses := map[string]bool{}
	for _, im := range register {
		statuses[im.Status] = true
		if len(im.From) == 0 {
			t.Errorf("improvement %d came from no deployment", im.ID)
		}
		for _, id := range im.From {
			d := f.show(id)
			if d.Model != im.Model || d.Status != "failed" && d.Status != "rolled_back" {
				t.Errorf("improvement %d to %s came from #%d, a %s %s deployment", im.ID, im.Model, id, d.Status, d.Model)
			}
		}
	}
	if len(register) < 4 || len(statuses) < 4 || !statuses["rejected"] || !statuses["proposed"] {
		t.Fatalf("the demo register holds %d improvements in %v", len(register), statuses)
	}
	r := f.ok("--as", "ana", "audit", "verify")
	var events, entries int
	if _, err := fmt.Sscanf(r.stdout, "The record holds: %d events, %d audit entries.", &events, &entries); err != nil ||
		entries < len(register) {
		t.Errorf("audit verify after the demo: %v (%d entries for %d improvements)\n%s", err, entries, len(register), r)
	}
}

// A config file that cannot be read is refused by the flag or variable that named
// it, in words (it printed Go's "open …: no such file or directory"); exit 1, as
// for a config that does not parse.
func TestConfigFileThatCannotBeRead(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	missing := filepath.Join(f.dir, "missing.toml")
	for _, c := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"--config", missing, "deploy", "list"}, "", "ferry: --config " + missing + ": no such file"},
		{[]string{"deploy", "list"}, "FERRY_CONFIG=" + missing, "ferry: $FERRY_CONFIG " + missing + ": no such file"},
		{[]string{"models", "validate", f.dir}, "", "ferry: models validate " + f.dir + ": is a directory, not a config file"},
	} {
		g := *f
		g.t = t
		if c.env != "" {
			g.env = append(append([]string{}, f.env...), c.env)
		}
		r := g.raw(append([]string{"--db", f.db}, c.args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("ferry %v (%s): want exit 1 and %q:\n%s", c.args, c.env, c.want, r)
		}
	}
}

// A removal reads as one wherever a deployment is named in a line: planned, and in
// the lists' VERSION column (it read "Planned #2 payments-api 1.0.0 → dev", as a
// deployment of it).
func TestARemovalSaysSo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.ok("--as", "ana", "deploy", "plan", "--model", "web-service", "--component", "web-frontend", "--version", "1.0",
		"--env", "dev", "--start", "2090-01-02 10:00", "--action", "remove")
	if !strings.HasPrefix(r.stdout, "Planned #1 removal of web-frontend 1.0 from dev, ") {
		t.Errorf("deploy plan --action remove:\n%s", r)
	}
	for _, args := range [][]string{{"deploy", "list"}, {"history"}} {
		if r := f.ok(append([]string{"--as", "ana"}, args...)...); !regexp.MustCompile(`web-frontend +remove 1\.0 `).MatchString(r.stdout) {
			t.Errorf("%s lists the removal as a deployment:\n%s", args[0], r)
		}
	}
	if r := f.ok("--as", "ana", "deploy", "reschedule", "1", "--start", "2090-01-02 11:00"); !strings.HasPrefix(r.stdout, "Rescheduled #1 removal of web-frontend 1.0 from dev, ") {
		t.Errorf("deploy reschedule of the removal:\n%s", r)
	}
	if r := f.ok("--as", "ana", "deploy", "cancel", "1", "--reason", "kept"); !strings.HasPrefix(r.stdout, "Cancelled #1 removal of web-frontend 1.0 from dev") {
		t.Errorf("deploy cancel of the removal:\n%s", r)
	}
}
