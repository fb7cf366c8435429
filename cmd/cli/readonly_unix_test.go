//go:build unix

package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// A database its user may not write is still read: in a folder they may not write
// (no WAL files can be made) and as a read-only file in their own folder. A write
// says the file is read-only (exit 1). As root, whom permissions do not stop, the
// reads run as nobody.
func TestAReadOnlyDatabaseCanBeRead(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.planIn("dev", "1.0", "2030-12-01 10:00")
	f.ok("--as", "ana", "deploy", "list") // settles the WAL: nothing left to replay

	readOnlyDir := filepath.Join(f.dir, "ro")
	ownDir := filepath.Join(f.dir, "own")
	for _, dir := range []string{readOnlyDir, ownDir} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(f.db)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "ferry.db"), data, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
		// nobody may pass into the test's folders, run the binary and own "own".
		for _, p := range []string{filepath.Dir(ferryBin), filepath.Dir(f.dir), f.dir} {
			if err := os.Chmod(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chown(ownDir, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(f.cfg, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(readOnlyDir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(readOnlyDir, 0o755) })

	run := func(db string, args ...string) (int, string, string) {
		cmd := exec.Command(ferryBin, append([]string{"--config", f.cfg, "--db", db, "--as", "ana"}, args...)...)
		cmd.Dir = f.dir
		cmd.Env = cleanEnv()
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, out.String(), errb.String()
	}
	id := strconv.FormatInt(d.ID, 10)
	for _, dir := range []string{readOnlyDir, ownDir} {
		db := filepath.Join(dir, "ferry.db")
		if code, out, errs := run(db, "deploy", "list"); code != 0 || !strings.Contains(out, "web-frontend") {
			t.Errorf("%s: deploy list exit %d:\n%s%s", db, code, out, errs)
		}
		if code, out, errs := run(db, "deploy", "show", id); code != 0 || !strings.Contains(out, "web-frontend") {
			t.Errorf("%s: deploy show exit %d:\n%s%s", db, code, out, errs)
		}
		code, out, errs := run(db, "step", "note", id, "1", "hello")
		if code != 1 || !strings.Contains(errs, db+" is read-only") || out != "" {
			t.Errorf("%s: a write: exit %d, want 1 and a sentence:\n%s%s", db, code, out, errs)
		}
	}
}
