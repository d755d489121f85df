package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
	"github.com/benchtrace/benchtrace/bench/internal/cli/clitest"
	"github.com/benchtrace/benchtrace/bench/internal/fakelogs"
)

// compareDirs writes the fixture sets of the compare tests: old, new with
// planted changes (one phase slower, one peak higher, one precision
// lower), and an unchanged second sample.
func compareDirs(t *testing.T) (old, changed, unchanged string) {
	t.Helper()
	old, changed, unchanged = t.TempDir(), t.TempDir(), t.TempDir()
	for _, s := range []struct {
		dir     string
		seed    uint64
		changes []fakelogs.Change
	}{
		{old, 1, nil},
		{changed, 2, []fakelogs.Change{
			{Benchmark: "kmeans_embeddings", Phase: "fit", Measure: "duration", Factor: 1.2},
			{Benchmark: "resnet20_relu_cifar10", Phase: "compile", Measure: "peak_rss", Factor: 1.3},
			{Benchmark: "int8_gemm_quantized", Measure: "mae", Factor: 4},
		}},
		{unchanged, 3, nil},
	} {
		_, err := fakelogs.Write(s.dir, fakelogs.Set{Benchmarks: fakelogs.Default(), Runs: 10, Seed: s.seed, Changes: s.changes})
		require.NoError(t, err)
	}
	return old, changed, unchanged
}

const failOn = "duration:+5%,peak_rss:+10%,precision_bits:-0.5"

func TestCompareGate(t *testing.T) {
	old, changed, unchanged := compareDirs(t)
	tests := []struct {
		name       string
		args       []string
		want       int
		wantStdout []string
		wantStderr []string
	}{
		{"planted fails", []string{"--fail-on", failOn, old, changed}, 1,
			[]string{"duration", "kmeans_embeddings/fit", "+23.", "worse"},
			[]string{
				"FAIL kmeans_embeddings duration: +",
				"FAIL kmeans_embeddings/fit duration: +",
				"FAIL resnet20_relu_cifar10/compile peak_rss: +",
				"FAIL int8_gemm_quantized precision_bits: -",
				"beyond precision_bits:-0.5",
				"benchtrace: compare: significant regressions beyond --fail-on: 4 of 83 rows",
			}},
		{"unchanged passes", []string{"--fail-on", failOn, old, unchanged}, 0, []string{"geomean"}, nil},
		{"without a gate", []string{old, changed}, 0, []string{"worse"}, nil},
		{"flags after the arguments", []string{old, changed, "--fail-on", failOn}, 1, nil, []string{"significant regressions beyond --fail-on: 4 of"}},
		{"flags between the arguments", []string{old, "--fail-on", failOn, changed, "--alpha", "0.01"}, 1, nil, []string{"significant regressions beyond --fail-on: 4 of"}},
		{"per-phase override", []string{"--fail-on", "duration:+5%,duration@fit:+30%,duration@:+30%", old, changed}, 0, nil, nil},
		{"unused threshold", []string{"--fail-on", "duration@no_such_phase:+5%", old, changed}, 0, nil,
			[]string{"warning: --fail-on duration@no_such_phase:+5%: no row of that measure and phase"}},
		{"benchmark filter", []string{"--benchmark", "gemm", "--fail-on", failOn, old, changed}, 1, nil,
			[]string{"FAIL int8_gemm_quantized precision_bits", "significant regressions beyond --fail-on: 1 of"}},

		{"one argument", []string{old}, 2, nil, []string{"compare: want two sources, OLD and NEW", `Run "benchtrace compare -h"`}},
		{"three arguments", []string{old, changed, unchanged}, 2, nil, []string{"got 3"}},
		{"bad threshold", []string{"--fail-on", "duration:-5%", old, changed}, 2, nil, []string{"--fail-on: bad threshold", "write +5%"}},
		{"bad format", []string{"--format", "yaml", old, changed}, 2, nil, []string{`--format "yaml": want one of text, markdown, json, csv`}},
		{"bad alpha", []string{"--alpha", "1.5", old, changed}, 2, nil, []string{"--alpha must be between 0 and 1"}},
		{"bad flag after the arguments", []string{old, changed, "--nope"}, 2, nil, []string{"flag provided but not defined: -nope"}},
		{"missing directory", []string{old, filepath.Join(old, "missing")}, 1, nil, []string{"reading log directory"}},
		{"no match", []string{old + "@git_commit=abcdef0", changed}, 1, nil, []string{"no log in " + old + " matches " + old + "@git_commit=abcdef0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := cli.ExitStatus(&stderr, run(t.Context(), &stdout, &stderr, append([]string{"compare"}, tt.args...)))
			assert.Equal(t, tt.want, got, "exit status; stderr: %s", stderr.String())
			clitest.CheckOutput(t, stdout.String(), stderr.String(), tt.wantStdout, tt.wantStderr)
			if tt.want == 2 {
				assert.Empty(t, stdout.String())
			}
		})
	}
}

func TestCompareJSON(t *testing.T) {
	old, changed, _ := compareDirs(t)
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), &stdout, &stderr, []string{"compare", "--format", "json", "--fail-on", failOn, old, changed})
	require.ErrorIs(t, err, errGate)
	var out struct {
		Old  struct{ Source string } `json:"old"`
		Rows []struct {
			Benchmark, Phase, Measure string
			Regression                bool
		} `json:"rows"`
		Failures []struct{ Benchmark, Phase, Measure, Threshold string } `json:"failures"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), stdout.String())
	assert.Equal(t, old, out.Old.Source)
	assert.Len(t, out.Failures, 4)
	assert.Equal(t, "duration:+5%", out.Failures[0].Threshold)
	assert.Greater(t, len(out.Rows), 50)
}

func TestCompareFormats(t *testing.T) {
	old, changed, _ := compareDirs(t)
	for format, want := range map[string]string{
		"text":     "│",
		"markdown": "### benchtrace compare: `" + old + "` → `" + changed + "`",
		"csv":      "benchmark,phase,measure,unit,worse,old_center",
	} {
		var stdout, stderr bytes.Buffer
		require.NoError(t, run(t.Context(), &stdout, &stderr, []string{"compare", "--format", format, old, changed}))
		assert.True(t, strings.Contains(stdout.String(), want), "%s: %s", format, stdout.String())
	}
}

// TestCompareTooFew checks that compare says when there are too few runs
// for a verdict, on stderr and per row.
func TestCompareTooFew(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for i, dir := range []string{a, b} {
		_, err := fakelogs.Write(dir, fakelogs.Set{Benchmarks: fakelogs.Default()[2:], Runs: 2, Seed: uint64(i)})
		require.NoError(t, err)
	}
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(t.Context(), &stdout, &stderr, []string{"compare", "--fail-on", failOn, a, b}))
	assert.Contains(t, stderr.String(), "warning: some rows have too few runs for a verdict")
	assert.Contains(t, stdout.String(), "need >= 4 samples to detect a difference at alpha level 0.05")
}
