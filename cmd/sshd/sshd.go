// Package sshd serves Ferry's console over SSH (charm.land/wish/v2). A session's
// person is the owner of the public key that authenticated it, as declared in the
// config's ssh_keys; every action goes through the engine as that person, so the
// same rules hold as in the CLI and the local console.
package sshd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"maps"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	"charm.land/wish/v2/recover"
	gossh "golang.org/x/crypto/ssh"

	"ferry/engine"
	"ferry/models"
	"ferry/tui"
	"ferry/tui/common"
)

// DefaultIdleTimeout ends sessions that sent no input for this long.
const DefaultIdleTimeout = 30 * time.Minute

// Options configure a Server.
type Options struct {
	HostKeyPath     string        // created on first start (ed25519, 0600) and kept
	IdleTimeout     time.Duration // no input for this long ends a session; 0: never
	ShutdownTimeout time.Duration // how long Serve waits for sessions to close on stop (default 10s)
	Log             io.Writer     // refusals, sessions, panics (default os.Stderr)
	Limits          Limits        // what one client may hold (zero fields: the defaults)

	// NewModel builds a session's console; nil means tui.New. Tests replace it.
	NewModel func(c *common.Common) tea.Model

	// Command, when set, answers a session that names a command, with a terminal
	// or without (ssh host -- deploy list): it runs args as person, writes to the
	// session and returns the exit status. Nil: such sessions get an explanation.
	// Only a session that names no command gets the console.
	Command func(ctx context.Context, person models.Person, args []string, stdout, stderr io.Writer) int
}

// Server is Ferry's SSH server over one engine.
type Server struct {
	eng  *engine.Engine
	opts Options
	log  *log.Logger
	srv  *ssh.Server
	lim  Limits
	gate *gate

	// HostKeyFingerprint is the SHA256 fingerprint clients see.
	HostKeyFingerprint string
	// HostKeyCreated says whether New made a new host key.
	HostKeyCreated bool

	mu       sync.Mutex
	stopping bool
	programs map[*tea.Program]*session
	places   map[string]common.Place // where each person was, by name
	drafts   map[string]draftPlace   // where one of a person's sessions holds unsent text, by name
	kept     map[string]bool         // whose place the database holds (see places.go)
	keepMu   sync.Mutex              // orders the places' writes
	ending   sync.WaitGroup          // places still to be written down (see keepPlace)
}

type ctxKey struct{}

// session is what the session middleware hands the program handler.
type session struct {
	ctx    context.Context
	person models.Person
	key    string       // the fingerprint of the key that let it in
	last   atomic.Int64 // unix nanoseconds of the last input
	why    atomic.Value // string: why the server ended the session
}

// revokedEvery is how often the server looks for revoked keys among its open
// sessions: a revoked key's session closes within a second.
const revokedEvery = 500 * time.Millisecond

// New prepares a server: it checks the people's keys and loads or creates the host key.
func New(eng *engine.Engine, opts Options) (*Server, error) {
	if opts.HostKeyPath == "" {
		return nil, errors.New("sshd: no host key path")
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	if opts.Log == nil {
		opts.Log = os.Stderr
	}
	if opts.NewModel == nil {
		opts.NewModel = func(c *common.Common) tea.Model { return tui.New(c) }
	}
	s := &Server{eng: eng, opts: opts, log: log.New(stamped{w: opts.Log, eng: eng}, "", 0),
		programs: map[*tea.Program]*session{}, places: map[string]common.Place{}, drafts: map[string]draftPlace{},
		kept: map[string]bool{}, lim: opts.Limits.withDefaults()}
	s.gate = newGate(s.lim, s.log)
	pemBytes, created, err := HostKey(opts.HostKeyPath)
	if err != nil {
		return nil, err
	}
	signer, err := gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", opts.HostKeyPath, err)
	}
	s.HostKeyFingerprint, s.HostKeyCreated = gossh.FingerprintSHA256(signer.PublicKey()), created

	sopts := []ssh.Option{
		wish.WithHostKeyPEM(pemBytes),
		// Only public keys let anyone in. No password is offered, so a client never
		// asks for one it could not pass; keyboard-interactive is offered only to say
		// so in one line (see refuseOthers).
		wish.WithPublicKeyAuth(s.publicKey),
		wish.WithKeyboardInteractiveAuth(s.refuseOthers),
		// Middlewares run last to first: recover guards everything; the session
		// check (identity, pty, idle) runs before the console.
		wish.WithMiddleware(recover.MiddlewareWithLogger(s.log,
			bubbletea.MiddlewareWithProgramHandler(s.program),
			s.sessionMiddleware,
		)),
		s.limit,
	}
	if opts.IdleTimeout > 0 {
		// The connection's own deadline is a backstop for connections that neither
		// read nor write; the console's clock redraws, so sessions are timed on
		// input (see watchIdle). The grace lets that say why it closes first.
		sopts = append(sopts, wish.WithIdleTimeout(opts.IdleTimeout+time.Minute))
	}
	if s.srv, err = wish.NewServer(sopts...); err != nil {
		return nil, err
	}
	return s, nil
}

