// Package clitest builds benchtrace and benchtrace-runner for the tests
// that run them as processes, as a user's shell or script does.
package clitest

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

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

// Cleanup removes what Build built: TestMain calls it after the tests.
func Cleanup() {
	if dir != "" {
		os.RemoveAll(dir)
	}
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }
