package pages_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"ferry/engine"
	"ferry/models"
	"ferry/tui/internal/tuitest"
)

// blocks is what the engine holds blocked, as "component version: reason by actor".
func blocks(t *testing.T, m *Model) []string {
	t.Helper()
	bs, err := m.c.Eng.BlockedVersions(m.c.Ctx, m.c.Actor)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, b := range bs {
		out = append(out, b.Component+" "+b.Version+": "+b.Reason+" by "+b.Actor)
	}
	return out
}

// auditSays reports whether the organisation's record has an entry saying text.
func auditSays(t *testing.T, m *Model, text string) bool {
	t.Helper()
	log, err := m.c.Eng.AuditLog(m.c.Ctx, m.c.Actor, engine.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range log {
		if strings.Contains(l.Detail, text) {
			return true
		}
	}
	return false
}

// A manager who finds a bad version on a failed deployment's page blocks it there
// (ferry version block): b asks for the reason, an empty one is refused naming the
// field, and the page then says the version is blocked, by whom and why; b on it
// again lifts the block, the note optional (ferry version unblock). At a desk and
// on a phone alike.
func TestBlockingAVersionFromItsDeployment(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{120, 35}, {60, 20}} {
		w, h := size[0], size[1]
		m := sized(t, "ana", w, h)
		openDetailOf(m, 2) // payments-api 4.11.9, failed in staging
		press(m, "B")
		got := screenText(m)
		if !strings.Contains(got, "Block payments-api 4.11.9") || !strings.Contains(got, "reason:") {
			t.Fatalf("%dx%d: b should ask why the version is blocked:\n%s", w, h, got)
		}
		fits(t, m, "block's reason", w, h)
		press(m, "enter")
		got = screenText(m)
		if !tuitest.Whole(got, "✗ Reason: say why payments-api 4.11.9 is blocked; people who try to use it read it") {
			t.Fatalf("%dx%d: an empty reason should be refused, naming the field:\n%s", w, h, got)
		}
		if bs := blocks(t, m); len(bs) != 0 {
			t.Fatalf("blocked without a reason: %v", bs)
		}
		typeText(m, "corrupts the ledger")
		press(m, "enter")
		if bs := blocks(t, m); len(bs) != 1 || bs[0] != "payments-api 4.11.9: corrupts the ledger by ana" {
			t.Fatalf("enter should block the version, with the reason: %v", bs)
		}
		got = screenText(m)
		fits(t, m, "a blocked version's deployment", w, h)
		if !tuitest.Whole(got, "blocked ✗ this version, by ana Thu 26 Nov 14:05: corrupts the ledger") ||
			!strings.Contains(got, "✓ blocked payments-api 4.11.9") {
			t.Fatalf("%dx%d: back on the deployment, the page should say its version is blocked:\n%s", w, h, got)
		}
		press(m, "B")
		got = screenText(m)
		if !strings.Contains(got, "Unblock payments-api 4.11.9") || !tuitest.Whole(got, "Blocked by ana Thu 26 Nov 14:05: corrupts the ledger") {
			t.Fatalf("%dx%d: b on a blocked version should offer to lift the block, saying it:\n%s", w, h, got)
		}
		fits(t, m, "unblock's note", w, h)
		press(m, "enter") // the note is optional
		if bs := blocks(t, m); len(bs) != 0 {
			t.Fatalf("enter should lift the block: %v", bs)
		}
		if got := screenText(m); strings.Contains(got, "this version, by ana") || !strings.Contains(got, "✓ unblocked payments-api 4.11.9") {
			t.Fatalf("%dx%d: unblocked, the page should say so:\n%s", w, h, got)
		}
		if !auditSays(t, m, "blocked payments-api 4.11.9: corrupts the ledger") || !auditSays(t, m, "unblocked payments-api 4.11.9") {
			t.Fatal("the audit log should keep the block and the unblock")
		}
	}
}

