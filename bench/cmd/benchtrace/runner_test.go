package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
	"github.com/benchtrace/benchtrace/bench/internal/cli/clitest"
)

// TestRunnerCommands runs run and exec in process, as the tests of
// benchtrace's other commands do: benchtrace runs benchtrace-runner as a
// child then, which says what went wrong itself, once, and whose exit
// status is benchtrace's.
func TestRunnerCommands(t *testing.T) {
	t.Setenv(envRunner, clitest.Runner(t))
	tests := []struct {
		name       string
		args       []string
		want       int
		wantStdout string // "" for empty
		wantStderr string // "" for empty
	}{
		{"help run", []string{"help", "run"}, 0, "usage: benchtrace run [--log-dir DIR]", ""},
		{"exec -h", []string{"exec", "-h"}, 0, "usage: benchtrace exec", ""},
		{"run list", []string{"run", "--list", "--only", "gemm"}, 0, "int8_gemm_quantized", ""},
		{"run unknown flag", []string{"run", "--no-such-flag"}, 2, "", "benchtrace: run: flag provided but not defined: -no-such-flag\nRun \"benchtrace run -h\" for usage.\n"},
		{"exec status", []string{"exec", "--log-dir", t.TempDir(), "--", "sh", "-c", "exit 3"}, 3, "", "exit status 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := cli.ExitStatus(&stderr, run(t.Context(), &stdout, &stderr, tt.args))
			assert.Equal(t, tt.want, got, "exit status; stderr: %s", stderr.String())
			clitest.ContainsOrEmpty(t, "stdout", stdout.String(), tt.wantStdout)
			clitest.ContainsOrEmpty(t, "stderr", stderr.String(), tt.wantStderr)
			assert.NotContains(t, stderr.String(), "exited with status", "the runner's status is not a second error")
		})
	}
}

// TestRunnerNotFound checks the error of a benchtrace without its runner,
// and no go command to build one: it names what is missing, where it was
// looked for, and how to install it.
func TestRunnerNotFound(t *testing.T) {
	t.Setenv(envRunner, "")
	t.Setenv("PATH", "")
	var stdout, stderr bytes.Buffer
	got := cli.ExitStatus(&stderr, run(t.Context(), &stdout, &stderr, []string{"run", "--list"}))
	assert.Equal(t, 1, got)
	assert.Empty(t, stdout.String())
	assert.Contains(t, stderr.String(), "benchtrace: run: benchtrace-runner not found: it does run and exec")
	assert.Contains(t, stderr.String(), "go install github.com/benchtrace/benchtrace/bench/cmd/...@")
}

// TestRunnerBecomes runs exec through the built benchtrace: on Unix,
// benchtrace becomes the runner (one process, so a signal sent to the pid
// a script started reaches the runner itself): the command's parent is
// the process the test started.
func TestRunnerBecomes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no exec on Windows: benchtrace runs the runner as a child")
	}
	bin := binary(t)
	cmd := exec.Command(bin, "exec", "--log-dir", t.TempDir(), "--", "sh", "-c", `echo "$PPID"`)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	assert.Equal(t, strconv.Itoa(cmd.Process.Pid), strings.TrimSpace(stdout.String()))
}

// TestRunnerFromSource runs "go run ./bench/cmd/benchtrace run" as the
// README does, from the module's source with no runner installed:
// benchtrace installs the runner of the same source into the user's cache
// directory and runs it, with its exit status ("go run" would have made
// every failure 1).
func TestRunnerFromSource(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the runner: not in -short mode")
	}
	gobin, err := exec.LookPath("go")
	require.NoError(t, err)
	gocache, err := exec.Command(gobin, "env", "GOCACHE").Output()
	require.NoError(t, err)
	dir := t.TempDir()
	front := filepath.Join(dir, "benchtrace")
	out, err := exec.Command(gobin, "build", "-o", front, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	cache := t.TempDir()
	env := append(os.Environ(), envRunner+"=", "PATH="+filepath.Dir(gobin),
		"XDG_CACHE_HOME="+cache, "GOCACHE="+strings.TrimSpace(string(gocache)))

	tests := []struct {
		args       []string
		want       int
		wantOutput string
	}{
		{[]string{"run", "--list", "--only", "kmeans"}, 0, "kmeans_embeddings"},
		{[]string{"run", "--no-such-flag"}, 2, "flag provided but not defined"},
		{[]string{"exec", "--log-dir", t.TempDir(), "--", "/bin/sh", "-c", "exit 3"}, 3, "exit status 3"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cmd := exec.Command(front, tt.args...)
			cmd.Dir, cmd.Env = root, env
			out, err := cmd.CombinedOutput()
			got := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				got = ee.ExitCode()
			}
			assert.Equal(t, tt.want, got, string(out))
			assert.Contains(t, string(out), tt.wantOutput)
		})
	}
	runners, err := filepath.Glob(filepath.Join(cache, "benchtrace", "runner", "*", cli.RunnerName))
	require.NoError(t, err)
	assert.Len(t, runners, 1, "one runner installed, and reused")

	// Outside the module, there is no source to build: the error says
	// what to install.
	cmd := exec.Command(front, "run", "--list")
	cmd.Dir, cmd.Env = dir, env
	out, err = cmd.CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "benchtrace-runner not found")
}

