package cli

import (
	"math"
	"runtime/debug"
	"testing"
)

// The console opens with the collector off (holdGC) and must leave it as it was:
// a session left without it would grow without bound.
func TestHoldGCPutsTheCollectorBack(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	beforeLimit := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(beforeLimit)

	restore := holdGC()
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Fatalf("while the console opens the collector is at %d%%, want off", p)
	}
	if l := debug.SetMemoryLimit(-1); l != startHeap {
		t.Fatalf("while the console opens the heap limit is %d, want %d", l, startHeap)
	}
	restore()
	restore() // the first frame and the console's end may both call it
	if p := debug.SetGCPercent(-1); p != 100 {
		t.Fatalf("after the first frame the collector is at %d%%, want 100%%", p)
	}
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		t.Fatalf("after the first frame the heap limit is %d, want none", l)
	}
}
