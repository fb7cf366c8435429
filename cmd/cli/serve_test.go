package cli_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// server is a running `ferry serve`: where it listens, its host key, and its stderr.
type server struct {
	cmd    *exec.Cmd
	addr   string
	hostFP string
	kept   bool
	mu     sync.Mutex
	log    strings.Builder
	exited chan error
}

func (s *server) stderr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

var servingRe = regexp.MustCompile(`serving the console over SSH on (\S+)`)
var stampedRe = regexp.MustCompile(`(?m)^ferry serve: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T refused ssh-ed25519 key `)
var hostKeyRe = regexp.MustCompile(`host key (\S+) \((created|kept)\) (SHA256:\S+)`)

// serve starts `ferry serve` on a free loopback port and waits until it listens.
func (f *fixture) serve(args ...string) *server {
	f.t.Helper()
	cmd := exec.Command(ferryBin, append([]string{"--config", f.cfg, "--db", f.db, "serve", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Dir = f.dir
	cmd.Env = cleanEnv()
	pipe, err := cmd.StderrPipe()
	if err != nil {
		f.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		f.t.Fatal(err)
	}
	s := &server{cmd: cmd, exited: make(chan error, 1)}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.log.WriteString(line + "\n")
			s.mu.Unlock()
			if m := hostKeyRe.FindStringSubmatch(line); m != nil {
				s.kept, s.hostFP = m[2] == "kept", m[3]
				close(ready)
			} else if m := servingRe.FindStringSubmatch(line); m != nil {
				s.addr = m[1]
			}
		}
		_, _ = io.Copy(io.Discard, pipe)
		s.exited <- cmd.Wait()
	}()
	f.t.Cleanup(func() { _ = cmd.Process.Kill() })
	select {
	case <-ready:
	case err := <-s.exited:
		f.t.Fatalf("ferry serve ended: %v\n%s", err, s.stderr())
	case <-time.After(time.Minute):
		f.t.Fatalf("ferry serve did not start:\n%s", s.stderr())
	}
	return s
}

func newKey(t *testing.T) (gossh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signer, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey())))
}

func (s *server) dial(signer gossh.Signer) (*gossh.Client, error) {
	return gossh.Dial("tcp", s.addr, &gossh.ClientConfig{
		User: "whoever",
		Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: func(_ string, _ net.Addr, key gossh.PublicKey) error {
			if fp := gossh.FingerprintSHA256(key); fp != s.hostFP {
				return fmt.Errorf("host key %s, want %s", fp, s.hostFP)
			}
			return nil
		},
		Timeout: 30 * time.Second,
	})
}

// lockedBuffer collects a session's output for waitFor.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return ansi.Strip(l.b.String())
}

