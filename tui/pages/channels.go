package pages

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/models"
	"ferry/tui/common"
)

// channelsScreen is how the notification channels' messages stand: what `ferry
// notify status` prints (the engine's NotifyStatus), each channel's last error
// whole. The dashboard's ✉ item opens it, so a manager whose channel fails learns
// why without leaving the console. Read only: a channel is fixed in config.toml.
type channelsScreen struct {
	c      *common.Common
	focus  string // the channel the dashboard's item named: marked, and scrolled to
	st     []models.ChannelStatus
	loaded bool
	off    int  // lines scrolled down
	placed bool // scrolled to the focus once, after the first load
	w, h   int
}

type channelsMsg struct {
	st  []models.ChannelStatus
	err error
}

// NewChannels is the notification channels' page, opened on channel (may be "").
func NewChannels(c *common.Common, channel string) common.Page {
	return &channelsScreen{c: c, focus: channel}
}

func (s *channelsScreen) Title() string    { return "notification channels" }
func (s *channelsScreen) Capturing() bool  { return false }
func (s *channelsScreen) SetSize(w, h int) { s.w, s.h = w, h; s.off = min(s.off, s.maxOff()) }
func (s *channelsScreen) ShortHelp() []common.Key {
	return []common.Key{common.On(s.c.Keys.Up), common.On(s.c.Keys.Down), common.On(s.c.Keys.Back)}
}
func (s *channelsScreen) FullHelp() [][]common.Key { return [][]common.Key{s.ShortHelp()} }

// Refresh reads the channels' status in the background (NotifyStatus first spreads
// the notices waiting into the outbox, a write).
func (s *channelsScreen) Refresh() tea.Cmd {
	c := s.c
	return func() tea.Msg {
		st, err := c.Eng.NotifyStatus(c.Ctx, c.Actor)
		common.Clean(&st) // stored text (an error a receiver sent back) is shown, never obeyed
		return channelsMsg{st, err}
	}
}

func (s *channelsScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case channelsMsg:
		if msg.err != nil {
			return tea.Batch(common.Back, common.Fail(msg.err))
		}
		s.st, s.loaded = msg.st, true
		if !s.placed { // the channel the item named in sight; later reloads leave the scroll be
			s.placed = true
			s.off = s.focusLine()
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, s.c.Keys.Up):
			s.off = max(0, s.off-1)
		case key.Matches(msg, s.c.Keys.Down):
			s.off++
		}
	}
	s.off = min(s.off, s.maxOff()) // no further than shows the last line at the bottom
	return nil
}

// maxOff is the furthest the page scrolls: its last line at the bottom.
func (s *channelsScreen) maxOff() int { return max(0, len(s.lines())-s.h) }

// focusLine is the line the focused channel's block starts on (0 when it is not
// listed, or fits on the first screen anyway).
func (s *channelsScreen) focusLine() int {
	n := len(s.headLines())
	for _, ch := range s.st {
		b := s.blockLines(ch)
		if ch.Channel == s.focus {
			if n+len(b) <= s.h {
				return 0
			}
			return n
		}
		n += len(b)
	}
	return 0
}

func (s *channelsScreen) View() string {
	if !s.loaded {
		return s.c.Styles.Dim.Render(" loading the notification channels…")
	}
	lines := s.lines()
	lines = lines[min(s.off, len(lines)):min(len(lines), s.off+max(1, s.h))]
	for i, l := range lines {
		lines[i] = common.Fit(l, s.w)
	}
	return strings.Join(lines, "\n")
}

// lines are the whole page at the width; the screen shows h of them from off.
func (s *channelsScreen) lines() []string {
	st := s.c.Styles
	lines := s.headLines()
	if len(s.st) == 0 {
		lines = append(lines, " "+st.Dim.Render(fmt.Sprintf("No notification channels in %s ([[notify.channel]]).",
			s.c.Eng.Config().File)))
	}
	for _, ch := range s.st {
		lines = append(lines, s.blockLines(ch)...)
	}
	return lines
}

// headLines say what the page is and what its words mean, briefly (a phone has
// twenty lines), wrapped to the width.
func (s *channelsScreen) headLines() []string {
	st := s.c.Styles
	out := common.Hanging(" ", st.Bold.Render("Notification channels")+st.Dim.Render(" · as ferry notify status counts them"), s.w)
	return append(out, common.Hanging(" ", "A dead message is not sent again; a channel fails until one is sent on it. "+
		"Their settings are in "+s.c.Eng.Config().File+".", s.w, st.Dim)...)
}

// blockLines are one channel: its name and type and whether it fails, its counts,
// when it last sent, and its last error whole.
func (s *channelsScreen) blockLines(ch models.ChannelStatus) []string {
	st := s.c.Styles
	mark, state := st.Good.Render("✓"), st.Good.Render("working")
	switch {
	case ch.Failing:
		mark, state = st.Bad.Render("✗"), st.Bad.Render("failing")
	case ch.Retrying():
		mark, state = st.Warn.Render("⟳"), st.Warn.Render("retrying: not delivering since its last error")
	case ch.Sent+ch.Dead+ch.Pending == 0:
		mark, state = st.Dim.Render("·"), st.Dim.Render("nothing sent yet")
	}
	lead := " "
	if ch.Channel == s.focus {
		lead = st.Accent.Bold(true).Render("▸")
	}
	out := []string{"", lead + mark + " " + st.Bold.Render(ch.Channel) + "  " + ch.Type + "  " + state}
	field := func(k, v string, paint ...lipgloss.Style) {
		out = append(out, common.Hanging("   "+st.Dim.Render(common.Fit(k, 12))+" ", v, s.w, paint...)...)
	}
	field("messages", fmt.Sprintf("%s pending · %s sent · %s dead", common.Thousands(ch.Pending),
		common.Thousands(ch.Sent), common.Thousands(ch.Dead)))
	if ch.Pending > 0 {
		field("oldest", "waiting since "+s.c.At(ch.OldestPending))
	}
	field("last sent", s.when(ch.LastSentAt))
	if !ch.LastDeadAt.IsZero() {
		field("last died", s.when(ch.LastDeadAt))
	}
	if ch.LastError != "" {
		field("last error", s.when(ch.LastErrorAt)+": "+ch.LastError, st.Bad)
	}
	return out
}

// when is a time in the organisation's zone, or "never".
func (s *channelsScreen) when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return s.c.At(t)
}
