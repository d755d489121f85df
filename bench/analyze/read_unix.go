//go:build unix

package analyze

import (
	"io/fs"
	"syscall"
)

// readFile reads j's file into *buf, with the system calls
// themselves: os.Open would also register the file with the runtime's
// poller (one more system call per file, and an os.File to collect),
// which is a fifth of the time of reading thousands of small logs. When
// dir is open (Linux), the file is opened by its name in it, so that the
// kernel does not walk the directory's path again for every file.
//
// With once, it reads only once, into a buffer of at least 64 KiB, and
// does not ask again to see the end of the file when that read was short
// (as it is for a regular file that fits): complete then says whether the
// data is known to be whole. A caller that finds it not a valid log reads
// it again in full: a short read that is not the end of a file (which
// Linux does not do for regular files on local file systems) costs a
// second read, never a wrong result.
func readFile(dir openDir, j job, buf *[]byte, once bool) (data []byte, complete bool, err error) {
	var fd int
	for {
		fd, err = dir.open(j)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, false, &fs.PathError{Op: "open", Path: j.file(), Err: err}
	}
	read := func(b []byte) (int, error) {
		for {
			n, err := syscall.Read(fd, b)
			if err != syscall.EINTR {
				return max(n, 0), err
			}
		}
	}
	b := (*buf)[:0]
	if once && cap(b) < 64<<10 {
		b = make([]byte, 0, 64<<10)
	}
	complete = true
	if once {
		var n int
		n, err = read(b[:cap(b)])
		b = b[:n]
		if err == nil && n < cap(b) {
			complete = n == 0
		} else if err == nil {
			b, err = readInto(b, read) // there may be more
		}
	} else {
		b, err = readInto(b, read)
	}
	*buf = b[:0]
	data = b
	if cerr := syscall.Close(fd); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, false, &fs.PathError{Op: "read", Path: j.file(), Err: err}
	}
	return data, complete, nil
}
