//go:build !linux

package main

import (
	"os"
	"syscall"
)

// usageOf returns the command's CPU time. Its peak RSS is read only on
// Linux, where ru_maxrss has one unit (KiB).
func usageOf(ps *os.ProcessState) childUsage {
	return childUsage{user: ps.UserTime(), system: ps.SystemTime()}
}

// exitCode returns the command's exit status; 1 when it did not exit
// normally.
func exitCode(ps *os.ProcessState) (int, syscall.Signal) {
	if c := ps.ExitCode(); c >= 0 {
		return c, 0
	}
	return 1, 0
}

// terminalForeground is false where it is not checked: every SIGINT is
// forwarded.
func terminalForeground() bool { return false }

func sigName(sig syscall.Signal) string { return sig.String() }
