package analyze_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// logDir holds the fixed run logs of the tests: Orion's Python logger's and
// benchtrace's, of every status.
const logDir = "testdata/logs"

const pythonLog = "testdata/logs/resnet20_relu_cifar10_20250109_123456.json"

// generatedAt is the time the golden exports say they were generated.
var generatedAt = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func logFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(logDir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 10)
	return files
}

func loadAll(t *testing.T) []analyze.Run {
	t.Helper()
	var warn bytes.Buffer
	runs, err := analyze.LoadFiles(logFiles(t), &warn)
	require.NoError(t, err)
	require.Empty(t, warn.String())
	return runs
}

func TestWriteSummaryGolden(t *testing.T) {
	runs := loadAll(t)
	tests := []struct {
		golden string
		opts   analyze.Options
	}{
		{"summary.golden", analyze.Options{}},
		{"verbose.golden", analyze.Options{Verbose: true}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, analyze.WriteSummary(&out, runs, tt.opts))
			golden.Assert(t, filepath.Join("testdata", tt.golden), out.Bytes(), *update)
		})
	}
}

func TestWriteSummaryWarnings(t *testing.T) {
	runs := loadAll(t)
	var out, warn bytes.Buffer
	require.NoError(t, analyze.WriteSummary(&out, runs, analyze.Options{Warnings: &warn}))
	assert.NotContains(t, out.String(), "note:")
	assert.Contains(t, out.String(), "Assumptions:")
	assert.Equal(t, "warning: gemm: only 2 successful runs: too few to judge the spread (want at least 3)\n"+
		"warning: gemm: high variance: CV 32.6% > 10%; the runs may not be comparable (load, frequency scaling?)\n", warn.String())
}

func TestWriteSummaryEmpty(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, analyze.WriteSummary(&out, nil, analyze.Options{}))
	assert.Equal(t, "No logs found.\n", out.String())
}

func TestExportGolden(t *testing.T) {
	runs := loadAll(t)
	opts := analyze.Options{GeneratedAt: generatedAt}
	tests := []struct {
		golden string
		write  func(*bytes.Buffer) error
	}{
		{"export.json.golden", func(b *bytes.Buffer) error { return analyze.WriteJSON(b, runs, opts) }},
		{"export.md.golden", func(b *bytes.Buffer) error { return analyze.WriteMarkdown(b, runs, opts) }},
		{"export.csv.golden", func(b *bytes.Buffer) error { return analyze.WriteCSV(b, runs, opts) }},
		{"export.bench.golden", func(b *bytes.Buffer) error { return analyze.WriteBench(b, runs, opts) }},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, tt.write(&out))
			golden.Assert(t, filepath.Join("testdata", tt.golden), out.Bytes(), *update)
		})
	}
}

func TestExport(t *testing.T) {
	runs := loadAll(t)
	opts := analyze.Options{GeneratedAt: generatedAt}
	var wantJSON, wantMD, wantCSV, wantBench bytes.Buffer
	require.NoError(t, analyze.WriteJSON(&wantJSON, runs, opts))
	require.NoError(t, analyze.WriteMarkdown(&wantMD, runs, opts))
	require.NoError(t, analyze.WriteCSV(&wantCSV, runs, opts))
	require.NoError(t, analyze.WriteBench(&wantBench, runs, opts))
	tests := []struct {
		file string
		want []byte
	}{
		{"out.json", wantJSON.Bytes()},
		{"out.JSON", wantJSON.Bytes()},
		{"out.md", wantMD.Bytes()},
		{"out.MD", wantMD.Bytes()},
		{"out.csv", wantCSV.Bytes()},
		{"out.bench", wantBench.Bytes()},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
			overwrite := opts
			overwrite.Overwrite = true // replaced only when asked: TestExportNeverOverwrites
			require.NoError(t, analyze.Export(path, runs, overwrite))
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(tt.want), string(got))
		})
	}
}

