package pages

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
)

// The improvement register in the console: what a review teaches becomes a proposed
// change to a model, which a manager approves or rejects, a practitioner carries out
// in a new version of the model, and a manager verifies once that version's effect is
// measured. The same engine acts as `ferry improvement add|list|show|set`; the engine
// says who may do what, and the keys say its reasons.

// improvementMove is one way an improvement moves on, and its key.
type improvementMove struct {
	to  models.ImprovementStatus
	key key.Binding
}

// improvementMoves are the moves the console offers, in the order an improvement
// makes them. Reject is a capital, as other final acts are (X, B).
func improvementMoves() []improvementMove {
	mk := func(to models.ImprovementStatus, k, help string) improvementMove {
		return improvementMove{to, key.NewBinding(key.WithKeys(k), key.WithHelp(k, help))}
	}
	return []improvementMove{mk(models.ImprovementApproved, "a", "approve"),
		mk(models.ImprovementInProgress, "g", "work started"), mk(models.ImprovementImplemented, "i", "implemented"),
		mk(models.ImprovementVerified, "v", "verify"), mk(models.ImprovementRejected, "R", "reject")}
}

// whyNoMove is why the person may not move im to to: the engine's rule; im is nil
// while nothing is there to move.
func whyNoMove(c *common.Common, im *models.Improvement, to models.ImprovementStatus, none string, eff *engine.VersionEffect) string {
	if im == nil {
		return none
	}
	err := engine.MayMoveImprovement(c.Actor, *im, to)
	if err == nil && to == models.ImprovementVerified && eff != nil { // measured: said before the form opens
		err = engine.NotMeasuredYet(*im, *eff)
	}
	return common.Why(err)
}

// whyNoPropose: the engine says who proposes improvements.
func whyNoPropose(c *common.Common) string { return common.Why(engine.MayPropose(c.Actor)) }

// moveKeys are the moves' keys for im, each off with its reason.
// eff is the effect of its version, when the page has it (nil: the engine says after).
func moveKeys(c *common.Common, moves []improvementMove, im *models.Improvement, none string, eff *engine.VersionEffect) []common.Key {
	out := make([]common.Key, len(moves))
	for i, m := range moves {
		out[i] = common.OffFor(m.key, whyNoMove(c, im, m.to, none, eff))
	}
	return out
}

// moveFor opens what a move's key asks, when the move is on; nil otherwise.
func moveFor(c *common.Common, moves []improvementMove, im *models.Improvement, eff *engine.VersionEffect, msg tea.KeyPressMsg) tea.Cmd {
	for _, m := range moves {
		if key.Matches(msg, m.key) && whyNoMove(c, im, m.to, "-", eff) == "" {
			if m.to == models.ImprovementImplemented {
				return common.Push(newImplementedForm(c, *im))
			}
			return common.Push(newMovePage(c, *im, m.to))
		}
	}
	return nil
}

// newMovePage moves im to status to, with an optional note for the record.
func newMovePage(c *common.Common, im models.Improvement, to models.ImprovementStatus) *askPage {
	hints := map[models.ImprovementStatus]string{
		models.ImprovementApproved:   "Approved, it is to be carried out in a new version of the model.",
		models.ImprovementInProgress: "Someone is changing the model for it.",
		models.ImprovementVerified:   fmt.Sprintf("Verified once its version's effect is measured (%d of its deployments finished); verified is final.", engine.VerifyMinimum),
		models.ImprovementRejected:   "Rejected is final: it stays in the register as rejected.",
	}
	p := newAskPage(c, fmt.Sprintf("Improvement %d %s: %s", im.ID, to.Words(), im.Title), "note: ",
		hints[to]+" The note is optional; the audit log keeps it.",
		func(note string) (engine.Outcome, error) {
			got, err := c.Eng.SetImprovement(c.Ctx, c.Actor, im.ID, to, note, 0)
			return engine.Outcome{Did: engine.ImprovementSetText(got, "")}, err
		})
	p.crumb, p.optional = to.Words(), true
	p.keys.Save.SetHelp("enter", to.Words())
	p.input.Placeholder = "optional: why, for the record"
	return p
}

