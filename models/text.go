package models

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text that people type is stored as typed, and shown so that it can never drive a
// terminal: a note holding "\x1b]2;OWNED\a\x1b[2J" must not set the title or clear
// the screen of whoever reads it later, and a right-to-left override must not turn
// what a line says around.

// IsBidiControl reports whether r changes the direction text is shown in.
func IsBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}

// MaxLabel is the most characters a short identifier-like value (a version, a
// change reference, a release name) may have: every listing gives it a column, and
// one of thousands widened every row of the table it was in.
const MaxLabel = 100

// CheckLabel refuses, for the named field, what a short identifier-like value (a
// version, a change reference) may not hold: more than MaxLabel characters, invalid
// UTF-8, control characters and bidirectional overrides.
func CheckLabel(field, s string) error {
	if err := CheckLength(field, s); err != nil {
		return err
	}
	return CheckLine(field, s)
}

// CheckLength refuses, for the named field, a label longer than MaxLabel characters,
// quoting only its start.
func CheckLength(field, s string) error {
	if n := utf8.RuneCountInString(s); n > MaxLabel {
		start := []rune(s)[:20]
		return Invalidf("%s %q… is %d characters long: %d at most", field, string(start), n, MaxLabel)
	}
	return nil
}

// MaxText is the most characters a free text (a note, a reason, a summary, a
// review's lessons) may have: a few thousand are a long account, 100,000 a paste
// gone wrong that every reader of the record scrolls past.
const MaxText = 10000

// CheckText refuses, for the named field, a free text longer than MaxText
// characters, quoting only its start.
func CheckText(field, s string) error {
	if n := utf8.RuneCountInString(s); n > MaxText {
		return Invalidf("%s %q… is %d characters long: %d at most", field, string([]rune(s)[:20]), n, MaxText)
	}
	return nil
}

// CheckLine refuses, for the named field, what one line of text (a reason) may not
// hold: invalid UTF-8, control characters and bidirectional overrides.
func CheckLine(field, s string) error {
	if !utf8.ValidString(s) {
		return Invalidf("%s %q is not valid UTF-8", field, s)
	}
	for _, r := range s {
		switch {
		case unicode.IsControl(r):
			return Invalidf("%s %q contains a control character (U+%04X)", field, s, r)
		case IsBidiControl(r):
			return Invalidf("%s %q contains a bidirectional override (U+%04X)", field, s, r)
		}
	}
	return nil
}

// Printable is s as a terminal may show it: C0 control characters (escape sequences
// included, colour ones too) become control pictures ("␛"), C1 controls and
// bidirectional overrides become \uXXXX, and invalid UTF-8 becomes U+FFFD. Tabs stay; a newline stays when keepLines, else it
// becomes "⏎" so that a value never splits a table row.
func Printable(s string, keepLines bool) string {
	if plainASCII(s, keepLines) {
		return s
	}
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) && r != '\t' && (r != '\n' || !keepLines) || IsBidiControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t', r == '\n' && keepLines:
			b.WriteRune(r)
		case r == '\n':
			b.WriteString("⏎")
		case r < 0x20:
			b.WriteRune(0x2400 + r) // ␛ for escape, ␇ for bell…
		case r == 0x7F:
			b.WriteRune('␡')
		case unicode.IsControl(r), IsBidiControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r) // U+FFFD for invalid UTF-8 comes through as itself
		}
	}
	return b.String()
}

// plainASCII reports whether s is printable ASCII (tabs, and newlines when
// keepLines, included): most stored text, which Printable then need not decode rune
// by rune (the console cleans every string it loads: 1,536 conflicts' messages on a
// crowded schedule).
func plainASCII(s string, keepLines bool) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 || c >= 0x7F) && c != '\t' && (c != '\n' || !keepLines) {
			return false
		}
	}
	return true
}

// Line is Printable for a value shown on one line.
func Line(s string) string { return Printable(s, false) }
