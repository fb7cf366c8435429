package pages_test

import (
	"strings"
	"testing"

	"ferry/engine"
)

// The audit log is one key away from Reports: the configuration's history, in words.
func TestAuditLogFromReports(t *testing.T) {
	t.Parallel()
	m := sized(t, "ana", 120, 35)
	press(m, "5", "u")
	got := screenText(m)
	if !strings.Contains(got, "The organisation's record") || !strings.Contains(got, "config") ||
		!strings.Contains(got, "first recorded") {
		t.Fatalf("the audit log should show the configuration's history:\n%s", got)
	}
	press(m, "e")
	if got := screenText(m); !strings.Contains(got, "The whole record") || !strings.Contains(got, "planned") ||
		!strings.Contains(got, "e organisation's record only") {
		t.Fatalf("e should add the deployments' events, and then offer to take them away:\n%s", got)
	}
	phone := sized(t, "ana", 60, 20)
	press(phone, "5", "u", "e")
	fits(t, phone, "audit log", 60, 20)

	tom := sized(t, "tom", 120, 35)
	if err := engine.MayReadRecord(tom.c.Actor); err == nil {
		t.Fatal("a technician reads only their own work")
	}
}