// TestExportUnknownFormat checks that a file name whose extension names no
// format is refused, not written as JSON, and that the error lists the
// formats.
func TestExportUnknownFormat(t *testing.T) {
	runs := loadAll(t)
	for _, file := range []string{"out", "out.txt", "out.jsonl", "out.json.gz"} {
		t.Run(file, func(t *testing.T) {
			dir := t.TempDir()
			err := analyze.Export(filepath.Join(dir, file), runs, analyze.Options{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "unknown export format")
			assert.Contains(t, err.Error(), strings.Join(analyze.ExportFormats(), ", "))
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Empty(t, entries, "nothing is written")
		})
	}
}

func TestWriteJSONNonFinite(t *testing.T) {
	runs := loadAll(t)
	var out bytes.Buffer
	require.NoError(t, analyze.WriteJSON(&out, runs, analyze.Options{}))
	require.True(t, json.Valid(out.Bytes()))
	assert.NotContains(t, out.String(), "NaN")
	assert.NotContains(t, out.String(), "Inf")
	assert.NotContains(t, out.String(), "generated_at", "zero GeneratedAt is left out")

	var rep struct {
		Benchmarks []struct {
			LogFile       string   `json:"log_file"`
			MAE           *float64 `json:"mae"`
			PrecisionBits *float64 `json:"precision_bits"`
			Exact         bool     `json:"exact"`
		} `json:"benchmarks"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	byFile := map[string]int{}
	for i, b := range rep.Benchmarks {
		byFile[filepath.Base(b.LogFile)] = i
	}
	exact := rep.Benchmarks[byFile["resnet20_relu_cifar10_20261122_142501.json"]]
	require.NotNil(t, exact.MAE)
	assert.Zero(t, *exact.MAE)
	assert.Nil(t, exact.PrecisionBits, "+Inf is written as null")
	assert.True(t, exact.Exact)
	python := rep.Benchmarks[byFile[filepath.Base(pythonLog)]]
	assert.Nil(t, python.PrecisionBits, "NaN is written as null")
	assert.False(t, python.Exact)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, data, 0o644))
}

func TestLoadFilesBadFile(t *testing.T) {
	tests := []struct {
		name    string
		content *string // nil: the file does not exist
		reason  string
	}{
		{"syntax error", ptr(`{"metadata": {`), "invalid run log"},
		{"not JSON", ptr("hello"), "invalid run log"},
		{"empty", ptr(""), "empty file"},
		{"array", ptr("[1, 2]"), "invalid run log"},
		{"wrong section type", ptr(`{"metadata": 3}`), "invalid run log"},
		{"not a run log", ptr(`{"name": "package"}`), "not a run log"},
		{"missing", nil, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			good1 := filepath.Join(dir, "gemm_20261122_170000.json")
			good2 := filepath.Join(dir, "gemm_20261122_170500.json")
			copyFile(t, filepath.Join(logDir, filepath.Base(good1)), good1)
			copyFile(t, filepath.Join(logDir, filepath.Base(good2)), good2)
			bad := filepath.Join(dir, "bad_20261122_170200.json")
			if tt.content != nil {
				require.NoError(t, os.WriteFile(bad, []byte(*tt.content), 0o644))
			}

			var warn bytes.Buffer
			runs, err := analyze.LoadFiles([]string{good1, bad, good2}, &warn)
			require.NoError(t, err)
			require.Len(t, runs, 2)
			assert.Equal(t, good1, runs[0].Path)
			assert.Equal(t, good2, runs[1].Path)
			assert.Equal(t, 1, strings.Count(warn.String(), "\n"), "one warning line")
			assert.Contains(t, warn.String(), "warning: skipping "+bad+": ")
			assert.Contains(t, warn.String(), tt.reason)

			var out bytes.Buffer
			require.NoError(t, analyze.WriteSummary(&out, runs, analyze.Options{}))
			assert.Contains(t, out.String(), "BENCHMARK SUMMARY - 2 log(s)")
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestLoadFiles(t *testing.T) {
	t.Run("none", func(t *testing.T) {
		runs, err := analyze.LoadFiles(nil, nil)
		require.NoError(t, err)
		assert.Empty(t, runs)
	})
	t.Run("all bad", func(t *testing.T) {
		var warn bytes.Buffer
		_, err := analyze.LoadFiles([]string{"testdata/nope.json"}, &warn)
		require.Error(t, err)
		assert.Contains(t, warn.String(), "testdata/nope.json")
	})
	t.Run("nil warn", func(t *testing.T) {
		runs, err := analyze.LoadFiles([]string{pythonLog, "testdata/nope.json"}, nil)
		require.NoError(t, err)
		assert.Len(t, runs, 1)
	})
}

func TestLoadFilesDerivedValues(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		file      string
		name      string
		outcome   analyze.Outcome
		status    string
		duration  float64
		mainPhase string
		mainTime  float64
		mae       float64
		precision float64
		peak      int64
		cpu       float64
	}{
		{"resnet20_relu_cifar10_20250109_123456.json", "resnet20_relu_cifar10", analyze.Success, "success", 59.9, "fhe_inference", 45.6, 0.000123, nan, 0, nan},
		{"resnet20_relu_cifar10_20261122_134501.json", "resnet20_relu_cifar10", analyze.Success, "success", 59.9, "fhe_inference", 45.599998, 0.000123, 12.989054063984934, 83886080, 53.44},
		{"resnet20_relu_cifar10_20261122_140501.json", "resnet20_relu_cifar10", analyze.Failed, "failed", 20, "", nan, 0.000123, 12.989054063984934, 83886080, 11.66},
		{"resnet20_relu_cifar10_20261122_141501.json", "resnet20_relu_cifar10", analyze.Interrupted, "interrupted", 3, "", nan, 0.000123, 12.989054063984934, 83886080, 2.54},
		{"resnet20_relu_cifar10_20261122_142501.json", "resnet20_relu_cifar10", analyze.Success, "success", 59.9, "", nan, 0, math.Inf(1), 83886080, 0.46},
		{"kmeans_20261122_154501.json", "kmeans", analyze.Incomplete, "running", 8, "", nan, nan, nan, 83886080, 7.23},
		{"mlp_classifier_20261122_164501.json", "mlp_classifier", analyze.Incomplete, "incomplete", 2.8, "data_loading", 2.299998, nan, nan, 83886080, 2.54},
		{"gemm_20261122_170000.json", "gemm", analyze.Success, "success", 1.5, "inference", 1.2, 2.5e-7, 21.93156856932417, 104857600, 4.67},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			runs, err := analyze.LoadFiles([]string{filepath.Join(logDir, tt.file)}, nil)
			require.NoError(t, err)
			require.Len(t, runs, 1)
			r := runs[0]
			assert.Equal(t, tt.name, r.Name)
			assert.Equal(t, tt.outcome, r.Outcome)
			assert.Equal(t, tt.status, r.Log.Status)
			assert.False(t, r.Start.IsZero())
			assertFloat(t, tt.duration, r.Duration, "duration")
			assert.Equal(t, tt.mainPhase, r.MainPhase)
			assertFloat(t, tt.mainTime, r.MainPhaseSeconds, "main phase")
			assertFloat(t, tt.mae, r.MAE, "mae")
			assertFloat(t, tt.precision, r.PrecisionBits, "precision")
			assert.Equal(t, tt.peak, r.PeakRSSBytes)
			assertFloat(t, tt.cpu, r.CPUSeconds(), "cpu")
		})
	}
}

func assertFloat(t *testing.T, want, got float64, what string) {
	t.Helper()
	switch {
	case math.IsNaN(want):
		assert.True(t, math.IsNaN(got), "%s: want NaN, got %v", what, got)
	case math.IsInf(want, 0):
		assert.Equal(t, want, got, what)
	default:
		assert.InDelta(t, want, got, 1e-9, what)
	}
}

func TestPythonLog(t *testing.T) {
	runs, err := analyze.LoadFiles([]string{pythonLog}, nil)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	r := runs[0]
	want := time.Date(2025, 1, 9, 12, 34, 56, 123456000, time.Local)
	assert.True(t, want.Equal(r.Start), "Python timestamps are local time: %v", r.Start)
	assert.False(t, r.HasMemoryChange)
	assert.True(t, math.IsNaN(r.CPUUtilization()))

	var out bytes.Buffer
	require.NoError(t, analyze.WriteSummary(&out, runs, analyze.Options{}))
	for _, s := range []string{
		"✓ RESNET20_RELU_CIFAR10\n",
		"  Model:       ResNet-20 (ResNet20)\n",
		"  Started:     2025-01-09T12:34:56.123456\n",
		"  Duration:    59.90s (1.00m)\n",
		"  FHE Time:    45.60s\n",
		"  MAE:         0.000123\n",
		"  Precision:   N/A\n",
		"  Total FHE time:       45.60s (0.76m)\n",
	} {
		assert.Contains(t, out.String(), s)
	}
	assert.NotContains(t, out.String(), "Peak RSS")
}

func TestNameFromFileName(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ file, want string }{
		{"my_bench_20260101_120000.json", "my_bench"},
		{"my_bench_20260101_120000_2.json", "my_bench"},
		{"other.json", "other"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			require.NoError(t, os.WriteFile(path, []byte(`{"status": "success"}`), 0o644))
			runs, err := analyze.LoadFiles([]string{path}, nil)
			require.NoError(t, err)
			require.Len(t, runs, 1)
			assert.Equal(t, tt.want, runs[0].Name)
		})
	}
}

func TestFilter(t *testing.T) {
	runs := loadAll(t)
	tests := []struct {
		substr string
		want   int
	}{
		{"gemm", 2},
		{"GEMM", 2},
		{"resnet", 6},
		{"relu_cifar", 6},
		{"m", 4}, // gemm, kmeans, mlp_classifier
		{"", 10},
		{"nope", 0},
	}
	for _, tt := range tests {
		t.Run(tt.substr, func(t *testing.T) {
			got := analyze.Filter(runs, tt.substr)
			assert.Len(t, got, tt.want)
			for _, r := range got {
				assert.Contains(t, strings.ToLower(r.Name), strings.ToLower(tt.substr))
			}
		})
	}
}

func TestLatest(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		return path
	}
	log := func(name, start string) string {
		return `{"metadata": {"benchmark_name": "` + name + `", "timestamp_start": "` + start + `"}, "status": "success"}`
	}
	tests := []struct {
		name  string
		files map[string]string
		want  []string // base names, in summary order
	}{
		{
			name: "by start time, not file name",
			files: map[string]string{
				"a_20260101_000002.json": log("a", "2026-01-01T00:00:01+00:00"),
				"a_20260101_000001.json": log("a", "2026-01-01T00:00:02+00:00"),
				"b_20260101_000000.json": log("b", "2026-01-01T00:00:00+00:00"),
			},
			want: []string{"b_20260101_000000.json", "a_20260101_000001.json"},
		},
		{
			name: "same start: by file name",
			files: map[string]string{
				"a_20260101_000000.json":   log("a", "2026-01-01T00:00:00+00:00"),
				"a_20260101_000000_2.json": log("a", "2026-01-01T00:00:00+00:00"),
			},
			want: []string{"a_20260101_000000_2.json"},
		},
		{
			name: "no start: by file name",
			files: map[string]string{
				"a_20260101_000001.json": log("a", "garbage"),
				"a_20260101_000002.json": `{"metadata": {"benchmark_name": "a"}, "status": "failed"}`,
			},
			want: []string{"a_20260101_000002.json"},
		},
		{
			name: "offsets compared as instants",
			files: map[string]string{
				"a_20260101_100000.json": log("a", "2026-01-01T10:00:00+02:00"), // 08:00Z
				"a_20260101_090000.json": log("a", "2026-01-01T09:00:00+00:00"), // 09:00Z
			},
			want: []string{"a_20260101_090000.json"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir = t.TempDir()
			var files []string
			for name, content := range tt.files {
				files = append(files, write(name, content))
			}
			runs, err := analyze.LoadFiles(files, nil)
			require.NoError(t, err)
			var got []string
			for _, r := range analyze.Latest(runs) {
				got = append(got, filepath.Base(r.Path))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestOutcomeString(t *testing.T) {
	tests := []struct {
		o    analyze.Outcome
		want string
	}{
		{analyze.Success, "success"},
		{analyze.Failed, "failed"},
		{analyze.Interrupted, "interrupted"},
		{analyze.Incomplete, "incomplete"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.o.String())
		})
	}
}

// orionExportKeys are the keys of analyze_logs.py's export: a script
// written for it reads them.
var orionExportKeys = struct{ report, run []string }{
	report: []string{"generated_at", "total_benchmarks", "successful", "failed", "benchmarks"},
	run:    []string{"name", "model", "dataset", "status", "timestamp", "total_time_seconds", "fhe_time_seconds", "mae", "precision_bits", "log_file"},
}

// TestWriteJSONOrionKeys checks that the JSON export has every key of
// analyze_logs.py's, with its meaning, and the preprocessing time.
func TestWriteJSONOrionKeys(t *testing.T) {
	runs, err := analyze.LoadFiles([]string{pythonLog}, nil)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, analyze.WriteJSON(&out, runs, analyze.Options{GeneratedAt: generatedAt}))
	var rep map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	for _, k := range orionExportKeys.report {
		assert.Contains(t, rep, k)
	}
	benchmarks, ok := rep["benchmarks"].([]any)
	require.True(t, ok)
	require.Len(t, benchmarks, 1)
	run, ok := benchmarks[0].(map[string]any)
	require.True(t, ok)
	for _, k := range orionExportKeys.run {
		assert.Contains(t, run, k)
	}
	// As analyze_logs.py: timing.total_duration_seconds and
	// timing.fhe_inference_only, in seconds.
	assert.Equal(t, 59.9, run["total_time_seconds"])
	assert.Equal(t, 45.6, run["fhe_time_seconds"])
	assert.Equal(t, run["main_phase_seconds"], run["fhe_time_seconds"])
	assert.Equal(t, "fhe_inference", run["main_phase"])
	assert.Equal(t, 13.5, run["preprocessing_time_seconds"], "timing.preprocessing_total")
	assert.Equal(t, 0.000123, run["mae"])
	assert.Equal(t, "ResNet-20", run["model"])
	assert.Equal(t, "CIFAR-10", run["dataset"])
	assert.Equal(t, pythonLog, run["log_file"])
}

// TestWriteSummaryPreprocessing checks that a verbose summary shows
// timing.preprocessing_total, and the default one does not.
func TestWriteSummaryPreprocessing(t *testing.T) {
	runs, err := analyze.LoadFiles([]string{pythonLog}, nil)
	require.NoError(t, err)
	assert.Equal(t, 13.5, runs[0].PreprocessingSeconds)
	var verbose, plain bytes.Buffer
	require.NoError(t, analyze.WriteSummary(&verbose, runs, analyze.Options{Verbose: true}))
	require.NoError(t, analyze.WriteSummary(&plain, runs, analyze.Options{}))
	assert.Contains(t, verbose.String(), "\n  Model:         ResNet-20 (ResNet20)\n", "labels widen for Preprocessing")
	assert.Contains(t, verbose.String(), "\n  Preprocessing: 13.50s\n")
	assert.NotContains(t, plain.String(), "Preprocessing")
	assert.Contains(t, plain.String(), "\n  Model:       ResNet-20 (ResNet20)\n", "analyze_logs.py's layout")
}

// TestWriteCSVMatchesJSON checks that the CSV export has a row per run with
// the keys of the JSON export's per-run entries, in order, and their
// values.
func TestWriteCSVMatchesJSON(t *testing.T) {
	runs := loadAll(t)
	var js, cs bytes.Buffer
	require.NoError(t, analyze.WriteJSON(&js, runs, analyze.Options{}))
	require.NoError(t, analyze.WriteCSV(&cs, runs, analyze.Options{}))
	var rep struct {
		Benchmarks []json.RawMessage `json:"benchmarks"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &rep))
	records, err := csv.NewReader(&cs).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 1+len(runs), "a header and a row per run")
	for i, raw := range rep.Benchmarks {
		keys, values := orderedObject(t, raw)
		assert.Equal(t, keys, records[0], "the header is the JSON keys, in order")
		assert.Equal(t, values, records[1+i], "row %d has the JSON values", i)
	}
}

// orderedObject returns the keys of the JSON object data in order, and its
// values as CSV cells: strings unquoted, null empty, others as JSON.
func orderedObject(t *testing.T, data []byte) (keys, values []string) {
	t.Helper()
	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &fields))
	dec := json.NewDecoder(bytes.NewReader(data))
	_, err := dec.Token()
	require.NoError(t, err)
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		key := tok.(string)
		var v json.RawMessage
		require.NoError(t, dec.Decode(&v))
		keys = append(keys, key)
		var s string
		switch {
		case string(v) == "null":
		case json.Unmarshal(v, &s) == nil:
		default:
			s = string(v)
		}
		values = append(values, s)
	}
	return keys, values
}

