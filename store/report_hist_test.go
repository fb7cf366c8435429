package store

import (
	"slices"
	"testing"
)

// The report merges the histograms of many rollup rows, joined by spaces, and reads
// damaged text as an error rather than as numbers.
func TestHistParserMergesAndRefusesDamage(t *testing.T) {
	var p histParser
	h, err := p.parse([]byte("3:1 10:2 3:4 0:1 10:1"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Hist{{0, 1}, {3, 5}, {10, 3}}); !slices.Equal(h, want) {
		t.Fatalf("got %v, want %v", h, want)
	}
	// The scratch array is left clean for the next period.
	if h, err := p.parse([]byte("5:2")); err != nil || !slices.Equal(h, Hist{{5, 2}}) {
		t.Fatalf("second parse: %v %v", h, err)
	}
	if h, err := p.parse(nil); err != nil || len(h) != 0 {
		t.Fatalf("empty: %v %v", h, err)
	}
	for _, bad := range []string{"3", "3:", ":4", "3:4 ", "3:4  5:1", "3;4", "x:1", "3:4x", "99999999999:1"} {
		if _, err := p.parse([]byte(bad)); err == nil {
			t.Errorf("%q parsed without error", bad)
		}
	}
}
