//go:build unix

package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The report by model version with review satisfaction, audit findings counted apart,
// DORA measures in production unless --env names others, and the models due for
// review, from the command line.
func TestTable24FromTheCommandLine(t *testing.T) {
	t.Parallel()
	f := runFixture(t) // one environment, dev: the last of every path, so production
	bad := f.planModel("broken", "web-frontend")
	f.ferry("--as", "sam", "deploy", "run", bad)
	f.ok("--as", "sam", "review", "add", bad, "--outcome", "unsuccessful", "--satisfaction", "2", "--lessons", "exit 4")
	f.refused(1, []string{"sam (practitioner) may not record audit findings"}, "--as", "sam", "finding", "add",
		"--model", "broken", "--kind", "audit", "--summary", "x")
	f.refused(2, []string{"--deployment or --model"}, "--as", "ana", "finding", "add", "--kind", "audit", "--summary", "x")
	f.refused(2, []string{`--kind: "review"`}, "--as", "ana", "finding", "add", "--model", "broken", "--kind", "review", "--summary", "x")
	r := f.ok("--as", "ana", "finding", "add", "--deployment", bad, "--kind", "compliance", "--summary", "no change record")
	if !strings.Contains(r.stdout, "Recorded compliance finding 1: no change record.") {
		t.Errorf("finding add:\n%s", r)
	}
	f.ok("--as", "ana", "finding", "add", "--model", "broken", "--kind", "audit", "--summary", "rollback untested")
	if r := f.ok("--as", "eve", "finding", "list", "--kind", "audit"); !strings.Contains(r.stdout, "model broken") ||
		strings.Contains(r.stdout, "no change record") {
		t.Errorf("finding list --kind audit:\n%s", r)
	}
	if d := f.show(mustID(t, bad)); !strings.Contains(eventTypes(d), "finding") {
		t.Errorf("a finding about a deployment is on its record: %s", eventTypes(d))
	}

	today := time.Now().UTC().Format("2006-01-02") // runConfig's zone is UTC
	var rep struct {
		By     string   `json:"by"`
		Dora   []string `json:"dora_environments"`
		Totals []struct {
			Group   string              `json:"group"`
			Metrics map[string]*float64 `json:"metrics"`
		} `json:"totals"`
	}
	// planModel plans years ahead: the whole range up to them, in quarters.
	out := f.ok("--as", "eve", "report", "--period", "quarter", "--from", today, "--to", "2036-01-01", "--by", "model-version",
		"--format", "json").stdout
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var broken map[string]*float64
	for _, row := range rep.Totals {
		if row.Group == "broken v1" {
			broken = row.Metrics
		}
	}
	val := func(k string) float64 {
		if broken[k] == nil {
			t.Fatalf("%s is null: %s", k, out)
		}
		return *broken[k]
	}
	if rep.By != "model-version" || strings.Join(rep.Dora, ",") != "dev" || broken == nil || val("rolled_back") != 1 ||
		val("satisfaction") != 2 || val("satisfaction_n") != 1 || val("reviewed") != 1 || val("change_failure_rate_pct") != 100 ||
		val("compliance_findings") != 1 || val("overrides") != 0 || val("adoption_pct") != 100 {
		t.Errorf("broken v1 today:\n%s", out)
	}
	f.refused(1, []string{`unknown environment "prod"`}, "--as", "eve", "report", "--env", "prod")
	if r := f.ok("--as", "eve", "report", "--by", "model-version", "--period", "quarter", "--to", "2036-01-01"); !strings.Contains(r.stdout, "model-version: broken v1") ||
		!strings.Contains(r.stdout, "DORA measures in dev") || !strings.Contains(r.stdout, "satisfaction") {
		t.Errorf("report --by model-version as a table:\n%s", r)
	}
	r = f.ok("--as", "eve", "models", "review-due")
	if strings.Contains(r.stdout, "model broken") {
		t.Errorf("broken was reviewed after its failure:\n%s", r)
	}
}