// Stamped writes each line written to it (one Write a line) to w stamped as the
// server's own log lines are (see stamped): what else ferry serve logs (its
// notifications) reads alike.
func Stamped(w io.Writer, eng *engine.Engine) io.Writer { return stamped{w: w, eng: eng} }

// stamped writes the server's log lines stamped with the time in the organisation's
// zone, as every screen shows it ("ferry serve: 2026-12-07 05:56:44 CET ..."), not
// the log package's zoneless UTC.
type stamped struct {
	w   io.Writer
	eng *engine.Engine
}

func (s stamped) Write(line []byte) (int, error) {
	at := s.eng.Now().In(s.eng.Location()).Format("2006-01-02 15:04:05 MST")
	if _, err := fmt.Fprintf(s.w, "ferry serve: %s %s", at, line); err != nil {
		return 0, err
	}
	return len(line), nil
}

// limit sets what one client may hold (see Limits) and the modern algorithms.
func (s *Server) limit(srv *ssh.Server) error {
	srv.HandshakeTimeout = s.lim.LoginGrace // the handshake ends with the login
	srv.ConnCallback = s.gate.wrap
	srv.ServerConfigCallback = serverConfig
	srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": s.sessionChannel}
	return nil
}

// HostKey reads the ed25519 host key at path, creating it (0600) when missing. It
// refuses a key others may read, as OpenSSH does.
func HostKey(path string) (pemBytes []byte, created bool, err error) {
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return nil, false, fmt.Errorf("host key %s is a directory: give --host-key a file path (it is created on first start)", path)
	case err == nil:
		if st.Mode().Perm()&0o077 != 0 {
			return nil, false, fmt.Errorf("host key %s is readable by others (mode %04o): chmod 600 it", path, st.Mode().Perm())
		}
		b, err := os.ReadFile(path)
		return b, false, err
	case !errors.Is(err, fs.ErrNotExist):
		return nil, false, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, false, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "ferry host key")
	if err != nil {
		return nil, false, err
	}
	pemBytes = pem.EncodeToMemory(block)
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, false, err
		}
	}
	// O_EXCL: two servers starting at once must not overwrite each other's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return HostKey(path)
		}
		return nil, false, err
	}
	if _, err := f.Write(pemBytes); err != nil {
		f.Close()
		os.Remove(path)
		return nil, false, err
	}
	if err := f.Close(); err != nil {
		return nil, false, err
	}
	return pemBytes, true, nil
}

// personOf is the owner of key, if any: a key in config or one added with
// `ferry people add-key`, looked up at each login so that an added key works at once.
// An error is a key the engine refuses to name anyone by (one of two people).
func (s *Server) personOf(ctx context.Context, key ssh.PublicKey) (models.Person, bool, error) {
	if key == nil {
		return models.Person{}, false, nil
	}
	return s.eng.PersonByKey(ctx, key.Marshal())
}

func (s *Server) publicKey(ctx ssh.Context, key ssh.PublicKey) bool {
	if s.weakKeyRefused(ctx, key) {
		return false
	}
	if _, ok, err := s.personOf(ctx, key); err != nil || !ok {
		why := "it is in no person's ssh_keys"
		if err != nil {
			why = err.Error()
		}
		s.log.Printf("refused %s key %s offered as %q from %s: %s",
			key.Type(), gossh.FingerprintSHA256(key), ctx.User(), ctx.RemoteAddr(), why)
		return false
	}
	if err := s.eng.KeyUsed(ctx, gossh.FingerprintSHA256(key)); err != nil {
		s.log.Printf("noting the use of key %s: %v", gossh.FingerprintSHA256(key), err)
	}
	return true
}

// PublicKeysOnly is the one line a client whose keys were all refused reads.
const PublicKeysOnly = "ferry: public keys only; no key you offered is known here: ask a manager to add yours"

// toldKey marks a connection that has read PublicKeysOnly.
type toldKey struct{}

