package engine

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"ferry/models"
	"ferry/store"
)

// MaxLineBytes caps one stored output line: a longer line is stored in pieces of
// this size, so nothing is lost and no line needs more memory than this.
const MaxLineBytes = 16 << 10

// Output batches: lines are stored in one transaction per batch, at the latest after
// RunTiming.Flush. Two batches at most are in memory (one filling, one being stored).
const (
	batchLines = 16384
	batchBytes = 4 << 20
)

// execResult is how one attempt went.
type execResult struct {
	ok     bool
	exit   *int   // the command's exit code; nil for built-in checks
	detail string // why it failed: "exit 1", "timed out after 10s", "HTTP 503, want 200" ...
	err    error  // ferry could not do its part (storing output): the run stops
}

func failed(detail string) execResult { return execResult{detail: detail} }

// execute runs one attempt of an automated step, storing its output; started is
// called once it has begun, with the command's process group (0 for checks) and
// when it started.
func (r *runner) execute(seq, attempt int, st models.Step, started func(pgid int, at time.Time)) execResult {
	out := r.newSink(seq, attempt)
	var res execResult
	switch {
	case st.Run != "":
		res = r.runCommand(seq, attempt, st, out, started)
	case st.Check == "http":
		started(0, time.Now())
		res = r.httpCheck(st, out)
	case st.Check == "checksum":
		started(0, time.Now())
		res = r.checksumCheck(st, out)
	default:
		started(0, time.Now())
		res = failed(fmt.Sprintf("step %q has nothing to run", st.Name))
	}
	if !res.ok && res.detail != "" && res.err == nil {
		out.line(models.StreamErr, "[ferry] "+res.detail)
	}
	if err := out.close(); err != nil && res.err == nil {
		res.err = fmt.Errorf("storing the output of step %d: %w", seq, err)
	}
	return res
}

