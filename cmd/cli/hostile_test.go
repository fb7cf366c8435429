package cli_test

// Hostile input at the command line: values no person means, each refused where it
// is typed, with the flag, and nothing stored.

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ferry/engine"
)

// futureStart is a local start a week ahead, at 10:00.
func futureStart() string {
	return time.Now().AddDate(0, 0, 7).Format("2006-01-02") + " 10:00"
}

// A version, a change reference or a release name thousands of characters long is
// refused: each listing gives it a column, and one such value widened every row of
// deploy list to its length.
func TestLabelsHaveALength(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("v", 5000)
	start := futureStart()
	f.refused(2, []string{"--version", "5000 characters long: 100 at most"},
		"--as", "ana", "deploy", "plan", "--model", "web-service", "--component", "web-frontend",
		"--version", long, "--env", "dev", "--start", start)
	f.refused(2, []string{"--change", "100 at most"},
		"--as", "ana", "deploy", "plan", "--model", "web-service", "--component", "web-frontend",
		"--version", "1.0", "--change", long, "--env", "dev", "--start", start)
	f.refused(1, []string{"release name", "100 at most"},
		"--as", "ana", "release", "create", strings.Repeat("r", 101), "--component", "web-frontend=1.0")
	f.refused(1, []string{"version", "100 at most"},
		"--as", "ana", "release", "create", "r1", "--component", "web-frontend="+long)
	if ds := f.list(); len(ds) != 0 {
		t.Fatalf("nothing should be stored, got %d deployments", len(ds))
	}
	// 100 is allowed, and a block's reason (a sentence, not a label) may be longer.
	f.planIn("dev", strings.Repeat("v", 100), start)
	f.ok("--as", "ana", "version", "block", "web-frontend", "9.9", "--reason", strings.Repeat("why ", 60))
}

// A window moved so that it ends past the years Ferry keeps is refused, as a plan
// ending there is: a reschedule or an edit of the length reached 2202 unchecked.
func TestMovedWindowEndsWithinTheYears(t *testing.T) {
	f := newFixture(t)
	d := f.planIn("dev", "1.0", futureStart())
	id := strconv.FormatInt(d.ID, 10)
	f.refused(1, []string{"outside the years 1970–2200"},
		"--as", "ana", "deploy", "reschedule", id, "--start", "2200-12-31 23:00", "--duration", "366d")
	f.refused(1, []string{"outside the years 1970–2200"},
		"--as", "ana", "deploy", "edit", id, "--start", "2200-12-31 12:00", "--duration", "2d")
	f.refused(1, []string{"outside the years 1970–2200"},
		"--as", "ana", "deploy", "edit", id, "--start", "2200-12-31 12:00", "--duration", "2d", "--dry-run")
	if got := f.show(d.ID); got.ScheduledStart != d.ScheduledStart || got.ScheduledEnd != d.ScheduledEnd {
		t.Fatalf("the window moved: %s – %s", got.ScheduledStart, got.ScheduledEnd)
	}
	// The last minutes of 2200 are still a window.
	f.ok("--as", "ana", "deploy", "reschedule", id, "--start", "2200-12-31 22:00", "--duration", "30m")
}

// The global flags' help gives their defaults as the README's table does, in the
// order they are tried: it named $FERRY_CONFIG after ./config.toml, left $FERRY_DB
// out, and offered the first manager also where identity = "login" offers nobody.
func TestGlobalFlagsHelpMatchesREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(filepath.Dir(repoConfig), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, _ := strings.Cut(string(readme), "Global flags, accepted by every command:")
	table, _, _ = strings.Cut(table, "\n\n**")
	rows := regexp.MustCompile("(?m)^\\| `(--[a-z-]+) [A-Z]+` \\| [^|]+ \\| (.+) \\|$").FindAllStringSubmatch(table, -1)
	if len(rows) < 3 {
		t.Fatalf("the README's global flags table was not found (%d rows)", len(rows))
	}
	f := newFixture(t)
	r := f.raw("--help")
	if r.code != 0 {
		t.Fatalf("want exit 0:\n%s", r)
	}
	for _, row := range rows {
		flag, def := row[1], strings.ReplaceAll(row[2], "`", "")
		def, _, _ = strings.Cut(def, " (") // an aside the help has no room for
		line := ""
		for _, l := range strings.Split(r.stdout, "\n") {
			if strings.Contains(l, flag+" ") {
				line = strings.Join(strings.Fields(l), " ")
			}
		}
		if !strings.Contains(line, "default: "+def) {
			t.Errorf("ferry --help should give %s the README's default %q:\n%s", flag, def, line)
		}
	}
}

