package analyze

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// readDirBatch calls fn with the name of each entry of the next batch of
// the directory d (at dir), and whether it is a directory, reading it with
// getdents64 into *buf: no os.DirEntry and no name string for the files
// it is not asked to keep. It returns io.EOF after the last batch.
func readDirBatch(d *os.File, dir string, buf *[]byte, fn func(name []byte, isDir bool)) error {
	rc, err := d.SyscallConn()
	if err != nil {
		return err
	}
	if *buf == nil {
		*buf = make([]byte, 32<<10)
	}
	n := 0
	var rerr error
	// A directory is not pollable: Read calls the function once.
	if err := rc.Read(func(fd uintptr) bool {
		for {
			n, rerr = syscall.Getdents(int(fd), *buf)
			if rerr != syscall.EINTR {
				return true
			}
		}
	}); err != nil {
		return err
	}
	if rerr != nil {
		return &os.PathError{Op: "getdents", Path: dir, Err: rerr}
	}
	if n <= 0 {
		return io.EOF
	}
	// struct linux_dirent64: inode (8 bytes), offset (8), record length
	// (2), type (1), name (NUL-terminated).
	const (
		typeUnknown = 0 // DT_UNKNOWN: the file system does not say
		typeDir     = 4 // DT_DIR
	)
	for b := (*buf)[:n]; len(b) >= 19; {
		reclen := int(binary.NativeEndian.Uint16(b[16:]))
		if reclen < 19 || reclen > len(b) {
			return &os.PathError{Op: "getdents", Path: dir, Err: syscall.EINVAL}
		}
		typ, name := b[18], b[19:reclen]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		b = b[reclen:]
		if string(name) == "." || string(name) == ".." {
			continue
		}
		isDir := typ == typeDir
		if typ == typeUnknown {
			fi, err := os.Lstat(filepath.Join(dir, string(name)))
			isDir = err == nil && fi.IsDir()
		}
		fn(name, isDir)
	}
	return nil
}
