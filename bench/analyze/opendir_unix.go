//go:build unix && !linux

package analyze

import "syscall"

// open opens j's file for reading.
func (openDir) open(j job) (int, error) {
	return syscall.Open(j.file(), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
}
