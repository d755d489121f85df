package compare_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/compare"
	"github.com/benchtrace/benchtrace/bench/internal/fakelogs"
	"github.com/benchtrace/benchtrace/bench/internal/report"
	"github.com/benchtrace/benchtrace/bench/tools/genlogs"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// TestLoadFilesSameAsAnalyze checks that LoadFiles gives the Runs
// analyze.LoadFiles gives, log for log, and the same warnings in the same
// order: on the analyze package's fixtures (benchtrace's logs, the Python
// logger's with its bare NaN, running and failed runs), on generated logs,
// and on odd files that benchlog.Decode's fast path leaves to its
// reference decoder. Each Run's figures are the whole log's; its Log keeps
// what LoadFiles says it keeps, with the whole log's values.
func TestLoadFilesSameAsAnalyze(t *testing.T) {
	dir := t.TempDir()
	fixtures, err := filepath.Glob("../analyze/testdata/logs/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, fixtures)
	generated, err := fakelogs.Write(dir, fakelogs.Set{Benchmarks: fakelogs.Default(), Runs: 2, Seed: 1, Commit: "a1b2c3d"})
	require.NoError(t, err)
	python, err := fakelogs.Write(dir, fakelogs.Set{Benchmarks: fakelogs.Default()[:1], Runs: 1, Seed: 2, Python: true})
	require.NoError(t, err)
	odd := map[string]string{
		"empty.json":         "",
		"broken.json":        `{"metadata": {"benchmark_name": "x"`,
		"not_a_log.json":     `{}`,
		"array.json":         `[1, 2]`,
		"phase_number.json":  `{"metadata": {"benchmark_name": "p"}, "phases": {"fit": 1.5, "x": null}, "status": "success"}`,
		"status_number.json": `{"metadata": {"benchmark_name": "s"}, "status": 3}`,
		"error_object.json":  `{"metadata": {"benchmark_name": "e"}, "status": "failed", "error": {"message": "boom"}}`,
		"nan.json":           `{"metadata": {"benchmark_name": "n"}, "results": {"mae": 0, "precision_bits": Infinity}, "status": "success"}`,
		"bad_utf8.json":      "{\"metadata\": {\"benchmark_name\": \"u\xff\"}, \"status\": \"success\"}",
		"extra_keys.json":    `{"metadata": {"benchmark_name": "k", "git_dirty": false, "cpu_count": 8}, "phases": null, "status": "success", "error": null, "notes": ["a", {"b": 1}]}`,
		// fastjson, compare's first decoder, read this one ulp off
		// (6.0489938631465606e-05).
		"exact_number.json":   `{"metadata": {"benchmark_name": "x"}, "phases": {"fit": {"duration_seconds": 6.04899386314656e-05}}, "results": {"mae": 6.04899386314656e-05}, "status": "success"}`,
		"unicode_escape.json": `{"metadata": {"benchmark_name": "caf\u00e9 \ud83d\ude00"}, "phases": {"a\"b": {"duration_seconds": 1e-3}}, "status": "success"}`,
		"duplicates.json": `{"metadata": {"benchmark_name": "d"}, "phases": {"fit": {"duration_seconds": 1, "note": "x", "duration_seconds": 2}},
			"results": {"acc": "n/a", "acc": 0.9, "loss": 0.5, "loss": "x", "samples": 10, "s": [1]},
			"timing": {"go_heap_alloc_bytes": 7, "peak_rss_bytes": 9, "go_heap_alloc_bytes": 8}, "status": "success"}`,
	}
	var odds []string
	for name, content := range odd {
		p := filepath.Join(dir, "odd_"+name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		odds = append(odds, p)
	}
	files := append(append(append(append([]string{}, fixtures...), generated...), python...), odds...)
	files = append(files, filepath.Join(dir, "missing.json"))

	var wantWarn, gotWarn bytes.Buffer
	want, err := analyze.LoadFiles(files, &wantWarn)
	require.NoError(t, err)
	got, err := compare.LoadFiles(t.Context(), files, &gotWarn)
	require.NoError(t, err)

	require.Len(t, got, len(want))
	for i := range want {
		w, g := want[i], got[i]
		checkSlim(t, w.Log, g.Log, w.Path, true)
		w.Log, g.Log = nil, nil
		assert.Equal(t, fmt.Sprintf("%+v", w), fmt.Sprintf("%+v", g), want[i].Path)
	}
	assert.Equal(t, wantWarn.String(), gotWarn.String())
	assert.Contains(t, gotWarn.String(), "missing.json")

	_, err = compare.LoadFiles(t.Context(), []string{filepath.Join(dir, "odd_empty.json")}, nil)
	assert.ErrorContains(t, err, "none of the 1 log files could be read")
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = compare.LoadFiles(cancelled, files, nil)
	assert.ErrorIs(t, err, context.Canceled)
}

// slimPhaseKeys are the phase keys LoadFiles keeps.
var slimPhaseKeys = map[string]bool{
	benchlog.KeyStatus: true, benchlog.KeyParent: true, benchlog.KeyDuration: true,
	benchlog.KeyCPUUser: true, benchlog.KeyCPUSystem: true, benchlog.KeyPeakRSS: true,
	benchlog.KeyMemoryChange: true, benchlog.KeyGoHeapAlloc: true,
}

// checkSlim checks that got is what LoadFiles keeps of the whole log
// want: with wholeMetadata, all of its metadata, else only git_commit
// and warmup (Source.Load).
func checkSlim(t *testing.T, want, got *benchlog.Log, path string, wholeMetadata bool) {
	t.Helper()
	if wholeMetadata {
		assert.Equal(t, want.Metadata, got.Metadata, path)
	} else {
		for _, f := range got.Metadata {
			assert.Contains(t, []string{benchlog.KeyGitCommit, "warmup"}, f.Key, path)
		}
		for _, k := range []string{benchlog.KeyGitCommit, "warmup"} {
			w, wok := want.Metadata.Get(k)
			g, gok := got.Metadata.Get(k)
			assert.Equal(t, wok, gok, "%s: metadata %s", path, k)
			assert.Equal(t, w, g, "%s: metadata %s", path, k)
		}
	}
	assert.Equal(t, want.Status, got.Status, path)
	assert.Nil(t, got.Model, path)
	assert.Empty(t, got.Error, path)
	assert.Nil(t, got.Extra, path)

	require.Len(t, got.Phases, len(want.Phases), path)
	for i, ph := range got.Phases {
		assert.Equal(t, want.Phases[i].Name, ph.Name, path)
		for _, f := range ph.Fields {
			assert.True(t, slimPhaseKeys[f.Key], "%s: phase %s keeps %s", path, ph.Name, f.Key)
		}
		for k := range slimPhaseKeys {
			w, wok := want.Phases[i].Fields.Get(k)
			g, gok := ph.Fields.Get(k)
			assert.Equal(t, wok, gok, "%s: phase %s key %s", path, ph.Name, k)
			assert.Equal(t, w, g, "%s: phase %s key %s", path, ph.Name, k)
		}
	}

	for _, f := range got.Timing {
		assert.Equal(t, benchlog.KeyGoHeapAlloc, f.Key, path)
	}
	w, wok := want.Timing.Float(benchlog.KeyGoHeapAlloc)
	g, gok := got.Timing.Float(benchlog.KeyGoHeapAlloc)
	assert.Equal(t, wok, gok, path)
	assert.Equal(t, w, g, path)

	// The numeric results, as collect reads them: each key in order, with
	// its first value.
	numeric := func(o benchlog.Object) []string {
		var out []string
		for _, f := range o {
			if v, ok := o.Float(f.Key); ok && f.Key != "samples" {
				out = append(out, fmt.Sprintf("%s=%v", f.Key, v))
			}
		}
		return out
	}
	assert.Equal(t, numeric(want.Results), numeric(got.Results), path)
	assert.Len(t, got.Results, len(numeric(got.Results)), "%s: only numeric results kept", path)
}

// TestLoadFilesBrokenAmongMany checks that one broken file among many
// (more than one batch of them) is one warning naming it, and the rest are
// loaded, in order.
func TestLoadFilesBrokenAmongMany(t *testing.T) {
	dir := t.TempDir()
	const n = 1200
	require.NoError(t, genlogs.Write(dir, n, 0, 3))
	files, err := compare.Source{Dir: dir}.Files()
	require.NoError(t, err)
	require.Len(t, files, n)
	broken := filepath.Join(dir, "zz_broken_20260101_000000.json")
	data, err := os.ReadFile(files[700])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(broken, data[:len(data)/2], 0o644))
	withBroken := append(append(append([]string{}, files[:700]...), broken), files[700:]...)

	var warn bytes.Buffer
	runs, err := compare.LoadFiles(t.Context(), withBroken, &warn)
	require.NoError(t, err)
	require.Len(t, runs, n)
	for i, r := range runs {
		require.Equal(t, files[i], r.Path)
	}
	lines := strings.Split(strings.TrimSuffix(warn.String(), "\n"), "\n")
	require.Len(t, lines, 1, warn.String())
	assert.True(t, strings.HasPrefix(lines[0], "warning: skipping "+broken+": invalid run log: "), lines[0])

	// The same through Source.Load, as the commands load.
	warn.Reset()
	runs, err = compare.Source{Dir: dir}.Load(t.Context(), &warn)
	require.NoError(t, err)
	assert.Len(t, runs, n)
	assert.Equal(t, lines[0]+"\n", warn.String())
}

// TestLoadFilesPythonNaN checks that the Python logger's logs, with their
// bare NaN, load as they did when they went to analyze.LoadFiles: NaN is
// null, so precision_bits is unknown and left out of the samples.
func TestLoadFilesPythonNaN(t *testing.T) {
	const nanLog = "../analyze/testdata/logs/resnet20_relu_cifar10_20250109_123456.json"
	data, err := os.ReadFile(nanLog)
	require.NoError(t, err)
	require.Contains(t, string(data), "NaN")
	dir := t.TempDir()
	python, err := fakelogs.Write(dir, fakelogs.Set{Benchmarks: fakelogs.Default(), Runs: 3, Seed: 4, Python: true})
	require.NoError(t, err)
	files := append([]string{nanLog}, python...)

	want, err := analyze.LoadFiles(files, nil)
	require.NoError(t, err)
	got, err := compare.LoadFiles(t.Context(), files, nil)
	require.NoError(t, err)
	require.Len(t, got, len(files))
	for i := range want {
		checkSlim(t, want[i].Log, got[i].Log, files[i], true)
		w, g := want[i], got[i]
		w.Log, g.Log = nil, nil
		assert.Equal(t, fmt.Sprintf("%+v", w), fmt.Sprintf("%+v", g), files[i])
	}

	r := got[0]
	assert.Equal(t, "resnet20_relu_cifar10", r.Name)
	assert.Equal(t, analyze.Success, r.Outcome)
	assert.Equal(t, 0.000123, r.MAE)
	assert.True(t, math.IsNaN(r.PrecisionBits), "NaN precision_bits is unknown")
	pb, present := r.Log.Results.Get(benchlog.KeyPrecisionBits)
	assert.False(t, present, "a null result is not a number: left out (got %v)", pb)
	assert.Equal(t, 59.9, r.Duration)
	assert.Equal(t, "fhe_inference", r.MainPhase)
	assert.Equal(t, 45.6, r.MainPhaseSeconds)
	assert.Len(t, r.Log.Phases, 10)
	d, ok := r.Log.Phases[7].Fields.Float(benchlog.KeyDuration)
	assert.True(t, ok)
	assert.Equal(t, 45.6, d)
	_, ok = r.Log.Phases[4].Fields.Get("input_level")
	assert.False(t, ok, "a phase key nothing reads is left out")

	// Compared with itself, the NaN log gives the rows it gave.
	res := compare.Compare(want[:1], want[:1], compare.Options{})
	slimRes := compare.Compare(got[:1], got[:1], compare.Options{})
	assert.Equal(t, res, slimRes)
}

// TestLoadSameOutputs checks that what compare, trend and the report
// write from the runs Source.Load gives (slim logs) is what they write
// from the whole logs of analyze.LoadFiles, selected the same way: the
// slim logs keep all those outputs read.
func TestLoadSameOutputs(t *testing.T) {
	oldDir, newDir := t.TempDir(), t.TempDir()
	const a, b = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3"
	day2 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for _, w := range []struct {
		dir string
		set fakelogs.Set
	}{
		{oldDir, fakelogs.Set{Runs: 8, Seed: 1, Commit: a}},
		{oldDir, fakelogs.Set{Runs: 2, Seed: 2, Commit: a, Warmup: true, Start: day2}},
		{oldDir, fakelogs.Set{Runs: 2, Seed: 3, Python: true, Start: day2.Add(time.Hour)}},
		{newDir, fakelogs.Set{Runs: 8, Seed: 4, Commit: b, Changes: planted, Start: day2}},
		{newDir, fakelogs.Set{Runs: 6, Seed: 5, Commit: a, Start: day2.Add(2 * time.Hour)}},
	} {
		if w.set.Benchmarks == nil {
			w.set.Benchmarks = fakelogs.Default()
		}
		_, err := fakelogs.Write(w.dir, w.set)
		require.NoError(t, err)
	}
	// The lab's mix (failed, interrupted and running runs, nested phases,
	// Python logs with NaN, a broken file) and the analyze fixtures.
	require.NoError(t, genlogs.Write(oldDir, 150, 1, 6))
	require.NoError(t, genlogs.Write(newDir, 150, 0, 7))
	fixtures, err := filepath.Glob("../analyze/testdata/logs/*.json")
	require.NoError(t, err)
	for _, f := range fixtures {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(newDir, filepath.Base(f)), data, 0o644))
	}

	// whole loads a source as before LoadFiles kept slim logs.
	whole := func(src compare.Source) []analyze.Run {
		files, err := src.Files()
		require.NoError(t, err)
		runs, err := analyze.LoadFiles(files, nil)
		require.NoError(t, err)
		return src.Select(runs)
	}
	load := func(src compare.Source) []analyze.Run {
		runs, err := src.Load(t.Context(), nil)
		require.NoError(t, err)
		return runs
	}
	// outputs writes everything the commands write of the sides.
	outputs := func(old, new []analyze.Run) string {
		var out bytes.Buffer
		res := compare.Compare(old, new, compare.Options{})
		for _, format := range compare.Formats() {
			require.NoError(t, compare.Write(&out, format, res, compare.Names{Old: "old", New: "new"}))
		}
		for _, by := range []compare.Grouping{"", "commit", "day"} {
			tr := compare.Trend(new, compare.TrendOptions{By: by})
			require.NoError(t, compare.WriteTrendText(&out, tr))
			require.NoError(t, compare.WriteTrendJSON(&out, tr))
		}
		opts := report.Options{Source: "new", BaselineSource: "old", Baseline: old, GeneratedAt: day2}
		require.NoError(t, report.Write(&out, new, opts))
		return out.String()
	}

	for _, srcs := range [][2]string{
		{oldDir, newDir},
		{oldDir + "@git_commit=a1b2c3d", newDir + "@git_commit=e4f5a6b"},
		{newDir + "@git_commit=" + a, newDir + "@hostname=bench-01,git_commit=e4f5"},
	} {
		old, err := compare.ParseSource(srcs[0])
		require.NoError(t, err)
		new, err := compare.ParseSource(srcs[1])
		require.NoError(t, err)
		wholeOld, wholeNew := whole(old), whole(new)
		slimOld, slimNew := load(old), load(new)
		require.Len(t, slimOld, len(wholeOld))
		require.Len(t, slimNew, len(wholeNew))
		for i := range wholeNew {
			checkSlim(t, wholeNew[i].Log, slimNew[i].Log, wholeNew[i].Path, false)
		}
		want := outputs(wholeOld, wholeNew)
		got := outputs(slimOld, slimNew)
		assert.Equal(t, want, got, "%s %s", srcs[0], srcs[1])
	}
}
