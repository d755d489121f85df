//go:build !linux

package analyze

// openDir would hold a directory open to open its files by name; outside
// Linux, files are opened by path.
type openDir struct{}

// noDir opens files by path.
var noDir = openDir{}

func openDirectory(string) openDir { return noDir }

func (openDir) close() {}
