package sshd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"ferry"
	"ferry/engine"
	"ferry/engine/config"
	fx "ferry/internal/fixture"
	"ferry/models"
	"ferry/tui/common"
)

// now is the tests' fixed clock: Thu 26 Nov 2026 14:05 in Berlin.
var now = time.Date(2026, 11, 26, 13, 5, 0, 0, time.UTC)

// waitTimeout bounds every wait for the server; generous for -race on 2 cores.
const waitTimeout = 20 * time.Second

// keyed are the people who get a key in the test config.
var keyed = []string{"tom", "ines", "ana", "sam", "jon", "lea", "marc", "kim"}

// bigChecklist is a model whose first stage has many checklist items (added by
// newFixtureItems), for the concurrency test and the benchmark; dev is its only
// environment (capacity 4, no maintenance windows).
const bigChecklist = `
[[model]]
name = "big-checklist"
description = "Twenty items to tick at once"
kinds = ["hardware"]
path = ["dev"]
default_duration = "2h"
`

// fixture is a served organisation: the example config with keys for some people,
// a fresh database, and one running rack-server deployment (#1) assigned to tom.
type fixture struct {
	db      *fx.DB
	eng     *engine.Engine
	planner *engine.Engine // the same database two hours earlier, to plan what has begun by now
	signers map[string]gossh.Signer
	keys    map[string]ed25519.PrivateKey // the signers' keys, for a client that reads a file
	text    string                        // the config's text
	hostKey string
	log     *syncBuffer
	addr    string
	srv     *Server
	stop    func() error // cancels Serve and returns what it returned
}

func newFixture(t testing.TB, opts Options) *fixture { return newFixtureItems(t, opts, 21) }

// newFixtureItems is newFixture with items checklist items in the big-checklist model.
func newFixtureItems(t testing.TB, opts Options, items int) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{signers: map[string]gossh.Signer{}, keys: map[string]ed25519.PrivateKey{}, log: &syncBuffer{}}
	text := string(ferry.DefaultConfig)
	for _, name := range keyed {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		signer, err := gossh.NewSignerFromKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		sshPub, err := gossh.NewPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		f.signers[name], f.keys[name] = signer, priv
		line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(sshPub))) + " " + name + "@test"
		old := fmt.Sprintf("name = %q\n", name)
		if !strings.Contains(text, old) {
			t.Fatalf("no person %s in the example config", name)
		}
		text = strings.Replace(text, old, old+fmt.Sprintf("ssh_keys = [%q]\n", line), 1)
	}
	text += bigChecklist
	for i := 1; i <= items; i++ {
		text += fmt.Sprintf("\n  [[model.step]]\n  stage = \"verify_components\"\n  name = \"Item %02d\"\n", i)
	}
	dir := t.TempDir()
	f.text = text
	cfg, err := config.Parse(filepath.Join(dir, "config.toml"), []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	db := fx.NewDB(t, filepath.Join(dir, "ferry.db"))
	f.db = db
	f.eng = db.Engine(t, cfg, engine.WithClock(func() time.Time { return now }))
	// The deployments under way were planned before they began (the engine plans only
	// what is still to come): by an engine whose clock is two hours earlier.
	f.planner = db.Engine(t, cfg, engine.WithClock(func() time.Time { return now.Add(-2 * time.Hour) }))
	ana := f.person(t, "ana")
	d, _, err := f.planner.Plan(ctx, ana, engine.PlanRequest{Model: "rack-server", Component: "rack-b07-db-server",
		Version: "1", Environment: "production", Start: now.Add(-time.Hour), Assignee: "tom", ChangeRef: "CHG-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.Start(ctx, ana, d.ID, "the installation is under way"); err != nil {
		t.Fatal(err)
	}
	f.hostKey = filepath.Join(dir, "ferry_host_ed25519")
	opts.HostKeyPath, opts.Log = f.hostKey, f.log
	f.start(t, opts)
	return f
}

// start serves on a fresh loopback port.
func (f *fixture) start(t testing.TB, opts Options) {
	t.Helper()
	srv, err := New(f.eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	var once sync.Once
	var serveErr error
	f.srv, f.addr = srv, ln.Addr().String()
	f.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case serveErr = <-done:
			case <-time.After(waitTimeout):
				serveErr = errors.New("Serve did not return")
			}
		})
		return serveErr
	}
	t.Cleanup(func() { _ = f.stop() })
}

