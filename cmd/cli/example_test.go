package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// example is a copy of the shipped config.toml and its scripts in a fresh directory.
func exampleFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	f.cfg = filepath.Join(f.dir, "config.toml")
	data, err := os.ReadFile(repoConfig)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, f.cfg, string(data))
	scripts := filepath.Join(filepath.Dir(repoConfig), "scripts")
	entries, err := os.ReadDir(scripts)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(f.dir, "scripts"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(scripts, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(f.dir, "scripts", e.Name()), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// exampleModels reads the shipped config's models and a component of each kind.
func exampleModels(t *testing.T) (models []struct {
	Name  string
	Kinds []string
	Path  []string
}, components map[string]string) {
	t.Helper()
	var doc struct {
		Model []struct {
			Name  string
			Kinds []string
			Path  []string
		}
		Service []struct {
			Component []struct{ Name, Kind string }
		}
	}
	if _, err := toml.DecodeFile(repoConfig, &doc); err != nil {
		t.Fatal(err)
	}
	components = map[string]string{}
	for _, s := range doc.Service {
		for _, c := range s.Component {
			if _, ok := components[c.Kind]; !ok {
				components[c.Kind] = c.Name
			}
		}
	}
	for _, m := range doc.Model {
		models = append(models, struct {
			Name  string
			Kinds []string
			Path  []string
		}{m.Name, m.Kinds, m.Path})
	}
	return models, components
}

// TestShippedExampleRunsEndToEnd plans every model of the shipped config.toml into
// each environment of its path in turn, starting now, and runs it with the shipped
// scripts to succeeded, ticking its checklists and having its gates approved. A
// start the example's controls hold (production's maintenance window, a freeze) is
// started by a manager with a reason, as the controls allow.
func TestShippedExampleRunsEndToEnd(t *testing.T) {
	t.Parallel()
	f := exampleFixture(t)
	if r := f.ok("models", "validate", f.cfg); !strings.Contains(r.stdout, "is valid") {
		t.Fatalf("the shipped config should validate:\n%s", r)
	}
	list, comps := exampleModels(t)
	for _, m := range list {
		comp := comps[m.Kinds[0]]
		for _, env := range m.Path {
			d := f.plan("--model", m.Name, "--component", comp, "--version", "1.2.3", "--env", env, "--start", "now",
				"--assignee", "tom", "--requester", "lea")
			id := strconv.FormatInt(d.ID, 10)
			res := f.ferry("--as", "ana", "deploy", "run", id, "--json", "--override-reason", "the example's end-to-end test")
			for i := 0; strings.Contains(res.stdout, `"outcome": "waiting"`) && i < 40; i++ {
				res = f.actOn(id, res)
			}
			if res.code != 0 || !strings.Contains(res.stdout, `"outcome": "succeeded"`) {
				t.Fatalf("%s %s → %s: want succeeded:\n%s\n%s", m.Name, comp, env, res, f.ok("--as", "ana", "deploy", "logs", id).stdout)
			}
		}
	}
}

// actOn does what a waiting run asks for: ticks the item (leaving optional ones), or
// has the first person allowed approve the gate; the run carries on by itself.
func (f *fixture) actOn(id string, waiting result) result {
	f.t.Helper()
	var out struct {
		Waiting *struct {
			Kind      string   `json:"kind"`
			Seq       int      `json:"seq"`
			Approvers []string `json:"approvers"`
		} `json:"waiting"`
	}
	if err := json.Unmarshal([]byte(waiting.stdout), &out); err != nil || out.Waiting == nil {
		f.t.Fatalf("a waiting run should say for what: %v\n%s", err, waiting)
	}
	switch w := out.Waiting; w.Kind {
	case "tick":
		// Only what the run waits for: optional items are left, as said.
		return f.ferry("--as", "tom", "step", "tick", id, strconv.Itoa(w.Seq), "--json", "--skip-optional")
	case "approval":
		if len(w.Approvers) == 0 {
			f.t.Fatalf("nobody may approve the gate:\n%s", waiting)
		}
		return f.ferry("--as", w.Approvers[0], "gate", "approve", id, "--json")
	}
	f.t.Fatalf("the run waits for %s:\n%s", out.Waiting.Kind, waiting)
	return waiting
}
