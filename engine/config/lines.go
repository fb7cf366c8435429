package config

import (
	"strconv"
	"strings"
)

// lineIndex maps the path of every table and key in a TOML document to the line it
// is written on. Paths name array elements by index, the way the decoded map is
// walked: "environment[2].maintenance[0].weekly", "ferry.timezone".
//
// The TOML library reports positions only per key name (not per array element), so
// Ferry scans the source itself. The scan runs after the document parsed cleanly,
// so it only has to be right for valid TOML; it always terminates on any input.
type lineIndex struct {
	lines  map[string]int // path -> line (first occurrence)
	arrays map[string]int // array-of-tables path -> elements seen so far
}

// line returns the line of path, or of its nearest ancestor written in the file,
// or 0 when nothing is known.
func (ix *lineIndex) line(path string) int {
	for path != "" {
		if l, ok := ix.lines[path]; ok {
			return l
		}
		path = parentPath(path)
	}
	return 0
}

// parentPath strips the last ".key" or "[n]" from a path.
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func indexPath(p string, i int) string { return p + "[" + strconv.Itoa(i) + "]" }

func (ix *lineIndex) record(path string, line int) {
	if _, ok := ix.lines[path]; !ok {
		ix.lines[path] = line
	}
}

// resolve turns the dotted key parts of a header or key, relative to base, into a
// path. Parts naming an array of tables refer to its latest element; when
// newElement is set the last part starts a new element ([[a.b]]). Every prefix is
// recorded at line, so an implicit parent table still has a line.
func (ix *lineIndex) resolve(base string, parts []string, newElement bool, line int) string {
	cur := base
	for i, p := range parts {
		cand := joinPath(cur, p)
		ix.record(cand, line)
		switch n, isArray := ix.arrays[cand]; {
		case i == len(parts)-1 && newElement:
			ix.arrays[cand] = n + 1
			cur = indexPath(cand, n)
		case isArray && n > 0:
			cur = indexPath(cand, n-1)
		default:
			cur = cand
		}
		ix.record(cur, line)
	}
	return cur
}

// scanner walks TOML source text.
type scanner struct {
	src   string
	i     int
	line  int
	ix    *lineIndex
	depth int // arrays and inline tables the scan is inside
}

// maxIndexDepth is how deep inside arrays and inline tables lines are still indexed.
// Ferry's config nests two deep at most; a path grows with its depth, so indexing
// every level of thousands of nested arrays took time and memory in their square
// (a 64 KB file: 6.6 s, 1.6 GB). Deeper values are skipped without a path.
const maxIndexDepth = 8

func buildLineIndex(src string) *lineIndex {
	ix := &lineIndex{lines: map[string]int{}, arrays: map[string]int{}}
	s := &scanner{src: src, line: 1, ix: ix}
	table := ""
	for {
		s.skipBlank(true)
		if s.eof() {
			return ix
		}
		start := s.i
		line := s.line
		if s.peek() == '[' {
			s.i++
			arr := s.peek() == '['
			if arr {
				s.i++
			}
			parts := s.readKey()
			table = ix.resolve("", parts, arr, line)
			s.skipLine()
		} else {
			parts := s.readKey()
			if s.peek() == '=' {
				s.i++
				path := ix.resolve(table, parts, false, line)
				s.skipValue(path)
			}
			s.skipLine()
		}
		if s.i == start { // never loop without progress
			s.advance()
		}
	}
}

func (s *scanner) eof() bool { return s.i >= len(s.src) }

func (s *scanner) peek() byte {
	if s.eof() {
		return 0
	}
	return s.src[s.i]
}

func (s *scanner) advance() {
	if s.eof() {
		return
	}
	if s.src[s.i] == '\n' {
		s.line++
	}
	s.i++
}

// skipBlank skips spaces and tabs, and with newlines also line ends and comments.
func (s *scanner) skipBlank(newlines bool) {
	for !s.eof() {
		switch c := s.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			s.i++
		case newlines && c == '\n':
			s.advance()
		case newlines && c == '#':
			for !s.eof() && s.peek() != '\n' {
				s.i++
			}
		default:
			return
		}
	}
}

// skipLine skips to the start of the next line.
func (s *scanner) skipLine() {
	for !s.eof() && s.peek() != '\n' {
		s.i++
	}
	s.advance()
}

// readKey reads a dotted key (bare or quoted parts) and stops before '=', ']' or
// a line end. For a header it also consumes the closing brackets.
func (s *scanner) readKey() []string {
	var parts []string
	for {
		s.skipBlank(false)
		switch c := s.peek(); {
		case c == '"':
			raw := s.readBasicString()
			if u, err := strconv.Unquote(raw); err == nil {
				parts = append(parts, u)
			} else {
				parts = append(parts, strings.Trim(raw, `"`))
			}
		case c == '\'':
			parts = append(parts, strings.Trim(s.readLiteralString(), "'"))
		case isBareKeyChar(c):
			j := s.i
			for !s.eof() && isBareKeyChar(s.peek()) {
				s.i++
			}
			parts = append(parts, s.src[j:s.i])
		default:
			return parts
		}
		s.skipBlank(false)
		switch s.peek() {
		case '.':
			s.i++
		case ']':
			for s.peek() == ']' {
				s.i++
			}
			return parts
		default:
			return parts
		}
	}
}

func isBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// readBasicString reads "..." or """...""" and returns the raw text, quotes included.
func (s *scanner) readBasicString() string {
	start := s.i
	if strings.HasPrefix(s.src[s.i:], `"""`) {
		s.i += 3
		for !s.eof() {
			switch {
			case s.peek() == '\\':
				s.advance()
				s.advance()
			case strings.HasPrefix(s.src[s.i:], `"""`):
				s.i += 3
				for n := 0; n < 2 && s.peek() == '"'; n++ { // """a"""" ends with a quote
					s.i++
				}
				return s.src[start:s.i]
			default:
				s.advance()
			}
		}
		return s.src[start:s.i]
	}
	s.i++
	for !s.eof() && s.peek() != '\n' {
		c := s.peek()
		s.i++
		if c == '\\' && !s.eof() && s.peek() != '\n' {
			s.i++
		} else if c == '"' {
			break
		}
	}
	return s.src[start:s.i]
}

// readLiteralString reads '...' or ”'...”' and returns the raw text.
func (s *scanner) readLiteralString() string {
	start := s.i
	if strings.HasPrefix(s.src[s.i:], "'''") {
		s.i += 3
		for !s.eof() {
			if strings.HasPrefix(s.src[s.i:], "'''") {
				s.i += 3
				for n := 0; n < 2 && s.peek() == '\''; n++ {
					s.i++
				}
				return s.src[start:s.i]
			}
			s.advance()
		}
		return s.src[start:s.i]
	}
	s.i++
	for !s.eof() && s.peek() != '\n' {
		c := s.peek()
		s.i++
		if c == '\'' {
			break
		}
	}
	return s.src[start:s.i]
}

// skipValue skips one value, recording the lines of the elements of arrays and the
// keys of inline tables under path.
func (s *scanner) skipValue(path string) {
	s.skipBlank(false)
	s.depth++
	defer func() { s.depth-- }()
	deep := s.depth > maxIndexDepth
	switch c := s.peek(); c {
	case '"':
		s.readBasicString()
	case '\'':
		s.readLiteralString()
	case '[':
		s.i++
		for n := 0; ; n++ {
			s.skipBlank(true)
			if s.eof() || s.peek() == ']' {
				s.advance()
				return
			}
			p := ""
			if !deep {
				p = indexPath(path, n)
				s.ix.record(p, s.line)
			}
			start := s.i
			s.skipValue(p)
			s.skipBlank(true)
			if s.peek() == ',' {
				s.i++
			} else if s.i == start {
				s.advance()
			}
		}
	case '{':
		s.i++
		for {
			s.skipBlank(true)
			if s.eof() || s.peek() == '}' {
				s.advance()
				return
			}
			line, start := s.line, s.i
			parts := s.readKey()
			if s.peek() == '=' {
				s.i++
				p := ""
				if !deep {
					p = s.ix.resolve(path, parts, false, line)
				}
				s.skipValue(p)
			}
			s.skipBlank(true)
			if s.peek() == ',' {
				s.i++
			} else if s.i == start {
				s.advance()
			}
		}
	default:
		// A number, boolean or date-time (which may hold a space).
		for !s.eof() && !strings.ContainsRune(",]}#\n", rune(s.peek())) {
			s.i++
		}
	}
}

// maxNesting is how deep arrays and inline tables may nest in a config. Ferry's keys
// need 3 at most; the TOML library reads deeper nesting in time and memory that grow
// with its square (20,000 nested inline tables: 395 s and 16 GB), so deeper is
// refused before it is parsed.
const maxNesting = 32

// tooDeep reports the first line where brackets and braces outside strings and
// comments nest deeper than maxNesting. It reads src once.
func tooDeep(src []byte) (line int, deep bool) {
	depth, line := 0, 1
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '\n':
			line++
		case '#':
			for i+1 < len(src) && src[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			i, line = skipString(src, i, line)
		case '[', '{':
			if depth++; depth > maxNesting {
				return line, true
			}
		case ']', '}':
			depth = max(0, depth-1)
		}
	}
	return 0, false
}

// skipString returns the index of the last byte of the string that starts at i (its
// closing quote, or the end of src), and the line it ends on.
func skipString(src []byte, i, line int) (int, int) {
	q := src[i]
	if i+2 < len(src) && src[i+1] == q && src[i+2] == q { // multi-line
		for j := i + 3; j < len(src); j++ {
			switch {
			case src[j] == '\n':
				line++
			case src[j] == '\\' && q == '"':
				j++
				if j < len(src) && src[j] == '\n' {
					line++
				}
			case src[j] == q && j+2 < len(src) && src[j+1] == q && src[j+2] == q:
				return j + 2, line
			}
		}
		return len(src), line
	}
	for j := i + 1; j < len(src); j++ {
		switch {
		case src[j] == '\n':
			return j - 1, line // an unclosed string ends at the line end
		case src[j] == '\\' && q == '"':
			j++
		case src[j] == q:
			return j, line
		}
	}
	return len(src), line
}