func (f *fixture) person(t testing.TB, name string) models.Person {
	t.Helper()
	p, err := f.eng.Person(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// dial connects with auth methods, checking the host key against the server's.
func (f *fixture) dial(auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", f.addr, &gossh.ClientConfig{
		User: "ferry",
		Auth: auth,
		HostKeyCallback: func(_ string, _ net.Addr, key gossh.PublicKey) error {
			if fp := gossh.FingerprintSHA256(key); fp != f.srv.HostKeyFingerprint {
				return fmt.Errorf("host key %s, want %s", fp, f.srv.HostKeyFingerprint)
			}
			return nil
		},
		Timeout: waitTimeout,
	})
}

// term is one interactive session: a pty of 60×20 and everything it printed.
type term struct {
	t      testing.TB
	client *gossh.Client
	sess   *gossh.Session
	in     interface{ Write([]byte) (int, error) }
	out    *syncBuffer
	done   chan error
}

func (f *fixture) open(t testing.TB, who string) *term {
	t.Helper()
	client, err := f.dial(gossh.PublicKeys(f.signers[who]))
	if err != nil {
		t.Fatalf("%s: %v", who, err)
	}
	t.Cleanup(func() { client.Close() })
	return f.session(t, client)
}

// session opens an interactive session on client.
func (f *fixture) session(t testing.TB, client *gossh.Client) *term {
	t.Helper()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 20, 60, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	tm := &term{t: t, client: client, sess: sess, out: &syncBuffer{vt: newVT(60, 20)}, done: make(chan error, 1)}
	sess.Stdout, sess.Stderr = tm.out, tm.out
	if tm.in, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() { tm.done <- sess.Wait() }()
	return tm
}

// screen is what the terminal shows now.
func (tm *term) screen() string {
	tm.out.mu.Lock()
	defer tm.out.mu.Unlock()
	return tm.out.vt.String()
}

// waitFor waits until every text has been printed (since byte offset from).
func (tm *term) waitFor(texts ...string) {
	tm.t.Helper()
	if err := tm.out.waitFor(0, waitTimeout, texts...); err != nil {
		tm.t.Fatalf("%v; the session shows:\n%s\nand printed:\n%s", err, tm.screen(), ansi.Strip(tm.out.String()))
	}
}

func (tm *term) send(s string) {
	tm.t.Helper()
	if _, err := tm.in.Write([]byte(s)); err != nil {
		tm.t.Fatal(err)
	}
}

// ended waits for the session to end and returns its exit error.
func (tm *term) ended() error {
	tm.t.Helper()
	select {
	case err := <-tm.done:
		return err
	case <-time.After(waitTimeout):
		tm.t.Fatalf("the session did not end; it printed:\n%s", tm.screen())
		return nil
	}
}