// improvementsScreen is the register, oldest first as `ferry improvement list` has
// it: each improvement's status, model, what should change, who proposed it when,
// the deployments it came from. Opened with i from Reports (where the models'
// success rates are) and from a deployment's page.
type improvementsScreen struct {
	c      *common.Common
	list   []models.Improvement
	loaded bool
	items  itemList
	want   int64  // one just proposed here: selected once loaded
	cols   [3]int // the widths of the ID, status and model columns, for the widest of the list's
	w, h   int
	moves  []improvementMove
	keys   struct{ Propose key.Binding }
	// effects are the measured effects of the implemented ones' versions, by ID.
	effects map[int64]engine.VersionEffect
}

type improvementsMsg struct {
	list    []models.Improvement
	effects map[int64]engine.VersionEffect // of the implemented ones' versions
	err     error
}

// proposedMsg tells the page a propose form was opened over that it proposed im.
type proposedMsg struct{ im models.Improvement }

// NewImprovements is the improvement register.
func NewImprovements(c *common.Common) common.Page {
	s := &improvementsScreen{c: c, moves: improvementMoves()}
	s.items = newItemList(c, s.item)
	s.keys.Propose = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "propose"))
	return s
}

func (s *improvementsScreen) Title() string   { return "Improvements" }
func (s *improvementsScreen) Capturing() bool { return false }

// SetSize: the list has the page but its heading and the line under it.
func (s *improvementsScreen) SetSize(w, h int) { s.w, s.h = w, h; s.items.SetSize(h - 2) }

// selected is the improvement under the cursor, nil when there is none.
func (s *improvementsScreen) selected() *models.Improvement {
	if sel := s.items.Selected(); sel < len(s.list) {
		return &s.list[sel]
	}
	return nil
}

// effect is the selected improvement's version's measured effect, nil when it has none.
func (s *improvementsScreen) effect() *engine.VersionEffect {
	if im := s.selected(); im != nil {
		if eff, ok := s.effects[im.ID]; ok {
			return &eff
		}
	}
	return nil
}

func (s *improvementsScreen) none() string {
	if !s.loaded {
		return loading
	}
	return "the register is empty: n proposes an improvement"
}

func (s *improvementsScreen) ShortHelp() []common.Key {
	open := common.On(s.c.Keys.Open)
	if s.selected() == nil {
		open.Off = s.none()
	}
	// The keys that act on the selection (its moves, then enter) ahead of propose and
	// the arrows: a footer too short for all drops the last, and at 60 columns it
	// dropped approve and reject for propose.
	keys := append([]common.Key{common.On(s.c.Keys.Back)}, moveKeys(s.c, s.moves, s.selected(), s.none(), s.effect())...)
	keys = append(keys, open, common.OffFor(s.keys.Propose, whyNoPropose(s.c)))
	return append(keys, s.c.Arrows(len(s.list), s.none())...)
}

func (s *improvementsScreen) FullHelp() [][]common.Key { return [][]common.Key{s.ShortHelp()} }

// HelpNotes says what the statuses mean, for one with no README at hand.
func (s *improvementsScreen) HelpNotes(w int) []string {
	return common.Wrap("An improvement moves proposed → approved → in progress → implemented (in a model version) → "+
		fmt.Sprintf("verified, or is rejected. Practitioners propose and carry it out; managers approve, reject and verify, "+
			"once %d deployments on its version have finished.", engine.VerifyMinimum), w)
}

func (s *improvementsScreen) Refresh() tea.Cmd {
	c := s.c
	return func() tea.Msg {
		list, err := c.Eng.Improvements(c.Ctx, c.Actor, "")
		var effects map[int64]engine.VersionEffect
		if err == nil {
			effects, err = c.Eng.ImplementedEffects(c.Ctx, c.Actor, list)
		}
		common.Clean(&list) // stored text is shown, never obeyed
		return improvementsMsg{list, effects, err}
	}
}

