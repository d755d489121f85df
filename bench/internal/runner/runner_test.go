package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

func TestMainRunsAndSummarizes(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := Main(context.Background(), &stdout, &stderr, []string{"--logs", dir, "--size", "small", "--only", "kmeans|gemm", "--repeat", "2"})
	require.NoError(t, err, stderr.String())

	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 4, "2 benchmarks × 2 repeats")
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		l, err := benchlog.Decode(data)
		require.NoError(t, err)
		assert.Equal(t, "success", l.Status, f)
		assert.NotEmpty(t, l.Phases, f)
	}
	out := stdout.String()
	assert.Contains(t, out, "▶ kmeans_embeddings (1/4)")
	assert.Contains(t, out, "BENCHMARK SUMMARY - 4 log(s)")
	assert.Contains(t, out, "✓ INT8_GEMM_QUANTIZED")
	assert.Contains(t, out, "STATISTICS")
	assert.Contains(t, out, "Logs: "+dir)
	assert.Regexp(t, `✓ fit +\S+ +cpu +\S+ +peak +\d`, out, "a progress line per phase")
	assert.Empty(t, stderr.String())
}

func TestMainFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // in the error, or in stdout when err is ""
		err  bool
	}{
		{"list", []string{"--list"}, "mlp_polyrelu_synthetic", false},
		{"no match", []string{"--only", "^nothing$"}, `no benchmark matches "^nothing$"`, true},
		{"bad regexp", []string{"--only", "("}, "--only", true},
		{"repeat", []string{"--repeat", "0"}, "--repeat must be at least 1", true},
		{"size", []string{"--size", "huge"}, "--size must be default or small", true},
		{"argument", []string{"extra"}, `unexpected argument "extra"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := Main(context.Background(), &stdout, &stderr, append([]string{"--logs", t.TempDir()}, tt.args...))
			if tt.err {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.want)
				return
			}
			require.NoError(t, err)
			assert.Contains(t, stdout.String(), tt.want)
			assert.Equal(t, 3, strings.Count(stdout.String(), "\n"), "one line per benchmark")
		})
	}
}

func TestShortDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{112345 * time.Nanosecond, "112µs"},
		{2658400 * time.Nanosecond, "2.66ms"},
		{40365123 * time.Nanosecond, "40.4ms"},
		{557249001 * time.Nanosecond, "557ms"},
		{2932909000 * time.Nanosecond, "2.933s"},
		{83456 * time.Millisecond, "1m23.5s"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, shortDuration(tt.in), tt.in.String())
	}
}
