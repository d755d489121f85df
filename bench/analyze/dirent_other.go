//go:build !linux

package analyze

import "os"

// readDirBatch calls fn with the name of each entry of the next batch of
// the directory d, and whether it is a directory. It returns io.EOF after
// the last batch.
func readDirBatch(d *os.File, _ string, _ *[]byte, fn func(name []byte, isDir bool)) error {
	entries, err := d.ReadDir(256)
	for _, e := range entries {
		fn([]byte(e.Name()), e.IsDir())
	}
	return err
}
