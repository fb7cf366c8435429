package pages

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/common"
)

// livePreview is what a form keeps to preview what saving would do (the deployment,
// edit and release forms): a preview is asked for once the fields changed and then
// rested for previewDelay, so typing a version asks once, not once a keystroke; an
// answer to values changed since is dropped, its generation being old.
type livePreview struct {
	asked string // the values the last preview was asked for
	gen   int
}

// previewDelay is how long the fields must rest before a preview is asked for.
const previewDelay = 250 * time.Millisecond

// changed notes the fields' values (key) and whether they can be previewed at all:
// ask says a preview is due, clear that the one shown is of values no longer there
// (a field is not valid now) and must go rather than mislead.
func (lp *livePreview) changed(key string, ok bool) (ask, clear bool) {
	switch {
	case !ok:
		if lp.asked == "" {
			return false, false
		}
		lp.asked = ""
		lp.gen++ // a preview on its way is of other values
		return false, true
	case key == lp.asked:
		return false, false
	}
	lp.asked = key
	lp.gen++
	return true, false
}

// again forgets what was asked, so that the same values are previewed anew (after
// a refresh: what they clash with may have changed).
func (lp *livePreview) again() { lp.asked = "" }

// after brings back the message due makes, once the fields rested.
func (lp *livePreview) after(due func(gen int) tea.Msg) tea.Cmd {
	gen := lp.gen
	return tea.Tick(previewDelay, func(time.Time) tea.Msg { return due(gen) })
}

// current reports whether a due or an answer of generation gen is still wanted.
func (lp *livePreview) current(gen int) bool { return gen == lp.gen }

// previewRows is how many lines the preview keeps under a narrow form: the form
// scrolls to its field in focus instead, so a refusal or a conflict is always read.
const previewRows = 6

// formBesideHeight is the height of a form with a preview in a w×h page (beside):
// beside the preview the page's height; above it, what the preview leaves.
func formBesideHeight(w, h int) int {
	if w >= 100 {
		return max(6, h-2)
	}
	return max(6, h-3-previewRows)
}

// beside lays a form out with its preview: to its right from 100 columns (the
// form takes 64 and a gap), under it on a narrower screen, in the rows it leaves.
func beside(form string, w, h int, preview func(w, h int) []string) string {
	if w < 100 {
		return form + "\n" + strings.Join(preview(w-2, h-lipgloss.Height(form)-1), "\n")
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, form, "  ", strings.Join(preview(max(20, w-66), h), "\n"))
}

// previewConflicts adds the conflicts a preview found to out: each whole, as many as
// fit in h lines of w cells, then how many more there are and of which kinds (when
// none fits, how many there are: "✗ 3 conflicts: capacity, …"); or that there are
// none.
func previewConflicts(st common.Styles, out []string, cs []models.Conflict, w, h int) []string {
	if len(cs) == 0 {
		return append(out, st.Good.Render("✓ no conflicts"))
	}
	for i, c := range cs { // the engine calls the previewed plan "this plan"
		lines := common.Hanging(st.Bad.Render("✗ "+common.KindWords(c.Kind))+" ", c.Message, w)
		if left := len(cs) - i; len(out)+len(lines) > h || (left > 1 && len(out)+len(lines) == h) {
			more := fmt.Sprintf("… %d more conflict%s: %s", left, common.Plural(left), kindsBrief(cs[i:]))
			if i == 0 { // none has room: "more" than none read as if some were shown
				more = fmt.Sprintf("✗ %d conflict%s: %s", left, common.Plural(left), kindsBrief(cs))
			}
			return append(out, st.Bad.Render(common.Fit(more, w)))
		}
		out = append(out, lines...)
	}
	return out
}

// kindsBrief names conflicts by kind, with how many of each, in the order they
// come: "promotion, capacity ×2". On a phone the preview has room for no message
// whole, and "… 1 more conflict" alone said nothing of what was wrong.
func kindsBrief(cs []models.Conflict) string {
	words := make([]string, len(cs))
	for i, c := range cs {
		words[i] = common.KindWords(c.Kind)
	}
	return engine.Tally(words)
}
