package config

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// rsaLine is an authorized_keys line of a fresh RSA key of bits bits.
func rsaLine(t testing.TB, bits int) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + " ana@old-laptop"
}

// An RSA key of 2048 bits or more is a good key; the refusal of smaller ones is in
// TestParseRefuses.
func TestRSAKeysFrom2048BitsAreAccepted(t *testing.T) {
	src := replace(t, "unix_user = \"ana\"\n", "unix_user = \"ana\"\nssh_keys = [\""+rsaLine(t, 2048)+"\"]\n")
	cfg, err := Parse("ok.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.People[0].SSHKeys) != 1 {
		t.Errorf("keys: %q", cfg.People[0].SSHKeys)
	}
}
