package engine

import "syscall"

// setParentDeathSignal makes the kernel kill the command's shell if ferry dies
// (kill -9 included), so a script does not go on to its next command unwatched.
// What the shell started is stopped when the interrupted step is recovered.
func setParentDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }
