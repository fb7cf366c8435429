package cli_test

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Times outside 1970-2200 and wall-clock times the clocks skip are refused at input,
// naming the flag; what is accepted up to 2200 lists as JSON and in order.
func TestTimesStayInRangeAndReal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	plan := []string{"--as", "ana", "deploy", "plan", "--model", "web-service", "--component", "web-frontend",
		"--version", "1.0", "--env", "dev"}
	for _, c := range []struct {
		args []string
		says []string
	}{
		{[]string{"--start", "9999-12-31 23:00"}, []string{"--start", `"9999-12-31 23:00" is outside the years 1970–2200`}},
		{[]string{"--start", "2201-01-01 10:00"}, []string{"--start", "outside the years 1970–2200"}},
		{[]string{"--start", "1969-12-31T10:00:00Z"}, []string{"--start", "outside the years 1970–2200"}},
		{[]string{"--start", "2200-12-31 10:00", "--end", "2201-01-02 10:00"}, []string{"--end", "outside the years 1970–2200"}},
		// 28 March 2027, Europe/Berlin: the clocks go from 02:00 to 03:00.
		{[]string{"--start", "2027-03-28 02:30"}, []string{"--start", `"2027-03-28 02:30" does not exist in Europe/Berlin (the clocks skip it)`}},
		// A duration that carries the end past 2200 is refused by the engine.
		{[]string{"--start", "2200-12-31 10:00", "--duration", "48h"}, []string{"outside the years 1970–2200"}},
	} {
		r := f.ferry(append(plan, c.args...)...)
		if r.code == 0 {
			t.Errorf("accepted:\n%s", r)
			continue
		}
		for _, s := range c.says {
			if !strings.Contains(r.stderr, s) {
				t.Errorf("want %q in stderr:\n%s", s, r)
			}
		}
	}
	if ds := f.list(); len(ds) != 0 {
		t.Fatalf("refused plans left %d deployments", len(ds))
	}

	// The last year is kept, listed as JSON and in order after 2106.
	late := f.planIn("dev", "2.0", "2200-06-01 10:00")
	mid := f.planIn("dev", "3.0", "2150-06-01 10:00")
	if got := ids(f.list("--search", "web")); len(got) != 2 || got[0] != late.ID || got[1] != mid.ID {
		t.Errorf("search order %v, want [%d %d]", got, late.ID, mid.ID)
	}
}

// A one-digit hour and extra spaces are a time as people type it (they were refused as
// a time the clocks skip, in February); what is not a time says so.
func TestTimesAsTyped(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for start, want := range map[string]string{
		"2030-02-10 9:00":   "2030-02-10T08:00:00Z",
		"2030-02-11  09:00": "2030-02-11T08:00:00Z",
	} {
		if d := f.planIn("dev", "1.0", start); d.ScheduledStart != want {
			t.Errorf("--start %q: planned %s, want %s", start, d.ScheduledStart, want)
		}
	}
	plan := []string{"--as", "ana", "deploy", "plan", "--model", "web-service", "--component", "web-frontend",
		"--version", "1.0", "--env", "dev", "--start"}
	for _, bad := range []string{"2030-02-10 9:0", "2030-02-10 09:00:00"} {
		r := f.refused(2, []string{"--start", `is not a time: use "YYYY-MM-DD HH:MM"`}, append(plan, bad)...)
		if strings.Contains(r.stderr, "clocks skip") {
			t.Errorf("%q is not a skipped time:\n%s", bad, r)
		}
	}
}

