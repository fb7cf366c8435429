package common

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
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

// Hang wraps s to width w, indenting every line after the first by indent cells.
func Hang(s string, w, indent int) string {
	if w < 20 {
		return s
	}
	return strings.ReplaceAll(ansi.Wrap(s, w, " "), "\n", "\n"+strings.Repeat(" ", indent))
}

// Spread puts left and right on one line of w cells, cutting left if needed.
func Spread(left, right string, w int) string {
	rw := lipgloss.Width(right)
	if rw >= w-4 {
		return Fit(left, w)
	}
	return Fit(left, w-rw-1) + " " + right
}

// Plural is "s" unless n is one.
func Plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Dash is s, or "—" when it is empty.
func Dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// Thousands writes 1284 as "1,284".
func Thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Percent formats a rate, or "—" when there is none.
func Percent(r float64) string {
	if r < 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", r*100)
}

// Progress draws a five-cell bar with a count, e.g. "▓▓▓░░ 3/5".
func Progress(done, total int) string {
	const cells = 5
	n := 0
	if total > 0 {
		n = done * cells / total
	}
	return strings.Repeat("▓", n) + strings.Repeat("░", cells-n) + fmt.Sprintf(" %d/%d", done, total)
}

// Sparkline draws values as block characters scaled from their own lowest to highest,
// so that a success rate moving between 94% and 99% still shows its shape; a
// negative value (no data) is a dot.
func Sparkline(vals []float64) string {
	blocks := []rune("▁▂▃▄▅▆▇█")
	lo, hi := 1.0, 0.0
	for _, v := range vals {
		if v >= 0 {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	var b strings.Builder
	for _, v := range vals {
		switch {
		case v < 0:
			b.WriteRune('·')
		case hi-lo < 0.001: // flat: draw it level, mid-height
			b.WriteRune(blocks[len(blocks)/2])
		default:
			b.WriteRune(blocks[int((v-lo)/(hi-lo)*float64(len(blocks)-1)+0.5)])
		}
	}
	return b.String()
}

// Clamp is v, or lo or hi if it lies outside them.
func Clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }
