package demo

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"ferry/store"
)

// BenchmarkGenerate100k writes 100,000 deployments into a new database per loop.
func BenchmarkGenerate100k(b *testing.B) {
	const n = 100_000
	cfg := testConfig(b)
	ctx := context.Background()
	dir := b.TempDir()
	var total Result
	for i := 0; b.Loop(); i++ {
		st, err := store.Open(ctx, filepath.Join(dir, fmt.Sprintf("bench-%d.db", i)), store.Loading())
		if err != nil {
			b.Fatal(err)
		}
		res, err := Generate(ctx, st, cfg, Options{Deployments: n, Seed: 1, Now: testNow(b, cfg)})
		if err != nil {
			b.Fatal(err)
		}
		total.Deployments += res.Deployments
		total.Steps += res.Steps
		total.Events += res.Events
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
	}
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(total.Deployments)/secs, "deployments/s")
	b.ReportMetric(float64(total.Steps+total.Events)/secs, "steps+events/s")
}
