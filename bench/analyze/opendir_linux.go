package analyze

import "syscall"

// openDir is a directory held open to open its files by name (openat), or
// none (fd -1).
type openDir struct{ fd int }

// noDir opens files by path.
var noDir = openDir{fd: -1}

// openDirectory opens the directory at path, or returns noDir when it
// cannot: opening by path is always right, only slower.
func openDirectory(path string) openDir {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return noDir
	}
	return openDir{fd: fd}
}

// open opens j's file for reading: by its name in d when j is a file of
// d's, otherwise by its path.
func (d openDir) open(j job) (int, error) {
	if d.fd >= 0 && j.path == "" {
		return syscall.Openat(d.fd, j.base, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	}
	return syscall.Open(j.file(), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
}

func (d openDir) close() {
	if d.fd >= 0 {
		syscall.Close(d.fd)
	}
}
