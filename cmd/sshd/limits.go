package sshd

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"slices"
	"sync"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"ferry/engine/config"
)

// Limits keep one client from starving the others: connections that never log in,
// floods from one address, and many consoles over one connection. A zero field
// takes its default.
type Limits struct {
	LoginGrace                time.Duration // a connection must have logged in within this
	Unauthenticated           int           // connections not logged in yet, from everywhere
	UnauthenticatedPerAddress int           // the same, from one address
	PerAddress                int           // connections from one address, logged in or not
	SessionsPerConnection     int           // sessions (consoles, commands) open at once on one connection
}

// The defaults, documented in the README. Many people behind one NAT share an
// address, so PerAddress is generous; a client logs in one connection at a time, so
// a few unauthenticated ones per address are plenty.
const (
	DefaultLoginGrace                = 30 * time.Second
	DefaultUnauthenticated           = 64
	DefaultUnauthenticatedPerAddress = 8
	DefaultPerAddress                = 32
	DefaultSessionsPerConnection     = 4
)

func (l Limits) withDefaults() Limits {
	orDefault := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if l.LoginGrace <= 0 {
		l.LoginGrace = DefaultLoginGrace
	}
	orDefault(&l.Unauthenticated, DefaultUnauthenticated)
	orDefault(&l.UnauthenticatedPerAddress, DefaultUnauthenticatedPerAddress)
	orDefault(&l.PerAddress, DefaultPerAddress)
	orDefault(&l.SessionsPerConnection, DefaultSessionsPerConnection)
	return l
}

// Only modern algorithms: no SHA-1 key exchange, MAC or signature, no CBC or RC4.
// They are named here rather than taken from the library's defaults, which still
// offer SHA-1 for old clients.
var (
	keyExchanges = []string{gossh.KeyExchangeMLKEM768X25519, gossh.KeyExchangeCurve25519,
		gossh.KeyExchangeECDHP256, gossh.KeyExchangeECDHP384, gossh.KeyExchangeECDHP521,
		gossh.KeyExchangeDH16SHA512, gossh.KeyExchangeDH14SHA256}
	ciphers = []string{gossh.CipherChaCha20Poly1305, gossh.CipherAES256GCM, gossh.CipherAES128GCM,
		gossh.CipherAES256CTR, gossh.CipherAES192CTR, gossh.CipherAES128CTR}
	macs          = []string{gossh.HMACSHA256ETM, gossh.HMACSHA512ETM, gossh.HMACSHA256, gossh.HMACSHA512}
	userKeyAlgors = []string{gossh.KeyAlgoED25519, gossh.KeyAlgoSKED25519, gossh.KeyAlgoECDSA256,
		gossh.KeyAlgoSKECDSA256, gossh.KeyAlgoECDSA384, gossh.KeyAlgoECDSA521,
		gossh.KeyAlgoRSASHA256, gossh.KeyAlgoRSASHA512}
)

// connKey finds a connection's counted conn in its context.
type connKey struct{}

// serverConfig is a connection's SSH configuration: the modern algorithms, and a
// note when the connection has logged in (it then stops counting as unauthenticated).
func serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	cfg := &gossh.ServerConfig{
		Config: gossh.Config{KeyExchanges: slices.Clone(keyExchanges), Ciphers: slices.Clone(ciphers),
			MACs: slices.Clone(macs)},
		PublicKeyAuthAlgorithms: slices.Clone(userKeyAlgors),
	}
	// Called after every attempt; a nil error is a login (a key merely asked about
	// is not one).
	cfg.AuthLogCallback = func(_ gossh.ConnMetadata, _ string, err error) {
		if c, ok := ctx.Value(connKey{}).(*countedConn); ok && err == nil {
			c.loggedIn()
		}
	}
	return cfg
}

// gate counts the open connections and turns away those over the limits.
type gate struct {
	lim    Limits
	log    *log.Logger
	mu     sync.Mutex
	unauth int
	addrs  map[string]*addrCount
	conns  map[*countedConn]struct{} // every connection open
	// stopping: no connection is admitted, and none may log in any more; drained is
	// closed once the last connection has closed.
	stopping bool
	drained  chan struct{}
	// Refusals are logged at most once a second, with how many were not: a flood
	// must not become a flood of log lines.
	lastSaid time.Time
	unsaid   int
}

type addrCount struct{ all, unauth int }

func newGate(lim Limits, l *log.Logger) *gate {
	return &gate{lim: lim, log: l, addrs: map[string]*addrCount{}, conns: map[*countedConn]struct{}{},
		drained: make(chan struct{})}
}

// wrap is the server's ConnCallback: it counts conn in, or closes it (nil) when it
// is over a limit.
func (g *gate) wrap(ctx ssh.Context, conn net.Conn) net.Conn {
	c := &countedConn{Conn: conn, g: g, host: hostOf(conn.RemoteAddr())}
	if err := g.admit(c); err != nil {
		g.refused(c.host, err)
		return nil
	}
	ctx.SetValue(connKey{}, c)
	return c
}