// refuseOthers answers keyboard-interactive, which a client tries once its keys were
// refused: the first try of a connection shows PublicKeysOnly, as an instruction
// with no question (OpenSSH prints it, asks nothing); a client tries up to three
// times, and the later tries fail quietly. Nobody gets in this way.
func (s *Server) refuseOthers(ctx ssh.Context, challenge gossh.KeyboardInteractiveChallenge) bool {
	if ctx.Value(toldKey{}) != nil {
		return false
	}
	ctx.SetValue(toldKey{}, true)
	s.log.Printf("refused login as %q from %s: no accepted public key (told it: public keys only)", ctx.User(), ctx.RemoteAddr())
	_, _ = challenge("", PublicKeysOnly, nil, nil)
	return false
}

// sessionMiddleware settles who the session is, runs or refuses a command the
// session names, refuses sessions without a terminal, and says why a session the
// server ended was ended.
func (s *Server) sessionMiddleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		defer running(sess)()
		p, ok, err := s.personOf(sess.Context(), sess.PublicKey())
		if err != nil || !ok { // cannot happen after public-key auth; refuse rather than guess
			wish.Errorln(sess, "ferry: unknown key")
			_ = sess.Exit(1)
			return
		}
		// Over SSH the key is the identity: every event records it.
		fp := gossh.FingerprintSHA256(sess.PublicKey())
		principal := fmt.Sprintf("ssh key %s (%s from %s)", fp, p.Name, hostOf(sess.RemoteAddr()))
		_, _, hasPty := sess.Pty()
		switch {
		case len(sess.Command()) > 0 && s.opts.Command != nil:
			// A command is run or refused, terminal or not: one that opened the console
			// instead (ssh -t host -- history) would be ignored without a word.
			_ = sess.Exit(s.runCommand(sess, p, principal, hasPty))
		case len(sess.Command()) > 0 || !hasPty:
			s.explain(sess, p, hasPty)
			_ = sess.Exit(1)
		default:
			s.console(next, sess, p, fp, principal)
		}
	}
}

// runCommand runs the command the session names as p and returns its exit status.
// With a terminal both outputs go to it, as a command run by OpenSSH's server
// does; the session turns their newlines into the terminal's.
func (s *Server) runCommand(sess ssh.Session, p models.Person, principal string, hasPty bool) int {
	stderr := io.Writer(sess.Stderr())
	terminal := ""
	if hasPty {
		stderr, terminal = sess, " with a terminal"
	}
	s.log.Printf("%s from %s runs %q%s", p.Name, sess.RemoteAddr(), sess.RawCommand(), terminal)
	ctx, cancel := context.WithCancel(engine.WithPrincipal(sess.Context(), principal))
	defer cancel()
	ctx = context.WithValue(ctx, viaKey{}, sshCommand(sess.User(), sess.LocalAddr()))
	interrupted := make(chan struct{})
	if hasPty {
		// With a terminal the client sends ^C as a byte, and every resize as a request
		// the session holds for its reader: read both, or ^C does nothing and the
		// second resize blocks the session for good.
		_, win, _ := sess.Pty()
		go func() {
			for range win {
			}
		}()
		go interruptOn(sess, cancel, interrupted)
	}
	code := s.opts.Command(ctx, p, sess.Command(), sess, stderr)
	select {
	case <-interrupted:
		return 130 // as a shell reports a command ended by ^C
	default:
		return code
	}
}

// interruptOn reads what the client types while a command runs and cancels it at ^C
// or ^D, closing interrupted; it ends when the session does.
func interruptOn(in io.Reader, cancel context.CancelFunc, interrupted chan<- struct{}) {
	buf := make([]byte, 64)
	for {
		n, err := in.Read(buf)
		if bytes.ContainsAny(buf[:n], "\x03\x04") {
			close(interrupted)
			cancel()
			return
		}
		if err != nil {
			return
		}
	}
}

// explain answers a session the console cannot serve: one without a terminal, or
// one naming a command on a server that runs none.
func (s *Server) explain(sess ssh.Session, p models.Person, hasPty bool) {
	switch {
	case hasPty:
		s.log.Printf("%s from %s: command %q, which this server does not run; explained and closed", p.Name, sess.RemoteAddr(), sess.RawCommand())
		wish.Println(sess, "ferry: this server runs no commands; connect with ssh -t and no command.")
	case s.opts.Command != nil:
		s.log.Printf("%s from %s: no terminal and no command; explained and closed", p.Name, sess.RemoteAddr())
		wish.Println(sess, "ferry: the console needs a terminal; connect with ssh -t and no command, "+
			"or name a read-only command: "+sshCommand(sess.User(), sess.LocalAddr())+" -- deploy list")
	default:
		s.log.Printf("%s from %s: no terminal (command %q); explained and closed", p.Name, sess.RemoteAddr(), sess.RawCommand())
		wish.Println(sess, "ferry: the console needs a terminal; connect with ssh -t and no command.")
	}
}

