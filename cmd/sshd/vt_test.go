package sshd

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// vt is a small terminal emulator for tests: it replays what a session printed onto
// a w×h grid, so assertions see the screen as a person would, not the renderer's
// diffs (which move the cursor and rewrite only what changed). It knows the
// sequences Bubble Tea's renderer uses: cursor movement, erasing, inserting and
// deleting, repeating, scroll regions and the alternate screen; colours and modes
// are ignored.
type vt struct {
	w, h       int
	cells      [][]string // one grapheme per cell; "" continues a wide one
	x, y       int        // x == w: a wrap is pending
	top, bot   int        // scroll region, inclusive
	autowrap   bool
	last       string // last printed grapheme, for REP
	saved      [2]int
	mainCells  [][]string
	mainCursor [2]int
	p          *ansi.Parser
	pending    string // an unfinished sequence at the end of the last write
}

func newVT(w, h int) *vt {
	v := &vt{w: w, h: h, bot: h - 1, autowrap: true, p: ansi.NewParser()}
	v.cells = v.blank()
	return v
}

func (v *vt) blank() [][]string {
	rows := make([][]string, v.h)
	for i := range rows {
		rows[i] = v.blankRow()
	}
	return rows
}

func (v *vt) blankRow() []string {
	r := make([]string, v.w)
	for i := range r {
		r[i] = " "
	}
	return r
}

// render replays data on a fresh w×h screen and returns its lines, right-trimmed.
func render(data string, w, h int) string {
	v := newVT(w, h)
	v.write(data)
	return v.String()
}

func (v *vt) String() string {
	lines := make([]string, v.h)
	for i, row := range v.cells {
		lines[i] = strings.TrimRight(strings.Join(row, ""), " ")
	}
	return strings.Join(lines, "\n")
}

// write replays data; a sequence cut at its end waits for the next write.
func (v *vt) write(data string) {
	p := v.p
	data, v.pending = v.pending+data, ""
	for len(data) > 0 {
		seq, width, n, st := ansi.DecodeSequence(data, ansi.NormalState, p)
		if n == 0 {
			return
		}
		if n == len(data) && (st != ansi.NormalState || !utf8.ValidString(seq)) {
			v.pending = data
			return
		}
		data = data[n:]
		switch {
		case width > 0:
			v.put(seq, width)
		case len(seq) == 1:
			v.control(seq[0])
		case strings.HasPrefix(seq, "\x1b["):
			v.csi(ansi.Cmd(p.Command()), p.Params())
		case len(seq) == 2 && seq[0] == 0x1b:
			v.esc(seq[1])
		}
	}
}

func (v *vt) clampX() { v.x = max(0, min(v.x, v.w-1)) }
func (v *vt) clampY() { v.y = max(0, min(v.y, v.h-1)) }

func (v *vt) put(g string, width int) {
	if v.x+width > v.w {
		if v.autowrap {
			v.x = 0
			v.lineFeed()
		} else {
			v.x = v.w - width
		}
	}
	v.cells[v.y][v.x] = g
	for i := 1; i < width && v.x+i < v.w; i++ {
		v.cells[v.y][v.x+i] = ""
	}
	v.x += width
	v.last = g
}

func (v *vt) control(c byte) {
	switch c {
	case '\r':
		v.x = 0
	case '\n', '\v', '\f':
		v.lineFeed()
	case '\b':
		v.x = max(0, min(v.x, v.w-1)-1)
	case '\t':
		v.x = min(v.w-1, (v.x/8+1)*8)
	}
}

func (v *vt) lineFeed() {
	if v.y == v.bot {
		v.scrollUp(1)
		return
	}
	v.y = min(v.y+1, v.h-1)
}

func (v *vt) scrollUp(n int) {
	for range n {
		copy(v.cells[v.top:v.bot+1], v.cells[v.top+1:v.bot+1])
		v.cells[v.bot] = v.blankRow()
	}
}

func (v *vt) scrollDown(n int) {
	for range n {
		copy(v.cells[v.top+1:v.bot+1], v.cells[v.top:v.bot])
		v.cells[v.top] = v.blankRow()
	}
}

func (v *vt) esc(c byte) {
	switch c {
	case '7':
		v.saved = [2]int{v.x, v.y}
	case '8':
		v.x, v.y = v.saved[0], v.saved[1]
	case 'D':
		v.lineFeed()
	case 'E':
		v.x = 0
		v.lineFeed()
	case 'M':
		if v.y == v.top {
			v.scrollDown(1)
		} else {
			v.y = max(0, v.y-1)
		}
	case 'c':
		*v = *newVT(v.w, v.h)
	}
}

