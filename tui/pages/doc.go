// Package pages holds every page of the console: the screens a person switches
// between (Dashboard, History, Schedule, Conflicts, Reports, My work) and the pages
// opened over them (a deployment, its run view, checklist and output, the resolve
// panel, the forms). One package, so that a page can build the page it opens and
// push it. Pages read the engine in tea.Cmds, never in Update or View.
package pages

// loading is why a page's keys are off before its data arrived.
const loading = "still loading"

// loadedOr is why, once the page is loaded; until then, that it is still loading.
func loadedOr(loaded bool, why string) string {
	if !loaded {
		return loading
	}
	return why
}