// console serves the console to p, then says why the server ended it, if it did.
func (s *Server) console(next ssh.Handler, sess ssh.Session, p models.Person, fp, principal string) {
	// The console's context outlives a server stop until the console has quit, so
	// a tick being saved finishes; it ends with the session.
	ctx, cancel := context.WithCancel(engine.WithPrincipal(context.WithoutCancel(sess.Context()), principal))
	defer cancel()
	st := &session{ctx: ctx, person: p, key: fp}
	st.last.Store(time.Now().UnixNano())
	sess.Context().SetValue(ctxKey{}, st)
	s.log.Printf("%s (%s) connected from %s as %q", p.Name, p.MainRole(), sess.RemoteAddr(), sess.User())
	start := time.Now()
	next(sess)
	why, _ := st.why.Load().(string)
	suffix := ""
	if why != "" {
		suffix = " (" + why + ")"
	}
	s.log.Printf("%s disconnected from %s after %s%s", p.Name, sess.RemoteAddr(), time.Since(start).Round(time.Second), suffix)
	if why == "" {
		return
	}
	wish.Println(sess, "ferry: "+why)
	// The server ended it (key revoked, idle, stopping): status 1, so that a script
	// around ssh notices; the session would otherwise end with 0.
	_ = sess.Exit(1)
}

// sessionOutput is the session as its console's output. Once the client has gone,
// what is still drawn (the last frame Bubble Tea draws as it stops) is dropped, not
// failed: each dropped connection was logged as an error ("app exit with error ...
// error writing to screen: EOF") on the server's standard error.
type sessionOutput struct{ ssh.Session }

func (o sessionOutput) Write(p []byte) (int, error) {
	n, err := o.Session.Write(p)
	if err != nil && o.Context().Err() != nil {
		return len(p), nil
	}
	return n, err
}

// program builds the session's console: the person's Common, the session's input
// (timed for idleness), window size and colour profile from the client.
func (s *Server) program(sess ssh.Session) *tea.Program {
	st, ok := sess.Context().Value(ctxKey{}).(*session)
	if !ok {
		return nil
	}
	c := common.New(st.ctx, s.eng, st.person)
	c.Remote = true
	// What the console sets running goes on when the connection drops (a phone in a
	// data centre loses it often): as the person, principal and all. The server's
	// stop ends it as it ends every run: ferry serve calls the engine's StopRuns once
	// Serve returns, and a run asked for after that starts nothing.
	c.RunCtx = context.WithoutCancel(st.ctx)
	c.SSH = sshCommand(sess.User(), sess.LocalAddr())
	// A dropped connection loses nothing (every tick is saved at once), and the
	// person's next session opens where this one was, even on a restarted server.
	c.Resume = s.placeOf(st)
	c.Remember = s.remember(st)
	m := s.opts.NewModel(c)
	opts := append(bubbletea.MakeOptions(sess), tea.WithoutSignalHandler(), tea.WithFPS(tui.FPS))
	in := &inputTimer{r: sess, st: st}
	if sess.EmulatedPty() {
		opts = append(opts, tea.WithInput(in), tea.WithOutput(sessionOutput{sess}))
	}
	p := tea.NewProgram(m, opts...)
	in.p = p
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		st.why.Store("the server is stopping; try again in a moment.")
		return nil
	}
	s.programs[p] = st
	s.ending.Add(1) // under mu while not stopping: Serve's Wait cannot have begun
	s.mu.Unlock()
	go func() {
		defer s.ending.Done()
		<-st.ctx.Done()
		s.mu.Lock()
		delete(s.programs, p)
		s.mu.Unlock()
		s.keepPlace(st.person)
	}()
	if s.opts.IdleTimeout > 0 {
		go s.watchIdle(st, p)
	}
	return p
}

// inputTimer notes when the person last typed, and ends the console when the client
// closed its side of the session: nobody can type into it any more, and it would
// otherwise run (and hold one of the connection's sessions) until the connection ends.
type inputTimer struct {
	r  io.Reader
	st *session
	p  *tea.Program // set before the program reads
}

func (t *inputTimer) Read(b []byte) (int, error) {
	n, err := t.r.Read(b)
	if n > 0 {
		t.st.last.Store(time.Now().UnixNano())
	}
	if err != nil {
		go t.p.Quit()
	}
	return n, err
}

