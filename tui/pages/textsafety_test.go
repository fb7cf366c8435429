package pages_test

import (
	"strings"
	"testing"
)

// A note holding escape sequences is drawn as text, never sent to the terminal: the
// frame itself (with the console's own colours) holds none of the note's sequences.
func TestStoredTextNeverDrivesTheConsole(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	attack := "x\x1b]2;OWNED\a\x1b[2J\u202Egnp.exe"
	if _, err := m.c.Eng.BlockStep(m.c.Ctx, m.c.Actor, 1, 1, attack); err != nil {
		t.Fatal(err)
	}
	frames := map[string]string{}
	press(m, "ctrl+r")
	frames["dashboard"] = m.View().Content
	openDetailOf(m, 1)
	frames["deployment"] = m.View().Content
	press(m, "c")
	frames["checklist"] = m.View().Content
	for name, frame := range frames {
		for _, raw := range []string{"\x1b]2;", "\a", "\x1b[2J", "\u202E"} {
			if strings.Contains(frame, raw) {
				t.Errorf("%s: the frame holds %q from the note", name, raw)
			}
		}
		if !strings.Contains(screenText(m), "␛") && name == "checklist" {
			t.Errorf("%s: the note should show, defused:\n%s", name, screenText(m))
		}
	}
}
