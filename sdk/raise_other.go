//go:build !unix

package sdk

import "syscall"

// raise does nothing where signals cannot be sent to a process (Windows):
// exitOnSignal's exit stands in for the signal's default action.
func raise(syscall.Signal) {}
