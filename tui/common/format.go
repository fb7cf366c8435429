package common

import (
	"fmt"
	"strings"
	"unicode"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"ferry/models"
)

// Fit pads or cuts a styled string to exactly w cells.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", max(0, w-lipgloss.Width(s)))
}

// FitEnds fits head and tail into w cells as Fit does, but cuts head rather than
// tail: "#12 rack-b07-db… → production" says where it goes, which "#12 rack-b07-db-server
// → p…" did not. With too little room for the tail and a few cells of head, it is Fit.
func FitEnds(head, tail string, w int) string {
	const least = 4 // of head, with its "…"
	if lipgloss.Width(head+tail) <= w || lipgloss.Width(tail)+least > w {
		return Fit(head+tail, w)
	}
	return Fit(ansi.Truncate(head, w-lipgloss.Width(tail), "…")+tail, w)
}

// Hang wraps s to width w, indenting every line after the first by indent cells.
func Hang(s string, w, indent int) string {
	return strings.Join(Wrap(s, w), "\n"+strings.Repeat(" ", indent))
}

// minText is the narrowest a wrapped text gets beside what leads it; narrower, it
// goes under it.
const minText = 12

// Wrap breaks s into lines of at most w cells, at spaces, never cutting any of it: a
// word longer than a line is broken where the line ends. Not after a hyphen, as the
// ansi package would: that splits dates ("2026-" / "12-05") and names. Nor inside a
// time ("Mon" / "04 Jan 00:00") when it fits on a line, nor ever between a time and
// its zone ("04:00" / "CEST"), nor around a number (together).
func Wrap(s string, w int) []string {
	w = max(w, 1)
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line, lw := "", 0
		for i, word := range together(unbroken(strings.Split(para, " "), w), w) {
			ww := ansi.StringWidth(word)
			switch {
			case i == 0:
				line, lw = word, ww
			case lw+1+ww <= w:
				line, lw = line+" "+word, lw+1+ww
			default:
				out = append(out, line)
				line, lw = word, ww
			}
			for lw > w { // a word longer than a line
				out = append(out, ansi.Truncate(line, w, ""))
				line = ansi.TruncateLeft(line, w, "")
				lw = ansi.StringWidth(line)
			}
		}
		out = append(out, line)
	}
	return out
}

// Words are s's words as Wrap breaks between them in lines of w cells: a time, a
// number with its word, a mark with its word are one. For a layout that wraps words
// of its own (the Schedule's detail) and split a window's ends over two lines.
func Words(s string, w int) []string {
	return together(unbroken(strings.Fields(s), max(w, 1)), max(w, 1))
}

// unbroken joins the words of a time ("Sat 19 Dec 00:00", "Tue 22:00 - Wed 02:00",
// "21:45 CET") into one when it fits in w cells, so that Wrap breaks around it; a
// comma or a colon ends a time ("22:00: 2 deployments"), and a parenthesis opens
// one: "is 2 (Mon 07 Dec 10:00)" is a number, then a time. A window too long for a line is two, its ends, the dash after
// the first ("Sat 27 Mar 22:00 CET –" / "Sun 28 Mar 04:00 CEST"); an end too long for
// a line is as many as fit, a clock time and its zone always in one.
func unbroken(words []string, w int) []string {
	var out []string
	for i := 0; i < len(words); {
		j := i + 1 // words[i:j] is one time, or a word
		for j < len(words) && inTime(words, j) && !strings.HasSuffix(ansi.Strip(words[j-1]), ",") &&
			!strings.HasSuffix(ansi.Strip(words[j-1]), ":") && !strings.HasPrefix(ansi.Strip(words[j]), "(") {
			j++
		}
		out = append(out, joinTime(words[i:j], w)...)
		i = j
	}
	return out
}

// together joins a number to the word it belongs with, when they fit in w cells,
// so that a line neither ends on "where capacity is" with the number under it nor
// starts or ends on a lone "1:": a number goes with the word before it ("is 2"),
// unless that word ends a clause ("stopped;", "·") or there is none, when it goes
// with the word after it ("0 lines"), and a number ending in a colon takes the word
// after it too ("2: #12,"). A status mark takes the word after it ("⚠ overdue": a
// line ended on the mark, its word alone under it). Times are joined already
// (unbroken).
func together(words []string, w int) []string {
	var out []string
	after := false // the word before takes this one
	for _, word := range words {
		n := len(out)
		num := number(word)
		back := num && n > 0 && !clauseEnd(out[n-1])
		joined := n > 0 && (after || back) && ansi.StringWidth(out[n-1]+" "+word) <= w
		if joined {
			out[n-1] += " " + word
		} else {
			out = append(out, word)
		}
		after = num && (strings.HasSuffix(ansi.Strip(word), ":") || !joined) // it starts a line or a clause
		after = after || statusMark(word)
	}
	return out
}