// A local time in the hour the clocks repeat (31 October 2027 in Berlin, 02:00 to
// 03:00) is taken as the first, and every command that reads a time says so on
// stderr, with how to write the second; an RFC 3339 time names its instant and says
// nothing.
func TestRepeatedHourNote(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	note := "ferry: note: --start: 2027-10-31 02:30 happens twice in Europe/Berlin; taken as 02:30 CEST, the first; " +
		"for the second (02:30 CET) write 2027-10-31T02:30:00+01:00"
	plan := f.ok("--as", "ana", "deploy", "plan", "--json", "--model", "web-service", "--component", "web-frontend",
		"--version", "1.0", "--env", "dev", "--start", "2027-10-31 02:30")
	if !strings.Contains(plan.stderr, note) {
		t.Errorf("plan: want the note on stderr:\n%s", plan)
	}
	var d deployment
	decode(t, plan, &d)
	if d.ScheduledStart != "2027-10-31T00:30:00Z" {
		t.Errorf("02:30 taken as %s, want the first (02:30 CEST, 00:30 UTC)", d.ScheduledStart)
	}
	id := strconv.FormatInt(d.ID, 10)
	for _, args := range [][]string{
		{"deploy", "edit", id, "--start", "2027-10-31 02:30", "--duration", "1h"}, // the same start: a change all the same
		{"deploy", "reschedule", id, "--start", "2027-10-31  2:30", "--duration", "45m"},
	} {
		if r := f.ok(append([]string{"--as", "ana"}, args...)...); !strings.Contains(r.stderr, note) {
			t.Errorf("%s: want the note on stderr:\n%s", args[1], r)
		}
	}
	if r := f.ok("--as", "ana", "history", "--from", "2027-10-31 02:30", "--format", "csv"); !strings.Contains(r.stderr, "--from: 2027-10-31 02:30 happens twice") {
		t.Errorf("history --from: want the note on stderr:\n%s", r)
	}
	// The second, written as the note says: no note, and 01:30 UTC.
	r := f.ok("--as", "ana", "deploy", "reschedule", id, "--start", "2027-10-31T02:30:00+01:00", "--json")
	if strings.Contains(r.stderr, "twice") {
		t.Errorf("an RFC 3339 time is not ambiguous:\n%s", r)
	}
	if got := f.list(); len(got) != 1 || got[0].ScheduledStart != "2027-10-31T01:30:00Z" {
		t.Errorf("the second 02:30 is 01:30 UTC: %+v", got)
	}
	// Once-only times say nothing.
	if r := f.ok("--as", "ana", "deploy", "reschedule", id, "--start", "2027-10-31 03:00"); strings.Contains(r.stderr, "note") {
		t.Errorf("03:00 happens once:\n%s", r)
	}
	// The config's are said too, where they are written, by every command that reads it.
	cfg, err := os.ReadFile(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, f.cfg, string(cfg)+"\n[[environment]]\nname = \"autumn\"\norder = 99\n  [[environment.freeze]]\n  name = \"clocks\"\n"+
		"  from = \"2027-10-31 02:30\"\n  to = \"2027-10-31 05:00\"\n")
	if r := f.ok("--as", "ana", "deploy", "list"); !regexp.MustCompile(`ferry: note: \S+:\d+: from in \[\[environment.freeze\]\]: 2027-10-31 02:30 happens twice`).MatchString(r.stderr) {
		t.Errorf("a config time in the repeated hour:\n%s", r)
	}
}

// deploy list names the zone of a start or end in the hour the clocks repeat, so the
// two 02:30s of 31 October 2027 read apart; other times keep the table as it was.
func TestListNamesZoneInRepeatedHour(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.planIn("dev", "1.0", "2027-10-31 02:30")
	f.planIn("test", "1.0", "2027-10-31T02:30:00+01:00")
	f.planIn("dev", "2.0", "2027-10-30 10:00")
	list := f.ok("--as", "ana", "deploy", "list").stdout
	for _, want := range []string{
		"2027-10-31 02:30 CET   03:15      test",
		"2027-10-31 02:30 CEST  02:15 CET  dev",
		"2027-10-30 10:00       10:45      dev",
	} {
		if !strings.Contains(list, want) {
			t.Errorf("want %q in the list:\n%s", want, list)
		}
	}
}

// A window that ends on another day shows its end's date, in the table and in show.
func TestLongWindowsShowBothDates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.planIn("dev", "1.0", "2030-12-01 10:00", "--duration", "50h")
	list := f.ok("--as", "ana", "deploy", "list").stdout
	if !strings.Contains(list, "2030-12-01 10:00  2030-12-03 12:00") {
		t.Errorf("deploy list does not show the end's date:\n%s", list)
	}
	show := f.ok("--as", "ana", "deploy", "show", strconv.FormatInt(d.ID, 10)).stdout
	if !strings.Contains(show, "2030-12-01 10:00 CET – 2030-12-03 12:00 CET") {
		t.Errorf("deploy show does not show the end's date:\n%s", show)
	}
}
