package engine

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal makes the kernel kill the command's shell if ferry dies
// (kill -9 included), so a script does not go on to its next command unwatched.
func setParentDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }

// guardScript waits, in the step's process group, for the signal the kernel sends
// when ferry dies, and then kills the whole group: the parent-death signal reaches
// only ferry's own children, and what the step's shell started (a sleep, a server)
// would otherwise live on under init. It ignores SIGTERM and SIGINT, which ferry
// sends the group to stop a step gracefully, so a step keeps its grace time; ferry's
// SIGKILL to the group ends it with the rest.
const guardScript = `trap '' TERM INT; trap 'kill -9 0' USR1; sleep 2147483647 & wait`

// startGuard starts the guard of the process group pgid; it must be called on the
// locked thread that started the step (the parent-death signal follows the thread).
// A guard that cannot start leaves the recovery of the next ferry to stop the group.
func startGuard(pgid int) {
	g := exec.Command("/bin/sh", "-c", guardScript)
	g.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pgid: pgid, Pdeathsig: syscall.SIGUSR1}
	if g.Start() == nil {
		// Reaped when it exits, with the group, so no zombie is left.
		go func() { _ = g.Wait() }()
	}
}
