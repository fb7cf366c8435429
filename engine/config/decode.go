package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"ferry/models"
)

// collector gathers problems with their lines.
type collector struct {
	file string
	ix   *lineIndex
	errs Errors
}

// at records a problem at the line of path.
func (c *collector) at(path, format string, args ...any) {
	c.atLine(c.ix.line(path), format, args...)
}

func (c *collector) atLine(line int, format string, args ...any) {
	c.errs = append(c.errs, &Error{File: c.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// table is one decoded TOML table being read into the domain types. Reading a key
// marks it known; finish reports the keys nobody read.
type table struct {
	c      *collector
	path   string // e.g. "environment[2]"; "" for the document
	name   string // as written, e.g. "[[environment]]"; "" for the document
	m      map[string]any
	known  map[string]bool
	bad    bool   // a problem was reported in this table or one inside it
	parent *table // the table this one is written in
}

func newTable(c *collector, path, name string, m map[string]any) *table {
	return &table{c: c, path: path, name: name, m: m, known: map[string]bool{}}
}

func (t *table) keyPath(k string) string { return joinPath(t.path, k) }

// in names the table for messages: " in [[environment]]", or "" at the top.
func (t *table) in() string {
	if t.name == "" {
		return ""
	}
	return " in " + t.name
}

// fail marks the table and the tables it is written in as having a problem.
func (t *table) fail() {
	for ; t != nil; t = t.parent {
		t.bad = true
	}
}

// errAt reports a problem of this table at the line of path.
func (t *table) errAt(path, format string, args ...any) {
	t.fail()
	t.c.at(path, format, args...)
}

// errKey reports a problem with key k at its line.
func (t *table) errKey(k, format string, args ...any) {
	t.errAt(t.keyPath(k), format, args...)
}

// errTable reports a problem with the table as a whole, at its header line.
func (t *table) errTable(format string, args ...any) {
	t.errAt(t.path, format, args...)
}

func (t *table) get(k string) (any, bool) {
	t.known[k] = true
	v, ok := t.m[k]
	return v, ok
}

func (t *table) has(k string) bool {
	_, ok := t.m[k]
	return ok
}

func (t *table) typeErr(k, want string, v any) {
	t.errKey(k, "%s%s must be %s, not %s", k, t.in(), want, typeName(v))
}

// require reports keys that are missing.
func (t *table) require(keys ...string) {
	for _, k := range keys {
		if !t.has(k) {
			t.errTable("missing key %q%s", k, t.in())
		}
	}
}

func (t *table) str(k string) (string, bool) {
	v, ok := t.get(k)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		t.typeErr(k, "a string", v)
	}
	return s, ok
}

func (t *table) int(k string) (int, bool) {
	v, ok := t.get(k)
	if !ok {
		return 0, false
	}
	n, ok := v.(int64)
	if !ok {
		t.typeErr(k, "an integer", v)
		return 0, false
	}
	if n > 1<<31-1 || n < -(1<<31) {
		t.errKey(k, "%s%s: %d is out of range", k, t.in(), n)
		return 0, false
	}
	return int(n), true
}

func (t *table) bool(k string, def bool) bool {
	v, ok := t.get(k)
	if !ok {
		return def
	}
	b, ok := v.(bool)
	if !ok {
		t.typeErr(k, "true or false", v)
		return def
	}
	return b
}

// strs reads an array of strings.
func (t *table) strs(k string) ([]string, bool) {
	v, ok := t.get(k)
	if !ok {
		return nil, false
	}
	arr, ok := v.([]any)
	if !ok {
		t.typeErr(k, "an array of strings", v)
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			t.errAt(indexPath(t.keyPath(k), i), "%s%s must be an array of strings, but element %d is %s", k, t.in(), i+1, typeName(e))
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// strMap reads a table of strings, such as variables = { REGION = "eu" }.
func (t *table) strMap(k string) map[string]string {
	v, ok := t.get(k)
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.typeErr(k, "a table of strings", v)
		return nil
	}
	out := make(map[string]string, len(m))
	for name, e := range m {
		s, ok := e.(string)
		if !ok {
			t.errAt(joinPath(t.keyPath(k), name), "%s.%s%s must be a string, not %s", k, name, t.in(), typeName(e))
			continue
		}
		out[name] = s
	}
	return out
}

// duration reads a duration string such as "45m".
func (t *table) duration(k string) (time.Duration, bool) {
	s, ok := t.str(k)
	if !ok {
		return 0, false
	}
	d, err := models.ParseDuration(s)
	if err != nil {
		t.errKey(k, "%s%s: %v", k, t.in(), err)
		return 0, false
	}
	return d, true
}

// tolerance reads a duration that may be zero, such as "15m" or "0m".
func (t *table) tolerance(k string) (time.Duration, bool) {
	s, ok := t.str(k)
	if !ok {
		return 0, false
	}
	d, err := models.ParseTolerance(s)
	if err != nil {
		t.errKey(k, "%s%s: %v", k, t.in(), err)
		return 0, false
	}
	return d, true
}

// days reads a duration that may also be whole days, such as "3d" or "90d", or a
// Go duration such as "36h". zero says why k may not be 0, or is "" when it may.
func (t *table) days(k, zero string) (time.Duration, bool) {
	s, ok := t.str(k)
	if !ok {
		return 0, false
	}
	d, err := models.ParseDays(s)
	switch {
	case err != nil:
		t.errKey(k, "%s%s: %v", k, t.in(), err)
		return 0, false
	case d == 0 && zero != "":
		t.errKey(k, "%s%s must be more than 0, not %q: %s", k, t.in(), s, zero)
		return 0, false
	}
	return d, true
}

// sub reads a single table such as [ferry]; nil when absent.
func (t *table) sub(k string) *table {
	v, ok := t.get(k)
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.typeErr(k, "a table", v)
		return nil
	}
	sub := newTable(t.c, t.keyPath(k), "["+joinPath(t.tableName(), k)+"]", m)
	sub.parent = t
	return sub
}

// tables reads an array of tables such as [[environment]].
func (t *table) tables(k string) []*table {
	v, ok := t.get(k)
	if !ok {
		return nil
	}
	name := "[[" + joinPath(t.tableName(), k) + "]]"
	var ms []map[string]any
	switch v := v.(type) {
	case []map[string]any:
		ms = v
	case []any:
		for i, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				t.errAt(indexPath(t.keyPath(k), i), "%s%s must be an array of tables (%s), but element %d is %s", k, t.in(), name, i+1, typeName(e))
				return nil
			}
			ms = append(ms, m)
		}
	default:
		t.errKey(k, "%s%s must be an array of tables, written %s", k, t.in(), name)
		return nil
	}
	out := make([]*table, len(ms))
	for i, m := range ms {
		out[i] = newTable(t.c, indexPath(t.keyPath(k), i), name, m)
		out[i].parent = t
	}
	return out
}

