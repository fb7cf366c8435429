package sshd

import (
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/tui"
	"ferry/tui/common"
)

// TestRunsOutliveADroppedConnection: what a console sets running (a start, the run a
// tick carries on) goes on when the client's connection drops, as the person who
// started it: a dropped SSH connection stopped "Roll out" mid-step with "context
// canceled", and left the deployment interrupted for someone to decide.
func TestRunsOutliveADroppedConnection(t *testing.T) {
	var mu sync.Mutex
	var got *common.Common
	f := newFixture(t, Options{NewModel: func(c *common.Common) tea.Model {
		mu.Lock()
		got = c
		mu.Unlock()
		return tui.New(c)
	}})
	tom := f.open(t, "tom")
	tom.waitFor("My work (1)")
	tom.client.Close() // the connection drops: no q, no goodbye
	mu.Lock()
	c := got
	mu.Unlock()
	select {
	case <-c.Ctx.Done(): // the session's own context ends with it
	case <-time.After(waitTimeout):
		t.Fatal("the console's context outlived its dropped connection")
	}
	if err := c.Runs().Err(); err != nil {
		t.Fatalf("the context of its runs ended with the connection: %v", err)
	}
	if p := engine.PrincipalOf(c.Runs()); !strings.Contains(p, "tom") {
		t.Fatalf("its runs should still act for tom's key, principal %q", p)
	}
}