func (s *improvementsScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case improvementsMsg:
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		s.list, s.effects, s.loaded = msg.list, msg.effects, true
		s.cols = [3]int{}
		for _, im := range s.list {
			for i, cell := range s.cells(im) {
				s.cols[i] = max(s.cols[i], lipgloss.Width(cell))
			}
		}
		sel := s.items.Selected()
		if i := slices.IndexFunc(s.list, func(im models.Improvement) bool { return im.ID == s.want }); i >= 0 {
			sel, s.want = i, 0
		}
		s.items.Load(len(s.list), sel)
	case proposedMsg:
		s.want = msg.im.ID
		return s.Refresh()
	case tea.KeyPressMsg:
		return s.key(msg)
	}
	return nil
}

func (s *improvementsScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	if s.items.Update(msg) {
		return nil
	}
	switch {
	case key.Matches(msg, s.c.Keys.Open) && s.selected() != nil:
		return common.Push(newImprovementPage(s.c, s.selected().ID))
	case key.Matches(msg, s.keys.Propose) && whyNoPropose(s.c) == "":
		return common.Push(newProposeForm(s.c, nil))
	}
	return moveFor(s.c, s.moves, s.selected(), s.effect(), msg)
}

func (s *improvementsScreen) View() string {
	st := s.c.Styles
	if !s.loaded {
		return st.Dim.Render(" reading the improvement register…")
	}
	if len(s.list) == 0 {
		out := []string{" " + st.Dim.Render("No improvements yet."), ""}
		for _, l := range common.Wrap("What a review teaches becomes a proposed change to a model: n here, or n on a "+
			"reviewed deployment's page. esc goes back.", max(1, s.w-2)) {
			out = append(out, " "+st.Dim.Render(l))
		}
		return strings.Join(fitLines(out, s.w, s.h), "\n")
	}
	head, body := s.items.View(s.w, s.counts()...)
	return strings.Join(fitLines(append([]string{head, ""}, body...), s.w, s.h), "\n")
}

// counts are the headings, longest first: how many, and how many in each status;
// how many alone.
func (s *improvementsScreen) counts() []string {
	n := len(s.list)
	head := fmt.Sprintf(" %d improvement%s", n, common.Plural(n))
	var parts []string
	for _, st := range models.ImprovementStatuses {
		if k := s.count(st); k > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", k, st.Words()))
		}
	}
	return []string{head + ": " + strings.Join(parts, ", "), head}
}

func (s *improvementsScreen) count(st models.ImprovementStatus) int {
	n := 0
	for _, im := range s.list {
		if im.Status == st {
			n++
		}
	}
	return n
}

// cells are an improvement's ID, status and model, each in a column as wide as the
// widest of the register's, so that they line up whatever the status's word or the
// ID's digits; what should change follows them.
func (s *improvementsScreen) cells(im models.Improvement) [3]string {
	st := s.c.Styles
	return [3]string{fmt.Sprint(im.ID), statusMark(st, im.Status), st.Bold.Render(im.Model)}
}

// registerTitle is the least room the register keeps for what should change beside
// the ID, status and model columns; with less (a phone) it goes narrow: at 60
// columns a title beside them wrapped to three lines of 24 cells.
const registerTitle = 40

// narrow reports whether the register writes each improvement's title on its own
// line, its status, model and the rest under it (see item).
func (s *improvementsScreen) narrow() bool {
	lead := 2 + s.cols[0] + 1 + s.cols[1] + 1 + s.cols[2] + 2 // the mark, ID, status, model, and the gap after it
	return s.w-lead < registerTitle
}

