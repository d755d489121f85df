// Package clitest builds benchtrace and benchtrace-runner for the tests
// that run them as processes, as a user's shell or script does.
package clitest

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
)

var (
	once sync.Once
	dir  string
	err  error
)

// Build builds both commands into one directory, once per test binary,
// and returns benchtrace's path: benchtrace-runner is next to it, where
// benchtrace finds it. It skips the test in -short mode.
func Build(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the commands: not in -short mode")
	}
	once.Do(func() {
		dir, err = os.MkdirTemp("", "benchtrace-test-")
		if err != nil {
			return
		}
		out, berr := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
			"github.com/benchtrace/benchtrace/bench/cmd/benchtrace", cli.RunnerPackage).CombinedOutput()
		if berr != nil {
			err = &buildError{err: berr, out: string(out)}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, cli.Name)
}

// Runner returns the path of the benchtrace-runner that Build builds.
func Runner(t testing.TB) string {
	t.Helper()
	return filepath.Join(filepath.Dir(Build(t)), cli.RunnerName)
}

// Main is the TestMain of the commands' tests: it runs them, removes
// what Build built, and checks that the commands run in process left no
// goroutine behind.
func Main(m *testing.M) {
	code := m.Run()
	if dir != "" {
		os.RemoveAll(dir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// Examples returns the example command lines of the manual in the
// package doc of the Go file at path (its "# Examples" section), each as
// its fields after "benchtrace", "&" at its end left out.
func Examples(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments|parser.PackageClauseOnly)
	require.NoError(t, err)
	require.NotNil(t, f.Doc)
	_, examples, ok := strings.Cut(f.Doc.Text(), "\n# Examples\n")
	require.True(t, ok, "the manual has examples")
	var out [][]string
	for _, line := range strings.Split(examples, "\n") {
		args, ok := strings.CutPrefix(strings.TrimSpace(line), cli.Name+" ")
		if ok {
			out = append(out, strings.Fields(strings.TrimSuffix(args, "&")))
		}
	}
	return out
}

// CheckOutput checks what a command wrote: each of wantStdout in stdout
// ("" in the list: stdout is empty), each of wantStderr in stderr, and
// stderr empty when wantStderr is nil.
func CheckOutput(t testing.TB, stdout, stderr string, wantStdout, wantStderr []string) {
	t.Helper()
	for _, s := range wantStdout {
		ContainsOrEmpty(t, "stdout", stdout, s)
	}
	for _, s := range wantStderr {
		assert.Contains(t, stderr, s)
	}
	if wantStderr == nil {
		assert.Empty(t, stderr)
	}
}

// ContainsOrEmpty checks that the stream called name holds want, or is
// empty when want is "".
func ContainsOrEmpty(t testing.TB, name, got, want string) {
	t.Helper()
	if want == "" {
		assert.Empty(t, got, name)
	} else {
		assert.Contains(t, got, want, name)
	}
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }
