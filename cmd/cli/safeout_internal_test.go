package cli

import "testing"

// The word-at-a-time scan must stop exactly where a byte-by-byte one does: every byte
// value, at every position of a word and of the tail, after plain text of every
// length up to three words.
func TestPlainASCIIStopsWhereBytesDo(t *testing.T) {
	base := []byte("deploy web-service\tv2.4.1 to production\n{\"a\":1}~ ")
	for n := range 25 {
		for at := 0; at <= n; at++ {
			for c := range 256 {
				b := append([]byte{}, base[:n]...)
				if at < n {
					b[at] = byte(c)
				}
				if got, want := plainASCII(b), plainBytes(b); got != want {
					t.Fatalf("%q: word scan stops at %d, bytes at %d", b, got, want)
				}
				if got, want := plainASCII(string(b)), plainBytes(string(b)); got != want {
					t.Fatalf("%q as a string: word scan stops at %d, bytes at %d", b, got, want)
				}
			}
		}
	}
}
