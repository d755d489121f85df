package report_test

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/internal/fakelogs"
	"github.com/benchtrace/benchtrace/bench/internal/report"
)

// load writes the sets into a temporary directory and loads them.
func load(t testing.TB, sets ...fakelogs.Set) []analyze.Run {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for _, s := range sets {
		if s.Benchmarks == nil {
			s.Benchmarks = fakelogs.Default()
		}
		f, err := fakelogs.Write(dir, s)
		require.NoError(t, err)
		files = append(files, f...)
	}
	runs, err := analyze.LoadFiles(files, nil)
	require.NoError(t, err)
	return runs
}

// fixture is a history of four commits, the fit phase of kmeans 25%
// slower from the third, and a baseline of the first's distributions.
func fixture(t testing.TB) (runs, baseline []analyze.Run) {
	var sets []fakelogs.Set
	for i := range 4 {
		s := fakelogs.Set{Runs: 6, Seed: uint64(i + 1), Commit: fmt.Sprintf("%x%039x", 10+i, i),
			Start: time.Date(2026, 11, 1+i, 9, 0, 0, 0, time.Local)}
		if i >= 2 {
			s.Changes = []fakelogs.Change{{Benchmark: "kmeans_embeddings", Phase: "fit", Measure: "duration", Factor: 1.25}}
		}
		sets = append(sets, s)
	}
	return load(t, sets...), load(t, fakelogs.Set{Runs: 8, Seed: 99})
}

func write(t testing.TB, runs []analyze.Run, opts report.Options) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, report.Write(&b, runs, opts))
	return b.String()
}

// TestSelfContained checks that the page refers to nothing outside itself:
// no script, style sheet, font, image or link to fetch.
func TestSelfContained(t *testing.T) {
	runs, base := fixture(t)
	page := write(t, runs, report.Options{Source: "logs", Baseline: base, BaselineSource: "main-logs"})
	assert.True(t, strings.HasPrefix(page, "<!DOCTYPE html>"))
	for _, re := range []string{`(?i)<script`, `(?i)<link`, `(?i)<img`, `(?i)<iframe`, `(?i)@import`, `(?i)url\(`,
		`(?i)\bsrc=`, `(?i)\bhref=`, `(?i)https?:`, `//[a-z0-9.-]+\.[a-z]{2,}/`} {
		assert.NotRegexp(t, re, page)
	}
	assert.Less(t, len(page), 150<<10, "three benchmarks, 12 charts and the tables fit in 150 KiB")
}

func TestContent(t *testing.T) {
	runs, base := fixture(t)
	page := write(t, runs, report.Options{Title: "nightly <main>", Source: "logs", Baseline: base, BaselineSource: "main-logs"})
	assert.Contains(t, page, "<title>nightly &lt;main&gt;</title>", "text is escaped")
	assert.Equal(t, 3*4, strings.Count(page, `<svg class="chart"`), "a phase breakdown and three series per benchmark")
	for _, b := range []string{"int8_gemm_quantized", "kmeans_embeddings", "resnet20_relu_cifar10"} {
		assert.Contains(t, page, `<h2 id="b-`+b+`">`+b+`</h2>`)
	}
	// The comparison marks a regression by color (the row's class) and in
	// words.
	assert.Regexp(t, regexp.MustCompile(`<tr class="worse"><td class="name"><span class="verdict-worse">▲ worse</span></td><td class="name">kmeans_embeddings/fit</td><td class="name">duration</td>`), page)
	assert.Contains(t, page, "Compared with the baseline")
	// The history: the slower commit is named.
	assert.Contains(t, page, "Across 4 commits")
	assert.Regexp(t, `kmeans_embeddings/fit duration got 2\d\.\d% slower at c000000 \(worse\)`, page)
	// The phases of the latest runs, with their legend.
	assert.Contains(t, page, "Phases of the latest 12 runs")
	assert.Contains(t, page, `<title>fhe_inference: `)

	alone := write(t, runs, report.Options{})
	assert.NotContains(t, alone, "Compared with the baseline")
	assert.Contains(t, alone, "Across 4 commits")
}

// TestPythonLogs checks a report of logs of the Python logger, which have
// durations and accuracy but no memory figures.
func TestPythonLogs(t *testing.T) {
	runs := load(t, fakelogs.Set{Runs: 3, Seed: 1, Python: true})
	page := write(t, runs, report.Options{})
	assert.Equal(t, 3*3, strings.Count(page, `<svg class="chart"`), "no peak RSS chart")
	assert.NotContains(t, page, "Across", "one day: no history")
}

// TestMain removes nothing; it is here so that goleak checks the browser
// test's goroutines (chromedp's) are gone.
func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}
