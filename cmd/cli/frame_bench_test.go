package cli_test

import (
	"bytes"
	"os/exec"
	"testing"
	"time"

	"github.com/creack/pty"

	"ferry/internal/benchdb"
)

// BenchmarkFirstFrame opens the console as a whole process on a terminal (a pty,
// 120×35) and times it until the dashboard's first frame is drawn (its "Running now"
// panel), beside `ferry version` in the same run: what a manager waits for each time
// the console opens. On the 1M demo and on the 100,000-planned schedule.
func BenchmarkFirstFrame(b *testing.B) {
	for _, db := range []struct {
		name string
		path func() string
	}{{"1m-demo", func() string { return benchdb.Million(b) }}, {"100k-planned", func() string { return benchdb.Planned100k(b) }}} {
		b.Run(db.name+"/ferry-version", func(b *testing.B) {
			path := db.path()
			var fs, bs []time.Duration
			for b.Loop() {
				fs = append(fs, firstFrame(b, path))
				bs = append(bs, timed(b, []string{ferryBin, "version"}))
			}
			f, s := median(fs), median(bs)
			b.ReportMetric(ms(f), "ferry-ms")
			b.ReportMetric(ms(s), "base-ms")
			b.ReportMetric(float64(f)/float64(s), "x-base")
		})
	}
}

// firstFrame starts the console on db and returns how long its first dashboard
// frame took to reach the terminal; then quits it.
func firstFrame(b *testing.B, db string) time.Duration {
	cmd := exec.Command(ferryBin, "--config", "../../config.toml", "--db", db, "--as", "ana")
	start := time.Now()
	term, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 35, Cols: 120})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		term.Close()
	}()
	var seen bytes.Buffer
	buf := make([]byte, 64<<10)
	for {
		n, err := term.Read(buf)
		seen.Write(buf[:n])
		if bytes.Contains(seen.Bytes(), []byte("Running now")) {
			return time.Since(start)
		}
		if err != nil {
			b.Fatalf("the console ended before its first frame: %v\n%.2000q", err, seen.String())
		}
	}
}
