//go:build unix && !linux

package engine

import "syscall"

func setParentDeathSignal(*syscall.SysProcAttr) {}

// startGuard: without a parent-death signal, the next ferry's recovery stops the
// group a dead runner left.
func startGuard(int) {}
