//go:build unix && !linux

package analyze

import "syscall"

// open opens the file at path for reading.
func (openDir) open(path, _ string) (int, error) {
	return syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
}
