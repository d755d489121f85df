package analyze_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/internal/golden"
)

// loadSummaries loads the test logs as LoadDir and as LoadSummaries do.
func loadSummaries(t *testing.T) map[string]*analyze.Summaries {
	t.Helper()
	var warn bytes.Buffer
	dir, err := analyze.LoadDir(t.Context(), logDir, &warn)
	require.NoError(t, err)
	files, err := analyze.LoadSummaries(t.Context(), logFiles(t), &warn)
	require.NoError(t, err)
	require.Empty(t, warn.String())
	require.Equal(t, 10, dir.Len())
	require.Equal(t, 10, dir.Files())
	return map[string]*analyze.Summaries{"LoadDir": dir, "LoadSummaries": files}
}

// TestSummariesGolden checks that the summaries give the summary and every
// export byte for byte as the runs loaded in full do: the same golden
// files.
func TestSummariesGolden(t *testing.T) {
	for how, s := range loadSummaries(t) {
		t.Run(how, func(t *testing.T) {
			for _, tt := range []struct {
				golden string
				opts   analyze.Options
			}{
				{"summary.golden", analyze.Options{}},
				{"verbose.golden", analyze.Options{Verbose: true}},
			} {
				var out bytes.Buffer
				require.NoError(t, s.WriteSummary(&out, tt.opts))
				golden.Assert(t, filepath.Join("testdata", tt.golden), out.Bytes(), false)
			}
			for _, ext := range analyze.ExportFormats() {
				path := filepath.Join(t.TempDir(), "export"+ext)
				require.NoError(t, s.Export(path, analyze.Options{GeneratedAt: generatedAt}))
				got, err := os.ReadFile(path)
				require.NoError(t, err)
				golden.Assert(t, filepath.Join("testdata", "export"+ext+".golden"), got, false)
			}
		})
	}
}

// sameRun checks that a run of Summaries is the run LoadFiles gives,
// apart from its Log.
func sameRun(t *testing.T, want, got analyze.Run) {
	t.Helper()
	assert.Equal(t, want.Path, got.Path)
	assert.Equal(t, want.Name, got.Name, want.Path)
	assert.Equal(t, want.Outcome, got.Outcome, want.Path)
	assert.True(t, want.Start.Equal(got.Start), "%s: start %v, want %v", want.Path, got.Start, want.Start)
	assert.Equal(t, want.MainPhase, got.MainPhase, want.Path)
	for _, f := range []struct {
		name      string
		want, got float64
	}{
		{"Duration", want.Duration, got.Duration},
		{"MainPhaseSeconds", want.MainPhaseSeconds, got.MainPhaseSeconds},
		{"PreprocessingSeconds", want.PreprocessingSeconds, got.PreprocessingSeconds},
		{"MAE", want.MAE, got.MAE},
		{"PrecisionBits", want.PrecisionBits, got.PrecisionBits},
		{"CPUUserSeconds", want.CPUUserSeconds, got.CPUUserSeconds},
		{"CPUSystemSeconds", want.CPUSystemSeconds, got.CPUSystemSeconds},
		{"CPUWallSeconds", want.CPUWallSeconds, got.CPUWallSeconds},
	} {
		assert.Equal(t, math.Float64bits(f.want), math.Float64bits(f.got), "%s: %s = %v, want %v", want.Path, f.name, f.got, f.want)
	}
	assert.Equal(t, want.PeakRSSBytes, got.PeakRSSBytes, want.Path)
	assert.Equal(t, want.MemoryChangeBytes, got.MemoryChangeBytes, want.Path)
	assert.Equal(t, want.HasMemoryChange, got.HasMemoryChange, want.Path)
	assert.Nil(t, got.Log)
}

func TestSummariesRuns(t *testing.T) {
	want := analyze.Latest(loadAll(t)) // in summary order
	for how, s := range loadSummaries(t) {
		t.Run(how, func(t *testing.T) {
			var got []analyze.Run
			for r := range s.Latest().Runs() {
				got = append(got, r)
			}
			require.Len(t, got, len(want))
			for i := range want {
				sameRun(t, want[i], got[i])
			}
		})
	}
}