// TestWriteBench checks the lines of the Go benchmark format: a line per
// successful run and per successful phase of it, none for the other runs.
func TestWriteBench(t *testing.T) {
	runs := loadAll(t)
	var out bytes.Buffer
	require.NoError(t, analyze.WriteBench(&out, runs, analyze.Options{}))
	line := regexp.MustCompile(`^Benchmark[A-Z]\S* 1 \d+ ns/op( \d+ cpu-ns/op)?( \d+ peak-RSS-B)?$`)
	var whole []string
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if strings.HasPrefix(l, "#") || regexp.MustCompile(`^(goos|goarch|cpu|commit):`).MatchString(l) {
			continue // a comment, a configuration line (TestWriteBenchReadByBenchfmt)
		}
		assert.Regexp(t, line, l)
		if name := strings.Fields(l)[0]; !strings.Contains(name, "/") {
			whole = append(whole, name)
		}
	}
	assert.Equal(t, []string{
		"BenchmarkResnet20_relu_cifar10", "BenchmarkResnet20_relu_cifar10", "BenchmarkResnet20_relu_cifar10",
		"BenchmarkResnet20_relu_cifar10", "BenchmarkGemm", "BenchmarkGemm",
	}, whole, "the successful runs, in summary order")
	assert.Contains(t, out.String(), "\nBenchmarkResnet20_relu_cifar10 1 59900000000 ns/op\n", "the Python log: no CPU, no peak")
	assert.Contains(t, out.String(), "\nBenchmarkResnet20_relu_cifar10/phase=fhe_inference 1 45600000000 ns/op\n")
	assert.Contains(t, out.String(), "\nBenchmarkGemm 1 1500000000 ns/op 4670000000 cpu-ns/op 104857600 peak-RSS-B\n")
}