// waitFor polls until cond holds or a deadline passes.
func waitFor(t *testing.T, what string, cond func() bool, show func() string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s:\n%s", what, show())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestServe runs the real binary: a technician's key lands on "My work", an unknown
// key is refused and logged, SIGTERM ends the session with a word and stops the
// server, and a restart keeps the host key.
func TestServe(t *testing.T) {
	f := newFixture(t)
	raj, rajKey := newKey(t)
	stranger, _ := newKey(t)
	cfg := strings.Replace(testConfig, "name = \"raj\"\n", fmt.Sprintf("name = \"raj\"\nssh_keys = [%q]\n", rajKey+" raj@test"), 1)
	writeFile(t, f.cfg, cfg)
	f.ok("deploy", "list") // creates the database

	s := f.serve("--idle-timeout", "10m")
	if s.kept {
		t.Error("the first start should create the host key")
	}
	hostKey := filepath.Join(f.dir, "ferry_host_ed25519")
	if st, err := os.Stat(hostKey); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("host key next to the database: %v %v", st, err)
	}

	if c, err := s.dial(stranger); err == nil {
		c.Close()
		t.Fatal("an unknown key logged in")
	}
	waitFor(t, "logged refusal", func() bool {
		return strings.Contains(s.stderr(), "refused ssh-ed25519 key "+gossh.FingerprintSHA256(stranger.PublicKey()))
	}, s.stderr)
	// Stamped in the organisation's zone (Europe/Berlin), as the screens show times.
	if !stampedRe.MatchString(s.stderr()) {
		t.Errorf("the log line is not stamped in the organisation's zone:\n%s", s.stderr())
	}

	client, err := s.dial(raj)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 20, 60, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	var out lockedBuffer
	sess.Stdout = &out
	if _, err := sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "My work", func() bool {
		o := out.text()
		return strings.Contains(o, "My work") && strings.Contains(o, "raj · technician") &&
			strings.Contains(o, "Nothing assigned to you.")
	}, out.text)

	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "goodbye", func() bool { return strings.Contains(out.text(), "the server is stopping") }, out.text)
	_ = sess.Wait()
	client.Close()
	select {
	case err := <-s.exited:
		if err != nil {
			t.Fatalf("ferry serve after SIGTERM: %v\n%s", err, s.stderr())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("ferry serve did not stop:\n%s", s.stderr())
	}

	again := f.serve()
	if !again.kept || again.hostFP != s.hostFP {
		t.Fatalf("restart: kept %v, %s; want the kept %s\n%s", again.kept, again.hostFP, s.hostFP, again.stderr())
	}
	if c, err := again.dial(raj); err != nil {
		t.Fatalf("after a restart: %v", err)
	} else {
		c.Close()
	}
	_ = again.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-again.exited; err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatal(err)
		}
		t.Fatalf("second stop: %v\n%s", err, again.stderr())
	}
}

func TestServeUsage(t *testing.T) {
	f := newFixture(t)
	f.refused(2, []string{"--idle-timeout must not be negative"}, "serve", "--idle-timeout", "-1s")
	f.refused(2, []string{"takes no arguments"}, "serve", "extra")
	f.refused(2, []string{"--max-per-address must be at least 1"}, "serve", "--max-per-address", "0")
	// A tick faster than a second only burns the database.
	f.refused(2, []string{"--schedule-every 100ms: must be at least 1s"}, "serve", "--schedule-every", "100ms")
	f.refused(2, []string{`--listen "nonsense"`, "give HOST:PORT"}, "serve", "--listen", "nonsense")
	f.refused(2, []string{`port "99999" is not a number from 0 to 65535`}, "serve", "--listen", "127.0.0.1:99999")
	f.refused(2, []string{`port "abc"`}, "serve", "--listen", "nonsense:abc")
	f.refused(2, []string{"--schedule-every 0s: must be at least 1s"}, "serve", "--schedule-every", "0")
}

// TestServeSchedulesDueAutomatedDeployments: the serve process starts fully automated
// deployments whose window has begun, without anyone logged in.
func TestServeSchedulesDueAutomatedDeployments(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := strings.Replace(testConfig, `  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "./deploy.sh"`, `  [[model.step]]
  stage = "execute"
  name = "Roll out"
  run = "echo rolled out"`, 1)
	// Only automated steps, so the model runs by itself in dev.
	cfg = strings.Replace(cfg, `  [[model.step]]
  stage = "verify_components"
  name = "Release notes read"
`, "", 1)
	cfg = strings.Replace(cfg, `  [[model.step]]
  stage = "verify_deployment"
  name = "Smoke check"
`, "", 1)
	writeFile(t, f.cfg, cfg)
	d := f.plan("--model", "web-service", "--component", "web-frontend", "--version", "1.0", "--env", "dev", "--start", "now")
	s := f.serve("--schedule-every", "1s")
	// The scheduler says what it started once the run has ended, just after the run's
	// last commit: both are waited for.
	said := fmt.Sprintf("scheduler started #%d", d.ID)
	deadline := time.Now().Add(20 * time.Second)
	for f.show(d.ID).Status != "succeeded" || !strings.Contains(s.stderr(), said) {
		if time.Now().After(deadline) {
			t.Fatalf("the scheduler did not run #%d, or did not say so; it is %s; serve said:\n%s",
				d.ID, f.show(d.ID).Status, s.stderr())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rsaLine is the authorized_keys form of a fresh RSA key of bits bits.
func rsaLine(t *testing.T, bits int) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := gossh.NewPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pub)))
}

