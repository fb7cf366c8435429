package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// A process starts without the collector (startWithoutGC) and must get it back as it
// was: a console or a server left without it would grow until its heap limit.
func TestStartWithoutGCPutsTheCollectorBack(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))

	restore := startWithoutGC()
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Fatalf("as the process starts the collector is at %d%%, want off", p)
	}
	if l := debug.SetMemoryLimit(-1); l != startHeap {
		t.Fatalf("as the process starts the heap limit is %d, want %d", l, startHeap)
	}
	restore()
	restore() // the timer calls it again
	if p := debug.SetGCPercent(100); p != 100 {
		t.Fatalf("after the start the collector is at %d%%, want 100%%", p)
	}
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		t.Fatalf("after the start the heap limit is %d, want none", l)
	}
}

// A lower GOMEMLIMIT than startHeap is kept while the process starts.
func TestStartWithoutGCKeepsALowerLimit(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(64 << 20))

	restore := startWithoutGC()
	defer restore()
	if l := debug.SetMemoryLimit(-1); l != 64<<20 {
		t.Fatalf("the heap limit is %d while the process starts, want the lower 64 MiB", l)
	}
}
