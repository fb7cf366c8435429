package cli_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestIncidentAdd(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.planIn("dev", "1.0", "2030-12-01 10:00")
	id := fmt.Sprint(d.ID)
	f.refused(1, []string{"may not record incidents"}, "--as", "eve", "incident", "add", id,
		"--opened", "2024-12-01 11:00", "--summary", "checkout errors")
	f.refused(1, []string{"--resolved: 2024-12-01 10:00 CET is before it was opened (2024-12-01 11:00 CET)"}, "--as", "ana", "incident", "add", id,
		"--opened", "2024-12-01 11:00", "--resolved", "2024-12-01 10:00", "--summary", "checkout errors")
	f.refused(1, []string{"--opened: 2030-12-01 11:00 CET is in the future"}, "--as", "ana", "incident", "add", id,
		"--opened", "2030-12-01 11:00", "--summary", "checkout errors")
	f.refused(2, []string{"--summary"}, "--as", "ana", "incident", "add", id, "--opened", "2024-12-01 11:00")
	f.refused(2, []string{"--opened"}, "--as", "ana", "incident", "add", id, "--opened", "soon", "--summary", "x")
	f.refused(1, []string{"#999"}, "--as", "ana", "incident", "add", "999", "--opened", "2024-12-01 11:00", "--summary", "x")
	f.refused(1, []string{"has not started (it is planned)"}, "--as", "ana", "incident", "add", id,
		"--opened", "2024-12-01 11:00", "--summary", "checkout errors")
	id, started := f.startedIn("dev", "2.0")
	f.refused(1, []string{"is before #" + id + " started"}, "--as", "ana", "incident", "add", id,
		"--opened", started.Add(-time.Hour).Format(time.RFC3339), "--summary", "checkout errors")
	var in struct {
		ID         int64   `json:"id"`
		Deployment int64   `json:"deployment_id"` // as incident list --json has it
		OpenedAt   string  `json:"opened_at"`
		ResolvedAt *string `json:"resolved_at"`
		Summary    string  `json:"summary"`
	}
	opened := started.Truncate(time.Minute).Format(time.RFC3339) // a person writes minutes
	decode(t, f.ok("--as", "ana", "incident", "add", id, "--opened", opened, "--resolved", "now",
		"--summary", "checkout errors for 5% of users", "--json"), &in)
	if in.ID == 0 || fmt.Sprint(in.Deployment) != id || in.OpenedAt != opened || in.ResolvedAt == nil || *in.ResolvedAt < opened {
		t.Fatalf("incident: %+v", in)
	}
	var shown struct {
		Incidents []struct{ Summary string } `json:"incidents"`
		Events    []event                    `json:"events"`
	}
	decode(t, f.ok("--as", "ana", "deploy", "show", id, "--json"), &shown)
	if len(shown.Incidents) != 1 || shown.Incidents[0].Summary != "checkout errors for 5% of users" {
		t.Fatalf("show: %+v", shown.Incidents)
	}
	if last := shown.Events[len(shown.Events)-1]; last.Type != "incident" || !strings.Contains(last.Detail, "checkout errors") {
		t.Fatalf("record: %+v", last)
	}
	// Opened and resolved in the same minute: a blip, not a mistake.
	f.ok("--as", "ana", "incident", "add", id, "--opened", opened, "--resolved", opened, "--summary", "a blip")
}

// startedIn plans web-frontend at version v into env now and runs it: it stops at
// its first checklist item, started. It returns its ID and when it started.
func (f *fixture) startedIn(env, v string) (string, time.Time) {
	f.t.Helper()
	d := f.planIn(env, v, "now")
	id := fmt.Sprint(d.ID)
	if r := f.ferry("--as", "ana", "deploy", "run", id); r.code != 3 { // 3: waiting for a person
		f.t.Fatalf("want exit 3:\n%s", r)
	}
	s := f.show(d.ID)
	if s.StartedAt == nil {
		f.t.Fatalf("#%s did not start: %+v", id, s)
	}
	at, err := time.Parse(time.RFC3339, *s.StartedAt)
	if err != nil {
		f.t.Fatal(err)
	}
	return id, at
}

func TestHistoryFiltersExportsAndPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.planIn("dev", "1.0", "2030-11-01 10:00", "--change", "CHG-1")
	f.planIn("test", "1.0", "2030-11-02 10:00", "--change", "CHG-1")
	f.planIn("dev", "2.0", "2030-11-03 10:00", "--change", "CHG-2", "--requester", "sam")
	f.planIn("dev", "3.0", "2030-11-04 10:00", "--change", "CHG-3")
	f.planIn("dev", "4.0", "2030-11-05 10:00", "--change", "CHG-4")
	ids := func(args ...string) string {
		t.Helper()
		var list []deployment
		decode(t, f.ok(append([]string{"--as", "ana", "history", "--format", "json"}, args...)...), &list)
		var out []string
		for _, d := range list {
			out = append(out, fmt.Sprint(d.ID))
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "5 4 3 2 1"},
		{[]string{"--env", "test"}, "2"},
		{[]string{"--change", "CHG-1"}, "2 1"},
		{[]string{"--requester", "sam"}, "3"},
		{[]string{"--model", "web-service", "--model-version", "1", "--component", "web-frontend", "--kind", "software"}, "5 4 3 2 1"},
		{[]string{"--model", "web-service", "--model-version", "2"}, ""},
		{[]string{"--from", "2030-11-02", "--to", "2030-11-04"}, "3 2"},
		{[]string{"--search", "CHG-4"}, "5"},
		{[]string{"--oldest-first"}, "1 2 3 4 5"},
		{[]string{"--oldest-first", "--search", "CHG-1"}, "1 2"},
	} {
		if got := ids(c.args...); got != c.want {
			t.Errorf("history %v: %q, want %q", c.args, got, c.want)
		}
	}
	// Pages of two, each continuing after the last: every row once, in order, either way.
	for order, want := range map[string]string{"": "5 4 3 2 1", "--oldest-first": "1 2 3 4 5"} {
		var seen []string
		args := []string{"--as", "ana", "history", "--limit", "2"}
		if order != "" {
			args = append(args, order)
		}
		var after []string
		for page := 0; page < 5; page++ {
			r := f.ok(append(args, after...)...)
			rows := regexp.MustCompile(`(?m)^(\d+)\s`).FindAllStringSubmatch(r.stdout, -1)
			for _, m := range rows {
				seen = append(seen, m[1])
			}
			next := regexp.MustCompile(`--after (\S+)`).FindStringSubmatch(r.stderr)
			if next == nil {
				break
			}
			after = []string{"--after", next[1]}
		}
		if got := strings.Join(seen, " "); got != want {
			t.Fatalf("paging %s saw %q, want %q", order, got, want)
		}
	}
	// A page with more after it says so in a sentence on stderr, with the flag and
	// the value that show the next: "more: add --after …" read as a code. The table
	// and the JSON on stdout are the page alone; a page that ends the history says
	// nothing (it said "more" and led to an empty page).
	next := "ferry: more deployments match than these 2; to see the next page, run the same command with " +
		"--after 2030-11-04T09:00:00Z/4\n"
	if r := f.ok("--as", "ana", "history", "--limit", "2"); r.stderr != next || strings.Contains(r.stdout, "more") {
		t.Errorf("history --limit 2:\n%s", r)
	}
	r := f.ok("--as", "ana", "history", "--limit", "2", "--format", "json")
	var page []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &page); err != nil || len(page) != 2 || r.stderr != next {
		t.Errorf("history --limit 2 --format json: %v\n%s", err, r)
	}
	for _, args := range [][]string{{"--limit", "5"}, {"--limit", "1", "--after", "2030-11-02T09:00:00Z/2"}} {
		if r := f.ok(append([]string{"--as", "ana", "history"}, args...)...); r.stderr != "" {
			t.Errorf("history %v ends the history and should say nothing more:\n%s", args, r)
		}
	}
	// CSV opens as a table: a header and one row per deployment.
	rows, err := csv.NewReader(strings.NewReader(f.ok("--as", "ana", "history", "--format", "csv").stdout)).ReadAll()
	if err != nil || len(rows) != 6 || rows[0][0] != "id" || rows[0][1] != "scheduled_start" || rows[1][0] != "5" ||
		rows[1][1] != "2030-11-05T09:00:00Z" || rows[1][4] != "" || len(rows[1]) != len(rows[0]) {
		t.Fatalf("csv: %v %v", rows, err)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(f.ok("--as", "ana", "history", "--format", "json", "--limit", "1").stdout), &list); err != nil || len(list) != 1 {
		t.Fatalf("json: %v %v", list, err)
	}
	f.refused(2, []string{"--format"}, "--as", "ana", "history", "--format", "xml")
	f.refused(2, []string{"--after"}, "--as", "ana", "history", "--after", "yesterday")
	// A page ends at a deployment: no cursor names ID 0 or a negative one.
	f.refused(2, []string{"--after", "not a cursor"}, "--as", "ana", "history", "--after", "2026-12-29T08:00:00Z/-1")
	f.refused(2, []string{"--model-version needs --model"}, "--as", "ana", "history", "--model-version", "1")
	f.refused(2, []string{"--model-version: versions count from 1, got 0"}, "--as", "ana", "history", "--model", "web-service", "--model-version", "0")
	f.refused(2, []string{"--kind"}, "--as", "ana", "history", "--kind", "furniture")
	f.refused(2, []string{"--from"}, "--as", "ana", "history", "--from", "last week")
	f.refused(2, []string{"--to: 2030-11-01 is not after --from 2030-12-01"}, "--as", "ana", "history",
		"--from", "2030-12-01", "--to", "2030-11-01")
	// One day is asked for with the next day as --to, which is exclusive: the message
	// says so.
	f.refused(2, []string{"--to is exclusive: --to 2030-12-02 includes 2030-12-01"}, "--as", "ana", "history",
		"--from", "2030-12-01", "--to", "2030-12-01")
	f.refused(2, []string{"--to is exclusive: --to 2030-12-02 includes 2030-12-01"}, "--as", "ana", "report",
		"--from", "2030-12-01", "--to", "2030-12-01")
}