// statusMark is a word that is one of the marks a status is shown by.
func statusMark(word string) bool {
	s := ansi.Strip(word)
	return s != "" && strings.Trim(s, "⚠✗⏸≠▶✓■⌛") == ""
}

// number is a word that is a number: "2", "1,284", "96.1%", "5.18.121", or a clock
// time alone ("01:20": "due" ended a line with its time under it), with a comma,
// colon, semicolon or full stop after it.
func number(word string) bool {
	s := strings.TrimSuffix(strings.TrimRight(ansi.Strip(word), ",;:."), "%")
	if s == "" || s[0] < '0' || s[0] > '9' || s[len(s)-1] < '0' || s[len(s)-1] > '9' {
		return false
	}
	return strings.Trim(s, "0123456789,.") == "" || clock(s)
}

// clauseEnd is a word that ends a clause ("production,", "stopped;") or is a mark
// between clauses ("·", "→"): a number after it starts the next clause.
func clauseEnd(word string) bool {
	s := ansi.Strip(word)
	return strings.HasSuffix(s, ",") || strings.HasSuffix(s, ";") || strings.HasSuffix(s, ":") ||
		strings.HasSuffix(s, ".") || !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}

// joinTime is the words of one time as few words as fit in w cells each: whole, else
// its ends, else each end's words joined while they fit, a dash with the time before
// it and a zone with its clock time.
func joinTime(words []string, w int) []string {
	fits := func(s string) bool { return ansi.StringWidth(s) <= w }
	if whole := strings.Join(words, " "); fits(whole) {
		return []string{whole}
	}
	var units []string // the words, a dash and a zone joined to the word before
	for i, word := range words {
		if n := len(units); i > 0 && (dash(word) || zone(word) && clock(words[i-1])) {
			units[n-1] += " " + word
			continue
		}
		units = append(units, word)
	}
	var out []string
	joining := false // out's last is an end of the time still open to more
	for _, u := range units {
		n := len(out)
		if joining && fits(out[n-1]+" "+u) {
			out[n-1] += " " + u
		} else {
			out = append(out, u)
		}
		joining = !dash(u[strings.LastIndex(u, " ")+1:])
	}
	return out
}

// dash is the dash between a window's ends.
func dash(s string) bool {
	s = ansi.Strip(s)
	return s == "-" || s == "–"
}

// inTime is whether words[i] goes on with the time words[i-1] is part of: both are
// parts of a time, or a dash joins two, or it is the zone of the clock time before it.
func inTime(words []string, i int) bool {
	part := func(k int) bool { return timePart(words[k]) || k > 0 && zone(words[k]) && clock(words[k-1]) }
	switch {
	case dash(words[i]):
		return part(i-1) && i+1 < len(words) && timePart(words[i+1])
	case dash(words[i-1]):
		return i >= 2 && part(i-2) && timePart(words[i])
	}
	return part(i-1) && part(i)
}

// clock is a word of a time that has the time of day: "04:00", "10:00–10:45".
func clock(word string) bool { return timePart(word) && strings.Contains(word, ":") }

// zone is a zone as a time names it after its clock time: an abbreviation of three
// to five capitals ("CET", "CEST") or an offset ("+03", "-0330"), with any
// parenthesis or comma around it.
func zone(word string) bool {
	word = strings.Trim(ansi.Strip(word), "(),")
	if n := len(word); n >= 3 && n <= 5 && strings.Trim(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
		return true
	}
	if n := len(word); (n == 3 || n == 5) && (word[0] == '+' || word[0] == '-') {
		return strings.Trim(word[1:], "0123456789") == ""
	}
	return false
}

// timePart is a word of a written time: a day or month name, a number, a clock time
// or a date, with any parenthesis or comma around it, and any style: "→ suggested "
// painted dim left the escape that ends its style on "Tue", which then was no day,
// and a phone read "→ suggested Tue" over "05 Jan 2027 23:00 – …".
func timePart(word string) bool {
	word = strings.Trim(ansi.Strip(word), "(),")
	if len(word) == 3 && strings.Contains("Mon Tue Wed Thu Fri Sat Sun Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", word) {
		return true
	}
	if word == "" {
		return false
	}
	for _, r := range word {
		if (r < '0' || r > '9') && r != ':' && r != '-' && r != '–' {
			return false
		}
	}
	return word[0] >= '0' && word[0] <= '9'
}