// syncBuffer is a buffer written by one goroutine and read by others, which can
// wait for text to appear.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
	vt      *vt // a terminal: waitFor also looks at the screen it shows
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
	if s.vt != nil {
		s.vt.write(string(p))
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

// waitScreen waits until text is on the screen the terminal shows. It looks at the
// screen only, not at everything printed so far: a benchmark times what a person
// waits for, not the test's reading of all the earlier output again.
func (tm *term) waitScreen(text string) {
	tm.t.Helper()
	err := tm.out.waitUntil(waitTimeout, func() string {
		if strings.Contains(tm.out.vt.String(), text) {
			return ""
		}
		return text
	})
	if err != nil {
		tm.t.Fatalf("%v on the screen:\n%s", err, tm.screen())
	}
}

// waitFor waits until every text is in the stripped output after byte offset from.
func (s *syncBuffer) waitFor(from int, timeout time.Duration, texts ...string) error {
	return s.waitUntil(timeout, func() string {
		got := ansi.Strip(s.b.String()[min(from, s.b.Len()):])
		var shown string
		if s.vt != nil {
			shown = s.vt.String()
		}
		for _, t := range texts {
			if !strings.Contains(got, t) && !strings.Contains(shown, t) {
				return t
			}
		}
		return ""
	})
}

// waitUntil waits, looking again at each write, until missing (called with the
// buffer locked) says nothing is missing any more.
func (s *syncBuffer) waitUntil(timeout time.Duration, missing func() string) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		m := missing()
		if m == "" {
			s.mu.Unlock()
			return nil
		}
		if s.changed == nil {
			s.changed = make(chan struct{})
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			return fmt.Errorf("no %q after %s", m, timeout)
		}
	}
}

func TestTechnicianLandsOnMyWork(t *testing.T) {
	f := newFixture(t, Options{})
	tom := f.open(t, "tom")
	tom.waitFor("My work (1)", "tom · technician", "#1 rack-b07-db-server 1 → production", "0/15")
	for _, not := range []string{"Dashboard", "Conflicts"} {
		if strings.Contains(tom.screen(), not) {
			t.Errorf("a technician's console shows %q:\n%s", not, tom.screen())
		}
	}
	tom.send("q")
	if err := tom.ended(); err != nil {
		t.Fatalf("q should end the session cleanly: %v", err)
	}
	if err := f.log.waitFor(0, waitTimeout, "tom (technician) connected", "tom disconnected"); err != nil {
		t.Fatalf("%v in the log:\n%s", err, f.log.String())
	}
}

func TestAnalystGetsTheConsole(t *testing.T) {
	f := newFixture(t, Options{})
	kim := f.open(t, "kim")
	kim.waitFor("kim · analyst", "Dashboard")
	if strings.Contains(kim.screen(), "My work") {
		t.Fatalf("an analyst lands on My work:\n%s", kim.screen())
	}
}

func TestUnknownKeyIsRefused(t *testing.T) {
	f := newFixture(t, Options{})
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	if c, err := f.dial(gossh.PublicKeys(signer)); err == nil {
		c.Close()
		t.Fatal("an unknown key logged in")
	}
	fp := gossh.FingerprintSHA256(signer.PublicKey())
	if err := f.log.waitFor(0, waitTimeout, "refused ssh-ed25519 key "+fp, "127.0.0.1:"); err != nil {
		t.Fatalf("%v in the log:\n%s", err, f.log.String())
	}
}

// A key added for tom and later written into sam's ssh_keys in config names two
// people: the server lets nobody in with it and its log says why, not that the key is
// unknown; sam's own key still works.
func TestAKeyOfTwoPeopleIsRefusedAtLogin(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey())))
	if _, err := f.eng.AddKey(ctx, f.person(t, "marc"), "tom", line); err != nil {
		t.Fatal(err)
	}
	samKeys := "name = \"sam\"\nssh_keys = ["
	if !strings.Contains(f.text, samKeys) {
		t.Fatal("sam has no ssh_keys in the test config")
	}
	cfg, err := config.Parse("later.toml", []byte(strings.Replace(f.text, samKeys, samKeys+fmt.Sprintf("%q, ", line), 1)))
	if err != nil {
		t.Fatal(err)
	}
	f.eng = f.db.Engine(t, cfg, engine.WithClock(func() time.Time { return now }))
	f.start(t, Options{HostKeyPath: f.hostKey, Log: f.log})
	if c, err := f.dial(gossh.PublicKeys(signer)); err == nil {
		c.Close()
		t.Fatal("a key of two people logged in")
	}
	fp := gossh.FingerprintSHA256(signer.PublicKey())
	if err := f.log.waitFor(0, waitTimeout, "refused ssh-ed25519 key "+fp, "is sam's in config and was added for tom"); err != nil {
		t.Fatalf("%v in the log:\n%s", err, f.log.String())
	}
	if strings.Contains(f.log.String(), "in no person's ssh_keys") {
		t.Errorf("the log calls a key of two people unknown:\n%s", f.log.String())
	}
	f.open(t, "sam").waitFor("sam · ")
}

