package engine

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"ferry/engine/config"
)

// A key added for one person and later written into another's ssh_keys lets nobody
// in, and says why: it let the config's person in, without a word, as someone else.
func TestAKeyOfTwoPeopleLetsNobodyIn(t *testing.T) {
	f := newFixtureWith(t, whereConfig)
	pubKey, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := gossh.NewPublicKey(pubKey)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pub)))
	if _, err := f.e.AddKey(f.ctx, f.person(t, "ana"), "tom", line); err != nil {
		t.Fatal(err)
	}
	if p, ok, err := f.e.PersonByKey(f.ctx, pub.Marshal()); err != nil || !ok || p.Name != "tom" {
		t.Fatalf("the added key lets tom in: %v %v %v", p.Name, ok, err)
	}
	cfg, err := config.Parse("later.toml", []byte(strings.Replace(whereConfig, "name = \"sam\"\n",
		"name = \"sam\"\nssh_keys = [\""+line+"\"]\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	later, err := New(f.ctx, f.e.st, cfg, WithClock(func() time.Time { return f.now }))
	if err != nil {
		t.Fatal(err)
	}
	p, ok, err := later.PersonByKey(f.ctx, pub.Marshal())
	if ok || err == nil || !strings.Contains(err.Error(), "is sam's in config and was added for tom") {
		t.Fatalf("a key of two people: %q %v %v", p.Name, ok, err)
	}
	// The way out the refusal gives: revoke it, and add it again for the config's person.
	ana := f.person(t, "ana")
	if _, err := later.RemoveKey(f.ctx, ana, "tom", gossh.FingerprintSHA256(pub)); err != nil {
		t.Fatal(err)
	}
	if _, err := later.AddKey(f.ctx, ana, "sam", line); err != nil {
		t.Fatalf("adding it again for sam: %v", err)
	}
	if p, ok, err := later.PersonByKey(f.ctx, pub.Marshal()); err != nil || !ok || p.Name != "sam" {
		t.Fatalf("after the way out, the key lets sam in: %q %v %v", p.Name, ok, err)
	}
	if _, err := f.e.AddKey(f.ctx, f.person(t, "ana"), "sam", "ssh-dss AAAAB3NzaC1kc3MAAACBAP sam@old"); err == nil ||
		!strings.Contains(err.Error(), "a DSA key is too weak") {
		t.Fatalf("a DSA key is refused as such: %v", err)
	}
}
