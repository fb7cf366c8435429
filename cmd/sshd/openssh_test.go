//go:build unix

package sshd

import (
	"bytes"
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