func (v *vt) csi(cmd ansi.Cmd, ps ansi.Params) {
	param := func(i, def int) int {
		n, _, ok := ps.Param(i, def)
		if !ok || n == 0 {
			return def
		}
		return n
	}
	raw := func(i int) int { n, _, _ := ps.Param(i, 0); return n }
	if cmd.Prefix() == '?' {
		on := cmd.Final() == 'h'
		if cmd.Final() != 'h' && cmd.Final() != 'l' {
			return
		}
		ps.ForEach(0, func(_, mode int, _ bool) {
			switch mode {
			case 7:
				v.autowrap = on
			case 1049, 1047, 47:
				if on && v.mainCells == nil {
					v.mainCells, v.mainCursor = v.cells, [2]int{v.x, v.y}
					v.cells = v.blank()
				} else if !on && v.mainCells != nil {
					v.cells, v.mainCells = v.mainCells, nil
					v.x, v.y = v.mainCursor[0], v.mainCursor[1]
				}
			}
		})
		return
	}
	if cmd.Prefix() != 0 || cmd.Intermediate() != 0 {
		return
	}
	switch cmd.Final() {
	case 'A':
		v.y = max(v.y-param(0, 1), 0)
		v.clampX()
	case 'B':
		v.y = min(v.y+param(0, 1), v.h-1)
		v.clampX()
	case 'C':
		v.x = min(v.x+param(0, 1), v.w-1)
	case 'D':
		v.x = max(min(v.x, v.w-1)-param(0, 1), 0)
	case 'E':
		v.x, v.y = 0, min(v.y+param(0, 1), v.h-1)
	case 'F':
		v.x, v.y = 0, max(v.y-param(0, 1), 0)
	case 'G', '`':
		v.x = param(0, 1) - 1
		v.clampX()
	case 'd':
		v.y = param(0, 1) - 1
		v.clampY()
	case 'H', 'f':
		v.y, v.x = param(0, 1)-1, param(1, 1)-1
		v.clampX()
		v.clampY()
	case 'J':
		v.clampX()
		switch raw(0) {
		case 0:
			v.eraseLine(v.y, v.x, v.w)
			for y := v.y + 1; y < v.h; y++ {
				v.cells[y] = v.blankRow()
			}
		case 1:
			v.eraseLine(v.y, 0, v.x+1)
			for y := 0; y < v.y; y++ {
				v.cells[y] = v.blankRow()
			}
		default:
			v.cells = v.blank()
		}
	case 'K':
		v.clampX()
		switch raw(0) {
		case 0:
			v.eraseLine(v.y, v.x, v.w)
		case 1:
			v.eraseLine(v.y, 0, v.x+1)
		default:
			v.eraseLine(v.y, 0, v.w)
		}
	case 'X':
		v.clampX()
		v.eraseLine(v.y, v.x, min(v.w, v.x+param(0, 1)))
	case '@':
		v.clampX()
		row, n := v.cells[v.y], min(param(0, 1), v.w-v.x)
		copy(row[v.x+n:], row[v.x:v.w-n])
		v.eraseLine(v.y, v.x, v.x+n)
	case 'P':
		v.clampX()
		row, n := v.cells[v.y], min(param(0, 1), v.w-v.x)
		copy(row[v.x:], row[v.x+n:])
		v.eraseLine(v.y, v.w-n, v.w)
	case 'L', 'M':
		if v.y < v.top || v.y > v.bot {
			return
		}
		top := v.top
		v.top = v.y
		if cmd.Final() == 'L' {
			v.scrollDown(min(param(0, 1), v.bot-v.y+1))
		} else {
			v.scrollUp(min(param(0, 1), v.bot-v.y+1))
		}
		v.top, v.x = top, 0
	case 'S':
		v.scrollUp(param(0, 1))
	case 'T':
		v.scrollDown(param(0, 1))
	case 'b':
		for range param(0, 1) {
			if v.last != "" {
				v.put(v.last, 1)
			}
		}
	case 'r':
		v.top, v.bot = param(0, 1)-1, param(1, v.h)-1
		if v.top < 0 || v.bot >= v.h || v.top >= v.bot {
			v.top, v.bot = 0, v.h-1
		}
		v.x, v.y = 0, 0
	case 's':
		v.saved = [2]int{v.x, v.y}
	case 'u':
		v.x, v.y = v.saved[0], v.saved[1]
	case 'I':
		for range param(0, 1) {
			v.control('\t')
		}
	case 'Z':
		for range param(0, 1) {
			v.x = max(0, (min(v.x, v.w-1)-1)/8*8)
		}
	}
}

func (v *vt) eraseLine(y, from, to int) {
	for x := max(0, from); x < min(to, v.w); x++ {
		v.cells[y][x] = " "
	}
}

func TestVT(t *testing.T) {
	cases := []struct{ in, want string }{
		{"abc\r\ndef", "abc\ndef\n"},
		{"abc\x1b[1;2Hx", "axc\n\n"},
		{"abcdef\x1b[1;3H\x1b[K", "ab\n\n"},
		{"a\x1b[3b", "aaaa\n\n"},
		{"abcd\x1b[1;2H\x1b[2P", "ad\n\n"},
		{"ab\x1b[1;1H\x1b[2@", "  ab\n\n"},
		{"x\x1b[?1049h\x1b[Hy\x1b[?1049l", "x\n\n"},
		{"1\r\n2\r\n3\r\n4", "2\n3\n4"},
		{"ab\x1b[", "ab\n\n"}, // a cut sequence waits
	}
	for _, c := range cases {
		if got := render(c.in, 6, 3); got != c.want {
			t.Errorf("%q: %q, want %q", c.in, got, c.want)
		}
	}
	v := newVT(6, 1)
	v.write("a\x1b[")
	v.write("2Cb")
	if got := v.String(); got != "a  b" {
		t.Errorf("a sequence split over writes: %q", got)
	}
}
