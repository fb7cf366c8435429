// Command ferry is the deployment management console and its command line.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // the organisation's time zone works on hosts without a zoneinfo database

	"ferry/cmd/cli"
)

func main() {
	startWithoutGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// startHeap and startSpan bound how long the collector waits at the start of a
// process (startWithoutGC): above what a command takes to start (without collecting,
// a report by day over the 1M demo peaks at 89 MB resident, the console's first frame
// under 50 MB), and well past what most commands take in all. A run that ingests step
// output that fast holds at most this much for its first second.
const (
	startHeap = 128 << 20
	startSpan = time.Second
)

// startWithoutGC turns the garbage collector off for the process's first startSpan,
// unless the heap reaches startHeap first (or a lower GOMEMLIMIT), and then puts back
// the settings it found (GOGC, GOMEMLIMIT). A command allocates what it keeps as it
// starts; collecting while the heap doubled from 4 MB was 8 ms of the console's 36 ms
// first frame on the 100k-planned schedule and 5-10% of a report (GOGC=off, same
// hour). The Go compiler starts with a large heap for the same reason. A command that
// runs longer (the console, ferry serve, a run) collects as usual after the first
// second. It is here and not in cli.Main because ferry serve runs people's commands
// through cli inside one long process.
func startWithoutGC() (restore func()) {
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(-1)
	debug.SetMemoryLimit(min(limit, startHeap))
	var once sync.Once
	restore = func() {
		once.Do(func() {
			debug.SetGCPercent(percent)
			debug.SetMemoryLimit(limit)
		})
	}
	time.AfterFunc(startSpan, restore)
	return restore
}
