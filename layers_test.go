package ferry

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// layers are the packages' floors, top to bottom: a package may import its own
// floor and the ones below it, never one above (cmd → tui → engine → store → models).
// Only the engine (and what builds it) touches the store: the console works with the
// engine and the domain types in models, and in cmd only the composition root opens it.
var layers = []string{"cmd", "tui", "engine", "store", "models"}

// floor is the index in layers of a package path relative to the module ("" for a
// package outside the layers: the module root and internal/).
func floor(rel string) int {
	top := strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]
	for i, l := range layers {
		if top == l {
			return i
		}
	}
	return -1
}

// TestImportsPointDown reads every package's own (non-test) imports and fails on
// any that points up a floor, e.g. the console importing the store.
func TestImportsPointDown(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// Test-support packages (tuitest, fixture) serve only _test files, which may reach
		// across floors to set a scene; the rule is for the code that ships.
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "testdata" ||
			strings.HasSuffix(d.Name(), "test") || path == filepath.Join("internal", "fixture")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		// Tests may reach below their layer for fixtures (internal/fixture, a demo
		// history), but a console or command test that opened the store itself would
		// test a path users never take: it goes through the fixture's engine.
		test := strings.HasSuffix(path, "_test.go")
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		from := floor(filepath.Dir(path))
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			rel, ok := strings.CutPrefix(p, "ferry/")
			if !ok {
				continue
			}
			to := floor(rel)
			if test {
				if rel == "store" && from >= 0 && from < 2 {
					t.Errorf("%s imports %s: console and command tests open databases through internal/fixture", path, p)
				}
				continue
			}
			switch {
			case from >= 0 && to >= 0 && to < from:
				t.Errorf("%s imports %s: %s is above %s (cmd → tui → engine → store → models)", path, p,
					layers[to], layers[from])
			case rel == "store" && from >= 0 && from < 2 && filepath.ToSlash(path) != "cmd/cli/app.go":
				t.Errorf("%s imports %s: only the engine uses the store (and cmd/cli/app.go opens it)", path, p)
			case from > 0 && strings.HasPrefix(rel, "internal/"):
				t.Errorf("%s imports %s: only cmd may use what lives under internal/", path, p)
			case from < 0 && strings.HasPrefix(filepath.ToSlash(path), "internal/") && to >= 0 && to < 2:
				t.Errorf("%s imports %s: internal packages serve cmd and use the engine, not the console", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
