package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
)

// envRunner names the benchtrace-runner to run, when set: for a packager
// that installs it elsewhere, and for tests.
const envRunner = "BENCHTRACE_RUNNER"

// module is benchtrace's module path.
const module = "github.com/benchtrace/benchtrace"

// runRunner runs benchtrace-runner with args, for run and exec. From main
// (stdout and stderr are the process's own) on Unix, benchtrace becomes
// the runner: the same process, so signals, the terminal and the exit
// status are the runner's own. Elsewhere it runs the runner as a child,
// forwards SIGTERM and SIGHUP to it (SIGINT, or Ctrl+C, a terminal sends
// to both: passing it on would make it the runner's second, which ends
// it at once), and returns its exit status.
func runRunner(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	argv, err := findRunner(stderr)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	if stdout == os.Stdout && stderr == os.Stderr {
		if err := become(argv); !errors.Is(err, errNoExec) {
			return fmt.Errorf("%s: running %s: %w", args[0], argv[0], err)
		}
	}
	cmd := exec.Command(argv[0], append(argv[1:], args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: running %s: %w", args[0], argv[0], err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, append(forwarded, os.Interrupt)...)
	defer signal.Stop(sigs)
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	for {
		select {
		case sig := <-sigs:
			if sig != os.Interrupt {
				cmd.Process.Signal(sig) // it ends the runner's run; its status says how
			}
		case <-ctx.Done():
			cmd.Process.Signal(os.Interrupt)
			ctx = context.Background() // once
		case err := <-waited:
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return runnerStatus{code: exitCode(ee.ProcessState)}
			}
			return err
		}
	}
}

// runnerStatus is the runner's exit status, other than 0: the runner has
// said why already.
type runnerStatus struct{ code int }

func (s runnerStatus) Error() string {
	return fmt.Sprintf("%s exited with status %d", cli.RunnerName, s.code)
}
func (s runnerStatus) ExitCode() int  { return s.code }
func (s runnerStatus) Reported() bool { return true }

// errNoExec is become's error where a process cannot replace itself.
var errNoExec = errors.New("cannot exec")

// errNoRunner is the error of a benchtrace without its runner.
var errNoRunner = errors.New(cli.RunnerName + " not found")

// findRunner returns the command line that runs benchtrace-runner, before
// its arguments: $BENCHTRACE_RUNNER; else benchtrace-runner in the
// directory of benchtrace's executable, where go build -o DIR/ and go
// install put both; else benchtrace-runner in PATH; else, when the go
// command is there, the runner of the same source as benchtrace's (see
// sourcePackage), which it installs into the user's cache directory first
// (go reports its build on stderr). Not "go run": that exits 1 whatever
// the program's status.
func findRunner(stderr io.Writer) ([]string, error) {
	self, err := os.Executable()
	if err == nil {
		if s, err := filepath.EvalSymlinks(self); err == nil {
			self = s
		}
	}
	if p := os.Getenv(envRunner); p != "" {
		path, err := exec.LookPath(p)
		if err == nil {
			err = notSelf(path, self)
		}
		if err != nil {
			return nil, fmt.Errorf("$%s: %w", envRunner, err)
		}
		return []string{path}, nil
	}
	name := cli.RunnerName
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if self != "" {
		p := filepath.Join(filepath.Dir(self), name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return []string{p}, notSelf(p, self)
		}
	}
	if p, err := exec.LookPath(cli.RunnerName); err == nil {
		return []string{p}, notSelf(p, self)
	}
	bi, _ := debug.ReadBuildInfo()
	if pkg, key, ok := sourcePackage(bi, moduleRoot); ok {
		if gobin, err := exec.LookPath("go"); err == nil {
			p, err := install(stderr, gobin, pkg, key)
			return []string{p}, err
		}
	}
	version := "latest"
	if bi != nil && bi.Main.Path == module && semver(bi.Main.Version) {
		version = bi.Main.Version
	}
	return nil, fmt.Errorf("%w: it does run and exec, and belongs next to %s (%s) or in PATH: go install %s/bench/cmd/...@%s installs both",
		errNoRunner, cli.Name, self, module, version)
}

// notSelf returns an error when the runner at path is benchtrace itself
// (a link of the wrong name), which would run itself for ever.
func notSelf(path, self string) error {
	a, err := os.Stat(path)
	if err != nil {
		return nil // running it will say what is wrong
	}
	if b, err := os.Stat(self); err == nil && os.SameFile(a, b) {
		return fmt.Errorf("%s is %s itself, not %s", path, cli.Name, cli.RunnerName)
	}
	return nil
}

// sourcePackage returns what "go install" installs as the runner of a
// benchtrace built as bi says, and the key of its directory in the cache:
// for a build of a version ("go run
// github.com/benchtrace/benchtrace/bench/cmd/benchtrace@v1.2.3"), the
// runner at that version, which the module cache has; for a build of the
// module's source ("(devel)"), the runner's package, when the working
// directory is in the module (root returns the module's root directory
// and path); for a build in another module that requires benchtrace, the
// runner's package, at the version that module requires.
func sourcePackage(bi *debug.BuildInfo, root func() (dir, path string)) (pkg, key string, ok bool) {
	if bi == nil {
		return "", "", false
	}
	if bi.Main.Path == module && semver(bi.Main.Version) {
		return cli.RunnerPackage + "@" + bi.Main.Version, bi.Main.Version, true
	}
	dir, path := root()
	switch {
	case dir == "":
		return "", "", false
	case bi.Main.Path == module && path == module,
		bi.Main.Path != module && path == bi.Main.Path && slices.ContainsFunc(bi.Deps, func(m *debug.Module) bool { return m.Path == module }):
		h := fnv.New64a()
		h.Write([]byte(dir))
		return cli.RunnerPackage, fmt.Sprintf("%016x", h.Sum64()), true
	}
	return "", "", false
}

// install installs the runner package pkg (with GOBIN) into the cache
// directory of key, and returns its path. go install leaves an installed
// runner that is up to date as it is.
func install(stderr io.Writer, gobin, pkg, key string) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "benchtrace", "runner", key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.Command(gobin, "install", pkg)
	cmd.Env = append(os.Environ(), "GOBIN="+dir)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%w: go install %s: %v", errNoRunner, pkg, err)
	}
	name := cli.RunnerName
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	return filepath.Join(dir, name), nil
}

// semver reports whether v is a module version (v1.2.3, a
// pseudo-version), not "(devel)" or "".
func semver(v string) bool {
	return strings.HasPrefix(v, "v") && strings.Count(v, ".") >= 2
}

// moduleRoot returns the root directory of the module the working
// directory is in, and the module's path, or "" when it is in none.
func moduleRoot() (dir, path string) {
	dir, err := os.Getwd()
	if err != nil {
		return "", ""
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			return dir, modulePath(data)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ""
		}
		dir = parent
	}
}

// modulePath is the path of the module line of a go.mod file.
func modulePath(gomod []byte) string {
	for line := range strings.Lines(string(gomod)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module"); ok && rest != strings.TrimSpace(line) {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}