// Every flag a command's --help lists is in the README's list of commands, on that
// command's lines: resume, retry, fail, block, unblock, note, approve, reject and
// improvement set took --json (and most --follow) that the README did not give.
func TestREADMECommandsListEveryFlag(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(filepath.Dir(repoConfig), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, _ := strings.Cut(string(readme), "## Commands\n\n```\n")
	block, _, _ = strings.Cut(block, "```")
	documented := map[string]string{} // command words → their lines
	var order []string
	cur := ""
	for _, line := range strings.Split(block, "\n") {
		if rest, ok := strings.CutPrefix(line, "ferry "); ok {
			usage, _, _ := strings.Cut(rest, "  ") // the description follows two spaces
			var words []string
			for _, w := range strings.Fields(usage) {
				if w == "" || !(w[0] >= 'a' && w[0] <= 'z') || strings.Contains(w, "|") {
					break
				}
				words = append(words, w)
			}
			cur = strings.Join(words, " ")
			if cur != "" && documented[cur] == "" {
				order = append(order, cur)
			}
		} else if !strings.HasPrefix(line, " ") {
			cur = ""
		}
		if cur != "" {
			documented[cur] += line + "\n"
		}
	}
	if len(order) < 40 {
		t.Fatalf("read %d commands from the README: %v", len(order), order)
	}
	f := newFixture(t)
	flagLine := regexp.MustCompile(`^\s+(?:-\w, )?--([a-z][a-z-]*)`)
	for _, c := range order {
		r := f.raw(append(strings.Fields(c), "--help")...)
		if r.code != 0 {
			t.Errorf("ferry %s --help: exit %d\n%s", c, r.code, r)
			continue
		}
		_, local, _ := strings.Cut(r.stdout, "\nFlags:\n")
		local, _, _ = strings.Cut(local, "\n\n")
		for _, line := range strings.Split(local, "\n") {
			m := flagLine.FindStringSubmatch(line)
			if m == nil || m[1] == "help" {
				continue
			}
			if !regexp.MustCompile(`--` + m[1] + `\b`).MatchString(documented[c]) {
				t.Errorf("ferry %s takes --%s, which the README's list of commands does not give it", c, m[1])
			}
		}
	}
}

// The CLI refuses blank text under its flag in the engine's words, which the console
// shows too: it had words of its own for the same rules ("whoever tries to use it
// reads it" where the engine said "people who try to use it read it").
func TestBlankTextRefusedInTheEnginesWords(t *testing.T) {
	f := newFixture(t)
	d := f.planIn("dev", "1.0", futureStart())
	id := strconv.FormatInt(d.ID, 10)
	for _, c := range []struct {
		want string
		args []string
	}{
		{"--reason: " + engine.NeedCancelReason, []string{"deploy", "cancel", id, "--reason", " "}},
		{"--reason: " + engine.NeedFailReason, []string{"deploy", "fail", id, "--reason", " "}},
		{"--reason: " + engine.NeedOverrideReason, []string{"conflicts", "override", "c1234567", "--reason", " "}},
		{"--reason: " + engine.NeedRejectReason, []string{"gate", "reject", id, "--reason", " "}},
		{"--reason: " + engine.NeedBlockReason, []string{"step", "block", id, "1", "--reason", " "}},
		{"--reason: " + engine.NeedVersionReason("web-frontend", "1.0"), []string{"version", "block", "web-frontend", "1.0", "--reason", " "}},
		{"--summary: " + engine.NeedIncidentSummary, []string{"incident", "add", id, "--opened", "now", "--summary", " "}},
		{"--lessons: " + engine.NeedLessons, []string{"review", "add", id, "--outcome", "successful", "--lessons", " "}},
		{"--title: " + engine.NeedImprovementTitle, []string{"improvement", "add", "--model", "web-service", "--title", " "}},
		{"--summary: " + engine.NeedFindingSummary, []string{"finding", "add", "--model", "web-service", "--kind", "audit", "--summary", " "}},
	} {
		r := f.refused(2, nil, append([]string{"--as", "ana"}, c.args...)...)
		if first, _, _ := strings.Cut(r.stderr, "\n"); first != "ferry: "+c.want {
			t.Errorf("ferry %s: want %q first on stderr:\n%s", strings.Join(c.args, " "), "ferry: "+c.want, r)
		}
	}
}

// An environment named twice in report --env is measured once: the report said
// "DORA measures in production, production".
func TestReportEnvOnceEach(t *testing.T) {
	f := newFixture(t)
	r := f.ok("--as", "ana", "report", "--env", "production,dev,production")
	if !strings.Contains(r.stdout, "DORA measures in production, dev\n") {
		t.Fatalf("want each environment named once:\n%s", r)
	}
}

// A free text (a summary, a note, a reason) of 100,000 characters is refused under
// its flag, and one that is stored pads no other line of a table: an incident's
// summary padded every line of deploy show's record to its length.
func TestFreeTextHasALengthAndWidensNoTable(t *testing.T) {
	f := newFixture(t)
	id, started := f.startedIn("dev", "1.0")
	opened := started.Truncate(time.Minute).Format(time.RFC3339)
	huge := strings.Repeat("a", 100000)
	f.refused(2, []string{"--summary", "100000 characters long: 10000 at most"},
		"--as", "ana", "incident", "add", id, "--opened", opened, "--summary", huge)
	f.refused(2, []string{"--reason", "10000 at most"}, "--as", "ana", "step", "block", id, "1", "--reason", huge)
	f.refused(2, []string{"the note", "10000 at most"}, "--as", "ana", "step", "note", id, "1", huge) // a usage error, as a flag's
	// A long account is kept whole, in show and --json, and lengthens its own lines only.
	long := strings.Repeat("b", 5000)
	f.ok("--as", "ana", "incident", "add", id, "--opened", opened, "--summary", long)
	f.ok("--as", "ana", "step", "block", id, "1", "--reason", long)
	// deploy list says a blocked one is (the console's lists say it too).
	if !regexp.MustCompile(`(?m)^` + id + ` .*, blocked `).MatchString(f.ok("--as", "ana", "deploy", "list").stdout) {
		t.Errorf("deploy list should say #%s is blocked:\n%s", id, f.ok("--as", "ana", "deploy", "list").stdout)
	}
	show := f.ok("--as", "ana", "deploy", "show", id).stdout
	for _, l := range strings.Split(show, "\n") {
		if len(l) > 300 && !strings.Contains(l, long) {
			t.Errorf("a line other than the text's own is %d long: %.200q", len(l), l)
		}
	}
	if !strings.Contains(f.ok("--as", "ana", "incident", "list", "--json").stdout, long) {
		t.Errorf("incident list --json should keep the summary whole")
	}
}
