package config

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
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

// A key says who logs in: the same key under two people is refused where the second
// lists it, naming the first and its line (the server refused it at its start only,
// without either).
func TestAKeyNamesOnePerson(t *testing.T) {
	key := rsaLine(t, 2048)
	src := replace(t, "unix_user = \"ana\"\n", "unix_user = \"ana\"\nssh_keys = [\""+key+"\"]\n") +
		"\n[[person]]\nname = \"bob\"\nroles = [\"technician\"]\nssh_keys = [\"" + key + "\"]\n"
	_, err := Parse("two.toml", []byte(src))
	bobLine := strings.Count(src[:strings.LastIndex(src, "ssh_keys")], "\n") + 1
	anaLine := strings.Count(src[:strings.Index(src, "ssh_keys")], "\n") + 1
	want := fmt.Sprintf(`two.toml:%d: person "bob": ssh_keys entry 1 (SHA256:`, bobLine)
	if err == nil || !strings.Contains(err.Error(), want) ||
		!strings.Contains(err.Error(), fmt.Sprintf(`is "ana"'s key too (line %d): a key names one person`, anaLine)) {
		t.Fatalf("got %v, want %q… ana's line %d", err, want, anaLine)
	}
	// The same key twice under one person is no one else's: not this error.
	same := replace(t, "unix_user = \"ana\"\n", "unix_user = \"ana\"\nssh_keys = [\""+key+"\", \""+key+"\"]\n")
	if _, err := Parse("same.toml", []byte(same)); err != nil && strings.Contains(err.Error(), "names one person") {
		t.Fatalf("one person's key twice: %v", err)
	}
}
