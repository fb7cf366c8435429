package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// A process starts with a high GOGC (startWithoutGC) and gets back the one it had at
// its first collection: a console or a server left with it would keep many times its
// live heap.
func TestStartWithoutGCEndsAtTheFirstCollection(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))

	ended := startWithoutGC(time.Hour) // only the collection can end it here
	if p := debug.SetGCPercent(startGOGC); p != startGOGC {
		t.Fatalf("as the process starts GOGC is %d, want %d", p, startGOGC)
	}
	runtime.GC()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the first collection did not end the start")
	}
	if p := debug.SetGCPercent(100); p != 100 {
		t.Fatalf("after the first collection GOGC is %d, want 100 back", p)
	}
}

// A GOGC that is off, or already higher, is left as it is.
func TestStartWithoutGCLeavesAHigherGOGC(t *testing.T) {
	for _, gogc := range []int{-1, 2 * startGOGC} {
		func() {
			defer debug.SetGCPercent(debug.SetGCPercent(gogc))
			<-startWithoutGC(time.Hour)
			if p := debug.SetGCPercent(gogc); p != gogc {
				t.Errorf("GOGC %d became %d", gogc, p)
			}
		}()
	}
}

// Without a collection, the start ends after its span.
func TestStartWithoutGCEndsAfterItsSpan(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	select {
	case <-startWithoutGC(time.Millisecond):
	case <-time.After(10 * time.Second):
		t.Fatal("the start did not end after its span")
	}
	if p := debug.SetGCPercent(100); p != 100 {
		t.Fatalf("after the start GOGC is %d, want 100 back", p)
	}
}
