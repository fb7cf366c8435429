package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ferry/engine/config"
	"ferry/store"
)

// openWith opens an engine on the database at path with config text, as a process
// would, its principal on the context.
func openWith(t *testing.T, path, text string) *Engine {
	t.Helper()
	cfg, err := config.Parse("test.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := WithPrincipal(context.Background(), "ana@laptop")
	e, err := New(ctx, st, cfg, WithClock(func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// A configuration that changed since the last one recorded is an entry of the audit
// log, saying what changed in words and who opened it; an unchanged one writes nothing.
func TestConfigChangesAreRecorded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.db")
	e := openWith(t, path, controlsConfig)
	ana, _ := e.Person("ana")
	log, err := e.AuditLog(context.Background(), ana, AuditQuery{ConfigOnly: true, Limit: 10})
	if err != nil || len(log) != 1 || !strings.Contains(log[0].Detail, "first recorded: 2 environments, 2 people") ||
		log[0].Principal != "ana@laptop" {
		t.Fatalf("first open: %+v %v", log, err)
	}
	openWith(t, path, controlsConfig) // the same again: nothing new
	changed := strings.NewReplacer(
		`weekly = "Fri 14:00 - Fri 23:59"`, `weekly = "Fri 12:00 - Fri 23:59"`,
		"name = \"sam\"\nroles = [\"practitioner\"]", "name = \"sam\"\nroles = [\"practitioner\", \"manager\"]",
		"[[environment]]\nname = \"staging\"\norder = 1\ncapacity = 1", "[[environment]]\nname = \"staging\"\norder = 1\ncapacity = 2",
	).Replace(controlsConfig) + "\n[[environment]]\nname = \"lab\"\norder = 9\n"
	e = openWith(t, path, changed)
	log, _ = e.AuditLog(context.Background(), ana, AuditQuery{ConfigOnly: true, Limit: 10})
	if len(log) != 2 {
		t.Fatalf("after a change: %d entries, want 2: %+v", len(log), log)
	}
	for _, want := range []string{"environment lab added", "staging capacity 1 → 2", `freeze "friday afternoons" of production moved`,
		"sam gained manager"} {
		if !strings.Contains(log[1].Detail, want) {
			t.Errorf("want %q in %q", want, log[1].Detail)
		}
	}
	// Who is told what is recorded too: a channel and a rule added.
	notified := changed + `
[[notify.channel]]
name = "log"
type = "command"
run = "cat >> events.jsonl"

[[notify.rule]]
events = ["failed"]
environments = ["production"]
channel = "log"
`
	e = openWith(t, path, notified)
	log, _ = e.AuditLog(context.Background(), ana, AuditQuery{ConfigOnly: true, Limit: 10})
	if len(log) != 3 || !strings.Contains(log[2].Detail, "notification channel log added (command); notification rule added: failed in production → log") {
		t.Fatalf("after [notify] was added: %+v", log)
	}
}

func TestVerifyRecordAndAKeptHead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.db")
	e := openWith(t, path, controlsConfig)
	ana, _ := e.Person("ana")
	for range 3 {
		if _, _, err := e.Plan(context.Background(), ana, PlanRequest{Model: "web", Component: "api", Version: "1",
			Environment: "staging", Start: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	h, err := e.VerifyRecord(context.Background(), ana, nil)
	if err != nil || h.Events != 3 || h.Entries != 1 {
		t.Fatalf("verify: %+v %v", h, err)
	}
	kept, err := ParseRecordHead(h.String())
	if err != nil || kept.String() != h.String() {
		t.Fatalf("a head read back: %v %v", kept, err)
	}
	if _, err := e.VerifyRecord(context.Background(), ana, &kept); err != nil {
		t.Fatalf("the kept head still holds: %v", err)
	}
	// Someone rewrites event 2 and chains everything again: only the kept head shows it.
	rewritten := kept
	rewritten.EventLink = []byte("0123456789abcdef")
	var broken *BrokenRecordError
	if _, err := e.VerifyRecord(context.Background(), ana, &rewritten); !errors.As(err, &broken) || broken.ID != 3 {
		t.Fatalf("a head the record no longer has: %v", err)
	}
	tech := ana
	tech.Roles = nil
	if _, err := e.VerifyRecord(context.Background(), tech, nil); err == nil {
		t.Fatal("someone with no role read the whole record")
	}
}

// A database whose configuration was recorded before Ferry kept its notifications
// says so once, not that every channel and rule was just added; after that a
// channel's changed settings (not shown: a Slack URL is a secret) are an entry, and
// a rule's events written in another order are none.
func TestConfigRecordKeepsNotificationsFromNowOn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.db")
	notified := controlsConfig + `
[[notify.channel]]
name = "log"
type = "command"
run = "cat >> events.jsonl"

[[notify.rule]]
events = ["failed", "cancelled"]
channel = "log"
`
	e := openWith(t, path, notified)
	ana, _ := e.Person("ana")
	old := e.shape() // as a Ferry before shape 2 recorded it
	old.Shape, old.Channels, old.Rules = 0, nil, nil
	text, _ := json.Marshal(old)
	if err := e.st.Write(context.Background(), func(q store.Q) error {
		return q.AddConfigVersion(context.Background(), store.ConfigVersion{Hash: "recorded-before", Content: string(text), At: e.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	last := func(e *Engine) string {
		log, err := e.AuditLog(context.Background(), ana, AuditQuery{ConfigOnly: true, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d: %s", len(log), log[len(log)-1].Detail)
	}
	e = openWith(t, path, notified)
	if got := last(e); !strings.HasPrefix(got, "2: ") ||
		!strings.HasSuffix(got, "notifications kept in this record from now on: channels log (command); rules cancelled, failed → log") {
		t.Fatalf("upgraded: %s", got)
	}
	e = openWith(t, path, strings.Replace(notified, `events = ["failed", "cancelled"]`, `events = ["cancelled", "failed"]`, 1))
	if got := last(e); !strings.HasPrefix(got, "2: ") {
		t.Fatalf("the same events in another order: %s", got)
	}
	e = openWith(t, path, strings.Replace(notified, "cat >> events.jsonl", "cat >> other.jsonl", 1))
	if got := last(e); !strings.HasPrefix(got, "3: ") || !strings.HasSuffix(got, "notification channel log changed its settings") {
		t.Fatalf("a channel's settings changed: %s", got)
	}
}