// TestPeopleAddKey: a key added with ferry people add-key lets its person in at once,
// also into a ferry serve that was already running; only managers may add keys.
func TestPeopleAddKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.serve()
	signer, line := newKey(t)
	if c, err := s.dial(signer); err == nil {
		c.Close()
		t.Fatal("a key nobody has must be refused")
	}
	keyFile := filepath.Join(f.dir, "raj.pub")
	writeFile(t, keyFile, "# raj's laptop\n"+line+" raj@laptop\n")
	f.refused(1, []string{"may not add SSH keys"}, "--as", "sam", "people", "add-key", "raj", keyFile)
	f.refused(1, []string{`no person "zed"`}, "--as", "ana", "people", "add-key", "zed", keyFile)
	f.refused(2, []string{"KEYFILE"}, "--as", "ana", "people", "add-key", "raj", filepath.Join(f.dir, "missing.pub"))
	bad := filepath.Join(f.dir, "bad.pub")
	writeFile(t, bad, "ssh-ed25519 not-a-key\n")
	f.refused(1, []string{"not an SSH public key"}, "--as", "ana", "people", "add-key", "raj", bad)
	_, other := newKey(t)
	two := filepath.Join(f.dir, "two.pub")
	writeFile(t, two, line+" raj@laptop\n"+other+" raj@desk\n")
	f.refused(2, []string{"holds 2 keys (lines 1 and 2", "one key per file"}, "--as", "ana", "people", "add-key", "raj", two)
	private := filepath.Join(f.dir, "raj")
	writeFile(t, private, "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n")
	f.refused(2, []string{"is a private key", "raj.pub"}, "--as", "ana", "people", "add-key", "raj", private)
	pem := filepath.Join(f.dir, "pem.pub")
	writeFile(t, pem, "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n")
	f.refused(2, []string{"another form than authorized_keys", "ssh-keygen -i"}, "--as", "ana", "people", "add-key", "raj", pem)
	dsa := filepath.Join(f.dir, "dsa.pub")
	writeFile(t, dsa, "ssh-dss AAAAB3NzaC1kc3MAAACBAP raj@old\n")
	f.refused(1, []string{"a DSA key is too weak"}, "--as", "ana", "people", "add-key", "raj", dsa)
	weak := filepath.Join(f.dir, "weak.pub")
	writeFile(t, weak, rsaLine(t, 1024)+" raj@old-laptop\n")
	f.refused(1, []string{"RSA key of 1024 bits is too weak", "at least 2048"}, "--as", "ana", "people", "add-key", "raj", weak)
	if r := f.ok("--as", "ana", "people", "add-key", "raj", keyFile); !strings.Contains(r.stdout, "for raj") {
		t.Fatalf("add-key:\n%s", r)
	}
	f.refused(1, []string{"already lets raj in"}, "--as", "ana", "people", "add-key", "eve", keyFile)
	c, err := s.dial(signer)
	if err != nil {
		t.Fatalf("the added key should let raj in without a restart: %v\n%s", err, s.stderr())
	}
	c.Close()
	r := f.ok("--as", "ana", "people", "keys")
	if !strings.Contains(r.stdout, "raj") || !strings.Contains(r.stdout, "added by ana") || !strings.Contains(r.stdout, "raj@laptop") {
		t.Fatalf("people keys:\n%s", r)
	}
	f.refused(1, []string{"may not list SSH keys"}, "--as", "eve", "people", "keys")
	if !strings.Contains(r.stdout, "LAST USED") || strings.Contains(strings.SplitN(r.stdout, "raj@laptop", 2)[1], "never") {
		t.Errorf("people keys should say when raj's key was last used:\n%s", r)
	}

	// Revoking the key closes the session open with it at once, and refuses it after.
	console, err := s.dial(signer)
	if err != nil {
		t.Fatal(err)
	}
	defer console.Close()
	sess, err := console.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 20, 60, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	var out lockedBuffer
	sess.Stdout = &out
	if _, err := sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "My work", func() bool { return strings.Contains(out.text(), "My work") }, out.text)
	fp := gossh.FingerprintSHA256(signer.PublicKey())
	f.refused(1, []string{"may not revoke"}, "--as", "sam", "people", "remove-key", "raj", fp)
	f.refused(1, []string{"raj has no key SHA256:nope"}, "--as", "ana", "people", "remove-key", "raj", "SHA256:nope")
	if r := f.ok("--as", "ana", "people", "remove-key", "raj", fp); !strings.Contains(r.stdout, "Revoked ssh-ed25519 key "+fp) {
		t.Fatalf("remove-key:\n%s", r)
	}
	closed := make(chan error, 1)
	go func() { closed <- sess.Wait() }()
	select {
	case err := <-closed:
		// Status 1, for a script around ssh to notice.
		var exit *gossh.ExitError
		if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
			t.Errorf("the session closed for the revoked key ended with %v, want status 1", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the session with the revoked key stayed open:\n%s", out.text())
	}
	if !strings.Contains(out.text(), "was revoked by ana") {
		t.Errorf("the session should say why it closed:\n%s", out.text())
	}
	if c, err := s.dial(signer); err == nil {
		c.Close()
		t.Fatal("a revoked key still logs in")
	}
	log := f.ok("--as", "ana", "audit", "log", "--config-only=false")
	for _, want := range []string{"key added", "key revoked", fp} {
		if !strings.Contains(log.stdout, want) {
			t.Errorf("the audit log should record %q:\n%s", want, log)
		}
	}
}

