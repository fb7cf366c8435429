package pages

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
)

// releasesScreen lists the releases, newest first, with their status in each
// environment; m plans the selected one into an environment (p, everywhere, plans
// a deployment or a release), enter opens its
// newest deployment. Opened with r from Where.
type releasesScreen struct {
	c      *common.Common
	w, h   int
	list   []engine.ReleaseView
	loaded bool
	sel    int
	keys   struct{ Plan, New key.Binding }
}

type releasesMsg struct {
	list []engine.ReleaseView
	err  error
}

// NewReleases is the Releases page.
func NewReleases(c *common.Common) common.Page {
	s := &releasesScreen{c: c}
	s.keys.Plan = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "plan it"))
	s.keys.New = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new release"))
	return s
}

func (s *releasesScreen) Title() string    { return "Releases" }
func (s *releasesScreen) Capturing() bool  { return false }
func (s *releasesScreen) SetSize(w, h int) { s.w, s.h = w, h }

func (s *releasesScreen) ShortHelp() []common.Key {
	mayPlan := common.Why(engine.Can(s.c.Actor, engine.ActPlan, nil))
	open, plan, create := common.On(s.c.Keys.Open), common.OffFor(s.keys.Plan, mayPlan), common.OffFor(s.keys.New, common.Why(engine.CanCreateRelease(s.c.Actor)))
	if s.sel >= len(s.list) {
		plan.Off = cmpText(plan.Off, "no release yet: n creates one")
	}
	if s.sel >= len(s.list) || len(s.list[s.sel].Deployments) == 0 {
		open.Off = "the release is planned nowhere yet"
	}
	return slices.Concat([]common.Key{common.On(s.c.Keys.Back)}, s.c.Arrows(len(s.list), loadedOr(s.loaded, "no release yet")),
		[]common.Key{open, plan, create})
}

func cmpText(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *releasesScreen) FullHelp() [][]common.Key { return [][]common.Key{s.ShortHelp()} }

func (s *releasesScreen) Refresh() tea.Cmd {
	c := s.c
	return func() tea.Msg {
		list, err := c.Eng.Releases(c.Ctx, c.Actor)
		return releasesMsg{list, err}
	}
}

func (s *releasesScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case releasesMsg:
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		s.list, s.loaded = msg.list, true
		s.sel = min(s.sel, max(0, len(s.list)-1))
	case tea.KeyPressMsg:
		k := s.c.Keys
		switch {
		case key.Matches(msg, k.Up) && s.sel > 0:
			s.sel--
		case key.Matches(msg, k.Down) && s.sel < len(s.list)-1:
			s.sel++
		case key.Matches(msg, k.Open) && s.sel < len(s.list) && len(s.list[s.sel].Deployments) > 0:
			ds := s.list[s.sel].Deployments
			return common.Push(NewDetail(s.c, ds[len(ds)-1].ID))
		case key.Matches(msg, s.keys.Plan) && s.sel < len(s.list):
			if why := common.Why(engine.Can(s.c.Actor, engine.ActPlan, nil)); why != "" {
				return common.Fail(fmt.Errorf("%s", why))
			}
			return common.Push(NewReleasePlan(s.c, s.list[s.sel].Name))
		case key.Matches(msg, s.keys.New) && engine.CanCreateRelease(s.c.Actor) == nil:
			s.sel = 0 // the new one comes first: newest first
			return common.Push(newReleaseForm(s.c))
		}
	}
	return nil
}

