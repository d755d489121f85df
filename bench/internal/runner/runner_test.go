package runner

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/examples"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// selected returns the example benchmarks whose name matches re.
func selected(t *testing.T, re string) []examples.Benchmark {
	t.Helper()
	var out []examples.Benchmark
	for _, b := range examples.All() {
		if regexp.MustCompile(re).MatchString(b.Name) {
			out = append(out, b)
		}
	}
	require.NotEmpty(t, out)
	return out
}

func TestRunRunsAndSummarizes(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), &stdout, &stderr, Config{
		Benchmarks: selected(t, "kmeans|gemm"), Repeat: 2, Size: examples.Small, LogDir: dir,
	})
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

// TestRunDurationsOneRule checks that the closing summary writes durations
// as the progress lines do, with significant digits: a run of a fraction
// of a second is not "0.21s (0.00m)".
func TestRunDurationsOneRule(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), &stdout, &stderr, Config{
		Benchmarks: selected(t, "gemm"), Repeat: 1, Size: examples.Small, LogDir: t.TempDir(),
	})
	require.NoError(t, err, stderr.String())
	out := stdout.String()
	duration := `\d+(\.\d+)?(ns|µs|ms|s)`
	assert.NotRegexp(t, `\d\.\d\dm\)`, out, "no duration in minutes with two decimals")
	assert.Regexp(t, `(?m)^  ✓ inference +`+duration+`  cpu +`+duration+`  peak `, out)
	assert.Regexp(t, `(?m)^  Duration: +`+duration+`$`, out)
	assert.Regexp(t, `(?m)^  Inference Time: +`+duration+`$`, out)
	assert.Regexp(t, `(?m)^  CPU Time: +`+duration+` \(user `+duration+`, sys `+duration+`\)$`, out)
	assert.Regexp(t, `(?m)^  Total time: +`+duration+`$`, out)
	for _, line := range regexp.MustCompile(`(?m)^.*\b0\.00s\b.*$`).FindAllString(out, -1) {
		t.Errorf("a duration shown as 0.00s: %q", line)
	}
}

func TestRunRepeat(t *testing.T) {
	err := Run(context.Background(), &bytes.Buffer{}, &bytes.Buffer{}, Config{
		Benchmarks: selected(t, "gemm"), Repeat: 0, LogDir: t.TempDir(),
	})
	assert.ErrorContains(t, err, "repeat must be at least 1")
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout bytes.Buffer
	err := Run(ctx, &stdout, &bytes.Buffer{}, Config{
		Benchmarks: selected(t, "gemm"), Repeat: 3, Size: examples.Small, LogDir: t.TempDir(),
	})
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotContains(t, stdout.String(), "▶", "no run starts")
}

// TestRunWarmup checks that warmup runs come before the measured ones and
// are not logged.
func TestRunWarmup(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), &stdout, &stderr, Config{
		Benchmarks: selected(t, "gemm"), Repeat: 1, Warmup: 2, Size: examples.Small, LogDir: dir,
	})
	require.NoError(t, err, stderr.String())
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	assert.Len(t, files, 1, "the warmup runs are not logged")
	out := stdout.String()
	w1 := strings.Index(out, "▷ int8_gemm_quantized (warmup 1/2, not logged)")
	w2 := strings.Index(out, "▷ int8_gemm_quantized (warmup 2/2, not logged)")
	m := strings.Index(out, "▶ int8_gemm_quantized (1/1)")
	require.True(t, w1 >= 0 && w2 > w1 && m > w2, out)
	assert.Contains(t, out, "BENCHMARK SUMMARY - 1 log(s)")
	assert.Empty(t, stderr.String())

	err = Run(context.Background(), io.Discard, io.Discard, Config{Benchmarks: selected(t, "gemm"), Repeat: 1, Warmup: -1, LogDir: dir})
	assert.ErrorContains(t, err, "warmup must be at least 0")
}