// item is improvement i's lines, marked when it is selected. Wide: its number,
// status, model and what should change (whole: it is the improvement, its lines
// wrapped under its first word), then who proposed it and when, where it came from,
// who carries it out, the version that carries it, under the status. Narrow: its
// number and what should change across the line (wrapped under its first word),
// then under it its status, model, owner and version on one line and who proposed
// it when and where from on the next, each cut with … rather than wrapped: "· owner"
// at a line's end and "sam" under it read as two things.
func (s *improvementsScreen) item(i int, selected bool) []string {
	st, im := s.c.Styles, s.list[i]
	c := s.cells(im)
	id := strings.Repeat(" ", max(0, s.cols[0]-lipgloss.Width(c[0]))) + c[0] // numbers line up at the right
	under := strings.Repeat(" ", 2+s.cols[0]+1)                              // under what follows the ID
	if s.narrow() {
		lines := marked(st, s.w, selected, func(lead string) []string {
			return common.Hanging(lead+id+" ", im.Title, s.w)
		})
		dot := st.Dim.Render(" · ")
		what := c[1] + dot + c[2]
		if carried := s.carried(im); len(carried) > 0 {
			what += dot + st.Dim.Render(strings.Join(carried, " · "))
		}
		return append(lines, common.Fit(under+what, s.w), common.Fit(under+st.Dim.Render(strings.Join(s.origin(im), " · ")), s.w))
	}
	cols := id + " " + common.Fit(c[1], s.cols[1]) + " " + common.Fit(c[2], s.cols[2]) + "  "
	first := marked(st, s.w, selected, func(lead string) []string {
		return common.Hanging(lead+cols, im.Title, s.w)
	})
	facts := strings.Join(append(s.origin(im), s.carried(im)...), " · ")
	return append(first, common.Hanging(under, st.Dim.Render(facts), s.w)...)
}

// origin is who proposed im and when, and the deployments it came from.
func (s *improvementsScreen) origin(im models.Improvement) []string {
	parts := []string{"by " + im.CreatedBy + " " + s.c.At(im.CreatedAt)}
	if len(im.From) > 0 {
		parts = append(parts, "from "+idsWords(im.From))
	}
	return parts
}

// carried is who carries im out and the version that carries it, when there are.
func (s *improvementsScreen) carried(im models.Improvement) []string {
	var parts []string
	if im.Owner != "" {
		parts = append(parts, "owner "+im.Owner)
	}
	if im.InVersion != 0 {
		parts = append(parts, fmt.Sprintf("in v%d", im.InVersion))
	}
	return parts
}

// statusMark is a status in a word and a glyph, so it reads without colour.
func statusMark(st common.Styles, s models.ImprovementStatus) string {
	switch s {
	case models.ImprovementVerified:
		return st.Good.Render("✓ verified")
	case models.ImprovementRejected:
		return st.Dim.Render("✗ rejected")
	case models.ImprovementImplemented:
		return st.Good.Render("● implemented")
	case models.ImprovementInProgress:
		return st.Accent.Render("◐ in progress")
	case models.ImprovementApproved:
		return st.Accent.Render("◎ approved")
	}
	return st.Warn.Render("○ proposed")
}

// idsWords is deployments as their numbers: "#2, #7".
func idsWords(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprintf("#%d", id)
	}
	return strings.Join(s, ", ")
}

// improvementPage is one improvement as `ferry improvement show` prints it: what it
// changes, in which model and version, its status, owner and the deployments it came
// from, the measured effect of the version that carries it beside the version before,
// and its history from the audit log. enter opens the deployment it came from.
type improvementPage struct {
	c      *common.Common
	id     int64
	v      engine.ImprovementView
	loaded bool
	vp     viewport.Model
	w, h   int
	moves  []improvementMove
}

type improvementMsg struct {
	v   engine.ImprovementView
	err error
}

func newImprovementPage(c *common.Common, id int64) *improvementPage {
	return &improvementPage{c: c, id: id, moves: improvementMoves(),
		vp: viewport.New(viewport.WithWidth(80), viewport.WithHeight(10))}
}

func (p *improvementPage) Title() string   { return fmt.Sprintf("improvement %d", p.id) }
func (p *improvementPage) Capturing() bool { return false }

func (p *improvementPage) im() *models.Improvement {
	if !p.loaded {
		return nil
	}
	return &p.v.Improvement
}

// effect is its version's measured effect, once loaded (nil: none to say).
func (p *improvementPage) effect() *engine.VersionEffect {
	if !p.loaded {
		return nil
	}
	return p.v.Effect
}