func (s *releasesScreen) View() string {
	st := s.c.Styles
	if !s.loaded {
		return st.Dim.Render(" reading the releases…")
	}
	if len(s.list) == 0 {
		how := "n creates one: a name, and a version of each of its components"
		if engine.Can(s.c.Actor, engine.ActPlan, nil) != nil {
			how = "a planner creates them"
		}
		// Wrapped: on a phone the line was wider than the screen.
		lines := []string{" No releases yet.", ""}
		for _, l := range common.Wrap(how+". esc goes back to Where.", max(1, s.w-2)) {
			lines = append(lines, " "+st.Dim.Render(l))
		}
		return strings.Join(lines, "\n")
	}
	envs := s.c.Eng.Config().Environments
	name := min(18, max(8, s.w/5))
	count := s.w >= 80 // the number of components, when there is room
	cw := max(5, (s.w-name-2-countWidth(count))/max(1, len(envs)))
	head := "  " + common.Fit("release", name)
	if count {
		head += " " + common.Fit("#", 3)
	}
	for _, e := range envs {
		head += " " + common.Fit(e.Name, cw-1)
	}
	lines := []string{common.Fit(fmt.Sprintf(" %d release%s · status in each environment", len(s.list), common.Plural(len(s.list))), s.w),
		st.Bold.Render(common.Fit(head, s.w))}
	foot := s.foot()
	room := max(1, s.h-2-len(foot))
	off := max(0, s.sel-room+1)
	for i := off; i < len(s.list) && i < off+room; i++ {
		lines = append(lines, s.row(s.list[i], i == s.sel, name, cw, count))
	}
	return strings.Join(append(lines, foot...), "\n")
}

func countWidth(shown bool) int {
	if shown {
		return 4
	}
	return 0
}

func (s *releasesScreen) row(v engine.ReleaseView, selected bool, name, cw int, count bool) string {
	lead := "  "
	if selected {
		lead = "▸ "
	}
	line := lead + common.Fit(v.Name, name)
	if count {
		line += " " + common.Fit(fmt.Sprint(len(v.Components)), 3)
	}
	for _, at := range v.Status {
		word := releaseWord(s.c, at.Status)
		if lipgloss.Width(word) > cw-1 { // a phone: "✗ partly failed" was cut to "✗ partly …"
			word = releaseShort(s.c, at.Status)
		}
		line += " " + common.Fit(word, cw-1)
	}
	if selected {
		return s.c.Styles.Select(common.Fit(line, s.w))
	}
	return common.Fit(line, s.w)
}

// releaseWord is a status in a word and a glyph, coloured by what it means.
func releaseWord(c *common.Common, s models.ReleaseStatus) string {
	st := c.Styles
	switch s {
	case models.ReleaseDone:
		return st.Good.Render("✓ done")
	case models.ReleaseRunning:
		return st.Warn.Render("▸ running")
	case models.ReleasePartlyFailed:
		return st.Bad.Render("✗ partly failed")
	case models.ReleasePlanned:
		return "○ planned"
	case models.ReleaseCancelled:
		return st.Dim.Render("× cancelled") // with its glyph, as the others, and the Schedule's ×
	}
	return st.Dim.Render("—")
}

// releaseShort is releaseWord for a narrow column: the glyph and the word's start,
// whole words ("✗ partly", "× cancel"), the glyph saying the rest.
func releaseShort(c *common.Common, s models.ReleaseStatus) string {
	st := c.Styles
	switch s {
	case models.ReleasePartlyFailed:
		return st.Bad.Render("✗ partly")
	case models.ReleaseCancelled:
		return st.Dim.Render("× cancel")
	}
	return releaseWord(c, s)
}

// foot is the selected release's components and change, in words.
func (s *releasesScreen) foot() []string {
	v := s.list[s.sel]
	comps := make([]string, len(v.Components))
	for i, c := range v.Components {
		comps[i] = c.Component + " " + c.Version
	}
	out := []string{"", common.Fit(" "+strings.Repeat("─", max(0, s.w-2)), s.w)}
	what := fmt.Sprintf("%s: %s", v.Name, strings.Join(comps, ", "))
	if v.ChangeRef != "" {
		what += " · " + v.ChangeRef
	}
	for _, l := range common.Wrap(what, s.w-2) {
		out = append(out, " "+l)
	}
	if v.Notes != "" {
		for _, l := range common.Wrap(v.Notes, s.w-2) {
			out = append(out, " "+s.c.Styles.Dim.Render(l))
		}
	}
	return out
}
