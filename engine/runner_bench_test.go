//go:build unix

package engine

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// runMemSampler follows the process's memory while a benchmark runs: the Go heap in use
// and obtained from the OS (runtime.MemStats), and the resident set (VmRSS), which
// also counts SQLite's page cache outside the Go heap.
type runMemSampler struct {
	stop                         chan struct{}
	wg                           sync.WaitGroup
	heapInuse, heapSys, sys, rss uint64 // peaks
	rss0, heap0                  uint64 // before
}

func startRunSampler() *runMemSampler {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s := &runMemSampler{stop: make(chan struct{}), rss0: runRSS(), heap0: m.HeapInuse}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			s.heapInuse, s.heapSys, s.sys = max(s.heapInuse, m.HeapInuse), max(s.heapSys, m.HeapSys), max(s.sys, m.Sys)
			s.rss = max(s.rss, runRSS())
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *runMemSampler) report(b *testing.B) {
	close(s.stop)
	s.wg.Wait()
	mb := func(n uint64) float64 { return float64(n) / (1 << 20) }
	b.ReportMetric(mb(s.heapInuse), "peak-heap-inuse-MB")
	b.ReportMetric(mb(s.sys), "peak-go-sys-MB")
	b.ReportMetric(mb(s.rss), "peak-rss-MB")
	b.ReportMetric(mb(s.rss-min(s.rss, s.rss0)), "rss-growth-MB")
}

// runRSS is the resident set size from /proc/self/status, 0 where there is none.
func runRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkStepOutput100MB: one step writes 100 MB (a million lines of 100 bytes);
// all of it is stored. MB/s is the ingestion rate of the whole run, the memory
// metrics are peaks while it runs. The lines look like a service's log (times,
// levels, request IDs, paths, durations: see logLines), read with cat from a file
// made before the timer starts, so the figure is Ferry's and not a generator's, and
// the output compresses as a real log does, not as one line repeated.
func BenchmarkStepOutput100MB(b *testing.B) {
	const lines, width = 1_000_000, 100
	file := filepath.Join(b.TempDir(), "service.log")
	if err := writeLog(file, lines, width); err != nil {
		b.Fatal(err)
	}
	f := newRunFixture(b, `
[[model]]
name = "loud"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Loud"
  run = "cat '`+file+`'"
`)
	ids := make([]int64, b.N)
	for i := range ids {
		ids[i] = f.plan("loud", "api", "test").ID
	}
	sam := f.person("sam")
	b.SetBytes(lines * width)
	mem := startRunSampler()
	b.ResetTimer()
	for _, id := range ids {
		res, err := f.e.Run(f.ctx, sam, id, f.opts())
		if err != nil || res.Result() != "succeeded" {
			b.Fatalf("run: %s %v", res.Result(), err)
		}
	}
	b.StopTimer()
	mem.report(b)
	a, _ := f.state(ids[0]).Steps[0].Last()
	if a.Lines != lines || a.Bytes != lines*(width-1) {
		b.Fatalf("stored %d lines, %d bytes", a.Lines, a.Bytes)
	}
}

// writeLog writes n lines of a service's log to file, each width bytes with its
// newline, a line at a time (the memory the benchmark reports is the run's).
func writeLog(file string, n, width int) error {
	out, err := os.Create(file)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(out)
	rng := rand.New(rand.NewPCG(1, 2))
	levels := []string{"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"}
	paths := []string{"/api/v1/orders", "/api/v1/payments", "/healthz", "/api/v1/users/me", "/static/app.js", "/api/v2/search"}
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	for range n {
		at = at.Add(time.Duration(rng.IntN(3000)) * time.Microsecond)
		line := fmt.Sprintf("%s %-5s req=%016x %s %d %dms user=%d",
			at.Format("2006-01-02T15:04:05.000000Z"), levels[rng.IntN(len(levels))], rng.Uint64(),
			paths[rng.IntN(len(paths))], []int{200, 200, 200, 201, 304, 404, 500}[rng.IntN(7)], rng.IntN(900), rng.IntN(100000))
		line += strings.Repeat(" ", max(0, width-1-len(line)))
		w.WriteString(line[:width-1])
		w.WriteByte('\n')
	}
	return errors.Join(w.Flush(), out.Close())
}

// BenchmarkRunOverhead runs a deployment whose one step is `true`: ns/op is the whole
// run (lease, five moves, the step, its record); ms-to-start is from calling Run to
// the step's start being reported, just before its command starts.
func BenchmarkRunOverhead(b *testing.B) {
	f := newRunFixture(b, `
[[model]]
name = "nothing"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Nothing"
  run = "true"
`)
	sam := f.person("sam")
	var toStart time.Duration
	b.ResetTimer()
	for range b.N {
		// Planned for now, once the one before has finished: a start is held to its
		// window and to its conflicts.
		b.StopTimer()
		id := f.plan("nothing", "api", "test", func(r *PlanRequest) { r.Start = time.Now() }).ID
		b.StartTimer()
		opts := f.opts()
		began := time.Now()
		opts.OnProgress = func(p Progress) {
			if p.Kind == ProgressStepStart {
				toStart += p.At.Sub(began)
			}
		}
		if res, err := f.e.Run(f.ctx, sam, id, opts); err != nil || res.Result() != "succeeded" {
			b.Fatalf("run: %s %v", res.Result(), err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(toStart.Microseconds())/1000/float64(b.N), "ms-to-start")
}
