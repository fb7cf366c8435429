package sshd

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	fx "ferry/internal/fixture"
	"ferry/models"
)

// These tests are about what one client may hold. Every client is a real SSH client
// (or a raw TCP connection, for one that never logs in) on loopback; 127.0.0.2 and
// 127.0.0.3 are other addresses of the same machine.

// dialFrom is f.dial from the loopback address from.
func (f *fixture) dialFrom(from string, cfg *gossh.ClientConfig) (*gossh.Client, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: waitTimeout}
	conn, err := d.Dial("tcp", f.addr)
	if err != nil {
		return nil, err
	}
	c, chans, reqs, err := gossh.NewClientConn(conn, f.addr, cfg)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return gossh.NewClient(c, chans, reqs), nil
}

// as is a client configuration logging in as who (by key).
func (f *fixture) as(who string) *gossh.ClientConfig {
	return f.config(gossh.PublicKeys(f.signers[who]))
}

func (f *fixture) config(auth ...gossh.AuthMethod) *gossh.ClientConfig {
	return &gossh.ClientConfig{User: "ferry", Auth: auth, Timeout: waitTimeout,
		HostKeyCallback: func(_ string, _ net.Addr, key gossh.PublicKey) error {
			if fp := gossh.FingerprintSHA256(key); fp != f.srv.HostKeyFingerprint {
				return fmt.Errorf("host key %s, want %s", fp, f.srv.HostKeyFingerprint)
			}
			return nil
		}}
}

// login logs who in from the address from, failing the test if it cannot.
func (f *fixture) login(t *testing.T, from, who string) *gossh.Client {
	t.Helper()
	c, err := f.dialFrom(from, f.as(who))
	if err != nil {
		t.Fatalf("%s from %s: %v", who, from, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// loginEventually logs who in from the address from once the server has counted out
// a connection that was just closed (it notices a moment later).
func (f *fixture) loginEventually(t *testing.T, from, who string) *gossh.Client {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		c, err := f.dialFrom(from, f.as(who))
		if err == nil {
			t.Cleanup(func() { c.Close() })
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s from %s is still refused: %v\nserver log:\n%s", who, from, err, f.log)
		}
		time.Sleep(10 * time.Millisecond) // retrying the login, not waiting for work
	}
}

// raw opens a TCP connection from the address from that never logs in, and returns
// it with the server's first line: its SSH version, or "" when the server closed the
// connection without a word (it was refused).
func (f *fixture) raw(t *testing.T, from string) (net.Conn, string) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: waitTimeout}
	conn, err := d.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetReadDeadline(time.Now().Add(waitTimeout))
	line, _ := bufio.NewReader(conn).ReadString('\n')
	return conn, line
}

// A connection that has not logged in within the login grace time is closed by the
// server; one that logged in is not held to it.
func TestUnauthenticatedConnectionIsDroppedAfterTheLoginGrace(t *testing.T) {
	f := newFixture(t, Options{Limits: Limits{LoginGrace: 300 * time.Millisecond}})
	in := f.login(t, "127.0.0.1", "tom")
	conn, line := f.raw(t, "127.0.0.1")
	if !strings.HasPrefix(line, "SSH-2.0-") {
		t.Fatalf("the server should greet a new connection: %q", line)
	}
	// Say nothing, and wait for the server to hang up: the read ends with EOF, not
	// with the test's own deadline.
	_ = conn.SetReadDeadline(time.Now().Add(waitTimeout))
	buf := make([]byte, 4096)
	for {
		_, err := conn.Read(buf)
		if err == nil {
			continue
		}
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("the server kept a connection that never logged in for %s", waitTimeout)
		}
		break
	}
	// tom logged in before that connection was made, more than the grace time ago.
	sess, err := in.NewSession()
	if err != nil {
		t.Fatalf("a logged-in connection was cut: %v", err)
	}
	out, _ := sess.CombinedOutput("deploy list")
	if !strings.Contains(string(out), "ferry:") {
		t.Errorf("the logged-in connection should still be answered: %q", out)
	}
}

// One address may hold only so many connections; another address still gets in, and
// a connection closed frees its place.
func TestConnectionsPerAddressAreCapped(t *testing.T) {
	f := newFixture(t, Options{Limits: Limits{PerAddress: 3}})
	var first *gossh.Client
	for i := range 3 {
		c := f.login(t, "127.0.0.1", "tom")
		if i == 0 {
			first = c
		}
	}
	if c, err := f.dialFrom("127.0.0.1", f.as("tom")); err == nil {
		c.Close()
		t.Fatal("a fourth connection from one address got in")
	}
	if !strings.Contains(f.log.String(), "refused a connection from 127.0.0.1: 3 connections from this address already (at most 3)") {
		t.Errorf("the refusal should be logged with its reason:\n%s", f.log)
	}
	f.login(t, "127.0.0.2", "ana") // someone else, elsewhere
	first.Close()
	f.loginEventually(t, "127.0.0.1", "tom")
}

