package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
	"github.com/benchtrace/benchtrace/bench/internal/cli/clitest"
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
		{"help analyze", []string{"help", "analyze"}, 0, []string{"usage: benchtrace analyze", "-log-dir DIR"}, nil},
		{"help unknown", []string{"help", "frobnicate"}, 2, []string{""}, []string{`unknown command "frobnicate"`}},
		{"help two", []string{"help", "run", "analyze"}, 2, []string{""}, []string{`unexpected argument "analyze"`}},
		{"unknown command", []string{"frobnicate"}, 2, []string{""}, []string{`benchtrace: unknown command "frobnicate"`, `Run "benchtrace -h"`}},
		{"flag before command", []string{"--no-such-flag"}, 2, []string{""}, []string{"flag provided but not defined: --no-such-flag"}},

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
			got := cli.ExitStatus(&stderr, run(t.Context(), &stdout, &stderr, tt.args))
			assert.Equal(t, tt.want, got, "exit status; stderr: %s", stderr.String())
			clitest.CheckOutput(t, stdout.String(), stderr.String(), tt.wantStdout, tt.wantStderr)
		})
	}
}

// binary builds benchtrace and benchtrace-runner once for the tests that
// need a real process, and returns benchtrace's path.
func binary(t *testing.T) string { return clitest.Build(t) }

// TestMain removes the built commands, and checks that the commands run in
// process leave no goroutine behind.
func TestMain(m *testing.M) { clitest.Main(m) }

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
			clitest.ContainsOrEmpty(t, "stdout", stdout.String(), tt.wantStdout)
			clitest.ContainsOrEmpty(t, "stderr", stderr.String(), tt.wantStderr)
		})
	}
}
