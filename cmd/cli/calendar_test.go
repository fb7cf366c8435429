package cli_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"
)

// parseICS reads an iCalendar file back with a library: UID → the event's DTSTART,
// SEQUENCE and SUMMARY.
func parseICS(t *testing.T, text string) map[string][3]string {
	t.Helper()
	cal, err := ics.ParseCalendar(strings.NewReader(text))
	if err != nil {
		t.Fatalf("not iCalendar: %v\n%s", err, text)
	}
	out := map[string][3]string{}
	for _, e := range cal.Events() {
		get := func(p ics.ComponentProperty) string {
			if pr := e.GetProperty(p); pr != nil {
				return pr.Value
			}
			return ""
		}
		out[get(ics.ComponentPropertyUniqueId)] = [3]string{get(ics.ComponentPropertyDtStart),
			get(ics.ComponentPropertySequence), get(ics.ComponentPropertySummary)}
	}
	return out
}

// ferry schedule export: planned deployments and the windows as iCalendar; a
// deployment rescheduled keeps its UID (a re-import updates it) with a later start
// and a higher SEQUENCE; --env keeps one environment; --out writes a file.
func TestScheduleExportICS(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writeFile(t, f.cfg, strings.Replace(testConfig, "capacity = 1\n", `capacity = 1
  [[environment.freeze]]
  name = "year end"
  from = "2090-12-19 00:00"
  to = "2091-01-04 00:00"
`, 1))
	dev := f.planIn("dev", "1.0", "2090-12-01 10:00")
	f.planIn("test", "1.0", "2090-12-02 10:00")
	out := filepath.Join(f.dir, "ferry.ics")
	args := []string{"--as", "eve", "schedule", "export", "--format", "ics", "--from", "2090-11-30", "--to", "2091-01-10"}
	f.ok(append(args, "--out", out)...)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	first := parseICS(t, string(data))
	devUID := "deployment-" + strconv.FormatInt(dev.ID, 10) + "@ferry"
	if len(first) != 3 || first[devUID][0] != "20901201T090000Z" || !strings.Contains(first[devUID][2], "web-frontend 1.0 → dev") ||
		first["freeze-production-year-end-20901218T230000Z@ferry"][2] != `freeze "year end" in production` {
		t.Fatalf("the export holds two deployments and the freeze, in UTC: %v", first)
	}
	f.ok("--as", "ana", "deploy", "reschedule", strconv.FormatInt(dev.ID, 10), "--start", "2090-12-01 12:00")
	again := parseICS(t, f.ok(args...).stdout)
	if len(again) != 3 || again[devUID][0] != "20901201T110000Z" {
		t.Fatalf("after the reschedule the same UID has the new start: %v", again)
	}
	if before, _ := strconv.Atoi(first[devUID][1]); again[devUID][1] == first[devUID][1] || before < 0 {
		t.Fatalf("SEQUENCE should grow with the change: %s then %s", first[devUID][1], again[devUID][1])
	}
	if onlyDev := parseICS(t, f.ok(append(args, "--env", "dev")...).stdout); len(onlyDev) != 1 {
		t.Fatalf("--env dev: %v", onlyDev)
	}
	f.refused(2, []string{`--format "csv": only ics`}, "--as", "eve", "schedule", "export", "--format", "csv")
	// A range that holds nothing is the command line's mistake, as history says it (exit 2).
	f.refused(2, []string{"--to: 2030-11-01 is not after --from 2030-12-01"}, "--as", "eve", "schedule", "export",
		"--from", "2030-12-01", "--to", "2030-11-01")
	f.refused(1, []string{`--env: unknown environment "moon"`}, append(args, "--env", "moon")...)
}

// A weekly window inside the hour the clocks skip (28 March 2027 in Berlin, 02:00 to
// 03:00) does not happen that day: the export leaves it out rather than write an end
// before its start; one reaching into the gap keeps the part that happens.
func TestScheduleExportSkippedHour(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writeFile(t, f.cfg, strings.Replace(testConfig, "capacity = 1\n", `capacity = 1
  [[environment.maintenance]]
  name = "inside"
  weekly = "Sun 02:30 - Sun 03:00"
  [[environment.maintenance]]
  name = "across"
  weekly = "Sun 01:00 - Sun 02:30"
`, 1))
	f.ok("--as", "ana", "models", "validate")
	out := f.ok("--as", "eve", "schedule", "export", "--format", "ics", "--env", "production",
		"--from", "2027-03-21", "--to", "2027-04-05").stdout
	got := parseICS(t, out)
	want := map[string]string{
		"maintenance-production-inside-20270321T013000Z@ferry": "20270321T013000Z",
		"maintenance-production-inside-20270404T003000Z@ferry": "20270404T003000Z",
		"maintenance-production-across-20270321T000000Z@ferry": "20270321T000000Z",
		"maintenance-production-across-20270328T000000Z@ferry": "20270328T000000Z", // 01:00 CET to the jump
		"maintenance-production-across-20270403T230000Z@ferry": "20270403T230000Z",
	}
	if len(got) != len(want) {
		t.Errorf("%d events, want %d:\n%s", len(got), len(want), out)
	}
	for uid, start := range want {
		if got[uid][0] != start {
			t.Errorf("%s: DTSTART %q, want %s", uid, got[uid][0], start)
		}
	}
	if !strings.Contains(out, "DTSTART:20270328T000000Z\r\nDTEND:20270328T010000Z") {
		t.Errorf("\"across\" on 28 March should end at the jump (01:00 UTC):\n%s", out)
	}
	if strings.Contains(out, "20270328T013000Z") {
		t.Errorf("\"inside\" happens on 28 March:\n%s", out)
	}
}
