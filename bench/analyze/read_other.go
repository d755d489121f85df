//go:build !unix

package analyze

import "os"

// readFile reads j's file into *buf; the data is always complete. The
// directory is for Linux.
func readFile(_ openDir, j job, buf *[]byte, _ bool) (data []byte, complete bool, err error) {
	f, err := os.Open(j.file())
	if err != nil {
		return nil, false, err
	}
	b, err := readInto((*buf)[:0], f.Read)
	*buf = b[:0]
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return b, err == nil, err
}
