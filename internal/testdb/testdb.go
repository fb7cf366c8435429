// Package testdb lets tests start from a database file that is built once per test
// binary and copied for each test, instead of being built again by every test.
package testdb

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Template is a database file built once, on first use.
type Template struct {
	build func(path string) error
	once  sync.Once
	data  []byte
	err   error
}

// New returns a template that build makes: it creates the database at path and
// closes it, leaving one self-contained file (no write-ahead log).
func New(build func(path string) error) *Template { return &Template{build: build} }

// Copy writes a copy of the template to name in a new t.TempDir() and returns its path.
func (tp *Template) Copy(t testing.TB, name string) string {
	t.Helper()
	return tp.CopyTo(t, filepath.Join(t.TempDir(), name))
}

// CopyTo writes a copy of the template to path and returns path.
func (tp *Template) CopyTo(t testing.TB, path string) string {
	t.Helper()
	tp.once.Do(func() { tp.data, tp.err = tp.make() })
	if tp.err != nil {
		t.Fatalf("template database: %v", tp.err)
	}
	if err := os.WriteFile(path, tp.data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func (tp *Template) make() ([]byte, error) {
	dir, err := os.MkdirTemp("", "testdb-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	if err := tp.build(path); err != nil {
		return nil, err
	}
	for _, side := range []string{"-wal", "-journal"} {
		if fi, err := os.Stat(path + side); err == nil && fi.Size() > 0 {
			return nil, fmt.Errorf("%s%s is left behind: the build must close the database", path, side)
		}
	}
	return os.ReadFile(path)
}
