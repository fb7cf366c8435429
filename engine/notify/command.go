package notify

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"ferry/models"
)

// command runs the channel's command with /bin/sh -c in the config's directory, the
// event's JSON on stdin, one line ending in a newline (so that "cat >> file.jsonl"
// keeps a message a line), and FERRY_NOTIFY_ID, FERRY_NOTIFY_EVENT and
// FERRY_NOTIFY_CHANNEL set. Exit 0 is sent; anything else is tried again.
func (s *Sender) command(ctx context.Context, ch models.Channel, m Message) error {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", ch.Run)
	cmd.Dir = ch.Dir
	cmd.Stdin = bytes.NewReader(append(bytes.TrimRight(m.Body, "\n"), '\n'))
	cmd.Env = append(os.Environ(), "FERRY_NOTIFY_ID="+m.Event.ID, "FERRY_NOTIFY_EVENT="+m.Event.Type,
		"FERRY_NOTIFY_CHANNEL="+ch.Name)
	var out tail
	cmd.Stdout, cmd.Stderr = &out, &out
	inGroup(cmd)
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("command did not finish within %s: stopped", ch.Timeout)
	}
	msg := strings.TrimSpace(out.String())
	if msg != "" {
		msg = ": " + oneLine(msg, 300)
	}
	return fmt.Errorf("command %s%s", err, msg)
}

// tail keeps the last 4 KiB written to it.
type tail struct{ b []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = t.b[len(t.b)-4096:]
	}
	return len(p), nil
}

func (t *tail) String() string { return string(t.b) }
