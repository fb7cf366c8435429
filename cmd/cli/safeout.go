package cli

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"ferry/models"
)

// safeWriter is where the CLI writes everything it prints, locally and over SSH. The
// CLI itself never means to send a terminal an escape sequence, so whatever reaches
// here holding one came from stored text (a note, a reason, a step's output): it is
// shown, not obeyed. C0 controls but newline and tab become control pictures ("␛");
// C1 controls and bidirectional overrides become \uXXXX, which reads plainly in text
// and is the same character inside a JSON string; invalid UTF-8 becomes U+FFFD.
type safeWriter struct {
	w    io.Writer
	rest []byte // the start of a UTF-8 sequence the next write completes
}

func newSafeWriter(w io.Writer) *safeWriter { return &safeWriter{w: w} }

func (s *safeWriter) Write(p []byte) (int, error) {
	buf := p
	if len(s.rest) > 0 {
		buf = append(s.rest, p...)
		s.rest = nil
	}
	// Keep an incomplete sequence at the end for the next write (a buffered CSV or
	// JSON writer may cut a character in two).
	if cut := incompleteTail(buf); cut > 0 {
		s.rest = append([]byte(nil), buf[len(buf)-cut:]...)
		buf = buf[:len(buf)-cut]
	}
	var err error
	if isPlain(buf) {
		// Nearly all output: passed on as it is, without a copy (a report by day
		// over years is megabytes).
		_, err = s.w.Write(buf)
	} else {
		_, err = io.WriteString(s.w, defuse(buf))
	}
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// incompleteTail is how many bytes at the end of b begin a UTF-8 sequence that is
// not complete yet (0 when b ends with a whole character or with bytes that can
// never become one).
func incompleteTail(b []byte) int {
	for n := 1; n <= 3 && n <= len(b); n++ {
		c := b[len(b)-n]
		if c < 0x80 {
			return 0
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-n:]) {
				return n
			}
			return 0
		}
	}
	return 0
}

func defuse(b []byte) string {
	s := string(b)
	if isPlain(s) {
		return s
	}
	var out strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch {
		case r == utf8.RuneError && size == 1:
			out.WriteRune(utf8.RuneError)
		case r == '\n', r == '\t':
			out.WriteRune(r)
		case r < 0x20:
			out.WriteRune(0x2400 + r)
		case r == 0x7F:
			out.WriteRune('␡')
		case unicode.IsControl(r) || models.IsBidiControl(r):
			fmt.Fprintf(&out, `\u%04x`, r)
		default:
			out.WriteRune(r)
		}
	}
	return out.String()
}

func isPlain[T string | []byte](s T) bool {
	if i := plainASCII(s); i < len(s) {
		return isPlainUnicode(string(s[i:]))
	}
	return true
}

// plainASCII is the length of s's start that is printable ASCII, newlines and tabs.
// It tests eight bytes at a time (any byte from 0x80, below 0x20 or 0x7F flags the
// word, and a flagged word is read byte by byte): a report's JSON is megabytes, and
// byte by byte this scan took a sixth of the time of writing it.
func plainASCII[T string | []byte](s T) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		del := x ^ 0x7F*ones
		if (x|(x-0x20*ones)&^x|(del-ones)&^del)&highs == 0 {
			continue
		}
		if j := plainBytes(s[i : i+8]); j < 8 {
			return i + j
		}
	}
	return i + plainBytes(s[i:])
}

func plainBytes[T string | []byte](s T) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c < 0x20 && c != '\n' && c != '\t' || c == 0x7F {
			return i
		}
	}
	return len(s)
}

func isPlainUnicode(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 && r != '\n' && r != '\t' || r == 0x7F || unicode.IsControl(r) && r >= 0x80 || models.IsBidiControl(r) {
			return false
		}
	}
	return true
}

// cell is stored text as one cell of a text table: on one line, and without a tab
// that would start another column (the writer below makes the rest visible).
func cell(s string) string { return strings.ReplaceAll(models.Line(s), "\t", " ") }

// cellLines is a stored text of several lines (a review's lessons) as the lines a
// reader sees: its line breaks kept, each line as cell makes it.
func cellLines(s string) []string {
	return strings.Split(strings.ReplaceAll(models.Printable(s, true), "\t", " "), "\n")
}

// rawStdout is standard output without the safe writer, for a format whose writer
// escapes all stored text itself and needs control characters of its own
// (iCalendar's CRLF line ends).
func (a *app) rawStdout() io.Writer {
	if s, ok := a.stdout.(*safeWriter); ok {
		return s.w
	}
	return a.stdout
}
