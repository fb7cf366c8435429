//go:build unix && !linux

package engine

import "syscall"

func setParentDeathSignal(*syscall.SysProcAttr) {}
