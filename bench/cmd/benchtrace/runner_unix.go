//go:build unix

package main

import (
	"os"
	"syscall"
)

// forwarded are the signals a child runner is sent on.
var forwarded = []os.Signal{syscall.SIGTERM, syscall.SIGHUP}

// become replaces the process with the runner, run with argv and the
// rest of benchtrace's command line. It returns only on failure.
func become(argv []string) error {
	return syscall.Exec(argv[0], append(argv, os.Args[1:]...), os.Environ())
}

// exitCode is a finished child's exit status as a shell reports it:
// 128+N after signal N.
func exitCode(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
