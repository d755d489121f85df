package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// logDir holds the analyze package's fixed run logs.
const logDir = "../../analyze/testdata/logs"

// TestExitStatus checks the command-line conventions through run and
// exitStatus, which is all main does: help on stdout and status 0, usage
// errors on stderr and status 2, failures status 1.
func TestExitStatus(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	tests := []struct {
		name       string
		args       []string
		want       int
		wantStdout []string // "" in the list: stdout must be empty
		wantStderr []string // nil: stderr must be empty
	}{
		{"no command", nil, 2, []string{""}, []string{"benchtrace: no command", `Run "benchtrace -h"`}},
		{"-h", []string{"-h"}, 0, []string{"usage: benchtrace <command>", "run ", "analyze "}, nil},
		{"--help", []string{"--help"}, 0, []string{"usage: benchtrace <command>"}, nil},
		{"-help", []string{"-help"}, 0, []string{"usage: benchtrace <command>"}, nil},
		{"help", []string{"help"}, 0, []string{"usage: benchtrace <command>"}, nil},
		{"help run", []string{"help", "run"}, 0, []string{"usage: benchtrace run", "-log-dir DIR"}, nil},
		{"help unknown", []string{"help", "frobnicate"}, 2, []string{""}, []string{`unknown command "frobnicate"`}},
		{"help two", []string{"help", "run", "analyze"}, 2, []string{""}, []string{`unexpected argument "analyze"`}},
		{"unknown command", []string{"frobnicate"}, 2, []string{""}, []string{`benchtrace: unknown command "frobnicate"`, `Run "benchtrace -h"`}},
		{"flag before command", []string{"--no-such-flag"}, 2, []string{""}, []string{"flag provided but not defined: --no-such-flag"}},

		{"run -h", []string{"run", "-h"}, 0, []string{"usage: benchtrace run [--log-dir DIR]", "-logs DIR", "alias of --log-dir", "-size SIZE"}, nil},
		{"run --help", []string{"run", "--help"}, 0, []string{"usage: benchtrace run"}, nil},
		{"run -help", []string{"run", "-help"}, 0, []string{"usage: benchtrace run"}, nil},
		{"run help after flags", []string{"run", "--size", "small", "-h"}, 0, []string{"usage: benchtrace run"}, nil},
		{"run unknown flag", []string{"run", "--no-such-flag"}, 2, []string{""}, []string{"benchtrace: run: flag provided but not defined: -no-such-flag", `Run "benchtrace run -h" for usage.`}},
		{"run bad number", []string{"run", "--repeat", "many"}, 2, []string{""}, []string{`run: invalid value "many" for flag -repeat`}},
		{"run repeat 0", []string{"run", "--repeat", "0"}, 2, []string{""}, []string{"run: --repeat must be at least 1, got 0"}},
		{"run bad size", []string{"run", "--size", "huge"}, 2, []string{""}, []string{`invalid value "huge" for flag -size`, "want default or small"}},
		{"run bad regexp", []string{"run", "--only", "("}, 2, []string{""}, []string{"run: --only: error parsing regexp"}},
		{"run no match", []string{"run", "--only", "^nothing$"}, 2, []string{""}, []string{`run: --only "^nothing$" matches no benchmark`}},
		{"run argument", []string{"run", "extra"}, 2, []string{""}, []string{`run: unexpected argument "extra"`}},
		{"run missing value", []string{"run", "--log-dir"}, 2, []string{""}, []string{"flag needs an argument: -log-dir"}},
		{"run list", []string{"run", "--list"}, 0, []string{"mlp_polyrelu_synthetic", "kmeans_embeddings", "int8_gemm_quantized"}, nil},
		{"run list only", []string{"run", "--list", "--only", "gemm"}, 0, []string{"int8_gemm_quantized"}, nil},

		{"analyze -h", []string{"analyze", "-h"}, 0, []string{"usage: benchtrace analyze [--log-dir DIR]", "-export FILE", ".json, .csv, .md, .bench", "-logs DIR"}, nil},
		{"analyze --help", []string{"analyze", "--help"}, 0, []string{"usage: benchtrace analyze"}, nil},
		{"analyze unknown flag", []string{"analyze", "--no-such-flag"}, 2, []string{""}, []string{"analyze: flag provided but not defined: -no-such-flag", `Run "benchtrace analyze -h"`}},
		{"analyze argument", []string{"analyze", "--log-dir", logDir, "extra"}, 2, []string{""}, []string{`analyze: unexpected argument "extra"`}},
		{"analyze bad bool", []string{"analyze", "--latest=maybe"}, 2, []string{""}, []string{`invalid boolean value "maybe" for -latest`}},
		{"analyze unknown export format", []string{"analyze", "--log-dir", logDir, "--export", "summary.txt"}, 2, []string{""}, []string{`analyze: invalid value "summary.txt" for flag -export: unknown format ".txt"`, ".json, .csv, .md, .bench"}},
		{"analyze export without extension", []string{"analyze", "--log-dir", logDir, "--export", "summary"}, 2, []string{""}, []string{`unknown format ""`}},
		{"analyze", []string{"analyze", "--log-dir", logDir}, 0, []string{"BENCHMARK SUMMARY - 10 log(s)", "✓ RESNET20_RELU_CIFAR10", "FHE Time:", "45.60s", "STATISTICS", "PER-BENCHMARK STATISTICS"}, []string{"warning: gemm: only 2 successful runs"}},
		{"analyze --logs alias", []string{"analyze", "--logs", logDir, "--latest", "--benchmark", "gemm"}, 0, []string{"BENCHMARK SUMMARY - 1 log(s)", "✓ GEMM"}, nil},
		{"analyze verbose", []string{"analyze", "--log-dir", logDir, "-v", "--benchmark", "kmeans"}, 0, []string{"… KMEANS", "INCOMPLETE (running)", "Phase Breakdown:"}, nil},
		{"analyze missing dir", []string{"analyze", "--log-dir", missing}, 1, []string{""}, []string{"benchtrace: analyze: reading log directory", missing}},
		{"analyze no match", []string{"analyze", "--log-dir", logDir, "--benchmark", "nope"}, 1, []string{""}, []string{`no logs in ` + logDir + ` match --benchmark "nope"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := exitStatus(&stderr, run(t.Context(), &stdout, &stderr, tt.args))
			assert.Equal(t, tt.want, got, "exit status; stderr: %s", stderr.String())
			for _, s := range tt.wantStdout {
				if s == "" {
					assert.Empty(t, stdout.String())
				} else {
					assert.Contains(t, stdout.String(), s)
				}
			}
			for _, s := range tt.wantStderr {
				assert.Contains(t, stderr.String(), s)
			}
			if tt.wantStderr == nil {
				assert.Empty(t, stderr.String())
			}
		})
	}
}

// TestRunLogDirAlias runs the benchmarks with --logs, the old name of
// --log-dir.
func TestRunLogDirAlias(t *testing.T) {
	for _, flag := range []string{"--log-dir", "--logs", "-log-dir"} {
		t.Run(flag, func(t *testing.T) {
			dir := t.TempDir()
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), &stdout, &stderr, []string{"run", flag, dir, "--size", "small", "--only", "gemm"})
			require.NoError(t, err, stderr.String())
			files, err := filepath.Glob(filepath.Join(dir, "*.json"))
			require.NoError(t, err)
			assert.Len(t, files, 1)
			assert.Contains(t, stdout.String(), "Logs: "+dir)
		})
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the benchtrace command once for the tests that need a
// real process, and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the command: not in -short mode")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "benchtrace-test-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "benchtrace")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err: err, out: string(out)}
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

// TestMain removes the built command, and checks that the commands run in
// process leave no goroutine behind.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// TestBinaryExitStatus runs the built command as a shell would: the exit
// status of help, usage errors and failures, and which stream says what.
func TestBinaryExitStatus(t *testing.T) {
	bin := binary(t)
	tests := []struct {
		args       []string
		want       int
		wantStdout string // "" for empty
		wantStderr string // "" for empty
	}{
		{[]string{"--help"}, 0, "usage: benchtrace <command>", ""},
		{[]string{"run", "--help"}, 0, "usage: benchtrace run", ""},
		{[]string{"run", "-h"}, 0, "usage: benchtrace run", ""},
		{[]string{"analyze", "--help"}, 0, "usage: benchtrace analyze", ""},
		{[]string{"analyze", "-h"}, 0, "usage: benchtrace analyze", ""},
		{[]string{"run", "--no-such-flag"}, 2, "", "flag provided but not defined"},
		{[]string{"analyze", "--no-such-flag"}, 2, "", "flag provided but not defined"},
		{[]string{"run", "--repeat", "x"}, 2, "", "invalid value"},
		{[]string{"analyze", "--export", "x.csv2"}, 2, "", "unknown format"},
		{[]string{"frobnicate", "--help"}, 2, "", "unknown command"},
		{[]string{"compare", "--help"}, 0, "usage: benchtrace compare", ""},
		{[]string{"compare", "logs"}, 2, "", "want two sources"},
		{[]string{}, 2, "", "no command"},
		{[]string{"analyze", "--log-dir", filepath.Join(t.TempDir(), "none")}, 1, "", "reading log directory"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			got := 0
			if err != nil {
				var ee *exec.ExitError
				require.ErrorAs(t, err, &ee)
				got = ee.ExitCode()
			}
			assert.Equal(t, tt.want, got, "exit status; stderr: %s", stderr.String())
			if tt.wantStdout == "" {
				assert.Empty(t, stdout.String())
			} else {
				assert.Contains(t, stdout.String(), tt.wantStdout)
			}
			if tt.wantStderr == "" {
				assert.Empty(t, stderr.String())
			} else {
				assert.Contains(t, stderr.String(), tt.wantStderr)
			}
		})
	}
}

// TestRunSmallSize checks that the logs of `run --size small` say what
// ran: the small data sets and batch sizes, not the default size's.
func TestRunSmallSize(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(t.Context(), &stdout, &stderr, []string{"run", "--log-dir", dir, "--size", "small"}), stderr.String())
	want := map[string]struct {
		dataset string
		batch   float64 // 0: none
	}{
		"mlp_polyrelu_synthetic": {"synthetic-classification-32d-8c (train 2000, test 500)", 1},
		"kmeans_embeddings":      {"synthetic-embeddings-clustered-64d (n=2000, 8 clusters)", 0},
		"int8_gemm_quantized":    {"synthetic-gaussian-128x128x256", 128},
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, len(want))
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var l struct {
			Metadata struct {
				Name string `json:"benchmark_name"`
			} `json:"metadata"`
			Model map[string]any `json:"model"`
		}
		require.NoError(t, json.Unmarshal(data, &l))
		w, ok := want[l.Metadata.Name]
		require.True(t, ok, l.Metadata.Name)
		assert.Equal(t, w.dataset, l.Model["dataset"], l.Metadata.Name)
		if w.batch != 0 {
			assert.Equal(t, w.batch, l.Model["batch_size"], l.Metadata.Name)
		}
	}
	assert.Contains(t, stdout.String(), "Dataset:        synthetic-embeddings-clustered-64d (n=2000, 8 clusters)\n")
}
