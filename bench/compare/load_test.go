package compare_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/compare"
	"github.com/benchtrace/benchtrace/bench/internal/fakelogs"
)

// TestLoadFilesSameAsAnalyze checks that LoadFiles gives the Runs
// analyze.LoadFiles gives, log for log, and the same warnings: on the
// analyze package's fixtures (benchtrace's logs, the Python logger's with
// its bare NaN, running and failed runs), on generated logs, and on odd
// files that benchlog.Decode's fast path leaves to its reference decoder.
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
		"empty.json":          "",
		"broken.json":         `{"metadata": {"benchmark_name": "x"`,
		"not_a_log.json":      `{}`,
		"array.json":          `[1, 2]`,
		"phase_number.json":   `{"metadata": {"benchmark_name": "p"}, "phases": {"fit": 1.5, "x": null}, "status": "success"}`,
		"status_number.json":  `{"metadata": {"benchmark_name": "s"}, "status": 3}`,
		"error_object.json":   `{"metadata": {"benchmark_name": "e"}, "status": "failed", "error": {"message": "boom"}}`,
		"nan.json":            `{"metadata": {"benchmark_name": "n"}, "results": {"mae": 0, "precision_bits": Infinity}, "status": "success"}`,
		"bad_utf8.json":       "{\"metadata\": {\"benchmark_name\": \"u\xff\"}, \"status\": \"success\"}",
		"extra_keys.json":     `{"metadata": {"benchmark_name": "k", "git_dirty": false, "cpu_count": 8}, "phases": null, "status": "success", "error": null, "notes": ["a", {"b": 1}]}`,
		"unicode_escape.json": `{"metadata": {"benchmark_name": "caf\u00e9 \ud83d\ude00"}, "phases": {"a\"b": {"duration_seconds": 1e-3}}, "status": "success"}`,
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
		assert.Equal(t, want[i].Log, got[i].Log, want[i].Path)
		w, g := want[i], got[i]
		w.Log, g.Log = nil, nil
		assert.Equal(t, fmt.Sprintf("%+v", w), fmt.Sprintf("%+v", g), want[i].Path)
	}
	assert.ElementsMatch(t, lines(wantWarn.String()), lines(gotWarn.String()))
	assert.Contains(t, gotWarn.String(), "missing.json")

	_, err = compare.LoadFiles(t.Context(), []string{filepath.Join(dir, "odd_empty.json")}, nil)
	assert.ErrorContains(t, err, "none of the 1 log files could be read")
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = compare.LoadFiles(cancelled, files, nil)
	assert.ErrorIs(t, err, context.Canceled)
}

func lines(s string) []string {
	return strings.Split(strings.TrimSpace(s), "\n")
}
