package models

import (
	"strings"
	"testing"
)

func TestPrintableDefusesWhatWouldDriveATerminal(t *testing.T) {
	attack := "x\x1b]2;OWNED\a\x1b[2J\x1b[31mred\u202Egnp.exe\u009b2J\xff"
	got := Line(attack)
	for _, bad := range []string{"\x1b", "\a", "\u202E", "\u009b", "\xff"} {
		if strings.Contains(got, bad) {
			t.Errorf("%q still holds %q", got, bad)
		}
	}
	for _, want := range []string{"␛]2;OWNED␇", "␛[2J", "␛[31mred", `\u202egnp.exe`, `\u009b2J`, "\uFFFD"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q should show %q", got, want)
		}
	}
	if got := Line("two\nlines\tand a tab"); got != "two⏎lines\tand a tab" {
		t.Errorf("one line: %q", got)
	}
	if got := Printable("two\nlines", true); got != "two\nlines" {
		t.Errorf("kept lines: %q", got)
	}
	if s := "plain text, ünïcödé, 日本"; Line(s) != s {
		t.Errorf("clean text changed: %q", Line(s))
	}
}

func TestCheckLabelRefusesWhatALabelMayNotHold(t *testing.T) {
	for _, bad := range []string{"1.0\x1b[2J", "CHG\u202E1", "v\xff", "a\nb"} {
		if err := CheckLabel("--change", bad); err == nil || !strings.Contains(err.Error(), "--change") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if err := CheckLabel("--change", "CHG-2026-0042 (ünï)"); err != nil {
		t.Error(err)
	}
}
