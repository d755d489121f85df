package main

import (
	"bytes"
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logDir holds the analyze package's fixed run logs.
const logDir = "../../analyze/testdata/logs"

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantErr    string // "" for success
		wantStdout []string
		wantStderr []string
	}{
		{
			name:       "analyze",
			args:       []string{"analyze", "--log-dir", logDir},
			wantStdout: []string{"BENCHMARK SUMMARY - 10 log(s)", "✓ RESNET20_RELU_CIFAR10", "FHE Time:", "45.60s", "STATISTICS", "PER-BENCHMARK STATISTICS"},
			wantStderr: []string{"warning: gemm: only 2 successful runs"},
		},
		{
			name:       "analyze latest filtered",
			args:       []string{"analyze", "--log-dir", logDir, "--latest", "--benchmark", "gemm"},
			wantStdout: []string{"BENCHMARK SUMMARY - 1 log(s)", "✓ GEMM"},
		},
		{
			name:       "analyze verbose",
			args:       []string{"analyze", "--log-dir", logDir, "-v", "--benchmark", "kmeans"},
			wantStdout: []string{"… KMEANS", "INCOMPLETE (running)", "Phase Breakdown:"},
		},
		{
			name:    "analyze empty dir",
			args:    []string{"analyze", "--log-dir", "testdata-that-does-not-exist"},
			wantErr: "testdata-that-does-not-exist",
		},
		{
			name:       "analyze help",
			args:       []string{"analyze", "-h"},
			wantErr:    flag.ErrHelp.Error(),
			wantStderr: []string{"usage: benchtrace analyze", "-log-dir"},
		},
		{
			name:       "help",
			args:       []string{"help"},
			wantStdout: []string{"usage: benchtrace <command>", "analyze", "run"},
		},
		{
			name:       "--help",
			args:       []string{"--help"},
			wantStdout: []string{"usage: benchtrace <command>"},
		},
		{
			name:       "no command",
			args:       nil,
			wantErr:    "no command",
			wantStderr: []string{"usage: benchtrace <command>"},
		},
		{
			name:       "unknown command",
			args:       []string{"frobnicate"},
			wantErr:    `unknown command "frobnicate"`,
			wantStderr: []string{"usage: benchtrace <command>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), &stdout, &stderr, tt.args)
			if tt.wantErr == "" {
				require.NoError(t, err, "stderr: %s", stderr.String())
			} else {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
			}
			for _, s := range tt.wantStdout {
				assert.Contains(t, stdout.String(), s)
			}
			for _, s := range tt.wantStderr {
				assert.Contains(t, stderr.String(), s)
			}
			if len(tt.wantStderr) == 0 {
				assert.Empty(t, stderr.String())
			}
		})
	}
}
