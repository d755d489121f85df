//go:build unix

package sdk

import (
	"os"
	"syscall"
	"time"
)

// raise sends sig to this process, and gives it a moment to take effect.
func raise(sig syscall.Signal) {
	_ = syscall.Kill(os.Getpid(), sig)
	time.Sleep(100 * time.Millisecond)
}
