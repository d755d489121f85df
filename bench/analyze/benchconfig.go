package analyze

import (
	"bufio"
	"strings"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// benchConfigKeys are the configuration lines WriteBench writes, in the
// Go benchmark format's "key: value" form, from each run's metadata: goos
// and goarch as `go test -bench` writes them (from metadata.platform, when
// it names them), cpu (metadata.cpu_model) and commit
// (metadata.git_commit). benchstat shows them, and can split on them:
// `benchstat -col commit`.
var benchConfigKeys = []string{"goos", "goarch", "cpu", "commit"}

// benchConfig is the configuration the lines written so far have set.
type benchConfig map[string]string

// write writes the configuration lines of a run whose metadata is md that
// differ from the current ones: a new value, or "key:" (which unsets it)
// when the run has none.
func (c benchConfig) write(b *bufio.Writer, md benchlog.Object) {
	vals := benchConfigOf(md)
	for _, k := range benchConfigKeys {
		v := vals[k]
		old, set := c[k]
		switch {
		case set && old == v, !set && v == "":
			continue
		case v == "":
			delete(c, k)
			b.WriteString(k + ":\n")
		default:
			c[k] = v
			b.WriteString(k + ": " + v + "\n")
		}
	}
}

func benchConfigOf(md benchlog.Object) map[string]string {
	out := map[string]string{}
	line := func(s string) string { return strings.Join(strings.Fields(s), " ") } // one line
	if s, ok := md.String(benchlog.KeyCPUModel); ok {
		out["cpu"] = line(s)
	}
	if s, ok := md.String(benchlog.KeyGitCommit); ok {
		out["commit"] = line(s)
	}
	if s, ok := md.String(benchlog.KeyPlatform); ok {
		out["goos"], out["goarch"] = platformGo(s)
	}
	return out
}

// platformGo reads GOOS and GOARCH from a platform description such as
// Python's platform.platform() ("Linux-6.8.0-arm64-aarch64-with-glibc2.39",
// "macOS-14.1-arm64-arm-64bit", "Windows-10-10.0.19041-SP0"), or "" for
// what it does not name.
func platformGo(s string) (goos, goarch string) {
	l := strings.ToLower(s)
	switch {
	case strings.HasPrefix(l, "linux"):
		goos = "linux"
	case strings.HasPrefix(l, "macos"), strings.HasPrefix(l, "darwin"):
		goos = "darwin"
	case strings.HasPrefix(l, "windows"):
		goos = "windows"
	case strings.HasPrefix(l, "freebsd"):
		goos = "freebsd"
	}
	switch {
	case strings.Contains(l, "x86_64"), strings.Contains(l, "amd64"):
		goarch = "amd64"
	case strings.Contains(l, "aarch64"), strings.Contains(l, "arm64"):
		goarch = "arm64"
	}
	return goos, goarch
}
