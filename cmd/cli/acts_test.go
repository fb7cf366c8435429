package cli_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDeployEditChangesWhatItRefersTo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first := f.planIn("dev", "1.0", "2030-12-01 10:00")
	d := f.planIn("dev", "1.1", "2030-12-01 12:00")
	id := strconv.FormatInt(d.ID, 10)
	f.refused(2, []string{"say what changes"}, "--as", "ana", "deploy", "edit", id)
	f.refused(1, []string{"analyst"}, "--as", "eve", "deploy", "edit", id, "--change", "CHG-9")
	f.refused(1, []string{"#99 does not exist"}, "--as", "ana", "deploy", "edit", id, "--after", "99")
	f.ok("--as", "ana", "deploy", "edit", id, "--change", "CHG-9", "--after", strconv.FormatInt(first.ID, 10), "--duration", "2h")
	got := f.show(d.ID)
	if got.ChangeRef != "CHG-9" || got.ScheduledEnd != "2030-12-01T13:00:00Z" {
		t.Fatalf("after the edit: %+v", got)
	}
	var record []string
	for _, e := range got.Events {
		record = append(record, e.Type+" "+e.Detail)
	}
	for _, want := range []string{"changed change — → CHG-9", "changed waits for #1 (was nothing)", "rescheduled"} {
		if !strings.Contains(strings.Join(record, "\n"), want) {
			t.Errorf("the record lacks %q:\n%s", want, strings.Join(record, "\n"))
		}
	}

	// A new start onto #1's, with #1's person: --dry-run names the clash and changes
	// nothing; the edit itself moves it and reassigns it in one act.
	f.ok("--as", "ana", "deploy", "assign", strconv.FormatInt(first.ID, 10), "sam")
	dry := f.ok("--as", "ana", "deploy", "edit", id, "--start", "2030-12-01 10:00", "--assignee", "sam", "--dry-run")
	if !strings.Contains(dry.stdout, "Nothing changed") || !strings.Contains(dry.stdout, "#1") ||
		!strings.Contains(dry.stdout, "After this edit: #"+id+" web-frontend") || !strings.Contains(dry.stdout, "2030-12-01 10:00 CET") ||
		!strings.Contains(dry.stdout, ", sam\n") {
		t.Fatalf("a dry run shows the deployment after the edit and names the conflicts it would be in:\n%s", dry)
	}
	var after struct {
		ID             int64  `json:"id"`
		Assignee       string `json:"assignee"`
		ScheduledStart string `json:"scheduled_start"`
		Conflicts      []any  `json:"conflicts"`
	}
	decode(t, f.ok("--as", "ana", "deploy", "edit", id, "--start", "2030-12-01 10:00", "--assignee", "sam", "--dry-run", "--json"), &after)
	if fmt.Sprint(after.ID) != id || after.Assignee != "sam" || after.ScheduledStart != "2030-12-01T09:00:00Z" || len(after.Conflicts) == 0 {
		t.Fatalf("a dry run's JSON is the deployment after the edit and its conflicts: %+v", after)
	}
	if got := f.show(d.ID); got.ScheduledStart != "2030-12-01T11:00:00Z" || got.Assignee == "sam" {
		t.Fatalf("a dry run changes nothing: %+v", got)
	}
	f.ok("--as", "ana", "deploy", "edit", id, "--start", "2030-12-01 10:00", "--assignee", "sam", "--after", "none")
	if got := f.show(d.ID); got.ScheduledStart != "2030-12-01T09:00:00Z" || got.Assignee != "sam" || got.After != 0 {
		t.Fatalf("start, assignee and link in one edit: %+v", got)
	}
	f.refused(2, []string{"--after", `"soon"`}, "--as", "ana", "deploy", "edit", id, "--after", "soon")
	// 0 is no deployment, refused as plan refuses it: none says "waits for nothing".
	f.refused(2, []string{"--after", `"0"`, "none"}, "--as", "ana", "deploy", "edit", id, "--after", "0")
	f.refused(2, []string{"--after: 0 is not a deployment ID"}, "--as", "ana", "deploy", "plan", "--model", "web-service",
		"--component", "web-frontend", "--version", "1.0", "--env", "dev", "--start", "2030-12-05 10:00", "--after", "0")
	f.refused(2, []string{"--start"}, "--as", "ana", "deploy", "edit", id, "--start", "tomorrowish")
	// A window that has ended is refused, the dry run's answer too: nothing it says may
	// be refused when it is done.
	for _, dry := range []string{"--dry-run", "--json"} {
		f.refused(1, []string{"the window 2020-03-02 10:00", "has ended"}, "--as", "ana", "deploy", "edit", id,
			"--start", "2020-03-02 10:00", dry)
	}
}

