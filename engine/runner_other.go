//go:build !unix

package engine

import (
	"os"
	"syscall"
)

// Automated steps need /bin/sh and process groups; elsewhere they fail with a message.
const procSupported = false

func groupAttr() *syscall.SysProcAttr  { return nil }
func signalGroup(int, syscall.Signal)  {}
func groupExists(int) bool             { return false }
func pidAlive(int) bool                { return true }
func exitCode(ps *os.ProcessState) int { return ps.ExitCode() }
func procStart(int) int64              { return 0 }

func groupLiving(int) int { return 0 }

func startGuard(int) {}