// Hanging is text after lead, wrapped to w cells in all: the lines after the first
// start under the first's text, so a wrapped message reads as one block. paint, if
// given, styles each line of text on its own (a style over several lines would pad
// them all to the widest). When lead leaves too little room, the text goes under it.
func Hanging(lead, text string, w int, paint ...lipgloss.Style) []string {
	var out []string
	in := lipgloss.Width(lead)
	if w-in < minText {
		out, in = []string{lead}, max(0, min(in, w-minText))
		lead = strings.Repeat(" ", in)
	}
	pad := strings.Repeat(" ", in)
	for i, l := range Wrap(text, w-in) {
		for _, p := range paint {
			l = p.Render(l)
		}
		if i > 0 {
			lead = pad
		}
		out = append(out, lead+l)
	}
	return out
}

// Beside is text after lead, wrapped there (Hanging) when it fits on the one line
// or the width leaves it at least room cells beside lead; else lead on a line of its
// own and the text under it, indented by 4: a long text in a narrow column would
// read a few words a line.
func Beside(lead, text string, w, room int) []string {
	if beside := w - lipgloss.Width(lead); beside >= room || lipgloss.Width(text) <= beside {
		return Hanging(lead, text, w)
	}
	return append([]string{Fit(lead, w)}, Hanging("    ", text, w)...)
}

// Pack lays items out in lines of at most w cells, sep between them on a line; an
// item wider than a line is wrapped on lines of its own.
func Pack(items []string, sep string, w int) []string { return PackBeside(items, sep, w, w) }

// PackBeside is Pack for a first line that shares its row with something else (a
// count at its right), so it has only first cells; the lines under it have w. With w
// for all of them, what went under the first line was wrapped as if beside it too.
func PackBeside(items []string, sep string, first, w int) []string {
	var out []string
	line := ""
	width := func() int {
		if len(out) == 0 {
			return first
		}
		return w
	}
	for _, it := range items {
		switch {
		case line == "":
			line = it
		case lipgloss.Width(line+sep+it) <= width():
			line += sep + it
		default:
			out, line = append(out, line), it
		}
		if lipgloss.Width(line) > width() {
			parts := Wrap(line, width())
			if len(out) == 0 && len(parts) > 1 { // the rest goes under it, in w
				parts = append(parts[:1], Wrap(strings.Join(parts[1:], " "), w)...)
			}
			out, line = append(out, parts[:len(parts)-1]...), parts[len(parts)-1]
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// Spread puts left and right on one line of w cells, cutting left if needed.
func Spread(left, right string, w int) string {
	rw := lipgloss.Width(right)
	if rw >= w-4 {
		return Fit(left, w)
	}
	return Fit(left, w-rw-1) + " " + right
}

// Plural is "s" unless n is one (models.Plural, which the engine's and the CLI's
// words use too).
func Plural(n int) string { return models.Plural(n) }

// Dash is s, or "—" when it is empty.
func Dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// Thousands writes 1284 as "1,284".
func Thousands(n int) string { return models.Thousands(int64(n)) }

// Percent formats a rate, or "—" when there is none.
func Percent(r float64) string {
	if r < 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", r*100)
}

// Progress draws a five-cell bar with a count, e.g. "▓▓▓░░ 3/5": filled to the
// nearest cell, but never empty once something is done nor full before all is.
func Progress(done, total int) string {
	const cells = 5
	n := 0
	if total > 0 {
		n = (done*cells + total/2) / total
	}
	switch {
	case done > 0 && n == 0:
		n = 1
	case done < total && n == cells:
		n = cells - 1
	}
	n = Clamp(n, 0, cells)
	return strings.Repeat("▓", n) + strings.Repeat("░", cells-n) + fmt.Sprintf(" %d/%d", done, total)
}

// Sparkline draws rates (0 to 1) as block characters on a fixed scale from 80% (and
// below: the lowest block) to 100%, so that a success rate moving between 94% and
// 99% still shows its shape, and no value redraws the others (screens.md: nothing
// jumps when data refreshes): a scale lowered to the day below 80% (today's, two of
// its first five failed) made every other day a full block, and the month's shape
// was gone. A negative value (no data) is a dot.
func Sparkline(vals []float64) string {
	blocks := []rune("▁▂▃▄▅▆▇█")
	const lo = 0.8
	var b strings.Builder
	for _, v := range vals {
		if v < 0 {
			b.WriteRune('·')
			continue
		}
		i := int((min(v, 1)-lo)/(1-lo)*float64(len(blocks)-1) + 0.5)
		b.WriteRune(blocks[Clamp(i, 0, len(blocks)-1)])
	}
	return b.String()
}

// Clamp is v, or lo or hi if it lies outside them.
func Clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// KindWords is a conflict kind in words: "blocked version", not the key
// "blocked_version" of the configuration and the JSON.
func KindWords(k models.ConflictKind) string { return k.Words() }

// KindLabel is a conflict kind in a column of 11 cells: blocked_version reads
// "blocked" there (its message says the rest).
func KindLabel(k models.ConflictKind) string {
	if k == models.ConflictBlocked {
		return "blocked"
	}
	return string(k)
}
