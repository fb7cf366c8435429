package tui

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	tea "charm.land/bubbletea/v2"

	"ferry/tui/common"
	"ferry/tui/pages"
)

// readmeRow is a row of the README's console keys table.
type readmeRow struct {
	keys  []string // what its first cell names in backticks
	where string   // its second cell, lower case
}

// readmeKeys is the README's console keys table (## The console): for each row, the
// keys its first cell names in backticks and its second cell, where they work.
func readmeKeys(t *testing.T) []readmeRow {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "\n## The console\n")
	if start < 0 {
		t.Fatal("the README has no ## The console section")
	}
	end := strings.Index(text[start+1:], "\n## ")
	if end < 0 {
		t.Fatal("the README has no ## The console section")
	}
	tick := regexp.MustCompile("`([^`]+)`")
	var rows []readmeRow
	for _, l := range strings.Split(text[start:start+1+end], "\n") {
		cells := strings.Split(l, " | ")
		if !strings.HasPrefix(l, "| ") || len(cells) < 3 {
			continue
		}
		var keys []string
		for _, m := range tick.FindAllStringSubmatch(cells[0], -1) {
			keys = append(keys, m[1])
		}
		rows = append(rows, readmeRow{keys, strings.ToLower(cells[1])})
	}
	return rows
}

// TestReadmeSaysThePagesKeys: the keys the freeze impact and the version blocks
// brought into the console, and the other letter keys of the pages they are on, are
// in the README's console table under the page where they work, as the full help
// (?) lists them: a person reads of a key in one and finds it in the other.
func TestReadmeSaysThePagesKeys(t *testing.T) {
	t.Parallel()
	rows := readmeKeys(t)
	said := func(k, page string) bool {
		for _, r := range rows {
			// "Schedule, deployment", "deployment (managers)": not "everywhere" for Where.
			for _, w := range strings.Split(r.where, ", ") {
				if strings.HasPrefix(w, strings.ToLower(page)) && slices.Contains(r.keys, k) {
					return true
				}
			}
		}
		return false
	}
	m := sized(t, "ana", 120, 35)
	open := func(p common.Page) func() {
		return func() { load(m, func() tea.Msg { return common.PushMsg{Page: p} }) }
	}
	for _, tc := range []struct {
		page  string
		reach func()
	}{
		{"Conflicts", func() { press(m, "4") }},
		{"freeze impact", func() { press(m, "4", "f") }},
		{"deployment", open(pages.NewDetail(m.c, 2))},
		{"Where", func() { press(m, "6") }},
		{"Blocked versions", func() { press(m, "6", "b") }},
		{"Improvements", func() { press(m, "5", "i") }},
	} {
		tc.reach()
		var letters []string
		for _, g := range m.Top().FullHelp() {
			for _, k := range g {
				if h := k.Help().Key; len([]rune(h)) == 1 && unicode.IsLetter([]rune(h)[0]) {
					letters = append(letters, h)
				}
			}
		}
		if len(letters) == 0 {
			t.Errorf("%s: no letter keys in its help (is it open?)\n%s", tc.page, screenText(m))
		}
		for _, k := range letters {
			if !said(k, tc.page) {
				t.Errorf("the README's console table has no row for %q on %s", k, tc.page)
			}
		}
	}
}