// No password is offered, so no client asks for one it could never pass; keyboard-
// interactive only says, once, that public keys are the way in.
func TestPasswordAndKeyboardInteractiveAreRefused(t *testing.T) {
	f := newFixture(t, Options{})
	if c, err := f.dial(gossh.Password("tom")); err == nil {
		c.Close()
		t.Fatal("a password logged in")
	} else if !strings.Contains(err.Error(), "no supported methods remain") {
		t.Errorf("a password should not even be offered: %v", err)
	}
	var told []string
	ki := gossh.KeyboardInteractive(func(_, instruction string, questions []string, _ []bool) ([]string, error) {
		if len(questions) > 0 {
			t.Errorf("keyboard-interactive asked %q", questions)
		}
		told = append(told, instruction)
		return nil, nil
	})
	if c, err := f.dial(ki); err == nil {
		c.Close()
		t.Fatal("keyboard-interactive logged in")
	}
	if len(told) != 1 || told[0] != PublicKeysOnly {
		t.Errorf("keyboard-interactive should say %q once: %q", PublicKeysOnly, told)
	}
	if err := f.log.waitFor(0, waitTimeout, "no accepted public key (told it: public keys only)"); err != nil {
		t.Fatalf("%v in the log:\n%s", err, f.log.String())
	}
}

func TestNoPtyGetsAnExplanation(t *testing.T) {
	f := newFixture(t, Options{})
	client, err := f.dial(gossh.PublicKeys(f.signers["tom"]))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.CombinedOutput("ferry deploy list")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("exit: %v, want status 1", err)
	}
	if want := "ferry: the console needs a terminal; connect with ssh -t and no command.\n"; string(out) != want {
		t.Fatalf("without a pty: %q, want %q", out, want)
	}
}

func TestRestartKeepsTheHostKey(t *testing.T) {
	f := newFixture(t, Options{})
	first := f.srv.HostKeyFingerprint
	if !f.srv.HostKeyCreated {
		t.Error("the first start should create the host key")
	}
	st, err := os.Stat(f.hostKey)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("host key mode %04o, want 0600", st.Mode().Perm())
	}
	if err := f.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	f.start(t, Options{HostKeyPath: f.hostKey, Log: f.log})
	if f.srv.HostKeyCreated || f.srv.HostKeyFingerprint != first {
		t.Fatalf("after a restart: created %v, %s, want the kept %s", f.srv.HostKeyCreated, f.srv.HostKeyFingerprint, first)
	}
	// The client checks the host key against the first fingerprint.
	tom := f.open(t, "tom")
	tom.waitFor("My work (1)")

	if err := os.Chmod(f.hostKey, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(f.eng, Options{HostKeyPath: f.hostKey}); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a host key others may read: %v", err)
	}
	dir := t.TempDir()
	if _, err := New(f.eng, Options{HostKeyPath: dir}); err == nil || !strings.Contains(err.Error(), dir+" is a directory") {
		t.Fatalf("a host key path that is a directory: %v", err)
	}
}