// TestLight checks that benchtrace links none of the packages whose
// initialization made its start-up slow before it left run and exec to
// benchtrace-runner: the SDK, OpenTelemetry, gRPC, protobuf, gopsutil,
// net/http, crypto/tls (30 ms of a 150 ms analysis of 10,000 logs; see
// docs/performance.md).
func TestLight(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	heavy := []string{
		"github.com/benchtrace/benchtrace/sdk\n", // not sdk/semconv, its keys
		"github.com/benchtrace/benchtrace/sdk/usage",
		"github.com/benchtrace/benchtrace/sdk/internal",
		"go.opentelemetry.io/",
		"google.golang.org/",
		"github.com/shirou/gopsutil",
		"net/http",
		"crypto/tls",
		"go.yaml.in/",
	}
	for dep := range strings.Lines(string(out)) {
		for _, h := range heavy {
			assert.False(t, strings.HasPrefix(dep, h), "benchtrace links %s", strings.TrimSpace(dep))
		}
	}
}

// TestRunnerChildInterrupted ends a run of a child runner by ending the
// context, as a caller of run does: the runner gets SIGINT and ends the
// run as interrupted (exec passes the signal on to its command), and its
// status is benchtrace's.
func TestRunnerChildInterrupted(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send to a child on Windows")
	}
	t.Setenv(envRunner, clitest.Runner(t))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	go func() {
		if line, err := bufio.NewReader(pr).ReadString('\n'); err == nil && line == "ready\n" {
			cancel()
		}
		io.Copy(io.Discard, pr)
	}()
	var stderr bytes.Buffer
	dir := t.TempDir()
	err := run(ctx, pw, &stderr, []string{"exec", "--log-dir", dir, "--", "sh", "-c", "echo ready; exec sleep 30"})
	pw.Close()
	assert.Equal(t, 130, cli.ExitStatus(&stderr, err), stderr.String())
	assert.Contains(t, stderr.String(), "SIGINT")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	assert.Len(t, files, 1, "the interrupted run is logged")
}

// TestSourcePackage checks which runner benchtrace installs when none is
// installed, for each way benchtrace may have been built.
func TestSourcePackage(t *testing.T) {
	in := func() (string, string) { return "/src/benchtrace", module }
	lab := func() (string, string) { return "/src/lab", "example.com/lab" }
	none := func() (string, string) { return "", "" }
	dep := []*debug.Module{{Path: "github.com/x/y"}, {Path: module, Version: "v1.4.0"}}
	devel := &debug.BuildInfo{Main: debug.Module{Path: module, Version: "(devel)"}}
	tests := []struct {
		name    string
		bi      *debug.BuildInfo
		root    func() (string, string)
		want    string
		wantKey string // "": a hash of the module's directory
		wantOK  bool
	}{
		{"no build info", nil, in, "", "", false},
		{"from a clone, in it", devel, in, cli.RunnerPackage, "", true},
		{"from a clone, in another module", devel, lab, "", "", false},
		{"from a clone, in no module", devel, none, "", "", false},
		{"a version", &debug.BuildInfo{Main: debug.Module{Path: module, Version: "v1.2.3"}}, none, cli.RunnerPackage + "@v1.2.3", "v1.2.3", true},
		{"a pseudo-version", &debug.BuildInfo{Main: debug.Module{Path: module, Version: "v0.0.0-20261130190000-0123456789ab"}}, none, cli.RunnerPackage + "@v0.0.0-20261130190000-0123456789ab", "v0.0.0-20261130190000-0123456789ab", true},
		{"another module's dependency, in it", &debug.BuildInfo{Main: debug.Module{Path: "example.com/lab"}, Deps: dep}, lab, cli.RunnerPackage, "", true},
		{"another module's dependency, elsewhere", &debug.BuildInfo{Main: debug.Module{Path: "example.com/lab"}, Deps: dep}, in, "", "", false},
		{"unrelated", &debug.BuildInfo{Main: debug.Module{Path: "example.com/lab"}}, lab, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, key, ok := sourcePackage(tt.bi, tt.root)
			require.Equal(t, tt.wantOK, ok)
			if !ok {
				return
			}
			assert.Equal(t, tt.want, got)
			if tt.wantKey != "" {
				assert.Equal(t, tt.wantKey, key)
			} else {
				assert.Regexp(t, `^[0-9a-f]{16}$`, key)
			}
		})
	}
	_, k1, _ := sourcePackage(devel, in)
	_, k2, _ := sourcePackage(devel, func() (string, string) { return "/other/clone", module })
	assert.NotEqual(t, k1, k2, "two clones, two runners")
}

// TestRunnerIsSelf checks that a runner that is benchtrace itself (a link
// of the wrong name) is an error, not a loop that runs itself for ever:
// named by $BENCHTRACE_RUNNER, next to benchtrace, or in PATH.
func TestRunnerIsSelf(t *testing.T) {
	data, err := os.ReadFile(binary(t))
	require.NoError(t, err)
	alone := filepath.Join(t.TempDir(), cli.Name) // no runner next to it
	require.NoError(t, os.WriteFile(alone, data, 0o755))
	linked := t.TempDir()
	require.NoError(t, os.Symlink(alone, filepath.Join(linked, cli.RunnerName)))
	beside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(beside, cli.Name), data, 0o755))
	require.NoError(t, os.Link(filepath.Join(beside, cli.Name), filepath.Join(beside, cli.RunnerName)))

	tests := []struct {
		name string
		bin  string
		env  []string
	}{
		{"BENCHTRACE_RUNNER", alone, []string{envRunner + "=" + filepath.Join(linked, cli.RunnerName)}},
		{"PATH", alone, []string{envRunner + "=", "PATH=" + linked}},
		{"next to it", filepath.Join(beside, cli.Name), []string{envRunner + "="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Without the check, it would exec itself until killed.
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, tt.bin, "run", "--list")
			cmd.Env = append(os.Environ(), tt.env...)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee, string(out))
			assert.Equal(t, 1, ee.ExitCode(), "killed after 20s: %v", ctx.Err())
			assert.Contains(t, string(out), "is benchtrace itself, not benchtrace-runner")
		})
	}
}