// watchIdle quits the console once the person has sent nothing for the idle timeout.
func (s *Server) watchIdle(st *session, p *tea.Program) {
	idle := s.opts.IdleTimeout
	tk := time.NewTicker(min(idle/4, time.Second))
	defer tk.Stop()
	for {
		select {
		case <-st.ctx.Done():
			return
		case <-tk.C:
			if since := time.Since(time.Unix(0, st.last.Load())); since >= idle {
				st.why.Store(fmt.Sprintf("closed after %s without input.", idle))
				p.Quit()
				return
			}
		}
	}
}

// Serve accepts sessions on ln until ctx ends, then asks every console to quit,
// closes the connections not logged in, waits up to the shutdown timeout for the
// others to close, and closes the rest.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	// Stopping must not begin before Serve has registered the listener (the ssh
	// package would then serve a listener closed under it): wait for its first Accept.
	al := &acceptingListener{Listener: ln, accepting: make(chan struct{})}
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(al) }()
	go s.closeRevoked(ctx)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	select {
	case <-al.accepting:
	case err := <-errc:
		return err
	}
	s.mu.Lock()
	s.stopping = true
	s.log.Printf("stopping: closing %d session%s", len(s.programs), models.Plural(len(s.programs)))
	for p, st := range s.programs {
		st.why.Store("the server is stopping; your work is saved. Reconnect in a moment.")
		go p.Quit()
	}
	s.mu.Unlock()
	// No new connections; those not logged in are closed; then wait for the rest (see
	// gate.stop for why not the ssh package's Shutdown).
	_ = ln.Close()
	s.gate.stop()
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	if !s.gate.drain(sctx) {
		s.log.Printf("stopping: %v; closing the remaining connections", sctx.Err())
	}
	err := s.srv.Close()
	if errors.Is(err, net.ErrClosed) { // the listener, which was closed above on purpose
		err = nil
	}
	s.gate.closeAll()
	// Every session has ended or is ending: where each was is written before Serve
	// returns and its caller closes the database (a console that will not end is not
	// waited for past the shutdown timeout).
	if !waitGroupWithin(sctx, &s.ending) {
		s.log.Printf("stopping: a session did not end within %s; where it was is not kept", s.opts.ShutdownTimeout)
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, ssh.ErrServerClosed) && !errors.Is(serr, net.ErrClosed) {
		return serr
	}
	return err
}

// acceptingListener says when Serve first waits for a connection.
type acceptingListener struct {
	net.Listener
	once      sync.Once
	accepting chan struct{}
}

func (l *acceptingListener) Accept() (net.Conn, error) {
	l.once.Do(func() { close(l.accepting) })
	return l.Listener.Accept()
}

// hostOf is the host part of a remote address, for the record.
func hostOf(a net.Addr) string {
	if host, _, err := net.SplitHostPort(a.String()); err == nil {
		return host
	}
	return a.String()
}

// closeRevoked ends, until ctx ends, the sessions whose key was revoked since they
// opened (ferry people remove-key, from any process).
func (s *Server) closeRevoked(ctx context.Context) {
	t := time.NewTicker(revokedEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.mu.Lock()
		open := maps.Clone(s.programs)
		s.mu.Unlock()
		if len(open) == 0 {
			continue
		}
		revoked, err := s.eng.RevokedKeys(ctx)
		if err != nil {
			s.log.Printf("looking for revoked keys: %v", err)
			continue
		}
		for p, st := range open {
			if by, gone := revoked[st.key]; gone {
				st.why.Store(fmt.Sprintf("your key %s was revoked by %s.", st.key, by))
				s.log.Printf("closing %s's session: key %s revoked by %s", st.person.Name, st.key, by)
				go p.Quit()
			}
		}
	}
}

type viaKey struct{}

// Via is, for a command run over SSH (Options.Command's ctx), how the client reached
// the server, as an ssh command line ("ssh -p 2222 kim@host"): the hints a command
// prints name it rather than "ssh HOST". "ssh HOST" elsewhere.
func Via(ctx context.Context) string {
	if v, ok := ctx.Value(viaKey{}).(string); ok && v != "" {
		return v
	}
	return "ssh HOST"
}

// sshCommand is an ssh command line to this server at the address the connection
// reached, as the server sees it: the commands the console tells a person to run
// from their own machine start with it. Behind NAT or a forwarded port the person's
// own name for the host and port differ, which the README says.
func sshCommand(user string, local net.Addr) string {
	host, port, err := net.SplitHostPort(local.String())
	if err != nil {
		return ""
	}
	cmd := "ssh "
	if port != "22" {
		cmd += "-p " + port + " "
	}
	if user != "" && !strings.ContainsFunc(user, func(r rune) bool { return r <= ' ' || strings.ContainsRune(`'"\$;&|<>`+"`", r) }) {
		cmd += user + "@"
	}
	return cmd + host
}
