package compare_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/compare"
	"github.com/benchtrace/benchtrace/bench/internal/fakelogs"
)

// history writes runs of five commits into one directory, a day apart:
// the fit phase of kmeans gets 20% slower at the third commit and stays
// so; the compile phase of resnet20 uses 30% more memory from the fifth.
// With commit false the logs have no git_commit.
func history(t *testing.T, runs int, commit bool) []analyze.Run {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for i := range 5 {
		set := fakelogs.Set{Benchmarks: fakelogs.Default(), Runs: runs, Seed: uint64(10 + i),
			Start: time.Date(2026, 11, 1+i, 9, 0, 0, 0, time.Local)}
		if commit {
			set.Commit = fmt.Sprintf("c%d%038x", i, i)
		}
		if i >= 2 {
			set.Changes = append(set.Changes, fakelogs.Change{Benchmark: "kmeans_embeddings", Phase: "fit", Measure: "duration", Factor: 1.2})
		}
		if i >= 4 {
			set.Changes = append(set.Changes, fakelogs.Change{Benchmark: "resnet20_relu_cifar10", Phase: "compile", Measure: "peak_rss", Factor: 1.3})
		}
		f, err := fakelogs.Write(dir, set)
		require.NoError(t, err)
		files = append(files, f...)
	}
	loaded, err := analyze.LoadFiles(files, nil)
	require.NoError(t, err)
	return loaded
}

// TestTrend checks that the trend finds the planted changes, and only
// them, at the commit where they happened, newest first, with the default
// options: among the ~330 steps, some are significant by chance at alpha
// 0.05, but their intervals overlap.
func TestTrend(t *testing.T) {
	runs := history(t, 10, true)
	tr := compare.Trend(runs, compare.TrendOptions{})
	assert.Equal(t, compare.ByCommit, tr.By)
	require.Len(t, tr.Points, 5)
	assert.Equal(t, "c000000", tr.Points[0].Label)
	assert.Equal(t, "c400000", tr.Points[4].Label)
	assert.Equal(t, 30, tr.Points[2].Runs)

	var got []string
	for _, c := range tr.Changes() {
		got = append(got, tr.Sentence(c))
	}
	require.Len(t, got, 4, got)
	assert.Regexp(t, `^resnet20_relu_cifar10/compile peak_rss got 3\d\.\d% higher at c400000 \(worse\)$`, got[0])
	assert.ElementsMatch(t, []string{
		"kmeans_embeddings duration", "kmeans_embeddings/fit duration", "kmeans_embeddings main_phase",
	}, []string{label(tr.Changes()[1].Row), label(tr.Changes()[2].Row), label(tr.Changes()[3].Row)})
	for _, s := range got[1:] {
		assert.Regexp(t, `^kmeans_embeddings\S* \S+ got 1\d\.\d% slower at c200000 \(worse\)$`, s)
	}
	assert.Equal(t, 0, tr.TooFew)

	var text bytes.Buffer
	require.NoError(t, compare.WriteTrendText(&text, tr))
	assert.Contains(t, text.String(), "5 points by commit, oldest first:")
	assert.Contains(t, text.String(), "kmeans_embeddings/fit duration got")
	assert.Contains(t, text.String(), "History of the series that changed")

	var js bytes.Buffer
	require.NoError(t, compare.WriteTrendJSON(&js, tr))
	var out struct {
		Points  []struct{ Label string }
		Changes []struct{ Text, At string }
		Series  []struct{ Values []struct{ N int } }
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &out))
	assert.Len(t, out.Points, 5)
	assert.Len(t, out.Changes, 4)
	assert.Equal(t, "c400000", out.Changes[0].At)
	assert.Len(t, out.Series[0].Values, 5)

}

// TestTrendFewRuns checks a history of 5 runs a point, too few for an
// interval: the U-test decides alone. The planted changes are found; so
// are some steps significant by chance, about alpha of them, fewer with a
// smaller alpha and a MinChange (the fixture's memory change is noisy, with
// a CV of 16% in some phases, so a few remain: more runs are the cure).
func TestTrendFewRuns(t *testing.T) {
	runs := history(t, 5, true)
	want := []string{
		"resnet20_relu_cifar10/compile peak_rss at c400000",
		"kmeans_embeddings duration at c200000",
		"kmeans_embeddings/fit duration at c200000",
		"kmeans_embeddings main_phase at c200000",
	}
	found := func(tr *compare.TrendResult) []string {
		var got []string
		for _, c := range tr.Changes() {
			got = append(got, label(c.Row)+" at "+tr.Points[c.To].Label)
		}
		return got
	}
	every := compare.Trend(runs, compare.TrendOptions{})
	assert.Subset(t, found(every), want)
	assert.Less(t, len(every.Changes()), every.Steps/10, "about alpha of the steps")

	strict := compare.Trend(runs, compare.TrendOptions{MinChange: 10, Options: compare.Options{Alpha: 0.01}})
	assert.Subset(t, found(strict), want)
	assert.Less(t, len(strict.Changes()), len(every.Changes()))
}

// TestTrendByDay checks the grouping by day of logs without a commit, and
// that one run a day is too few to find anything.
func TestTrendByDay(t *testing.T) {
	tr := compare.Trend(history(t, 1, false), compare.TrendOptions{})
	assert.Equal(t, compare.ByDay, tr.By)
	require.Len(t, tr.Points, 5)
	assert.Equal(t, "2026-11-01", tr.Points[0].Label)
	assert.Empty(t, tr.Changes())
	assert.Equal(t, tr.Steps, tr.TooFew, "every step has too few runs")

	byCommit := compare.Trend(history(t, 1, false), compare.TrendOptions{By: compare.ByCommit})
	assert.Empty(t, byCommit.Points)
	assert.Equal(t, 15, byCommit.Skipped)
}
