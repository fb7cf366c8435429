// Command ferry is the deployment management console and its command line.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // the organisation's time zone works on hosts without a zoneinfo database

	"ferry/cmd/cli"
)

func main() {
	startWithoutGC(startSpan)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// startHeap and startSpan bound the start of a process during which the garbage
// collector waits (startWithoutGC): above what a command takes to start (without
// collecting, a report by day over the 1M demo peaks at 89 MB resident, the console's
// first frame under 50 MB), and well past what most commands take in all.
const (
	startHeap = 128 << 20
	startSpan = time.Second
)

// startGOGC is the GOGC under which the first collection comes when the heap reaches
// about startHeap: the runtime's first heap goal is 4 MB scaled by GOGC/100.
const startGOGC = 100 * startHeap / (4 << 20)

// startWithoutGC lets the heap grow to about startHeap before the first garbage
// collection, and puts GOGC back as it found it at that collection or after span
// (startSpan), whichever comes first; ended is closed then. A command allocates what it
// keeps as it starts: collecting while the heap doubled from 4 MB was 8 ms of the
// console's 36 ms first frame on the 100k-planned schedule and 5-10% of a report.
// The Go compiler starts with a large heap for the same reason. A heap limit
// (GOMEMLIMIT) is left alone; so is a GOGC already higher, or off. It is here and not
// in cli.Main because ferry serve runs people's commands through cli in one long
// process.
func startWithoutGC(span time.Duration) (ended <-chan struct{}) {
	done := make(chan struct{})
	percent := debug.SetGCPercent(startGOGC)
	if percent < 0 || percent >= startGOGC {
		debug.SetGCPercent(percent)
		close(done)
		return done
	}
	var once sync.Once
	restore := func() {
		once.Do(func() {
			debug.SetGCPercent(percent)
			close(done)
		})
	}
	// Past startHeap the first collection has come: from there the heap grows as
	// GOGC says, not by startGOGC times what is live.
	runtime.AddCleanup(new(sentinel), func(struct{}) { restore() }, struct{}{})
	time.AfterFunc(span, restore)
	return done
}

// sentinel is what the first collection finds unreachable (startWithoutGC). It holds
// a pointer so that it is not one of the tiny objects the runtime packs together,
// whose cleanup waits for the whole block.
type sentinel struct{ _ *int }
