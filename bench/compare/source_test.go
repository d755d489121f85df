package compare_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/compare"
	"github.com/benchtrace/benchtrace/bench/internal/fakelogs"
)

func TestParseSource(t *testing.T) {
	odd := filepath.Join(t.TempDir(), "runs@git_commit=x")
	require.NoError(t, os.Mkdir(odd, 0o755))
	tests := []struct {
		in   string
		want compare.Source
	}{
		{"logs", compare.Source{Dir: "logs"}},
		{"logs@git_commit=a1b2c3d", compare.Source{Dir: "logs", Where: []compare.Match{{"git_commit", "a1b2c3d"}}}},
		{"logs@git_commit=a1b2c3d,hostname=bench-01", compare.Source{Dir: "logs", Where: []compare.Match{{"git_commit", "a1b2c3d"}, {"hostname", "bench-01"}}}},
		{"me@host/logs@git_dirty=false", compare.Source{Dir: "me@host/logs", Where: []compare.Match{{"git_dirty", "false"}}}},
		{"logs@nothing", compare.Source{Dir: "logs@nothing"}},
		{odd, compare.Source{Dir: odd}},
	}
	for _, tt := range tests {
		got, err := compare.ParseSource(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		assert.Equal(t, tt.in, got.String())
	}
	for _, bad := range []string{"", "@git_commit=a", "logs@=a", "logs@a=b,c"} {
		_, err := compare.ParseSource(bad)
		assert.Error(t, err, bad)
	}
}

// TestSourceSelect checks that one directory holding two commits is split
// by DIR@git_commit=…, with abbreviated commits.
func TestSourceSelect(t *testing.T) {
	dir := t.TempDir()
	bench := fakelogs.Default()[2:]
	const a, b = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3"
	_, err := fakelogs.Write(dir, fakelogs.Set{Benchmarks: bench, Runs: 4, Seed: 1, Commit: a})
	require.NoError(t, err)
	_, err = fakelogs.Write(dir, fakelogs.Set{Benchmarks: bench, Runs: 6, Seed: 2, Commit: b,
		Start: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)})
	require.NoError(t, err)

	for _, tt := range []struct {
		src  string
		want int
	}{
		{dir, 10},
		{dir + "@git_commit=a1b2c3d", 4},
		{dir + "@git_commit=" + b, 6},
		{dir + "@git_commit=e4f5", 6},
		{dir + "@hostname=bench-01,git_commit=e4f5a6b", 6},
		{dir + "@cpu_model=Test CPU @ 3.00GHz", 10},
	} {
		src, err := compare.ParseSource(tt.src)
		require.NoError(t, err)
		runs, err := src.Load(t.Context(), nil)
		require.NoError(t, err, tt.src)
		assert.Len(t, runs, tt.want, tt.src)
	}
	for _, src := range []string{dir + "@git_commit=e4f", dir + "@git_commit=0000000", dir + "@no_such_key=1"} {
		s, err := compare.ParseSource(src)
		require.NoError(t, err)
		_, err = s.Load(t.Context(), nil)
		assert.ErrorContains(t, err, "matches", src)
	}
	_, err = compare.Source{Dir: filepath.Join(dir, "missing")}.Load(t.Context(), nil)
	assert.ErrorContains(t, err, "reading log directory")
	_, err = compare.Source{Dir: t.TempDir()}.Load(t.Context(), nil)
	assert.ErrorContains(t, err, "no run logs")
}
