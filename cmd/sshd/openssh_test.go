//go:build unix

package sshd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	gossh "golang.org/x/crypto/ssh"
)

// TestOpenSSHWithoutAnAcceptedKeyReadsOneLine connects with the real OpenSSH client,
// in a terminal (where it would prompt for a password if one were offered), offering
// a key nobody has: it reads the one line saying public keys only, is asked nothing,
// and is refused.
func TestOpenSSHWithoutAnAcceptedKeyReadsOneLine(t *testing.T) {
	client, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("no OpenSSH client (ssh) on this machine")
	}
	f := newFixture(t, Options{})
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "nobody's key")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(f.addr)
	cmd := exec.Command(client, "-F", "/dev/null", "-p", port, "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-i", keyFile, "-o", "ConnectTimeout=20",
		"ferry@"+host)
	term, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var out bytes.Buffer
	read := make(chan struct{})
	go func() {
		_, _ = io.Copy(&out, term) // ends with EIO once the client has exited
		close(read)
	}()
	select {
	case err = <-exited:
	case <-time.After(waitTimeout):
		_ = cmd.Process.Kill()
		<-exited
		<-read
		t.Fatalf("the client is still waiting (for a password?); it shows:\n%s", out.String())
	}
	<-read
	got := out.String()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 255 {
		t.Errorf("the client should be refused (exit 255): %v\n%s", err, got)
	}
	if n := strings.Count(got, PublicKeysOnly); n != 1 {
		t.Errorf("the public-keys-only line shows %d times, want once:\n%s", n, got)
	}
	if strings.Contains(strings.ToLower(got), "password") {
		t.Errorf("a password is asked for:\n%s", got)
	}
}

// realSSH is the OpenSSH client running in a terminal of its own, as a person runs it.
type realSSH struct {
	out    *syncBuffer // what the terminal showed (and shows: waitFor looks at both)
	exited chan int    // the client's exit status
}

// openSSH starts the real OpenSSH client as who, with args after the host (-t and a
// command, or nothing for the console), in a terminal.
func (f *fixture) openSSH(t *testing.T, who string, args ...string) *realSSH {
	t.Helper()
	client, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("no OpenSSH client (ssh) on this machine")
	}
	block, err := gossh.MarshalPrivateKey(f.keys[who], who+"'s key")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(f.addr)
	cmd := exec.Command(client, append([]string{"-F", "/dev/null", "-p", port, "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		"-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-i", keyFile, "-o", "ConnectTimeout=20",
		"ferry@" + host}, args...)...)
	term, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 20, Cols: 60})
	if err != nil {
		t.Fatal(err)
	}
	r := &realSSH{out: &syncBuffer{vt: newVT(60, 20)}, exited: make(chan int, 1)}
	read := make(chan struct{})
	go func() {
		_, _ = io.Copy(r.out, term) // ends with EIO once the client has exited
		close(read)
	}()
	go func() {
		_ = cmd.Wait()
		<-read
		r.exited <- cmd.ProcessState.ExitCode()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		term.Close()
	})
	return r
}

// status waits for the client to exit and returns its status.
func (r *realSSH) status(t *testing.T) int {
	t.Helper()
	select {
	case code := <-r.exited:
		return code
	case <-time.After(waitTimeout):
		t.Fatalf("the client did not exit; it shows:\n%s", r.out.String())
		return -1
	}
}

// TestOpenSSHCommandWithATerminal: ssh -t host -- history --limit 3 runs the command
// (here a stand-in) and exits with its status; the console does not open.
func TestOpenSSHCommandWithATerminal(t *testing.T) {
	f := newFixture(t, Options{Command: echoCommand})
	r := f.openSSH(t, "tom", "-t", "--", "history", "--limit", "3")
	code := r.status(t)
	got := r.out.String()
	if code != 3 {
		t.Errorf("exit %d, want the command's 3:\n%s", code, got)
	}
	if want := "tom ran history --limit 3\r\nsecond line\r\na warning\r\n"; !strings.Contains(got, want) {
		t.Errorf("the terminal shows %q, want %q", got, want)
	}
	if strings.Contains(got, "My work") {
		t.Errorf("the console opened:\n%s", got)
	}
}

// TestOpenSSHRevokedKeyExitsOne: a console the server closes because its key was
// revoked ends the client with status 1, so a script notices; it says why.
func TestOpenSSHRevokedKeyExitsOne(t *testing.T) {
	f := newFixture(t, Options{})
	r := f.openSSH(t, "tom", "-t")
	if err := r.out.waitFor(0, waitTimeout, "My work (1)"); err != nil {
		t.Fatalf("%v; the terminal shows:\n%s", err, r.out.String())
	}
	fp := gossh.FingerprintSHA256(f.signers["tom"].PublicKey())
	if _, err := f.eng.RemoveKey(context.Background(), f.person(t, "ana"), "tom", fp); err != nil {
		t.Fatal(err)
	}
	if code := r.status(t); code != 1 {
		t.Errorf("exit %d after the key was revoked, want 1:\n%s", code, r.out.String())
	}
	if !strings.Contains(r.out.String(), "was revoked by ana") {
		t.Errorf("the client is not told why:\n%s", r.out.String())
	}
}
