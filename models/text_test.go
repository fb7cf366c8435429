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

// Plain ASCII text is returned as it is without being decoded (plainASCII); every
// control byte among it is still turned into a picture.
func TestPrintableShowsEveryASCIIControlByte(t *testing.T) {
	for c := range 0x80 {
		s := "ok " + string(rune(c)) + " ok"
		got := Line(s)
		switch {
		case c == '\t' || c >= 0x20 && c < 0x7F:
			if got != s {
				t.Errorf("byte %#x: %q became %q", c, s, got)
			}
		case strings.ContainsRune(got, rune(c)):
			t.Errorf("byte %#x is still in %q", c, got)
		}
	}
	if got := Printable("a\nb\x1b", true); got != "a\nb␛" {
		t.Errorf("kept lines with an escape: %q", got)
	}
}