// Connections that have not logged in are capped per address and in all; logged-in
// ones do not count against that, and a closed one frees its place.
func TestUnauthenticatedConnectionsAreCapped(t *testing.T) {
	f := newFixture(t, Options{Limits: Limits{Unauthenticated: 3, UnauthenticatedPerAddress: 2, PerAddress: 10}})
	// Logged in: these no longer count as unauthenticated.
	tom := f.login(t, "127.0.0.1", "tom")
	f.login(t, "127.0.0.1", "ana")
	greeted := func(from string) net.Conn {
		t.Helper()
		conn, line := f.raw(t, from)
		if !strings.HasPrefix(line, "SSH-2.0-") {
			t.Fatalf("a connection from %s should be served: %q\nserver log:\n%s", from, line, f.log)
		}
		return conn
	}
	refused := func(from string) {
		t.Helper()
		if _, line := f.raw(t, from); line != "" {
			t.Fatalf("a connection from %s over the limit was served: %q", from, line)
		}
	}
	first := greeted("127.0.0.1")
	greeted("127.0.0.1")
	refused("127.0.0.1") // two not logged in from this address already
	greeted("127.0.0.2")
	refused("127.0.0.3") // three not logged in, in all
	if !strings.Contains(f.log.String(), "connections from this address not logged in yet (at most 2)") {
		t.Errorf("the refusal should be logged with its reason:\n%s", f.log)
	}
	// Whoever has logged in carries on meanwhile.
	if _, err := tom.NewSession(); err != nil {
		t.Fatal(err)
	}
	first.Close()
	f.loginEventually(t, "127.0.0.3", "kim")
}

// One connection holds only so many sessions; a console closed by the client ends,
// which frees its place (it would otherwise run on, holding it, until the connection
// ends).
func TestSessionsPerConnectionAreCapped(t *testing.T) {
	f := newFixture(t, Options{Limits: Limits{SessionsPerConnection: 2}})
	c := f.login(t, "127.0.0.1", "tom")
	consoles := []*term{f.session(t, c), f.session(t, c)}
	for _, tm := range consoles {
		tm.waitFor("My work")
	}
	_, err := c.NewSession()
	if err == nil || !strings.Contains(err.Error(), "at most 2 sessions at once on one connection") {
		t.Fatalf("a third session on one connection, want a refusal that says why: %v", err)
	}
	for _, tm := range consoles {
		tm.sess.Close()
	}
	deadline := time.Now().Add(waitTimeout)
	for open := 0; open < 2; {
		s, err := c.NewSession()
		if err == nil {
			open++
			defer s.Close()
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("the closed consoles still hold their places: %v\nserver log:\n%s", err, f.log)
		}
		time.Sleep(10 * time.Millisecond) // retrying, not waiting for work
	}
}

// Clients that offer only SHA-1 key exchange or MACs cannot connect.
func TestSHA1AlgorithmsAreRefused(t *testing.T) {
	f := newFixture(t, Options{})
	kex := f.as("tom")
	kex.KeyExchanges = []string{gossh.InsecureKeyExchangeDH14SHA1, gossh.InsecureKeyExchangeDH1SHA1}
	mac := f.as("tom")
	mac.Ciphers = []string{gossh.CipherAES128CTR, gossh.CipherAES256CTR} // not AEAD: a MAC is agreed
	mac.MACs = []string{gossh.HMACSHA1, gossh.InsecureHMACSHA196}
	for name, cfg := range map[string]*gossh.ClientConfig{"SHA-1 key exchange": kex, "SHA-1 MACs": mac} {
		c, err := f.dialFrom("127.0.0.1", cfg)
		if err == nil {
			c.Close()
			t.Errorf("a client offering only %s connected", name)
			continue
		}
		if !strings.Contains(err.Error(), "no common algorithm") {
			t.Errorf("%s: %v", name, err)
		}
	}
	f.login(t, "127.0.0.1", "tom") // the same client with its defaults
}

// addRSAKey gives who a fresh RSA key of bits bits, stored as if added before weak
// keys were refused (people add-key refuses it now), and returns its signer.
func (f *fixture) addRSAKey(t *testing.T, who string, bits int) gossh.Signer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(k)
	if err != nil {
		t.Fatal(err)
	}
	pub := signer.PublicKey()
	// Through the database file, as another process would have stored it.
	fx.OpenDB(t, filepath.Join(filepath.Dir(f.hostKey), "ferry.db")).AddKeyUnchecked(t, models.PersonKey{
		Key: pub.Marshal(), Person: who, Line: strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pub))),
		Fingerprint: gossh.FingerprintSHA256(pub), AddedBy: "ana", AddedAt: now})
	return signer
}

// An RSA key under 2048 bits does not log in, even one the server knows; one of 2048
// does (signing with SHA-2).
func TestWeakRSAKeyIsRefusedAtLogin(t *testing.T) {
	f := newFixture(t, Options{})
	weak := f.addRSAKey(t, "raj", 1024)
	if c, err := f.dialFrom("127.0.0.1", f.config(gossh.PublicKeys(weak))); err == nil {
		c.Close()
		t.Fatal("a 1024-bit RSA key logged in")
	}
	if !strings.Contains(f.log.String(), "an RSA key of 1024 bits is too weak: at least 2048 are needed") {
		t.Errorf("the refusal should be logged with its reason:\n%s", f.log)
	}
	good := f.addRSAKey(t, "raj", 2048)
	c, err := f.dialFrom("127.0.0.1", f.config(gossh.PublicKeys(good)))
	if err != nil {
		t.Fatalf("a 2048-bit RSA key: %v", err)
	}
	c.Close()
}

// Stopping closes the connections that have not logged in at once, rather than
// waiting for them (their grace time and the stop's wait here are an hour).
func TestStopClosesConnectionsNotLoggedIn(t *testing.T) {
	f := newFixture(t, Options{ShutdownTimeout: time.Hour, Limits: Limits{LoginGrace: time.Hour}})
	conn, line := f.raw(t, "127.0.0.1")
	if !strings.HasPrefix(line, "SSH-2.0-") {
		t.Fatalf("the server should greet a new connection: %q", line)
	}
	if err := f.stop(); err != nil {
		t.Fatalf("stop: %v\nserver log:\n%s", err, f.log)
	}
	_ = conn.SetReadDeadline(time.Now().Add(waitTimeout))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Fatal("a connection not logged in outlived the server")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("a connection not logged in is still open after the stop")
	}
}
