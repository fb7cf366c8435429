package models

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// An event's link is the chain's definition, ChainHash over its fields as text
// (which `ferry audit verify` recomputes in SQL), however long or odd the fields.
func TestEventLinkIsTheChainHashOfItsFields(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	text := func() string {
		n := r.IntN(4) * r.IntN(300) // often empty, sometimes past the stack buffer
		return strings.Repeat("é:x 1", n)[:n]
	}
	prev := []byte(nil)
	ints := []int64{0, 1, -1, 9, 10, math.MaxInt64, math.MinInt64}
	for i := range 500 {
		e := Event{ID: int64(i) + 1, DeploymentID: r.Int64N(1 << 40), At: time.Unix(r.Int64N(1<<34)-1<<33, 0),
			Actor: text(), Principal: text(), Type: text(), Detail: text()}
		if i < len(ints) {
			e.ID, e.DeploymentID = ints[i], ints[len(ints)-1-i]
		}
		want := ChainHash(prev, strconv.FormatInt(e.ID, 10), strconv.FormatInt(e.DeploymentID, 10),
			strconv.FormatInt(e.At.Unix(), 10), e.Actor, e.Principal, e.Type, e.Detail)
		got := e.Link(prev)
		if !bytes.Equal(got, want) || len(got) != ChainLen {
			t.Fatalf("event %+v after %x: link %x, want %x", e, prev, got, want)
		}
		prev = got
	}
}