func TestSummariesFilter(t *testing.T) {
	runs := loadAll(t)
	for how, s := range loadSummaries(t) {
		t.Run(how, func(t *testing.T) {
			for _, substr := range []string{"gemm", "GEMM", "resnet", "m", "", "nope"} {
				assert.Equal(t, len(analyze.Filter(runs, substr)), s.Filter(substr).Len(), substr)
			}
			var out bytes.Buffer
			require.NoError(t, s.Filter("nope").WriteSummary(&out, analyze.Options{}))
			assert.Equal(t, "No logs found.\n", out.String())
		})
	}
}

// TestLoadDirBrokenAmongMany checks that one broken log among many gives
// one warning naming it, and that the others are all summarized.
func TestLoadDirBrokenAmongMany(t *testing.T) {
	n := 10000
	if testing.Short() || raceEnabled {
		n = 2000
	}
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(logDir, "gemm_20261122_170000.json"))
	require.NoError(t, err)
	for i := range n {
		log := bytes.Replace(data, []byte(`"2026-11-22T17:00:00.000000+00:00"`),
			fmt.Appendf(nil, `"2026-11-22T17:00:00.%06d+00:00"`, i), 1)
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("gemm_20261122_170000_%d.json", i+1)), log, 0o644))
	}
	broken := filepath.Join(dir, fmt.Sprintf("gemm_20261122_170000_%d.json", n/2))
	require.NoError(t, os.WriteFile(broken, data[:len(data)/2], 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".benchlog-1.tmp"), []byte("{"), 0o644))
	// Not logs, and not warned about: a directory, other files.
	require.NoError(t, os.Mkdir(filepath.Join(dir, "archive.json"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.txt"), []byte("x"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".hidden.json"), []byte("{"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "json"), []byte("{"), 0o644))

	var warn bytes.Buffer
	s, err := analyze.LoadDir(t.Context(), dir, &warn)
	require.NoError(t, err)
	assert.Equal(t, n, s.Files())
	assert.Equal(t, n-1, s.Len())
	assert.Equal(t, 1, strings.Count(warn.String(), "\n"), "one warning line: %s", warn.String())
	assert.True(t, strings.HasPrefix(warn.String(), "warning: skipping "+broken+": invalid run log: "), warn.String())

	var out bytes.Buffer
	require.NoError(t, s.WriteSummary(&out, analyze.Options{}))
	head, stats, ok := strings.Cut(out.String(), "\nSTATISTICS\n")
	require.True(t, ok)
	assert.True(t, strings.HasPrefix(head, fmt.Sprintf("%s\nBENCHMARK SUMMARY - %d log(s)\n", strings.Repeat("=", 80), n-1)))
	assert.Equal(t, n-1, strings.Count(head, "\n✓ GEMM\n"))
	assert.True(t, strings.Contains(stats, fmt.Sprintf("  %-22s%d\n", "Successful:", n-1)), "%s", stats)
}

func TestLoadDirErrors(t *testing.T) {
	_, err := analyze.LoadDir(t.Context(), filepath.Join(t.TempDir(), "missing"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reading log directory")

	empty, err := analyze.LoadDir(t.Context(), t.TempDir(), nil)
	require.NoError(t, err)
	assert.Zero(t, empty.Files())
	assert.Zero(t, empty.Len())

	bad := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bad, "x.json"), []byte("nope"), 0o644))
	var warn bytes.Buffer
	_, err = analyze.LoadDir(t.Context(), bad, &warn)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "none of the 1 log files could be read")
	assert.Contains(t, warn.String(), "x.json")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = analyze.LoadDir(ctx, logDir, nil)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = analyze.LoadSummaries(ctx, logFiles(t), nil)
	assert.ErrorIs(t, err, context.Canceled)
}

// TestSummariesOrder checks that the summaries are in the order of
// WriteSummary's runs: start times far in the past and future, equal ones
// (then by file name), and none.
func TestSummariesOrder(t *testing.T) {
	dir := t.TempDir()
	starts := map[string]string{
		"a_20260101_000000.json":   `"2026-01-01T00:00:00Z"`,
		"a_20260101_000000_2.json": `"2026-01-01T00:00:00Z"`,
		"b_20260101_000000.json":   `"2026-01-01T00:00:00+00:00"`,
		"c_20260101_000001.json":   `"2026-01-01T01:00:01+01:00"`,
		"d_16000101_000000.json":   `"1600-01-01T00:00:00Z"`,
		"e_23000101_000000.json":   `"2300-01-01T00:00:00.5Z"`,
		"f_23000101_000000.json":   `"2300-01-01T00:00:00.25Z"`,
		"g_00010101_000000.json":   `"0001-01-01T00:00:00Z"`,
		"k_00020101_000000.json":   `"0002-01-01T00:00:00Z"`,
		"h.json":                   `null`,
		"i.json":                   `"garbage"`,
		"j_20251231_235959.json":   `"2025-12-31T23:59:59.999999999Z"`,
	}
	var files []string
	for name, start := range starts {
		path := filepath.Join(dir, name)
		files = append(files, path)
		require.NoError(t, os.WriteFile(path, []byte(`{"metadata": {"timestamp_start": `+start+`}, "status": "success"}`), 0o644))
	}
	runs, err := analyze.LoadFiles(files, nil)
	require.NoError(t, err)
	var want bytes.Buffer
	require.NoError(t, analyze.WriteSummary(&want, runs, analyze.Options{Verbose: true}))
	s, err := analyze.LoadDir(t.Context(), dir, nil)
	require.NoError(t, err)
	var got bytes.Buffer
	require.NoError(t, s.WriteSummary(&got, analyze.Options{Verbose: true}))
	assert.Equal(t, want.String(), got.String())
	var names []string
	for r := range s.Runs() {
		names = append(names, filepath.Base(r.Path))
	}
	// 0001-01-01T00:00:00Z is the zero time: no start, as for WriteSummary.
	assert.Equal(t, []string{"k_00020101_000000.json", "d_16000101_000000.json", "j_20251231_235959.json",
		"a_20260101_000000.json", "a_20260101_000000_2.json", "b_20260101_000000.json", "c_20260101_000001.json",
		"f_23000101_000000.json", "e_23000101_000000.json", "g_00010101_000000.json", "h.json", "i.json"}, names)
}

// lineWith keeps the last line written to it that holds marker, so as not
// to keep all of a long output.
type lineWith struct {
	marker    string
	line, cur []byte
}

func (w *lineWith) Write(p []byte) (int, error) {
	n := len(p)
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.cur = append(w.cur, p...)
			return n, nil
		}
		w.cur = append(w.cur, p[:i]...)
		if bytes.Contains(w.cur, []byte(w.marker)) {
			w.line = append(w.line[:0], w.cur...)
		}
		w.cur, p = w.cur[:0], p[i+1:]
	}
}

