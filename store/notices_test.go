package store

import (
	"context"
	"testing"

	"ferry/models"
)

// A notice is one row until it is spread into the outbox: one message per channel
// and recipient, in the order they were raised, each once however often the event is
// told; a repeatable event is found by its key before and after spreading.
func TestNoticesSpreadIntoTheOutbox(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	notice := func(key string, repeat bool, msgs ...OutboxMessage) Notice {
		return Notice{Key: key, Repeat: repeat, Event: "planned", DeploymentID: 4, At: t0, Payload: []byte(`{"type":"planned"}`),
			CreatedAt: t0, Messages: msgs}
	}
	hook := OutboxMessage{Channel: "hook", Recipient: "ana,sam"}
	mail := OutboxMessage{Channel: "mail", Recipient: "ana", Address: "ana@example.org"}
	err := s.Write(ctx, func(q Q) error {
		for _, n := range []Notice{
			notice("planned:d4", false, hook, mail),
			notice("conflict_new:c1", true, hook),
			notice("planned:d4", false, hook), // told again: nothing new
		} {
			if err := q.AddNotice(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.Read().EventsStored(ctx, []string{"conflict_new:c1", "conflict_new:c2"})
	if err != nil || !stored["conflict_new:c1"] || stored["conflict_new:c2"] {
		t.Fatalf("before spreading, stored: %v, %v", stored, err)
	}
	if has, err := s.Read().HasNotices(ctx); err != nil || !has {
		t.Fatalf("has notices: %v, %v", has, err)
	}
	var added int64
	if err := s.Write(ctx, func(q Q) error { added, err = q.SpreadNotices(ctx); return err }); err != nil {
		t.Fatal(err)
	}
	if added != 3 {
		t.Errorf("spread %d messages, want 3", added)
	}
	ms, err := s.Read().Outbox(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.Key()+" "+m.Address+" "+m.Status)
		if string(m.Payload) != `{"type":"planned"}` || m.DeploymentID != 4 || !m.At.Equal(t0) || !m.NextAt.Equal(t0) {
			t.Errorf("%s: payload %s, deployment %d, at %v, next %v", m.Key(), m.Payload, m.DeploymentID, m.At, m.NextAt)
		}
	}
	want := []string{"planned:d4|hook|ana,sam  " + models.OutboxPending, "planned:d4|mail|ana ana@example.org " + models.OutboxPending,
		"conflict_new:c1|hook|ana,sam  " + models.OutboxPending}
	if len(got) != len(want) {
		t.Fatalf("outbox:\n%q\nwant\n%q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d: %q, want %q", i, got[i], want[i])
		}
	}
	if has, _ := s.Read().HasNotices(ctx); has {
		t.Error("notices left after spreading")
	}
	if stored, _ := s.Read().EventsStored(ctx, []string{"conflict_new:c1"}); !stored["conflict_new:c1"] {
		t.Error("a spread repeatable event is no longer found by its key")
	}
}