// runCommand runs st.Run with /bin/sh -c in a process group of its own. A timeout or
// a stopped run ends the whole group: SIGTERM, then SIGKILL after the grace time.
// Whatever the command left running when it exits is stopped as well.
func (r *runner) runCommand(seq, attempt int, st models.Step, out *sink, started func(int, time.Time)) execResult {
	if !procSupported {
		started(0, time.Now())
		return failed("automated steps need a Unix system (/bin/sh and process groups)")
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		started(0, time.Now())
		return execResult{err: err}
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		started(0, time.Now())
		return execResult{err: err}
	}
	cmd := exec.Command("/bin/sh", "-c", st.Run)
	cmd.Dir = r.dir
	cmd.Env = r.environ(seq, attempt, st)
	cmd.Stdout, cmd.Stderr = outW, errW
	cmd.SysProcAttr = groupAttr()
	// The kernel sends the parent-death signal when the thread that started the
	// command ends, not the process: start and wait on a thread of its own.
	exited := make(chan struct{})
	startErr := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer close(exited)
		if err := cmd.Start(); err != nil {
			startErr <- err
			return
		}
		startGuard(cmd.Process.Pid)
		startErr <- nil
		_ = cmd.Wait()
	}()
	err = <-startErr
	startedAt := time.Now()
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		started(0, time.Now())
		return failed(fmt.Sprintf("cannot start /bin/sh in %s: %v", r.dir, err))
	}
	pgid := cmd.Process.Pid
	var readers sync.WaitGroup
	readers.Add(2)
	go func() { defer readers.Done(); readLines(outR, models.StreamOut, out) }()
	go func() { defer readers.Done(); readLines(errR, models.StreamErr, out) }()
	started(pgid, startedAt)

	var timeout <-chan time.Time
	if st.Timeout > 0 {
		t := time.NewTimer(st.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	why := ""
	select {
	case <-exited:
	case <-timeout:
		why = "timed out after " + models.ShortDuration(st.Timeout)
		out.line(models.StreamErr, "[ferry] "+why+"; stopping the step's processes")
		r.stopGroup(pgid, exited)
	case <-r.ctx.Done():
		out.line(models.StreamErr, fmt.Sprintf("[ferry] stopping the step's processes: %v", context.Cause(r.ctx)))
		r.stopGroup(pgid, exited)
	}
	// Processes the command left behind are stopped too, so the output ends.
	signalGroup(pgid, syscall.SIGKILL)
	drained := make(chan struct{})
	go func() { readers.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(r.t.KillGrace):
		// Something outside the group still holds the pipes: stop reading.
		outR.Close()
		errR.Close()
		<-drained
	}
	outR.Close()
	errR.Close()
	// A step is over when its processes are: wait (briefly) until the killed ones
	// have finished exiting.
	for deadline := time.Now().Add(r.t.KillGrace); groupLiving(pgid) > 0 && time.Now().Before(deadline); {
		time.Sleep(2 * time.Millisecond)
	}

	code := exitCode(cmd.ProcessState)
	res := execResult{exit: &code}
	switch {
	case r.ctx.Err() != nil && why == "":
		res.detail = fmt.Sprintf("stopped (exit %d)", code)
	case why != "":
		res.detail = fmt.Sprintf("%s (exit %d)", why, code)
	case code == 0:
		res.ok = true
	default:
		res.detail = fmt.Sprintf("exit %d", code)
	}
	return res
}

// stopGroup asks the group to end (SIGTERM), and forces it (SIGKILL) after the
// grace time; it returns when the command's shell has exited.
func (r *runner) stopGroup(pgid int, exited <-chan struct{}) {
	signalGroup(pgid, syscall.SIGTERM)
	t := time.NewTimer(r.t.KillGrace)
	defer t.Stop()
	select {
	case <-exited:
	case <-t.C:
	}
	signalGroup(pgid, syscall.SIGKILL)
	<-exited
}

// readLines splits a stream into lines (without the newline, and a trailing \r)
// and hands them to the sink; a line longer than MaxLineBytes goes in pieces. Lines
// go over in groups: all that one read brought, handed on as soon as the reader has
// nothing more buffered, so a quiet command's line is stored without waiting and a
// loud one's cost one hand-over per group, not per line.
func readLines(rd io.Reader, stream string, out *sink) {
	br := bufio.NewReaderSize(rd, MaxLineBytes)
	var group []rawLine
	for {
		b, err := br.ReadSlice('\n')
		if len(b) > 0 {
			if err == nil {
				b = b[:len(b)-1]
				if n := len(b); n > 0 && b[n-1] == '\r' {
					b = b[:n-1]
				}
			}
			group = append(group, rawLine{stream, string(b)})
		}
		if len(group) > 0 && (br.Buffered() == 0 || len(group) >= groupLines || err != nil) {
			out.in <- group
			group = nil
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// groupLines bounds the lines one hand-over carries (memory: two groups and a batch).
const groupLines = 512

// sink numbers lines as they arrive and stores them in batches, on a goroutine of
// its own, so reading never waits for the database longer than one batch.
type sink struct {
	r            *runner
	seq, attempt int
	in           chan []rawLine
	done         chan struct{}
	err          error // the first storing error; set before done closes
}

type rawLine struct {
	stream string
	text   string
}

func (r *runner) newSink(seq, attempt int) *sink {
	s := &sink{r: r, seq: seq, attempt: attempt, in: make(chan []rawLine, 4), done: make(chan struct{})}
	go s.collect()
	return s
}

// line adds one line; it blocks while the database is behind (back pressure).
func (s *sink) line(stream, text string) { s.in <- []rawLine{{stream, text}} }

// close stores what is left and reports the first error storing any of it.
func (s *sink) close() error {
	close(s.in)
	<-s.done
	return s.err
}

// collect numbers lines and packs them in batches (joined and compressed) here, and
// stores each packed batch on a writer goroutine: one batch is compressed while the
// last is written, and the write lock is held only for the inserts.
func (s *sink) collect() {
	batches := make(chan store.PackedOutput, 1)
	var werr error
	wdone := make(chan struct{})
	go func() {
		defer close(wdone)
		ctx := s.r.bg()
		for b := range batches {
			if werr != nil {
				continue // keep draining so the command is not blocked
			}
			werr = s.r.e.st.Write(ctx, func(q store.Q) error { return q.AppendPacked(ctx, b) })
		}
	}()
	var batch []models.OutputLine
	size, lineNo, last := 0, 0, 0
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	flush := func() {
		if len(batch) > 0 {
			batches <- store.PackOutput(batch)
			batch, size, last = nil, 0, len(batch)
		}
		if armed {
			timer.Stop()
			armed = false
		}
	}
	for {
		select {
		case group, ok := <-s.in:
			if !ok {
				flush()
				close(batches)
				<-wdone
				s.err = werr
				close(s.done)
				return
			}
			now := time.Now() // a group came in one read: one time serves it
			for _, l := range group {
				lineNo++
				ol := models.OutputLine{DeploymentID: s.r.id, Seq: s.seq, Attempt: s.attempt, LineNo: lineNo,
					Stream: l.stream, At: now, Text: l.text}
				if batch == nil {
					// As big as the last batch: fast output fills whole batches, and
					// growing one line by line copied it over and over.
					batch = make([]models.OutputLine, 0, max(256, last))
				}
				batch = append(batch, ol)
				size += len(l.text)
				if s.r.opts.OnOutput != nil {
					s.r.opts.OnOutput(ol)
				}
				if len(batch) >= batchLines || size >= batchBytes {
					flush()
				}
			}
			if len(batch) > 0 && !armed {
				timer.Reset(s.r.t.Flush)
				armed = true
			}
		case <-timer.C:
			armed = false
			flush()
		}
	}
}

// httpCheck asks st.URL (with ${FERRY_*} expanded) and compares the answer's status
// with st.ExpectStatus (default 200). The timeout is st.Timeout, default 10s.
func (r *runner) httpCheck(st models.Step, out *sink) execResult {
	url := expandVars(st.URL, r.vars)
	want := st.ExpectStatus
	if want == 0 {
		want = http.StatusOK
	}
	timeout := st.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(r.ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return failed(fmt.Sprintf("bad url %q: %v", url, err))
	}
	req.Header.Set("User-Agent", "ferry")
	out.line(models.StreamOut, fmt.Sprintf("GET %s (want %d)", url, want))
	began := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		switch {
		case r.ctx.Err() != nil:
			return failed("stopped")
		case ctx.Err() != nil:
			return failed("timed out after " + models.ShortDuration(timeout))
		}
		return failed(fmt.Sprintf("GET %s: %v", url, err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	out.line(models.StreamOut, fmt.Sprintf("%s in %s", resp.Status, roundDuration(time.Since(began))))
	if resp.StatusCode == want {
		return execResult{ok: true}
	}
	if first, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n"); first != "" {
		out.line(models.StreamOut, "body: "+first)
	}
	return failed(fmt.Sprintf("HTTP %d, want %d", resp.StatusCode, want))
}

// inDir resolves a path of the config (relative to the config file's directory).
func (r *runner) inDir(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(r.dir, path)
}

// expectedSum is the checksum a checksum step compares with: the step's sha256, else
// the first word of its sha256_file (sha256sum writes "HEX  NAME"), else the
// component's sha256.
func (r *runner) expectedSum(st models.Step, out *sink) (string, error) {
	want := expandVars(st.SHA256, r.vars)
	if want == "" && st.SHA256File != "" {
		file := r.inDir(expandVars(st.SHA256File, r.vars))
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("no checksum to compare with: %v", err)
		}
		out.line(models.StreamOut, "sha256 from "+file)
		want, _, _ = strings.Cut(strings.TrimSpace(string(b)), " ")
	}
	if want == "" {
		want = r.vars["FERRY_ARTIFACT_SHA256"]
	}
	return want, nil
}

// checksumCheck compares the SHA-256 of the artifact (the step's, else the
// component's; ${FERRY_*} expanded; relative to the config file) with the step's
// sha256, else the component's declared one. Both values go into the output.
func (r *runner) checksumCheck(st models.Step, out *sink) execResult {
	path := st.Artifact
	if path == "" {
		path = r.comp.Artifact
	}
	path = expandVars(path, r.vars)
	if path == "" {
		return failed("no artifact to check: set artifact on the step or the component")
	}
	path = r.inDir(path)
	out.line(models.StreamOut, "artifact "+path)
	want, err := r.expectedSum(st, out)
	if err != nil {
		return failed(err.Error())
	}
	want = strings.ToLower(strings.TrimSpace(want))
	switch {
	case want == "":
		return failed(fmt.Sprintf("no checksum to compare with: declare sha256 on the step or on component %s", r.d.Component))
	case strings.Contains(want, "${"):
		return failed(fmt.Sprintf("no checksum to compare with: sha256 %q names a variable that is not set", want))
	}
	f, err := os.Open(path)
	if err != nil {
		return failed(fmt.Sprintf("cannot read the artifact: %v", err))
	}
	defer f.Close()
	ctx := r.ctx
	if st.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, st.Timeout)
		defer cancel()
	}
	h := sha256.New()
	if _, err := io.Copy(h, ctxReader{ctx, f}); err != nil {
		if ctx.Err() != nil && r.ctx.Err() == nil {
			return failed("timed out after " + models.ShortDuration(st.Timeout))
		}
		return failed(fmt.Sprintf("reading the artifact: %v", err))
	}
	got := hex.EncodeToString(h.Sum(nil))
	out.line(models.StreamOut, "sha256 expected "+want)
	out.line(models.StreamOut, "sha256 actual   "+got)
	if got != want {
		return failed("checksum mismatch: the artifact is not the one declared")
	}
	out.line(models.StreamOut, "checksum matches")
	return execResult{ok: true}
}

// ctxReader stops a long read when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
