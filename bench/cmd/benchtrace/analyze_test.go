package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// analyzeDir is the analyze package's directory. The analyze tests run in
// it, so that the log paths in their output are the same short ones
// ("testdata/logs/…") as in the library's own golden files.
const analyzeDir = "../../analyze"

// testLogs holds, from analyzeDir, the fixed run logs of the tests.
const testLogs = "testdata/logs"

// pythonLog is, from analyzeDir, a log of the original Orion Python logger.
const pythonLog = "testdata/logs/resnet20_relu_cifar10_20250109_123456.json"

// inAnalyzeDir changes to analyzeDir for the rest of the test and returns
// the absolute path of this package's testdata directory.
func inAnalyzeDir(t *testing.T) string {
	t.Helper()
	golden, err := filepath.Abs("testdata")
	require.NoError(t, err)
	t.Chdir(analyzeDir)
	return golden
}

// runAnalyze runs `benchtrace analyze` with args.
func runAnalyze(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	return run(ctx, stdout, stderr, append([]string{"analyze"}, args...))
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, data, 0o644))
}

func TestAnalyzeGolden(t *testing.T) {
	goldenDir := inAnalyzeDir(t)
	tests := []struct {
		golden string
		args   []string
	}{
		{"main_verbose.golden", []string{"--log-dir", testLogs, "--verbose"}},
		{"main_latest.golden", []string{"--log-dir", testLogs, "--latest"}},
		{"main_benchmark.golden", []string{"--log-dir", testLogs, "--benchmark", "GEMM"}},
		{"main_benchmark_latest.golden", []string{"--log-dir", testLogs, "--benchmark", "resnet", "--latest"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			require.NoError(t, runAnalyze(t.Context(), &stdout, &stderr, tt.args))
			var got bytes.Buffer
			got.WriteString("$ benchtrace analyze " + strings.Join(tt.args, " ") + "\n")
			got.Write(stdout.Bytes())
			got.WriteString("--- stderr ---\n")
			got.Write(stderr.Bytes())
			golden.Assert(t, filepath.Join(goldenDir, tt.golden), got.Bytes(), *update)
		})
	}
}

func TestAnalyzeLatest(t *testing.T) {
	inAnalyzeDir(t)
	var stdout, stderr bytes.Buffer
	require.NoError(t, runAnalyze(t.Context(), &stdout, &stderr, []string{"--log-dir", testLogs, "--latest"}))
	out := stdout.String()
	assert.Contains(t, out, "BENCHMARK SUMMARY - 4 log(s)")
	// The newest resnet20 run is the exact one, started 14:25.
	assert.Contains(t, out, "2026-11-22T14:25:01.123456+00:00")
	assert.NotContains(t, out, "2026-11-22T13:45:01.123456+00:00")
	assert.Contains(t, out, "2026-11-22T17:05:00.000000+00:00")
	assert.NotContains(t, out, "2026-11-22T17:00:00.000000+00:00")
	assert.NotContains(t, out, "PER-BENCHMARK STATISTICS", "one run per benchmark has no spread")
	assert.Empty(t, stderr.String())
}

func TestAnalyzeErrors(t *testing.T) {
	inAnalyzeDir(t)
	empty := t.TempDir()
	dotOnly := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dotOnly, ".benchlog-123.tmp"), []byte("{"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dotOnly, ".hidden.json"), []byte("{"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dotOnly, "dir.json"), 0o755))
	allBad := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(allBad, "x_20260101_000000.json"), []byte("not json"), 0o644))
	missing := filepath.Join(empty, "missing")

	tests := []struct {
		name    string
		args    []string
		wantErr []string
		stderr  string
	}{
		{"empty dir", []string{"--log-dir", empty}, []string{"no run logs", empty}, ""},
		{"only dot-files and directories", []string{"--log-dir", dotOnly}, []string{"no run logs", dotOnly}, ""},
		{"missing dir", []string{"--log-dir", missing}, []string{"reading log directory", missing}, ""},
		{"only bad logs", []string{"--log-dir", allBad}, []string{"no readable run log", allBad}, "x_20260101_000000.json"},
		{"no match", []string{"--log-dir", testLogs, "--benchmark", "nope"}, []string{"no logs in testdata/logs match --benchmark \"nope\""}, ""},
		{"argument", []string{"--log-dir", testLogs, "extra"}, []string{"unexpected argument \"extra\""}, ""},
		{"bad flag", []string{"--nope"}, []string{"flag provided but not defined"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runAnalyze(t.Context(), &stdout, &stderr, tt.args)
			require.Error(t, err)
			for _, s := range tt.wantErr {
				assert.Contains(t, err.Error(), s)
			}
			assert.Contains(t, stderr.String(), tt.stderr)
			assert.Empty(t, stdout.String())
		})
	}
}

func TestAnalyzeDefaultDir(t *testing.T) {
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	err := runAnalyze(t.Context(), &stdout, &stderr, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), defaultLogDir)
}