func TestTechnicianCannotTickAnotherPersonsChecklist(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	// ines connects and sees none of tom's work ...
	ines := f.open(t, "ines")
	ines.waitFor("My work (0)", "Nothing assigned to you.")
	// ... and the engine refuses her tick on it, whatever a client sends.
	_, err := f.eng.TickStep(ctx, f.person(t, "ines"), 1, 1, "")
	if !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("ines ticking tom's #1: %v, want forbidden", err)
	}
	if _, err := f.eng.Deployment(ctx, f.person(t, "ines"), 1); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("ines reading tom's #1: %v, want forbidden", err)
	}
	det, err := f.eng.Deployment(ctx, f.person(t, "tom"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if det.StepsDone != 0 || det.Steps[0].Status != models.StepPending {
		t.Fatalf("the refused tick changed #1: %d done, step 1 %s", det.StepsDone, det.Steps[0].Status)
	}
	// tom's own tick goes through.
	if _, err := f.eng.TickStep(ctx, f.person(t, "tom"), 1, 1, ""); err != nil {
		t.Fatalf("tom ticking his own #1: %v", err)
	}
}

// panicky is a console that panics on "x".
type panicky struct{}

func (panicky) Init() tea.Cmd { return nil }
func (p panicky) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "x" {
		panic("boom")
	}
	return p, nil
}
func (panicky) View() tea.View { return tea.NewView("press x to panic") }

func TestAPanicEndsOnlyItsSession(t *testing.T) {
	f := newFixture(t, Options{NewModel: func(*common.Common) tea.Model { return panicky{} }})
	a := f.open(t, "tom")
	b := f.open(t, "ana")
	a.waitFor("press x to panic")
	b.waitFor("press x to panic")
	a.send("x")
	a.ended()
	// The other session lives on, and new ones are served.
	b.send("y")
	c := f.open(t, "sam")
	c.waitFor("press x to panic")
	select {
	case err := <-b.done:
		t.Fatalf("the other session ended: %v", err)
	default:
	}
}

func TestIdleSessionsTimeOut(t *testing.T) {
	f := newFixture(t, Options{IdleTimeout: 400 * time.Millisecond})
	tom := f.open(t, "tom")
	tom.waitFor("My work (1)")
	tom.waitFor("closed after 400ms without input")
	endedByServer(t, tom.ended())
}

// endedByServer checks that a session the server closed ended with status 1, for
// scripts around ssh to notice.
func endedByServer(t *testing.T, err error) {
	t.Helper()
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("a session the server closed ended with %v, want status 1", err)
	}
}

func TestStopClosesSessionsGracefully(t *testing.T) {
	f := newFixture(t, Options{})
	tom := f.open(t, "tom")
	tom.waitFor("My work (1)")
	stopped := make(chan error, 1)
	go func() { stopped <- f.stop() }()
	tom.waitFor("the server is stopping; your work is saved")
	endedByServer(t, tom.ended())
	tom.client.Close()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("stop: %v", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("the server did not stop")
	}
	if _, err := f.dial(gossh.PublicKeys(f.signers["tom"])); err == nil {
		t.Fatal("a stopped server accepted a connection")
	}
}

// A technician over SSH is held to the start's controls like everyone: a planned
// installation outside its window offers no g, and the checklist says why.
func TestTechnicianStartIsHeldToTheWindow(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	d, _, err := f.eng.Plan(ctx, f.person(t, "ana"), engine.PlanRequest{Model: "rack-server", Component: "rack-b08-app-server",
		Version: "1", Environment: "production", Start: now.Add(30 * 24 * time.Hour), Assignee: "tom"})
	if err != nil {
		t.Fatal(err)
	}
	tom := f.open(t, "tom")
	tom.waitFor("My work (2)")
	tom.send("j")
	tom.waitFor(fmt.Sprintf("▸ #%d", d.ID))
	tom.send("\r") // enter opens the checklist
	tom.waitFor(fmt.Sprintf("checklist #%d", d.ID), "cannot start now", "window")
	tom.send("g")
	tom.waitFor("cannot start now")
	if after, _ := f.eng.Deployment(ctx, f.person(t, "tom"), d.ID); after.Status != models.StatusPlanned {
		t.Fatalf("tom's g over SSH started #%d, planned a month ahead", d.ID)
	}
}

// echoCommand stands in for the CLI: it says who ran what, on both outputs, and
// exits 3.
func echoCommand(_ context.Context, p models.Person, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "%s ran %s\nsecond line\n", p.Name, strings.Join(args, " "))
	fmt.Fprintln(stderr, "a warning")
	return 3
}