// tableName is the table's dotted name without brackets or indices: "model".
func (t *table) tableName() string {
	return strings.Trim(t.name, "[]")
}

// finish reports every key of the table that was not read.
func (t *table) finish() {
	var unknown []string
	for k := range t.m {
		if !t.known[k] {
			unknown = append(unknown, k)
		}
	}
	slices.SortFunc(unknown, func(a, b string) int {
		return t.c.ix.line(t.keyPath(a)) - t.c.ix.line(t.keyPath(b))
	})
	for _, k := range unknown {
		where := t.in()
		if where == "" {
			where = " at the top level"
		}
		msg := fmt.Sprintf("unknown key %q%s", k, where)
		if s := suggest(k, t.known); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		t.errKey(k, "%s", msg)
	}
}

// suggest returns the known key closest to k, if it is close enough to be a typo.
func suggest(k string, known map[string]bool) string {
	keys := slices.Sorted(maps.Keys(known))
	best, bestD := "", 3
	for _, c := range keys {
		if d := distance(strings.ToLower(k), c); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || bestD*2 >= len(k) {
		return ""
	}
	return best
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// typeName says what a decoded TOML value is, for messages.
func typeName(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("a string (%q)", v)
	case int64:
		return fmt.Sprintf("an integer (%d)", v)
	case float64:
		return fmt.Sprintf("a float (%v)", v)
	case bool:
		return fmt.Sprintf("a boolean (%v)", v)
	case time.Time:
		return "a date-time"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}
