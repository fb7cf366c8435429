package sshd

import (
	"net"
	"testing"
)

// TestSSHCommand: the console names commands to run from the person's machine with
// the address and user they reached it by; port 22 needs no -p, and a user name a
// shell would read otherwise is left out.
func TestSSHCommand(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		user, addr, want string
	}{
		{"kim", "127.0.0.1:23456", "ssh -p 23456 kim@127.0.0.1"},
		{"tom", "10.0.0.5:22", "ssh tom@10.0.0.5"},
		{"a b", "10.0.0.5:2222", "ssh -p 2222 10.0.0.5"},
		{"x;rm", "[::1]:2222", "ssh -p 2222 ::1"},
	} {
		addr, err := net.ResolveTCPAddr("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := sshCommand(c.user, addr); got != c.want {
			t.Errorf("sshCommand(%q, %s) = %q, want %q", c.user, c.addr, got, c.want)
		}
	}
}