func (p *improvementPage) ShortHelp() []common.Key {
	open := common.On(p.c.Keys.Open)
	open.SetHelp("enter", "its deployment")
	switch {
	case !p.loaded:
		open.Off = loading
	case len(p.v.From) == 0:
		open.Off = fmt.Sprintf("improvement %d came from no deployment", p.id)
	}
	keys := append([]common.Key{common.On(p.c.Keys.Back)}, moveKeys(p.c, p.moves, p.im(), loading, p.effect())...)
	return append(keys, open, common.On(p.c.Keys.Up), common.On(p.c.Keys.Down))
}

func (p *improvementPage) FullHelp() [][]common.Key { return [][]common.Key{p.ShortHelp()} }

func (p *improvementPage) SetSize(w, h int) {
	p.w, p.h = w, h
	sizeScrolled(&p.vp, w, h, p.loaded, p.content)
}

func (p *improvementPage) Refresh() tea.Cmd {
	c, id := p.c, p.id
	return func() tea.Msg {
		v, err := c.Eng.Improvement(c.Ctx, c.Actor, id)
		common.Clean(&v) // stored text is shown, never obeyed
		return improvementMsg{v, err}
	}
}

func (p *improvementPage) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case improvementMsg:
		if msg.err != nil {
			return tea.Batch(common.Back, common.Fail(msg.err))
		}
		p.v, p.loaded = msg.v, true
		setScrolled(&p.vp, p.content(), p.h)
	case tea.KeyPressMsg:
		if key.Matches(msg, p.c.Keys.Open) && p.loaded && len(p.v.From) > 0 {
			return common.Push(NewDetail(p.c, p.v.From[0]))
		}
		if cmd := moveFor(p.c, p.moves, p.im(), p.effect(), msg); cmd != nil {
			return cmd
		}
		var cmd tea.Cmd
		p.vp, cmd = p.vp.Update(msg)
		return cmd
	}
	return nil
}

func (p *improvementPage) View() string {
	if !p.loaded {
		return p.c.Styles.Dim.Render(fmt.Sprintf(" loading improvement %d…", p.id))
	}
	return scrolledView(p.c.Styles, &p.vp)
}

// content is the whole page, in the order `improvement show` prints it; the viewport
// scrolls it, its last row saying what is out of sight (setScrolled).
func (p *improvementPage) content() string {
	st, v := p.c.Styles, p.v
	var b strings.Builder
	writeLines(&b, common.Hanging(" ", st.Bold.Render(fmt.Sprintf("Improvement %d", v.ID))+"  "+v.Title, p.w))
	field := func(k, val string) { writeLines(&b, common.Hanging(" "+st.Dim.Render(common.Fit(k, 9))+" ", val, p.w)) }
	field("model", v.Model+", "+engine.VersionText(v.Improvement))
	field("status", statusMark(st, v.Status))
	field("proposed", "by "+v.CreatedBy+" "+p.c.At(v.CreatedAt))
	field("owner", common.Dash(v.Owner))
	from := "—"
	if len(v.From) > 0 {
		from = idsWords(v.From)
	}
	field("from", from)
	if v.Effect != nil {
		field("effect", engine.EffectText(v.Model, *v.Effect))
		if v.Before != nil {
			field("before", engine.EffectText(v.Model, *v.Before))
		}
	}
	fmt.Fprintf(&b, "\n %s\n", st.Bold.Render("History"))
	for _, h := range v.History {
		writeLines(&b, common.Beside(fmt.Sprintf("  %s  %s ", st.Dim.Render(p.c.Local(h.At, "02 Jan 15:04")),
			common.Fit(h.Actor, 6)), h.Detail, p.w, 30))
	}
	return b.String()
}

// improvementsFrom are the improvements of model's register that came from
// deployment id, for its page. The page is its record first: one who may not read
// the register (or a model no longer configured) sees the record without them.
func improvementsFrom(c *common.Common, model string, id int64) ([]models.Improvement, error) {
	list, err := c.Eng.Improvements(c.Ctx, c.Actor, model)
	if err != nil {
		return nil, nil // see above
	}
	var out []models.Improvement
	for _, im := range list {
		if slices.Contains(im.From, id) {
			out = append(out, im)
		}
	}
	return out, nil
}