// TestServeReadOnlyCommands: without a terminal, a session may run the read-only
// commands as its person (ssh host -- deploy list --json), and nothing else.
func TestServeReadOnlyCommands(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	raj, rajKey := newKey(t)
	writeFile(t, f.cfg, strings.Replace(testConfig, "name = \"raj\"\n",
		fmt.Sprintf("name = \"raj\"\nssh_keys = [%q]\n", rajKey+" raj@test"), 1))
	mine := f.planIn("dev", "1.0", "2030-12-01 10:00", "--assignee", "raj")
	f.planIn("dev", "2.0", "2030-12-02 10:00") // not raj's
	s := f.serve()
	client, err := s.dial(raj)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	run := func(cmd string) (string, int) {
		t.Helper()
		sess, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		out, err := sess.CombinedOutput(cmd)
		var exit *gossh.ExitError
		switch {
		case err == nil:
			return string(out), 0
		case errors.As(err, &exit):
			return string(out), exit.ExitStatus()
		}
		t.Fatalf("%s: %v", cmd, err)
		return "", -1
	}
	out, code := run("ferry deploy list --json")
	var list []deployment
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil {
		t.Fatalf("deploy list over SSH: exit %d\n%s", code, out)
	}
	if len(list) != 1 || list[0].ID != mine.ID {
		t.Fatalf("raj, a technician, should see only his deployment: %+v", list)
	}
	// Reviews and what follows them are read from afar too (an analyst's reading);
	// writing them is not.
	// (raj, a technician, is answered as on the command line: the register and the
	// findings are about deployments not his.)
	for cmd, want := range map[string]string{"review list": "No reviews.", "incident list": "No incidents.",
		"improvement list": "raj (technician) may not see", "finding list": "raj (technician) may not see",
		"review show " + strconv.FormatInt(mine.ID, 10): "has no review yet", "improvement show 1": "raj (technician) may not see"} {
		if out, _ := run(cmd); !strings.Contains(out, want) {
			t.Errorf("%s over SSH should answer %q:\n%s", cmd, want, out)
		}
	}
	for _, cmd := range []string{"deploy cancel 1 --reason x", "conflicts override c123 --reason x", "demo", "serve",
		"version block web-frontend 1 --reason x", "version unblock web-frontend 1", "release create r --component web-frontend=1",
		"review add 1 --outcome successful --lessons x", "incident add 1 --opened now --summary x",
		"improvement add --model web-service --title x", "improvement set 1 approved", "finding add --model web-service --kind audit --summary x"} {
		if out, code := run(cmd); code != 2 || !strings.Contains(out, "only these read-only commands") {
			t.Errorf("%s: exit %d\n%s", cmd, code, out)
		}
	}
	// An export comes on standard output, to the client's own file; --out, which would
	// write on the server, is refused.
	if out, code := run("history --format csv"); code != 0 || !strings.Contains(out, "id,") ||
		!strings.Contains(out, fmt.Sprint(mine.ID)) {
		t.Errorf("history as CSV over SSH: exit %d\n%s", code, out)
	}
	// A report counts every deployment: raj, who sees only his own, may not read one.
	if out, code := run("report --format csv"); code != 1 || !strings.Contains(out, "raj (technician) may not read reports") {
		t.Errorf("a technician's report over SSH: exit %d\n%s", code, out)
	}
	if out, code := run("report --out /tmp/r.csv"); code != 2 || !strings.Contains(out, "--out writes on the server") {
		t.Errorf("report --out over SSH: exit %d\n%s", code, out)
	}
	if out, code := run("deploy list --as ana"); code != 2 || !strings.Contains(out, "--as is set by the server") {
		t.Errorf("--as over SSH: exit %d\n%s", code, out)
	}
	if out, code := run("deploy show 2"); code != 1 || !strings.Contains(out, "may not see") {
		t.Errorf("someone else's deployment: exit %d\n%s", code, out)
	}

	// The commands run on the server's own engine: a config changed on disk since
	// the server started is not read, and a read-only command stores no model version.
	versions := func() int {
		db, err := sql.Open("sqlite", f.db)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM model_versions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := versions()
	changed, _ := os.ReadFile(f.cfg)
	writeFile(t, f.cfg, strings.Replace(string(changed), `default_duration = "45m"`, `default_duration = "50m"`, 1))
	if out, code := run("models list"); code != 0 || strings.Count(out, "web-service") != 1 {
		t.Errorf("models list over SSH: exit %d\n%s", code, out)
	}
	if after := versions(); after != before {
		t.Errorf("a read-only command over SSH stored model versions: %d → %d", before, after)
	}

	// Nothing it runs asks for the write lock: it answers while another process holds it.
	db, err := sql.Open("sqlite", f.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lock, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"deploy list", "deploy show " + strconv.FormatInt(mine.ID, 10), "deploy logs " +
		strconv.FormatInt(mine.ID, 10), "conflicts", "models list"} {
		if out, code := run(cmd); code != 0 {
			t.Errorf("%s while another process holds the write lock: exit %d\n%s", cmd, code, out)
		}
	}
	if _, err := lock.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
}

// runOver runs cmd in a new session of client, in a terminal when terminal is set
// (ssh -t), and returns everything it printed and its exit status.
func runOver(t *testing.T, client *gossh.Client, cmd string, terminal bool) (string, int) {
	t.Helper()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if terminal {
		if err := sess.RequestPty("xterm-256color", 20, 60, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := sess.CombinedOutput(cmd)
	var exit *gossh.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitStatus()
	}
	t.Fatalf("%s: %v", cmd, err)
	return "", -1
}

// TestServeCommandsWithATerminal: a session that asks for a terminal and names a
// command (ssh -t host -- history --limit 3) runs it, a line to a terminal line, or
// is refused as without a terminal; the console does not open.
func TestServeCommandsWithATerminal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	raj, rajKey := newKey(t)
	writeFile(t, f.cfg, strings.Replace(testConfig, "name = \"raj\"\n",
		fmt.Sprintf("name = \"raj\"\nssh_keys = [%q]\n", rajKey+" raj@test"), 1))
	mine := f.planIn("dev", "1.0", "2030-12-01 10:00", "--assignee", "raj")
	s := f.serve()
	client, err := s.dial(raj)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	out, code := runOver(t, client, "history --limit 3 --format csv", true)
	if code != 0 || !strings.HasPrefix(out, "id,") || !strings.Contains(out, "\r\n"+strconv.FormatInt(mine.ID, 10)+",") {
		t.Errorf("history with a terminal: exit %d\n%q", code, out)
	}
	plain, _ := runOver(t, client, "deploy cancel 1 --reason x", false)
	out, code = runOver(t, client, "deploy cancel 1 --reason x", true)
	if code != 2 || !strings.Contains(out, "only these read-only commands") ||
		out != strings.ReplaceAll(plain, "\n", "\r\n") {
		t.Errorf("a writing command with a terminal: exit %d\n%q\nwant as without one:\n%q", code, out, plain)
	}
	if strings.Contains(out, "My work") || strings.Contains(s.stderr(), "connected from") {
		t.Errorf("the console opened:\n%s\n%s", out, s.stderr())
	}
}

// TestServeUsageHint: a mistake in a command over SSH points to the command's own
// help there (ssh HOST -- history --help, which runs), not to ferry --help, which
// is refused over SSH; locally the hint names ferry's own help of the command.
func TestServeUsageHint(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	raj, rajKey := newKey(t)
	writeFile(t, f.cfg, strings.Replace(testConfig, "name = \"raj\"\n",
		fmt.Sprintf("name = \"raj\"\nssh_keys = [%q]\n", rajKey+" raj@test"), 1))
	f.refused(2, []string{"Run 'ferry history --help' for usage."}, "history", "--format", "xml")
	s := f.serve()
	client, err := s.dial(raj)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	// The hint names how this client reached the server, not "ssh HOST".
	host, port, _ := net.SplitHostPort(s.addr)
	via := "ssh -p " + port + " whoever@" + host
	for cmd, hint := range map[string]string{
		"history --format xml": "Run '" + via + " -- history --help' for usage.",
		"history --nope":       "Run '" + via + " -- history --help' for usage.",
		"deploy show":          "Run '" + via + " -- deploy show --help' for usage.",
		"deploy cancel 1":      "everything else is in the console (ssh -t -p " + port + " whoever@" + host + ", no command)",
		"report --out r.csv":   "(" + via + " -- report --format csv > FILE)",
	} {
		out, code := runOver(t, client, cmd, false)
		if code != 2 || !strings.Contains(out, hint) || strings.Contains(out, "ferry --help") || strings.Contains(out, "HOST") {
			t.Errorf("%s over SSH: exit %d\n%s\nwant the hint %q", cmd, code, out, hint)
		}
	}
	// The help it names is there.
	if out, code := runOver(t, client, "history --help", false); code != 0 || !strings.Contains(out, "Usage:") {
		t.Errorf("history --help over SSH: exit %d\n%s", code, out)
	}
}

// What ferry serve logs of its notifications is stamped as its own lines are: a
// retry read with no time beside lines that had one.
func TestServeStampsItsNotifyLines(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	writeFile(t, f.cfg, testConfig+`
[[notify.channel]]
name = "hook"
type = "webhook"
url = "http://127.0.0.1:1/hook"

[[notify.rule]]
events = ["planned"]
channel = "hook"
`)
	f.plan("--model", "web-service", "--component", "web-frontend", "--version", "1.0", "--env", "dev", "--start", "2090-01-01 10:00")
	s := f.serve()
	retry := regexp.MustCompile(`(?m)^ferry serve: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T notify: retry +hook planned`)
	waitFor(t, "a stamped retry", func() bool { return retry.MatchString(s.stderr()) }, s.stderr)
}
