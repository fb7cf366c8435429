// Package enginetest opens engines on fresh databases, for the tests of the packages
// above the engine: they may not open the store themselves (the console works with
// the engine only), so their test helpers come here for a working engine.
package enginetest

import (
	"context"
	"testing"

	"ferry/engine"
	"ferry/engine/config"
	"ferry/engine/demo"
	"ferry/store"
)

// Open opens an engine over cfg on a new database at path, closed when the test ends.
func Open(t testing.TB, path string, cfg *config.Config, opts ...engine.Option) *engine.Engine {
	t.Helper()
	return OpenDemo(t, path, cfg, nil, opts...)
}

// OpenDemo is Open on a database first filled with a demo history (none if d is nil).
func OpenDemo(t testing.TB, path string, cfg *config.Config, d *demo.Options, opts ...engine.Option) *engine.Engine {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if d != nil {
		if _, err := demo.Generate(ctx, st, cfg, *d); err != nil {
			t.Fatal(err)
		}
	}
	eng, err := engine.New(ctx, st, cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}
