package common

import "testing"

// TestRemoteCommand: plain words pass as they are; a word with a space or a quote is
// quoted for the server's splitting, and the whole for the person's shell.
func TestRemoteCommand(t *testing.T) {
	t.Parallel()
	c := &Common{SSH: "ssh -p 2222 kim@host"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"history", "--env", "production", "--format", "csv"}, `ssh -p 2222 kim@host -- history --env production --format csv`},
		{[]string{"history", "--search", "no power"}, `ssh -p 2222 kim@host -- 'history --search "no power"'`},
		{[]string{"history", "--search", `it's "odd"`}, `ssh -p 2222 kim@host -- 'history --search "it'\''s \"odd\""'`},
	} {
		if got := c.RemoteCommand(tc.args...); got != tc.want {
			t.Errorf("RemoteCommand(%q) = %s, want %s", tc.args, got, tc.want)
		}
	}
	if got := (&Common{}).RemoteCommand("report"); got != "ssh HOST -- report" {
		t.Errorf("without an address: %s", got)
	}
}
