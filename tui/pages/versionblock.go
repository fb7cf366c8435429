package pages

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
)

// A manager who finds a bad version (a failed deployment, usually) blocks it from
// its deployment's page, and lifts the block there or from the list of blocked
// versions: `ferry version block`, `unblock` and `blocked`, without leaving the
// console. The engine decides who may (managers) and keeps both on the audit log.

// newBlockPage blocks component's version, with a reason.
func newBlockPage(c *common.Common, component, version string) *askPage {
	p := newAskPage(c, fmt.Sprintf("Block %s %s", component, version), "reason: ",
		"It can no longer be planned or started anywhere; its planned deployments go into a blocked_version conflict. "+
			"People who try to use it read the reason; the audit log keeps it.",
		func(reason string) (engine.Outcome, error) {
			b, err := c.Eng.BlockVersion(c.Ctx, c.Actor, component, version, reason)
			return engine.Outcome{Did: fmt.Sprintf("blocked %s %s: %s", b.Component, b.Version, b.Reason)}, err
		})
	p.crumb = "block version"
	// Refused as the engine refuses it, naming the field as the form's words do.
	p.empty = "Reason: " + engine.NeedVersionReason(component, version)
	p.input.Placeholder = "why it must go nowhere"
	return p
}

// newUnblockPage lifts the block on component's version, with an optional note.
func newUnblockPage(c *common.Common, b models.BlockedVersion) *askPage {
	component, version := b.Component, b.Version
	p := newAskPage(c, fmt.Sprintf("Unblock %s %s", component, version), "note: ",
		fmt.Sprintf("Blocked by %s %s: %s. Unblocked, it may be planned and started again. "+
			"The note is optional; the audit log keeps it with the block.", b.Actor, c.At(b.At), b.Reason),
		func(note string) (engine.Outcome, error) {
			err := c.Eng.UnblockVersion(c.Ctx, c.Actor, component, version, note)
			return engine.Outcome{Did: fmt.Sprintf("unblocked %s %s", component, version)}, err
		})
	p.crumb, p.optional = "unblock", true
	p.keys.Save.SetHelp("enter", "unblock")
	p.input.Placeholder = "optional: what was fixed"
	return p
}

// whyNoBlock is why the person may not block or unblock a version: the engine's
// refusal (only managers may), "" when they may.
func whyNoBlock(c *common.Common) string {
	return common.Why(engine.Can(c.Actor, engine.ActBlock, nil))
}

// blockedScreen lists the blocked versions, as `ferry version blocked`: who blocked
// each, when and why; u lifts the selected one's block. Opened with b from Where,
// whose matrix marks them ✗.
type blockedScreen struct {
	c      *common.Common
	list   []models.BlockedVersion
	loaded bool
	items  itemList
	w, h   int
	keys   struct{ Unblock key.Binding }
}

type blockedMsg struct {
	list []models.BlockedVersion
	err  error
}

// NewBlocked is the page of blocked versions.
func NewBlocked(c *common.Common) common.Page {
	s := &blockedScreen{c: c}
	s.items = newItemList(c, s.item)
	s.keys.Unblock = key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "unblock"))
	return s
}

func (s *blockedScreen) Title() string   { return "Blocked versions" }
func (s *blockedScreen) Capturing() bool { return false }

// SetSize: the list has the page but its heading and the line under it.
func (s *blockedScreen) SetSize(w, h int) { s.w, s.h = w, h; s.items.SetSize(h - 2) }

func (s *blockedScreen) ShortHelp() []common.Key {
	unblock := common.OffFor(s.keys.Unblock, whyNoBlock(s.c))
	if unblock.Off == "" && len(s.list) == 0 {
		unblock.Off = "no version is blocked"
	}
	return append([]common.Key{common.On(s.c.Keys.Back), unblock}, s.c.Arrows(len(s.list), loadedOr(s.loaded, "no version is blocked"))...)
}

func (s *blockedScreen) FullHelp() [][]common.Key { return [][]common.Key{s.ShortHelp()} }

func (s *blockedScreen) Refresh() tea.Cmd {
	c := s.c
	return func() tea.Msg {
		list, err := c.Eng.BlockedVersions(c.Ctx, c.Actor)
		common.Clean(&list) // stored text is shown, never obeyed
		return blockedMsg{list, err}
	}
}

func (s *blockedScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case blockedMsg:
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		s.list, s.loaded = msg.list, true
		s.items.Load(len(s.list), s.items.Selected())
	case tea.KeyPressMsg:
		if s.items.Update(msg) {
			return nil
		}
		if sel := s.items.Selected(); key.Matches(msg, s.keys.Unblock) && whyNoBlock(s.c) == "" && sel < len(s.list) {
			return common.Push(newUnblockPage(s.c, s.list[sel]))
		}
	}
	return nil
}

func (s *blockedScreen) View() string {
	st := s.c.Styles
	if !s.loaded {
		return st.Dim.Render(" reading the blocked versions…")
	}
	if len(s.list) == 0 {
		out := []string{" " + st.Good.Render("✓ No version is blocked."), ""}
		for _, l := range common.Wrap("A manager blocks a bad version from one of its deployments' pages (B there). esc goes back.", max(1, s.w-2)) {
			out = append(out, " "+st.Dim.Render(l))
		}
		return strings.Join(fitLines(out, s.w, s.h), "\n")
	}
	n := len(s.list)
	head, body := s.items.View(s.w, fmt.Sprintf(" %d blocked version%s: planned and started nowhere until unblocked", n, common.Plural(n)),
		fmt.Sprintf(" %d blocked version%s", n, common.Plural(n)))
	return strings.Join(fitLines(append([]string{head, ""}, body...), s.w, s.h), "\n")
}

// item is a blocked version's lines, marked when it is selected: who blocked it and
// when, then the reason whole (it is why).
func (s *blockedScreen) item(i int, selected bool) []string {
	st, b := s.c.Styles, s.list[i]
	first := marked(st, s.w, selected, func(lead string) []string {
		return common.Hanging(lead, fmt.Sprintf("%s %s  %s", st.Bold.Render(b.Component), b.Version,
			st.Dim.Render("by "+b.Actor+" "+s.c.At(b.At))), s.w)
	})
	return append(first, common.Hanging("    ", b.Reason, s.w)...)
}
