package cli_test

import (
	"strconv"
	"strings"
	"testing"
)

// A note that holds escape sequences is kept as written but never drives the
// terminal of whoever reads it later: deploy show, the history table and the JSON
// all print it defused.
func TestStoredTextNeverDrivesATerminal(t *testing.T) {
	t.Parallel()
	f := runFixture(t)
	hw := f.planModel("rack", "rack-1", "--assignee", "raj")
	attack := "x\x1b]2;OWNED\a\x1b[2J\x1b[31mred\u202Egnp.exe\u009b2J"
	f.ok("--as", "raj", "step", "note", hw, "1", attack)
	for _, args := range [][]string{
		{"--as", "ana", "deploy", "show", hw},
		{"--as", "ana", "deploy", "show", hw, "--json"},
		{"--as", "ana", "history", "--search", "OWNED"},
		{"--as", "ana", "audit", "log"},
	} {
		r := f.ok(args...)
		out := r.stdout + r.stderr
		for _, raw := range []string{"\x1b", "\a", "\u202E", "\u009b"} {
			if strings.Contains(out, raw) {
				t.Errorf("%v prints %q raw:\n%q", args, raw, out)
			}
		}
		if args[len(args)-1] == hw && !strings.Contains(out, "x␛]2;OWNED␇␛[2J␛[31mred\\u202egnp.exe\\u009b2J") {
			t.Errorf("%v should show the note, defused:\n%s", args, out)
		}
	}
	// The JSON still says what was written: the same characters, escaped.
	var d struct {
		Steps []struct{ Note string } `json:"steps"`
	}
	decode(t, f.ok("--as", "ana", "deploy", "show", hw, "--json"), &d)
	if d.Steps[0].Note != attack {
		t.Errorf("the JSON note is %q, want %q", d.Steps[0].Note, attack)
	}
}

// Labels are checked where they are typed: no control characters, bidi overrides or
// invalid UTF-8 in a version or a change reference.
func TestLabelsRefuseControlCharacters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	plan := []string{"--as", "ana", "deploy", "plan", "--model", "web-service", "--component", "web-frontend",
		"--env", "dev", "--start", "2030-12-01 10:00"}
	f.refused(2, []string{"--version", "control character"}, append(plan, "--version", "1.0\x1b[2J")...)
	f.refused(2, []string{"--change", "bidirectional"}, append(plan, "--version", "1.0", "--change", "CHG\u202E1")...)
	f.refused(2, []string{"--version", "UTF-8"}, append(plan, "--version", "1.\xff")...)
	d := f.planIn("dev", "1.0", "2030-12-01 10:00")
	f.refused(2, []string{"--change", "control character"}, "--as", "ana", "deploy", "edit", strconv.FormatInt(d.ID, 10), "--change", "a\nb")
}
