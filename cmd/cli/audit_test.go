package cli_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// tamperWith edits the database file as someone with the sqlite3 shell would: the
// append-only triggers dropped first.
func (f *fixture) tamperWith(stmts ...string) {
	f.t.Helper()
	db, err := sql.Open("sqlite", f.db)
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	for _, st := range append([]string{`DROP TRIGGER IF EXISTS events_no_update`, `DROP TRIGGER IF EXISTS events_no_delete`}, stmts...) {
		if _, err := db.Exec(st); err != nil {
			f.t.Fatalf("%s: %v", st, err)
		}
	}
}

func TestAuditVerifyNamesTheEventTamperedWith(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, stmt, want string
	}{
		{"changed", `UPDATE events SET detail = 'nothing happened' WHERE id = 2`, "event #2 does not match"},
		{"deleted", `DELETE FROM events WHERE id = 3`, "event #3 is missing"},
		{"inserted", `INSERT INTO events (id, deployment_id, at, actor, type, detail) VALUES (5, 1, 0, 'eve', 'note', 'x')`,
			"event #5 has no link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			for i, v := range []string{"1.0", "1.1", "1.2", "1.3"} {
				f.planIn("dev", v, fmt.Sprintf("2030-12-0%d 10:00", i+1))
			}
			r := f.ok("--as", "eve", "audit", "verify")
			if !strings.Contains(r.stdout, "The record holds: 4 events, 1 audit entries.") {
				t.Fatalf("an intact record:\n%s", r)
			}
			head := strings.TrimSpace(f.ok("--as", "eve", "audit", "head").stdout)
			if !strings.HasPrefix(head, "4:") || !strings.Contains(r.stdout, "head "+head) {
				t.Fatalf("head %q, verify said:\n%s", head, r)
			}
			f.ok("--as", "eve", "audit", "verify", "--head", head)
			f.tamperWith(tc.stmt)
			f.refused(1, []string{tc.want}, "--as", "eve", "audit", "verify")
		})
	}
}

func TestAuditLogHasTheConfigurationsChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.ok("--as", "ana", "deploy", "list")
	writeFile(t, f.cfg, strings.Replace(testConfig, "name = \"sam\"\nroles = [\"practitioner\"]",
		"name = \"sam\"\nroles = [\"practitioner\", \"manager\"]", 1))
	r := f.ok("--as", "eve", "audit", "log", "--config-only", "--json")
	var log []struct {
		Type, Detail, Principal string
		DeploymentID            *int64 `json:"deployment_id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if len(log) != 2 || log[0].Type != "config" || !strings.Contains(log[1].Detail, "sam gained manager") ||
		log[1].DeploymentID != nil || !strings.HasPrefix(log[1].Principal, "nobody-in-config@") {
		t.Fatalf("config history: %+v", log)
	}
	f.refused(1, []string{"may not read the audit log"}, "--as", "raj", "audit", "log")
	f.refused(2, []string{"--head"}, "--as", "eve", "audit", "verify", "--head", "nonsense")
	r = f.refused(2, []string{`--head: "1:abc/1:def" is not a record head`, `"abc" is not a link (hexadecimal digits`},
		"--as", "eve", "audit", "verify", "--head", "1:abc/1:def")
	if strings.Contains(r.stderr, "encoding/hex") || strings.Contains(r.stderr, "def") && strings.Count(r.stderr, "is not a link") > 1 {
		t.Errorf("a bad link is named once, in words:\n%s", r)
	}
}

// deploy show says on every line of the record who really acted, as the audit log
// does: the assignment right after a reschedule by the same login lacked it.
func TestDeployShowNamesThePrincipalOnEveryEvent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.planIn("dev", "1.0", "2030-12-01 10:00")
	id := fmt.Sprint(d.ID)
	f.ok("--as", "ana", "deploy", "reschedule", id, "--start", "2030-12-01 11:00")
	f.ok("--as", "ana", "deploy", "assign", id, "sam")
	show := f.ok("--as", "ana", "deploy", "show", id).stdout
	_, record, _ := strings.Cut(show, "\nRecord\n")
	lines := strings.Split(strings.TrimRight(record, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("record:\n%s", show)
	}
	for _, l := range lines {
		if !strings.Contains(l, " as ana)") {
			t.Errorf("no principal on %q", l)
		}
	}
}
