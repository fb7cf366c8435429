//go:build unix

package engine

import (
	"bufio"
	"os"
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
// metrics are peaks while it runs.
func BenchmarkStepOutput100MB(b *testing.B) {
	const lines, width = 1_000_000, 100
	f := newRunFixture(b, `
[[model]]
name = "loud"
kinds = ["software"]
path = ["test"]
default_duration = "1h"
  [[model.step]]
  stage = "execute"
  name = "Loud"
  run = "yes \"$(printf '%099d' 7)\" | head -n `+strconv.Itoa(lines)+`"
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

// BenchmarkRunOverhead runs a deployment whose one step is `true`: ns/op is the whole
// run (lease, five moves, the step, its record); ms-to-start is from calling Run to
// the command having started.
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
	ids := make([]int64, b.N)
	for i := range ids {
		ids[i] = f.plan("nothing", "api", "test").ID
	}
	sam := f.person("sam")
	var toStart time.Duration
	b.ResetTimer()
	for _, id := range ids {
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