func TestDeployAgainAndIncidents(t *testing.T) {
	t.Parallel()
	f := runFixture(t)
	bad := f.planModel("broken", "web-frontend")
	f.ferry("--as", "sam", "deploy", "run", bad)
	planned := f.planModel("auto", "web-frontend")
	f.refused(1, []string{"only a failed or rolled-back deployment"}, "--as", "sam", "deploy", "again", planned)
	// That plan moves the same version to the same place: while it is open, running the
	// failure again would be a second.
	f.refused(1, []string{"#" + planned + " web-frontend 1.0 → dev is planned already"}, "--as", "sam", "deploy", "again", bad)
	f.ok("--as", "ana", "deploy", "cancel", planned, "--reason", "the run again goes instead")
	r := f.ok("--as", "sam", "deploy", "again", bad, "--json")
	var again deployment
	decode(t, r, &again)
	if again.Status != "planned" || again.Model != "broken" || again.Version != "1.0" {
		t.Fatalf("run again: %+v", again)
	}
	old := f.show(mustID(t, bad))
	if old.Status != "rolled_back" || !hasEventText(old.Events, "run again as #"+strconv.FormatInt(again.ID, 10)) ||
		!hasEventText(f.show(again.ID).Events, "run again of #"+bad) {
		t.Fatalf("each record shows the link:\n%+v\n%+v", old.Events, f.show(again.ID).Events)
	}

	// The fixture's organisation keeps UTC; the incident opened in the minute the run
	// started (an incident is recorded against a deployment that ran, from its start).
	ran := f.show(mustID(t, bad))
	began, err := time.Parse(time.RFC3339, *ran.StartedAt)
	if err != nil {
		t.Fatal(err)
	}
	opened := began.UTC().Format("2006-01-02 15:04")
	f.ok("--as", "ana", "incident", "add", bad, "--opened", opened, "--summary", "checkout down")
	var open []struct {
		ID           int64   `json:"id"`
		DeploymentID int64   `json:"deployment_id"`
		ResolvedAt   *string `json:"resolved_at"`
	}
	if err := json.Unmarshal([]byte(f.ok("--as", "eve", "incident", "list", "--open", "--json").stdout), &open); err != nil ||
		len(open) != 1 || open[0].ResolvedAt != nil || strconv.FormatInt(open[0].DeploymentID, 10) != bad {
		t.Fatalf("incident list --open: %+v %v", open, err)
	}
	in := strconv.FormatInt(open[0].ID, 10)
	f.refused(1, []string{"is before it was opened"}, "--as", "ana", "incident", "resolve", in, "--at",
		began.Add(-24*time.Hour).UTC().Format("2006-01-02 15:04"))
	f.refused(1, []string{"may not"}, "--as", "eve", "incident", "resolve", in)
	// "now" must be after the opening, which is the start's minute: a run that started
	// in a minute's first second is resolved in that second otherwise, and refused.
	time.Sleep(time.Until(began.Truncate(time.Minute).Add(time.Second)))
	f.ok("--as", "ana", "incident", "resolve", in, "--at", "now", "--note", "restarted the pods")
	if r := f.ok("--as", "eve", "incident", "list", "--open"); !strings.Contains(r.stdout, "No incidents.") {
		t.Errorf("a resolved incident is not open:\n%s", r)
	}
	if !hasEventText(f.show(mustID(t, bad)).Events, " UTC (restarted the pods)") {
		t.Errorf("the record should say it was resolved: %+v", f.show(mustID(t, bad)).Events)
	}
	f.ok("--as", "ana", "incident", "update", in, "--reopen", "--note", "it came back")
	if r := f.ok("--as", "eve", "incident", "list", "--open"); !strings.Contains(r.stdout, "checkout down") {
		t.Errorf("a reopened incident is open:\n%s", r)
	}
	f.refused(2, []string{"--resolved and --reopen"}, "--as", "ana", "incident", "update", in, "--resolved", "now", "--reopen")
	if r := f.ok("--as", "ana", "incident", "update", in, "--resolved", "now", "--note", "for good"); !strings.Contains(r.stdout, "resolved") {
		t.Errorf("update --resolved now resolves it:\n%s", r)
	}
	if r := f.ok("--as", "eve", "incident", "list", "--open"); !strings.Contains(r.stdout, "No incidents.") {
		t.Errorf("resolved again, it is not open:\n%s", r)
	}
	// Resolved, it is not resolved once more: that moved its time to restore unseen.
	f.refused(1, []string{"incident " + in + " was already resolved at", "'ferry incident update " + in + " --resolved T'"},
		"--as", "ana", "incident", "resolve", in, "--at", "now")
}

func hasEventText(es []event, text string) bool {
	for _, e := range es {
		if strings.Contains(e.Detail, text) {
			return true
		}
	}
	return false
}
