package export

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ferry/engine"
	"ferry/models"
)

// WriteICS writes events as an iCalendar file (RFC 5545): times in UTC, text
// escaped, lines folded at 75 octets, CRLF line ends. stamp is when the file is made
// (DTSTAMP). A calendar that subscribes to it, or imports it again, updates each
// entry by its UID.
func WriteICS(w io.Writer, events []engine.CalEvent, stamp time.Time) error {
	bw := bufio.NewWriter(w)
	line := func(name, value string) { writeFolded(bw, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//Ferry//Deployment schedule//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("X-WR-CALNAME", "Ferry schedule")
	for _, e := range events {
		line("BEGIN", "VEVENT")
		line("UID", escapeText(e.UID))
		line("DTSTAMP", icsTime(stamp))
		line("DTSTART", icsTime(e.Start))
		line("DTEND", icsTime(e.End))
		line("SUMMARY", escapeText(e.Summary))
		line("DESCRIPTION", escapeText(e.Description))
		line("LOCATION", escapeText(e.Location))
		line("CATEGORIES", escapeText(e.Kind))
		if !e.Modified.IsZero() {
			line("LAST-MODIFIED", icsTime(e.Modified))
		}
		line("SEQUENCE", strconv.FormatInt(e.Sequence, 10))
		if e.Kind == "deployment" {
			line("STATUS", "CONFIRMED")
			line("TRANSP", "OPAQUE")
		} else {
			line("TRANSP", "TRANSPARENT") // a window is not a busy time
		}
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return bw.Flush()
}

// icsTime is a UTC date-time: 20261126T130500Z.
func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma
// and line breaks; other control characters (C0, C1) and bidirectional controls are
// dropped, so the file holds none but its own line ends and can go to a terminal.
func escapeText(s string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r >= 0x7f && r <= 0x9f || models.IsBidiControl(r) || r == utf8.RuneError:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeFolded writes one content line, folded (RFC 5545 3.1): no line longer than 75
// octets, continuation lines starting with a space, never inside a UTF-8 sequence.
func writeFolded(w *bufio.Writer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.WriteString(s[:cut])
		w.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	w.WriteString(s)
	w.WriteString("\r\n")
}
