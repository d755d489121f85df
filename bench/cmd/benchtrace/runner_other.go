//go:build !unix

package main

import "os"

// forwarded are the signals a child runner is sent on: none, Ctrl+C
// reaches it from the console.
var forwarded []os.Signal

// become cannot replace the process here: the caller runs the runner as a
// child.
func become([]string) error { return errNoExec }

// exitCode is a finished child's exit status.
func exitCode(ps *os.ProcessState) int { return ps.ExitCode() }