// admit counts a new connection, or says which limit it is over.
func (g *gate) admit(c *countedConn) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	host := c.host
	a := g.addrs[host]
	if a == nil {
		a = &addrCount{}
	}
	switch {
	case g.stopping:
		return errors.New("the server is stopping")
	case a.all >= g.lim.PerAddress:
		return fmt.Errorf("%d connections from this address already (at most %d)", a.all, g.lim.PerAddress)
	case a.unauth >= g.lim.UnauthenticatedPerAddress:
		return fmt.Errorf("%d connections from this address not logged in yet (at most %d)", a.unauth, g.lim.UnauthenticatedPerAddress)
	case g.unauth >= g.lim.Unauthenticated:
		return fmt.Errorf("%d connections not logged in yet (at most %d)", g.unauth, g.lim.Unauthenticated)
	}
	a.all++
	a.unauth++
	g.unauth++
	g.addrs[host] = a
	g.conns[c] = struct{}{}
	return nil
}

func (g *gate) refused(host string, why error) {
	g.mu.Lock()
	now := time.Now()
	if now.Sub(g.lastSaid) < time.Second {
		g.unsaid++
		g.mu.Unlock()
		return
	}
	more := ""
	if g.unsaid > 0 {
		more = fmt.Sprintf(" (and %d more refused in the last second)", g.unsaid)
	}
	g.lastSaid, g.unsaid = now, 0
	g.mu.Unlock()
	g.log.Printf("refused a connection from %s: %v%s", host, why, more)
}

// countedConn is a connection the gate counts until it closes.
type countedConn struct {
	net.Conn
	g    *gate
	host string

	mu       sync.Mutex
	authed   bool
	closed   bool
	channels int // session channels open
	running  int // session handlers running (a console may outlive its channel's requests)
}

func (c *countedConn) loggedIn() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.authed || c.closed {
		return
	}
	c.g.mu.Lock()
	stopping := c.g.stopping
	if !stopping {
		c.authed = true
		c.g.addrs[c.host].unauth--
		c.g.unauth--
	}
	c.g.mu.Unlock()
	if stopping {
		// The login would end after the server began to stop: the handshake fails
		// (see stop). The bookkeeping happens when the server closes the conn.
		_ = c.Conn.Close()
	}
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return err
	}
	c.closed = true
	g := c.g
	g.mu.Lock()
	a := g.addrs[c.host]
	a.all--
	if !c.authed {
		a.unauth--
		g.unauth--
	}
	if a.all == 0 {
		delete(g.addrs, c.host)
	}
	delete(g.conns, c)
	if g.stopping && len(g.conns) == 0 {
		close(g.drained)
	}
	g.mu.Unlock()
	return err
}

// stop admits no more connections, lets none log in any more, and closes those that
// have not. The server then waits for the logged-in ones (drain) instead of the ssh
// package's Shutdown, whose wait races a login that ends as it begins (it counts
// connections with a WaitGroup that a late login adds to while Shutdown waits).
func (g *gate) stop() {
	g.mu.Lock()
	g.stopping = true
	open := make([]*countedConn, 0, len(g.conns))
	for c := range g.conns {
		open = append(open, c)
	}
	if len(open) == 0 {
		close(g.drained)
	}
	g.mu.Unlock()
	for _, c := range open {
		c.mu.Lock()
		authed := c.authed
		c.mu.Unlock()
		if !authed {
			_ = c.Close()
		}
	}
}

// drain waits until every connection has closed, or ctx ends (false).
func (g *gate) drain(ctx context.Context) bool {
	select {
	case <-g.drained:
		return true
	case <-ctx.Done():
		return false
	}
}

// closeAll closes the connections still open.
func (g *gate) closeAll() {
	g.mu.Lock()
	open := make([]*countedConn, 0, len(g.conns))
	for c := range g.conns {
		open = append(open, c)
	}
	g.mu.Unlock()
	for _, c := range open {
		_ = c.Close()
	}
}

// openSession takes a session slot, unless max are taken: by open channels or by
// consoles still running.
func (c *countedConn) openSession(max int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.channels >= max || c.running >= max {
		return false
	}
	c.channels++
	return true
}

func (c *countedConn) add(n *int, d int) {
	c.mu.Lock()
	*n += d
	c.mu.Unlock()
}

// sessionChannel opens a session channel within the connection's limit; over it,
// the client reads why.
func (s *Server) sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, ch gossh.NewChannel, ctx ssh.Context) {
	c, ok := ctx.Value(connKey{}).(*countedConn)
	if !ok {
		_ = ch.Reject(gossh.Prohibited, "ferry: unknown connection")
		return
	}
	max := s.lim.SessionsPerConnection
	if !c.openSession(max) {
		s.log.Printf("refused a session from %s: %d sessions open on its connection already", conn.RemoteAddr(), max)
		_ = ch.Reject(gossh.ResourceShortage, fmt.Sprintf("ferry: at most %d sessions at once on one connection", max))
		return
	}
	defer c.add(&c.channels, -1)
	ssh.DefaultSessionHandler(srv, conn, ch, ctx)
}

// running counts a session's handler while it runs (see openSession).
func running(sess ssh.Session) func() {
	c, ok := sess.Context().Value(connKey{}).(*countedConn)
	if !ok {
		return func() {}
	}
	c.add(&c.running, 1)
	return func() { c.add(&c.running, -1) }
}

// weakKeyRefused says whether key is too weak to log in with, and logs it.
func (s *Server) weakKeyRefused(ctx ssh.Context, key ssh.PublicKey) bool {
	err := config.WeakKey(key)
	if err != nil {
		s.log.Printf("refused %s key %s offered as %q from %s: %v", key.Type(), gossh.FingerprintSHA256(key),
			ctx.User(), ctx.RemoteAddr(), err)
	}
	return err != nil
}
