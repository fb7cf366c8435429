//go:build unix

package notify

import (
	"os/exec"
	"syscall"
)

// inGroup runs cmd in a process group of its own, stopped whole when it times out.
func inGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
