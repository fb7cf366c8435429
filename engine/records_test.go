package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"ferry/models"
)

// The reject prompt says what a rejection leads to: the gate's stage's own on-failure
// steps, or a failed deployment when that stage has none (another stage's do not run).
func TestRejectHintNamesWhatRuns(t *testing.T) {
	step := func(stage models.Stage, name string) StepState {
		return StepState{StepRun: models.StepRun{Step: models.Step{Stage: stage, Name: name}}}
	}
	st := RunState{
		Steps:   []StepState{step(models.StageExecute, "install"), step(models.StageVerifyDeployment, "go-live")},
		Waiting: &Waiting{Kind: WaitApproval, Seq: 2},
	}
	if got := RejectHint(st); !strings.Contains(got, "deployment then fails") || !strings.Contains(got, "Verify deployment has no on-failure steps") {
		t.Errorf("no on-failure steps: %q", got)
	}
	st.OnFailure = []StepState{step(models.StageExecute, "restore backup")}
	if got := RejectHint(st); !strings.Contains(got, "no on-failure steps") {
		t.Errorf("another stage's on-failure steps do not run: %q", got)
	}
	st.OnFailure = append(st.OnFailure, step(models.StageVerifyDeployment, "switch back"))
	if got := RejectHint(st); !strings.Contains(got, `runs its on-failure steps "switch back"`) || strings.Contains(got, "restore") {
		t.Errorf("the stage's own on-failure steps: %q", got)
	}
}

// What holds a deployment up comes first in an inbox however new, and what is owed to
// learning last however old; each kind oldest first.
func TestInboxPutsWhatPressesFirst(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 12, 1, h, 0, 0, 0, time.UTC) }
	items := []InboxItem{{Kind: InboxModel, At: at(1)}, {Kind: InboxReview, At: at(2)}, {Kind: InboxConflict, At: at(3)},
		{Kind: InboxFailure, At: at(5)}, {Kind: InboxGate, At: at(9)}, {Kind: InboxBlocked, At: at(8)},
		{Kind: InboxFailure, At: at(4)}, {Kind: InboxChannel, At: at(0)}}
	sortInbox(items)
	var got []string
	for _, it := range items {
		got = append(got, fmt.Sprintf("%s@%d", it.Kind, it.At.Hour()))
	}
	want := "blocked@8 gate@9 failure@4 failure@5 conflict@3 channel@0 review@2 model@1"
	if strings.Join(got, " ") != want {
		t.Fatalf("inbox order:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

// A mean score fits its column: the count it is over has a column of its own.
func TestMeanCellsFitTheirColumn(t *testing.T) {
	m := Metrics{Satisfaction: Mean{Sum: 27, N: 10}}
	for _, c := range ReportColumns {
		if c.Key != "satisfaction" {
			continue
		}
		if got := c.Text(&m); got != "2.7" || len(got) > max(len(c.Header), 7) {
			t.Fatalf("satisfaction cell %q", got)
		}
		return
	}
	t.Fatal("no satisfaction column")
}

// The record says who really acted on every line that has it, as the audit log does.
func TestShownPrincipals(t *testing.T) {
	ev := func(actor, principal string) models.Event { return models.Event{Actor: actor, Principal: principal} }
	got := ShownPrincipals([]models.Event{
		ev("ana", "root@vm as ana"), ev("ana", "root@vm as ana"), ev("ferry", ""), ev("ana", "root@vm as ana"),
		ev("raj", "SHA256:abc"), ev("raj", "SHA256:abc"), ev("ana", "root@vm as ana"), ev("tom", "tom"),
	})
	want := []string{"root@vm as ana", "root@vm as ana", "", "root@vm as ana", "SHA256:abc", "SHA256:abc", "root@vm as ana", ""}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// Progress counts an optional item left undone as passed, as every view's bar does,
// and says it is among them: "5/5" never hides a skip, nor reads as five done. The
// CLI and the console write it alike.
func TestCountStepsSaysSkipped(t *testing.T) {
	run := func(s models.StepStatus) models.StepRun { return models.StepRun{Status: s} }
	p := CountSteps([]models.StepRun{run(models.StepDone), run(models.StepSkipped), run(models.StepPending)})
	if p.Done != 2 || p.Total != 3 || p.Skipped != 1 || p.Text() != "2/3 incl. 1 skipped" {
		t.Fatalf("%+v %q", p, p.Text())
	}
	if p := CountSteps([]models.StepRun{run(models.StepDone)}); p.Text() != "1/1" {
		t.Fatalf("%q", p.Text())
	}
}

// A failed step is counted apart, so a view can say which stage a run ended in: the
// stage's "1/2" read the same failed as still to do.
func TestCountStepsCountsFailed(t *testing.T) {
	run := func(s models.StepStatus) models.StepRun { return models.StepRun{Status: s} }
	p := CountSteps([]models.StepRun{run(models.StepDone), run(models.StepFailed), run(models.StepPending)})
	if p.Done != 1 || p.Total != 3 || p.Failed != 1 {
		t.Fatalf("%+v", p)
	}
}

// A status event reads in words wherever a person reads the record (the console's
// deployment page, deploy show): "planned → verifying components", not the stored
// identifiers; its note stays as written, and other text is left alone.
func TestStatusWords(t *testing.T) {
	for in, want := range map[string]string{
		StatusText(models.StatusPlanned, models.StatusVerifyingComponents, ""):            "planned → verifying components",
		StatusText(models.StatusExecuting, models.StatusRolledBack, "db_migrate: failed"): "executing → rolled back: db_migrate: failed",
		"rescheduled: Mon 10:00 → Tue 10:00":                                              "rescheduled: Mon 10:00 → Tue 10:00",
	} {
		if got := StatusWords(in); got != want {
			t.Errorf("StatusWords(%q) = %q, want %q", in, got, want)
		}
	}
}

// The audit log reads as the record does: an entry's type with spaces, a status
// change in words; the stored text is untouched (the JSON prints it).
func TestLogEntryWords(t *testing.T) {
	for _, c := range []struct {
		in         LogEntry
		typ, words string
	}{
		{LogEntry{Type: EventStatus, Detail: StatusText(models.StatusVerifyingEnvironment, models.StatusExecuting, "")},
			"status", "verifying environment → executing"},
		{LogEntry{Type: EntryKeyAdded, Detail: "ssh-ed25519 key SHA256:x for raj"}, "key added", "ssh-ed25519 key SHA256:x for raj"},
		{LogEntry{Type: EventNote, Detail: "a_b → c_d"}, "note", "a_b → c_d"},
	} {
		if typ, words := c.in.Words(); typ != c.typ || words != c.words {
			t.Errorf("%+v: %q %q, want %q %q", c.in, typ, words, c.typ, c.words)
		}
	}
}
