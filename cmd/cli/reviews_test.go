//go:build unix

package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

type reviewOut struct {
	DeploymentID int64  `json:"deployment_id"`
	Model        string `json:"model"`
	ModelVersion int    `json:"model_version"`
	Outcome      string `json:"outcome"`
	Satisfaction *int   `json:"satisfaction"`
	Quality      *int   `json:"quality"`
	Category     string `json:"category"`
	Lessons      string `json:"lessons"`
	Reviewer     string `json:"reviewer"`
}

// review add, show and list from the command line: exit codes, the categories of
// config, the amendment on the record, and the JSON shapes.
func TestReviewCommands(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writeFile(t, f.cfg, strings.Replace(runConfig, "[ferry]\n", "[ferry]\nfailure_categories = [\"config\", \"test gap\"]\n", 1))
	bad := f.planModel("broken", "web-frontend")
	if r := f.ferry("--as", "sam", "deploy", "run", bad); r.code != 1 {
		t.Fatalf("the broken model rolls back:\n%s", r)
	}
	f.refused(2, []string{"--outcome", "fine"}, "--as", "sam", "review", "add", bad, "--outcome", "fine", "--lessons", "x")
	f.refused(2, []string{"--quality", "7"}, "--as", "sam", "review", "add", bad, "--outcome", "unsuccessful", "--quality", "7", "--lessons", "x")
	f.refused(2, []string{"--lessons: required for a new review"}, "--as", "sam", "review", "add", bad, "--outcome", "unsuccessful")
	f.refused(2, []string{"--outcome: required for a new review"}, "--as", "sam", "review", "add", bad, "--lessons", "x")
	f.refused(1, []string{`--category: "weather" is not one of the failure_categories in [ferry]: config, test gap`},
		"--as", "sam", "review", "add", bad, "--outcome", "unsuccessful", "--category", "weather", "--lessons", "x")
	f.refused(1, []string{"eve (analyst) may not review deployment #" + bad}, "--as", "eve", "review", "add", bad,
		"--outcome", "unsuccessful", "--lessons", "x")
	f.refused(1, []string{"has no review yet"}, "--as", "eve", "review", "show", bad)
	if r := f.ok("--as", "eve", "review", "list", "--category", "tset gap"); !strings.Contains(r.stderr, `--category "tset gap" is no failure category in`) {
		t.Errorf("a category config does not know:\n%s", r)
	}

	r := f.ok("--as", "sam", "review", "add", bad, "--outcome", "unsuccessful", "--satisfaction", "2", "--quality", "1",
		"--category", "test gap", "--lessons", "exit 4 was never tested in dev")
	if !strings.Contains(r.stdout, "Reviewed #"+bad+": unsuccessful.") {
		t.Errorf("review add says what it did:\n%s", r)
	}
	r = f.ok("--as", "ana", "review", "add", bad, "--outcome", "successful_with_issues", "--satisfaction", "3",
		"--category", "test gap", "--lessons", "the rollback worked; exit 4 was never tested in dev", "--json")
	var got reviewOut
	decode(t, r, &got)
	if got.Outcome != "successful_with_issues" || got.Reviewer != "ana" || got.Satisfaction == nil || *got.Satisfaction != 3 ||
		got.Quality == nil || *got.Quality != 1 || got.Model != "broken" || got.ModelVersion != 1 {
		t.Errorf("the amendment changes what it names and keeps the quality it does not: %+v", got)
	}
	// Amending the lessons alone keeps the outcome, the scores and the category: an
	// amended lesson cleared them, and the reports lost them.
	r = f.ok("--as", "ana", "review", "add", bad, "--lessons", "the rollback worked; exit 4 was never tested in dev", "--json")
	decode(t, r, &got)
	if got.Outcome != "successful_with_issues" || got.Satisfaction == nil || *got.Satisfaction != 3 ||
		got.Quality == nil || *got.Quality != 1 || got.Category != "test gap" {
		t.Errorf("an amendment of the lessons alone keeps the rest: %+v", got)
	}
	// 0 clears a score; a deployment that does not exist is said to, not asked for an outcome.
	decode(t, f.ok("--as", "ana", "review", "add", bad, "--quality", "0", "--json"), &got)
	if got.Quality != nil || got.Satisfaction == nil {
		t.Errorf("--quality 0 clears the quality alone: %+v", got)
	}
	f.refused(1, []string{"#999"}, "--as", "ana", "review", "add", "999", "--lessons", "x")
	if d := f.show(mustID(t, bad)); !strings.Contains(eventTypes(d), "review review review review") {
		t.Errorf("both reviews are on the record: %s", eventTypes(d))
	}
	r = f.ok("--as", "eve", "review", "show", bad)
	for _, want := range []string{"successful with issues", "3/5", "test gap", "the rollback worked"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("review show lacks %q:\n%s", want, r)
		}
	}
	var list []reviewOut
	if err := json.Unmarshal([]byte(f.ok("--as", "eve", "review", "list", "--model", "broken", "--json").stdout), &list); err != nil || len(list) != 1 {
		t.Errorf("review list --model broken: %v %+v", err, list)
	}
	if r := f.ok("--as", "eve", "review", "list", "--category", "config"); strings.TrimSpace(r.stdout) != "No reviews." {
		t.Errorf("no review in config:\n%s", r)
	}
	if found := f.list("--search", "rollback worked"); len(found) != 1 || found[0].ID != mustID(t, bad) {
		t.Errorf("the lessons are found by search: %+v", found)
	}
}