// TestACommandWithATerminalIsRun: a session that asks for a terminal and names a
// command (ssh -t host -- history) has the command run, not the console opened; with
// the terminal, what it writes to either output comes on the terminal, a line to a
// line.
func TestACommandWithATerminalIsRun(t *testing.T) {
	f := newFixture(t, Options{Command: echoCommand})
	client, err := f.dial(gossh.PublicKeys(f.signers["tom"]))
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
	var out, errOut bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errOut
	err = sess.Run("history --limit 3")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 3 {
		t.Errorf("exit: %v, want the command's status 3", err)
	}
	if want := "tom ran history --limit 3\r\nsecond line\r\na warning\r\n"; out.String() != want || errOut.Len() != 0 {
		t.Errorf("on the terminal: %q, apart: %q; want all on the terminal: %q", out.String(), errOut.String(), want)
	}
	if err := f.log.waitFor(0, waitTimeout, `runs "history --limit 3" with a terminal`); err != nil {
		t.Errorf("%v in the log:\n%s", err, f.log.String())
	}
}

// TestACommandWithATerminalWhereNoneRun: a server that runs no commands says so to
// a session with a terminal that names one, instead of opening the console.
func TestACommandWithATerminalWhereNoneRun(t *testing.T) {
	f := newFixture(t, Options{})
	client, err := f.dial(gossh.PublicKeys(f.signers["tom"]))
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
	out, err := sess.CombinedOutput("deploy list")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("exit: %v, want status 1", err)
	}
	if want := "ferry: this server runs no commands; connect with ssh -t and no command.\r\n"; string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

// TestLogIsStampedInTheOrganisationsZone: the server's log lines carry the time as
// the screens show it, in the organisation's zone and named (the clock is 13:05 UTC).
func TestLogIsStampedInTheOrganisationsZone(t *testing.T) {
	f := newFixture(t, Options{})
	tom := f.open(t, "tom")
	tom.waitFor("My work (1)")
	want := "ferry serve: 2026-11-26 14:05:00 CET tom (technician) connected from "
	if err := f.log.waitFor(0, waitTimeout, want); err != nil {
		t.Fatalf("%v in the log:\n%s", err, f.log.String())
	}
}

// followCommand writes a line, then follows until it is stopped, as deploy logs
// --follow does.
func followCommand(ctx context.Context, _ models.Person, _ []string, stdout, _ io.Writer) int {
	fmt.Fprintln(stdout, "following")
	<-ctx.Done()
	return 0
}

// TestACommandWithATerminalStopsAtCtrlC: with a terminal, ^C reaches the server as a
// byte: it stops the command (status 130, as a shell says), resizes meanwhile do not
// hold the session, and its place on the connection is free again after.
func TestACommandWithATerminalStopsAtCtrlC(t *testing.T) {
	f := newFixture(t, Options{Command: followCommand, Limits: Limits{SessionsPerConnection: 1}})
	c := f.login(t, "127.0.0.1", "tom")
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 20, 60, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	sess.Stdout = out
	if err := sess.Start("deploy logs 1 --follow"); err != nil {
		t.Fatal(err)
	}
	if err := out.waitFor(0, waitTimeout, "following"); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := sess.WindowChange(20+i, 60+i); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := in.Write([]byte{3}); err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	go func() { ended <- sess.Wait() }()
	var exit *gossh.ExitError
	select {
	case err := <-ended:
		if !errors.As(err, &exit) || exit.ExitStatus() != 130 {
			t.Fatalf("^C: %v, want exit status 130", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("^C did not stop the command")
	}
	deadline := time.Now().Add(waitTimeout)
	for {
		s, err := c.NewSession()
		if err == nil {
			s.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stopped command still holds its place on the connection: %v\nserver log:\n%s", err, f.log)
		}
		time.Sleep(10 * time.Millisecond) // retrying, not waiting for work
	}
}
