package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
	"github.com/benchtrace/benchtrace/bench/internal/cli/clitest"
)

// binary builds benchtrace and benchtrace-runner once for the tests that
// need a real process, and returns benchtrace's path: they run the runner
// through benchtrace, as users do.
func binary(t *testing.T) string { return clitest.Build(t) }

// TestMain removes the built commands, and checks that the commands run in
// process leave no goroutine behind.
func TestMain(m *testing.M) { clitest.Main(m) }

// TestRunExitStatus checks run's command line through run and
// cli.ExitStatus, which is all main does: help on stdout and status 0,
// usage errors on stderr and status 2.
func TestRunExitStatus(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		want       int
		wantStdout []string // "" in the list: stdout must be empty
		wantStderr []string // nil: stderr must be empty
	}{
		{"help run", []string{"help", "run"}, 0, []string{"usage: benchtrace run", "-log-dir DIR"}, nil},
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := cli.ExitStatus(&stderr, run(t.Context(), &stdout, &stderr, tt.args))
			assert.Equal(t, tt.want, got, "exit status; stderr: %s", stderr.String())
			clitest.CheckOutput(t, stdout.String(), stderr.String(), tt.wantStdout, tt.wantStderr)
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
