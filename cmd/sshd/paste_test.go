package sshd

import (
	"fmt"
	"strings"
	"testing"
)

// planVersion takes a new session of ana's to the plan form's Version field.
func (f *fixture) planVersion(t testing.TB) *term {
	t.Helper()
	tm := f.open(t, "ana")
	tm.waitFor("Dashboard")
	tm.send("p")
	tm.waitFor("┃ Model")
	tm.send("\r") // the first model
	tm.waitFor("What · web-service")
	tm.send("\r") // the first component
	tm.waitFor("┃ Version")
	return tm
}

// A paste over SSH into a text field is cut at its limit, and the field says so; the
// console carries on as usual.
func TestPasteIntoAFieldOverSSH(t *testing.T) {
	f := newFixture(t, Options{})
	tm := f.planVersion(t)
	tm.send(strings.Repeat("4.12.0-rc1 ", 1000))
	tm.waitFor("✗ full: at most 100 characters")
	tm.send("\r")
	tm.waitFor("When and where")
}

// BenchmarkPasteOverSSH pastes 10 KB and 60 KB into the plan form's Version field
// over SSH, as a terminal without bracketed paste sends it (a key a character), and
// waits until the form has taken the enter that follows. The field holds 100
// characters; the cost grows no faster than the paste (the two sizes' ratio is at
// most 6; 10 KB took 80 s before, here, and 60 KB several minutes).
func BenchmarkPasteOverSSH(b *testing.B) {
	for _, size := range []int{10_000, 60_000} {
		b.Run(fmt.Sprintf("%dKB", size/1000), func(b *testing.B) {
			f := newFixture(b, Options{})
			text := strings.Repeat("4.12.0-rc1 ", size/11+1)[:size]
			b.StopTimer()
			for range b.N {
				tm := f.planVersion(b)
				from := tm.out.Len()
				b.StartTimer()
				tm.send(text + "\r")
				if err := tm.out.waitFor(from, waitTimeout, "When and where"); err != nil {
					b.Fatalf("%v; the session shows:\n%s", err, tm.screen())
				}
				b.StopTimer()
				tm.client.Close()
			}
		})
	}
}
