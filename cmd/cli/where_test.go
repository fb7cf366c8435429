package cli_test

import (
	"strconv"
	"strings"
	"testing"
)

type whereOut struct {
	Environments []string `json:"environments"`
	Components   []struct {
		Component string `json:"component"`
		Cells     []struct {
			Environment  string  `json:"environment"`
			Version      string  `json:"version"`
			DeploymentID int64   `json:"deployment_id"`
			Since        *string `json:"since"`
			By           string  `json:"by"`
			Removed      bool    `json:"removed"`
			Differs      bool    `json:"differs"`
			Next         *struct {
				ID      int64  `json:"id"`
				Version string `json:"version"`
				Status  string `json:"status"`
			} `json:"next"`
		} `json:"cells"`
	} `json:"components"`
}

// ferry where: the version a run put in dev, what is planned there next (marked ≠),
// and nothing in the environments it never reached.
func TestWhereShowsWhatRunsAndWhatComes(t *testing.T) {
	t.Parallel()
	f := controlsFixture(t)
	first := f.planAuto("dev", "now", "--assignee", "sam")
	f.ok("--as", "ana", "deploy", "run", first)
	next := f.plan("--model", "auto", "--component", "web-frontend", "--version", "1.1", "--env", "dev",
		"--start", "2090-06-01 10:00")
	var w whereOut
	decode(t, f.ok("--as", "ana", "where", "--json"), &w)
	if strings.Join(w.Environments, " ") != "dev frozen guarded" || len(w.Components) != 1 {
		t.Fatalf("where --json: %+v", w)
	}
	dev := w.Components[0].Cells[0]
	if dev.Version != "1.0" || dev.By != "sam" || dev.Since == nil || dev.Next == nil || dev.Next.ID != next.ID ||
		dev.Next.Version != "1.1" || !dev.Differs {
		t.Fatalf("dev should run 1.0 by sam with 1.1 (#%d) next, marked: %+v", next.ID, dev)
	}
	if frozen := w.Components[0].Cells[1]; frozen.Version != "" || frozen.Next != nil || frozen.DeploymentID != 0 {
		t.Fatalf("nothing reached frozen: %+v", frozen)
	}
	text := f.ok("--as", "sam", "where", "--component", "web-frontend").stdout
	if !strings.Contains(text, "web-frontend  dev") || !strings.Contains(text, "≠ 1.1 planned") {
		t.Fatalf("where as text:\n%s", text)
	}
	f.refused(1, []string{`--component: unknown component "nope"`}, "--as", "ana", "where", "--component", "nope")
}

// A version nobody was assigned to is said to be put there by its requester, as
// the README promises, in the matrix's JSON and on the console's Where page alike.
func TestWhereNamesTheRequesterWhenNobodyWasAssigned(t *testing.T) {
	t.Parallel()
	f := controlsFixture(t)
	d := f.plan("--model", "auto", "--component", "web-frontend", "--version", "1.0", "--env", "dev",
		"--start", "now", "--requester", "sam")
	if d.Assignee != "" || d.Requester != "sam" {
		t.Fatalf("planned with no assignee, sam requesting: %+v", d)
	}
	f.ok("--as", "ana", "deploy", "run", strconv.FormatInt(d.ID, 10))
	var w whereOut
	decode(t, f.ok("--as", "ana", "where", "--json"), &w)
	if dev := w.Components[0].Cells[0]; dev.DeploymentID != d.ID || dev.By != "sam" {
		t.Fatalf("dev should say #%d was put there by sam, its requester: %+v", d.ID, dev)
	}
}