// TestVerboseNestedPhases writes the verbose summary of a run of 10,000
// phases, each nested in the previous one: this took minutes when each
// phase's depth was found by walking its chain of parents with a linear
// search at each step (BenchmarkVerboseNestedPhases times it).
func TestVerboseNestedPhases(t *testing.T) {
	n := 10000 // 200 MB of output
	if testing.Short() || raceEnabled {
		n = 2000
	}
	var log strings.Builder
	log.WriteString(`{"metadata": {"benchmark_name": "nested"}, "phases": {"p0": {"duration_seconds": 1, "status": "success"}`)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&log, `, "p%d": {"duration_seconds": 1, "status": "success", "parent": "p%d"}`, i, i-1)
	}
	log.WriteString(`}, "status": "success"}`)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "nested_20261130_100000.json"), []byte(log.String()), 0o644))
	s, err := analyze.LoadDir(t.Context(), dir, nil)
	require.NoError(t, err)
	last := fmt.Sprintf("p%d", n-1)
	w := lineWith{marker: " " + last + " "}
	require.NoError(t, s.WriteSummary(&w, analyze.Options{Verbose: true}))
	// The deepest phase, indented by its depth.
	assert.Equal(t, "    "+strings.Repeat("  ", n-1)+last+"    1.000s  [success]            -          -           -", string(w.line))
}
