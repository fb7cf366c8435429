package pages_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"ferry/engine/notify"
	"ferry/models"
	"ferry/tui/internal/tuitest"
)

// TestDashboardOpensAFailingChannel: a notification channel whose last message died
// is in a manager's Needs you, and enter on it shows, in the console, what `ferry
// notify status` prints of it (the engine's NotifyStatus): its messages pending,
// sent and dead, and its last error whole. The item sent the manager to the CLI.
func TestDashboardOpensAFailingChannel(t *testing.T) {
	t.Parallel()
	const why = "hooks.example.org refused the connection on port 443 while the proxy was being replaced"
	for _, sz := range [][2]int{{120, 35}, {60, 20}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			t.Parallel()
			c := newTestCommon(t, "ana")
			cfg := c.Eng.Config()
			cfg.Notify.Channels = append(cfg.Notify.Channels, models.Channel{Name: "ops-hook", Type: models.ChannelCommand,
				Run: "echo '" + why + "' >&2; exit 7", Dir: t.TempDir(), Timeout: 10 * time.Second})
			d, err := c.Eng.TestChannel(c.Ctx, c.Actor, "ops-hook", "", notify.NewSender("ferry/test"))
			if err != nil || d.Err == nil {
				t.Fatalf("the test message should die: %+v %v", d, err)
			}
			m := New(c)
			m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			load(m, m.Top().Refresh())
			marked := func() string { return lineWith(screenText(m), "▸ ") }
			for i := 0; i < 30 && !strings.Contains(marked(), "✉"); i++ {
				press(m, "down")
			}
			if !strings.Contains(marked(), "✉ ops-hook") {
				t.Fatalf("the cursor never reaches the channel's item:\n%s", screenText(m))
			}
			if got := screenText(m); strings.Contains(got, "ferry notify status") {
				t.Fatalf("Needs you should point to no CLI:\n%s", got)
			}
			press(m, "enter")
			fits(t, m, "the channels", sz[0], sz[1])
			got := screenText(m)
			for _, want := range []string{"Notification channels", "ops-hook", "command", "failing",
				"0 pending · 0 sent · 1 dead", why} {
				if !tuitest.Whole(got, want) {
					t.Errorf("the channel's page lacks %q:\n%s", want, got)
				}
			}
			press(m, "esc")
			if got := screenText(m); !strings.Contains(got, "✉") {
				t.Errorf("esc goes back to the dashboard:\n%s", got)
			}
		})
	}
}
