package sshd

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"

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

// TestADroppedConnectionIsNoError: a client that goes without quitting (a phone
// losing its signal) is a disconnection, logged once as one, not an error on the
// server's standard error for the frame Bubble Tea could no longer draw.
func TestADroppedConnectionIsNoError(t *testing.T) {
	var libLog syncBuffer
	log.SetOutput(&libLog)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	f := newFixture(t, Options{})
	tom := f.open(t, "tom")
	tom.waitFor("My work (1)")
	tom.client.Close()
	if err := f.log.waitFor(0, waitTimeout, "tom disconnected"); err != nil {
		t.Fatalf("%v in the log:\n%s", err, f.log.String())
	}
	if got := libLog.String(); got != "" {
		t.Errorf("a dropped connection logged:\n%s", got)
	}
}
