package store

import (
	"encoding/json"
	"testing"

	"ferry/models"
)

// A decoded model is kept for the next read of the same definition, and what a
// caller does with the one it got never shows in the next: each gets its own copy.
func TestDecodedModelsAreCopies(t *testing.T) {
	m := models.Model{Name: "cache-test", Kinds: []models.Kind{"software"}, Path: []string{"dev"},
		Steps: []models.Step{{Name: "Approve", Roles: []models.Role{models.RoleManager}, Environments: []string{"dev"}}}}
	def, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	first, err := decodeModel(string(def))
	if err != nil {
		t.Fatal(err)
	}
	first.Path[0], first.Kinds[0] = "changed", "changed"
	first.Steps[0].Name, first.Steps[0].Roles[0], first.Steps[0].Environments[0] = "changed", "changed", "changed"
	if _, ok := decoded.get(string(def)); !ok {
		t.Fatal("the decoded model should be kept")
	}
	second, err := decodeModel(string(def))
	if err != nil {
		t.Fatal(err)
	}
	if second.Path[0] != "dev" || second.Kinds[0] != "software" || second.Steps[0].Name != "Approve" ||
		second.Steps[0].Roles[0] != models.RoleManager || second.Steps[0].Environments[0] != "dev" {
		t.Fatalf("a change to one caller's model reached the next: %+v", second)
	}
	second.Steps[0].Roles[0] = "again"
	if third, _ := decodeModel(string(def)); third.Steps[0].Roles[0] != models.RoleManager {
		t.Fatalf("a change to a cached copy reached the next: %+v", third)
	}
}