func TestAnalyzeCancelled(t *testing.T) {
	inAnalyzeDir(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := runAnalyze(ctx, &bytes.Buffer{}, &bytes.Buffer{}, []string{"--log-dir", testLogs})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestAnalyzeSkipsDotFiles(t *testing.T) {
	inAnalyzeDir(t)
	dir := t.TempDir()
	copyFile(t, pythonLog, filepath.Join(dir, filepath.Base(pythonLog)))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".benchlog-42.tmp"), []byte("{"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".benchlog-43.json"), []byte("{"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644))
	var stdout, stderr bytes.Buffer
	require.NoError(t, runAnalyze(t.Context(), &stdout, &stderr, []string{"--log-dir", dir}))
	assert.Contains(t, stdout.String(), "BENCHMARK SUMMARY - 1 log(s)")
	assert.Empty(t, stderr.String())
}

func TestAnalyzeExport(t *testing.T) {
	inAnalyzeDir(t)
	tests := []struct {
		file  string
		check func(t *testing.T, data []byte)
	}{
		{"summary.json", func(t *testing.T, data []byte) {
			var rep map[string]any
			require.NoError(t, json.Unmarshal(data, &rep))
			assert.EqualValues(t, 10, rep["total_benchmarks"])
			assert.NotEmpty(t, rep["generated_at"])
		}},
		{"report.md", func(t *testing.T, data []byte) {
			assert.True(t, strings.HasPrefix(string(data), "# Benchmark Report\n"))
		}},
		{"runs.csv", func(t *testing.T, data []byte) {
			records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
			require.NoError(t, err)
			require.Len(t, records, 11, "a header and 10 runs")
			assert.Equal(t, []string{"name", "model", "dataset", "status"}, records[0][:4])
		}},
		{"runs.bench", func(t *testing.T, data []byte) {
			assert.Contains(t, string(data), "\nBenchmarkGemm 1 1500000000 ns/op ")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tt.file)
			var stdout, stderr bytes.Buffer
			require.NoError(t, runAnalyze(t.Context(), &stdout, &stderr, []string{"--log-dir", testLogs, "--export", path}))
			assert.Contains(t, stdout.String(), "BENCHMARK SUMMARY - 10 log(s)")
			assert.True(t, strings.HasSuffix(stdout.String(), "Summary exported to: "+path+"\n"))
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			tt.check(t, data)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Len(t, entries, 1, "no temporary file is left")
		})
	}
}

func TestAnalyzeExportError(t *testing.T) {
	inAnalyzeDir(t)
	path := filepath.Join(t.TempDir(), "missing", "summary.json")
	var stdout, stderr bytes.Buffer
	err := runAnalyze(t.Context(), &stdout, &stderr, []string{"--log-dir", testLogs, "--export", path})
	require.Error(t, err)
	assert.Contains(t, err.Error(), path)
}

// TestAnalyzeExportKeepsExistingFile checks that --export never replaces a
// file that exists (Feluda's same-day reports overwrote each other) unless
// --overwrite is given.
func TestAnalyzeExportKeepsExistingFile(t *testing.T) {
	inAnalyzeDir(t)
	path := filepath.Join(t.TempDir(), "report.md")
	require.NoError(t, os.WriteFile(path, []byte("an earlier report"), 0o644))
	var stdout, stderr bytes.Buffer
	err := runAnalyze(t.Context(), &stdout, &stderr, []string{"--log-dir", testLogs, "--export", path})
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrExist)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "--overwrite replaces it")
	got, rerr := os.ReadFile(path)
	require.NoError(t, rerr)
	assert.Equal(t, "an earlier report", string(got))

	stdout.Reset()
	require.NoError(t, runAnalyze(t.Context(), &stdout, &stderr, []string{"--log-dir", testLogs, "--export", path, "--overwrite"}))
	got, rerr = os.ReadFile(path)
	require.NoError(t, rerr)
	assert.True(t, strings.HasPrefix(string(got), "# Benchmark Report\n"))
}

// TestTightenGC checks analyze's collector setting: GOGC as it was while
// the live heap is small, the tighter GOGC once a collection finds it
// large, and GOGC as it was again after.
func TestTightenGC(t *testing.T) {
	gogc := func() int {
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		return p
	}
	before := gogc()
	restore := tightenGC(64<<20, 25)
	runtime.GC()
	runtime.GC()
	assert.Equal(t, before, gogc(), "live heap below the threshold")

	live := make([][]byte, 0, 96)
	for range 96 {
		live = append(live, make([]byte, 1<<20))
	}
	for range 3 {
		runtime.GC()
	}
	// The cleanup that looks runs on a goroutine of its own after the
	// collection: wait for it, boundedly.
	for i := 0; i < 100 && gogc() != 25; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	assert.Equal(t, 25, gogc(), "live heap above the threshold")
	runtime.KeepAlive(live)
	restore()
	assert.Equal(t, before, gogc(), "after restore")
}