// overlapLog is a run whose two phases ran at the same time, on two
// goroutines: each measured the process's CPU time, 0.2 s user and 0.005 s
// system, so their sum counts the same 0.205 s twice. The run's own totals
// say what it used: 0.2 s user, 0.006 s system.
const overlapLog = `{
  "metadata": {"benchmark_name": "overlap", "timestamp_start": "2026-11-30T10:00:00.000000+00:00"},
  "model": {"name": "m"},
  "phases": {
    "encode_a": {"duration_seconds": 0.2, "status": "success", "start_time": "2026-11-30T10:00:00.000000+00:00",
      "cpu_user_seconds": 0.2, "cpu_system_seconds": 0.005, "peak_rss_bytes": 52428800, "overlapped": true},
    "encode_b": {"duration_seconds": 0.2, "status": "success", "start_time": "2026-11-30T10:00:00.000000+00:00",
      "cpu_user_seconds": 0.2, "cpu_system_seconds": 0.005, "peak_rss_bytes": 41943040, "overlapped": true}
  },
  "results": {},
  "timing": {"total_duration_seconds": 0.21, "cpu_user_seconds": 0.2, "cpu_system_seconds": 0.006,
    "cpu_children_seconds": 0, "peak_rss_bytes": 62914560},
  "status": "success",
  "error": null
}`