// A filter by a name config does not know that matches nothing says so on stderr: a
// typo read as "no deployments match" before. It still filters (the record may name
// what config has since dropped), so the exit is 0.
func TestHistoryNotesANameConfigDoesNotKnow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.ok("--as", "ana", "history", "--component", "web-frontnd", "--assignee", "nobdy")
	if !strings.Contains(r.stdout, "No deployments match.") ||
		!strings.Contains(r.stderr, `--component "web-frontnd" is no component in`) ||
		!strings.Contains(r.stderr, `--assignee "nobdy" is no person in`) {
		t.Fatalf("history with unknown names:\n%s", r)
	}
	if r := f.ok("--as", "ana", "deploy", "list", "--assignee", "nobdy"); !strings.Contains(r.stderr, `--assignee "nobdy" is no person`) {
		t.Fatalf("deploy list with an unknown assignee:\n%s", r)
	}
	if r := f.ok("--as", "ana", "history", "--model", "web-servce"); !strings.Contains(r.stderr, `--model "web-servce" is no model in`) {
		t.Fatalf("history with an unknown model:\n%s", r)
	}
}

// An environment taken out of config with work still in the record filters that
// work, with a note (it was refused as unknown, so the work could not be found);
// a name neither config nor the record holds is still refused.
func TestAnEnvironmentSinceRemovedStillFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.planIn("test", "1.0", "2030-12-02 10:00")
	without := strings.Replace(testConfig, "[[environment]]\nname = \"test\"\norder = 2\n", "", 1)
	without = strings.Replace(without, `path = ["dev", "test", "production"]`, `path = ["dev", "production"]`, 1)
	if without == testConfig {
		t.Fatal("the test config changed: no test environment to take out")
	}
	writeFile(t, f.cfg, without)
	for _, cmd := range [][]string{{"conflicts", "--env", "test"}, {"report", "--env", "test"}} {
		if r := f.ok(append([]string{"--as", "ana"}, cmd...)...); !strings.Contains(r.stderr, "--env test: no longer in") {
			t.Errorf("%v:\n%s", cmd, r)
		}
	}
	for _, cmd := range [][]string{{"deploy", "list", "--env", "test", "--json"}, {"history", "--env", "test", "--format", "json"}} {
		r := f.ok(append([]string{"--as", "ana"}, cmd...)...)
		var list []deployment
		decode(t, r, &list)
		if len(list) != 1 || list[0].ID != d.ID || !strings.Contains(r.stderr, "--env test: no longer in") {
			t.Errorf("%v: %+v\n%s", cmd, list, r)
		}
	}
	f.refused(1, []string{`--env: unknown environment "moon"`}, "--as", "ana", "deploy", "list", "--env", "moon")
}
