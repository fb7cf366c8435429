package export_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"ferry/engine"
	"ferry/engine/export"
)

// TestICSParsesBack writes entries with every character iCalendar escapes, a long
// text in several scripts and a stored control character, and reads the file back
// with an iCalendar library: the same UIDs, UTC times and texts; no line over 75
// octets, every line ending in CRLF, nothing cut inside a character.
func TestICSParsesBack(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 12, 1, 22, 0, 0, 0, berlin)
	long := strings.Repeat("Überprüfung der Datenbank, Schritt; ✓ 检查 ", 6)
	events := []engine.CalEvent{
		{UID: "deployment-7@ferry", Kind: "deployment", Summary: "#7 ledger-db 2.1 → production",
			Description: "Change: CHG-1, CHG-2; path C:\\ledger\nsecond line\x1b[31m" + long, Location: "production",
			Start: start, End: start.Add(90 * time.Minute), Modified: start.Add(-time.Hour), Sequence: 3600},
		{UID: "freeze-production-year-end-20261218T230000Z@ferry", Kind: "freeze", Summary: `freeze "year end" in production`,
			Location: "production", Start: start.Add(17 * 24 * time.Hour), End: start.Add(30 * 24 * time.Hour)},
	}
	var buf bytes.Buffer
	if err := export.WriteICS(&buf, events, time.Date(2026, 11, 26, 13, 5, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	if !strings.HasSuffix(raw, "END:VCALENDAR\r\n") {
		t.Fatalf("the file should end with END:VCALENDAR and CRLF:\n%q", raw[max(0, len(raw)-40):])
	}
	for i, l := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
		if len(l) > 75 || strings.ContainsAny(l, "\r\n\x1b") || !utf8.ValidString(l) {
			t.Errorf("line %d (%d octets) is not a folded content line: %q", i+1, len(l), l)
		}
	}
	cal, err := ics.ParseCalendar(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	got := cal.Events()
	if len(got) != 2 {
		t.Fatalf("%d events parsed back, want 2", len(got))
	}
	ev := got[0]
	prop := func(p ics.ComponentProperty) string { return ev.GetProperty(p).Value }
	if prop(ics.ComponentPropertyUniqueId) != "deployment-7@ferry" || prop(ics.ComponentPropertySummary) != events[0].Summary ||
		prop(ics.ComponentPropertyLocation) != "production" {
		t.Fatalf("uid/summary/location: %q %q %q", prop(ics.ComponentPropertyUniqueId), prop(ics.ComponentPropertySummary),
			prop(ics.ComponentPropertyLocation))
	}
	if want := "Change: CHG-1, CHG-2; path C:\\ledger\nsecond line[31m" + long; prop(ics.ComponentPropertyDescription) != want {
		t.Fatalf("description:\n got %q\nwant %q", prop(ics.ComponentPropertyDescription), want)
	}
	if at, err := ev.GetStartAt(); err != nil || !at.Equal(start) || ev.GetProperty(ics.ComponentPropertyDtStart).Value != "20261201T210000Z" {
		t.Fatalf("start in UTC: %v %v %q", at, err, ev.GetProperty(ics.ComponentPropertyDtStart).Value)
	}
	if end, err := got[1].GetEndAt(); err != nil || !end.Equal(events[1].End) {
		t.Fatalf("the freeze's end: %v %v", end, err)
	}
}