// TestRunTotals checks that the run's CPU time and peak RSS come from the
// run's own totals when the log has them, not from the sum of phases that
// overlap, and from the phases for logs without them.
func TestRunTotals(t *testing.T) {
	path := filepath.Join(t.TempDir(), "overlap_20261130_100000.json")
	require.NoError(t, os.WriteFile(path, []byte(overlapLog), 0o644))
	runs, err := analyze.LoadFiles([]string{path}, nil)
	require.NoError(t, err)
	r := runs[0]
	assert.InDelta(t, 0.2, r.CPUUserSeconds, 1e-12)
	assert.InDelta(t, 0.006, r.CPUSystemSeconds, 1e-12)
	assert.InDelta(t, 0.206, r.CPUSeconds(), 1e-12, "not the phases' 0.41")
	assert.InDelta(t, 0.21, r.CPUWallSeconds, 1e-12, "over the run's duration")
	assert.InDelta(t, 0.206/0.21, r.CPUUtilization(), 1e-12)
	assert.Equal(t, int64(62914560), r.PeakRSSBytes, "the run's own peak")

	var out bytes.Buffer
	require.NoError(t, analyze.WriteSummary(&out, runs, analyze.Options{}))
	assert.Contains(t, out.String(), "  CPU Time:    0.21s (user 0.20s, sys 0.01s)\n")
	assert.Contains(t, out.String(), "  CPU Util:    98.1% of one core\n")
	assert.Contains(t, out.String(), "  Peak RSS:    60.0 MiB\n")
	assert.Contains(t, out.String(), "  Total CPU time:       0.21s (0.00m)\n")

	// Without the totals (older logs), the top-level phases are summed.
	noTotals := strings.Replace(overlapLog, `"cpu_user_seconds": 0.2, "cpu_system_seconds": 0.006,
    "cpu_children_seconds": 0, "peak_rss_bytes": 62914560`, `"preprocessing_total": 0`, 1)
	require.NotEqual(t, overlapLog, noTotals)
	require.NoError(t, os.WriteFile(path, []byte(noTotals), 0o644))
	runs, err = analyze.LoadFiles([]string{path}, nil)
	require.NoError(t, err)
	r = runs[0]
	assert.InDelta(t, 0.41, r.CPUSeconds(), 1e-12)
	assert.InDelta(t, 0.4, r.CPUWallSeconds, 1e-12)
	assert.Equal(t, int64(52428800), r.PeakRSSBytes)
}