// Blocking a version puts its planned deployments in a blocked_version conflict,
// which the page of one shows at once; the unblock's note goes on the record.
func TestBlockingAPlannedVersionPutsItInConflict(t *testing.T) {
	t.Parallel()
	m := sized(t, "marc", 120, 35)
	openDetailOf(m, 3) // payments-api 4.12.0, planned into staging
	press(m, "B")
	typeText(m, "memory leak under load")
	press(m, "enter")
	got := screenText(m)
	if !strings.Contains(got, "blocked") || !strings.Contains(got, "memory leak under load") {
		t.Fatalf("the planned deployment's page should show the block:\n%s", got)
	}
	det, err := m.c.Eng.Deployment(m.c.Ctx, m.c.Actor, 3)
	if err != nil || !hasKind(det.Conflicts, models.ConflictBlocked) {
		t.Fatalf("the plan should be in a blocked_version conflict: %+v %v", det.Conflicts, err)
	}
	press(m, "B")
	typeText(m, "fixed in the build")
	press(m, "enter")
	if !auditSays(t, m, "unblocked payments-api 4.12.0: fixed in the build") {
		t.Fatal("the unblock's note should be on the audit log")
	}
}

func hasKind(cs []models.Conflict, k models.ConflictKind) bool {
	for _, c := range cs {
		if c.Kind == k && c.Open() {
			return true
		}
	}
	return false
}

// One who is not a manager gets the engine's refusal in words when pressing B on a
// deployment, in the footer and in the full help, and no field opens.
func TestBlockKeySaysWhyForOthers(t *testing.T) {
	t.Parallel()
	m := sized(t, "sam", 60, 20)
	openDetailOf(m, 2)
	const why = "sam (practitioner) may not block or unblock versions of deployments: only managers block a version, or unblock it"
	press(m, "B")
	if got := screenText(m); !tuitest.Whole(got, "✗ "+why) || strings.Contains(got, "reason:") {
		t.Fatalf("B should say why, and ask nothing:\n%s", got)
	}
	fits(t, m, "refusal on a phone", 60, 20)
	m = sized(t, "sam", 120, 35)
	openDetailOf(m, 2)
	if got := fullHelp(m); !tuitest.Whole(got, "B block version — "+why) {
		t.Fatalf("the full help should list B as off, with why:\n%s", got)
	}
}

// The blocked versions are listed on Where (b), the matrix that marks them ✗, with
// who blocked each, when and why (ferry version blocked); a manager lifts one there
// with u; an analyst reads the list, and u says why not.
func TestBlockedVersionsListedOnWhere(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 60, 20)
	ana := m.c.Actor
	for _, v := range []string{"4.11.9", "4.12.0"} {
		if _, err := m.c.Eng.BlockVersion(m.c.Ctx, ana, "payments-api", v, "bad build "+v); err != nil {
			t.Fatal(err)
		}
	}
	press(m, "6", "b")
	got := screenText(m)
	for _, want := range []string{"2 blocked versions", "payments-api 4.11.9", "by ana", "bad build 4.11.9", "bad build 4.12.0"} {
		if !strings.Contains(got, want) {
			t.Errorf("the blocked versions lack %q:\n%s", want, got)
		}
	}
	fits(t, m, "blocked versions", 60, 20)
	for !strings.Contains(selectedRow(m), "4.12.0") {
		press(m, "j")
	}
	press(m, "u")
	typeText(m, "rebuilt")
	press(m, "enter")
	if bs := blocks(t, m); len(bs) != 1 || !strings.Contains(bs[0], "4.11.9") {
		t.Fatalf("u should lift the selected block only: %v", bs)
	}
	if got := screenText(m); !strings.Contains(got, "1 blocked version") || strings.Contains(got, "bad build 4.12.0") {
		t.Fatalf("back on the list, the lifted one is gone:\n%s", got)
	}

	k := New(tuitest.Session(t, m.c.Eng, "kim")) // on the same database
	k.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	press(k, "6", "b")
	if got := screenText(k); !strings.Contains(got, "bad build 4.11.9") {
		t.Fatalf("an analyst reads the blocked versions:\n%s", got)
	}
	press(k, "u")
	if got := screenText(k); !tuitest.Whole(got, "✗ kim (analyst) may not block or unblock versions of deployments") {
		t.Fatalf("u should say why an analyst may not:\n%s", got)
	}
}