func eventTypes(d deployment) string {
	var out []string
	for _, e := range d.Events {
		out = append(out, e.Type)
	}
	return strings.Join(out, " ")
}

// Lessons of several lines, as a manager writes them after a failure: review add
// takes them as given, --json gives them back with their line breaks, and the text
// forms (review show, deploy show) print each line under the first; review list
// keeps a review on its row. A control character other than the line break is
// still shown, not obeyed.
func TestReviewLessonsOfSeveralLines(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writeFile(t, f.cfg, runConfig)
	bad := f.planModel("broken", "web-frontend")
	if r := f.ferry("--as", "sam", "deploy", "run", bad); r.code != 1 {
		t.Fatalf("the broken model rolls back:\n%s", r)
	}
	lessons := "exit 4 was never tested in dev.\nTest the rollback path before staging.\x1b[2J"
	var got reviewOut
	decode(t, f.ok("--as", "ana", "review", "add", bad, "--outcome", "unsuccessful", "--lessons", lessons, "--json"), &got)
	if got.Lessons != lessons {
		t.Errorf("review add --json: lessons %q, want %q", got.Lessons, lessons)
	}
	got = reviewOut{}
	decode(t, f.ok("--as", "eve", "review", "show", bad, "--json"), &got)
	if got.Lessons != lessons {
		t.Errorf("review show --json: lessons %q, want %q", got.Lessons, lessons)
	}
	show := f.ok("--as", "eve", "review", "show", bad).stdout
	if !strings.Contains(show, "lessons                 exit 4 was never tested in dev.\n"+
		"                        Test the rollback path before staging.␛[2J\n") {
		t.Errorf("review show prints the lessons' lines one under the other:\n%s", show)
	}
	deploy := f.ok("--as", "eve", "deploy", "show", bad).stdout
	if !strings.Contains(deploy, "\n  exit 4 was never tested in dev.\n  Test the rollback path before staging.␛[2J\n") {
		t.Errorf("deploy show prints the lessons' lines, indented:\n%s", deploy)
	}
	list := f.ok("--as", "eve", "review", "list").stdout
	if !strings.Contains(list, "exit 4 was never tested in dev.⏎Test the rollback path") {
		t.Errorf("review list keeps a review on one row:\n%s", list)
	}
}
