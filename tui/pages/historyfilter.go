package pages

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"ferry/models"
	"ferry/tui/common"
)

// statusChoice is one way to narrow by status: a word and the statuses it means.
type statusChoice struct {
	label    string
	statuses []models.Status
}

// statusChoices are the status filters; `s` cycles the first presetStatuses, the
// filter form offers them all.
var statusChoices = []statusChoice{
	{"", nil},
	{"planned", []models.Status{models.StatusPlanned}},
	{"running", models.UnderWay},
	{"succeeded", []models.Status{models.StatusSucceeded}},
	{"failed or rolled back", []models.Status{models.StatusFailed, models.StatusRolledBack}},
	{"cancelled", []models.Status{models.StatusCancelled}},
	{"failed", []models.Status{models.StatusFailed}},
	{"rolled back", []models.Status{models.StatusRolledBack}},
	{"verifying components", []models.Status{models.StatusVerifyingComponents}},
	{"verifying environment", []models.Status{models.StatusVerifyingEnvironment}},
	{"executing", []models.Status{models.StatusExecuting}},
	{"verifying deployment", []models.Status{models.StatusVerifyingDeployment}},
}

const presetStatuses = 6

func statusesOf(label string) []models.Status {
	for _, c := range statusChoices {
		if c.label == label {
			return c.statuses
		}
	}
	return nil
}

// nextStatus is the preset after label (any non-preset goes back to all).
func nextStatus(label string) string {
	for i, c := range statusChoices[:presetStatuses] {
		if c.label == label {
			return statusChoices[(i+1)%presetStatuses].label
		}
	}
	return ""
}

// historyFilter is everything the History screen narrows by, as the person typed
// or picked it ("" is any). The filter form edits a copy; apply takes it.
type historyFilter struct {
	From, Until                              string // a day, a local time or RFC 3339
	Env, Status, Kind, Service, Component    string
	Model, ModelVersion, Assignee, Requester string
	Change, Search                           string
	Oldest                                   bool
}

// active reports whether anything narrows the list (the order does not).
func (f historyFilter) active() bool {
	g := f
	g.Oldest = false
	return g != historyFilter{}
}

// span reads From and Until: Until as a day includes that day, so "from 2026-11-01
// until 2026-11-30" is the whole of November.
func (f historyFilter) span(loc *time.Location) (from, to time.Time, err error) {
	if strings.TrimSpace(f.From) != "" {
		if from, _, err = models.ParseDate(f.From, loc); err != nil {
			return from, to, err
		}
	}
	if strings.TrimSpace(f.Until) != "" {
		var day bool
		if to, day, err = models.ParseDate(f.Until, loc); err != nil {
			return from, to, err
		}
		if day {
			to = models.NextDay(to, loc)
		}
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return from, to, models.Invalidf("until %s is not after from %s", strings.TrimSpace(f.Until), strings.TrimSpace(f.From))
	}
	return from, to, nil
}

func (f historyFilter) modelVersion() (int, error) {
	s := strings.TrimPrefix(strings.TrimSpace(f.ModelVersion), "v")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, models.Invalidf("%q is not a model version (1, 2, …)", f.ModelVersion)
	}
	if f.Model == "" {
		return 0, models.Invalidf("a model version needs a model")
	}
	return n, nil
}

// check finds the first field that cannot be read: its form key and why.
func (f historyFilter) check(loc *time.Location) (string, error) {
	if strings.TrimSpace(f.From) != "" {
		if _, _, err := models.ParseDate(f.From, loc); err != nil {
			return "from", err
		}
	}
	if _, _, err := f.span(loc); err != nil {
		return "until", err
	}
	if _, err := f.modelVersion(); err != nil {
		return "version", err
	}
	return "", nil
}

// engineFilter is the listing this filter asks for (without paging).
func (f historyFilter) engineFilter(loc *time.Location) (models.Filter, error) {
	out := models.Filter{Environment: f.Env, Statuses: statusesOf(f.Status), Kind: models.Kind(f.Kind),
		Service: f.Service, Component: f.Component, Model: f.Model, Assignee: f.Assignee, Requester: f.Requester,
		ChangeRef: strings.TrimSpace(f.Change), Search: strings.TrimSpace(f.Search), Oldest: f.Oldest}
	var err error
	if out.From, out.To, err = f.span(loc); err != nil {
		return out, err
	}
	out.ModelVersion, err = f.modelVersion()
	return out, err
}

// summary names the active filters: the order first, then each filter as a dim word
// and its value; a part for each, to be laid out in the width there is. all is what
// no filter shows: every deployment, or those of a person who sees only their own.
func (f historyFilter) summary(st common.Styles, all string) []string {
	order := "newest first"
	if f.Oldest {
		order = "oldest first"
	}
	parts := []string{st.Bold.Render(order)}
	add := func(word, v string) {
		if v = strings.TrimSpace(v); v != "" {
			parts = append(parts, st.Dim.Render(word+" ")+st.Bold.Render(v))
		}
	}
	add("from", f.From)
	add("until", f.Until)
	add("env", f.Env)
	add("status", f.Status)
	add("model", strings.TrimSpace(f.Model+" "+versionLabel(f.ModelVersion)))
	add("service", f.Service)
	add("component", f.Component)
	add("kind", f.Kind)
	add("assignee", f.Assignee)
	add("requester", f.Requester)
	add("change", f.Change)
	add("search", f.Search)
	if !f.active() {
		parts = append(parts, st.Dim.Render(all+" · f filters"))
	}
	return parts
}

func versionLabel(v string) string {
	if v = strings.TrimPrefix(strings.TrimSpace(v), "v"); v != "" {
		return fmt.Sprintf("v%s", v)
	}
	return ""
}
